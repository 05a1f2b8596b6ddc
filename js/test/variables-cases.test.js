// `{{variables}}` against the table of cases the Python tests read too (tests/rules_cases.json,
// "variables"): each case's page (URL, referrer, cookies, tm.push calls, DOM, clock, chance) is
// set up in happy-dom and its template resolved by the runtime's own modules.
import "./setup.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { consentRead } from "../src/consent.js";
import { consentModeStub } from "../src/consent-mode.js";
import { push } from "../src/events.js";
import { runtimeReset } from "../src/state.js";
import { typesAdd } from "../src/types.js";
import { cookieJar, encode, escapeHtml } from "../src/util.js";
import { substitute } from "../src/variables.js";
import { configMake } from "./setup.js";

const cases = JSON.parse(readFileSync(new URL("../../tests/rules_cases.json", import.meta.url)));
const directory = new URL("../src/variables/", import.meta.url);
const pieces = readdirSync(directory).map((name) => name.slice(0, -3));
for (const slug of pieces)
  typesAdd("variables", { [slug]: (await import(new URL(`${slug}.js`, directory))).default });
consentModeStub();

// The encodings fire.js applies by where a parameter lands.
const ENCODINGS = { url: encode, html: escapeHtml };
// A case without an event is read at the page view (what emit("page_view") makes).
const PAGE_VIEW = { name: "page_view", data: {} };

/** The page as the case describes it, a fresh run of the runtime on it; then `read()`. */
function onPage({ page, variables = [] }, read) {
  for (const name in cookieJar()) if (name) document.cookie = `${name}=; Max-Age=0; path=/`;
  window.happyDOM.setURL(page.url);
  for (const [name, value] of Object.entries(page.cookies || {}))
    document.cookie = `${name}=${value}; path=/`;
  Object.defineProperty(document, "referrer", { value: page.referrer || "", configurable: true });
  document.body.innerHTML = page.html || "";
  const [now, random] = [Date.now, Math.random];
  if (page.now !== undefined) Date.now = () => page.now;
  if (page.random !== undefined) Math.random = () => page.random;
  try {
    runtimeReset(configMake({ variables }));
    consentRead();
    for (const object of page.pushes || []) push(structuredClone(object));
    return read();
  } finally {
    Date.now = now;
    Math.random = random;
  }
}

test("every variable type of the runtime has a case, and every case's type a piece", () => {
  const used = new Set(cases.variables.flatMap((c) => (c.variables || []).map((v) => v.type)));
  assert.deepEqual([...used].sort(), pieces.sort());
});

for (const item of cases.variables) {
  const name = `${JSON.stringify(item.template)} is ${JSON.stringify(item.value)}${
    item.note ? ` (${item.note})` : ""
  }`;
  test(name, () => {
    const value = onPage(item, () => {
      assert.equal(location.href, item.page.url, "the table gives the URL as the browser has it");
      const event = structuredClone(item.event || PAGE_VIEW);
      return substitute(item.template, event, ENCODINGS[item.encode]);
    });
    assert.deepEqual(value, item.value);
  });
}

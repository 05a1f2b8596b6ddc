// The runtime's start: the public API, queued pushes, a second copy, the banner on first visit.
import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { start } from "../src/main.js";
import customEvent from "../src/triggers/custom_event.js";
import { types } from "../src/types.js";
import { setCookie } from "../src/util.js";
import { configMake } from "./setup.js";

globalThis.fetch = async () => ({ status: 201 });
const fired = [];
types.tags.probe = (_params, event) => fired.push(event.name);
types.triggers.custom_event = customEvent;

const config = configMake({
  triggers: [
    { id: 1, type: "page_view", params: {}, conditions: [] },
    { id: 2, type: "custom_event", params: { event_name: "signup" }, conditions: [] },
  ],
  tags: [
    {
      id: 1,
      type: "probe",
      categories: ["necessary"],
      params: {},
      limit: "unlimited",
      triggers: [1, 2],
      blocking: [],
    },
  ],
});
const script = { src: "https://tm.example/tm/demo.js", nonce: "n" };

test("start: page view, queued pushes, the API, the banner; a second copy does nothing", () => {
  window.tm = [{ event: "signup" }];
  start(window, document, JSON.stringify(config), "", script);
  assert.deepEqual(fired.slice(0, 2), ["page_view", "signup"]); // the push queued before
  assert.ok(document.querySelector("[data-tm-banner]"));
  assert.deepEqual(window.tm.consent.get(), {
    consentId: null,
    revision: 1,
    categories: { necessary: true, analytics: false, marketing: false },
    source: "default",
  });
  const api = window.tm;
  start(window, document, JSON.stringify(config), "", script);
  assert.equal(window.tm, api);
  window.tm.consent.acceptAll();
  assert.equal(window.tm.consent.get().categories.marketing, true);
  assert.equal(window.tm.consent.get().source, "api");
  assert.equal(document.querySelector("[data-tm-banner]").hidden, true);
  window.tm.push({ event: "signup" });
  assert.equal(fired.filter((n) => n === "signup").length, 2);
});

test("consent calls queued with tm.push before the loader run once it has", () => {
  setCookie("tm_consent", "", 0); // the decision of the test before
  window.tm = [["consent", "set", { analytics: true }], { event: "signup" }, ["consent", "nope"]];
  const before = fired.length;
  // A page whose loader already ran would return at once: start a fresh page's run.
  const page = { tm: window.tm, addEventListener() {} };
  start(page, document, JSON.stringify(config), "", script);
  assert.equal(page.tm.consent.get().categories.analytics, true);
  assert.equal(page.tm.consent.get().categories.marketing, false);
  assert.equal(fired.length - before, 2); // page view and the queued signup
  assert.equal(document.querySelector("[data-tm-banner]").hidden, true); // decided: no banner
});

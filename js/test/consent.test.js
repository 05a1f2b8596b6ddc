// Consent: the stored decision, a new decision (cookie, Consent Mode, record, held fires,
// denied cookies deleted), and the banner that takes it.
import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { bannerHide, bannerLocale, bannerShow } from "../src/banner.js";
import { categoryAllowed, consentDecide, consentRead, consentResend } from "../src/consent.js";
import { consentModeDefaults, consentModeStub } from "../src/consent-mode.js";
import { runtime, runtimeReset } from "../src/state.js";
import { typesAdd } from "../src/types.js";
import { cookieJar, setCookie } from "../src/util.js";
import { configMake } from "./setup.js";

const posted = [];
globalThis.fetch = async (url, init) => {
  posted.push([url, JSON.parse(init.body)]);
  return { status: 201 };
};
const fired = [];
typesAdd("tags", { probe: (params) => fired.push(params.n) });

function fresh(extra) {
  for (const name of Object.keys(cookieJar())) setCookie(name, "", 0);
  localStorage.clear();
  posted.length = fired.length = 0;
  globalThis.dataLayer = window.dataLayer = [];
  window.gtag = undefined;
  runtimeReset(configMake(extra));
  runtime.base = "https://tm.example/tm/";
  consentModeStub();
  consentModeDefaults();
  bannerLocale();
}

const signals = () =>
  window.dataLayer.filter((a) => a[0] === "consent").map((a) => [a[1], { ...a[2] }]);

test("without a decision only required categories are granted, and every signal is denied", () => {
  fresh();
  assert.equal(consentRead(), false);
  assert.deepEqual(runtime.granted, { necessary: true, analytics: false, marketing: false });
  const [[kind, defaults]] = signals();
  assert.equal(kind, "default");
  assert.equal(defaults.ad_storage, "denied");
  assert.equal(defaults.analytics_storage, "denied");
});

test("a stored decision of this revision is read back; another revision's is not", () => {
  fresh();
  const now = (Date.now() / 1e3) | 0;
  setCookie("tm_consent", `1.c-1.1.necessary-analytics.${now}.banner.s3cret`, 60);
  assert.equal(consentRead(), true);
  assert.deepEqual(runtime.decision, { id: "c-1", source: "banner", secret: "s3cret" });
  assert.equal(runtime.granted.analytics, true);
  assert.equal(signals().at(-1)[1].analytics_storage, "granted");
  fresh();
  setCookie("tm_consent", `1.c-1.2.necessary-analytics.${now}.banner.s3cret`, 60);
  assert.equal(consentRead(), false);
  assert.equal(runtime.granted.analytics, false);
});

test("under GPC a category for sale or sharing is never granted", () => {
  fresh();
  runtime.gpc = true;
  const [, analytics, marketing] = runtime.categories;
  assert.equal(categoryAllowed(marketing, true), false);
  assert.equal(categoryAllowed(analytics, true), true);
});

test("a decision sets the cookie, updates Consent Mode, is posted, runs held fires", async () => {
  fresh();
  consentRead();
  const tag = {
    id: 1,
    type: "probe",
    categories: ["analytics"],
    params: { n: 1 },
    limit: "unlimited",
  };
  const other = { ...tag, id: 2, categories: ["marketing"], params: { n: 2 } };
  runtime.waiting = [
    [tag, { name: "page_view", data: {} }, 7],
    [other, { name: "page_view", data: {} }, 7],
  ];
  setCookie("_ga", "GA1", 60);
  setCookie("_fbp", "fb", 60);
  consentDecide((c) => c.slug === "analytics", "custom", "banner");
  const stored = cookieJar().tm_consent.split(".");
  assert.equal(stored.length, 7);
  assert.equal(stored[3], "necessary-analytics");
  assert.equal(signals().at(-1)[1].analytics_storage, "granted");
  assert.equal(signals().at(-1)[1].ad_storage, "denied");
  assert.deepEqual(fired, [1]);
  assert.equal(runtime.waiting.length, 1); // marketing waits for its consent
  assert.ok(!cookieJar()._fbp); // a denied category's cookie is deleted
  assert.equal(cookieJar()._ga, "GA1");
  await new Promise((resolve) => setTimeout(resolve, 20));
  const [url, body] = posted[0];
  assert.equal(url, "https://tm.example/tm/consent");
  assert.equal(body.action, "custom");
  assert.deepEqual(body.categories, { necessary: true, analytics: true, marketing: false });
  assert.equal(body.secret_sha256.length, 64);
  assert.equal(localStorage.getItem("tm_consent_outbox.demo"), null); // delivered
  // The next decision proves the previous one with its secret.
  consentDecide(() => 0, "withdraw", "api");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(posted[1][1].previous_consent_id, stored[1]);
  assert.equal(posted[1][1].previous_secret, stored[6]);
  assert.equal(runtime.waiting.length, 0); // withdrawn: nothing waits any more
});

test("a decision the server did not take stays in the outbox for a later try", async () => {
  fresh();
  consentRead();
  globalThis.fetch = async () => ({ status: 503 });
  consentDecide(() => 1, "accept_all", "banner");
  await new Promise((resolve) => setTimeout(resolve, 20));
  const outbox = JSON.parse(localStorage.getItem("tm_consent_outbox.demo"));
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0].b.action, "accept_all");
});

test("a first visit leaves the outbox alone; a later page sends what waits there", async () => {
  fresh();
  const storage = globalThis.localStorage;
  let reads = 0;
  Object.defineProperty(globalThis, "localStorage", {
    configurable: true,
    get: () => {
      reads++;
      return storage;
    },
  });
  try {
    globalThis.fetch = async () => ({ status: 503 });
    consentRead();
    consentResend(); // no consent cookie: nothing can wait
    assert.equal(reads, 0);
    consentDecide(() => 1, "accept_all", "banner"); // not delivered: kept
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The next page: the cookie is there, so the outbox is read and its decision sent.
    posted.length = 0;
    globalThis.fetch = async (url, init) => {
      posted.push([url, JSON.parse(init.body)]);
      return { status: 201 };
    };
    runtimeReset(configMake());
    runtime.base = "https://tm.example/tm/";
    consentRead();
    reads = 0;
    consentResend();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(reads > 0);
    assert.equal(posted.length, 1);
    assert.equal(posted[0][1].action, "accept_all");
  } finally {
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      writable: true,
      value: storage,
    });
  }
});

test("the banner: a non-modal dialog in the page's language, Reject as prominent as Accept", () => {
  document.documentElement.lang = "de-CH";
  fresh();
  consentRead();
  bannerShow(false);
  const banner = document.querySelector("[data-tm-banner]");
  assert.equal(banner.getAttribute("role"), "dialog");
  assert.equal(banner.getAttribute("aria-modal"), "false");
  assert.equal(banner.querySelector("h2").textContent, "Kekse");
  assert.equal(banner.getAttribute("lang"), "de");
  const buttons = [...banner.querySelectorAll("button")].filter((b) => !b.hidden);
  assert.deepEqual(
    buttons.map((b) => b.dataset.tmAction),
    ["accept-all", "reject-all", "open-preferences"],
  );
  assert.ok(buttons.every((b) => b.className === "tm-b"));
  buttons[2].click(); // preferences: one checkbox per category, required ones disabled
  const boxes = [...banner.querySelectorAll("input[type=checkbox]")];
  assert.deepEqual(
    boxes.map((b) => [b.dataset.tmCategory, b.disabled]),
    [
      ["necessary", true],
      ["analytics", false],
      ["marketing", false],
    ],
  );
  assert.equal(banner.querySelector("b").nextSibling.textContent, "");
  assert.equal(banner.querySelectorAll("label b")[1].textContent, "Statistik");
  bannerHide();
  assert.equal(banner.hidden, true);
  assert.ok(document.querySelector("[data-tm-settings]"));
  document.documentElement.lang = "";
});

test("shown on page load, the banner takes the focus once the page is drawn, unless moved", async () => {
  fresh();
  consentRead();
  bannerShow(false, true);
  const accept = '[data-tm-banner]:not([hidden]) [data-tm-action="accept-all"]';
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  await frame();
  await frame();
  assert.ok(document.activeElement === document.querySelector(accept));
  bannerHide();
  const field = document.body.appendChild(document.createElement("input"));
  bannerShow(false, true);
  field.focus(); // the visitor moved on before the page was drawn
  await frame();
  await frame();
  assert.ok(document.activeElement === field);
  bannerHide();
  field.remove();
});

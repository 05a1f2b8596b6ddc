// Firing: fire limits, parameters checked as published, one broken tag never stops the
// others, and each fire's event batched to /tm/collect.
import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { collectFlush } from "../src/collect.js";
import { emit, push } from "../src/events.js";
import { fire } from "../src/fire.js";
import { runtime, runtimeReset } from "../src/state.js";
import customEvent from "../src/triggers/custom_event.js";
import { typesAdd } from "../src/types.js";
import { variableValue } from "../src/variables.js";
import { beacons, configMake } from "./setup.js";

const fired = [];
typesAdd("tags", {
  probe: (params, _event, name) => fired.push([params, name]),
  broken: () => {
    throw new Error("vendor down");
  },
});
typesAdd("triggers", { custom_event: customEvent });

const tag = (id, extra = {}) => ({
  id,
  type: "probe",
  categories: ["analytics"],
  params: {},
  limit: "unlimited",
  triggers: [1],
  blocking: [],
  ...extra,
});

function fresh(extra) {
  fired.length = beacons.length = 0;
  localStorage.clear();
  sessionStorage.clear();
  runtimeReset(configMake(extra));
  runtime.base = "https://tm.example/tm/";
  runtime.granted = { necessary: true, analytics: true, marketing: false };
  runtime.decision = { id: "c-9" };
}

const sent = async () =>
  Promise.all(beacons.map(async ([url, blob]) => [url, JSON.parse(await blob.text())]));

test("a fire's event is batched to collect with its tag, trigger, consent and utm", async () => {
  fresh();
  fire(tag(5), { name: "purchase", data: { value: "9.90", currency: "EUR" } }, 1);
  collectFlush();
  const [[url, body]] = await sent();
  assert.equal(url, "https://tm.example/tm/collect");
  assert.equal(body.key, "demo");
  const [event] = body.events;
  assert.equal(event.tag, 5);
  assert.equal(event.trigger, 1);
  assert.equal(event.event, "purchase");
  assert.equal(event.consent_id, "c-9");
  assert.deepEqual(event.categories, ["necessary", "analytics"]);
  assert.deepEqual(event.utm, { utm_source: "news" });
  assert.equal(event.url, "https://shop.example/thanks");
  assert.equal(event.value, 9.9);
  assert.equal(event.currency, "EUR");
});

test("a repeated utm parameter is reported by its first value, as {{utm_…}} reads it", async () => {
  const page = location.href;
  window.happyDOM.setURL("https://shop.example/thanks?utm_campaign=a&utm_campaign=b");
  try {
    fresh();
    fire(tag(6), { name: "x", data: {} }, 1);
    collectFlush();
    const [[, body]] = await sent();
    assert.deepEqual(body.events[0].utm, { utm_campaign: "a" });
    assert.equal(variableValue("utm_campaign", { data: {} }), "a");
  } finally {
    window.happyDOM.setURL(page);
  }
});

test("twenty events go at once, in batches of at most twenty", async () => {
  fresh();
  for (let i = 0; i < 45; i++) fire(tag(i), { name: "x", data: {} }, 1);
  collectFlush();
  assert.deepEqual(
    (await sent()).map(([, body]) => body.events.length),
    [20, 20, 5],
  );
});

test("fire limits: once per page, per session, per visitor", () => {
  fresh();
  for (const limit of ["page", "session", "visitor"])
    for (let i = 0; i < 3; i++) fire(tag(limit, { limit }), { name: "x", data: {} }, 1);
  assert.equal(fired.length, 3);
  assert.equal(sessionStorage.getItem("tm.demo.session"), "1");
  assert.equal(localStorage.getItem("tm.demo.visitor"), "1");
});

test("vendor ids must match their pattern and URLs keep their published origin", () => {
  fresh({ fixed: { probe: { pixel_id: "\\d+", url: "" } } });
  runtime.variablesByName = {};
  const event = { name: "x", data: { path: "a/b", host: "evil.example/" } };
  fire(tag(1, { params: { pixel_id: "123" } }), event, 1);
  fire(tag(2, { params: { pixel_id: "{{event.host}}" } }), event, 1);
  fire(tag(3, { params: { url: "https://px.example/{{event.path}}" } }), event, 1);
  fire(tag(4, { params: { url: "https://{{event.host}}px.example/" } }), event, 1);
  assert.deepEqual(
    fired.map(([params]) => params),
    [{ pixel_id: "123" }, { url: "https://px.example/a%2Fb" }],
  );
});

test("HTML parameters are escaped, and the vendor's event name is used", () => {
  fresh({ events: { probe: { purchase: "Purchase" } } });
  fire(
    tag(1, { params: { html: "<p>{{event.q}}</p>" } }),
    { name: "purchase", data: { q: "<b>" } },
    1,
  );
  assert.deepEqual(fired[0], [{ html: "<p>&#60;b&#62;</p>" }, "Purchase"]);
});

test("a tag that throws or whose type the loader lacks stops no other", () => {
  const tags = [tag(1, { type: "broken" }), tag(2, { type: "missing" }), tag(3)];
  fresh({
    tags,
    triggers: [{ id: 1, type: "custom_event", params: { event_name: "go" }, conditions: [] }],
  });
  push({ event: "go", value: 3 });
  assert.equal(fired.length, 1);
  assert.equal(runtime.pageData.value, 3);
});

test("blocking triggers, and fires waiting for consent", () => {
  const triggers = [
    { id: 1, type: "custom_event", params: { event_name: "go" }, conditions: [] },
    { id: 2, type: "custom_event", params: { event_name: "go" }, conditions: [] },
  ];
  fresh({ tags: [tag(1, { blocking: [2] }), tag(2, { categories: ["marketing"] })], triggers });
  emit("custom_event", { name: "go" });
  assert.equal(fired.length, 0);
  assert.equal(runtime.waiting.length, 1);
  assert.equal(runtime.waiting[0][0].id, 2);
});

// The trigger types: what they listen to and what they match.
import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import click from "../src/triggers/click.js";
import customEvent from "../src/triggers/custom_event.js";
import formSubmit from "../src/triggers/form_submit.js";
import historyChange from "../src/triggers/history_change.js";
import scrollDepth from "../src/triggers/scroll_depth.js";
import timer from "../src/triggers/timer.js";
import { apiFake } from "./setup.js";

test("clicks, but none in the banner or its button", () => {
  const api = apiFake();
  click.start([], api);
  document.body.innerHTML = `<a id="buy"><span>Buy</span></a><div data-tm-banner><button id="ok">OK</button></div>`;
  document.querySelector("#buy span").click();
  document.getElementById("ok").click();
  assert.equal(api.calls.length, 1);
  const [[, type, event]] = api.calls;
  assert.equal(type, "click");
  assert.ok(click.match({ params: { selector: "#buy" } }, event));
  assert.ok(!click.match({ params: { selector: "#sell" } }, event));
});

test("form submissions match the form's selector", () => {
  document.body.innerHTML = `<form id="signup"></form>`;
  const form = document.getElementById("signup");
  assert.ok(formSubmit.match({ params: { selector: "#signup" } }, { element: form }));
  assert.ok(!formSubmit.match({ params: { selector: ".other" } }, { element: form }));
});

test("custom events match their name", () => {
  const trigger = { params: { event_name: "signup" } };
  assert.ok(customEvent.match(trigger, { name: "signup" }));
  assert.ok(!customEvent.match(trigger, { name: "Signup" }));
});

test("history changes: pushState to another URL, not to the same one", () => {
  const api = apiFake();
  historyChange.start([], api);
  history.pushState({}, "", "/step-2");
  history.replaceState({}, "", "/step-2");
  assert.deepEqual(api.calls, [["emit", "history_change"]]);
});

test("timers fire every interval, at most their limit", async () => {
  const api = apiFake();
  const trigger = { id: 1, params: { interval_ms: 5, limit: 3 } };
  timer.ready([trigger], api);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(api.calls.length, 3);
  assert.deepEqual(api.calls[0], ["emit", "timer", { trigger }]);
});

test("scroll depth: each percentage once; a page that cannot scroll is read to the end", () => {
  const api = apiFake();
  const trigger = { id: 1, params: { percentages: [25, 100] } };
  scrollDepth.ready([trigger], api);
  assert.deepEqual(
    api.calls.map((c) => c[2].data.scroll_depth),
    [25, 100],
  );
  dispatchEvent(new Event("scroll"));
  assert.equal(api.calls.length, 2);
});

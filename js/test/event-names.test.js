// The vendor's event name a tag type is given, against the table of cases the Python tests read
// too (tests/rules_cases.json, "event_names"): with the table's config.events, each case's tag
// is fired through tm.push (or the page view) and the name its type receives is the case's.
import "./setup.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { collectFlush } from "../src/collect.js";
import { emit, push } from "../src/events.js";
import { runtime, runtimeReset } from "../src/state.js";
import customEvent from "../src/triggers/custom_event.js";
import { typesAdd } from "../src/types.js";
import { configMake } from "./setup.js";

const cases = JSON.parse(readFileSync(new URL("../../tests/rules_cases.json", import.meta.url)));
const pieces = readdirSync(new URL("../src/tags/", import.meta.url)).map((n) => n.slice(0, -3));

// Each tag type is a probe that records the name it is given.
const received = [];
for (const slug of pieces)
  typesAdd("tags", { [slug]: (_params, _event, name) => received.push([slug, name]) });
typesAdd("triggers", { custom_event: customEvent });

// config.events as the loader serves it to a container whose tags fire on the cases' events
// (tests/test_event_name_cases.py checks it against tagmanager's configuration).
const events = cases.event_names.config_events;

test("every tag type of the runtime has cases", () => {
  assert.deepEqual(
    [...new Set(cases.event_names.cases.map((c) => c.tag_type))].sort(),
    pieces.sort(),
  );
});

for (const { tag_type, event, event_name, vendor_name } of cases.event_names.cases) {
  const given = event_name === undefined ? "" : ` with event_name ${JSON.stringify(event_name)}`;
  test(`${tag_type} is given ${vendor_name} for ${event}${given}`, () => {
    const trigger =
      event === "page_view"
        ? { id: 1, type: "page_view", params: {}, conditions: [] }
        : { id: 1, type: "custom_event", params: { event_name: event }, conditions: [] };
    const tag = {
      id: 1,
      type: tag_type,
      categories: ["necessary"],
      params: event_name === undefined ? {} : { event_name },
      limit: "unlimited",
      triggers: [1],
      blocking: [],
    };
    runtimeReset(configMake({ tags: [tag], triggers: [trigger], events }));
    runtime.base = "https://tm.example/tm/";
    runtime.granted = { necessary: true };
    received.length = 0;
    if (event === "page_view") emit("page_view");
    else push({ event, value: 1 });
    collectFlush();
    assert.deepEqual(received, [[tag_type, vendor_name]]);
  });
}

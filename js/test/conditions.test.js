// The condition operators against the table of cases the Python tests read too
// (tests/rules_cases.json): the browser and the server's audit judge a condition alike.
import "./setup.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { conditionHolds } from "../src/events.js";
import { runtimeReset } from "../src/state.js";
import { typesAdd } from "../src/types.js";
import { configMake } from "./setup.js";

const cases = JSON.parse(readFileSync(new URL("../../tests/rules_cases.json", import.meta.url)));
const directory = new URL("../src/conditions/", import.meta.url);
for (const name of readdirSync(directory)) {
  const operator = await import(new URL(name, directory));
  typesAdd("operators", { [name.slice(0, -3)]: operator.default });
}
runtimeReset(configMake());

test("every operator of the table has a piece, and every piece a case", () => {
  const tested = new Set(cases.conditions.map((c) => c.operator.replace(/^not_/, "")));
  const pieces = readdirSync(directory).map((n) => n.slice(0, -3));
  assert.deepEqual([...tested].sort(), pieces.sort());
});

for (const { text, operator, value, holds } of cases.conditions) {
  test(`${JSON.stringify(text)} ${operator} ${JSON.stringify(value)} is ${holds}`, () => {
    const condition = { variable: "event.text", operator, value };
    assert.equal(conditionHolds(condition, { data: { text } }), holds);
  });
}

test("an unknown operator throws, so the trigger does not match", () => {
  assert.throws(() =>
    conditionHolds({ variable: "event.x", operator: "sounds_like", value: "a" }, { data: {} }),
  );
});

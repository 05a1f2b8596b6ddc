import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { runtime, runtimeReset } from "../src/state.js";
import { typesAdd } from "../src/types.js";
import constant from "../src/variables/constant.js";
import cookie from "../src/variables/cookie.js";
import dataLayer from "../src/variables/data_layer.js";
import domElement from "../src/variables/dom_element.js";
import urlParam from "../src/variables/url_param.js";
import { substitute, variableValue } from "../src/variables.js";
import { apiFake, configMake } from "./setup.js";

const variables = [
  { name: "plan", type: "constant", params: { value: 42 } },
  { name: "query", type: "url_param", params: { name: "q" } },
  { name: "broken", type: "dom_element", params: { selector: "[[" } },
];
runtimeReset(configMake({ variables }));
runtime.decision = { id: "c-1" };
typesAdd("variables", { constant, url_param: urlParam, dom_element: domElement });
const event = { type: "custom_event", name: "purchase", data: { order: { total: 9.5 } } };

test("built-ins, event data, utm parameters and the container's own variables", () => {
  assert.equal(variableValue("page_path", event), "/thanks");
  assert.equal(variableValue("page_hostname", event), "shop.example");
  assert.equal(variableValue("event", event), "purchase");
  assert.equal(variableValue("consent_id", event), "c-1");
  assert.equal(variableValue("event.order.total", event), 9.5);
  assert.equal(variableValue("utm_source", event), "news");
  assert.equal(variableValue("plan", event), 42);
  assert.equal(variableValue("query", event), "1");
});

test("a variable that cannot be read has no value", () => {
  assert.equal(variableValue("broken", event), undefined);
  assert.equal(variableValue("nobody", event), undefined);
});

test("one reference keeps its type; in text, values are text and encoded where asked", () => {
  assert.equal(substitute("{{ plan }}", event), 42);
  assert.equal(substitute("plan {{plan}}, {{nobody}}!", event), "plan 42, !");
  assert.equal(
    substitute("{{event}}", event, (t) => `[${t}]`),
    "[purchase]",
  );
  assert.deepEqual(substitute({ a: "{{plan}}", b: ["x"] }, event), { a: 42, b: { 0: "x" } });
});

test("the variable types read what they name", () => {
  const api = apiFake();
  assert.equal(constant({ value: "x" }, api), "x");
  assert.equal(urlParam({ name: "utm_source" }, api), "news");
  assert.equal(cookie({ name: "visit" }, api), "a b");
  assert.equal(cookie({ name: "none" }, api), undefined);
  assert.equal(dataLayer({ key: "user.tier" }, api), "gold");
  document.body.innerHTML = `<h1 data-sku="A1"> Shoes </h1>`;
  assert.equal(domElement({ selector: "h1" }, api), "Shoes");
  assert.equal(domElement({ selector: "h1", attribute: "data-sku" }, api), "A1");
});

import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cookieJar,
  dig,
  escapeHtml,
  once,
  setCookie,
  storage,
  uuid,
  withValue,
} from "../src/util.js";

test("withValue adds a number and a currency, and nothing for a value that is not one", () => {
  assert.deepEqual(withValue({}, "12.50", "EUR"), { value: 12.5, currency: "EUR" });
  assert.deepEqual(withValue({}, "free", ""), {});
  assert.deepEqual(withValue({ a: 1 }, 0), { a: 1, value: 0 });
});

test("dig follows a path and stops at a missing step", () => {
  assert.equal(dig({ a: { b: { c: 3 } } }, "a.b.c"), 3);
  assert.equal(dig({ a: null }, "a.b.c"), null);
  assert.equal(dig({}, "a.b"), undefined);
});

test("escapeHtml leaves no markup", () => {
  assert.equal(escapeHtml(`<b a="1">'&`), "&#60;b a=&#34;1&#34;&#62;&#39;&#38;");
});

test("uuid is a random v4 UUID", () => {
  const id = uuid();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(id, uuid());
});

test("cookies are written with the attributes a consent cookie needs and read back", () => {
  setCookie("tm_a", "1.x", 60);
  assert.equal(cookieJar().tm_a, "1.x");
  setCookie("tm_a", "", 0);
  assert.ok(!cookieJar().tm_a);
});

test("once runs an action the first time only", () => {
  let runs = 0;
  once("k", () => runs++);
  once("k", () => runs++);
  assert.equal(runs, 1);
});

test("storage reads and writes, and counts blocked storage as empty", () => {
  storage("localStorage", "tm_k", "v");
  assert.equal(storage("localStorage", "tm_k"), "v");
  assert.equal(storage("noSuchStorage", "tm_k"), undefined);
});

test("dig stops at a falsy step and gives that value, as the data layer always did", () => {
  assert.equal(dig({ a: 0 }, "a.b"), 0);
  assert.equal(dig({ a: "" }, "a.b"), "");
});

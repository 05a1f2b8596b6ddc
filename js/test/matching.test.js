// Customer-data matching against the table of cases the Python tests read too
// (tests/matching_cases.json: the vendors' published examples and awkward inputs), then a
// fuzz loop: no input, however hostile, makes normalising or hashing throw or leak a raw value.
import "./setup.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { userDataHash, userDataNormalize } from "../src/matching.js";

const { cases } = JSON.parse(
  readFileSync(new URL("../../tests/matching_cases.json", import.meta.url)),
);
const VENDORS = ["meta", "tiktok", "google", "linkedin", "pinterest"];
const FIELDS = [
  "email",
  "phone",
  "first_name",
  "last_name",
  "city",
  "state",
  "zip",
  "country",
  "external_id",
];
const SHA256_HEX = /^[0-9a-f]{64}$/;

for (const { name, vendor, user, normalized, hashed } of cases) {
  test(`${vendor}: ${name}`, async () => {
    assert.deepEqual(userDataNormalize(user, vendor), normalized);
    assert.deepEqual(await userDataHash(user, vendor), hashed);
  });
}

test("the table has every vendor, and published examples for Meta, Google and TikTok", () => {
  assert.deepEqual(
    [...new Set(cases.map((c) => c.vendor))].filter((v) => VENDORS.includes(v)).sort(),
    [...VENDORS].sort(),
  );
  const published = new Set(cases.filter((c) => c.kind === "published").map((c) => c.vendor));
  assert.deepEqual([...published].sort(), ["google", "meta", "tiktok"]);
});

test("a country name is understood on the tables' first use too", async () => {
  const places = await import(`../src/matching-places.js?first-use=${Date.now()}`);
  assert.equal(places.countryCode("United States"), "us");
  assert.equal(places.countryCode("Bosnia and Herzegovina"), "ba");
  assert.equal(places.countryCode("Côte d’Ivoire"), "ci");
});

test("a value that throws when read is left out, the others are kept", async () => {
  const user = {
    get email() {
      throw new Error("page getter");
    },
    phone: "+1 650 555 1212",
  };
  assert.deepEqual(userDataNormalize(user, "meta"), { phone: "16505551212" });
  const trap = () => {
    throw new Error("trap");
  };
  const proxy = new Proxy(
    {},
    { get: trap, has: trap, getOwnPropertyDescriptor: trap, ownKeys: trap },
  );
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const hostile of [proxy, revoked]) {
    assert.deepEqual(userDataNormalize(hostile, "meta"), {});
    assert.deepEqual(await userDataHash(hostile, "meta"), {});
  }
});

test("a vendor that is not a string, or whose toString throws, gets nothing", async () => {
  const vendor = {
    toString() {
      throw new Error("toString");
    },
  };
  for (const hostile of [vendor, null, undefined, 1, ["meta"], Symbol("meta")]) {
    assert.deepEqual(userDataNormalize({ email: "a@b.co" }, hostile), {});
    assert.deepEqual(await userDataHash({ email: "a@b.co" }, hostile), {});
  }
});

test("huge strings are refused", () => {
  const huge = `${"a".repeat(5_000_000)}@example.com`;
  assert.deepEqual(userDataNormalize({ email: huge, first_name: huge, city: huge }, "meta"), {});
});

test("without Web Crypto (a page served over plain http) nothing is sent", async () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: {}, configurable: true });
  try {
    assert.deepEqual(await userDataHash({ email: "a@b.co", external_id: "x" }, "meta"), {});
  } finally {
    Object.defineProperty(globalThis, "crypto", descriptor);
  }
  assert.deepEqual(Object.keys(await userDataHash({ email: "a@b.co" }, "meta")), ["email"]);
});

// A small deterministic generator (mulberry32), so that a failure can be replayed by its seed.
function randomFrom(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that stress normalisers: ASCII, accents, combining marks, other scripts, spaces of
// every kind, digits of other scripts, emoji, lone surrogates, and the characters of the rules.
const ALPHABET = [
  ..."aZ09 .-+()@_'&,/#",
  "é",
  "e\u0308",
  "İ",
  "ß",
  "Σ",
  "정",
  "中",
  "ي",
  "\u00a0",
  "\u2003",
  "\t",
  "\n",
  "\ufeff",
  "٣",
  "😀",
  "\ud800",
  "\udfff",
  "\u0000",
  "\u202e",
];

// Values the normalisers accept, so that the loop goes past their first checks.
const LIKELY = [
  "+1 (650) 555-1212",
  "030 1234567",
  " John@Example.com ",
  "Zoë",
  "São Paulo",
  "California",
  "United States",
  "DE",
  "94025-1234",
  "a".repeat(64),
  "F".repeat(64),
];

function arbitraryString(random) {
  if (random() < 0.25) return LIKELY[Math.floor(random() * LIKELY.length)];
  let text = "";
  const length = Math.floor(random() ** 3 * 300);
  for (let i = 0; i < length; i += 1) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

/** Any JSON value (what a page's tm.push can carry after the dataLayer's copy), small and deep. */
function arbitraryJson(random, depth = 0) {
  const kind = Math.floor(random() * (depth > 3 ? 5 : 7));
  if (kind === 0) return null;
  if (kind === 1) return random() < 0.5;
  if (kind === 2) {
    const numbers = [0, -0, 1, -1, 94025, 16505551212, 2 ** 53, 1e308, -1e-308, 0.5];
    return numbers[Math.floor(random() * numbers.length)];
  }
  if (kind <= 4) return arbitraryString(random);
  if (kind === 5)
    return Array.from({ length: Math.floor(random() * 4) }, () => arbitraryJson(random, depth + 1));
  const object = {};
  for (let i = Math.floor(random() * 6); i > 0; i -= 1) {
    const key =
      random() < 0.7 ? FIELDS[Math.floor(random() * FIELDS.length)] : arbitraryString(random);
    object[key] = arbitraryJson(random, depth + 1);
  }
  return object;
}

/** A user object: mostly known fields with any JSON value, sometimes any JSON value at all. */
function arbitraryUser(random) {
  if (random() < 0.2) return arbitraryJson(random);
  const user = {};
  for (const field of FIELDS) if (random() < 0.5) user[field] = arbitraryJson(random, 2);
  return user;
}

test("fuzz: no JSON value as the user throws, and only digests of known fields leave", async () => {
  const random = randomFrom(14);
  let sent = 0;
  for (let round = 0; round < 3000; round += 1) {
    const user = arbitraryUser(random);
    const vendor = round % 50 === 0 ? arbitraryString(random) : VENDORS[round % VENDORS.length];
    const normalized = userDataNormalize(user, vendor);
    const hashed = await userDataHash(user, vendor);
    assert.deepEqual(Object.keys(hashed), Object.keys(normalized), `round ${round}`);
    for (const [field, digest] of Object.entries(hashed)) {
      assert.ok(FIELDS.includes(field), `round ${round}: ${field}`);
      assert.match(digest, SHA256_HEX, `round ${round}: ${field}`);
      assert.equal(typeof normalized[field], "string");
      sent += 1;
    }
  }
  assert.ok(sent > 500, `the generator reaches the normalisers (${sent} digests)`);
});

test("a JSON __proto__ key is data, not a prototype", () => {
  const user = JSON.parse('{"__proto__": {"email": "a@b.co"}, "constructor": {"email": "c@d.co"}}');
  assert.deepEqual(userDataNormalize(user, "meta"), {});
  assert.deepEqual(userDataNormalize(Object.create({ email: "a@b.co" }), "meta"), {});
});

// Customer data for the ad vendors' matching (Meta advanced matching, Google enhanced
// conversions, TikTok, LinkedIn and Pinterest), normalised per each vendor's documented rules and
// SHA-256-hashed in the browser, so that no raw customer data ever leaves the page. Each rule
// below follows the vendor's own page; tests/matching_cases.json holds the published examples
// and the awkward inputs, checked here and against Meta's SDK (tests/test_matching_cases.py).
//
// A value that cannot be normalised is left out, never sent as typed. The input's keys are kept
// (email, phone, first_name, ...): the vendor tags rename them to em, sha256_email_address ...
import { callingCode, countryCode, usStateCode } from "./matching-places.js";

// Longer than any real e-mail address, name or address part: refused before any other work.
const MAX_LENGTH = 256;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const PUNCTUATION = /[\p{P}\p{S}]/gu;
// Meta: city "no punctuation, no special characters, and no spaces"; its SDK drops digits too.
const NOT_LETTERS = /[\s\p{P}\p{S}\p{N}]/gu;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/** The value as trimmed text in Unicode NFC, so that "é" typed as "e" + accent hashes like "é";
 * numbers are taken as their digits (a zip code or an id); anything else is null. */
function text(value) {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value !== "string" || value.length > 4 * MAX_LENGTH) return null;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= MAX_LENGTH ? trimmed.normalize("NFC") : null;
}

// Meta, TikTok, LinkedIn, Pinterest: trimmed, lower case.
function normalEmail(value) {
  const address = value.toLowerCase();
  return EMAIL.test(address) ? address : null;
}

// Google also removes inner whitespace, and the dots and "+tag" of a Gmail address, which do
// not change the mailbox (Data Manager API, "Format user data").
function normalEmailGoogle(value) {
  const address = normalEmail(value.replace(/\s+/gu, ""));
  if (!address) return null;
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1);
  if (domain !== "gmail.com" && domain !== "googlemail.com") return address;
  const local = address.slice(0, at).split("+")[0].replace(/\./g, "");
  return local ? `${local}@${domain}` : null;
}

// Italy, San Marino and the Vatican keep a landline's leading 0 after the country code.
const KEEPS_TRUNK_ZERO = ["it", "sm", "va"];

/** Digits with the country code (E.164 without its "+"), as Meta and Pinterest want them:
 * no symbols, no letters, no leading zeros. A number written the national way (a trunk 0 as in
 * "030 1234567"; in North America 10 digits, the first 2-9, as in "(650) 555-1212") gets the
 * calling code of the user's country; one with a trunk 0 and no known country is left out rather
 * than guessed. Anything else is taken as carrying its country code, as every vendor asks sites
 * to give it. */
function normalPhone(value, context) {
  // "+49 (0)30 …": the (0) is the trunk prefix, dialled only from inside the country.
  let digits = value.replace(/\(0\)/g, "").replace(/\D/g, "");
  const code = callingCode(context.country);
  if (value.startsWith("+") || digits.startsWith("00")) digits = digits.replace(/^0+/, "");
  else if (code === "1" && /^[2-9]\d{9}$/.test(digits)) digits = `1${digits}`;
  else if (code && code !== "1" && digits.startsWith("0"))
    digits = code + (KEEPS_TRUNK_ZERO.includes(context.country) ? digits : digits.slice(1));
  return /^[1-9]\d{6,14}$/.test(digits) ? digits : null;
}

// TikTok and Google: E.164 with its "+".
function normalPhoneE164(value, context) {
  const digits = normalPhone(value, context);
  return digits && `+${digits}`;
}

// First and last names: lower case, no punctuation (Meta, Google); letters with accents or in any
// script stay, UTF-8 encoded (Meta's own examples: "Valéry" → "valéry", "정").
function normalName(value) {
  const name = value.toLowerCase().replace(PUNCTUATION, "").replace(/\s+/gu, " ").trim();
  return name || null;
}

// Google: "don't include prefixes such as Mrs." before a given name, nor "suffixes such as Jr."
// after a family name.
const TITLES = ["mr", "mrs", "ms", "miss", "dr", "prof"];
const SUFFIXES = ["jr", "sr", "ii", "iii", "iv"];

function normalGivenNameGoogle(value) {
  const words = (normalName(value) || "").split(" ");
  if (words.length > 1 && TITLES.includes(words[0])) words.shift();
  return words.join(" ") || null;
}

function normalFamilyNameGoogle(value) {
  const words = (normalName(value) || "").split(" ");
  if (words.length > 1 && SUFFIXES.includes(words[words.length - 1])) words.pop();
  return words.join(" ") || null;
}

// Meta and Pinterest: lower case, no spaces, no punctuation ("New York" → "newyork").
function normalCity(value) {
  const city = value.toLowerCase().replace(NOT_LETTERS, "");
  return city || null;
}

/** Meta: the 2-letter ANSI code for a U.S. state ("California" → "ca"); outside the U.S. the
 * name like a city. Without a country, an unknown name is taken as a state outside the U.S. */
function normalState(value, context) {
  const letters = value.toLowerCase().replace(NOT_LETTERS, "");
  if (!letters) return null;
  if (context.country && context.country !== "us") return letters;
  return usStateCode(letters) || (context.country ? null : letters);
}

/** Meta: lower case, no spaces, no dash; a U.S. ZIP+4 ("94025-1234") gives its first 5 digits. */
function normalZip(value, context) {
  const zip = value.toLowerCase().replace(/[\s\p{P}\p{S}]/gu, "");
  const usShape = /^\d{5}(\d{4})?$/.test(zip);
  if (context.country === "us" || (!context.country && usShape))
    return usShape ? zip.slice(0, 5) : null;
  return /^[\p{L}\p{N}]{2,}$/u.test(zip) ? zip : null;
}

// Meta's own tools (its SDK's Normalize, its Parameter Builder) trim and lower-case external ids.
function normalExternalId(value) {
  return value.toLowerCase();
}

const META = {
  email: normalEmail,
  phone: normalPhone,
  first_name: normalName,
  last_name: normalName,
  city: normalCity,
  state: normalState,
  zip: normalZip,
  // ISO 3166-1 alpha-2 in lower case, also from a name: "United States" → "us" (Meta's example).
  country: countryCode,
  external_id: normalExternalId,
};

// What each vendor matches on, hashed, and how. Google also matches on country and postal code,
// and LinkedIn on names and country, but only unhashed: those are never produced here.
const VENDOR_FIELDS = {
  meta: META,
  pinterest: META,
  tiktok: { email: normalEmail, phone: normalPhoneE164, external_id: normalExternalId },
  google: {
    email: normalEmailGoogle,
    phone: normalPhoneE164,
    first_name: normalGivenNameGoogle,
    last_name: normalFamilyNameGoogle,
  },
  linkedin: { email: normalEmail },
};

/** The customer data a vendor matches on, normalised per its rules: `{email: "a@b.com", ...}`.
 * Unknown fields and values that cannot be normalised are left out; a value that is already a
 * SHA-256 (64 hex digits, hashed by the site itself) passes as it is, in lower case. This is still
 * raw customer data: only `userDataHash`'s result may leave the page. Never throws. */
export function userDataNormalize(user, vendor) {
  const normalised = {};
  const fields = typeof vendor === "string" && ownValue(VENDOR_FIELDS, vendor);
  if (!fields || typeof user !== "object" || user === null) return normalised;
  const context = { country: null };
  try {
    const country = text(ownValue(user, "country"));
    context.country = country && countryCode(country);
  } catch {
    // A page's getter or proxy that throws: no country to read phone numbers and zip codes with.
  }
  for (const field of Object.keys(fields)) {
    try {
      const value = text(ownValue(user, field));
      if (value === null) continue;
      const lower = value.toLowerCase();
      const normal = SHA256_HEX.test(lower) ? lower : fields[field](value, context);
      if (normal) normalised[field] = normal;
    } catch {
      // Left out, like any value that cannot be normalised.
    }
  }
  return normalised;
}

/** `userDataNormalize`'s fields as lower-case hex SHA-256 digests (Web Crypto), the only form in
 * which customer data may leave the page: `await userDataHash(user, "meta")` → `{email: "62a1…"}`.
 * Never rejects; without Web Crypto (a page served over plain http) it resolves to `{}`. */
export async function userDataHash(user, vendor) {
  const hashed = {};
  for (const [field, value] of Object.entries(userDataNormalize(user, vendor))) {
    const digest = SHA256_HEX.test(value) ? value : await sha256Hex(value);
    if (digest) hashed[field] = digest;
  }
  return hashed;
}

async function sha256Hex(value) {
  try {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(
      "",
    );
  } catch {
    return null;
  }
}

// Object.hasOwn is newer than the runtime's target (ES2019).
function ownValue(object, key) {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: see above
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

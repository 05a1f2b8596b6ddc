// The visitor's consent: the decision stored in the consent cookie, new decisions, and their
// records, posted to /tm/consent until the server has them.
//
// The cookie: 1.<consent id>.<revision>.<slugs joined by ->.<unix seconds>.<source>.<secret>
// (cookies written before the secret existed have 6 fields, and no proof).
/* global TM_PREVIEW */
import { bannerHide } from "./banner.js";
import { consentModeUpdate } from "./consent-mode.js";
import { fire } from "./fire.js";
import { debug } from "./preview.js";
import { grantedSlugs, runtime, tagAllowed } from "./state.js";
import { cookieJar, setCookie, storage, unixNow, uuid } from "./util.js";

let unsent = []; // decisions not confirmed by the server, when localStorage is blocked
let sending = false; // a consent POST is on its way
let failures = 0; // failed consent POSTs in a row
let retryTimer;

/** Reads the decision in force from the cookie; whether there is one (for this revision,
 * not expired). Sets `granted` either way: required categories are always granted. */
export function consentRead() {
  const consent = runtime.consent;
  runtime.lifetime = consent.lifetimeDays * 86400;
  runtime.gpcSeen = navigator.globalPrivacyControl === true;
  runtime.gpc = consent.gpc && runtime.gpcSeen;
  const cookie = cookieJar()[consent.cookie];
  // Only a browser that decided before can have decisions waiting in the outbox.
  runtime.decidedBefore = !!cookie || runtime.gpc;
  const parts = (cookie || "").split(".");
  const stored =
    (parts.length === 6 || parts.length === 7) &&
    Number(parts[0]) === 1 &&
    !!parts[1] &&
    Number(parts[2]) === consent.revision &&
    parts[4] > 0 &&
    unixNow() - parts[4] < runtime.lifetime;
  for (const category of runtime.categories)
    runtime.granted[category.slug] = categoryAllowed(
      category,
      stored && parts[3].split("-").includes(category.slug),
    );
  if (stored) {
    runtime.decision = { id: parts[1], source: parts[5], secret: parts[6] };
    consentModeUpdate();
  } else if (runtime.gpc) {
    // Record the GPC signal once per session; no cookie, so the banner still asks about the rest.
    const [id, secret] = (storage("sessionStorage", "tm_gpc") || "").split(".");
    runtime.decision = { id, source: "gpc", secret };
    if (!id) {
      runtime.decision = { id: uuid(), source: "gpc", secret: secretNew() };
      consentRecord("gpc", "gpc", {});
      storage("sessionStorage", "tm_gpc", `${runtime.decision.id}.${runtime.decision.secret}`);
    }
  }
  runtime.decided = stored;
  return stored;
}

/** Whether `category` is granted when the visitor wants it or not: required ones always, and
 * under Global Privacy Control never one for the sale or sharing of data. */
export const categoryAllowed = (category, wanted) =>
  !!(category.required || (wanted && !(runtime.gpc && category.saleSharing)));

/** A decision's secret: its hash goes with the decision, the secret itself (kept in the
 * consent cookie) with the next one, proving both were made by this browser. */
const secretNew = () => uuid().replace(/-/g, "");

/** Hex SHA-256 of `text`, or null: Web Crypto exists on https and localhost only. */
export const sha256 = (text) =>
  Promise.resolve(text)
    .then((t) => t && crypto.subtle.digest("SHA-256", new TextEncoder().encode(t)))
    .then(
      (bytes) =>
        bytes
          ? [...new Uint8Array(bytes)].map((x) => (x | 256).toString(16).slice(1)).join("")
          : null,
      () => null,
    );

/** Consent decisions the server has not confirmed, oldest first, at most 20: kept in
 * localStorage across page loads (read again before each change, so that decisions another
 * tab added are kept). `change` maps the list to the new one. */
function outbox(change) {
  const name = `tm_consent_outbox.${runtime.config.key}`;
  let queue;
  try {
    queue = JSON.parse(localStorage[name] || "[]").filter((item) => item.b.consent_id);
  } catch {
    queue = unsent;
  }
  unsent = queue = change(queue).slice(-20);
  try {
    if (queue[0]) localStorage[name] = JSON.stringify(queue);
    else localStorage.removeItem(name);
  } catch {}
  return queue;
}

/** Posts the oldest waiting decision, the next one only after it: a decision reaches the
 * server after the one it replaced. The answer is read (CORS; still a simple request): stored
 * (2xx) or refused for good (4xx but 408 and 429) drops it; anything else (5xx, network) keeps
 * it, retried after about 1, 2, 4 ... s (at most 5 min, +-50% so that browsers spread out) and
 * on every page load. A resent decision is stored once. */
export function consentSend() {
  const item = !sending && outbox((queue) => queue)[0];
  if (!item) return;
  sending = true;
  clearTimeout(retryTimer);
  sha256(item.s)
    .then((hash) =>
      fetch(`${runtime.base}consent`, {
        method: "POST",
        body: JSON.stringify({ ...item.b, secret_sha256: hash }),
        keepalive: true,
        credentials: "omit",
      }),
    )
    .then(
      (response) => response.status,
      () => 0,
    )
    .then((status) => {
      sending = false;
      if (
        (status > 199 && status < 300) ||
        (status > 399 && status < 500 && status !== 408 && status !== 429)
      ) {
        outbox((queue) => queue.filter((o) => o.b.consent_id !== item.b.consent_id));
        failures = 0;
        consentSend();
      } else {
        const delay = Math.min(3e5, 1e3 * 2 ** failures++) * (0.5 + Math.random());
        retryTimer = setTimeout(consentSend, delay);
      }
    });
}

/** Sends the decisions earlier pages could not deliver. A first visit has none, and leaves web
 * storage alone: its first use on a page blocks the main thread for milliseconds. (A decision
 * whose cookie the browser refused waits for the next decision.) */
export function consentResend() {
  if (runtime.decidedBefore) consentSend();
}

/** Records the decision in force, which replaced `previous` ({} for none): queued, then sent. */
function consentRecord(action, source, previous) {
  const { config, consent, decision } = runtime;
  const body = {
    key: config.key,
    version: config.version, // tells the server which texts the visitor saw
    consent_id: decision.id,
    previous_consent_id: previous.id || null,
    previous_secret: previous.secret || null, // the proof that this browser made previous
    revision: consent.revision,
    locale: runtime.locale,
    categories: { ...runtime.granted },
    action,
    source,
    gpc: runtime.gpcSeen,
    url: location.origin + location.pathname,
  };
  // A preview records nothing: the panel shows it instead.
  if (TM_PREVIEW) return debug.panel.sent("consent", body);
  outbox((queue) => [...queue, { b: body, s: decision.secret }]);
  consentSend();
}

/** One decision; `wanted(category)` says whether the visitor wants it. */
export function consentDecide(wanted, action, source) {
  const previous = runtime.decision;
  const held = runtime.waiting;
  const { consent, categories, granted } = runtime;
  for (const category of categories)
    granted[category.slug] = categoryAllowed(category, wanted(category));
  const decision = (runtime.decision = { id: uuid(), source, secret: secretNew() });
  runtime.decided = true;
  setCookie(
    consent.cookie,
    [
      1,
      decision.id,
      consent.revision,
      grantedSlugs().join("-"),
      unixNow(),
      source,
      decision.secret,
    ].join("."),
    runtime.lifetime,
    consent.cookieDomain,
  );
  consentModeUpdate();
  consentRecord(action, source, previous);
  cookiesDenyDelete();
  // Fires held for consent: those now allowed run, the others wait (unless withdrawn).
  runtime.waiting = [];
  for (const item of held) {
    if (tagAllowed(item[0])) fire(...item);
    else if (action !== "withdraw") runtime.waiting.push(item);
  }
  bannerHide();
}

/** Deletes the cookies declared by the categories now denied ("_ga_*" = prefix), for every
 * domain they may have been set on: this host, cookieDomain, each parent domain. */
function cookiesDenyDelete() {
  const { consent, categories, granted } = runtime;
  const declared = (name, pattern) =>
    name === pattern || (pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1)));
  const domains = [
    "",
    consent.cookieDomain,
    ...location.hostname.split(".").map((_, i, labels) => labels.slice(i).join(".")),
  ];
  for (const name of Object.keys(cookieJar()))
    if (
      name !== consent.cookie &&
      categories.some((c) => !granted[c.slug] && c.cookies.some((p) => declared(name, p)))
    )
      for (const domain of domains) setCookie(name, "", 0, domain);
}

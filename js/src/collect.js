// Fires are logged through POST /tm/collect: batched, sent with sendBeacon so that they survive
// the page being left.
/* global TM_PREVIEW */
import { debug } from "./preview.js";
import { runtime } from "./state.js";

let waiting = [];
let flushTimer = 0;

/** Posts `body` as JSON to the loader's origin. text/plain and no custom headers: a "simple"
 * request, no CORS preflight. */
export function post(path, body) {
  // A preview records nothing: the panel shows it instead.
  if (TM_PREVIEW) return debug.panel.sent(path, body);
  body = JSON.stringify(body);
  try {
    (path === "collect" &&
      navigator.sendBeacon(runtime.base + path, new Blob([body], { type: "text/plain" }))) ||
      fetch(runtime.base + path, {
        method: "POST",
        body,
        keepalive: true,
        credentials: "omit",
        mode: "no-cors",
      }).catch(() => 0);
  } catch {}
}

/** Queues one fire's event; sent at 20 events, after a second, or when the page is hidden. */
export function collectQueue(event) {
  waiting.push(event);
  if (waiting.length >= 20) collectFlush();
  else flushTimer ||= setTimeout(collectFlush, 1e3);
}

/** Sends what waits, in batches of at most 20 events and about 60 KiB. */
export function collectFlush() {
  clearTimeout(flushTimer);
  flushTimer = 0;
  let n;
  while ((n = Math.min(20, waiting.length))) {
    while (n > 1 && JSON.stringify(waiting.slice(0, n)).length > 6e4) n >>= 1;
    const { key, version } = runtime.config;
    post("collect", { key, version, events: waiting.splice(0, n) });
  }
}

export function collectStart() {
  waiting = [];
  addEventListener("pagehide", collectFlush);
  document.addEventListener("visibilitychange", () => document.hidden && collectFlush());
}

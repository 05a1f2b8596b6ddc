// The runtime's start: the served script (tagmanager/loader/build.py) ends by calling
// tmTypes.start(window, document, "<configuration as JSON text>", "<banner CSS>").
/* global TM_PREVIEW */
import { bannerHide, bannerLocale, bannerShow } from "./banner.js";
import { collectStart } from "./collect.js";
import { consentDecide, consentRead, consentResend } from "./consent.js";
import { consentModeDefaults, consentModeStub } from "./consent-mode.js";
import { emit, push, triggersStart } from "./events.js";
import { debug, debugStart } from "./preview.js";
import { runtime, runtimeReset } from "./state.js";
import { types } from "./types.js";
import { addScript, cookieJar, encode, nonce, nonceSet, queryParam, setCookie } from "./util.js";
import { variableValue } from "./variables.js";

/**
 * Runs the container. `me` is the loader's own script element when it runs again after a
 * refused preview (document.currentScript is only set while the script first runs).
 */
export function start(win, doc, configText, css, me) {
  // A second copy of the snippet on the same page must not run everything twice.
  if (win.tm?.consent) return;
  const config = JSON.parse(configText);
  const script = me || doc.currentScript;
  runtimeReset(config);
  runtime.css = css;
  runtime.base = script.src.replace(/[^/]*$/, "");
  nonceSet(script.nonce);
  const early = win.tm;
  consentModeStub();

  if (!TM_PREVIEW) {
    // A preview link (?tm_preview=<token>, then the session cookie the preview sets) runs the
    // container's draft, from the server, in this browser only. A refused token (expired,
    // forged: the server answers an error status) clears the cookie and runs this version.
    const token = !me && (queryParam("tm_preview") || cookieJar().tm_preview);
    if (token) {
      addScript(`${runtime.base}preview/${config.key}/${encode(token)}.js`).onerror = () => {
        setCookie("tm_preview", "", 0);
        start(win, doc, configText, css, script);
      };
      return;
    }
  }
  if (TM_PREVIEW)
    debugStart({
      C: config,
      G: runtime.granted,
      val: variableValue,
      nonce: nonce(),
      base: runtime.base,
      state: () => runtime.decision,
    });

  consentModeDefaults(); // before anything else can run
  bannerLocale();
  consentRead();
  if (!TM_PREVIEW) consentResend();
  collectStart();

  // --- the public API, then the page's own events
  const consent = runtime.consent;
  win.tm = {
    push,
    consent: {
      get: () => ({
        consentId: runtime.decision.id || null,
        revision: consent.revision,
        categories: { ...runtime.granted },
        source: runtime.decision.source || "default",
      }),
      set: (wanted) =>
        consentDecide(
          (c) => (c.slug in wanted ? wanted[c.slug] : runtime.granted[c.slug]),
          "custom",
          "api",
        ),
      acceptAll: () => consentDecide(() => 1, "accept_all", "api"),
      rejectAll: () => consentDecide(() => 0, "reject_all", "api"),
      open: () => bannerShow(true),
      withdraw: () => consentDecide(() => 0, "withdraw", "api"),
    },
  };
  runtime.consentApi = win.tm.consent;
  emit("page_view");
  if (Array.isArray(early)) early.forEach(push);
  triggersStart("start");

  const ready = () => {
    if (TM_PREVIEW) debug.panel.show();
    // (A decision taken meanwhile, by a call queued before the loader, counts too.)
    if (runtime.decided) bannerHide();
    else bannerShow(false, true);
    emit("dom_ready");
    triggersStart("ready");
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", ready);
  else ready();
  if (doc.readyState === "complete") emit("window_loaded");
  else win.addEventListener("load", () => emit("window_loaded"));
}

types.start = start;

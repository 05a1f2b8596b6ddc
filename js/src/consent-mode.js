// Google Consent Mode v2: every signal denied by default before any tag can run, then updated
// from the categories granted (each category lists the signals it grants). The signals come
// from the server's list (consent.signals in the configuration), so there is one.
import { runtime } from "./state.js";

/** The page's gtag, or Google's stub (gtag.js only takes Arguments objects as commands). */
export let gtag;

/** Defines the page's dataLayer and gtag stub (if the page has none): before anything else, so
 * that page code calling gtag() works even while a preview script loads. */
export function consentModeStub() {
  window.dataLayer = window.dataLayer || [];
  gtag = window.gtag =
    window.gtag ||
    function () {
      // biome-ignore lint/complexity/noArguments: gtag.js reads Arguments objects only
      dataLayer.push(arguments);
    };
}

export function consentModeDefaults() {
  const denied = { wait_for_update: 500 };
  for (const signal of runtime.consent.signals) denied[signal] = "denied";
  gtag("consent", "default", denied);
  for (const region of runtime.consent.regionDefaults) gtag("consent", "default", region);
}

export function consentModeUpdate() {
  const update = {};
  for (const category of runtime.categories)
    for (const signal of category.signals)
      update[signal] =
        runtime.granted[category.slug] || update[signal] === "granted" ? "granted" : "denied";
  gtag("consent", "update", update);
}

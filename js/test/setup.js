// Every test file imports this first: a DOM (happy-dom) as the browser's globals, and the
// runtime's build flag as the live build has it.
import { GlobalRegistrator } from "@happy-dom/global-registrator";

GlobalRegistrator.register({ url: "https://shop.example/thanks?utm_source=news&q=1" });
globalThis.TM_PREVIEW = false;

/** A served configuration with what the runtime reads; `extra` replaces top-level parts. */
export function configMake(extra = {}) {
  return {
    key: "demo",
    version: 3,
    consent: {
      cookie: "tm_consent",
      cookieDomain: "",
      revision: 1,
      lifetimeDays: 180,
      gpc: true,
      defaultLocale: "en",
      regionDefaults: [],
      signals: ["ad_storage", "ad_user_data", "analytics_storage", "security_storage"],
      texts: {
        en: {
          title: "Cookies",
          description: "We use cookies.",
          accept_all: "Accept all",
          reject_all: "Reject all",
          preferences: "Preferences",
          save: "Save",
          settings_button: "Cookie settings",
          gpc_notice: "GPC honoured",
        },
        de: { title: "Kekse" },
      },
      categories: [
        { slug: "necessary", required: true, signals: ["security_storage"], cookies: [] },
        {
          slug: "analytics",
          signals: ["analytics_storage"],
          cookies: ["_ga", "_ga_*"],
          names: { en: "Analytics", de: "Statistik" },
        },
        {
          slug: "marketing",
          saleSharing: true,
          signals: ["ad_storage", "ad_user_data", "ad_personalization"],
          cookies: ["_fbp"],
        },
      ],
    },
    triggers: [],
    variables: [],
    tags: [],
    events: {},
    fixed: {},
    ...extra,
  };
}

/** Calls recorded by a fake of the API the runtime gives types. */
export function apiFake(extra = {}) {
  const calls = [];
  const record =
    (name) =>
    (...args) => {
      calls.push([name, ...args]);
    };
  return {
    calls,
    addImage: record("addImage"),
    addScript: record("addScript"),
    gtag: record("gtag"),
    emit: record("emit"),
    encode: encodeURIComponent,
    once: (() => {
      const done = {};
      return (key, action) => done[key] || ((done[key] = 1), action());
    })(),
    nonce: () => "n0nce",
    ownElements: "[data-tm-banner],[data-tm-settings]",
    pageRoot: () => document.body,
    queryParam: (name) => new URLSearchParams(location.search).get(name),
    cookieJar: () => ({ visit: "a%20b" }),
    dig: (o, path) => path.split(".").reduce((x, k) => x?.[k], o),
    pageData: () => ({ user: { tier: "gold" } }),
    withValue: (o, value, currency) => {
      const v = parseFloat(value);
      if (!Number.isNaN(v)) o.value = v;
      if (currency) o.currency = currency;
      return o;
    },
    ...extra,
  };
}

/** What the runtime sent with sendBeacon: [url, Blob]. */
export const beacons = [];
navigator.sendBeacon = (url, blob) => beacons.push([url, blob]) > 0;

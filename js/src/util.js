// Small helpers shared by the runtime's modules. Nothing here keeps state but `done` (things
// done once per page: vendor scripts, inits).

export const encode = encodeURIComponent;

/** Seconds since 1970. */
export const unixNow = () => (Date.now() / 1e3) | 0;

/** The page's query parameter `name`, or null. */
export const queryParam = (name) => new URLSearchParams(location.search).get(name);

/** Where the runtime adds its elements: the body once there is one. */
export const pageRoot = () => document.body || document.documentElement;

export const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** object.a.b.c for the path "a.b.c"; a step that is missing or falsy ends it (its value). */
// biome-ignore lint/complexity/useOptionalChain: ?. would turn a falsy step (0, "") into undefined
export const dig = (object, path) => path.split(".").reduce((o, key) => o && o[key], object);

/** A random (v4) UUID from getRandomValues: crypto.randomUUID is missing on plain http. */
export const uuid = () =>
  "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
  );

/** The page's cookies by name (values as stored). */
export const cookieJar = () =>
  Object.fromEntries(document.cookie.split("; ").map((pair) => pair.split(/=(.*)/)));

export const setCookie = (name, value, maxAge, domain) => {
  document.cookie = `${name}=${value};Max-Age=${maxAge};path=/;SameSite=Lax${
    location.protocol === "https:" ? ";Secure" : ""
  }${domain ? `;Domain=${domain}` : ""}`;
};

/** Web storage `area` ("localStorage", "sessionStorage"): read `key`, or write `value`.
 * Blocked storage counts as empty. */
export const storage = (area, key, value) => {
  // A preview leaves the site's own fire limits and GPC record alone.
  if (TM_PREVIEW) key = `tm_preview.${key}`;
  try {
    return value ? window[area].setItem(key, value) : window[area].getItem(key);
  } catch {}
};

/** Adds `value` (as a number) and `currency` to `object` when present. */
export const withValue = (object, value, currency) => {
  value = parseFloat(value);
  if (!Number.isNaN(value)) object.value = value;
  if (currency) object.currency = currency;
  return object;
};

let scriptNonce;
export const nonceSet = (nonce) => {
  scriptNonce = nonce;
};
export const nonce = () => scriptNonce;

/** Adds a script element (async unless `async` is false), with the loader's nonce. */
export const addScript = (src, async) => {
  const script = document.createElement("script");
  script.src = src;
  script.async = async !== false;
  script.nonce = scriptNonce;
  return pageRoot().appendChild(script);
};

export const addImage = (url) => {
  new Image().src = url;
};

const done = {};
/** Runs `action` the first time `key` comes, never again on this page. */
export const once = (key, action) => done[key] || ((done[key] = 1), action());

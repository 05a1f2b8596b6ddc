// Firing one tag for one event: its fire limit, its parameters (variables substituted, code
// checked as published), its type's code, then its event queued for /tm/collect.
/* global TM_PREVIEW */
import { api } from "./api.js";
import { collectQueue } from "./collect.js";
import { debug } from "./preview.js";
import { grantedSlugs, runtime } from "./state.js";
import { types } from "./types.js";
import { encode, escapeHtml, storage, uuid, withValue } from "./util.js";
import { substitute } from "./variables.js";

const LIMIT_STORAGE = { session: "sessionStorage", visitor: "localStorage" };

/** Whether `tag` has reached its fire limit: page (memory), session or visitor (web storage),
 * by container and tag. Marks it reached otherwise. */
function limitReached(tag) {
  if (tag.limit === "unlimited") return false;
  const key = `tm.${runtime.config.key}.${tag.id}`;
  const area = LIMIT_STORAGE[tag.limit];
  if (runtime.fired[key] || (area && storage(area, key))) return true;
  runtime.fired[key] = 1;
  if (area) storage(area, key, 1);
  return false;
}

/** The tag's parameters for this event. Code is chosen on publish (config.fixed, from
 * tagmanager.registry): a vendor id (a pattern) is used as published and must match it; a URL
 * (pattern "") must keep the origin it was published with, whatever its variables hold ("%" in
 * place of each makes one in the host fail). Throws when a parameter breaks its rule. */
function parameters(tag, event) {
  const params = {};
  const fixed = runtime.config.fixed[tag.type] || {};
  for (const name in tag.params) {
    const published = tag.params[name];
    const pattern = fixed[name];
    if (pattern) {
      if (!RegExp(`^(?:${pattern})$`).test(published)) throw `${name} refused`;
      params[name] = published;
    } else if (pattern === "") {
      params[name] = substitute(published, event, encode);
      const publishedOrigin = new URL(published.replace(/\{\{.*?\}\}/g, "%")).origin;
      if (new URL(params[name]).origin !== publishedOrigin) throw `${name} refused`;
    } else {
      params[name] = substitute(published, event, name === "html" && escapeHtml);
    }
  }
  return params;
}

/** Fires `tag` for `event`, matched by trigger `triggerId`. One broken tag (throws, bad
 * parameters, a type the loader does not carry) never stops the others. */
export function fire(tag, event, triggerId) {
  if (limitReached(tag)) {
    if (TM_PREVIEW) debug.panel.tag(event, tag, ["limit"]);
    return;
  }
  try {
    const params = parameters(tag, event);
    const vendorName =
      params.event_name || runtime.config.events[tag.type]?.[event.name] || event.name;
    types.tags[tag.type](params, event, vendorName, api);
    if (TM_PREVIEW) debug.panel.tag(event, tag, ["fired", runtime.triggersById[triggerId], params]);
    const utm = {};
    new URLSearchParams(location.search).forEach((value, key) => {
      // A repeated parameter by its first value, as {{utm_…}} reads it.
      if (key.startsWith("utm_") && !(key in utm)) utm[key] = value;
    });
    collectQueue(
      withValue(
        {
          event_id: uuid(),
          tag: tag.id,
          trigger: triggerId,
          event: event.name,
          url: location.origin + location.pathname, // the server keeps no query string either
          consent_id: runtime.decision.id || null,
          categories: grantedSlugs(),
          ts: Date.now(),
          utm,
        },
        event.data.value,
        event.data.currency,
      ),
    );
  } catch (error) {
    if (TM_PREVIEW) debug.panel.tag(event, tag, ["error", error]);
  }
}

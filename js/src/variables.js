// Variables: `{{name}}` in tag parameters and in trigger conditions. A name is one of the
// container's own variables (its type's piece reads it), `event.<path>` (the data of the event
// being handled), `utm_*` (the page's query), or a built-in. The server refuses user variables
// whose names collide with built-ins.
import { api } from "./api.js";
import { runtime } from "./state.js";
import { types } from "./types.js";
import { dig, queryParam } from "./util.js";

const BUILTINS = {
  page_url: () => location.href,
  page_path: () => location.pathname,
  page_hostname: () => location.hostname,
  referrer: () => document.referrer,
  event: (event) => event.name,
  consent_id: () => runtime.decision.id,
  random: () => (Math.random() * 2147483647) | 0,
  timestamp: () => Date.now(),
};

/** The value of variable `name` for `event`; undefined when it has none (a bad selector, a
 * malformed cookie ... give none too). */
export function variableValue(name, event) {
  const variable = runtime.variablesByName[name];
  try {
    if (variable) return types.variables[variable.type](variable.params, api);
    if (name.startsWith("event.")) return dig(event.data, name.slice(6));
    if (name.startsWith("utm_")) return queryParam(name);
    return BUILTINS[name]?.(event);
  } catch {}
}

const REFERENCE = /\{\{\s*([\w.]+)\s*\}\}/g;
const ONLY_A_REFERENCE = /^\{\{\s*([\w.]+)\s*\}\}$/;

/** `value` with its `{{name}}` references replaced, in strings and in objects' values. A value
 * that is exactly one reference keeps its type (numbers, lists); inside text, values are made
 * text, then encoded by `encode` for where they land (URL, HTML) when there is one. */
export function substitute(value, event, encode) {
  if (typeof value === "string") {
    const only = !encode && ONLY_A_REFERENCE.exec(value);
    if (only) return variableValue(only[1], event) ?? "";
    return value.replace(REFERENCE, (_, name) => {
      const found = variableValue(name, event);
      const text = found == null ? "" : `${found}`;
      return encode ? encode(text) : text;
    });
  }
  if (value && typeof value === "object") {
    const result = {};
    for (const key in value) result[key] = substitute(value[key], event, encode);
    return result;
  }
  return value;
}

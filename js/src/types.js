// The registry of tag, trigger, variable and condition types. The loader carries only the
// types its container's live version uses: the served script is one function whose parameter
// `tmTypes` is this registry, and each type is a separate piece of it that adds itself there
// (js/build.mjs builds the pieces, tagmanager/loader/build.py picks them). A type missing here
// is one the server left out: its tags never fire, its triggers and conditions never match.
//
// Contracts (docs/extending.md):
//   tags[slug](params, event, vendorEventName, api)      fires the tag
//   triggers[slug] = {start(triggers, api), ready(triggers, api), match(trigger, event)}
//                                                        each optional
//   variables[slug](params, api)                         the variable's value
//   operators[slug](text, value)                         a condition's test ("not_" handled here)

/* global tmTypes */
export const types =
  typeof tmTypes === "object" ? tmTypes : { tags: {}, triggers: {}, variables: {}, operators: {} };

/** Adds types (in unit tests; pieces of the served script write to tmTypes directly). */
export function typesAdd(kind, added) {
  Object.assign(types[kind], added);
}

// Events and triggers: each event (page view, a click, a tm.push ...) is matched against every
// tag's triggers; a tag whose trigger matches and no blocking trigger does fires now if its
// categories are granted, else waits for consent.
/* global TM_PREVIEW */
import { api } from "./api.js";
import { fire } from "./fire.js";
import { debug } from "./preview.js";
import { runtime, tagAllowed } from "./state.js";
import { types } from "./types.js";
import { variableValue } from "./variables.js";

/** Whether `condition` holds for `event`: its operator compares the variable's value, as text,
 * with the condition's value; "not_<operator>" is the opposite. */
export function conditionHolds(condition, event) {
  const operator = condition.operator;
  const negated = operator.startsWith("not_");
  const value = variableValue(condition.variable, event);
  const test = types.operators[negated ? operator.slice(4) : operator];
  return negated !== test(value == null ? "" : `${value}`, `${condition.value}`);
}

/** Whether `trigger` matches `event`: its type, its type's own test, all its conditions.
 * A missing trigger, an unknown operator, a bad selector or regex: no match. */
export function triggerMatches(trigger, event) {
  try {
    const match = types.triggers[trigger.type]?.match;
    return (
      trigger.type === event.type &&
      (!event.trigger || event.trigger === trigger) &&
      (!match || !!match(trigger, event)) &&
      trigger.conditions.every((condition) => conditionHolds(condition, event))
    );
  } catch {
    return false;
  }
}

/** Handles an event of `type`: {name (the type's by default), data, element, trigger (the
 * one trigger it is for, if any)}. */
export function emit(type, event = {}) {
  event.type = type;
  event.name ||= type;
  event.data ||= {};
  if (TM_PREVIEW) debug.panel.event(event);
  const { triggersById } = runtime;
  for (const tag of runtime.config.tags) {
    let blockedBy = 0; // the blocking trigger that matched (ids are never 0)
    const hit = tag.triggers.map((id) => triggersById[id]).find((t) => triggerMatches(t, event));
    if (hit) {
      blockedBy = tag.blocking.find((id) => triggerMatches(triggersById[id], event)) || 0;
      if (!blockedBy) {
        if (tagAllowed(tag)) fire(tag, event, hit.id);
        else if (runtime.waiting.length < 100) runtime.waiting.push([tag, event, hit.id]);
      }
    }
    if (TM_PREVIEW)
      debug.panel.tag(
        event,
        tag,
        !hit
          ? ["nomatch"]
          : blockedBy
            ? ["blocked", triggersById[blockedBy]]
            : !tagAllowed(tag) && ["consent"],
      );
  }
}

/** tm.push(object): merged into the page's data; with `event`, a custom event.
 * tm.push(["consent", method, ...arguments]): a call of tm.consent, which a page can queue
 * before the loader has arrived (tm.consent exists only once it has run). */
export function push(object) {
  if (Array.isArray(object) && object[0] === "consent") {
    runtime.consentApi[object[1]]?.(...object.slice(2));
  } else if (object && typeof object === "object") {
    Object.assign(runtime.pageData, object);
    if (object.event) emit("custom_event", { name: `${object.event}`, data: object });
  }
}

/** Calls `hook` ("start": when the runtime starts, "ready": when the DOM is) of each trigger
 * type the loader carries, with the container's triggers of that type. A live loader carries
 * only the types its container uses; a preview carries them all, so that its panel shows every
 * click, submission ... of the page. */
export function triggersStart(hook) {
  for (const [slug, type] of Object.entries(types.triggers))
    type[hook]?.(
      runtime.config.triggers.filter((t) => t.type === slug),
      api,
    );
}

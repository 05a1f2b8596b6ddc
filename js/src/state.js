// The state of one run of the runtime on a page, shared by its modules. `runtimeReset` fills it
// from the served configuration before anything else runs.

export const runtime = {};

/**
 * config: the served configuration (docs/loader.md); consent: its consent part; categories;
 * triggersById; variablesByName: the container's own variables;
 * granted: category slug -> whether the visitor's decision in force grants it;
 * decision: that decision {id, source, secret} ({} before any);
 * waiting: fires held until consent, [tag, event, trigger id];
 * pageData: the merged objects of tm.push; fired: fire limits reached on this page;
 * decidedBefore (set by consentRead): whether this browser has decided before.
 */
export function runtimeReset(config) {
  Object.assign(runtime, {
    config,
    consent: config.consent,
    categories: config.consent.categories,
    triggersById: {},
    variablesByName: {},
    granted: {},
    decision: {},
    waiting: [],
    pageData: {},
    fired: {},
  });
  for (const trigger of config.triggers) runtime.triggersById[trigger.id] = trigger;
  for (const variable of config.variables) runtime.variablesByName[variable.name] = variable;
  return runtime;
}

/** Slugs of the categories granted now. */
export const grantedSlugs = () =>
  runtime.categories.filter((c) => runtime.granted[c.slug]).map((c) => c.slug);

/** Whether every category of `tag` is granted. */
export const tagAllowed = (tag) => tag.categories.every((slug) => runtime.granted[slug]);

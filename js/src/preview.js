// The preview's instrumentation: the debug panel (tagmanager/static/tagmanager/debug.js,
// carried by the preview script only) gets each event, what became of each tag, and what the
// live loader would have posted. Only the preview build calls these (`if (PREVIEW)`), so the
// live loader carries none of it.

export const debug = { panel: null };

/** Starts the panel: tmDebug is defined by debug.js, in the preview script's own scope. */
export function debugStart(api) {
  /* global tmDebug */
  debug.panel = tmDebug(api);
}

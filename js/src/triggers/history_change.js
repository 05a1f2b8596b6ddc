// Single-page navigation: history.pushState / replaceState to another URL, and popstate.
export default {
  start(_triggers, api) {
    let last = location.href;
    const moved = () => {
      if (last !== location.href) {
        last = location.href;
        api.emit("history_change");
      }
    };
    for (const method of ["pushState", "replaceState"]) {
      const original = history[method];
      history[method] = function (...args) {
        const result = original.apply(this, args);
        moved();
        return result;
      };
    }
    addEventListener("popstate", moved);
  },
};

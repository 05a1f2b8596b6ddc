// Scrolling past each of a trigger's percentages of the page, once per page each.
export default {
  ready(triggers, api) {
    const seen = {};
    let frame = 0;
    const scrolled = () => {
      const height = document.documentElement.scrollHeight - innerHeight;
      const percent = height > 0 ? (100 * scrollY) / height : 100;
      frame = 0;
      for (const trigger of triggers)
        for (const depth of trigger.params.percentages)
          if (percent + 0.5 >= depth && !seen[[trigger.id, depth]]) {
            seen[[trigger.id, depth]] = 1;
            api.emit("scroll_depth", { trigger, data: { scroll_depth: depth } });
          }
    };
    addEventListener("scroll", () => frame || (frame = requestAnimationFrame(scrolled)), {
      passive: true,
    });
    scrolled();
  },
};

// An element its selector matches becoming visible (threshold: the percentage of it in view),
// once per element.
export default {
  ready(triggers, api) {
    for (const trigger of triggers) {
      const threshold = trigger.params.threshold / 100;
      const observer = new IntersectionObserver(
        (entries) => {
          // (a little under: the browser rounds the ratio)
          for (const entry of entries)
            if (entry.intersectionRatio >= threshold * 0.99) {
              observer.unobserve(entry.target);
              api.emit("element_visible", { trigger, element: entry.target });
            }
        },
        { threshold },
      );
      try {
        for (const element of document.querySelectorAll(trigger.params.selector))
          observer.observe(element);
      } catch {}
    }
  },
};

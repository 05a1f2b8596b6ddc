// Every interval_ms after the DOM is ready, at most `limit` times.
export default {
  ready(triggers, api) {
    for (const trigger of triggers) {
      let count = 0;
      const interval = setInterval(() => {
        api.emit("timer", { trigger });
        if (++count >= trigger.params.limit) clearInterval(interval);
      }, trigger.params.interval_ms);
    }
  },
};

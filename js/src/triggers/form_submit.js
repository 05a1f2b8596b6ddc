// Form submissions; a trigger matches a form its selector matches.
export default {
  start(_triggers, api) {
    document.addEventListener(
      "submit",
      (e) => api.emit("form_submit", { element: e.target }),
      true,
    );
  },
  match: (trigger, event) => event.element.matches(trigger.params.selector),
};

// Clicks anywhere on the page but in the banner, its button and the preview's panel (their
// clicks would replay as soon as consent is given); a trigger matches a click inside an element
// its selector matches.
export default {
  start(_triggers, api) {
    document.addEventListener(
      "click",
      (e) =>
        e.target.closest("[data-tm-banner],[data-tm-settings],[data-tm-debug]") ||
        api.emit("click", { element: e.target }),
      true,
    );
  },
  match: (trigger, event) => event.element.closest(trigger.params.selector),
};

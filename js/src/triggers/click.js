// Clicks anywhere on the page but in the runtime's own elements (api.ownElements: the banner,
// its button, and in a preview the panel), whose clicks would replay once consent is given; a trigger matches a click inside an element
// its selector matches.
export default {
  start(_triggers, api) {
    document.addEventListener(
      "click",
      (e) => e.target.closest(api.ownElements) || api.emit("click", { element: e.target }),
      true,
    );
  },
  match: (trigger, event) => event.element.closest(trigger.params.selector),
};

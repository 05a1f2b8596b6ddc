/* The tag form's summary sentence, rebuilt as triggers, categories and the fire limit change.
   Phrases come from the server (json_script "tm-summary-data"), so the wording is the same as
   the server-rendered sentence. */
(function () {
  "use strict";

  function join(items, word) {
    if (items.length < 2) return items.join("");
    return items.slice(0, -1).join(", ") + " " + word + " " + items[items.length - 1];
  }

  function fill(text, key, value) {
    return text.replace("{" + key + "}", function () {
      return value;
    });
  }

  function init() {
    var source = document.getElementById("tm-summary-data");
    var out = document.querySelector("[data-tm-summary]");
    var form = out && out.closest("form");
    if (!source || !form) return;
    var data = JSON.parse(source.textContent);
    var T = data.texts;

    function chosen(name, table) {
      var boxes = form.querySelectorAll('input[name="' + name + '"]:checked');
      return Array.prototype.map
        .call(boxes, function (box) {
          return table[box.value];
        })
        .filter(Boolean);
    }

    function render() {
      var fires = chosen("firing_triggers", data.triggers);
      var blocking = chosen("blocking_triggers", data.triggers);
      var categories = chosen("categories", data.categories);
      var text = fires.length ? fill(T.fires, "triggers", join(fires, T.or)) : T.never;
      if (blocking.length) text += fill(T.except, "blocking", join(blocking, T.or));
      text += categories.length
        ? fill(T.consent, "categories", join(categories, T.and))
        : T.no_consent;
      var limit = form.querySelector('[name="fire_limit"]');
      if (limit && data.limits[limit.value]) text += " " + data.limits[limit.value];
      var enabled = form.querySelector('input[name="enabled"]');
      if (enabled && !enabled.checked) text += " " + T.disabled;
      out.textContent = text;
    }

    // Only on edits: a read-only page has no inputs, and the server's sentence is right there.
    form.addEventListener("change", render);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

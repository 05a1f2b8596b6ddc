/* Admin forms of tags, triggers and variables: a type (or container) select shows the form
   again for the new choice; rows editors (conditions, name/value pairs) add and remove rows. */
(function () {
  "use strict";

  function setupRetype(form) {
    form.querySelectorAll("[data-tm-retype-button]").forEach(function (button) {
      var select = button.parentNode.querySelector("select");
      var flag = button.name;
      // Without the button, Enter in a text field saves the form as usual.
      button.remove();
      if (!select) return;
      select.addEventListener("change", function () {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = flag;
        input.value = "1";
        form.appendChild(input);
        form.submit();
      });
    });
  }

  function setupRows(box) {
    var name = box.getAttribute("data-tm-rows");
    var body = box.querySelector("tbody");
    var add = box.querySelector("[data-tm-add-row]");
    var pattern = /^(.*)-(\d+)-(\w+)$/;

    function rows() {
      return body.querySelectorAll("[data-tm-row]");
    }
    function nextIndex() {
      var next = 0;
      body.querySelectorAll("input, select").forEach(function (el) {
        var m = pattern.exec(el.name);
        if (m) next = Math.max(next, Number(m[2]) + 1);
      });
      return next;
    }
    function clear(row) {
      row.querySelectorAll("input, select").forEach(function (el) {
        if (el.tagName === "SELECT") el.selectedIndex = 0;
        else el.value = "";
      });
    }

    add.hidden = false;
    box.querySelectorAll("[data-tm-remove-row]").forEach(function (b) {
      b.hidden = false;
    });
    add.addEventListener("click", function () {
      var all = rows();
      var row = all[all.length - 1].cloneNode(true);
      var index = nextIndex();
      row.querySelectorAll("input, select").forEach(function (el) {
        var m = pattern.exec(el.name);
        if (m) el.name = name + "-" + index + "-" + m[3];
        el.removeAttribute("id");
      });
      clear(row);
      body.appendChild(row);
      row.querySelector("input, select").focus();
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-tm-remove-row]");
      if (!button) return;
      var row = button.closest("[data-tm-row]");
      if (rows().length > 1) row.remove();
      else clear(row);
      body.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function init() {
    document.querySelectorAll("form").forEach(setupRetype);
    document.querySelectorAll("[data-tm-rows]").forEach(setupRows);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// Review queue: keyboard shortcuts and "select all". Everything also works without it.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".reviews > .review"));
  if (!items.length) { return; }
  var current = -1;

  // Inputs where a letter is text; from a checkbox or a button the shortcuts still work.
  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"];
  function typing(el) {
    if (!el) { return false; }
    if (el.tagName === "INPUT") { return NOT_TEXT.indexOf(el.type) < 0; }
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
  }
  function currentItem() {
    var active = document.activeElement;
    var found = active && active.closest ? active.closest(".review") : null;
    if (found) { current = items.indexOf(found); }
    return current >= 0 ? items[current] : null;
  }
  function go(step) {
    currentItem();
    current = Math.max(0, Math.min(items.length - 1, current + step));
    items[current].focus();
    items[current].scrollIntoView({ block: "start" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var item;
    switch (event.key) {
      case "j": go(1); break;
      case "k": go(-1); break;
      case "x":
        item = currentItem();
        if (item) { item.querySelector("[data-key=select]").click(); }  // fires "change"
        break;
      case "a":
        item = currentItem();
        if (item) { item.querySelector("[data-key=approve]").click(); }
        break;
      case "r":
        item = currentItem();
        if (item) { item.querySelector("[data-key=reason]").focus(); }
        break;
      default: return;
    }
    event.preventDefault();
  });

  var bulk = document.querySelector("#bulk fieldset");
  if (bulk) {
    var row = document.createElement("p");
    row.className = "field--check";
    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "select-all";
    var label = document.createElement("label");
    label.htmlFor = "select-all";
    label.textContent = bulk.getAttribute("data-select-all") || "Select all on this page";
    row.appendChild(all);
    row.appendChild(label);
    bulk.insertBefore(row, bulk.children[1]);
    var boxes = function () { return Array.prototype.slice.call(document.querySelectorAll("[data-key=select]")); };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
    // Keep "select all" truthful when single boxes change (mixed: indeterminate).
    document.addEventListener("change", function (event) {
      if (!event.target.matches || !event.target.matches("[data-key=select]")) return;
      var ticked = boxes().filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    });
  }
}());

// Review queue: keyboard shortcuts and "select all". Everything also works without it.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".reviews > .review"));
  if (!items.length) { return; }
  var current = -1;

  // Single keys act only when the focus is on the queue itself: the page (nothing
  // focused) or a work of the queue, as j and k leave it. Never from inside a form, a
  // button, a link, a summary or anything editable: after Tab or a click there, a letter
  // is a letter, not a decision.
  function onQueue(el) {
    if (!el || el === document.body || el === document.documentElement) { return true; }
    return items.indexOf(el) >= 0;
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
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (event.key === "Escape") {  // out of a field or button, back to its work
      var owner = event.target.closest ? event.target.closest(".review") : null;
      if (owner && owner !== event.target) { owner.focus(); event.preventDefault(); }
      return;
    }
    if (!onQueue(event.target) || !onQueue(document.activeElement)) { return; }
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
        var approve = item ? item.querySelector("[data-key=approve]") : null;
        if (approve) { approve.click(); }  // none while a work waits for its cover decision
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

// A work's page (templates/public/work.html), enhanced; without this script everything
// still works: the image is a link to its large rendition, and the share links are plain.
// - The image opens in the <dialog> below it (modal: Esc closes it, as does the Close
//   button or a click beside the image); focus goes back to the image's link on closing.
// - Where the browser has the Web Share API, one "Share…" button opens the device's own
//   share sheet in place of the list of links. No third-party script is ever loaded.
(function () {
  "use strict";

  var link = document.querySelector("[data-zoom]");
  var dialog = link ? document.getElementById(link.getAttribute("data-zoom")) : null;
  if (link && dialog && typeof dialog.showModal === "function") {
    var holder = dialog.querySelector("[data-zoom-image]");
    var closeButton = dialog.querySelector("[data-zoom-close]");
    link.setAttribute("aria-haspopup", "dialog");

    link.addEventListener("click", function (event) {
      // A new tab or window (a modifier, the middle button) gets the plain link.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      if (!holder.querySelector("img")) {
        var shown = link.querySelector("img");
        var img = document.createElement("img");
        img.src = link.href;
        img.alt = shown ? shown.alt : "";
        if (shown && shown.lang) img.lang = shown.lang;
        holder.appendChild(img);
      }
      dialog.showModal();
      closeButton.focus();
    });
    closeButton.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog || event.target === holder) dialog.close();
    });
    dialog.addEventListener("close", function () {
      link.focus();
    });
  }

  var share = document.querySelector("[data-share]");
  if (share && typeof navigator.share === "function") {
    var button = share.querySelector("[data-share-button]");
    var links = share.querySelector("[data-share-links]");
    button.hidden = false;
    links.hidden = true;
    button.addEventListener("click", function () {
      navigator
        .share({ title: share.getAttribute("data-share-title"), url: share.getAttribute("data-share-url") })
        .catch(function () {}); // the visitor closed the sheet
    });
  }
})();

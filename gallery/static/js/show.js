// The slideshow (templates/public/show.html): one slide at a time, advancing every
// data-interval seconds and by keyboard (arrows, Page Up/Down, Home/End, space to pause,
// F for full screen). The next two slides' images are fetched ahead, so the show goes on
// when the network drops: a slide whose image never arrived is skipped. Without this
// script the page is a column of slides that a <noscript> refresh moves through.
(function () {
  "use strict";
  var show = document.querySelector(".show");
  var slides = show ? Array.prototype.slice.call(show.querySelectorAll(".slide")) : [];
  if (slides.length === 0) return;

  var interval = Math.max(3, parseInt(show.getAttribute("data-interval"), 10) || 12) * 1000;
  var controls = show.querySelector(".show__controls");
  var pauseButton = controls.querySelector('[data-action="pause"]');
  var current = 0;
  var timer = null;
  var paused = false;
  var idleTimer = null;

  function image(slide) {
    return slide.querySelector("img");
  }

  function ready(slide) {
    var img = image(slide);
    return !img || (img.complete && img.naturalWidth > 0);
  }

  function preload(index) {
    var img = image(slides[index % slides.length]);
    if (img && img.loading === "lazy") img.loading = "eager";
  }

  function go(index) {
    var n = slides.length;
    index = ((index % n) + n) % n;
    slides[current].classList.remove("is-current");
    slides[current].setAttribute("aria-hidden", "true");
    current = index;
    slides[current].classList.add("is-current");
    slides[current].removeAttribute("aria-hidden");
    preload(current + 1);
    preload(current + 2);
    schedule();
  }

  function step(direction) {
    // Skip slides whose image has not arrived (the network may be gone), unless none has.
    for (var tries = 1; tries <= slides.length; tries++) {
      var candidate = current + direction * tries;
      if (ready(slides[((candidate % slides.length) + slides.length) % slides.length])) {
        go(candidate);
        return;
      }
    }
    go(current + direction);
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = paused ? null : setTimeout(function () { step(1); }, interval);
  }

  function togglePause() {
    paused = !paused;
    pauseButton.textContent = pauseButton.getAttribute(paused ? "data-play-label" : "data-pause-label");
    pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
    schedule();
  }

  function fullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  function wake() {
    show.classList.remove("show--idle");
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (!controls.contains(document.activeElement)) show.classList.add("show--idle");
    }, 3000);
  }

  controls.addEventListener("click", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("data-action");
    if (action === "previous") step(-1);
    else if (action === "next") step(1);
    else if (action === "pause") togglePause();
    else if (action === "fullscreen") fullscreen();
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown") step(1);
    else if (key === "ArrowLeft" || key === "PageUp") step(-1);
    else if (key === "Home") go(0);
    else if (key === "End") go(slides.length - 1);
    else if (key === " " || key === "k" || key === "K") {
      if (event.target.tagName === "BUTTON") return;  // the button's own click does it
      togglePause();
    } else if (key === "f" || key === "F") fullscreen();
    else return;
    event.preventDefault();
    wake();
  });

  document.addEventListener("mousemove", wake);
  document.addEventListener("touchstart", wake, { passive: true });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer) clearTimeout(timer);
      timer = null;
    } else {
      schedule();
    }
  });

  slides.forEach(function (slide) { slide.setAttribute("aria-hidden", "true"); });
  show.classList.add("show--running");
  controls.hidden = false;
  current = 0;
  go(0);
  wake();
  // Fades start with the first move: the slides that just left the column must not fade out.
  requestAnimationFrame(function () {
    requestAnimationFrame(function () { show.classList.add("show--fading"); });
  });
})();

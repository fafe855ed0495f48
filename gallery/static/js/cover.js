/* The cover tool: draw rectangles over faces and other identifying details of an image and
   see them filled solid black. One drawing tool for three pages:

   - the submission form: on the preview of the chosen file (static/js/submit.js tells this
     script when a preview is ready or gone). When the form is sent, the device step
     (static/js/device.js) draws the image on a canvas at most 2560 pixels on its long edge,
     fills the rectangles, and that copy is sent instead of the file, under a neutral name:
     the uncovered image never leaves the device.
   - a pending work's moderation page and the artist's receipt page: on the work's image,
     with the face detector's suggestions as dashed outlines to choose (none is chosen at
     first); the rectangles are written, as JSON fractions, into the form's `regions`
     field, which the server applies. Until then they are hatched, never solid black:
     what looks covered on these pages is covered in the stored image.

   Without this script, the submission form offers a box asking the moderators to cover,
   and the other two forms take the rectangles as typed. Every text shown comes from
   data-msg-* attributes, translated in the templates. Pointer events: mouse, pen and touch. */
(() => {
  "use strict";

  const MIN_SIDE = 0.01; // a tap or a slip is not a rectangle (fraction of the image)

  const fill = (template, values = {}) =>
    String(template || "").replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole);

  const clamp = (v) => Math.min(1, Math.max(0, v));

  // Four decimals, rounded outward: the rectangle is never smaller than what was drawn.
  const outward = (left, top, right, bottom) => {
    const l = Math.floor(clamp(left) * 1e4) / 1e4;
    const t = Math.floor(clamp(top) * 1e4) / 1e4;
    const r = Math.ceil(clamp(right) * 1e4) / 1e4;
    const b = Math.ceil(clamp(bottom) * 1e4) / 1e4;
    return [l, t, Number((r - l).toFixed(4)), Number((b - t).toFixed(4))];
  };

  const sameBox = (a, b) => a.length === 4 && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);

  const validBoxes = (value) => Array.isArray(value) && value.every((b) =>
    Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === "number" && Number.isFinite(v)));

  const place = (el, [x, y, w, h]) => {
    el.style.left = `${x * 100}%`;
    el.style.top = `${y * 100}%`;
    el.style.width = `${w * 100}%`;
    el.style.height = `${h * 100}%`;
  };

  /* A drawing layer over the image inside `stage`. suggestions: boxes shown as toggles,
     `on` says which start covered; drawn: boxes drawn by hand. onChange(regions) after
     every change. Returns {regions, undo, clear, set, destroy}. */
  function drawing(stage, { suggestions = [], on = [], drawn = [], label = "", pending = false,
    onChange = () => {} }) {
    const chosenClass = pending ? " cover-rect--pending" : "";
    stage.classList.add("cover-stage");
    const layer = stage.appendChild(document.createElement("div"));
    layer.className = "cover-layer";
    let boxes = drawn.slice();
    let chosen = suggestions.map((_, i) => on[i] !== false);
    let start = null;
    let ghost = null;

    const regions = () => [...suggestions.filter((_, i) => chosen[i]), ...boxes];

    const render = () => {
      layer.replaceChildren();
      suggestions.forEach((box, i) => {
        const toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = `cover-rect cover-rect--suggested${chosen[i] ? chosenClass : " cover-rect--off"}`;
        toggle.setAttribute("aria-pressed", String(chosen[i]));
        toggle.setAttribute("aria-label", fill(label, { n: i + 1 }));
        toggle.addEventListener("click", () => {
          chosen[i] = !chosen[i];
          changed();
          layer.querySelectorAll(".cover-rect--suggested")[i]?.focus();
        });
        place(toggle, box);
        layer.appendChild(toggle);
      });
      boxes.forEach((box) => {
        const block = document.createElement("div");
        block.className = `cover-rect${chosenClass}`;
        place(block, box);
        layer.appendChild(block);
      });
    };

    const changed = () => {
      render();
      onChange(regions());
    };

    const point = (event) => {
      const r = layer.getBoundingClientRect();
      return [clamp((event.clientX - r.left) / r.width), clamp((event.clientY - r.top) / r.height)];
    };

    const boxFrom = (a, b) => outward(Math.min(a[0], b[0]), Math.min(a[1], b[1]),
      Math.max(a[0], b[0]), Math.max(a[1], b[1]));

    layer.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || event.target.closest(".cover-rect--suggested")) return;
      event.preventDefault();
      try {
        layer.setPointerCapture(event.pointerId); // keep drawing when the pointer leaves
      } catch {
        // a pointer the browser does not track (synthetic events): draw without capture
      }
      start = point(event);
      ghost = layer.appendChild(document.createElement("div"));
      ghost.className = "cover-rect cover-rect--drawing";
      place(ghost, [start[0], start[1], 0, 0]);
    });
    layer.addEventListener("pointermove", (event) => {
      if (!start) return;
      place(ghost, boxFrom(start, point(event)));
    });
    const finish = (event, keep) => {
      if (!start) return;
      const box = boxFrom(start, point(event));
      start = null;
      ghost?.remove();
      ghost = null;
      if (keep && box[2] >= MIN_SIDE && box[3] >= MIN_SIDE) {
        boxes.push(box);
        changed();
      }
    };
    layer.addEventListener("pointerup", (event) => finish(event, true));
    layer.addEventListener("pointercancel", (event) => finish(event, false));

    render();
    return {
      regions,
      undo() {
        if (boxes.length) boxes.pop();
        else {
          const last = chosen.lastIndexOf(true);
          if (last >= 0) chosen[last] = false;
        }
        changed();
      },
      clear() {
        boxes = [];
        chosen = chosen.map(() => false);
        changed();
      },
      set(newOn, newDrawn) {
        chosen = suggestions.map((_, i) => newOn[i] !== false);
        boxes = newDrawn.slice();
        render();
      },
      destroy() {
        layer.remove();
        stage.classList.remove("cover-stage");
      },
    };
  }

  // The Undo and Clear buttons and the count of a tool.
  function wire(tools, tool) {
    const count = tools.querySelector(".cover-tools__count");
    const show = (regions) => {
      const none = !regions.length && tools.dataset.msgNone;
      if (count) count.textContent = none || fill(tools.dataset.msgCount, { count: regions.length });
    };
    tools.querySelector('[data-cover-action="undo"]')?.addEventListener("click", () => tool.undo());
    tools.querySelector('[data-cover-action="clear"]')?.addEventListener("click", () => tool.clear());
    tools.hidden = false;
    show(tool.regions());
    return show;
  }

  /* ---- A pending work's image (moderation page, receipt page): the rectangles go into
     the form's `regions` field. */
  function attachToStage(stage) {
    const field = document.getElementById(stage.dataset.coverStage);
    const tools = document.querySelector(`[data-cover-tools="${stage.dataset.coverStage}"]`);
    const img = stage.querySelector("img");
    if (!field || !tools || !img) return;
    let suggestions = [];
    try {
      const parsed = JSON.parse(stage.dataset.coverSuggestions || "[]");
      if (validBoxes(parsed)) suggestions = parsed;
    } catch {
      suggestions = [];
    }
    const split = () => {
      // What the field holds: suggestions it names are on, any other box was drawn.
      let listed = [];
      try {
        const parsed = JSON.parse(field.value || "[]");
        if (validBoxes(parsed)) listed = parsed;
        else return null;
      } catch {
        return null;
      }
      const on = suggestions.map((s) => listed.some((b) => sameBox(b, s)));
      const drawn = listed.filter((b) => !suggestions.some((s) => sameBox(b, s)));
      return { on, drawn };
    };
    const start = split() || { on: suggestions.map(() => false), drawn: [] };
    stage.querySelector(".cover-outlines")?.remove(); // the layer draws them now
    let show = () => {};
    const tool = drawing(stage, {
      suggestions, on: start.on, drawn: start.drawn, label: stage.dataset.msgSuggested, pending: true,
      onChange: (regions) => {
        field.value = regions.length ? JSON.stringify(regions) : "";
        show(regions);
      },
    });
    show = wire(tools, tool);
    // Numbers typed by hand are drawn as soon as they make sense.
    field.addEventListener("change", () => {
      const typed = split();
      if (typed) {
        tool.set(typed.on, typed.drawn);
        show(tool.regions());
      }
    });
  }

  /* ---- The submission form: the preview of the chosen file. */
  const uploads = new WeakMap(); // form -> {tool, file, img, input, tools, busy, ready}
  // The rectangles last drawn on a file: when the server sends the form back to be
  // corrected, the artist chooses the file again and finds them drawn again, rather than
  // sending the picture uncovered by mistake.
  let remembered = { file: "", regions: [] };
  const fileKey = (file) => `${file.name}\u0000${file.size}\u0000${file.lastModified}`;

  // The covered copy is made by the device step, and sent by the form's script.
  const canCoverHere = () =>
    typeof HTMLCanvasElement.prototype.toBlob === "function" && Boolean(window.galleryDevice);

  const say = (tools, text) => {
    const count = tools.querySelector(".cover-tools__count");
    if (count) count.textContent = text || "";
  };

  function stopUpload(form) {
    const state = uploads.get(form);
    if (!state) return;
    state.tool?.destroy();
    uploads.delete(form);
    state.tools.hidden = true;
  }

  function unavailable(form) {
    stopUpload(form);
    const tools = form.querySelector("[data-cover-tools]");
    if (!tools) return;
    tools.querySelectorAll(".hint, .cover-tools__buttons").forEach((el) => { el.hidden = true; });
    say(tools, tools.dataset.msgUnavailable);
    tools.hidden = false;
  }

  document.addEventListener("preview-ready", (event) => {
    const form = event.target.closest("form");
    const tools = form?.querySelector("[data-cover-tools]");
    const { file, img } = event.detail || {};
    if (!tools || !file || !img) return;
    stopUpload(form);
    if (!canCoverHere()) {
      unavailable(form);
      return;
    }
    tools.querySelectorAll(".hint, .cover-tools__buttons").forEach((el) => { el.hidden = false; });
    const input = form.querySelector(`#${CSS.escape(tools.dataset.coverTools)}`);
    const state = { file, img, input, tools, tool: null, busy: false, ready: false };
    let show = () => {};
    const key = fileKey(file);
    state.tool = drawing(img.parentElement, {
      drawn: remembered.file === key ? remembered.regions : [],
      onChange: (regions) => {
        remembered = { file: key, regions };
        show(regions);
      },
    });
    show = wire(tools, state.tool);
    uploads.set(form, state);
  });
  document.addEventListener("preview-cleared", (event) => {
    const form = event.target.closest("form");
    if (form) stopUpload(form);
  });
  document.addEventListener("preview-failed", (event) => {
    const form = event.target.closest("form");
    if (form) unavailable(form);
  });

  // What the submission form's script (static/js/submit.js) needs when the form is sent:
  // the previewed image and the rectangles drawn on it, for the device step
  // (static/js/device.js), which covers them on the copy that is sent.
  window.galleryCover = {
    drawn(form) {
      const state = uploads.get(form);
      return state ? { input: state.input, file: state.file, img: state.img, regions: state.tool.regions() } : null;
    },
  };

  document.querySelectorAll("[data-cover-stage]").forEach(attachToStage);
})();

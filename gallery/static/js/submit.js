/* The submission form, enhanced for phones on slow networks:
   - a preview of the chosen image, and checks of the file and of every required field
     before a byte of the image travels (the fields' own messages come from their
     data-msg-required attributes, rendered from the server's validators);
   - the device step (static/js/device.js): every image is sent as an upright copy at most
     2560 pixels wide, without metadata, covered where the artist drew (static/js/cover.js);
     a file the browser cannot open is sent as it is, and the form says so;
   - the images go through the tus protocol to /uploads/ (tus-js-client, static/js/vendor/
     tus.min.js), in chunks, and a dropped connection resumes where it stopped; the form
     is then posted with the uploads' ids instead of the files.
   Without this script the form is a plain multipart POST and works the same; the server
   checks everything again anyway. Every text shown comes from the form's data-msg-*
   attributes, translated in templates/submit/form.html. */
(() => {
  "use strict";

  const TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp", "image/pjpeg",
    "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence",
    "image/avif", "image/avif-sequence"]);
  // Browsers name a phone's .heic file "image/heic", "image/heif", "" or
  // "application/octet-stream", depending on the system: when the type is not one of
  // ours, the file name's ending decides, and the server reads the content anyway.
  const EXTENSIONS = /\.(jpe?g|png|gif|webp|heic|heif|hif|avif)$/i;
  const acceptedType = (file) =>
    !file.type || TYPES.has(file.type.toLowerCase()) || EXTENSIONS.test(file.name || "");
  const MB = 1024 * 1024;

  // Numbers as the page's language writes them ("2.5" in English, "2,5" in French).
  const number = (value) => {
    try {
      return value.toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    } catch {
      return String(value);
    }
  };

  // A file's size is rounded up to a tenth, so a file over the limit never looks within it.
  const fileMegabytes = (bytes) => number(Math.max(0.1, Math.ceil((bytes / MB) * 10) / 10));
  const limitMegabytes = (bytes) => number(Math.round((bytes / MB) * 10) / 10);

  // "This file is {size} MB" + {size: 3} -> "This file is 3 MB"; unknown names stay as they are.
  const fill = (template, values = {}) =>
    String(template || "").replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole);

  const canSendInPage = () =>
    typeof FormData === "function" && typeof XMLHttpRequest === "function" &&
    typeof DOMParser === "function";

  function enhance(form) {
    if (form.dataset.enhanced === "true") return;
    form.dataset.enhanced = "true";

    const msg = form.dataset;
    const maxBytes = Number.parseInt(msg.maxBytes, 10) || 0;
    const maxPixels = Number.parseInt(msg.maxPixels, 10) || 0;
    const input = form.querySelector('input[type="file"]');
    const check = form.querySelector("#image-check");
    const preview = form.querySelector(".preview");
    // The <img> is made here, not in the page: an <img> without a src is not valid HTML.
    const previewImg = preview ? preview.appendChild(document.createElement("img")) : null;
    if (previewImg) {
      previewImg.className = "preview__img";
      previewImg.alt = "";
    }
    const button = form.querySelector('button[type="submit"]');
    const progress = form.querySelector(".upload-progress");
    const status = form.querySelector(".upload-status");
    let objectUrl = null;
    let problem = null; // the message of a file that must not be sent, or null
    let sending = false;

    // tone: "ok", "bad", or "note" (neither good nor bad news: never in the success colour).
    const say = (text, tone = "ok") => {
      if (!check) return;
      check.textContent = text || "";
      for (const name of ["ok", "bad", "note"]) {
        check.classList.toggle(`file-check--${name}`, Boolean(text) && tone === name);
      }
    };

    const refuse = (text) => {
      problem = text;
      say(text, "bad");
      input?.setAttribute("aria-invalid", "true");
    };

    // The cover tool (static/js/cover.js) follows the preview through these events.
    const tell = (name, detail) => form.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));

    const clearPreview = () => {
      tell("preview-cleared");
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = null;
      if (previewImg) {
        previewImg.onload = previewImg.onerror = null;
        previewImg.removeAttribute("src");
      }
      if (preview) preview.hidden = true;
    };

    const checkFile = () => {
      clearPreview();
      problem = null;
      say("");
      input.removeAttribute("aria-invalid");
      const file = input.files?.[0];
      if (!file) return;
      // An empty type means the browser does not know this kind of file: the server decides.
      if (!acceptedType(file)) {
        refuse(msg.msgWrongType);
        return;
      }
      if (maxBytes && file.size > maxBytes) {
        refuse(fill(msg.msgTooLarge, { size: fileMegabytes(file.size), max: limitMegabytes(maxBytes) }));
        return;
      }
      if (!previewImg || !window.URL?.createObjectURL) return;
      const url = URL.createObjectURL(file);
      objectUrl = url;
      previewImg.onload = () => {
        if (objectUrl !== url) return; // another file was chosen meanwhile
        const width = previewImg.naturalWidth;
        const height = previewImg.naturalHeight;
        if (maxPixels && width * height > maxPixels) {
          clearPreview();
          refuse(fill(msg.msgTooManyPixels, {
            width, height, megapixels: number(Math.round(maxPixels / 100000) / 10),
          }));
          return;
        }
        say(fill(msg.msgImageOk, { width, height, size: fileMegabytes(file.size) }));
        tell("preview-ready", { file, img: previewImg });
      };
      previewImg.onerror = () => {
        if (objectUrl !== url) return;
        clearPreview();
        // Not a refusal: the server may still read what we cannot. But the file will travel
        // as it is, with whatever it carries: a note, never good news.
        say(msg.msgNoPreview, "note");
        tell("preview-failed");
      };
      previewImg.src = url;
      preview.hidden = false;
    };

    const setBusy = (busy) => {
      sending = busy;
      if (button) button.disabled = busy;
      form.setAttribute("aria-busy", String(busy));
    };

    const showStatus = (text) => {
      if (status) status.textContent = text || "";
    };

    // paused: an upload stopped by the network, which goes on once the connection is back.
    const fail = (text, paused = false) => {
      setBusy(false);
      form.dataset.paused = String(paused);
      if (progress) {
        progress.hidden = true;
        progress.value = 0;
      }
      showStatus(text);
    };

    // The server answered with the form again, showing what to correct: put its <main> in
    // place of ours, enhance the new form and take the artist to the notice.
    const showAnswer = (html) => {
      const answer = new DOMParser().parseFromString(html, "text/html");
      const fresh = answer.querySelector("main");
      const current = document.querySelector("main");
      if (!fresh || !current || !fresh.querySelector("form[data-max-bytes]")) return false;
      clearPreview();
      const adopted = document.importNode(fresh, true);
      current.replaceWith(adopted);
      if (answer.title) document.title = answer.title;
      init(adopted);
      const notice = adopted.querySelector("#form-problem") || adopted;
      if (!notice.hasAttribute("tabindex")) notice.setAttribute("tabindex", "-1");
      notice.focus();
      return true;
    };

    const showLanding = (html, url) => {
      const page = new DOMParser().parseFromString(html, "text/html");
      const fresh = page.querySelector("main");
      const current = document.querySelector("main");
      if (!fresh || !current) return false;
      clearPreview();
      window.history.replaceState(null, "", url);
      current.replaceWith(document.importNode(fresh, true));
      if (page.title) document.title = page.title;
      document.querySelectorAll('.site-nav [aria-current="page"]').forEach((a) => a.removeAttribute("aria-current"));
      window.scrollTo(0, 0);
      document.querySelector("main")?.focus();
      return true;
    };

    // "in 40 minutes", in the page's language, from the answer's Retry-After (seconds).
    const whenToRetry = (header) => {
      const seconds = Math.max(60, Number.parseInt(header || "", 10) || 3600);
      const words = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "always" });
      return seconds < 3600 ? words.format(Math.ceil(seconds / 60), "minute") : words.format(Math.round(seconds / 3600), "hour");
    };

    /* ---- Checks before anything travels, in the page's language. */
    const fieldBox = (el) => (el.type === "radio" ? el.closest("fieldset") : el.closest(".field")) || el.parentElement;
    const keptUpload = (input) => {
      const kept = input.dataset.uploadField && form.elements.namedItem(input.dataset.uploadField);
      return Boolean(kept && kept.value);
    };
    const problemOf = (el) => {
      // An extra image's alt text is needed once its image is chosen (or kept).
      const partner = el.dataset.requiredWith && document.getElementById(el.dataset.requiredWith);
      const required = el.required || Boolean(partner && (partner.files?.length || keptUpload(partner)));
      const missing = el.dataset.msgRequired || msg.msgRequired;
      if (el.type === "file") return required && !el.files?.length && !keptUpload(el) ? missing : null;
      if (el.type === "radio") {
        const group = form.querySelectorAll(`input[type="radio"][name="${CSS.escape(el.name)}"]`);
        return required && ![...group].some((r) => r.checked) ? missing : null;
      }
      if (el.type === "checkbox") return required && !el.checked ? missing : null;
      const value = el.value.trim();
      if (!value) return required ? missing : null;
      const length = [...value].length; // characters, as the server counts them
      const min = Number.parseInt(el.getAttribute("minlength") || "", 10);
      const max = Number.parseInt(el.getAttribute("maxlength") || "", 10);
      if (min && length < min) return fill(msg.msgTooShort, { min: number(min), count: number(length) });
      if (max && length > max) return fill(msg.msgTooLong, { max: number(max), count: number(length) });
      return null;
    };
    const clearProblems = () => {
      form.querySelectorAll("[data-client-error]").forEach((p) => {
        const el = form.querySelector(`[aria-describedby~="${CSS.escape(p.id)}"]`);
        el?.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ").filter((id) => id !== p.id).join(" "));
        p.remove();
      });
      form.querySelectorAll(".field--client-invalid").forEach((box) => box.classList.remove("field--client-invalid", "field--invalid"));
      form.querySelectorAll('[data-client-invalid]').forEach((el) => {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("data-client-invalid");
      });
      document.getElementById("form-check")?.remove();
    };
    const showProblem = (el, text) => {
      const box = fieldBox(el);
      const group = el.type === "radio" ? form.querySelectorAll(`input[name="${CSS.escape(el.name)}"]`) : [el];
      const note = document.createElement("p");
      note.className = "field-error";
      note.id = `${el.type === "radio" ? el.name : el.id}-check-error`;
      note.dataset.clientError = "true";
      note.textContent = text;
      const heading = box.querySelector(el.type === "radio" ? "legend" : "label");
      if (heading) heading.after(note);
      else box.prepend(note);
      box.classList.add("field--invalid", "field--client-invalid");
      for (const one of group) {
        one.setAttribute("aria-invalid", "true");
        one.dataset.clientInvalid = "true";
        one.setAttribute("aria-describedby", `${one.getAttribute("aria-describedby") || ""} ${note.id}`.trim());
      }
    };
    // A field's name as its label or legend says it, without "(required)" or a final stop.
    const fieldName = (el) => {
      const label = el.type === "radio" ? fieldBox(el).querySelector("legend")
        : form.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (!label) return "";
      const copy = label.cloneNode(true);
      copy.querySelectorAll(".required").forEach((part) => part.remove());
      return copy.textContent.replace(/\s+/g, " ").trim().replace(/[.:\s\u00a0]+$/u, "");
    };
    // Every problem at once, listed above the form (each a link to its field), the first
    // field's own message beside it; returns whether the form may be sent.
    const checkFields = () => {
      clearProblems();
      const seen = new Set();
      const problems = [];
      for (const el of form.elements) {
        if (!el.name || el.disabled || el.type === "hidden" || el.closest(".hp") || seen.has(el.name)) continue;
        if (el.type === "radio") seen.add(el.name);
        const text = problemOf(el);
        if (text) problems.push([el, text]);
      }
      if (!problems.length) return true;
      const summary = document.createElement("div");
      summary.className = "notice notice--error";
      summary.id = "form-check";
      summary.setAttribute("role", "alert");
      summary.tabIndex = -1;
      const lead = summary.appendChild(document.createElement("p"));
      lead.appendChild(document.createElement("strong")).textContent = msg.msgCheckFirst;
      const list = summary.appendChild(document.createElement("ul"));
      for (const [el, text] of problems) {
        showProblem(el, text);
        const link = list.appendChild(document.createElement("li")).appendChild(document.createElement("a"));
        link.href = `#${el.id}`;
        // A field's own message names it ("Please give your work a title."); a general one
        // ("Please fill in this field.") is said with the field's name.
        link.textContent = el.dataset.msgRequired && text === el.dataset.msgRequired
          ? text
          : fill(msg.msgAbout, { field: fieldName(el), problem: text });
        link.addEventListener("click", (event) => {
          event.preventDefault();
          el.focus();
        });
      }
      form.before(summary);
      summary.focus();
      return false;
    };

    /* ---- Sending: the device step, then tus, then the form with the uploads' ids. */
    const csrf = () => form.elements.namedItem("csrf_token")?.value || "";
    const tusReady = () => Boolean(form.dataset.uploads && window.tus?.isSupported);
    // input -> {source, regions, file, upload, id}: what was made and sent of the chosen file,
    // so that sending again (after a drop, or after the server asked for a correction)
    // neither encodes nor sends it twice.
    const made = new WeakMap();
    const sameRegions = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const fileInputs = () => [...form.querySelectorAll('input[type="file"][data-upload-field]')]
      .filter((el) => el.files?.length);

    // The copy that travels: made on the device, or the original where the browser cannot
    // read it (never when rectangles were drawn: the uncovered image must not leave).
    const prepare = async (el) => {
      const source = el.files[0];
      const drawn = el === input ? window.galleryCover?.drawn(form) : null;
      const regions = drawn && drawn.file === source ? drawn.regions : [];
      const known = made.get(el);
      if (known && known.source === source && sameRegions(known.regions, regions)) return known;
      const copy = window.galleryDevice
        ? await window.galleryDevice.copy(drawn?.img && drawn.file === source ? drawn.img : source, regions, source.type)
        : null;
      if (!copy && regions.length) throw new Error("cover");
      const entry = { source, regions, file: copy || source, asIs: !copy, upload: null, id: "" };
      made.set(el, entry);
      return entry;
    };

    const uploadId = (url) => decodeURIComponent(new URL(url, window.location.href).pathname.split("/").filter(Boolean).pop() || "");

    let current = null; // the tus upload under way, resumed when the connection returns
    const tusSend = (entry, onBytes) => new Promise((resolve, reject) => {
      if (entry.id) {
        resolve(entry.id);
        return;
      }
      const options = {
        endpoint: form.dataset.uploads,
        chunkSize: 512 * 1024,
        // A phone on a train: keep trying for about two minutes, then wait for the artist
        // (or for the connection to come back: see "online" below).
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
        // Only the type: never the file name (tus-js-client sends none unless told).
        metadata: { filetype: entry.file.type || "application/octet-stream" },
        headers: { "X-CSRFToken": csrf() },
        // Nothing of the upload is kept in the browser's storage, where a searched phone
        // would show it: resuming happens in this page.
        storeFingerprintForResuming: false,
        removeFingerprintOnSuccess: true,
        onProgress: (sent) => {
          entry.sent = sent;
          onBytes(sent);
        },
        onShouldRetry: (error) => {
          const status = error?.originalResponse?.getStatus?.() || 0;
          return !status || status === 409 || status === 423 || status === 429 || status >= 500;
        },
        onSuccess: () => {
          entry.id = uploadId(entry.upload.url);
          current = null;
          resolve(entry.id);
        },
        onError: (error) => {
          current = null;
          reject(error);
        },
      };
      if (!entry.upload) entry.upload = new window.tus.Upload(entry.file, options);
      else Object.assign(entry.upload.options, options); // resume: HEAD, then PATCH from there
      current = entry.upload;
      entry.upload.start();
    });

    const send = async () => {
      setBusy(true);
      const inputs = fileInputs();
      const entries = [];
      try {
        if (inputs.length) showStatus(msg.msgPreparing);
        for (const el of inputs) entries.push([el, await prepare(el)]);
      } catch {
        fail(form.querySelector("[data-cover-tools]")?.dataset.msgFailed || fill(msg.msgFailed, { status: 0 }));
        return;
      }
      if (entries.some(([el, entry]) => el === input && entry.asIs)) say(msg.msgNoPreview, "note");
      const total = entries.reduce((sum, [, entry]) => sum + entry.file.size, 0) || 1;
      const body = new FormData(form); // carries the CSRF token of the hidden field
      form.querySelectorAll('input[type="file"]').forEach((el) => { if (!el.files?.length) body.delete(el.name); });
      if (tusReady() && entries.length) {
        let done = 0;
        const showBytes = (sent) => {
          const percent = Math.min(100, Math.floor(((done + sent) / total) * 100));
          if (progress) {
            progress.hidden = false;
            progress.value = percent;
          }
          showStatus(fill(msg.msgUploading, { percent }));
        };
        showBytes(0);
        for (const [el, entry] of entries) {
          try {
            const id = await tusSend(entry, showBytes);
            form.elements.namedItem(el.dataset.uploadField).value = id;
            body.set(el.dataset.uploadField, id);
            body.delete(el.name);
          } catch (error) {
            const status = error?.originalResponse?.getStatus?.() || 0;
            if (status === 404 || status === 410) entry.upload = null; // expired: start again next time
            const sent = entry.upload ? entry.sent || 0 : 0;
            if (status === 413) fail(msg.msgServerTooLarge);
            else if (status === 429) {
              fail(fill(msg.msgRateLimited, { when: whenToRetry(error.originalResponse.getHeader("Retry-After")) }));
            } else if (status && status < 500 && status !== 409) fail(fill(msg.msgFailed, { status }));
            else fail(fill(msg.msgPaused, { percent: Math.floor(((done + sent) / total) * 100) }), true);
            return;
          }
          done += entry.file.size;
        }
      } else {
        for (const [el, entry] of entries) body.set(el.name, entry.file, entry.file.name);
      }
      post(body, !(tusReady() && entries.length));
    };

    // A browser that cannot send in the page posts the form as a document, with the
    // device's copies in place of the files (where it can put them there: otherwise a
    // covered copy is refused rather than the uncovered file sent).
    const setFile = (el, file) => {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      el.files = transfer.files;
    };
    const postPlainly = async () => {
      setBusy(true);
      try {
        for (const el of fileInputs()) {
          const entry = await prepare(el);
          if (entry.asIs) continue;
          try {
            setFile(el, entry.file);
          } catch (error) {
            if (entry.regions.length) throw error;
          }
        }
      } catch {
        fail(form.querySelector("[data-cover-tools]")?.dataset.msgFailed || fill(msg.msgFailed, { status: 0 }));
        return;
      }
      showStatus(fill(msg.msgUploading, { percent: 0 }));
      form.submit(); // no submit event: this handler is not asked again
    };

    // The form itself, by XMLHttpRequest: with the files (showing their progress) when the
    // uploads could not go through tus, else with the uploads' ids only.
    const post = (body, withFiles) => {
      const xhr = new XMLHttpRequest();
      const action = form.action;
      setBusy(true);
      if (withFiles) {
        showStatus(fill(msg.msgUploading, { percent: 0 }));
        if (progress) {
          progress.value = 0;
          progress.hidden = false;
        }
      } else {
        progress?.removeAttribute("value");
        showStatus(msg.msgProcessing);
      }
      xhr.open("POST", action);
      xhr.setRequestHeader("Accept", "text/html");
      xhr.upload.addEventListener("progress", (event) => {
        if (!withFiles || !event.lengthComputable || !event.total) return;
        const percent = Math.min(100, Math.floor((event.loaded / event.total) * 100));
        if (progress) progress.value = percent;
        showStatus(fill(msg.msgUploading, { percent }));
      });
      xhr.upload.addEventListener("load", () => {
        // All sent: the server now checks and cleans the image, which takes a moment.
        progress?.removeAttribute("value"); // an indeterminate bar
        showStatus(msg.msgProcessing);
      });
      xhr.addEventListener("load", () => {
        const landed = xhr.responseURL && xhr.responseURL !== action;
        if (xhr.status >= 200 && xhr.status < 300 && landed) {
          // The POST answered 303 and the request followed it to the private status page.
          // Show that answer as it came (it carries the one-time "thank you" message,
          // which a second request would not), at its own address.
          if (!showLanding(xhr.responseText, xhr.responseURL)) window.location.assign(xhr.responseURL);
          return;
        }
        if ((xhr.status === 200 || (xhr.status >= 400 && xhr.status < 500)) &&
            showAnswer(xhr.responseText)) {
          return;
        }
        if (xhr.status === 413) fail(msg.msgServerTooLarge);
        else if (xhr.status === 429) fail(fill(msg.msgRateLimited, { when: whenToRetry(xhr.getResponseHeader("Retry-After")) }));
        else fail(fill(msg.msgFailed, { status: xhr.status }));
      });
      xhr.addEventListener("error", () => fail(msg.msgNetwork, !withFiles));
      xhr.addEventListener("abort", () => fail(msg.msgNetwork, !withFiles));
      xhr.send(body);
    };

    // Back online, or back from sleep, with an upload left waiting: it goes on by itself.
    const wake = () => {
      if (!sending && current === null && form.dataset.paused === "true" && navigator.onLine !== false) {
        form.dataset.paused = "false";
        send();
      }
    };
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") wake(); });

    input?.addEventListener("change", checkFile);
    // The work's other images: their type and size are checked as they are chosen.
    const refusals = new Map(); // input -> message
    form.querySelectorAll('input[type="file"][data-upload-field]').forEach((other) => {
      if (other === input) return;
      other.addEventListener("change", () => {
        const note = document.getElementById(`${other.id}-check`);
        const file = other.files?.[0];
        let text = "";
        if (file && !acceptedType(file)) text = msg.msgWrongType;
        else if (file && maxBytes && file.size > maxBytes) {
          text = fill(msg.msgTooLarge, { size: fileMegabytes(file.size), max: limitMegabytes(maxBytes) });
        }
        if (text) refusals.set(other, text);
        else refusals.delete(other);
        if (note) {
          note.textContent = text;
          note.classList.toggle("file-check--bad", Boolean(text));
        }
        if (text) other.setAttribute("aria-invalid", "true");
        else other.removeAttribute("aria-invalid");
      });
    });
    form.addEventListener("input", (event) => {
      // A field being corrected loses its message (the next send checks them all again).
      const box = event.target.closest?.(".field--client-invalid");
      box?.querySelectorAll("[data-client-error]").forEach((p) => p.remove());
      box?.classList.remove("field--client-invalid", "field--invalid");
    });
    form.addEventListener("submit", (event) => {
      if (sending) {
        event.preventDefault();
        return;
      }
      if (problem) {
        event.preventDefault();
        say(problem, "bad");
        input?.focus();
        return;
      }
      if (refusals.size) {
        event.preventDefault();
        refusals.keys().next().value.focus();
        return;
      }
      event.preventDefault();
      if (!checkFields()) return;
      form.dataset.paused = "false";
      if (canSendInPage()) send();
      else postPlainly();
    });
    // A file the browser kept (back button, restored form) is checked as well.
    if (input?.files?.length) checkFile();
  }

  function init(root) {
    root.querySelectorAll("form[data-max-bytes]").forEach(enhance);
  }

  init(document);
})();

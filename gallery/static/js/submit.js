/* The submission form, enhanced: a preview of the chosen image, checks that spare the artist
   a slow upload bound to fail, and a progress bar while the work is sent.
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

    const say = (text, bad = false) => {
      if (!check) return;
      check.textContent = text || "";
      check.classList.toggle("file-check--bad", Boolean(text) && bad);
      check.classList.toggle("file-check--ok", Boolean(text) && !bad);
    };

    const refuse = (text) => {
      problem = text;
      say(text, true);
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
        say(msg.msgNoPreview); // not a refusal: the server may still read what we cannot
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

    const fail = (text) => {
      setBusy(false);
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
    const whenToRetry = (xhr) => {
      const seconds = Math.max(60, Number.parseInt(xhr.getResponseHeader("Retry-After") || "", 10) || 3600);
      const words = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "always" });
      return seconds < 3600 ? words.format(Math.ceil(seconds / 60), "minute") : words.format(Math.round(seconds / 3600), "hour");
    };

    const send = () => {
      const xhr = new XMLHttpRequest();
      const body = new FormData(form); // carries the CSRF token of the hidden field
      const action = form.action;
      setBusy(true);
      showStatus(fill(msg.msgUploading, { percent: 0 }));
      if (progress) {
        progress.value = 0;
        progress.hidden = false;
      }
      xhr.open("POST", action);
      xhr.setRequestHeader("Accept", "text/html");
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable || !event.total) return;
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
        else if (xhr.status === 429) fail(fill(msg.msgRateLimited, { when: whenToRetry(xhr) }));
        else fail(fill(msg.msgFailed, { status: xhr.status }));
      });
      xhr.addEventListener("error", () => fail(msg.msgNetwork));
      xhr.addEventListener("abort", () => fail(msg.msgNetwork));
      xhr.send(body);
    };

    input?.addEventListener("change", checkFile);
    form.addEventListener("submit", (event) => {
      if (sending) {
        event.preventDefault();
        return;
      }
      if (problem) {
        event.preventDefault();
        say(problem, true);
        input?.focus();
        return;
      }
      if (!canSendInPage()) return; // the plain form post works as well
      event.preventDefault();
      send();
    });
    // A file the browser kept (back button, restored form) is checked as well.
    if (input?.files?.length) checkFile();
  }

  function init(root) {
    root.querySelectorAll("form[data-max-bytes]").forEach(enhance);
  }

  init(document);
})();

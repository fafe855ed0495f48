/* The device step: before an image leaves the phone or computer, the browser decodes it,
   turns it upright, draws it on a canvas at most 2560 pixels on its long side (the largest
   size the gallery keeps), fills the rectangles the artist drew in solid black, and encodes
   that canvas again: a JPEG, or a PNG where the picture has transparent pixels. A canvas's
   output carries no metadata, so the GPS position, the camera's serial number and the file
   name never travel.

   This is a courtesy to the artist, never a trust boundary: the server cleans whatever it
   receives exactly as before. Where the browser cannot decode the file (HEIC on most
   Android browsers, an image too large for its memory), copy() gives null, and the form
   sends the original, saying so (static/js/submit.js).

   window.galleryDevice.copy(source, regions) -> Promise<File | null>: `source` is a File,
   or an <img> already showing it (the form's preview); `regions` are [x, y, width, height]
   fractions of the upright image. */
(() => {
  "use strict";

  const LONG_EDGE = 2560;
  // Types whose pictures may have transparent pixels: those are looked at, pixel by pixel.
  const MAY_HAVE_ALPHA = /^image\/(png|gif|webp|avif|heic|heif)$/i;
  const QUALITY = 0.92;

  const fitted = (width, height) => {
    const scale = Math.min(1, LONG_EDGE / Math.max(width, height));
    return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  };

  // An OffscreenCanvas encodes at once (convertToBlob); a page canvas's toBlob may wait for
  // the browser to be idle.
  const canvasOf = (width, height) => {
    let canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(width, height) : null;
    let context = canvas?.getContext("2d", { willReadFrequently: false });
    if (!context) { // no OffscreenCanvas, or one without a 2D context (older Safari)
      canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      context = canvas.getContext("2d");
    }
    if (!context) throw new Error("no canvas");
    return [canvas, context];
  };

  // The picture, upright (browsers apply the EXIF orientation when they decode for
  // display, and createImageBitmap does by default), as something drawImage takes.
  const decode = async (source) => {
    if (!(source instanceof Blob)) return { image: source, width: source.naturalWidth, height: source.naturalHeight, done: () => {} };
    if (typeof createImageBitmap === "function") {
      try {
        const bitmap = await createImageBitmap(source, { imageOrientation: "from-image" });
        return { image: bitmap, width: bitmap.width, height: bitmap.height, done: () => bitmap.close() };
      } catch {
        // Some browsers refuse the options object, or the type: the <img> path may still work.
      }
    }
    const url = URL.createObjectURL(source);
    try {
      const img = new Image();
      img.decoding = "async";
      img.src = url;
      await img.decode();
      return { image: img, width: img.naturalWidth, height: img.naturalHeight, done: () => {} };
    } finally {
      URL.revokeObjectURL(url);
    }
  };

  const hasTransparency = (context, width, height) => {
    const data = context.getImageData(0, 0, width, height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] < 255) return true;
    return false;
  };

  async function copy(source, regions = [], type = "") {
    let decoded;
    try {
      decoded = await decode(source);
    } catch {
      return null; // the browser cannot read this file: the caller sends it as it is
    }
    try {
      if (!decoded.width || !decoded.height) return null;
      const [width, height] = fitted(decoded.width, decoded.height);
      const [canvas, context] = canvasOf(width, height);
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(decoded.image, 0, 0, width, height);
      context.fillStyle = "#000";
      for (const [x, y, w, h] of regions) {
        // Whole pixels, rounded outward: no half-covered pixel at the edges.
        const left = Math.floor(x * width);
        const top = Math.floor(y * height);
        context.fillRect(left, top, Math.ceil((x + w) * width) - left, Math.ceil((y + h) * height) - top);
      }
      const kind = type || (source instanceof Blob ? source.type : "");
      const png = (!kind || MAY_HAVE_ALPHA.test(kind)) && hasTransparency(context, width, height);
      const outType = png ? "image/png" : "image/jpeg";
      const blob = typeof canvas.convertToBlob === "function"
        ? await canvas.convertToBlob({ type: outType, quality: QUALITY })
        : await new Promise((resolve) => canvas.toBlob(resolve, outType, QUALITY));
      canvas.width = canvas.height = 0; // let the memory go at once (phones)
      if (!blob || !blob.size) return null;
      // A neutral name: the original's never leaves the device.
      return new File([blob], png ? "image.png" : "image.jpg", { type: blob.type });
    } catch {
      return null;
    } finally {
      decoded.done();
    }
  }

  window.galleryDevice = { copy, LONG_EDGE };
})();

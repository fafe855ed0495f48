"""A phone photo sent through the form on a slow connection, with and without the device step.

Usage: python benchmarks/bench_phone.py [--kbits 500] [--rtt 300]

Makes a 12 MP phone-like JPEG of about 2.8 MB (bench_pipeline's photo generator, fixed seed,
with a GPS tag), starts gunicorn (bench_upload.Server: one sync worker on 127.0.0.1, a fresh
instance folder), and in Debian's Chromium, driven by Playwright at 390 px wide with the
connection throttled by the DevTools protocol (Network.emulateNetworkConditions: 500 kbit/s
up, 1.5 Mbit/s down, 300 ms round trip), fills the submission form and measures the time
from the click on "Send the work" to the receipt page:

  * with the device step (static/js/device.js: the copy at most 2560 px, without metadata);
  * without it (window.galleryDevice hidden: the original travels, as on a browser that
    cannot decode the file).

Both go through tus (/uploads/). Prints the bytes each sent and the seconds each took.
Exit status 0 when both were accepted, 1 when something broke. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_pipeline import photo  # noqa: E402
from bench_upload import HOST, Broken, Server  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
TARGET_BYTES = 2_800_000
SIZE = (4032, 3024)
HIDE_DEVICE_STEP = (
    "Object.defineProperty(window, 'galleryDevice', { get: () => undefined, set: () => {} });"
)


def log(message: str) -> None:
    print(f"  [phone bench] {message}", flush=True)


def phone_photo(folder: Path) -> Path:
    """A 12 MP JPEG near 2.8 MB, with a GPS position, as a phone camera writes it."""
    from PIL import ExifTags, Image

    im = photo(*SIZE)
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
    }
    best = b""
    for quality in (60, 70, 75, 80, 85, 88, 90, 92, 94, 96):
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality, exif=exif.tobytes())
        best = buf.getvalue()
        if len(best) >= TARGET_BYTES:
            break
    path = folder / "phone.jpg"
    path.write_bytes(best)
    return path


def send(browser, url: str, path: Path, kbits: int, rtt: int, device_step: bool) -> dict:
    context = browser.new_context(
        base_url=url, viewport={"width": 390, "height": 844}, device_scale_factor=3
    )
    try:
        if not device_step:
            context.add_init_script(HIDE_DEVICE_STEP)
        page = context.new_page()
        page.goto("/submit")
        sent = {"bytes": 0}

        def count(request) -> None:  # the size each tus upload announces when created
            if request.method == "POST" and "/uploads/" in request.url:
                sent["bytes"] += int(request.headers.get("upload-length", "0"))

        page.on("request", count)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": rtt,
                "uploadThroughput": kbits * 1000 / 8,
                "downloadThroughput": 1_500_000 / 8,
            },
        )
        page.set_input_files("#image", str(path))
        page.fill("#title", "Phone benchmark")
        page.fill("#alt_text", "A generated photo-like test image")
        page.locator('input[name="licence"]').first.check()
        page.check("#own_work")
        page.check("#consent")
        page.check('input[name="ai_used"][value="no"]')
        page.wait_for_selector(".preview__img", state="visible")
        start = time.perf_counter()
        page.click(".form__actions button")
        page.wait_for_url("**/submissions/**", timeout=240_000)
        return {"seconds": time.perf_counter() - start, "bytes": sent["bytes"]}
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kbits", type=int, default=500, help="upload speed, kbit/s")
    parser.add_argument("--rtt", type=int, default=300, help="round trip, ms")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed (make install-test installs it)")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        folder = Path(tmp)
        path = phone_photo(folder)
        size = path.stat().st_size
        log(f"phone photo: {SIZE[0]}×{SIZE[1]}, {size / 1e6:.2f} MB")
        try:
            with Server(folder, "phone") as server, sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                url = f"http://{HOST}:{server.port}"
                with_step = send(browser, url, path, args.kbits, args.rtt, device_step=True)
                without = send(browser, url, path, args.kbits, args.rtt, device_step=False)
                browser.close()
        except Broken as exc:
            print(f"BROKEN: {exc}")
            return 1
    print(
        f"\nA {size / 1e6:.1f} MB 12 MP phone photo, {args.kbits} kbit/s up, "
        f"{args.rtt} ms round trip, 390 px Chromium, form click to receipt:\n"
    )
    print(f"{'':32} {'sent':>10} {'time':>9}")
    for name, r in (("with the device step", with_step), ("without (original sent)", without)):
        print(f"{name:32} {r['bytes'] / 1e6:>7.2f} MB {r['seconds']:>7.1f} s")
    faster = without["seconds"] / with_step["seconds"] if with_step["seconds"] else 0
    print(f"\nthe device step makes it {faster:.1f}× faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())

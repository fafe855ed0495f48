"""The six demo posters, drawn by code with Pillow (no third-party image): each a function
of a seeded random generator, so a poster is the same picture at every load."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption(draw: ImageDraw.ImageDraw, box: tuple[int, int], lines: list[str], fill: str) -> None:
    width, y = box
    for text, size in zip(lines, (110, 56, 40), strict=False):
        font = _font(size)
        w = draw.textlength(text, font=font)
        draw.text(((width - w) / 2, y), text, font=font, fill=fill)
        y += int(size * 1.3)


def poster_window(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1200, 1500), "#1d2b4a")
    d = ImageDraw.Draw(im)
    d.rectangle((250, 200, 950, 900), fill="#f2c14e")
    d.ellipse((420, 330, 780, 690), fill="#f6e7b0")
    for x in range(250, 951, 100):
        d.rectangle((x - 12, 200, x + 12, 900), fill="#2f2f33")
    for _ in range(6):
        x, y = rng.randint(300, 900), rng.randint(230, 450)
        d.line((x, y, x + 30, y - 14, x + 60, y), fill="#1d2b4a", width=8)
    _caption(d, (1200, 1030), ["FREE AZAT", "mathematician, prisoner since 2019"], "#f6e7b0")
    return im


def poster_letters(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1500, 1200), "#efe6d8")
    d = ImageDraw.Draw(im)
    for row in range(0, 12):
        offset = 0 if row % 2 else 60
        for x in range(-120 + offset, 1500, 120):
            d.rectangle((x, 500 + row * 28, x + 112, 524 + row * 28), fill="#a4493d")
    for _ in range(9):
        x, y = rng.randint(80, 1300), rng.randint(80, 420)
        d.polygon(
            [(x, y), (x + 120, y + 40), (x, y + 80), (x + 30, y + 40)],
            fill="#ffffff",
            outline="#333333",
        )
    _caption(d, (1500, 860), ["LETTERS", "break walls", "write to a political prisoner"], "#1f1f1f")
    return im


def poster_maths(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1400, 1400), "#20352b")
    d = ImageDraw.Draw(im)
    for k in range(1, 6):
        pts = [
            (x, 600 + 200 * math.sin(x / (60 * k)) * math.exp(-x / 1400))
            for x in range(60, 1340, 8)
        ]
        d.line(pts, fill=(230, 230, 210 - 20 * k), width=5)
    for _ in range(40):
        x, y = rng.randint(60, 1340), rng.randint(120, 1000)
        d.ellipse((x - 4, y - 4, x + 4, y + 4), fill="#e7e2c8")
    _caption(d, (1400, 1080), ["MATHS", "is not a crime"], "#e7e2c8")
    return im


def poster_rally(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1600, 1000), "#c9dbe8")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 700, 1600, 1000), fill="#8c8f94")
    for _ in range(70):
        x, y = rng.randint(20, 1580), rng.randint(560, 900)
        r = rng.randint(22, 34)
        d.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=rng.choice(["#3a2e2a", "#6b4f3f", "#c8a27c", "#2b2b2b"]),
        )
    for x in (300, 760, 1220):
        d.rectangle((x, 300, x + 260, 470), fill="#ffffff", outline="#222222", width=6)
        d.line((x + 130, 470, x + 130, 640), fill="#5a3d2b", width=12)
    _caption(d, (1600, 80), ["PARIS 20.09.2025", "ART PROTEST"], "#1c2a3a")
    return im


def poster_days(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1200, 1600), "#f4f1ea")
    d = ImageDraw.Draw(im)
    for row in range(28):
        for group in range(6):
            x, y = 90 + group * 175, 120 + row * 36
            for i in range(4):
                d.line(
                    (x + i * 28, y, x + i * 28 + rng.randint(-3, 3), y + 26),
                    fill="#333333",
                    width=5,
                )
            d.line((x - 8, y + 22, x + 100, y + 4), fill="#b3261e", width=5)
    _caption(d, (1200, 1160), ["EVERY DAY COUNTS", "letters make the days shorter"], "#b3261e")
    return im


def poster_chain(rng: random.Random) -> Image.Image:
    im = Image.new("RGBA", (1400, 1000), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((40, 40, 1360, 960), radius=80, fill="#ffd23f")
    for i in range(7):
        x = 120 + i * 170
        if i == 3:
            d.arc((x, 330, x + 220, 470), 200, 320, fill="#222222", width=26)
            d.arc((x, 330, x + 220, 470), 20, 140, fill="#222222", width=26)
            continue
        d.ellipse((x, 330, x + 220, 470), outline="#222222", width=26)
    _caption(d, (1400, 620), ["SOLIDARITY", "from Paris to Moscow"], "#222222")
    return im

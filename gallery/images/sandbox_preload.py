"""Imported once by the sandbox's fork server (gallery/images/sandbox.py), before it forks any child:
loads the image pipeline and runs it once on a tiny picture, so that every child starts
with Pillow's plugins and the encoders loaded (a child that loaded them
itself spent ~170 ms on it, more than a 2 MP upload's whole pipeline).  Runs one size
only, so no helper thread is started in the server: threads do not survive a fork.  Then
every object made so far is moved out of the collector's sight (gc.freeze), so that a
child does not copy the pages they live on by merely collecting."""

from __future__ import annotations

import gc
import io

from PIL import Image

from .. import images


def warm_up() -> None:
    Image.init()
    tiny = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(tiny, "PNG")
    images.process(tiny, sizes={"large": 16})
    Image.new("RGB", (16, 16)).save(io.BytesIO(), "WEBP")


warm_up()
gc.freeze()

"""A web worker carries only what serving pages needs: the heavy libraries that a few
requests use are imported where they are used (reportlab for print PDFs), or only in the
sandbox's child processes (libheif for uploads, OpenCV and NumPy for the face detector).
Checked in a fresh interpreter, since this test process has imported all of them."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from gallery import create_app
from gallery.config import TEST_SETTINGS
from gallery.extensions import db
app = create_app(
    {"TESTING": True, "SECRET_KEY": "x", **TEST_SETTINGS}, environ={"GALLERY_INSTANCE": sys.argv[1]}
)
with app.app_context():
    db.create_all()
client = app.test_client()
pages = ["/en/", "/fr/works", "/ru/prisoners", "/en/submit", "/en/help/artists", "/en/search?q=art"]
print(json.dumps({
    "statuses": {page: client.get(page).status_code for page in pages},
    "loaded": sorted(m for m in ("reportlab", "pillow_heif", "cv2", "numpy") if m in sys.modules),
}))
"""


def test_serving_pages_loads_no_heavy_library(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "instance")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(answer["statuses"].values()) == {200}, answer["statuses"]
    assert answer["loaded"] == []

"""The sizes the pipeline makes and the settings of each encoder and filter, with the
measurements behind them (benchmarks/bench_pipeline.py).
"""

from __future__ import annotations

from PIL import Image

SIZES = {"large": 2560, "display": 1600, "share": 1200, "thumb": 400}
# The sizes that get a WebP twin beside their JPEG (PNG with transparency).  Phones (most
# visitors, more so after a share) fetch the share size, 1200 px: a 390 px wide screen of
# density 3 needs 1170; its WebP is 35-45 % smaller than the JPEG, and it takes a third of
# the time of the 1600 px WebP that pages offered before, which alone took ~50 ms of one
# core, more than the naive pipeline's whole work on a 2 MP upload
# (benchmarks/bench_pipeline.py).  The display size (1600 px, wide screens) is a JPEG: a
# desktop fetches 55-70 % more bytes than with a WebP, on a wired or Wi-Fi network; with
# transparency, whose other file is a lossless PNG several times larger, it keeps its
# WebP.  The large size, the stored master that covers and print PDFs start from, is only
# the JPEG (the PNG).  Pages offer each size once, in WebP where there is one
# (web/templating.srcset).
WEBP_SIZES = frozenset({"share", "thumb"})
WEBP_SIZES_WITH_ALPHA = WEBP_SIZES | {"display"}
# The share size is also the picture of link previews (Open Graph: Telegram, Mastodon,
# messengers), which all take a JPEG: its JPEG is laid on white where the artwork is
# transparent, and its WebP keeps the transparency for pages.
ON_WHITE = frozenset({"share"})
# AVIF before HEIF: both plugins claim the generic "mif1" brand, and only Pillow's decodes AV1.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIF")

# Settings measured with benchmarks/bench_pipeline.py on a 24 MP photo and on
# the shared test photos.  WebP q80 comes within 1 dB PSNR of JPEG q85 at
# 55-75 % of the bytes.  Method 1 is as good as 0 and 5-25 % smaller (most
# on flat artwork) for a fifth more time; method 4 is 5 % smaller again but
# costs 2-4x; the thumbnail takes 2, within 3 % of 4's bytes for 40 % of its time
# (3.5 ms against 8 at 400 px).  Progressive JPEG costs 6x and
# optimize 2.5x at 1200 px and up for 3-8 % fewer bytes, so only the thumbnail
# gets optimize.
_WEBP = {"thumb": {"quality": 80, "method": 2}}
_WEBP_DEFAULT = {"quality": 80, "method": 1}
_JPEG = {"thumb": {"quality": 85, "optimize": True}}
_JPEG_DEFAULT = {"quality": 85}
# The PNG fallback is for the few browsers without WebP: zlib level 3 is 3x
# faster than 6 at 2560 px for 15-20 % more bytes.
_PNG = {"large": {"compress_level": 3}}
_PNG_DEFAULT = {"compress_level": 6}
# HAMMING costs what BILINEAR does (half of BICUBIC, a third of LANCZOS) and keeps more
# detail; it is enough for the mild reductions (1.6x from the large size to the display
# size, 1.33x from there to the share size), which took 30-40 ms each with BICUBIC or
# LANCZOS on a 2 MP upload.  The thumbnail, a stronger reduction, keeps LANCZOS' sharpness.  Before
# filtering, whole k x k blocks are averaged while at least the reducing gap times the
# final size remains (Pillow's reducing_gap): 2.0 is indistinguishable from the full
# filter; the thumbnail's 1.5 halves its cost (a 4x reduction: 8 ms instead of 16); the
# large size's 1.1 takes a 24 MP WebP or PNG to half size in one cheap pass before the
# filter (a third of the time).
_RESAMPLE = {
    "large": Image.Resampling.HAMMING,
    "display": Image.Resampling.HAMMING,
    "share": Image.Resampling.HAMMING,
}
_RESAMPLE_DEFAULT = Image.Resampling.LANCZOS
_REDUCING_GAP = {"large": 1.1, "thumb": 1.5}
# The display size keeps a picture at most a quarter larger than its cap (up to 2000 px)
# as it is, like one smaller than the cap: the large copy then serves wide screens at that
# size too.  So mild a reduction (1800 to 1600 px) was the longest step of a 2 MP upload,
# ~35 ms of CPU, for a fifth fewer bytes on a wide screen.
_KEEP_WITHIN = {"display": 1.25}
_REDUCING_GAP_DEFAULT = 2.0
# The large size of a JPEG may be as small as this share of its cap, when libjpeg's scaled
# decoding gets there (see _decode_large): 1920 px of 2560, still more than a 1600 px
# display size, for a third of the upload's time on 12 MP photos.
_DRAFT_FLOOR = 0.75
# From this many output pixels, a resize runs as two bands on two threads, before any
# encode starts (on a 24 MP photo the display size goes from ~65 ms to ~30 ms); smaller
# sizes are resized on a helper thread, beside the encodes.
_BAND_MIN_PIXELS = 500_000

"""Hostile files made in memory for the decode sandbox's tests: tiny files that make a
decoder build an enormous picture or spend minutes of CPU.

* heic_grid_bomb(): a HEIC whose grid item's data is split in two iloc extents.  A reader
  that takes the first extent alone (as the old header scan did) sees 2048 x 2048; libheif
  joins the extents and builds a canvas of rows x columns 1024 px tiles, every reference
  pointing at the same tile, so the file stays a few kilobytes.
* heic_grid_bomb(decoy_iloc=True): the grid data in one extent that says the real canvas,
  and a second iloc box after the first, pointing at a decoy 2048 x 2048 (libheif reads
  the first iloc, a reader that keeps the last one sees the decoy).
* avif_grid_bomb(): the same tricks on an AVIF grid of 16 x 16 tiles (libavif's own
  limit), every tile an item of its own pointing at the same AV1 image.
* progressive_jpeg_bomb(): a JPEG of a few hundred kilobytes whose thousands of tiny
  progressive scans each make libjpeg walk the whole picture again.

Plain functions (`from hostile import ...`), built with pillow-heif and Pillow, no fixture.
"""

from __future__ import annotations

import io
import struct

from PIL import Image

from gallery.images.decode import register_codecs

register_codecs()  # pillow-heif's HEIF plugin, to write HEIC files

TILE = 1024


# ---- ISO-BMFF boxes, as far as these files need them


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def children(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, bytes]]:
    """The (type, payload) of each box from start to end (32-bit sizes only)."""
    end = len(data) if end is None else end
    out, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((kind, data[pos + 8 : pos + size]))
        pos += size
    return out


def parse_iloc(payload: bytes) -> list[dict]:
    """The items of an iloc box of version 1 with 4-byte offsets, lengths and base offsets
    (what pillow-heif writes): id, construction method, base offset, [(offset, length)]."""
    assert payload[0] == 1 and payload[4:6] == b"\x44\x40", payload[:6].hex()
    (count,) = struct.unpack(">H", payload[6:8])
    pos, items = 8, []
    for _ in range(count):
        item, method, _ref, base, extents = struct.unpack(">HHHIH", payload[pos : pos + 12])
        pos += 12
        found = [
            struct.unpack(">II", payload[pos + 8 * i : pos + 8 * i + 8]) for i in range(extents)
        ]
        pos += 8 * extents
        items.append({"id": item, "method": method, "base": base, "extents": found})
    return items


def build_iloc(items: list[dict]) -> bytes:
    payload = bytes([1, 0, 0, 0, 0x44, 0x40]) + struct.pack(">H", len(items))
    for it in items:
        payload += struct.pack(">HHHIH", it["id"], it["method"], 0, it["base"], len(it["extents"]))
        payload += b"".join(struct.pack(">II", *extent) for extent in it["extents"])
    return payload


def _grid_file(
    fmt: str, **params
) -> tuple[bytes, list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
    """A 2048 px picture as a 2 x 2 grid of 1024 px tiles: (ftyp payload, the meta box's
    children, the top-level boxes after meta)."""
    buf = io.BytesIO()
    Image.new("RGB", (2 * TILE, 2 * TILE), "grey").save(buf, fmt, tile_size=TILE, **params)
    top = children(buf.getvalue())
    assert [k for k, _ in top[:2]] == [b"ftyp", b"meta"], [k for k, _ in top]
    meta = top[1][1]
    return top[0][1], children(meta, 4), top[2:]


def heic_grid_bomb(rows: int = 31, columns: int = 31, decoy_iloc: bool = False) -> bytes:
    """See the module's docstring.  The grid item is item 1, its data in the idat box."""
    ftyp, meta, rest = _grid_file("HEIF", quality=10)
    kinds = [k for k, _ in meta]
    assert b"idat" in kinds and b"iref" in kinds and b"iloc" in kinds, kinds
    tiles = rows * columns
    assert tiles < 65536
    real = struct.pack(">HH", columns * TILE, rows * TILE)
    decoy = struct.pack(">HH", 2 * TILE, 2 * TILE)
    header = bytes([0, 0, rows - 1, columns - 1])
    if decoy_iloc:
        idat = header + real + header[:4] + decoy  # 0: the real grid, 8: the decoy
        grid_extents, decoy_extents = [(0, 8)], [(8, 8)]
    else:
        idat = header + decoy + real  # the first extent is the header, the second the canvas
        grid_extents, decoy_extents = [(0, 4), (8, 4)], None
    edited = []
    for kind, payload in meta:
        if kind == b"idat":
            payload = idat
        elif kind == b"iref":
            refs = children(payload, 4)
            assert refs and refs[0][0] == b"dimg", refs
            first_tile = struct.unpack(">H", refs[0][1][4:6])[0]
            payload = payload[:4] + box(
                b"dimg", struct.pack(">HH", 1, tiles) + struct.pack(">H", first_tile) * tiles
            )
        edited.append([kind, payload])

    def whole(iloc_items: list[dict], shift: int) -> bytes:
        kids = []
        for kind, payload in edited:
            if kind == b"iloc":
                items = [dict(it) for it in iloc_items]
                for it in items:
                    if it["method"] == 0:
                        it["base"] += shift
                kids.append(box(b"iloc", build_iloc(items)))
                if decoy_extents:
                    decoys = [
                        dict(it, extents=decoy_extents) if it["id"] == 1 else it for it in items
                    ]
                    kids.append(box(b"iloc", build_iloc(decoys)))
            else:
                kids.append(box(kind, payload))
        meta_box = box(b"meta", bytes(4) + b"".join(kids))
        return box(b"ftyp", ftyp) + meta_box + b"".join(box(k, p) for k, p in rest)

    iloc_items = parse_iloc(next(p for k, p in edited if k == b"iloc"))
    grid = next(it for it in iloc_items if it["id"] == 1)
    assert grid["method"] == 1, grid
    grid["extents"] = grid_extents
    original = len(box(b"ftyp", ftyp)) + len(
        box(b"meta", bytes(4) + b"".join(box(k, p) for k, p in meta))
    )
    unshifted = whole(iloc_items, 0)
    shift = len(unshifted) - len(b"".join(box(k, p) for k, p in rest)) - original
    return whole(iloc_items, shift)


def avif_grid_bomb(rows: int = 16, columns: int = 16, decoy_iloc: bool = False) -> bytes:
    """The same tricks on an AVIF grid.  Pillow's AVIF encoder writes no grid, so the file is
    built from pillow-heif's HEIC grid: its tiles become rows x columns av01 items (libavif
    wants one item per tile, where libheif takes one item referenced many times), all
    pointing at the same 1024 px AV1 image, with the av1C property in place of hvcC.
    16 x 16 tiles: a 16384 x 16384 canvas, libavif's own size limit."""
    av1c, av1 = _av1_tile()
    _ftyp, meta, _rest = _grid_file("HEIF", quality=10)
    parts = dict(meta)
    tiles = list(range(2, 2 + rows * columns))
    iinf = bytes(4) + struct.pack(">H", 1 + len(tiles)) + _infe(1, b"grid", hidden=False)
    iinf += b"".join(_infe(t, b"av01", hidden=True) for t in tiles)
    ipco, ipma = children(parts[b"iprp"])
    assert (ipco[0], ipma[0]) == (b"ipco", b"ipma")
    ipco_box = box(
        b"ipco", b"".join(av1c if k == b"hvcC" else box(k, p) for k, p in children(ipco[1]))
    )
    grid_props, tile_props = _associations(ipma[1], 1), _associations(ipma[1], 2)
    ipma_box = box(
        b"ipma",
        bytes(4)
        + struct.pack(">I", 1 + len(tiles))
        + struct.pack(">HB", 1, len(grid_props))
        + grid_props
        + b"".join(struct.pack(">HB", t, len(tile_props)) + tile_props for t in tiles),
    )
    iref = bytes(4) + box(
        b"dimg", struct.pack(">HH", 1, len(tiles)) + b"".join(struct.pack(">H", t) for t in tiles)
    )
    header = bytes([0, 0, rows - 1, columns - 1])
    real, decoy = (
        struct.pack(">HH", columns * TILE, rows * TILE),
        struct.pack(">HH", 2 * TILE, 2 * TILE),
    )
    if decoy_iloc:
        idat, grid_extents, decoy_extents = header + real + header + decoy, [(0, 8)], [(8, 8)]
    else:
        idat, grid_extents, decoy_extents = header + decoy + real, [(0, 4), (8, 4)], None

    def whole(data_at: int) -> bytes:
        items = [{"id": 1, "method": 1, "base": 0, "extents": grid_extents}]
        items += [
            {"id": t, "method": 0, "base": data_at, "extents": [(0, len(av1))]} for t in tiles
        ]
        ilocs = box(b"iloc", build_iloc(items))
        if decoy_extents:
            ilocs += box(b"iloc", build_iloc([dict(items[0], extents=decoy_extents), *items[1:]]))
        kids = (
            box(b"hdlr", parts[b"hdlr"])
            + box(b"pitm", parts[b"pitm"])
            + box(b"idat", idat)
            + ilocs
            + box(b"iinf", iinf)
            + box(b"iprp", ipco_box + ipma_box)
            + box(b"iref", iref)
        )
        return box(b"ftyp", b"avif" + bytes(4) + b"mif1avifmiaf") + box(b"meta", bytes(4) + kids)

    head = whole(0)
    return whole(len(head) + 8) + box(b"mdat", av1)


def _infe(item: int, kind: bytes, hidden: bool) -> bytes:
    return box(b"infe", bytes([2, 0, 0, int(hidden)]) + struct.pack(">HH4s", item, 0, kind) + b"\0")


def _associations(ipma: bytes, item: int) -> bytes:
    """The property associations of one item in an ipma box of version 0, flags 0."""
    (count,) = struct.unpack(">I", ipma[4:8])
    pos = 8
    for _ in range(count):
        found, n = struct.unpack(">HB", ipma[pos : pos + 3])
        if found == item:
            return ipma[pos + 3 : pos + 3 + n]
        pos += 3 + n
    raise LookupError(item)


def _av1_tile() -> tuple[bytes, bytes]:
    """The av1C property box and the AV1 data of a 1024 px grey AVIF from Pillow."""
    buf = io.BytesIO()
    Image.new("RGB", (TILE, TILE), "grey").save(buf, "AVIF", quality=10, speed=10)
    top = children(buf.getvalue())
    meta = dict(children(top[1][1], 4))
    ipco = dict(children(meta[b"iprp"]))[b"ipco"]
    return box(b"av1C", dict(children(ipco))[b"av1C"]), dict(top)[b"mdat"]


# ---- JPEG


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _entropy(bits: str) -> bytes:
    """Bits as entropy-coded bytes: padded with ones, each 0xFF followed by a stuffed 0x00."""
    bits += "1" * (-len(bits) % 8)
    out = b""
    for i in range(0, len(bits), 8):
        byte = int(bits[i : i + 8], 2)
        out += bytes([byte]) + (b"\x00" if byte == 0xFF else b"")
    return out


def progressive_jpeg_bomb(width: int = 4000, height: int = 4000, scans: int = 20000) -> bytes:
    """A greyscale progressive JPEG of one DC scan, then the same AC scan `scans` times.  Each
    AC scan is a few bytes (end-of-band runs of 32767 blocks cover the whole picture), and
    each makes libjpeg visit every 8 x 8 block again: the work grows with the scans, not
    with the file."""
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    quant = _segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = _segment(0xC2, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    # DC table 0: one code, "0", for category 0 (no change); AC table 0: one code, "0", for
    # EOB14 (a run of 2**14 blocks plus the 14 bits that follow).
    tables = _segment(
        0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00" + b"\x10" + bytes([1] + [0] * 15) + b"\xe0"
    )
    dc = _segment(0xDA, b"\x01\x01\x00\x00\x00\x00") + _entropy("0" * blocks)
    runs = -(-blocks // 32767)
    ac = _segment(0xDA, b"\x01\x01\x00\x01\x3f\x00") + _entropy(("0" + "1" * 14) * runs)
    return b"\xff\xd8" + quant + frame + tables + dc + ac * scans + b"\xff\xd9"

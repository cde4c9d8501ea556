"""A small PMTiles (version 3) archive for tests: raster tiles at given z/x/y, uncompressed directory.

Written here because no PMTiles writer is installed (the `pmtiles` PyPI package is not in
requirements.lock); it follows the published v3 layout: a 127-byte header, the root directory
(varint-encoded tile ids, run lengths, lengths, offsets), JSON metadata, then the tile data. Tile ids
of zoom 0 and 1 only (the Hilbert order of zoom 1 written out), which is all the tests need.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

# Tile ids: zoom 0 is 0; zoom 1 starts at 1 and runs along the Hilbert curve (0,0) (0,1) (1,1) (1,0).
TILE_IDS = {(0, 0, 0): 0, (1, 0, 0): 1, (1, 0, 1): 2, (1, 1, 1): 3, (1, 1, 0): 4}
TYPES = {"png": 2, "jpeg": 3, "webp": 4}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def write(path: Path, tiles: dict[tuple[int, int, int], bytes], tile_type: str = "png") -> Path:
    """Write an archive holding `tiles` ({(z, x, y): bytes}) to `path`."""
    entries = sorted((TILE_IDS[zxy], data) for zxy, data in tiles.items())
    offsets, blob = [], b""
    for _, data in entries:
        offsets.append(len(blob))
        blob += data
    directory = _varint(len(entries))
    previous = 0
    for tile_id, _ in entries:
        directory += _varint(tile_id - previous)
        previous = tile_id
    directory += b"".join(_varint(1) for _ in entries)  # run lengths
    directory += b"".join(_varint(len(d)) for _, d in entries)
    for i in range(len(entries)):
        contiguous = i > 0 and offsets[i] == offsets[i - 1] + len(entries[i - 1][1])
        directory += _varint(0 if contiguous else offsets[i] + 1)
    metadata = json.dumps({"name": "bluelamp test tiles"}).encode()
    root_at = 127
    meta_at = root_at + len(directory)
    data_at = meta_at + len(metadata)
    zooms = [z for z, _, _ in tiles]
    header = b"PMTiles" + bytes([3]) + struct.pack(
        "<11Q", root_at, len(directory), meta_at, len(metadata), 0, 0, data_at, len(blob),
        len(entries), len(entries), len(entries))
    header += bytes([1, 1, 1, TYPES[tile_type], min(zooms), max(zooms)])  # clustered, no compression
    header += struct.pack("<4i", -1_800_000_000, -850_000_000, 1_800_000_000, 850_000_000)
    header += bytes([0]) + struct.pack("<2i", 0, 0)
    assert len(header) == 127
    path.write_bytes(header + directory + metadata + blob)
    return path


def png(colour: tuple[int, int, int] = (30, 110, 60)) -> bytes:
    """A 256 x 256 PNG of one colour (Pillow)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, format="PNG")
    return out.getvalue()

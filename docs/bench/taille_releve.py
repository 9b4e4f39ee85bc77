#!/usr/bin/env python3
"""Where a statement's bytes go (docs/BENCHMARKS.md, "Statement size"): font programs, their
ToUnicode maps, font dictionaries and descriptors, the page's content stream, and the rest
(catalog, info, cross-reference table). Reads cairo's uncompressed object structure; the
stream sizes are as stored (compressed).

    python3 docs/bench/taille_releve.py bench-statement.pdf [more.pdf…]
"""
import re
import sys
import zlib


def breakdown(path):
    data = open(path, "rb").read()
    parts = {"polices": 0, "tounicode": 0, "dictionnaires": 0, "contenu": 0, "reste": 0}
    fonts = []
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S):
        body = match.group(2)
        size = len(match.group(0))
        if b"/Length1" in body:
            parts["polices"] += size
            start = body.index(b"stream") + 6
            start += 1 if body[start:start + 1] == b"\r" else 0
            start += 1 if body[start:start + 1] == b"\n" else 0
            font = zlib.decompress(body[start:body.rindex(b"endstream")])
            count = int.from_bytes(font[4:6], "big")
            tags = {font[12 + 16 * i:16 + 16 * i].decode(): int.from_bytes(font[24 + 16 * i:28 + 16 * i], "big") for i in range(count)}
            fonts.append((size, tags))
        elif b"/Type /Font" in body or b"/FontDescriptor" in body:
            parts["dictionnaires"] += size
        elif b"stream" in body:
            start = body.index(b"stream") + 7
            raw = zlib.decompress(body[start:body.rindex(b"endstream")].lstrip(b"\n"))
            parts["tounicode" if b"begincmap" in raw else "contenu"] += size
        else:
            parts["reste"] += size
    parts["reste"] += len(data) - sum(parts.values())
    return len(data), parts, fonts


for path in sys.argv[1:]:
    total, parts, fonts = breakdown(path)
    print(f"{path}: {total} octets")
    for name, size in parts.items():
        print(f"  {name:14} {size:6} octets ({100 * size / total:4.1f} %)")
    for size, tags in fonts:
        hinting = sum(tags.get(t, 0) for t in ("fpgm", "prep", "cvt "))
        print(f"    police {size:6} octets stockés ; tables de hinting {hinting} octets, glyf {tags.get('glyf', 0)} octets")

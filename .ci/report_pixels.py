#!/usr/bin/env python3
"""Checks a screenshot of the comparison report: its pictures are drawn.

The CLI test `the_report_pictures_are_drawn_in_a_browser` (crates/sphaera-cli/tests/cli.rs)
builds a small report, has headless Chromium screenshot it, and runs this on the screenshot:

  report_pixels.py SCREENSHOT.png --palette report.rs --models K --legends F

- the page is not blank, and it ends inside the screenshot (its last rows are white);
- at least F legends show: each a dot of each of the first K colours of the report's palette
  (`COLORS` in report.rs, one per model in the order of the table), one below the other, so
  a picture that is not drawn leaves too few;
- every picture with a legend shows at least one data point of those colours left of its
  legend (the model drawn last is never hidden).

Standard library only: the PNG is decoded here (8-bit RGB or RGBA, not interlaced, as
Chromium writes its screenshots).
"""

import argparse
import re
import struct
import sys
import zlib
from itertools import accumulate

# A mark: at least this many connected pixels of one colour (a legend dot has about 75).
MARK_PIXELS = 15
# The page must end at least this many white rows before the screenshot does.
WHITE_TAIL = 40
# A drawn page has at least this many non-white pixels (the table alone has thousands).
MIN_INK = 20_000


def read_png(path):
    """(width, height, bytes per pixel, rows), each row the bytes of its pixels."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG file")
    pos, header, chunks = 8, None, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        sys.exit(f"{path}: PNG of bit depth {depth}, colour type {color}, interlace {interlace}; "
                 "expected 8-bit RGB or RGBA, not interlaced")
    bpp = 3 if color == 2 else 4
    return width, height, bpp, unfilter(zlib.decompress(b"".join(chunks)), width * bpp, height, bpp)


def add(a, b):
    """Bytewise a + b mod 256, at once on big integers (no carry crosses a byte)."""
    n = len(a)
    low, high = int.from_bytes(b"\x7f" * n, "big"), int.from_bytes(b"\x80" * n, "big")
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(n, "big")


def unfilter(raw, stride, height, bpp):
    """The rows of a PNG image from its decompressed, filtered scanlines."""
    rows, prev, zero = [], bytes(stride), bytes(stride)
    for r in range(height):
        start = r * (stride + 1)
        kind, line = raw[start], raw[start + 1 : start + 1 + stride]
        if kind == 0 or (kind == 2 and line == zero):
            row = line if kind == 0 else prev
        elif kind == 2:  # Up
            row = add(line, prev)
        elif kind == 1 or (kind == 4 and prev == zero):  # Sub (Paeth over a zero row is Sub)
            out = bytearray(stride)
            for c in range(bpp):
                out[c::bpp] = bytes(map((255).__and__, accumulate(line[c::bpp])))
            row = bytes(out)
        elif kind in (3, 4):  # Average, Paeth
            out = bytearray(line)
            for k in range(stride):
                a = out[k - bpp] if k >= bpp else 0
                b = prev[k]
                if kind == 3:
                    out[k] = (out[k] + (a + b) // 2) & 255
                    continue
                c = prev[k - bpp] if k >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                out[k] = (out[k] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            row = bytes(out)
        else:
            sys.exit(f"unknown PNG filter {kind} in row {r}")
        rows.append(row)
        prev = row
    return rows


def palette(path):
    """The report's model colours, in order: the RGBColor values of its COLORS array."""
    text = open(path, encoding="utf-8").read()
    block = re.search(r"const COLORS: \[RGBColor; \d+\] = \[(.*?)\];", text, re.S)
    if not block:
        sys.exit(f"{path}: no `const COLORS: [RGBColor; N] = [...]`")
    return [tuple(map(int, m)) for m in re.findall(r"RGBColor\((\d+),\s*(\d+),\s*(\d+)\)", block[1])]


def pixels_of(rows, bpp, rgb):
    """The (row, column) of every pixel of exactly this colour (opaque, for RGBA)."""
    pattern = bytes(rgb) + (b"\xff" if bpp == 4 else b"")
    found = []
    for r, row in enumerate(rows):
        at = row.find(pattern)
        while at >= 0:
            if at % bpp == 0:
                found.append((r, at // bpp))
            at = row.find(pattern, at + 1)
    return found


def marks(points):
    """The groups of at least MARK_PIXELS pixels connected by their sides or corners, each as
    its centre (row, column)."""
    left, found = set(points), []
    while left:
        stack, group = [left.pop()], []
        while stack:
            r, c = stack.pop()
            group.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (r + dr, c + dc) in left:
                        left.remove((r + dr, c + dc))
                        stack.append((r + dr, c + dc))
        if len(group) >= MARK_PIXELS:
            found.append((sum(p[0] for p in group) / len(group), sum(p[1] for p in group) / len(group)))
    return found


def legends(by_color):
    """The legends: a mark of each colour, in order, one below the other at one column and
    even steps (the first two marks set the step). Each as (its marks, top row, column)."""
    found = []
    for top in by_color[0]:
        column, rows, members = top[1], [top[0]], [top]
        for marks_of in by_color[1:]:
            step = rows[1] - rows[0] if len(rows) > 1 else None
            near = [m for m in marks_of if abs(m[1] - column) <= 2 and (
                5 < m[0] - rows[-1] < 80 if step is None else abs(m[0] - rows[-1] - step) <= 2)]
            if not near:
                break
            rows.append(near[0][0])
            members.append(near[0])
        else:
            found.append((members, top[0], column))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenshot")
    parser.add_argument("--palette", required=True, help="report.rs, holding COLORS")
    parser.add_argument("--models", type=int, required=True, help="models in the report")
    parser.add_argument("--legends", type=int, required=True, help="pictures with a legend")
    args = parser.parse_args()

    width, height, bpp, rows = read_png(args.screenshot)
    white = b"\xff" * (width * bpp)
    failures = []
    ink = sum(width - row.count(b"\xff" * bpp) for row in rows if row != white)
    if ink < MIN_INK:
        failures.append(f"the page is nearly blank ({ink} non-white pixels, expected at least {MIN_INK})")
    if any(row != white for row in rows[-WHITE_TAIL:]):
        failures.append(f"the page reaches the bottom of the {width}x{height} screenshot: "
                        "raise the window height so every picture is in it")
    colors = palette(args.palette)
    if len(colors) < args.models:
        sys.exit(f"{args.palette}: {len(colors)} colours for {args.models} models")
    by_color = []
    for i, rgb in enumerate(colors[: args.models]):
        points = pixels_of(rows, bpp, rgb)
        by_color.append(marks(points))
        print(f"model {i}: colour {rgb}: {len(points)} pixels in {len(by_color[-1])} marks")
    found = sorted(legends(by_color), key=lambda legend: (legend[1], legend[2]))
    print(f"{len(found)} legends, at (row, column) "
          + ", ".join(f"({row:.0f}, {column:.0f})" for _, row, column in found))
    if len(found) < args.legends:
        failures.append(f"{len(found)} legends with every model's colour, expected at least "
                        f"{args.legends}: a picture is not drawn")
    # Every picture plots some data: a mark left of its legend, in the picture's rows (the
    # legend starts near the picture's top), not in any legend, nearer this legend than any
    # other legend right of it.
    in_legends = {m for members, _, _ in found for m in members}
    data = [m for marks_of in by_color for m in marks_of if m not in in_legends]
    def owner(mark):
        right = [(column - mark[1], k) for k, (_, row, column) in enumerate(found)
                 if 0 < column - mark[1] < 700 and -100 < mark[0] - row < 420]
        return min(right)[1] if right else None
    owners = [owner(m) for m in data]
    for k, (_, row, column) in enumerate(found):
        if k not in owners:
            failures.append(f"the picture of the legend at ({row:.0f}, {column:.0f}) has no data "
                            "point of any model's colour")
    print(f"{width}x{height} screenshot, {ink} non-white pixels")
    for failure in failures:
        print(f"report_pixels: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

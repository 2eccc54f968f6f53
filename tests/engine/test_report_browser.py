"""The HTML report as a browser shows it (issue #11): Debian's chromium, headless, takes a
screenshot of the exported report, and the chart is there: the target tier's band shaded,
the shortlisted creators marked inside it, the table below. The PNG is read by the small
decoder below (zlib and struct only)."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib

import pytest

from microscout.config import parse_config
from microscout.engine.export import export_shortlist
from microscout.engine.export_html import MARK, TARGET_BAND
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, add_profile, exporting_plugins

CONFIG = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                           "description": "A report for the browser test"}}})


def chromium() -> str:
    """Debian's chromium; installed with apt-get when missing and we may (CI runs as root).
    The test is skipped, saying why, only when it cannot be had."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    why = "apt-get is not available"
    if shutil.which("apt-get"):
        if os.geteuid() != 0:
            why = "it needs root to install (apt-get install -y chromium)"
        else:
            for step in (["apt-get", "install", "-y", "-q", "chromium"],
                         ["sh", "-c", "apt-get update -q && apt-get install -y -q chromium"]):
                done = subprocess.run(step, capture_output=True, text=True, timeout=600)
                found = shutil.which("chromium")
                if found:
                    return found
                why = f"`{' '.join(step)}` failed: {(done.stderr or done.stdout).strip()[-300:]}"
    pytest.skip(f"chromium is not installed and could not be installed: {why}")


def read_png(path) -> tuple[int, int, list[bytes], int]:
    """(width, height, rows of RGB(A) bytes, bytes per pixel) of an 8-bit RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    prev, rows = bytearray(stride), []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                line[i] = (line[i] + (((line[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def near(pixel, colour, tolerance=10) -> bool:
    return all(abs(p - c) <= tolerance for p, c in zip(pixel, colour))


@pytest.fixture
def report(tmp_path):
    rules, exporters = exporting_plugins()
    db = open_store(tmp_path / "t.db")
    for i in range(40):  # micro creators with a spread of engagement, and a few outside the tier
        add_profile(db, f"creator{i:02d}", [400, 1500, 2500, 4000, 6500, 9000, 20000, 45000][i % 8] + 37 * i,
                    posts=3, likes=20 + (i * 37) % 90, display_name=f"Creator {i}")
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    path = tmp_path / "report.html"
    export_shortlist(db, "c", 10, exporters["html"], path, config=CONFIG)
    return path


def test_chromium_renders_the_report_with_its_chart(report, tmp_path):
    browser = chromium()
    shot = tmp_path / "shot.png"
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={tmp_path / 'ud'}",
                          f"--screenshot={shot}", "--window-size=1200,1600", report.as_uri()],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert shot.exists(), f"chromium wrote no screenshot (exit {run.returncode}): {run.stderr[-1500:]}"
    width, height, rows, bpp = read_png(shot)
    assert (width, height) == (1200, 1600)

    def pixel(x, y):
        return rows[y][x * bpp:x * bpp + 3]

    # the target tier's band: a shaded rectangle of the chart, found by its colour
    band, mark = rgb(TARGET_BAND), rgb(MARK)
    band_pixels = [(x, y) for y in range(0, height, 2) for x in range(0, width, 2) if near(pixel(x, y), band, 4)]
    assert len(band_pixels) > 5000, "no tier band shaded in the chart"
    left, right = min(x for x, _ in band_pixels), max(x for x, _ in band_pixels)
    top, bottom = min(y for _, y in band_pixels), max(y for _, y in band_pixels)
    assert right - left > 100 and bottom - top > 200, (left, right, top, bottom)
    # inside it, pixels that are neither white nor the band: the marks, other creators, grid lines
    inside = [pixel(x, y) for y in range(top, bottom + 1) for x in range(left, right + 1)]
    drawn = [p for p in inside if not near(p, band, 6) and not near(p, (255, 255, 255), 6)]
    assert len(drawn) > 500, f"the chart's area is blank ({len(drawn)} drawn pixels)"
    # the ten shortlisted creators' marks, in the plot's height (some of them outside the micro band)
    marks = sum(1 for y in range(top, bottom + 1) for x in range(width) if near(pixel(x, y), mark, 30))
    assert marks > 10 * 60, f"the shortlisted creators are not marked ({marks} marker pixels)"
    # the table below the chart has text on it
    below = [pixel(x, y) for y in range(bottom + 40, min(height, bottom + 400), 2) for x in range(0, width, 2)]
    assert sum(1 for p in below if max(p) < 110) > 1000, "no table text below the chart"

"""Artwork for the demo's certificate templates, drawn with Pillow: a paper background with a gold frame,
two round emblems and two handwritten-looking signatures. Demo data only; real fairs upload their own."""
from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

GOLD = (176, 137, 64)
GOLD_LIGHT = (222, 196, 140)
MAROON = (138, 28, 43)
PAPER = (253, 250, 242)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def background(width: int = 1754, height: int = 1240) -> bytes:
    """A cream page with a double gold frame, corner ornaments and a faint lotus in the middle (JPEG)."""
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    m = int(min(width, height) * 0.035)
    draw.rectangle([m, m, width - m, height - m], outline=GOLD, width=10)
    inner = m + 24
    draw.rectangle([inner, inner, width - inner, height - inner], outline=GOLD_LIGHT, width=3)
    # A band of small diamonds between the two lines of the frame.
    step = 36
    mid = m + 12
    for x in range(m + step, width - m - step // 2, step):
        for y in (mid, height - mid):
            draw.polygon([(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], fill=GOLD_LIGHT)
    for y in range(m + step, height - m - step // 2, step):
        for x in (mid, width - mid):
            draw.polygon([(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], fill=GOLD_LIGHT)
    # Corner ornaments: quarter circles of petals.
    for cx, cy in ((inner, inner), (width - inner, inner), (inner, height - inner), (width - inner, height - inner)):
        for r in (70, 52):
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=GOLD, width=3)
        draw.ellipse([cx - 18, cy - 18, cx + 18, cy + 18], fill=GOLD)
    # A faint lotus watermark.
    mark = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    md = ImageDraw.Draw(mark)
    cx, cy = width // 2, int(height * 0.56)
    for i in range(12):
        angle = math.pi * i / 6
        px, py = cx + 150 * math.cos(angle), cy + 150 * math.sin(angle)
        md.ellipse([px - 120, py - 120, px + 120, py + 120], outline=(214, 190, 130, 40), width=4)
    image.paste(mark, (0, 0), mark)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def emblem(color=MAROON, petals: int = 8, size: int = 600) -> bytes:
    """A round emblem: a ring, a wheel of petals and a centre (PNG, transparent)."""
    scale = 2
    s = size * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = s // 2
    draw.ellipse([8, 8, s - 8, s - 8], fill=(255, 255, 255, 255), outline=color, width=28 * scale // 2)
    draw.ellipse([60, 60, s - 60, s - 60], outline=GOLD, width=8 * scale)
    for i in range(petals):
        angle = 2 * math.pi * i / petals
        px, py = c + s * 0.2 * math.cos(angle), c + s * 0.2 * math.sin(angle)
        r = s * 0.13
        draw.ellipse([px - r, py - r, px + r, py + r], fill=color + (230,))
    draw.ellipse([c - s * 0.1, c - s * 0.1, c + s * 0.1, c + s * 0.1], fill=GOLD + (255,))
    return _png(image.resize((size, size), Image.LANCZOS))


def signature(seed: int, width: int = 720, height: int = 240) -> bytes:
    """A handwritten-looking stroke in dark blue ink (PNG, transparent)."""
    rng = random.Random(seed)
    scale = 3
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = []
    x = 40 * scale
    for i in range(90):
        x += rng.uniform(5, 9) * scale
        y = (height / 2 + math.sin(i / 3.2 + seed) * height * 0.28 + rng.uniform(-12, 12)) * scale
        points.append((x, y))
        if x > (width - 50) * scale:
            break
    draw.line(points, fill=(22, 38, 110, 255), width=5 * scale, joint="curve")
    draw.line([(points[0][0], points[-1][1] + 30 * scale), (points[-1][0], points[-1][1] + 10 * scale)],
              fill=(22, 38, 110, 255), width=4 * scale)
    image = image.filter(ImageFilter.GaussianBlur(1)).resize((width, height), Image.LANCZOS)
    return _png(image)

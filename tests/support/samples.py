"""Sample data and pictures, made in memory: a CSV recap, a minimal PDF, real images, and
infographic-like designs drawn with Pillow for the browser tests."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

SAMPLE_CSV = b"kecamatan,jumlah\nMagetan,45780\nMaospati,48200\nPlaosan,50500\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(kind="PNG", size=(4, 3), color=(200, 30, 30)) -> bytes:
    """A real image made in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def infographic(background=(13, 110, 253), bars=(255, 193, 7), size=(480, 480),
                heights=(0.45, 0.7, 0.55, 0.9)) -> bytes:
    """A square PNG with a title band and a bar chart: it looks like a design in a card."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, height // 6], fill=(255, 255, 255))
    draw.rectangle([width // 12, height // 18, width * 2 // 3, height // 9], fill=background)
    slot = width // (len(heights) + 1)
    base = height - height // 10
    for n, share in enumerate(heights):
        left = slot // 2 + n * slot + slot // 6
        draw.rectangle([left, base - int(share * height * 0.6), left + slot * 2 // 3, base], fill=bars)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def save_infographic(path: Path, **kw) -> Path:
    """An infographic written to path."""
    path.write_bytes(infographic(**kw))
    return path

"""Designs for the browser tests: small infographic-like images drawn with Pillow."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw


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


def save(path: Path, **kw) -> Path:
    path.write_bytes(infographic(**kw))
    return path

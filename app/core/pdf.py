"""What the printed documents share: a font that writes Indonesian (DejaVu Sans from the machine,
Debian's fonts-dejavu-core; without it Helvetica, with the text reduced to Latin-1) and a footer
on every page."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_CANDIDATES: list[tuple[str, str]] = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]
_LATIN1 = str.maketrans({"—": "-", "–": "-", "·": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"',
                         "≤": "<=", "≥": ">=", "•": "-"})


def font_pair() -> tuple[str, str] | None:
    """The regular and bold font files on this machine, or None."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


class Printout(FPDF):
    """A document in the machine's font: ``family`` to set, ``text`` to make any value printable,
    ``footer_text(page)`` for the line at the bottom of each page, ``footer`` its (font size,
    distance from the bottom, height) in points and millimetres."""

    def __init__(self, *, orientation: str, footer_text: Callable[[int], str],
                 footer: tuple[float, float, float]):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._fonts = font_pair()
        self._footer_text, (self._footer_size, self._footer_offset, self._footer_height) = footer_text, footer
        if self._fonts:
            self.family = "DejaVu"
            self.add_font(self.family, "", self._fonts[0])
            self.add_font(self.family, "B", self._fonts[1])
        else:
            self.family = "Helvetica"

    @property
    def unicode(self) -> bool:
        """Whether any character prints (else Latin-1 only)."""
        return self._fonts is not None

    def text(self, value: Any) -> str:
        value = str(value)
        if self._fonts:
            return value
        return value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def footer(self):
        self.set_y(-self._footer_offset)
        self.set_font(self.family, "", self._footer_size)
        self.cell(0, self._footer_height, self.text(self._footer_text(self.page_no())), align="C")

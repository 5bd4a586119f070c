"""The SOP document as an A4 landscape PDF: the identity block and lists, the activity table with
the signature under it, and the flowchart drawn from the same layout as the page's SVG."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

from fpdf.fonts import FontFace

from app.core.pdf import Printout

from .flowchart import HEADER, NO_WIDTH, ROW_HEIGHT, Flowchart, diamond_points, flowchart
from .metadata import LIST_TITLES, Document, identity_rows, signer_lines

# The flowchart's fills in the PDF, as the SVG's (white for a task).
FILLS = {"start": (209, 231, 221), "event": (207, 226, 255), "decision": (255, 243, 205),
         "gateway": (255, 243, 205)}


def pdf(doc: Document, *, generated_at: datetime) -> bytes:
    """The SOP document as an A4 landscape PDF: identity and lists, the activity table, the
    flowchart (drawn from the same layout as the page's SVG)."""
    title = f"SOP {doc.get('nama_sop')}"
    out = Printout(orientation="L", footer=(7.5, 10, 4),
                   footer_text=lambda page: f"{title} — Nomor {doc.get('nomor_sop')} — versi proses "
                                            f"{doc.version.version} — halaman {page} dari {{nb}}")
    out.set_title(out.text(title))
    out.set_author(out.text(doc.get("unit", "Dinas Komunikasi dan Informatika")))
    out.set_creation_date(generated_at)
    out.set_margins(12, 12, 12)
    out.set_auto_page_break(True, margin=14)
    _identity_page(out, doc)
    _activity_page(out, doc)
    _signature(out, doc)
    _flowchart_page(out, doc)
    buffer = io.BytesIO()
    out.output(buffer)
    return buffer.getvalue()


def pdf_filename(doc: Document) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", doc.get("nama_sop") or doc.process_id).strip("-")
    return f"SOP-{safe}-v{doc.version.version}.pdf"


def _heading() -> FontFace:
    """The style of the tables' headings."""
    return FontFace(emphasis="BOLD", fill_color=(233, 236, 239))


def _identity_page(out: Printout, doc: Document) -> None:
    """Page 1: identity block and lists."""
    text = out.text
    out.add_page()
    width = out.epw
    out.set_font(out.family, "", 8.5)
    with out.table(col_widths=(width * 0.42, width * 0.18, width * 0.40), first_row_as_headings=False,
                   line_height=4.6, padding=1.2, width=width) as grid:
        identity = identity_rows(doc)
        first = grid.row()
        first.cell(text(f"{doc.get('instansi')}\n{doc.get('unit')}"), rowspan=len(identity),
                   align="C", v_align="M", style=FontFace(emphasis="BOLD", size_pt=12))
        first.cell(text(identity[0][0]))
        first.cell(text(identity[0][1]))
        for label, value in identity[1:]:
            row = grid.row()
            row.cell(text(label))
            row.cell(text(value))
    out.ln(4)
    half, heading = width / 2, _heading()
    with out.table(col_widths=(half, half), headings_style=heading, line_height=4.6, padding=1.2,
                   width=width, first_row_as_headings=False) as grid:
        for pair in (LIST_TITLES[0:2], LIST_TITLES[2:4], LIST_TITLES[4:6]):
            head = grid.row(style=heading)
            for _key, label in pair:
                head.cell(text(label.upper()))
            body = grid.row()
            for key, _label in pair:
                items = doc.meta.get(key) or []
                body.cell(text("\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)) or "-"))


def _activity_page(out: Printout, doc: Document) -> None:
    """Page 2: the activity table, a column per Pelaksana with a mark in the row's."""
    text, table, width = out.text, doc.table, out.epw
    mark = "✓" if out.unicode else "X"
    out.add_page()
    out.set_font(out.family, "B", 11)
    out.cell(0, 7, text(f"JUDUL SOP : {doc.get('judul_sop')}"), new_x="LMARGIN", new_y="NEXT")
    out.ln(1)
    lanes = list(table.pelaksana) or ["-"]
    fixed = 10 + 60 + 45 + 18 + 50 + 45
    lane_w = max((width - fixed) / len(lanes), 16)
    widths = (10, 60, *([lane_w] * len(lanes)), 45, 18, 50, 45)
    if sum(widths) > width:  # many lanes: every column gives a little
        widths = tuple(w * width / sum(widths) for w in widths)
    out.set_font(out.family, "", 8)
    with out.table(col_widths=widths, headings_style=_heading(), line_height=4.2, padding=1, width=sum(widths),
                   num_heading_rows=2, text_align="LEFT", v_align="M") as grid:
        head = grid.row()
        head.cell("No", rowspan=2, align="C")
        head.cell("Kegiatan", rowspan=2, align="C")
        head.cell("Pelaksana", colspan=len(lanes), align="C")
        head.cell("Mutu Baku", colspan=4, align="C")
        sub = grid.row()
        for lane in lanes:
            sub.cell(text(lane), align="C")
        for label in ("Persyaratan / Kelengkapan", "Waktu", "Output", "Keterangan"):
            sub.cell(text(label), align="C")
        for item in table.rows:
            row = grid.row()
            row.cell(str(item.no), align="C")
            row.cell(text(item.kegiatan))
            for lane in lanes:
                row.cell(mark if item.lane == lane else "", align="C")
            row.cell(text(item.persyaratan))
            row.cell(text(item.waktu), align="C")
            row.cell(text(item.output))
            row.cell(text(item.keterangan))


def _signature(out: Printout, doc: Document) -> None:
    """The signature under the table, as the SOP ends; on a new page when it does not fit."""
    signer = signer_lines(doc)
    if not signer:
        return
    block = 5 * (3 + len(signer)) + 16
    if out.get_y() + 6 + block > out.h - out.b_margin:
        out.add_page()
    out.ln(6)
    column = 110
    x = out.l_margin + out.epw - column
    out.set_font(out.family, "", 9.5)
    for line in ["Mengetahui,", doc.get("jabatan_pengesah")]:
        if line:
            out.set_x(x)
            out.multi_cell(column, 5, out.text(line), align="C", new_x="LMARGIN", new_y="NEXT")
    out.ln(16)
    for i, line in enumerate(signer):
        out.set_font(out.family, "B" if i == 0 else "", 9.5)
        out.set_x(x)
        out.cell(column, 5, out.text(line), align="C", new_x="LMARGIN", new_y="NEXT")


@dataclass(frozen=True)
class _Placement:
    """Where the flowchart's layout lands on the page: its top left corner and its scale."""
    left: float
    top: float
    scale: float

    def at(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.scale, self.top + y * self.scale


def _flowchart_page(out: Printout, doc: Document) -> None:
    """Page 3: the flowchart, scaled to the page."""
    out.add_page()
    out.set_font(out.family, "B", 11)
    out.cell(0, 7, out.text(f"DIAGRAM ALIR: {doc.get('judul_sop')}"), new_x="LMARGIN", new_y="NEXT")
    chart = flowchart(doc.table)
    width = out.epw
    top = out.get_y() + 2
    scale = min(width / chart.width, (out.h - out.b_margin - top) / chart.height)
    place = _Placement(out.l_margin + (width - chart.width * scale) / 2, top, scale)
    font_size = max(5.5, 10.5 * scale * 72 / 25.4 * 0.9)
    line_h = font_size * 25.4 / 72 * 1.15
    _chart_columns(out, chart, place)
    _chart_shapes(out, chart, place, font_size, line_h)
    _chart_connectors(out, chart, place, font_size, line_h)


def _chart_columns(out: Printout, chart: Flowchart, place: _Placement) -> None:
    """The No column and a column per Pelaksana, each with its heading."""
    at, scale = place.at, place.scale
    out.set_draw_color(33, 37, 41)
    out.set_line_width(0.25)
    out.set_fill_color(233, 236, 239)
    out.rect(*at(0, 0), NO_WIDTH * scale, HEADER * scale, style="DF")
    out.set_font(out.family, "B", 9)
    out.set_xy(*at(0, 0))
    out.cell(NO_WIDTH * scale, HEADER * scale, "No", align="C")
    for column in chart.columns:
        out.set_fill_color(233, 236, 239)
        out.rect(*at(column.x, 0), column.width * scale, HEADER * scale, style="DF")
        out.rect(*at(column.x, HEADER), column.width * scale, (chart.height - HEADER) * scale)
        out.set_xy(*at(column.x, 0))
        out.cell(column.width * scale, HEADER * scale, out.text(column.name or "-"), align="C")
    out.rect(*at(0, HEADER), NO_WIDTH * scale, (chart.height - HEADER) * scale)


def _chart_shapes(out: Printout, chart: Flowchart, place: _Placement, font_size: float, line_h: float) -> None:
    """Each step's number, and its box (a diamond for a decision) with its text."""
    at, scale = place.at, place.scale
    for shape in chart.shapes:
        out.set_font(out.family, "", 9)
        out.set_xy(*at(0, shape.cy - ROW_HEIGHT / 2))
        out.cell(NO_WIDTH * scale, ROW_HEIGHT * scale, str(shape.no), align="C")
        out.set_fill_color(*FILLS.get(shape.kind, (255, 255, 255)))
        if shape.kind in ("decision", "gateway"):
            out.polygon([at(x, y) for x, y in diamond_points(shape)], style="DF")
        else:
            x, y = at(shape.left, shape.top)
            out.rect(x, y, shape.w * scale, shape.h * scale, style="DF",
                     round_corners=shape.kind in ("start", "event"),
                     # fpdf2 takes a radius of half the height or more for a fraction
                     corner_radius=(shape.h / 2 * 0.98 if shape.kind == "start" else 10) * scale)
        out.set_font(out.family, "", font_size)
        first = shape.cy * scale + place.top - len(shape.lines) * line_h / 2
        for i, line in enumerate(shape.lines):
            out.set_xy(place.left + shape.left * scale, first + i * line_h)
            out.cell(shape.w * scale, line_h, out.text(line), align="C")


def _chart_connectors(out: Printout, chart: Flowchart, place: _Placement, font_size: float,
                      line_h: float) -> None:
    """The arrows, each with its head and its label."""
    out.set_fill_color(33, 37, 41)
    for connector in chart.connectors:
        points = [place.at(x, y) for x, y in connector.points]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            out.line(x1, y1, x2, y2)
        (x1, y1), (x2, y2) = points[-2], points[-1]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-6)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        size = 2.0
        out.polygon([(x2, y2), (x2 - ux * size - uy * size / 2, y2 - uy * size + ux * size / 2),
                     (x2 - ux * size + uy * size / 2, y2 - uy * size - ux * size / 2)], style="F")
        if connector.label:
            out.set_font(out.family, "", max(5.5, font_size * 0.95))
            lx, ly = place.at(*connector.label_at)
            label_w = out.get_string_width(out.text(connector.label)) + 1
            shift = {"end": label_w, "middle": label_w / 2}.get(connector.label_anchor, 0)
            out.set_xy(lx - shift, ly - line_h * 0.8)
            out.cell(label_w, line_h, out.text(connector.label))

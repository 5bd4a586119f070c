"""The flowchart of the SOP document in SOP style: a row per step, a column per Pelaksana, and
the arrows between them; laid out once (:func:`flowchart`) for both the page's SVG
(:func:`flowchart_svg`) and the PDF."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .table import ActivityTable

NO_WIDTH = 44
LANE_WIDTH = 210
HEADER = 40
ROW_HEIGHT = 78
BOX_W, BOX_H = 150, 50
DIAMOND_W, DIAMOND_H = 150, 62
CHARS_PER_LINE = 24
GUTTER = 16


@dataclass(frozen=True)
class Column:
    name: str
    x: float
    width: float


@dataclass(frozen=True)
class Shape:
    no: int
    kind: str
    lane: str
    cx: float
    cy: float
    w: float
    h: float
    lines: tuple[str, ...]

    @property
    def left(self) -> float:
        return self.cx - self.w / 2

    @property
    def right(self) -> float:
        return self.cx + self.w / 2

    @property
    def top(self) -> float:
        return self.cy - self.h / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.h / 2


@dataclass(frozen=True)
class Connector:
    source: int
    target: int
    label: str
    points: tuple[tuple[float, float], ...]
    label_at: tuple[float, float]
    label_anchor: str = "start"


@dataclass(frozen=True)
class Flowchart:
    width: float
    height: float
    columns: tuple[Column, ...]
    shapes: tuple[Shape, ...]
    connectors: tuple[Connector, ...] = field(default=())


def wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = 3) -> tuple[str, ...]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return tuple(lines)


def flowchart(table: ActivityTable) -> Flowchart:
    """Where every shape and arrow goes: a row per step, a column per Pelaksana."""
    columns = [Column(name, NO_WIDTH + i * LANE_WIDTH, LANE_WIDTH) for i, name in enumerate(table.pelaksana)]
    if not columns or any(not row.lane for row in table.rows):
        columns.append(Column("", NO_WIDTH + len(columns) * LANE_WIDTH, LANE_WIDTH))
    column_of = {c.name: c for c in columns}
    shapes: dict[int, Shape] = {}
    for index, row in enumerate(table.rows):
        column = column_of.get(row.lane) or column_of[""]
        w, h = (DIAMOND_W, DIAMOND_H) if row.kind in ("decision", "gateway") else (BOX_W, BOX_H)
        lines = wrap(row.kegiatan, 18 if row.kind in ("decision", "gateway") else CHARS_PER_LINE,
                     2 if row.kind in ("decision", "gateway") else 3)
        shapes[row.no] = Shape(row.no, row.kind, row.lane, column.x + column.width / 2,
                               HEADER + index * ROW_HEIGHT + ROW_HEIGHT / 2, w, h, lines)
    width = NO_WIDTH + len(columns) * LANE_WIDTH
    height = HEADER + len(table.rows) * ROW_HEIGHT
    connectors = []
    back_offset: dict[float, int] = {}
    for link in table.links:
        a, b = shapes[link.source], shapes[link.target]
        if b.no == a.no + 1 or (b.no > a.no and a.cx == b.cx and all(
                s.cx != a.cx for n, s in shapes.items() if a.no < n < b.no)):
            # Down to the next row: straight, or across the columns halfway.
            if a.cx == b.cx:
                points = ((a.cx, a.bottom), (b.cx, b.top))
                label_at, anchor = (a.cx + 6, a.bottom + 11), "start"
            else:
                # Across the columns: labelled on the crossing, apart from a branch straight down.
                middle = (a.bottom + b.top) / 2
                points = ((a.cx, a.bottom), (a.cx, middle), (b.cx, middle), (b.cx, b.top))
                label_at, anchor = ((a.cx + b.cx) / 2, middle - 4), "middle"
        else:
            # Back (a loop) or over other rows: out of the side, along a gutter, into the side.
            goes_left = b.cx < a.cx
            if goes_left:
                gutter = b.right + GUTTER + 8 * back_offset.get(b.right, 0)
                back_offset[b.right] = back_offset.get(b.right, 0) + 1
                points = ((a.left, a.cy), (gutter, a.cy), (gutter, b.cy), (b.right, b.cy))
                label_at, anchor = (a.left - 6, a.cy - 6), "end"
            else:
                edge = max(a.right, b.right)
                gutter = edge + GUTTER + 8 * back_offset.get(edge, 0)
                back_offset[edge] = back_offset.get(edge, 0) + 1
                points = ((a.right, a.cy), (gutter, a.cy), (gutter, b.cy), (b.right, b.cy))
                label_at, anchor = (a.right + 6, a.cy - 6), "start"
        connectors.append(Connector(link.source, link.target, link.label, points, label_at, anchor))
    return Flowchart(width, height, tuple(columns), tuple(shapes[r.no] for r in table.rows), tuple(connectors))


def diamond_points(shape: Shape) -> tuple[tuple[float, float], ...]:
    return ((shape.cx, shape.top), (shape.right, shape.cy), (shape.cx, shape.bottom), (shape.left, shape.cy))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def flowchart_svg(table: ActivityTable, *, title: str = "Diagram alir SOP") -> Markup:
    """The flowchart as an SVG document fragment (no scripts, no styles: attributes only)."""
    chart = flowchart(table)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sop-flowchart" role="img" '
        f'viewBox="0 0 {_n(chart.width)} {_n(chart.height)}" width="{_n(chart.width)}" '
        f'height="{_n(chart.height)}" aria-label="{escape(title)}" font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="sop-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#212529"/></marker></defs>',
        f'<rect x="0" y="0" width="{_n(chart.width)}" height="{_n(chart.height)}" fill="#fff" stroke="#212529"/>',
        f'<g class="sop-no-column"><rect x="0" y="0" width="{NO_WIDTH}" height="{HEADER}" fill="#e9ecef" '
        f'stroke="#212529"/><text x="{NO_WIDTH / 2}" y="{HEADER / 2 + 4}" text-anchor="middle" font-size="12" '
        f'font-weight="bold">No</text></g>',
    ]
    for column in chart.columns:
        out.append(
            f'<g class="sop-lane" data-lane="{escape(column.name)}" data-x="{_n(column.x)}" '
            f'data-width="{_n(column.width)}">'
            f'<rect x="{_n(column.x)}" y="0" width="{_n(column.width)}" height="{HEADER}" fill="#e9ecef" '
            f'stroke="#212529"/><rect x="{_n(column.x)}" y="{HEADER}" width="{_n(column.width)}" '
            f'height="{_n(chart.height - HEADER)}" fill="none" stroke="#212529"/>'
            f'<text x="{_n(column.x + column.width / 2)}" y="{HEADER / 2 + 4}" text-anchor="middle" '
            f'font-size="12" font-weight="bold">{escape(column.name or "-")}</text></g>')
    for shape in chart.shapes:
        row_top = shape.cy - ROW_HEIGHT / 2
        out.append(f'<line x1="0" y1="{_n(row_top)}" x2="{_n(chart.width)}" y2="{_n(row_top)}" '
                   f'stroke="#adb5bd" stroke-width="0.5" stroke-dasharray="3 3"/>')
        out.append(f'<text x="{NO_WIDTH / 2}" y="{_n(shape.cy + 4)}" text-anchor="middle" font-size="12">'
                   f'{shape.no}</text>')
    out += [_step_svg(shape) for shape in chart.shapes]
    out += [_flow_svg(connector) for connector in chart.connectors]
    out.append("</svg>")
    return Markup("".join(out))


def _step_svg(shape: Shape) -> str:
    """A step's box (a diamond for a decision) with its text."""
    attrs = (f'class="sop-step" data-no="{shape.no}" data-kind="{shape.kind}" '
             f'data-lane="{escape(shape.lane)}" data-cx="{_n(shape.cx)}" data-cy="{_n(shape.cy)}"')
    if shape.kind in ("decision", "gateway"):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in diamond_points(shape))
        body = f'<polygon points="{points}" fill="#fff3cd" stroke="#212529" stroke-width="1.2"/>'
    else:
        radius = {"start": shape.h / 2, "event": 10}.get(shape.kind, 2)
        fill = {"start": "#d1e7dd", "event": "#cfe2ff"}.get(shape.kind, "#ffffff")
        body = (f'<rect x="{_n(shape.left)}" y="{_n(shape.top)}" width="{_n(shape.w)}" height="{_n(shape.h)}" '
                f'rx="{_n(radius)}" fill="{fill}" stroke="#212529" stroke-width="1.2"/>')
    size = 10 if shape.kind in ("decision", "gateway") else 10.5
    first = shape.cy - (len(shape.lines) - 1) * (size + 2) / 2 + size / 3
    text = "".join(
        f'<tspan x="{_n(shape.cx)}" y="{_n(first + i * (size + 2))}">{escape(line)}</tspan>'
        for i, line in enumerate(shape.lines))
    return f'<g {attrs}>{body}<text text-anchor="middle" font-size="{size}">{text}</text></g>'


def _flow_svg(connector: Connector) -> str:
    """An arrow with its label."""
    d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in connector.points)
    return (
        f'<g class="sop-flow" data-from="{connector.source}" data-to="{connector.target}" '
        f'data-label="{escape(connector.label)}"><path d="{d}" fill="none" stroke="#212529" '
        f'stroke-width="1.2" marker-end="url(#sop-arrow)"/>'
        + (f'<text x="{_n(connector.label_at[0])}" y="{_n(connector.label_at[1])}" font-size="10" '
           f'font-style="italic" text-anchor="{connector.label_anchor}">{escape(connector.label)}</text>'
           if connector.label else "")
        + "</g>")

"""The SOP document of a process, generated from a deployed version: the identity block and
lists that an admin keeps as metadata (``ProcessMeta.meta``), the activity table and the
flowchart in SOP style (a column per Pelaksana), as a printable page and as a PDF.

The activity table comes from the BPMN alone:

- Rows in flow order: the sequence flows are walked breadth-first from the start event, and
  every element is visited once, so that the loop back from a gateway repeats no step.
- A row is a named start event, every task, a named intermediate event (a milestone such as
  "Hasil disetujui") and a gateway that carries the property ``barisSop``. End events and
  other gateways are not rows.
- A decision is the task whose only way out is an exclusive gateway that splits: the pair is
  one row, drawn as a diamond, and the gateway's name (the question, "Apakah ada revisi?")
  is its Kegiatan unless the task says otherwise.
- Kegiatan is the property ``kegiatanSop`` when present, else (a decision) the gateway's
  name, else the element's name. Pelaksana is the element's lane; Persyaratan/Kelengkapan,
  Output and Keterangan are the properties ``persyaratan``, ``output`` and ``keterangan``;
  Waktu is the property ``waktuHariKerja`` in days ("1 hari").
- The Pelaksana columns follow the metadata ``pelaksana_order`` (lane names) where it is set;
  lanes it does not name follow in the order of the BPMN.
"""
from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select

from app import policy
from app.core import audit
from app.core.errors import Invalid, NotFound
from app.core.models import User, utcnow
from app.core.pdf import Printout
from app.core.workcal import BULAN
from app.engine import outline_of
from app.extensions import db
from app.workflow import processes
from app.workflow.models import ProcessVersion

from .models import ProcessMeta

TASK_TAGS = {"userTask", "task", "manualTask", "subProcess"}
EVENT_TAGS = {"intermediateThrowEvent", "intermediateCatchEvent"}
GATEWAY_TAGS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                "complexGateway"}
FLOW_NODE_TAGS = TASK_TAGS | EVENT_TAGS | GATEWAY_TAGS | {
    "startEvent", "endEvent", "boundaryEvent", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity"}


# The activity table ------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    no: int
    element_id: str
    kind: str          # "start", "task", "decision", "event", "gateway"
    kegiatan: str
    lane: str          # the Pelaksana: a lane name, "" when the element is in no lane
    persyaratan: str
    waktu: str         # "1 hari", "" when the element has no standard time
    output: str
    keterangan: str


@dataclass(frozen=True)
class Link:
    """An arrow of the flowchart between two rows (their numbers), with the flow's name."""
    source: int
    target: int
    label: str


@dataclass(frozen=True)
class ActivityTable:
    pelaksana: tuple[str, ...]
    rows: tuple[Row, ...]
    links: tuple[Link, ...]


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def days_text(raw: str | None) -> str:
    """waktuHariKerja as the SOP writes it: "1 hari", "0,5 hari"; "" when absent or not a number."""
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return ""
    if not value > 0:
        return ""
    number = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} hari"


def table_from_xml(xml: bytes, pelaksana_order: Iterable[str] = ()) -> ActivityTable:
    """The activity table and the flowchart's arrows of a BPMN document (already validated)."""
    model = outline_of(xml)
    lanes: list[str] = []
    for name in (_clean(n) for n in model.lanes):
        if name and name not in lanes:
            lanes.append(name)
    lane_of = {e.id: _clean(e.lane) for e in model.elements.values() if e.lane}
    nodes = {e.id: e for e in model.elements.values() if e.kind in FLOW_NODE_TAGS}
    outgoing: dict[str, list[tuple[str, str]]] = {}
    incoming: dict[str, int] = {}
    for flow in model.of_kind("sequenceFlow"):
        if flow.source in nodes and flow.target in nodes:
            outgoing.setdefault(flow.source, []).append((flow.target, _clean(flow.name)))
            incoming[flow.target] = incoming.get(flow.target, 0) + 1

    # A decision: a task whose only way out is an exclusive gateway that splits and that
    # nothing else enters.
    decision_gateway: dict[str, str] = {}
    absorbed: set[str] = set()
    for node_id, element in nodes.items():
        if element.kind not in TASK_TAGS:
            continue
        out = outgoing.get(node_id, [])
        if len(out) != 1:
            continue
        gateway_id = out[0][0]
        gateway = nodes[gateway_id]
        if (gateway.kind == "exclusiveGateway" and len(outgoing.get(gateway_id, [])) > 1
                and incoming.get(gateway_id, 0) == 1 and gateway_id not in absorbed):
            decision_gateway[node_id] = gateway_id
            absorbed.add(gateway_id)

    def is_row(node_id: str) -> bool:
        element = nodes[node_id]
        kind = element.kind
        if kind in TASK_TAGS:
            return True
        if kind in ("startEvent", *EVENT_TAGS):
            return bool(_clean(element.name))
        if kind in GATEWAY_TAGS:
            return node_id not in absorbed and "barisSop" in element.properties
        return False

    # Flow order: breadth-first from the start events, each element once.
    order: list[str] = []
    seen: set[str] = set()
    starts = [i for i, e in nodes.items() if e.kind == "startEvent" and e.top_level]
    queue = deque(starts)
    seen.update(starts)
    while queue:
        node_id = queue.popleft()
        order.append(node_id)
        for target, _name in outgoing.get(node_id, []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    # Elements that no flow reaches still belong in the document, after the others.
    order += [i for i in nodes if i not in seen and nodes[i].top_level]

    rows: list[Row] = []
    number_of: dict[str, int] = {}
    for node_id in order:
        if not is_row(node_id):
            continue
        element = nodes[node_id]
        props = element.properties
        kind = {"startEvent": "start", **{t: "event" for t in EVENT_TAGS},
                **{t: "gateway" for t in GATEWAY_TAGS}}.get(element.kind, "task")
        gateway_id = decision_gateway.get(node_id)
        kegiatan = _clean(props.get("kegiatanSop"))
        if gateway_id is not None:
            kind = "decision"
            kegiatan = kegiatan or _clean(nodes[gateway_id].name)
        kegiatan = kegiatan or _clean(element.name) or node_id
        number_of[node_id] = len(rows) + 1
        rows.append(Row(
            no=len(rows) + 1, element_id=node_id, kind=kind, kegiatan=kegiatan,
            lane=lane_of.get(node_id, ""), persyaratan=_clean(props.get("persyaratan")),
            waktu=days_text(props.get("waktuHariKerja")), output=_clean(props.get("output")),
            keterangan=_clean(props.get("keterangan")),
        ))
    for task_id, gateway_id in decision_gateway.items():
        if task_id in number_of:
            number_of[gateway_id] = number_of[task_id]

    # Arrows: from each row (a decision leaves from its gateway) to the next rows, passing
    # through the elements that are not rows.
    links: list[Link] = []
    for row in rows:
        start = decision_gateway.get(row.element_id, row.element_id)
        found: list[tuple[int, str]] = []
        stack = [(target, name) for target, name in reversed(outgoing.get(start, []))]
        visited: set[str] = set()
        while stack:
            node_id, label = stack.pop()
            if node_id in visited:
                continue
            visited.add(node_id)
            if node_id in number_of:
                found.append((number_of[node_id], label))
                continue
            for target, name in reversed(outgoing.get(node_id, [])):
                stack.append((target, label or name))
        for target, label in found:
            links.append(Link(row.no, target, label))

    order_names = [name for name in dict.fromkeys(_clean(n) for n in pelaksana_order) if name in lanes]
    pelaksana = tuple(order_names + [name for name in lanes if name not in order_names])
    return ActivityTable(pelaksana=pelaksana, rows=tuple(rows), links=tuple(links))


def activity_table(version: ProcessVersion, pelaksana_order: Iterable[str] = ()) -> ActivityTable:
    model = processes.model_of(version)
    return table_from_xml(model.xml.encode("utf-8"), pelaksana_order)


# The flowchart ---------------------------------------------------------------------------

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
    for shape in chart.shapes:
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
        out.append(f'<g {attrs}>{body}<text text-anchor="middle" font-size="{size}">{text}</text></g>')
    for connector in chart.connectors:
        d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in connector.points)
        out.append(
            f'<g class="sop-flow" data-from="{connector.source}" data-to="{connector.target}" '
            f'data-label="{escape(connector.label)}"><path d="{d}" fill="none" stroke="#212529" '
            f'stroke-width="1.2" marker-end="url(#sop-arrow)"/>'
            + (f'<text x="{_n(connector.label_at[0])}" y="{_n(connector.label_at[1])}" font-size="10" '
               f'font-style="italic" text-anchor="{connector.label_anchor}">{escape(connector.label)}</text>'
               if connector.label else "")
            + "</g>")
    out.append("</svg>")
    return Markup("".join(out))


# The metadata ----------------------------------------------------------------------------

IDENTITY_FIELDS: tuple[tuple[str, bool, int], ...] = (
    # (key, required, max length)
    ("instansi", True, 255),
    ("unit", True, 255),
    ("nomor_sop", True, 100),
    ("tanggal_pembuatan", True, 10),
    ("tanggal_revisi", False, 10),
    ("tanggal_pengesahan", True, 10),
    ("disahkan_oleh", True, 255),
    ("jabatan_pengesah", False, 255),
    ("pangkat_pengesah", False, 100),
    ("nip_pengesah", False, 30),
    ("nama_sop", True, 255),
    ("judul_sop", True, 255),
)
DATE_FIELDS = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_pengesahan")
LIST_FIELDS = ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan",
               "pencatatan_dan_pendataan", "pelaksana_order")
MAX_ITEMS = 30
MAX_ITEM = 500
NIP = re.compile(r"^\d{18}$")


def require_admin(user: User | None) -> None:
    policy.require(policy.may_administer_processes(user), "Hanya Admin yang dapat mengubah metadata SOP.")


def meta_row(process_id: str) -> ProcessMeta | None:
    return db.session.scalar(select(ProcessMeta).where(ProcessMeta.process_id == process_id))


def meta_of(process_id: str) -> dict[str, Any]:
    row = meta_row(process_id)
    return dict(row.meta) if row is not None and isinstance(row.meta, dict) else {}


def version_of(process_id: str, number: int | None = None) -> ProcessVersion:
    if number is None:
        version = processes.latest(process_id)
    else:
        version = db.session.scalar(select(ProcessVersion).where(
            ProcessVersion.process_id == process_id, ProcessVersion.version == number))
    if version is None:
        raise NotFound("Proses atau versinya tidak ditemukan.")
    return version


def version_numbers(process_id: str) -> list[int]:
    return list(db.session.scalars(select(ProcessVersion.version).where(
        ProcessVersion.process_id == process_id).order_by(ProcessVersion.version.desc())))


def lanes_of(version: ProcessVersion) -> list[str]:
    return list(processes.model_of(version).lanes)


def form_values(meta: Mapping[str, Any]) -> dict[str, str]:
    """The metadata as the form shows it: each list as one item per line."""
    values = {key: str(meta.get(key) or "") for key, _required, _max in IDENTITY_FIELDS}
    for key in LIST_FIELDS:
        items = meta.get(key) or []
        values[key] = "\n".join(str(item) for item in items) if isinstance(items, list) else str(items)
    return values


def check_meta(values: Mapping[str, Any], lanes: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The metadata from the form's values, or the reasons why not (field -> message)."""
    errors: dict[str, str] = {}
    meta: dict[str, Any] = {}
    for key, required, limit in IDENTITY_FIELDS:
        value = " ".join(str(values.get(key) or "").split())
        if required and not value:
            errors[key] = "wajib diisi"
        elif len(value) > limit:
            errors[key] = f"paling banyak {limit} karakter"
        meta[key] = value
    days: dict[str, date] = {}
    for key in DATE_FIELDS:
        if meta[key] and key not in errors:
            try:
                days[key] = date.fromisoformat(meta[key])
            except ValueError:
                errors[key] = "tanggal tidak valid; gunakan format TTTT-BB-HH"
    made = days.get("tanggal_pembuatan")
    for key in ("tanggal_revisi", "tanggal_pengesahan"):
        if made and key in days and days[key] < made:
            errors[key] = "tidak boleh sebelum tanggal pembuatan"
    if meta["nip_pengesah"] and "nip_pengesah" not in errors:
        if not NIP.match(meta["nip_pengesah"].replace(" ", "")):
            errors["nip_pengesah"] = "NIP terdiri atas 18 angka (spasi boleh)"
    for key in LIST_FIELDS:
        items = [" ".join(line.split()) for line in str(values.get(key) or "").splitlines()]
        items = [item for item in items if item]
        if len(items) > MAX_ITEMS:
            errors[key] = f"paling banyak {MAX_ITEMS} butir"
        elif any(len(item) > MAX_ITEM for item in items):
            errors[key] = f"setiap butir paling banyak {MAX_ITEM} karakter"
        meta[key] = items
    known = list(lanes)
    order = meta["pelaksana_order"]
    if "pelaksana_order" not in errors and order:
        unknown = [name for name in order if name not in known]
        if unknown:
            errors["pelaksana_order"] = ("bukan lajur proses: " + ", ".join(unknown)
                                         + "; lajur yang ada: " + ", ".join(known))
        elif len(set(order)) != len(order):
            errors["pelaksana_order"] = "setiap lajur cukup disebut sekali"
    if not meta["dasar_hukum"] and "dasar_hukum" not in errors:
        errors["dasar_hukum"] = "isi sedikitnya satu dasar hukum"
    return meta, errors


def update_meta(process_id: str, values: Mapping[str, Any], user: User, *,
                now: datetime | None = None) -> tuple[ProcessMeta, bool]:
    """Store the SOP metadata of a process; returns the row and whether anything changed.
    The audit event holds the changed keys before and after."""
    require_admin(user)
    version = version_of(process_id)
    meta, errors = check_meta(values, lanes_of(version))
    if errors:
        raise Invalid("Metadata SOP belum dapat disimpan; periksa isian yang ditandai.", errors)
    row = meta_row(process_id)
    before = dict(row.meta) if row is not None and isinstance(row.meta, dict) else {}
    after = {**before, **meta}
    if not after.get("pelaksana_order"):
        after.pop("pelaksana_order", None)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if row is not None and not changed:
        return row, False
    if row is None:
        row = ProcessMeta(process_id=process_id, meta={})
        db.session.add(row)
    row.meta = after
    row.updated_by_id = user.id
    row.updated_at = now or utcnow()
    db.session.flush()
    audit.record("process.meta.update", user, process=process_id, changed=changed,
                 before={k: before.get(k) for k in changed}, after={k: after.get(k) for k in changed})
    return row, True


# The document ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    process_id: str
    version: ProcessVersion
    meta: dict[str, Any]
    table: ActivityTable

    def get(self, key: str, default: str = "") -> Any:
        return self.meta.get(key) or default


def document(process_id: str, number: int | None = None) -> Document:
    version = version_of(process_id, number)
    meta = meta_of(process_id)
    model = processes.model_of(version)
    meta.setdefault("nomor_sop", model.properties.get("nomorSop", ""))
    meta.setdefault("nama_sop", model.properties.get("namaSop") or model.name)
    meta.setdefault("judul_sop", model.name.upper())
    order = meta.get("pelaksana_order") if isinstance(meta.get("pelaksana_order"), list) else []
    return Document(process_id, version, meta, activity_table(version, order))


def date_text(value: str | None) -> str:
    """An ISO date of the metadata in words ("8 November 2024"); "-" when empty."""
    if not value:
        return "-"
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


LIST_TITLES = (
    ("dasar_hukum", "Dasar Hukum"),
    ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"),
    ("peralatan", "Peralatan"),
    ("peringatan", "Peringatan"),
    ("pencatatan_dan_pendataan", "Pencatatan dan Pendataan"),
)


def identity_rows(doc: Document) -> list[tuple[str, str]]:
    return [
        ("Nomor SOP", doc.get("nomor_sop", "-")),
        ("Tanggal Pembuatan", date_text(doc.get("tanggal_pembuatan"))),
        ("Tanggal Revisi", date_text(doc.get("tanggal_revisi"))),
        ("Tanggal Pengesahan", date_text(doc.get("tanggal_pengesahan"))),
        ("Disahkan Oleh", signer_text(doc)),
        ("Nama SOP", doc.get("nama_sop", "-")),
    ]


def signer_lines(doc: Document) -> list[str]:
    """Name, pangkat and NIP of the one who signed the SOP (the jabatan heads the signature)."""
    lines = [doc.get("disahkan_oleh"), doc.get("pangkat_pengesah")]
    if doc.get("nip_pengesah"):
        lines.append(f"NIP. {doc.get('nip_pengesah')}")
    return [line for line in lines if line]


def signer_text(doc: Document) -> str:
    return "\n".join(signer_lines(doc)) or "-"


def pdf(doc: Document, *, generated_at: datetime) -> bytes:
    """The SOP document as an A4 landscape PDF: identity and lists, the activity table, the
    flowchart (drawn from the same layout as the page's SVG)."""
    from fpdf.fonts import FontFace

    title = f"SOP {doc.get('nama_sop')}"
    out = Printout(orientation="L", footer=(7.5, 10, 4),
                   footer_text=lambda page: f"{title} — Nomor {doc.get('nomor_sop')} — versi proses "
                                            f"{doc.version.version} — halaman {page} dari {{nb}}")
    family, text = out.family, out.text
    out.set_title(text(title))
    out.set_author(text(doc.get("unit", "Dinas Komunikasi dan Informatika")))
    out.set_creation_date(generated_at)
    out.set_margins(12, 12, 12)
    out.set_auto_page_break(True, margin=14)
    heading = FontFace(emphasis="BOLD", fill_color=(233, 236, 239))
    mark = "✓" if out.unicode else "X"

    # Page 1: identity block and lists.
    out.add_page()
    width = out.epw
    out.set_font(family, "", 8.5)
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
    half = width / 2
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

    # Page 2: the activity table.
    table = doc.table
    out.add_page()
    out.set_font(family, "B", 11)
    out.cell(0, 7, text(f"JUDUL SOP : {doc.get('judul_sop')}"), new_x="LMARGIN", new_y="NEXT")
    out.ln(1)
    lanes = list(table.pelaksana) or ["-"]
    fixed = 10 + 60 + 45 + 18 + 50 + 45
    lane_w = max((width - fixed) / len(lanes), 16)
    widths = (10, 60, *([lane_w] * len(lanes)), 45, 18, 50, 45)
    if sum(widths) > width:  # many lanes: every column gives a little
        widths = tuple(w * width / sum(widths) for w in widths)
    out.set_font(family, "", 8)
    with out.table(col_widths=widths, headings_style=heading, line_height=4.2, padding=1, width=sum(widths),
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

    # The signature under the table, as the SOP ends.
    signer = signer_lines(doc)
    if signer:
        block = 5 * (3 + len(signer)) + 16
        if out.get_y() + 6 + block > out.h - out.b_margin:
            out.add_page()
        out.ln(6)
        column = 110
        x = out.l_margin + width - column
        out.set_font(family, "", 9.5)
        for line in ["Mengetahui,", doc.get("jabatan_pengesah")]:
            if line:
                out.set_x(x)
                out.multi_cell(column, 5, text(line), align="C", new_x="LMARGIN", new_y="NEXT")
        out.ln(16)
        for i, line in enumerate(signer):
            out.set_font(family, "B" if i == 0 else "", 9.5)
            out.set_x(x)
            out.cell(column, 5, text(line), align="C", new_x="LMARGIN", new_y="NEXT")

    # Page 3: the flowchart, scaled to the page.
    out.add_page()
    out.set_font(family, "B", 11)
    out.cell(0, 7, text(f"DIAGRAM ALIR: {doc.get('judul_sop')}"), new_x="LMARGIN", new_y="NEXT")
    chart = flowchart(table)
    top = out.get_y() + 2
    scale = min(width / chart.width, (out.h - out.b_margin - top) / chart.height)
    left = out.l_margin + (width - chart.width * scale) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * scale, top + y * scale

    out.set_draw_color(33, 37, 41)
    out.set_line_width(0.25)
    out.set_fill_color(233, 236, 239)
    out.rect(*at(0, 0), NO_WIDTH * scale, HEADER * scale, style="DF")
    out.set_font(family, "B", 9)
    out.set_xy(*at(0, 0))
    out.cell(NO_WIDTH * scale, HEADER * scale, "No", align="C")
    for column in chart.columns:
        out.set_fill_color(233, 236, 239)
        out.rect(*at(column.x, 0), column.width * scale, HEADER * scale, style="DF")
        out.rect(*at(column.x, HEADER), column.width * scale, (chart.height - HEADER) * scale)
        out.set_xy(*at(column.x, 0))
        out.cell(column.width * scale, HEADER * scale, text(column.name or "-"), align="C")
    out.rect(*at(0, HEADER), NO_WIDTH * scale, (chart.height - HEADER) * scale)
    font_size = max(5.5, 10.5 * scale * 72 / 25.4 * 0.9)
    line_h = font_size * 25.4 / 72 * 1.15
    for shape in chart.shapes:
        out.set_font(family, "", 9)
        out.set_xy(*at(0, shape.cy - ROW_HEIGHT / 2))
        out.cell(NO_WIDTH * scale, ROW_HEIGHT * scale, str(shape.no), align="C")
        fill = {"start": (209, 231, 221), "event": (207, 226, 255), "decision": (255, 243, 205),
                "gateway": (255, 243, 205)}.get(shape.kind, (255, 255, 255))
        out.set_fill_color(*fill)
        if shape.kind in ("decision", "gateway"):
            out.polygon([at(x, y) for x, y in diamond_points(shape)], style="DF")
        else:
            x, y = at(shape.left, shape.top)
            out.rect(x, y, shape.w * scale, shape.h * scale, style="DF",
                     round_corners=shape.kind in ("start", "event"),
                     # fpdf2 takes a radius of half the height or more for a fraction
                     corner_radius=(shape.h / 2 * 0.98 if shape.kind == "start" else 10) * scale)
        out.set_font(family, "", font_size)
        first = shape.cy * scale + top - len(shape.lines) * line_h / 2
        for i, line in enumerate(shape.lines):
            out.set_xy(left + shape.left * scale, first + i * line_h)
            out.cell(shape.w * scale, line_h, text(line), align="C")
    out.set_fill_color(33, 37, 41)
    for connector in chart.connectors:
        points = [at(x, y) for x, y in connector.points]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            out.line(x1, y1, x2, y2)
        (x1, y1), (x2, y2) = points[-2], points[-1]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-6)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        size = 2.0
        out.polygon([(x2, y2), (x2 - ux * size - uy * size / 2, y2 - uy * size + ux * size / 2),
                     (x2 - ux * size + uy * size / 2, y2 - uy * size - ux * size / 2)], style="F")
        if connector.label:
            out.set_font(family, "", max(5.5, font_size * 0.95))
            lx, ly = at(*connector.label_at)
            label_w = out.get_string_width(text(connector.label)) + 1
            shift = {"end": label_w, "middle": label_w / 2}.get(connector.label_anchor, 0)
            out.set_xy(lx - shift, ly - line_h * 0.8)
            out.cell(label_w, line_h, text(connector.label))
    buffer = io.BytesIO()
    out.output(buffer)
    return buffer.getvalue()


def pdf_filename(doc: Document) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", doc.get("nama_sop") or doc.process_id).strip("-")
    return f"SOP-{safe}-v{doc.version.version}.pdf"

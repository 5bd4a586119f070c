"""The public catalog: the datasets the walidata checked, found by words, OPD, topic and year."""
from __future__ import annotations

import csv
import io
import json
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, func, or_, select

from app.catalog.models import Dataset
from app.core import files
from app.core.models import Opd
from app.core.paging import page_of
from app.extensions import db

from . import data_templates
from .datasets import XLSX_TYPE, Table, period_label, read_table

PUBLIC_STATUS = "ready"


def public_query(q: str = "", *, opd: str = "", topic: str = "", year: int | None = None) -> Select:
    """Checked datasets, newest first, narrowed by the words of ``q`` (title, description, OPD,
    topic) and the filters."""
    query = (select(Dataset).join(Opd, Dataset.opd_code == Opd.code)
             .where(Dataset.status == PUBLIC_STATUS)
             .order_by(Dataset.release_date.desc(), Dataset.id.desc()))
    for word in q.lower().split()[:10]:
        query = query.where(or_(*(func.lower(column).contains(word, autoescape=True) for column in
                                  (Dataset.title, Dataset.description, Dataset.topic, Opd.name, Opd.short_name))))
    if opd:
        query = query.where(Dataset.opd_code == opd)
    if topic:
        query = query.where(Dataset.topic == topic)
    if year:
        query = query.where(Dataset.year == year)
    return query


def search(page_no: int, per_page: int, q: str = "", **filters) -> tuple[list[Dataset], int]:
    return page_of(public_query(q, **filters), page_no, per_page)


def public(dataset_id: int) -> Dataset | None:
    return db.session.scalar(select(Dataset).where(Dataset.id == dataset_id, Dataset.status == PUBLIC_STATUS))


def facets() -> dict[str, list]:
    """The values the filters offer: OPDs, topics and years that have checked data."""
    ready = Dataset.status == PUBLIC_STATUS
    return {
        "opds": db.session.execute(
            select(Opd.code, Opd.name).join(Dataset, Dataset.opd_code == Opd.code).where(ready)
            .group_by(Opd.code, Opd.name).order_by(Opd.name)).all(),
        "topics": list(db.session.scalars(
            select(Dataset.topic).where(ready, Dataset.topic != "").distinct().order_by(Dataset.topic))),
        "years": list(db.session.scalars(
            select(Dataset.year).where(ready, Dataset.year.is_not(None)).distinct().order_by(Dataset.year.desc()))),
    }


# -- the names of downloads ---------------------------------------------------------------------

def file_stem(title: str, period: str) -> str:
    """An ASCII name made of the dataset's title and period, e.g. ``jumlah-penduduk-2025``."""
    ascii_text = unicodedata.normalize("NFKD", f"{title} {period}").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-") or "data"


def download_name(title: str, period: str, content_type: str) -> str:
    """The original file's name, e.g. ``jumlah-penduduk-2025.csv``."""
    return file_stem(title, period) + (".xlsx" if content_type == XLSX_TYPE else ".csv")



# -- the whole table of a dataset, for the chart and the downloads ---------------------------------

# Parsed tables are kept by content: a bounded LRU, counted in cells so that a few large
# tables cannot fill the memory; a table larger than the whole budget is parsed each time.
CACHE_TABLES = 16
CACHE_CELLS = 2_000_000
# A number as an operator types it: no leading zero (codes like 0351 stay text), "," or "." before
# the decimals.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:[.,]\d+)?")


@dataclass(frozen=True)
class DataTable:
    """The full table of a dataset in the dataset's column order, with typed values (blank
    cells are None); ``numeric`` names the columns whose every value is a number."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    numeric: tuple[str, ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


_tables: OrderedDict[tuple, DataTable] = OrderedDict()
_tables_lock = threading.Lock()


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _as_number(value: Any) -> int | float | None:
    """A cell as a number, or None when it is not one (numeric text included)."""
    if _is_number(value):
        return value
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(text := value.strip()):
        return int(text) if text.lstrip("-").isdigit() else float(text.replace(",", "."))
    return None


def _typed_rows(dataset: Dataset, table: Table) -> list[list[Any]]:
    """Rows in the order of ``dataset.columns``. A template's typing applies while the template
    still has the dataset's columns; otherwise a column whose every value is numeric becomes
    numbers and the others stay as written."""
    template = dataset.template
    if template is not None and [c["name"] for c in template.columns] == list(dataset.columns):
        try:
            return data_templates.conform(template, table.columns, table.rows)
        except data_templates.TableRefused:
            pass  # the template changed since the check; fall back to the plain reading
    position = {name.strip().lower(): i for i, name in enumerate(table.columns)}
    indexes = [position.get(name.strip().lower()) for name in dataset.columns]
    rows = [[_blank_to_none(row[i]) if i is not None else None for i in indexes] for row in table.rows]
    for c in range(len(indexes)):
        numbers = [_as_number(row[c]) for row in rows]
        if all(n is not None or row[c] is None for n, row in zip(numbers, rows, strict=True)):
            for n, row in zip(numbers, rows, strict=True):
                row[c] = n
    return rows


def _load(dataset: Dataset) -> DataTable:
    stored = dataset.file
    table, _ = read_table(files.path_of(stored.sha256).read_bytes(), stored.original_name or "")
    rows = _typed_rows(dataset, table)
    columns = tuple(dataset.columns)
    numeric = tuple(name for c, name in enumerate(columns)
                    if any(row[c] is not None for row in rows)
                    and all(row[c] is None or _is_number(row[c]) for row in rows))
    return DataTable(columns, tuple(tuple(row) for row in rows), numeric)


def _cache_key(dataset: Dataset) -> tuple:
    template = dataset.template
    shape = tuple((c["name"], c["type"], c.get("codes", "")) for c in template.columns) if template else ()
    return dataset.file.sha256, tuple(dataset.columns), shape


def full_table(dataset: Dataset) -> DataTable:
    """Every row of the dataset, read from its stored file (the file was checked on upload)."""
    key = _cache_key(dataset)
    with _tables_lock:
        if key in _tables:
            _tables.move_to_end(key)
            return _tables[key]
    table = _load(dataset)
    cells = len(table.rows) * len(table.columns)
    with _tables_lock:
        if cells <= CACHE_CELLS:
            _tables[key] = table
            while len(_tables) > CACHE_TABLES or sum(
                    len(t.rows) * len(t.columns) for t in _tables.values()) > CACHE_CELLS:
                _tables.popitem(last=False)
    return table


# -- a bar chart of one column ---------------------------------------------------------------------

MAX_BARS = 50
# The bars use this share of the width; the rest holds the value written after the longest bar.
PLOT_PERCENT = 72.0


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    start: float  # percent of the chart's width where the bar begins
    width: float  # percent of the chart's width


@dataclass(frozen=True)
class Chart:
    column: str
    label_column: str
    bars: list[Bar]
    zero: float  # percent of the width where the zero line runs
    blank: int  # rows without a value, not drawn
    cut: int  # rows beyond MAX_BARS, not drawn


def chart(table: DataTable, column: str, label_column: str = "") -> Chart:
    """Horizontal bars of a numeric ``column``, one per row that has a value, named by the value
    of ``label_column`` (or the row number); geometry in percent so that the SVG fits any width."""
    value_at = table.columns.index(column)
    label_at = table.columns.index(label_column) if label_column else None
    points, blank = [], 0
    for number, row in enumerate(table.rows, start=1):
        if row[value_at] is None:
            blank += 1
            continue
        label = row[label_at] if label_at is not None else None
        points.append((str(label) if label is not None else f"#{number}", row[value_at]))
    drawn = points[:MAX_BARS]
    low = min([0, *(v for _, v in drawn)])
    high = max([0, *(v for _, v in drawn)])
    scale = PLOT_PERCENT / ((high - low) or 1)
    zero = -low * scale
    bars = [Bar(label, value, zero + min(value, 0) * scale, abs(value) * scale) for label, value in drawn]
    return Chart(column, label_column, bars, zero, blank, len(points) - len(drawn))


# -- downloads in open formats ---------------------------------------------------------------------

def metadata(dataset: Dataset) -> dict[str, Any]:
    """The Satu Data metadata of a dataset as plain values, for the JSON and XLSX downloads."""
    return {
        "id": dataset.id, "title": dataset.title, "description": dataset.description,
        "opd": {"code": dataset.opd.code, "name": dataset.opd.name}, "topic": dataset.topic,
        "period": dataset.period, "period_label": period_label(dataset.period), "year": dataset.year,
        "frequency": dataset.frequency, "unit": dataset.unit, "source": dataset.source,
        "concept": dataset.concept, "method": dataset.method, "contact": dataset.contact,
        "license": dataset.license,
        "release_date": dataset.release_date.isoformat() if dataset.release_date else None,
        "row_count": dataset.row_count, "template": dataset.template.title if dataset.template else None,
    }


def as_csv(table: DataTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def as_json(table: DataTable, dataset: Dataset, **extra: Any) -> bytes:
    body = {"dataset": {**metadata(dataset), **extra}, "columns": list(table.columns), "rows": table.records()}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _text_cell(sheet, value: Any) -> Any:
    """A value for a workbook cell; text is always text, never a formula (a cell "=..." of an
    uploaded CSV must not run in the reader's spreadsheet)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def as_xlsx(table: DataTable, dataset: Dataset) -> bytes:
    """A workbook: the data on the first sheet, the metadata on the second."""
    book = Workbook(write_only=True)
    data = book.create_sheet("Data")
    data.append([_text_cell(data, name) for name in table.columns])
    for row in table.rows:
        data.append([_text_cell(data, value) for value in row])
    about = book.create_sheet("Metadata")
    for key, value in metadata(dataset).items():
        if isinstance(value, dict):
            value = value["name"]
        about.append([_text_cell(about, key), _text_cell(about, value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

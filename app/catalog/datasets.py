"""The catalog of sectoral data (data terolah): CSV and XLSX files, read and checked on upload."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import func, select

from app import policy
from app.catalog.models import Dataset, DataTemplate
from app.core import audit, files
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.keys import by_id, parse_id
from app.core.models import AuditEvent, Opd, StoredFile, User, utcnow
from app.core.paging import page_of
from app.extensions import db

from . import data_templates, operators

# The field of a run's data that names the dataset it works on (a publication's, a complaint's).
RUN_FIELD = "dataset_id"
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FIELDS = {"title": 255, "period": 32, "description": 5000, "unit": 100, "source": 255, "license": 100,
               "topic": 100, "frequency": 20, "concept": 5000, "method": 5000, "contact": 255}


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Any]]


def _cell(value: Any) -> Any:
    """Cells as JSON values: numbers stay numbers, dates become ISO text."""
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("Berkas CSV harus berenkode UTF-8.", {"file": "enkode bukan UTF-8"}) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise Invalid(f"Berkas CSV tidak terbaca: {exc}.", {"file": "CSV tidak terbaca"}) from None


def _read_xlsx(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise Invalid("Berkas XLSX tidak terbaca.", {"file": "XLSX tidak terbaca"}) from None
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return [row for row in rows if any(c not in (None, "") for c in row)]


def read_table(data: bytes, filename: str) -> tuple[Table, str]:
    """Parse and check a table; refuse it with a reason when it cannot serve as data."""
    if data.startswith(b"PK\x03\x04"):
        rows, content_type = _read_xlsx(data), XLSX_TYPE
    elif filename.lower().endswith((".xlsx", ".xls")):
        raise Invalid("Berkas bukan XLSX yang valid.", {"file": "XLSX tidak terbaca"})
    else:
        rows, content_type = _read_csv(data), CSV_TYPE
    if not rows:
        raise Invalid("Berkas tidak berisi data.", {"file": "berkas kosong"})
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header or any(not name for name in header):
        raise Invalid("Baris pertama harus berisi nama setiap kolom.", {"file": "ada kolom tanpa nama"})
    if len(set(header)) != len(header):
        raise Invalid("Nama kolom tidak boleh ganda.", {"file": "nama kolom ganda"})
    body = []
    for number, row in enumerate(rows[1:], start=2):
        extra = [c for c in row[len(header):] if c not in (None, "")]
        if extra:
            raise Invalid(f"Baris {number} berisi lebih banyak nilai daripada kolom judul.",
                          {"file": f"baris {number}: kolom berlebih"})
        body.append([_cell(c) for c in row[:len(header)]] + [None] * (len(header) - len(row)))
    if not body:
        raise Invalid("Berkas hanya berisi judul kolom, tanpa baris data.", {"file": "tidak ada baris data"})
    return Table(header, body), content_type


PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:S(?P<semester>[12])|(?P<month>0[1-9]|1[0-2])))?")
FREQUENCIES = {"tahunan": N_("Tahunan"), "semesteran": N_("Semesteran"), "bulanan": N_("Bulanan")}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
STATUSES = {"draft": N_("Draf"), "submitted": N_("Menunggu pemeriksaan walidata"),
            "returned": N_("Dikembalikan"), "ready": N_("Siap dipublikasikan")}
EDITABLE = ("draft", "returned")


def parse_period(text: str) -> tuple[int, str]:
    """The year and frequency of a period written 2025 (a year), 2025-S1 (a semester) or
    2025-03 (a month)."""
    match = PERIOD.fullmatch(text.strip())
    if not match or not 1900 <= int(match["year"]) <= 2200:
        raise ValueError(text)
    frequency = "semesteran" if match["semester"] else "bulanan" if match["month"] else "tahunan"
    return int(match["year"]), frequency


def period_label(period: str) -> str:
    """2025 → "2025", 2025-S1 → "Semester I 2025", 2025-03 → "Maret 2025"."""
    match = PERIOD.fullmatch(period or "")
    if not match:
        return period
    if match["semester"]:
        return f"Semester {'I' * int(match['semester'])} {match['year']}"
    if match["month"]:
        return f"{MONTHS[int(match['month']) - 1]} {match['year']}"
    return match["year"]


def _metadata(fields: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {k: (fields.get(k) or "").strip() for k in TEXT_FIELDS}
    errors.update({k: "wajib diisi" for k in ("title", "period") if not values[k]})
    errors.update({k: f"paling banyak {n} karakter" for k, n in TEXT_FIELDS.items() if len(values[k]) > n})
    if values["period"]:
        try:
            values["year"], derived = parse_period(values["period"])
            values["frequency"] = values["frequency"] or derived
        except ValueError:
            errors["period"] = "tulis 2025 (tahun), 2025-S1 (semester) atau 2025-03 (bulan)"
    if values["frequency"] and values["frequency"] not in FREQUENCIES:
        errors["frequency"] = "pilih tahunan, semesteran atau bulanan"
    release = (fields.get("release_date") or "").strip()
    values["release_date"] = None
    if release:
        try:
            values["release_date"] = date.fromisoformat(release)
        except ValueError:
            errors["release_date"] = "tanggal harus berbentuk TTTT-BB-HH"
    return values


def _template_for(fields: dict[str, str], opd_code: str, errors: dict[str, str]) -> DataTemplate | None:
    raw = (fields.get("template") or "").strip()
    if not raw:
        return None
    template = by_id(DataTemplate, parse_id(raw))
    if template is None or not template.active:
        errors["template"] = f"templat '{raw}' tidak dikenal"
    elif opd_code and template.opd_code != opd_code:
        errors["template"] = "templat milik OPD lain"
    return template


def _checked_table(data: bytes, filename: str, template: DataTemplate | None) -> tuple[Table, str]:
    files.check_size(data)
    table, content_type = read_table(data, filename)
    if template is not None:
        table = Table([c["name"] for c in template.columns],
                      data_templates.conform(template, table.columns, table.rows))
    return table, content_type


def _fill(dataset: Dataset, table: Table, stored: StoredFile, preview_rows: int) -> None:
    dataset.file_id = stored.id
    dataset.columns = table.columns
    dataset.preview = table.rows[:preview_rows]
    dataset.row_count = len(table.rows)


def create(data: bytes, filename: str, fields: dict[str, str], user: User,
           *, preview_rows: int, is_sample: bool = False) -> Dataset:
    """Store an upload as a draft recap; a file that does not fit its template stores nothing."""
    policy.require(policy.may_work_on_sectoral_data(user),
                   "Hanya Admin, Walidata dan Pengelola Data OPD yang dapat mengunggah data.")
    operators.require_appointment(user)
    errors: dict[str, str] = {}
    values = _metadata(fields, errors)
    opd_code = (fields.get("opd") or "").strip()
    opd = db.session.get(Opd, opd_code) if opd_code else None
    if not opd_code:
        errors["opd"] = "wajib diisi"
    elif opd is None:
        errors["opd"] = f"OPD '{opd_code}' tidak dikenal"
    elif not opd.active:
        errors["opd"] = f"OPD '{opd_code}' tidak aktif lagi"
    template = _template_for(fields, opd_code, errors)
    if errors:
        raise Invalid("Data tidak lengkap atau tidak valid.", errors)
    policy.require(policy.may_prepare_data_of(user, opd_code),
                   "Pengelola Data hanya dapat mengunggah data OPD-nya sendiri.")
    table, content_type = _checked_table(data, filename, template)
    stored = files.store(data, content_type, filename, user)
    if template is not None and not values["topic"]:
        values["topic"] = template.topic
    dataset = Dataset(**values, opd_code=opd_code, template_id=template.id if template else None,
                      is_sample=is_sample, created_by_id=user.id, status="draft")
    _fill(dataset, table, stored, preview_rows)
    db.session.add(dataset)
    db.session.flush()
    audit.record("dataset.create", user, dataset_id=dataset.id, title=dataset.title, opd=opd_code)
    return dataset


def get(dataset_id: int, viewer) -> Dataset:
    """A dataset its viewer may read (404 for anyone who may not know it exists)."""
    dataset = by_id(Dataset, dataset_id)
    policy.require_known(dataset is not None and policy.may_read_dataset(viewer, dataset), "Data tidak ditemukan.")
    return dataset


def may_edit(dataset: Dataset, user: User) -> bool:
    """A recap is changed while it is a draft or was returned, by those who prepare its OPD's data."""
    return dataset.status in EDITABLE and policy.may_prepare_data_of(user, dataset.opd_code)


def _editable(dataset_id: int, user: User) -> Dataset:
    dataset = get(dataset_id, user)
    policy.require(policy.may_prepare_data_of(user, dataset.opd_code), "Anda tidak dapat mengubah data OPD lain.")
    if dataset.status not in EDITABLE:
        raise Conflict(f"Data berstatus '{STATUSES[dataset.status]}' tidak dapat diubah.")
    operators.require_appointment(user)
    return dataset


def _snapshot(dataset: Dataset) -> dict[str, Any]:
    return {k: getattr(dataset, k) for k in (*TEXT_FIELDS, "release_date", "template_id", "file_id",
                                             "row_count", "status")}


def update(dataset_id: int, fields: dict[str, str], user: User, *, preview_rows: int,
           data: bytes | None = None, filename: str = "") -> Dataset:
    """Change the metadata of a draft or returned recap and, with a new file, its table."""
    dataset = _editable(dataset_id, user)
    errors: dict[str, str] = {}
    values = _metadata(fields, errors)
    template = _template_for(fields, dataset.opd_code, errors)
    if errors:
        raise Invalid("Data tidak lengkap atau tidak valid.", errors)
    if template is not None and data is None and template.id != dataset.template_id:
        raise Invalid("Data tidak lengkap atau tidak valid.",
                      {"file": "unggah berkas yang sesuai templat yang baru dipilih"})
    before = _snapshot(dataset)
    if data is not None:
        table, content_type = _checked_table(data, filename, template)
        _fill(dataset, table, files.store(data, content_type, filename, user), preview_rows)
    for key, value in values.items():
        setattr(dataset, key, value)
    dataset.template_id = template.id if template else None
    audit.record("dataset.update", user, dataset_id=dataset.id, before=before, after=_snapshot(dataset))
    return dataset


def submit(dataset_id: int, user: User) -> Dataset:
    """Hand a draft (or a returned recap, corrected) to the walidata for checking."""
    dataset = _editable(dataset_id, user)
    dataset.status, dataset.submitted_at = "submitted", utcnow()
    audit.record("dataset.submit", user, dataset_id=dataset.id, title=dataset.title)
    return dataset


def _checkable(dataset_id: int, user: User) -> Dataset:
    dataset = get(dataset_id, user)
    policy.require(policy.may_check_datasets(user), "Hanya Walidata (Diskominfo) yang memeriksa data.")
    if dataset.status != "submitted":
        raise Conflict(f"Data berstatus '{STATUSES[dataset.status]}'; hanya data yang diajukan dapat diperiksa.")
    return dataset


def approve(dataset_id: int, user: User) -> Dataset:
    """The walidata checked the recap: from now on it may be chosen for a publication."""
    dataset = _checkable(dataset_id, user)
    dataset.status, dataset.return_reason = "ready", ""
    dataset.checked_by_id, dataset.checked_at = user.id, utcnow()
    dataset.release_date = dataset.release_date or operators.today()
    audit.record("dataset.approve", user, dataset_id=dataset.id, title=dataset.title)
    return dataset


def send_back(dataset_id: int, reason: str, user: User) -> Dataset:
    """The walidata returns the recap to its OPD, saying what to correct."""
    dataset = _checkable(dataset_id, user)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Tuliskan alasan pengembalian.", {"reason": "wajib diisi"})
    if len(reason) > 5000:
        raise Invalid("Alasan terlalu panjang.", {"reason": "paling banyak 5000 karakter"})
    dataset.status, dataset.return_reason = "returned", reason
    dataset.checked_by_id, dataset.checked_at = user.id, utcnow()
    audit.record("dataset.return", user, dataset_id=dataset.id, reason=reason)
    return dataset


def page(viewer, page_no: int, per_page: int, *, status: str = "", opd: str = "") -> tuple[list[Dataset], int]:
    """The datasets the viewer may read, newest first; the walidata's queue (submitted) oldest
    first, as it is worked."""
    query = select(Dataset).where(policy.datasets_visible(viewer))
    if status == "submitted":
        query = query.order_by(Dataset.submitted_at, Dataset.id)
    else:
        query = query.order_by(Dataset.created_at.desc(), Dataset.id.desc())
    if status:
        query = query.where(Dataset.status == status)
    if opd:
        query = query.where(Dataset.opd_code == opd)
    return page_of(query, page_no, per_page)


def counts(viewer, opd: str = "") -> dict[str, int]:
    """Datasets the viewer may read per status ("" for all), of one OPD or of every one."""
    query = select(Dataset.status, func.count()).where(policy.datasets_visible(viewer)).group_by(Dataset.status)
    if opd:
        query = query.where(Dataset.opd_code == opd)
    found = dict(db.session.execute(query).all())
    return {"": sum(found.values()), **{status: found.get(status, 0) for status in STATUSES}}


def history(dataset_id: int) -> list[AuditEvent]:
    """The dataset's life-cycle events, oldest first."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("dataset.%"),
                                 AuditEvent.detail["dataset_id"].as_integer() == dataset_id)
        .order_by(AuditEvent.id)
    ))


def choices() -> list[tuple[int, str]]:
    """The checked datasets a publication may be made from: the dynamic enum "datasets" of the
    forms (the step that chooses the data)."""
    rows = db.session.execute(
        select(Dataset.id, Dataset.title, Dataset.period).where(Dataset.status == "ready")
        .order_by(Dataset.title, Dataset.id)
    ).all()
    return [(r.id, f"{r.title} ({period_label(r.period)})") for r in rows]

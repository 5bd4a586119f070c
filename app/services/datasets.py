"""The catalog of sectoral data (data terolah): CSV and XLSX files, read and checked on upload."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from ..extensions import db
from ..models import Dataset, Opd, User
from . import audit, files
from .errors import Forbidden, Invalid
from .paging import page_of

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_ROLES = ("admin", "pengelola_data")
TEXT_FIELDS = {"title": 255, "period": 32, "description": 5000, "unit": 100, "source": 255, "license": 100}


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


def create(data: bytes, filename: str, fields: dict[str, str], user: User,
           *, preview_rows: int, is_sample: bool = False) -> Dataset:
    if not user.has_role(*UPLOAD_ROLES):
        raise Forbidden("Hanya Admin dan Pengelola Data OPD yang dapat mengunggah data.")
    values = {k: (fields.get(k) or "").strip() for k in TEXT_FIELDS}
    errors = {k: "wajib diisi" for k in ("title", "period") if not values[k]}
    errors.update({k: f"paling banyak {n} karakter" for k, n in TEXT_FIELDS.items() if len(values[k]) > n})
    opd_code = (fields.get("opd") or "").strip()
    if not opd_code:
        errors["opd"] = "wajib diisi"
    elif db.session.get(Opd, opd_code) is None:
        errors["opd"] = f"OPD '{opd_code}' tidak dikenal"
    if errors:
        raise Invalid("Data tidak lengkap atau tidak valid.", errors)
    if not user.has_role("admin") and user.opd_code != opd_code:
        raise Forbidden("Pengelola Data hanya dapat mengunggah data OPD-nya sendiri.")
    files.check_size(data)
    table, content_type = read_table(data, filename)
    stored = files.store(data, content_type, filename, user)
    dataset = Dataset(
        **values, opd_code=opd_code, file_id=stored.id, columns=table.columns,
        preview=table.rows[:preview_rows], row_count=len(table.rows), is_sample=is_sample,
        created_by_id=user.id,
    )
    db.session.add(dataset)
    db.session.flush()
    audit.record("dataset.create", user, dataset_id=dataset.id, title=dataset.title, opd=opd_code)
    return dataset


def page(page_no: int, per_page: int) -> tuple[list[Dataset], int]:
    return page_of(select(Dataset).order_by(Dataset.created_at.desc(), Dataset.id.desc()), page_no, per_page)


def choices() -> list[tuple[int, str]]:
    """The datasets a publication may be made from, for the dynamic enum of tentukan_data."""
    rows = db.session.execute(
        select(Dataset.id, Dataset.title, Dataset.period).order_by(Dataset.title, Dataset.id)
    ).all()
    return [(r.id, f"{r.title} ({r.period})") for r in rows]

"""Data templates: the agreed columns of an OPD's recap on a topic, and the check of an upload
against them. A refused upload gets a report naming row, column and reason of every finding."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from app import policy
from app.catalog.models import DataTemplate
from app.core import audit
from app.core.errors import Forbidden, Invalid
from app.core.i18n import N_
from app.core.keys import by_id
from app.core.models import Opd, User
from app.extensions import db

from . import regions

COLUMN_TYPES = {
    "text": N_("Teks"),
    "integer": N_("Bilangan bulat"),
    "number": N_("Bilangan desimal"),
    "date": N_("Tanggal"),
}
TEXT_FIELDS = {"title": 255, "topic": 100, "description": 5000}
MAX_FINDINGS = 200

COLUMNS_SCHEMA = {
    "type": "array", "minItems": 1, "maxItems": 100,
    "items": {
        "type": "object", "additionalProperties": False, "required": ["name", "type"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
            "type": {"enum": list(COLUMN_TYPES)},
            "unit": {"type": "string", "maxLength": 50},
            "required": {"type": "boolean"},
            "codes": {"enum": ["", *regions.CODE_LISTS]},
            "description": {"type": "string", "maxLength": 500},
        },
    },
}
_COLUMNS = Draft202012Validator(COLUMNS_SCHEMA)


@dataclass(frozen=True)
class Finding:
    """One reason an upload does not fit its template; row 1 is the header."""
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class TableRefused(Invalid):
    """An upload that does not fit its template, with every finding."""

    def __init__(self, findings: list[Finding], total: int):
        more = f" (ditampilkan {len(findings)} yang pertama)" if total > len(findings) else ""
        super().__init__(f"Berkas tidak sesuai templat: {total} temuan{more}. Tidak ada yang disimpan.",
                         {"file": f"{total} temuan"})
        self.findings = findings
        self.total = total
        self.extra = {"findings": [f.as_dict() for f in findings], "findings_total": total}


# -- template definitions ----------------------------------------------------------------------

def _problem(error) -> str:
    """A schema error in the words of the column editor: column numbers count from 1."""
    where = f"kolom {error.path[0] + 1}" if error.path and isinstance(error.path[0], int) else "daftar kolom"
    field = error.path[1] if len(error.path) > 1 else None
    if error.validator == "minItems":
        return "isi paling sedikit satu kolom"
    if error.validator == "maxItems":
        return "paling banyak 100 kolom"
    if error.validator == "type" and not error.path:
        return "daftar kolom harus berupa larik"
    if field == "name" or (error.validator == "required" and "'name'" in error.message):
        return f"{where}: nama wajib diisi (paling banyak 100 karakter)"
    if field == "type" or error.validator == "required":
        return f"{where}: tipe harus salah satu dari {', '.join(COLUMN_TYPES)}"
    if field == "codes":
        return f"{where}: daftar kode harus salah satu dari {', '.join(regions.CODE_LISTS)}"
    if error.validator == "additionalProperties":
        return f"{where}: isian tidak dikenal ({error.message})"
    return f"{where}: {field or ''} tidak valid".replace("  ", " ")


def normalize_columns(columns: Any) -> list[dict[str, Any]]:
    """Check a column list against COLUMNS_SCHEMA and our rules; return it with defaults."""
    problems = list(dict.fromkeys(_problem(e) for e in _COLUMNS.iter_errors(columns)))
    if problems:
        raise Invalid("Daftar kolom templat tidak valid.", {"columns": "; ".join(problems[:5])})
    result, seen = [], set()
    for column in columns:
        name = column["name"].strip()
        if name.lower() in seen:
            raise Invalid("Daftar kolom templat tidak valid.", {"columns": f"nama kolom '{name}' ganda"})
        seen.add(name.lower())
        codes = column.get("codes", "")
        if codes and column["type"] != "text":
            raise Invalid("Daftar kolom templat tidak valid.",
                          {"columns": f"kolom '{name}': daftar kode hanya untuk kolom bertipe teks"})
        result.append({"name": name, "type": column["type"], "unit": column.get("unit", "").strip(),
                       "required": bool(column.get("required", False)), "codes": codes,
                       "description": column.get("description", "").strip()})
    return result


def _values(fields: dict[str, Any]) -> dict[str, str]:
    values = {k: str(fields.get(k) or "").strip() for k in TEXT_FIELDS}
    errors = {k: "wajib diisi" for k in ("title", "topic") if not values[k]}
    errors.update({k: f"paling banyak {n} karakter" for k, n in TEXT_FIELDS.items() if len(values[k]) > n})
    opd_code = str(fields.get("opd") or "").strip()
    if not opd_code:
        errors["opd"] = "wajib diisi"
    elif db.session.get(Opd, opd_code) is None:
        errors["opd"] = f"OPD '{opd_code}' tidak dikenal"
    if errors:
        raise Invalid("Templat tidak lengkap atau tidak valid.", errors)
    values["opd_code"] = opd_code
    return values


def require_manager(user: User) -> None:
    if not policy.may_manage_templates(user):
        raise Forbidden("Hanya Admin dan Walidata yang dapat mengelola templat data.")


def create(fields: dict[str, Any], columns: Any, user: User) -> DataTemplate:
    require_manager(user)
    values = _values(fields)
    template = DataTemplate(**values, columns=normalize_columns(columns), created_by_id=user.id)
    db.session.add(template)
    db.session.flush()
    audit.record("template.create", user, template_id=template.id, after={**values, "columns": template.columns})
    return template


def update(template_id: int, fields: dict[str, Any], columns: Any, user: User) -> DataTemplate:
    template = get(template_id, user)
    require_manager(user)
    values = _values(fields)
    normalized = normalize_columns(columns)
    before = {"title": template.title, "topic": template.topic, "opd_code": template.opd_code,
              "description": template.description, "columns": template.columns, "active": template.active}
    for key, value in values.items():
        setattr(template, key, value)
    template.columns = normalized
    template.active = bool(fields.get("active", True))
    audit.record("template.update", user, template_id=template.id, before=before,
                 after={**values, "columns": normalized, "active": template.active})
    return template


def get(template_id: int, viewer) -> DataTemplate:
    template = by_id(DataTemplate, template_id)
    policy.require_known(template is not None and policy.may_read_templates(viewer), "Templat tidak ditemukan.")
    return template


def listing(viewer, opd_code: str | None = None, *, active_only: bool = False) -> list[DataTemplate]:
    policy.require(policy.may_read_templates(viewer), "Anda tidak memiliki akses ke templat data.")
    query = select(DataTemplate).order_by(DataTemplate.opd_code, DataTemplate.topic, DataTemplate.title)
    if opd_code:
        query = query.where(DataTemplate.opd_code == opd_code)
    if active_only:
        query = query.where(DataTemplate.active.is_(True))
    return list(db.session.scalars(query))


# -- checking a table against its template ---------------------------------------------------------

_INTEGER = re.compile(r"-?\d+")
_GROUPED_INTEGER = re.compile(r"-?\d{1,3}(\.\d{3})+")  # 1.234.567, the Indonesian way
_NUMBER = re.compile(r"-?\d+([.,]\d+)?")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if _GROUPED_INTEGER.fullmatch(text):
        return int(text.replace(".", ""))
    raise ValueError


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError
    number = float(text.replace(",", "."))
    return int(number) if number.is_integer() and "." not in text and "," not in text else number


def _date(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if text.endswith("T00:00:00"):  # a date cell of a workbook
        text = text[:10]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).strftime("%Y-%m-%d")
        except ValueError:
            continue
    raise ValueError


_CONVERTERS = {"integer": (_integer, "harus bilangan bulat"), "number": (_number, "harus angka"),
               "date": (_date, "harus tanggal (TTTT-BB-HH)")}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def conform(template: DataTemplate, header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """The rows in the template's column order with typed values, or TableRefused with every
    finding: a required column missing, a column the template does not know, a required value
    missing, a value of the wrong type, a code outside its reference list. Optional columns may
    be left out of the file."""
    findings: list[Finding] = []
    position = {name.strip().lower(): i for i, name in enumerate(header)}
    expected = {c["name"].lower() for c in template.columns}
    for column in template.columns:
        if column["required"] and column["name"].lower() not in position:
            findings.append(Finding(1, column["name"], "kolom wajib tidak ada pada berkas"))
    for name in header:
        if name.strip().lower() not in expected:
            findings.append(Finding(1, name, "kolom tidak ada pada templat"))
    code_lists = {c["codes"]: regions.codes(c["codes"]) for c in template.columns if c.get("codes")}
    typed_rows = []
    for number, row in enumerate(rows, start=2):
        typed = []
        for column in template.columns:
            index = position.get(column["name"].lower())
            value = row[index] if index is not None and index < len(row) else None
            if _blank(value):
                if column["required"] and index is not None:
                    findings.append(Finding(number, column["name"], "wajib diisi, tetapi kosong"))
                typed.append(None)
                continue
            if column["type"] in _CONVERTERS:
                convert, reason = _CONVERTERS[column["type"]]
                try:
                    value = convert(value)
                except ValueError:
                    findings.append(Finding(number, column["name"], f"{reason}, bukan '{value}'"))
            elif column.get("codes"):
                value = str(value).strip()
                if value not in code_lists[column["codes"]]:
                    findings.append(Finding(number, column["name"],
                                            f"kode '{value}' tidak ada dalam daftar {column['codes']} Kemendagri"))
            else:
                value = value if isinstance(value, str) else str(value)
            typed.append(value)
        typed_rows.append(typed)
    if findings:
        raise TableRefused(findings[:MAX_FINDINGS], len(findings))
    return typed_rows


# -- blank templates to fill in ----------------------------------------------------------------------

def _describe(column: dict[str, Any]) -> str:
    parts = [str(COLUMN_TYPES[column["type"]])]
    if column.get("unit"):
        parts.append(f"satuan {column['unit']}")
    if column.get("codes"):
        parts.append(f"kode {column['codes']} Kemendagri")
    parts.append("wajib" if column["required"] else "boleh kosong")
    return ", ".join(parts)


def as_csv(template: DataTemplate) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c["name"] for c in template.columns])
    return buffer.getvalue().encode("utf-8")


def as_xlsx(template: DataTemplate) -> bytes:
    """A workbook: the sheet to fill (header only), a guide to the columns, and the code lists
    that region columns take, with a drop-down on those columns."""
    book = Workbook()
    data = book.active
    data.title = "Data"
    data.append([c["name"] for c in template.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    guide = book.create_sheet("Petunjuk")
    guide.append(["Kolom", "Keterangan", "Satuan", "Wajib", "Penjelasan"])
    for column in template.columns:
        guide.append([column["name"], _describe(column), column.get("unit", ""),
                      "ya" if column["required"] else "tidak", column.get("description", "")])
    for list_name in sorted({c["codes"] for c in template.columns if c.get("codes")}):
        sheet = book.create_sheet(list_name)
        sheet.append(["kode", "nama"])
        listed = regions.regions(list_name)
        for region in listed:
            sheet.append([region.code, region.name])
        choice = DataValidation(type="list", formula1=f"{list_name}!$A$2:$A${len(listed) + 1}",
                                allow_blank=True, showErrorMessage=True)
        data.add_data_validation(choice)
        for index, column in enumerate(template.columns, start=1):
            if column.get("codes") == list_name:
                letter = data.cell(row=1, column=index).column_letter
                choice.add(f"{letter}2:{letter}10000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

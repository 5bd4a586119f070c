"""The SOP document's metadata that admins keep (``ProcessMeta.meta``): the identity block and
the lists, their validation and storage; and the :class:`Document`, a deployed version's
activity table with that metadata, as the page and the PDF show it."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app import policy
from app.core import audit
from app.core.errors import Invalid, NotFound
from app.core.models import User, utcnow
from app.core.workcal import BULAN
from app.extensions import db
from app.process_admin.models import ProcessMeta
from app.workflow import processes
from app.workflow.models import ProcessVersion

from .table import ActivityTable, activity_table

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

"""The registry of the regency's OPDs (regional agencies), kept by admins."""
from __future__ import annotations

import re

from sqlalchemy import select

from app import policy
from app.core import audit
from app.core.errors import Conflict, Invalid, NotFound
from app.core.models import Opd, User
from app.extensions import db

FIELDS = {"name": 255, "short_name": 50, "address": 255, "email": 254, "phone": 50, "website": 255}
CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")
RESERVED_CODES = {"baru", "surat"}  # words of the registry's own addresses


def listing(*, active_only: bool = False) -> list[Opd]:
    query = select(Opd).order_by(Opd.name)
    if active_only:
        query = query.where(Opd.active.is_(True))
    return list(db.session.scalars(query))


def get(code: str) -> Opd:
    opd = db.session.get(Opd, code)
    if opd is None:
        raise NotFound("OPD tidak ditemukan.")
    return opd


def _values(fields: dict, errors: dict[str, str] | None = None) -> dict[str, str]:
    values = {k: str(fields.get(k) or "").strip() for k in FIELDS}
    errors = errors if errors is not None else {}
    errors.update({k: f"paling banyak {n} karakter" for k, n in FIELDS.items() if len(values[k]) > n})
    if not values["name"]:
        errors["name"] = "wajib diisi"
    if values["email"] and "@" not in values["email"]:
        errors["email"] = "alamat surel tidak valid"
    if values["website"] and not values["website"].startswith(("https://", "http://")):
        errors["website"] = "alamat harus diawali https://"
    if errors:
        raise Invalid("Data OPD tidak lengkap atau tidak valid.", errors)
    return values


def _snapshot(opd: Opd) -> dict:
    return {k: getattr(opd, k) for k in (*FIELDS, "active")}


def create(fields: dict, actor: User) -> Opd:
    policy.require(policy.may_manage_opds(actor), "Hanya admin yang boleh mengelola OPD dan operator data.")
    code = str(fields.get("code") or "").strip().lower()
    errors: dict[str, str] = {}
    if not CODE.fullmatch(code):
        errors["code"] = "2–32 huruf kecil, angka atau tanda minus, mis. dinkes"
    elif code in RESERVED_CODES:
        errors["code"] = f"'{code}' tidak dapat dipakai sebagai kode"
    values = _values(fields, errors)
    if db.session.get(Opd, code) is not None:
        raise Conflict(f"Kode OPD '{code}' sudah dipakai.", {"code": "sudah dipakai"})
    opd = Opd(code=code, **values, active=True)
    db.session.add(opd)
    db.session.flush()
    audit.record("opd.create", actor, opd=code, after=_snapshot(opd))
    return opd


def update(code: str, fields: dict, actor: User) -> Opd:
    policy.require(policy.may_manage_opds(actor), "Hanya admin yang boleh mengelola OPD dan operator data.")
    opd = get(code)
    values = _values(fields)
    before = _snapshot(opd)
    for key, value in values.items():
        setattr(opd, key, value)
    opd.active = bool(fields.get("active"))
    audit.record("opd.update", actor, opd=code, before=before, after=_snapshot(opd))
    return opd

"""Data operators of the OPDs and their appointment letters (surat penunjukan).

An operator (role pengelola_data) may hand in data only while a letter appoints them: signed
for their OPD, in force today (WIB), not revoked."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app import policy
from app.core import audit, files
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.models import User, utcnow
from app.core.workcal import WIB
from app.extensions import db

from .models import OperatorLetter


def today() -> date:
    return datetime.now(WIB).date()


def _date(fields: dict, key: str, errors: dict[str, str]) -> date | None:
    text = str(fields.get(key) or "").strip()
    if not text:
        errors[key] = "wajib diisi"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[key] = "tanggal harus berbentuk TTTT-BB-HH"
        return None


def add_letter(operator: User, fields: dict, pdf: bytes, filename: str, actor: User) -> OperatorLetter:
    """Record a signed letter appointing the operator for their OPD (admins only)."""
    policy.require(policy.may_manage_opds(actor), "Hanya admin yang boleh mengelola OPD dan operator data.")
    if not policy.operators_opd(operator):
        raise Invalid("Surat penunjukan hanya untuk Pengelola Data yang terdaftar pada sebuah OPD.",
                      {"user": "bukan Pengelola Data OPD"})
    errors: dict[str, str] = {}
    number = str(fields.get("number") or "").strip()
    if not number:
        errors["number"] = "wajib diisi"
    elif len(number) > 100:
        errors["number"] = "paling banyak 100 karakter"
    signed_on, valid_from, valid_until = (_date(fields, k, errors) for k in ("signed_on", "valid_from", "valid_until"))
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = "tidak boleh sebelum tanggal mulai berlaku"
    if not pdf:
        errors["file"] = "unggah surat yang sudah ditandatangani (PDF)"
    elif not pdf.startswith(b"%PDF-"):
        errors["file"] = "berkas harus PDF"
    if errors:
        raise Invalid("Surat penunjukan tidak lengkap atau tidak valid.", errors)
    stored = files.store(pdf, files.PDF, filename, actor)
    letter = OperatorLetter(user_id=operator.id, opd_code=operator.opd_code, number=number,
                            signed_on=signed_on, valid_from=valid_from, valid_until=valid_until,
                            file_id=stored.id, created_by_id=actor.id)
    db.session.add(letter)
    db.session.flush()
    audit.record("operator.letter_add", actor, user_id=operator.id, letter_id=letter.id,
                 after={"number": number, "opd": operator.opd_code, "valid_from": valid_from,
                        "valid_until": valid_until})
    return letter


def revoke_letter(letter_id: int, actor: User) -> OperatorLetter:
    policy.require(policy.may_manage_opds(actor), "Hanya admin yang boleh mengelola OPD dan operator data.")
    letter = get_letter(letter_id)
    if letter.revoked_at is None:
        letter.revoked_at = utcnow()
        audit.record("operator.letter_revoke", actor, user_id=letter.user_id, letter_id=letter.id,
                     number=letter.number)
    return letter


def letters_of(user_id: int) -> list[OperatorLetter]:
    return list(db.session.scalars(
        select(OperatorLetter).where(OperatorLetter.user_id == user_id)
        .order_by(OperatorLetter.valid_until.desc(), OperatorLetter.id.desc())
    ))


def letter_state(letter: OperatorLetter, day: date) -> str:
    """revoked, expired, pending (not yet in force) or valid."""
    if letter.revoked_at is not None:
        return "revoked"
    if letter.valid_until < day:
        return "expired"
    return "pending" if letter.valid_from > day else "valid"


def valid_letter(user: User, day: date | None = None) -> OperatorLetter | None:
    """The letter that appoints the user for their present OPD on the day, if any."""
    day = day or today()
    return next((letter for letter in letters_of(user.id)
                 if letter.opd_code == user.opd_code and letter.valid_on(day)), None)


def deciding_letter(user: User, letters: list[OperatorLetter], day: date) -> OperatorLetter | None:
    """The letter that decides whether the user may hand in data: the one in force, else the
    latest for their present OPD (which then tells why not). ``letters`` are the user's, newest first."""
    mine = [letter for letter in letters if letter.opd_code == user.opd_code]
    return next((letter for letter in mine if letter.valid_on(day)), None) or next(iter(mine), None)


def get_letter(letter_id: int) -> OperatorLetter:
    letter = db.session.get(OperatorLetter, letter_id)
    if letter is None:
        raise NotFound("Surat penunjukan tidak ditemukan.")
    return letter


def require_appointment(user: User) -> None:
    """Operators hand in data only under a valid letter; admins and the walidata need none."""
    if not policy.needs_appointment(user):
        return
    day = today()
    letter = deciding_letter(user, letters_of(user.id), day)
    state = letter_state(letter, day) if letter else None
    if state == "valid":
        return
    reason = {
        None: "belum ada surat penunjukan sebagai operator data OPD Anda",
        "revoked": f"surat penunjukan {letter.number} telah dicabut" if letter else "",
        "expired": f"surat penunjukan {letter.number} berakhir {letter.valid_until:%d-%m-%Y}" if letter else "",
        "pending": f"surat penunjukan {letter.number} baru berlaku {letter.valid_from:%d-%m-%Y}" if letter else "",
    }[state]
    raise Forbidden(f"Anda belum dapat menyerahkan data: {reason}. Hubungi Admin Diskominfo.")


def operators(opd_code: str | None = None) -> list[User]:
    from app.core.models import UserRole

    query = select(User).join(UserRole).where(UserRole.role == policy.OPERATOR).order_by(User.username)
    if opd_code:
        query = query.where(User.opd_code == opd_code)
    return list(db.session.scalars(query))

"""People: creation, passwords, roles, and API bearer tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ROLES, ApiToken, Opd, User, UserRole, utcnow
from . import audit
from .errors import Conflict, Invalid, NotFound, Unauthorized

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Checked against for unknown usernames, so that timing does not tell which names exist."""
    return generate_password_hash("tidak-ada-pengguna", method=method)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Kata sandi minimal {MIN_PASSWORD} karakter.",
                      {"password": f"minimal {MIN_PASSWORD} karakter"})


def create_user(username: str, roles: list[str], password: str, *, opd: str | None = None,
                full_name: str = "", actor: User | None = None) -> User:
    username = username.strip().lower()
    fields: dict[str, str] = {}
    if not USERNAME.match(username):
        fields["username"] = "huruf kecil, angka, titik, garis bawah atau tanda hubung; 2–64 karakter"
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        fields["role"] = "peran tidak dikenal: " + ", ".join(unknown) if unknown else "pilih paling sedikit satu peran"
    if opd is not None and db.session.get(Opd, opd) is None:
        fields["opd"] = f"OPD '{opd}' tidak dikenal"
    if "pengelola_data" in roles and opd is None:
        fields["opd"] = "Pengelola Data harus terhubung ke sebuah OPD"
    if fields:
        raise Invalid("Data pengguna tidak valid.", fields)
    check_password_strength(password)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Pengguna '{username}' sudah ada.", {"username": "sudah dipakai"})
    user = User(username=username, full_name=full_name or username,
                password_hash=_hash(password), opd_code=opd)
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor, target=username, roles=sorted(user.roles), opd=opd)
    return user


def get_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    check_password_strength(password)
    user.password_hash = _hash(password)
    audit.record("user.set_password", actor, target=user.username)


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    user.active = active
    if not active:
        for token in db.session.scalars(select(ApiToken).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
            token.revoked_at = utcnow()
    audit.record("user.enable" if active else "user.disable", actor, target=user.username)


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        raise Unauthorized("Nama pengguna atau kata sandi salah.")
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        raise Unauthorized("Nama pengguna atau kata sandi salah.")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, ttl_hours: int) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token),
                   expires_at=utcnow() + timedelta(hours=ttl_hours))
    db.session.add(row)
    audit.record("token.issue", user)
    return token, row


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user

"""People: creation, passwords, roles, and API bearer tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app import policy
from app.core.models import Opd
from app.extensions import db

from . import audit
from .errors import Conflict, Invalid, NotFound, Unauthorized
from .models import ROLES, ApiToken, User, UserRole, utcnow
from .paging import page_of

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
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
                full_name: str = "", email: str | None = None, actor: User | None = None) -> User:
    username = username.strip().lower()
    email = email.strip() if email else None
    fields: dict[str, str] = {}
    if email is not None and not EMAIL.match(email):
        fields["email"] = "alamat e-mail tidak valid"
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
    user = User(username=username, full_name=full_name or username, email=email,
                password_hash=_hash(password), opd_code=opd)
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor, target=username, roles=sorted(user.roles), opd=opd)
    return user


def holding(*roles: str) -> list[User]:
    """Active people with any of the roles (the members of their lanes), by username."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True),
                           User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(User.username)
    ))


def get_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    check_password_strength(password)
    user.password_hash = _hash(password)
    revoke_tokens(user)
    audit.record("user.set_password", actor, target=user.username)


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    if not active and actor is not None and actor.id == user.id:
        raise Conflict("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    was, user.active = user.active, active
    if not active:
        revoke_tokens(user)
    audit.record("user.enable" if active else "user.disable", actor, target=user.username,
                 before={"active": was}, after={"active": active})


def revoke_tokens(user: User) -> int:
    """End every API token of the user; returns how many were still valid."""
    rows = list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for token in rows:
        token.revoked_at = utcnow()
    return len(rows)


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """One's own password: the current one, a strong new one that differs, typed twice.
    Every refusal names its fields (current_password, new_password, confirm_password) and
    changes nothing. The user's API tokens end with the old password."""
    fields: dict[str, str] = {}
    if not check_password_hash(user.password_hash, current or ""):
        fields["current_password"] = "Kata sandi saat ini salah."
    try:
        check_password_strength(new or "")
    except Invalid:
        fields["new_password"] = f"Kata sandi baru minimal {MIN_PASSWORD} karakter."
    else:
        if "current_password" not in fields and new == current:
            fields["new_password"] = "Kata sandi baru harus berbeda dari kata sandi saat ini."
    if (confirm or "") != (new or ""):
        fields["confirm_password"] = "Konfirmasi tidak sama dengan kata sandi baru."
    if fields:
        raise Invalid("Kata sandi belum diganti. Periksa isian yang ditandai.", fields)
    user.password_hash = _hash(new)
    revoke_tokens(user)
    audit.record("user.change_password", user, target=user.username)


def generate_password() -> str:
    """A random password of 16 characters (about 93 bits) without look-alike characters."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def reset_password(user: User, actor: User) -> str:
    """An admin gives the user a new random password; returns it, to be shown once.
    The user's API tokens end."""
    require_admin(actor)
    password = generate_password()
    user.password_hash = _hash(password)
    revoke_tokens(user)
    audit.record("user.reset_password", actor, target=user.username)
    return password


def require_admin(actor: User | None) -> None:
    policy.require(policy.may_manage_users(actor), "Hanya admin yang boleh mengelola pengguna.")


def get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user


def page(page_no: int, per_page: int, search: str = "") -> tuple[list[User], int]:
    """Users by username, optionally those whose username or name contains ``search``."""
    query = select(User).order_by(User.username)
    search = (search or "").strip().lower()
    if search:
        query = query.where(User.username.contains(search, autoescape=True)
                            | func.lower(User.full_name).contains(search, autoescape=True))
    return page_of(query, page_no, per_page)


def opd_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(select(Opd.code, Opd.name).where(Opd.code.in_(codes)))
    return {code: name for code, name in rows}


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


def usernames(ids: Iterable[int | None]) -> dict[int, str]:
    """user id -> username of the given users, in one statement."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {row.id: row.username for row in rows}


def user_for_token(token: str) -> User | None:
    """The active user holding an unrevoked, unexpired token: one statement with the roles."""
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    ).unique().one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user

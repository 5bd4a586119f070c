"""Slow down and limit password guessing, per username and per client address.

Every sign-in (and every password check on the change-password screen) passes here:

1. ``enter(username, address)`` writes the attempt as a failure in advance (a "ticket"); the
   view commits it at once, before anything is counted or any password checked.
2. ``admit(ticket)`` counts the other attempts of the last LOGIN_WINDOW_MINUTES for the username
   and for the address. When either has reached LOGIN_MAX_FAILURES the ticket is withdrawn and
   the attempt refused with ``TooManyRequests`` (429) without checking the password. Because
   tickets are committed before they are counted, a burst of parallel guesses from many
   threads or processes cannot slip past the limit while hashes are being computed.
3. ``sign_in(ticket, password)``: when the password is right the username's failures are
   cleared (the ticket with them); when it is wrong the ticket stays as the failure, the
   failure is audited as "user.login_failed" with the address, and ``SignInFailed`` carries
   how long the view must ``pause`` after committing, a delay that grows with the failures.

Everything lives in the ``login_attempt`` table, so the limit holds across processes and
restarts. Old rows are pruned when new failures are written.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from app.extensions import db

from . import audit, users
from .errors import Invalid, ServiceError, Unauthorized
from .models import LoginAttempt, User, utcnow

MAX_DELAY_SECONDS = 2.0
COLUMN = 64  # the length of login_attempt.username and .address


class TooManyRequests(ServiceError):
    """Too many recent failures for this username or address; ``minutes`` until the next try."""

    status, code = 429, "too_many_requests"

    def __init__(self, minutes: int, retry_after: int):
        super().__init__(f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.")
        self.minutes = minutes
        self.retry_after = retry_after


class SignInFailed(Unauthorized):
    """A wrong password (or unknown or disabled user); the view commits, then pauses ``delay``."""

    def __init__(self, message: str, delay: float, fields: dict[str, str] | None = None):
        super().__init__(message, fields)
        self.delay = delay


@dataclass(frozen=True)
class Ticket:
    id: int
    username: str
    address: str
    failures: int = 0  # the larger of the username's and the address's other attempts (by admit)


def normalize(username: str) -> str:
    return (username or "").strip().lower()[:COLUMN]


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["LOGIN_WINDOW_MINUTES"]))


def _limit() -> int:
    return int(current_app.config["LOGIN_MAX_FAILURES"])


def _recent(column, value: str, since: datetime, other_than: int) -> list[datetime]:
    return list(db.session.scalars(select(LoginAttempt.at).where(
        column == value, LoginAttempt.at > since, LoginAttempt.id != other_than).order_by(LoginAttempt.at)))


def _free_at(times: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """When the count of these failures falls below the limit again; None when it already is."""
    if len(times) < limit:
        return None
    return times[len(times) - limit] + window


def enter(username: str, address: str | None) -> Ticket:
    """Hold a ticket: this attempt, written as a failure in advance. The caller commits it, then
    asks ``admit``; so concurrent attempts (other threads, other processes) always see it."""
    username, address = normalize(username), (address or "unknown")[:COLUMN]
    row = LoginAttempt(username=username, address=address, at=utcnow())
    db.session.add(row)
    db.session.flush()
    return Ticket(row.id, username, address)


def admit(ticket: Ticket) -> Ticket:
    """Refuse (TooManyRequests, the ticket withdrawn; the caller commits that) when the username
    or the address already has LOGIN_MAX_FAILURES other attempts in the window; no password is
    checked then. Since every ticket is committed before it is counted, the last of any group of
    parallel attempts sees all the others: at most LOGIN_MAX_FAILURES get past in a window."""
    now, window, limit = utcnow(), _window(), _limit()
    since = now - window
    by_user = _recent(LoginAttempt.username, ticket.username, since, ticket.id)
    by_address = _recent(LoginAttempt.address, ticket.address, since, ticket.id)
    free = [t for t in (_free_at(by_user, limit, window), _free_at(by_address, limit, window)) if t]
    if free:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == ticket.id))
        seconds = max(1, math.ceil((max(free) - now).total_seconds()))
        raise TooManyRequests(minutes=max(1, math.ceil(seconds / 60)), retry_after=seconds)
    return replace(ticket, failures=max(len(by_user), len(by_address)))


def delay_for(failures: int) -> float:
    """The pause after the n-th failure in the window: base, 2×base, 4×base... at most 2 s."""
    base = float(current_app.config.get("LOGIN_DELAY_SECONDS") or 0)
    if base <= 0 or failures < 1:
        return 0.0
    return min(base * 2 ** min(failures - 1, 16), MAX_DELAY_SECONDS)


def failed(ticket: Ticket, action: str = "user.login_failed", user: User | None = None) -> float:
    """The ticket stays as the failure; audit it, prune what left the window, return the delay."""
    audit.record(action, user, username=ticket.username, address=ticket.address)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - _window()))
    return delay_for(ticket.failures + 1)


def passed(ticket: Ticket) -> None:
    """The right password: the username's failures (this ticket among them) are forgotten."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == ticket.username))


def sign_in(ticket: Ticket, password: str) -> User:
    try:
        user = users.authenticate(ticket.username, password)
    except Unauthorized as exc:
        raise SignInFailed(exc.message, failed(ticket)) from None
    passed(ticket)
    return user


def change_password(ticket: Ticket, user: User, current: str, new: str, confirm: str) -> None:
    """users.change_password behind the guard: a wrong current password counts as a failed
    sign-in of the user (it could otherwise be guessed through this form)."""
    try:
        users.change_password(user, current, new, confirm)
    except Invalid as exc:
        if "current_password" in exc.fields:
            raise SignInFailed(exc.message, failed(ticket, "user.password_change_failed", user),
                               exc.fields) from None
        passed(ticket)
        raise
    passed(ticket)


def count_failures(username: str | None = None, address: str | None = None) -> int:
    """Failures in the window for a username or an address (for screens and tests)."""
    column, value = ((LoginAttempt.username, normalize(username)) if username is not None
                     else (LoginAttempt.address, address or "unknown"))
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.at > utcnow() - _window())) or 0


def pause(seconds: float) -> None:
    """Wait after a failure, once the failure is committed (no transaction held meanwhile)."""
    if seconds > 0:
        time.sleep(seconds)

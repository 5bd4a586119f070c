"""The admins' changes to the work calendar: closed days and periods with special service hours.

Every change is checked (app.core.calendar), audited, and followed in the same transaction by a
recomputation of the due moments of every open human task and every running instance, so that
no due time keeps counting on a calendar that no longer holds.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from app import policy
from app.core import audit
from app.core.calendar import check_closed_day, check_special_period
from app.core.errors import Invalid, NotFound
from app.core.models import ClosedDay, SpecialPeriod, User
from app.extensions import db
from app.workflow.deadlines import Recomputed, recompute


def _period_values(period_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": period_id, "start": values["start"].isoformat(), "end": values["end"].isoformat(),
            "windows": values["windows"], "note": values["note"]}


def add_closed_day(values: Mapping[str, Any], user: User) -> tuple[ClosedDay, Recomputed]:
    policy.require(policy.may_change_calendar(user))
    day, note, errors = check_closed_day(values)
    if errors:
        raise Invalid("Hari libur belum dapat disimpan.", errors)
    row = ClosedDay(day=day, note=note, created_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same day added at the same moment by someone else
        raise Invalid("Hari libur belum dapat disimpan.",
                      {"day": "tanggal ini sudah terdaftar sebagai hari libur tambahan"}) from None
    result = recompute()
    audit.record("calendar.closed_day.add", user, after={"id": row.id, "day": day.isoformat(), "note": note},
                 **result.counts())
    db.session.flush()
    return row, result


def remove_closed_day(day_id: int, user: User) -> tuple[dict[str, Any], Recomputed]:
    """Removes the day; returns what it was (the row is gone) and the recomputation."""
    policy.require(policy.may_change_calendar(user))
    row = db.session.get(ClosedDay, day_id)
    if row is None:
        raise NotFound("Hari libur tidak ditemukan; mungkin sudah dihapus.")
    removed = {"id": row.id, "day": row.day, "note": row.note}
    db.session.delete(row)
    db.session.flush()
    result = recompute()
    audit.record("calendar.closed_day.remove", user,
                 before={"id": day_id, "day": removed["day"].isoformat(), "note": removed["note"]},
                 **result.counts())
    db.session.flush()
    return removed, result


def add_special_period(values: Mapping[str, Any], user: User) -> tuple[SpecialPeriod, Recomputed]:
    policy.require(policy.may_change_calendar(user))
    checked, errors = check_special_period(values)
    if errors:
        raise Invalid("Periode jam layanan khusus belum dapat disimpan.", errors)
    row = SpecialPeriod(**checked, created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    result = recompute()
    audit.record("calendar.special_period.add", user, after=_period_values(row.id, checked), **result.counts())
    db.session.flush()
    return row, result


def remove_special_period(period_id: int, user: User) -> tuple[dict[str, Any], Recomputed]:
    """Removes the period; returns what it was (the row is gone) and the recomputation."""
    policy.require(policy.may_change_calendar(user))
    row = db.session.get(SpecialPeriod, period_id)
    if row is None:
        raise NotFound("Periode jam layanan khusus tidak ditemukan; mungkin sudah dihapus.")
    removed = {"id": row.id, "start": row.start, "end": row.end, "windows": dict(row.windows), "note": row.note}
    db.session.delete(row)
    db.session.flush()
    result = recompute()
    audit.record("calendar.special_period.remove", user, before=_period_values(period_id, removed),
                 **result.counts())
    db.session.flush()
    return removed, result

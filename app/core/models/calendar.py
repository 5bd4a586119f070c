"""The office's working time as data: extra closed days and periods with special hours."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .types import UTCDateTime, utcnow


class ClosedDay(db.Model):
    """A day the office is closed beyond weekends, national holidays and cuti bersama."""

    __tablename__ = "closed_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    note: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpecialPeriod(db.Model):
    """Dates (inclusive) with their own service windows, such as Ramadan hours.

    ``windows`` maps a weekday ("0" is Monday) to a list of ["HH:MM", "HH:MM"] pairs; a weekday
    not in the map is closed during the period."""

    __tablename__ = "special_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    windows: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

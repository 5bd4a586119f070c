"""Service-hour calendar (jam layanan) of Diskominfo Kabupaten Magetan.

Times are stored in UTC and shown in WIB (Asia/Jakarta, UTC+7).  The clock of
a service standard runs only inside the service windows of a WIB day:

* Monday–Thursday 08:00–12:00 and 13:00–15:00 (6 hours),
* Friday 08:00–11:30 and 13:30–14:00 (4 hours),
* closed on Saturday, Sunday, Indonesian national holidays and cuti bersama
  (``holidays`` package, country ``ID``, categories ``public`` and
  ``government``), plus any admin-defined extra closed days.

Periods with special service hours (e.g. Ramadan) replace the default windows
for the days they cover; holidays and extra closed days stay closed inside
such periods.

One *hari kerja* is :data:`HOURS_PER_WORKDAY` (6) service hours.  A task's
``due_at`` is the moment at which its standard's service time, counted from
the moment the task became ready, runs out; when it runs out exactly at the
end of a window the due moment is that end (12:00, not 13:00).

Everything here is pure: "now" is always passed in, never read from the
clock.  Aware datetimes in any zone are accepted, naive ones are taken as UTC,
and results are always aware UTC datetimes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays as _holidays

__all__ = [
    "WIB",
    "UTC",
    "HOURS_PER_WORKDAY",
    "MAX_CLOSED_DAYS",
    "DEFAULT_WINDOWS",
    "Window",
    "Windows",
    "SpecialHours",
    "WorkCalendar",
    "format_wib",
]

WIB = ZoneInfo("Asia/Jakarta")
HOURS_PER_WORKDAY = 6

#: A calculation that meets more consecutive days without any service window
#: than this raises ``ValueError`` instead of looping forever.
MAX_CLOSED_DAYS = 2 * 366

Window = tuple[time, time]
Windows = tuple[Window, ...]

_MON_THU: Windows = ((time(8, 0), time(12, 0)), (time(13, 0), time(15, 0)))
_FRIDAY: Windows = ((time(8, 0), time(11, 30)), (time(13, 30), time(14, 0)))

#: Default service windows per weekday (0 = Monday); missing weekday = closed.
DEFAULT_WINDOWS: Mapping[int, Windows] = MappingProxyType(
    {0: _MON_THU, 1: _MON_THU, 2: _MON_THU, 3: _MON_THU, 4: _FRIDAY}
)

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)

_DEFAULT_EXTRA_CLOSED_NOTE = "Libur tambahan"
_ZERO = timedelta(0)


def _normalize_windows(windows: Iterable[Window], where: str) -> Windows:
    """Sort and validate the windows of one weekday (start < end, no overlap)."""
    result = tuple(sorted((s, e) for s, e in windows))
    previous_end: time | None = None
    for s, e in result:
        if not isinstance(s, time) or not isinstance(e, time):
            raise TypeError(f"{where}: windows must be (time, time) pairs")
        if s.tzinfo is not None or e.tzinfo is not None:
            raise ValueError(f"{where}: window times must be naive WIB wall times")
        if not s < e:
            raise ValueError(f"{where}: window {s}-{e} must start before it ends")
        if previous_end is not None and s < previous_end:
            raise ValueError(f"{where}: window {s}-{e} overlaps the previous one")
        previous_end = e
    return result


@dataclass(frozen=True)
class SpecialHours:
    """A period (``start``..``end`` inclusive, WIB dates) with its own windows.

    ``windows`` maps weekday (0 = Monday .. 6 = Sunday) to that weekday's
    windows as naive WIB ``(start, end)`` time pairs.  A weekday missing from
    the mapping (or mapped to ``()``) is closed during the period.  The
    mapping is copied, validated and frozen on construction.
    """

    start: date
    end: date
    windows: Mapping[int, Windows] = field(hash=False)
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) or not isinstance(value, date):
                raise TypeError(f"SpecialHours.{name} must be a date")
        if self.start > self.end:
            raise ValueError("SpecialHours.start must not be after SpecialHours.end")
        frozen: dict[int, Windows] = {}
        for weekday, wins in dict(self.windows).items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"SpecialHours: weekday must be 0..6, got {weekday!r}")
            frozen[weekday] = _normalize_windows(wins, f"SpecialHours weekday {weekday}")
        object.__setattr__(self, "windows", MappingProxyType(frozen))

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def _to_wib(moment: datetime) -> datetime:
    """Naive WIB wall time of ``moment`` (naive input is taken as UTC)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).replace(tzinfo=None)


def _from_wib(wall: datetime) -> datetime:
    """Aware UTC datetime of a naive WIB wall time."""
    return wall.replace(tzinfo=WIB).astimezone(UTC)


def _hours(value: float, what: str) -> timedelta:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return timedelta(hours=value)


def format_wib(dt: datetime) -> str:
    """Indonesian text of ``dt`` in WIB, e.g. ``"Selasa, 24 November 2026 10.00 WIB"``.

    Naive datetimes are taken as UTC.
    """
    w = _to_wib(dt)
    return f"{HARI[w.weekday()]}, {w.day} {BULAN[w.month - 1]} {w.year} {w.hour:02d}.{w.minute:02d} WIB"


def format_wib_short(dt: datetime) -> str:
    """The compact form for tables, e.g. ``"24 Nov 2026 10.00"`` (WIB)."""
    w = _to_wib(dt)
    return f"{w.day} {BULAN[w.month - 1][:3]} {w.year} {w.hour:02d}.{w.minute:02d}"


def iso(moment: datetime | None) -> str | None:
    """A moment as JSON writes it: 2026-11-24T03:00:00Z (moments are kept in UTC; isoformat is
    the fastest way to write them)."""
    return moment.isoformat(timespec="seconds")[:19] + "Z" if moment else None


class WorkCalendar:
    """Service calendar: default windows, national holidays and cuti bersama,
    admin extra closed days and special-hours periods.

    Immutable after construction (the lazily filled per-year holiday cache is
    an internal detail).  When several ``special`` periods cover the same day,
    the first one given wins.
    """

    __slots__ = ("_extra_closed", "_special", "_holiday_cache")

    def __init__(
        self,
        extra_closed: Mapping[date, str] | Iterable[date] = (),
        special: Iterable[SpecialHours] = (),
    ) -> None:
        if isinstance(extra_closed, Mapping):
            items = list(extra_closed.items())
        else:
            items = [(d, "") for d in extra_closed]
        closed: dict[date, str] = {}
        for day, note in items:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"extra_closed keys must be dates, got {day!r}")
            closed[day] = (str(note).strip() if note else "") or _DEFAULT_EXTRA_CLOSED_NOTE
        specials = tuple(special)
        for sp in specials:
            if not isinstance(sp, SpecialHours):
                raise TypeError(f"special must hold SpecialHours, got {sp!r}")
        object.__setattr__(self, "_extra_closed", MappingProxyType(closed))
        object.__setattr__(self, "_special", specials)
        object.__setattr__(self, "_holiday_cache", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(extra_closed={dict(self._extra_closed)!r}, "
            f"special={self._special!r})"
        )

    @property
    def extra_closed(self) -> Mapping[date, str]:
        return self._extra_closed

    @property
    def special(self) -> tuple[SpecialHours, ...]:
        return self._special

    # ------------------------------------------------------------------ days

    def _holidays_of(self, year: int) -> Mapping[date, str]:
        cached = self._holiday_cache.get(year)
        if cached is None:
            source = _holidays.country_holidays(
                "ID", categories=("public", "government"), years=year, language="id"
            )
            cached = MappingProxyType(dict(source.items()))
            self._holiday_cache[year] = cached
        return cached

    def holiday_name(self, day: date) -> str | None:
        """Name of the national holiday / cuti bersama on ``day``, if any."""
        return self._holidays_of(day.year).get(day)

    def _scheduled(self, day: date) -> tuple[Windows, str | None]:
        """Windows of ``day`` before holidays/extra closures, and the special note."""
        for sp in self._special:
            if sp.covers(day):
                return sp.windows.get(day.weekday(), ()), (sp.note or "Jam layanan khusus")
        return DEFAULT_WINDOWS.get(day.weekday(), ()), None

    def closed_reason(self, day: date) -> str | None:
        """Why ``day`` (a WIB date) has no service, or ``None`` if it is open.

        Order: admin extra closed note, holiday / cuti bersama name, weekend
        (``"Akhir pekan (Sabtu)"``), then a special period without windows on
        that weekday (its note).
        """
        if isinstance(day, datetime):
            day = _to_wib(day).date()
        note = self._extra_closed.get(day)
        if note is not None:
            return note
        name = self.holiday_name(day)
        if name:
            return name
        wins, special_note = self._scheduled(day)
        if wins:
            return None
        if day.weekday() >= 5:
            return f"Akhir pekan ({HARI[day.weekday()]})"
        return special_note or "Tutup"

    def windows(self, day: date) -> Windows:
        """Service windows (naive WIB times) of WIB date ``day``; ``()`` if closed."""
        if isinstance(day, datetime):
            day = _to_wib(day).date()
        if day in self._extra_closed or self.holiday_name(day):
            return ()
        return self._scheduled(day)[0]

    def is_open(self, day: date) -> bool:
        return bool(self.windows(day))

    def _wall_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        return [(datetime.combine(day, s), datetime.combine(day, e)) for s, e in self.windows(day)]

    # ------------------------------------------------------------- moments

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself (as UTC) if inside a window, else the next window start.

        Windows are half-open: at exactly a window's end (e.g. 12:00) the
        answer is the next window's start (13:00).
        """
        wall = _to_wib(moment)
        day = wall.date()
        closed_run = 0
        while True:
            wins = self._wall_windows(day)
            for ws, we in wins:
                if wall < we:
                    return _from_wib(max(wall, ws))
            closed_run = 0 if wins else closed_run + 1
            if closed_run > MAX_CLOSED_DAYS:
                raise ValueError(f"no service window within {MAX_CLOSED_DAYS} days after {moment!r}")
            day += timedelta(days=1)

    def add_service_hours(self, start: datetime, hours: float) -> datetime:
        """The moment at which ``hours`` of service time, counted from ``start``, run out.

        Time outside the windows does not count; running out exactly at a
        window's end gives that end.  ``hours == 0`` returns ``start`` (as UTC).
        """
        remaining = _hours(hours, "hours")
        wall = _to_wib(start)
        if remaining == _ZERO:
            return _from_wib(wall)
        day = wall.date()
        closed_run = 0
        while True:
            wins = self._wall_windows(day)
            if not wins:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise ValueError(
                        f"no service window within {MAX_CLOSED_DAYS} days after {start!r}"
                    )
            else:
                closed_run = 0
                total = sum((we - ws for ws, we in wins), _ZERO)
                if wall <= wins[0][0] and remaining > total:
                    # The whole day lies ahead and is not enough: skip it at once.
                    remaining -= total
                else:
                    for ws, we in wins:
                        if wall >= we:
                            continue
                        begin = max(wall, ws)
                        available = we - begin
                        if remaining <= available:
                            return _from_wib(begin + remaining)
                        remaining -= available
            day += timedelta(days=1)
            wall = datetime.combine(day, time(0, 0))

    def due_at(self, start: datetime, hari_kerja: float) -> datetime:
        """Due moment of a standard of ``hari_kerja`` working days ready at ``start``."""
        return self.add_service_hours(start, float(hari_kerja) * HOURS_PER_WORKDAY)

    def service_hours_between(self, start: datetime, end: datetime) -> float:
        """Service hours elapsed from ``start`` to ``end`` (negative if ``end < start``)."""
        s, e = _to_wib(start), _to_wib(end)
        if e < s:
            return -self.service_hours_between(end, start)
        total = _ZERO
        day, last = s.date(), e.date()
        while day <= last:
            for ws, we in self._wall_windows(day):
                lo, hi = max(ws, s), min(we, e)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total / timedelta(hours=1)

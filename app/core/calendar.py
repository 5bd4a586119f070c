"""Working time as data: the service calendar read from the closed_day and special_period
tables, and the checks of an admin's change to it (errors per field, in Bahasa Indonesia).

The calendar is read from the database on every call (a few small rows), so a change made
by one application process is seen by every other at once, without a restart; the built
WorkCalendar, with its per-year holiday cache, is kept in memory keyed by those rows.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from sqlalchemy import select

from app.extensions import db

from .models import ClosedDay, SpecialPeriod
from .paging import page_of
from .workcal import DEFAULT_WINDOWS, SpecialHours, WorkCalendar

log = logging.getLogger(__name__)

WEEKDAYS = range(7)  # 0 is Monday, as in date.weekday()
MAX_PERIOD_DAYS = 366
MAX_NOTE = 255
FIRST_YEAR, LAST_YEAR = 2000, 2099

_cache: OrderedDict[tuple, WorkCalendar] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


# Reading ---------------------------------------------------------------------------------

def _windows_of(stored: Mapping[str, Any]) -> dict[int, list[tuple[time, time]]]:
    """The stored {"0": [["07:30", "12:00"], ...]} as weekday -> [(time, time), ...]."""
    return {int(day): [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs]
            for day, pairs in stored.items()}


def _build(closed: tuple, periods: tuple) -> WorkCalendar:
    specials = []
    for start, end, windows, note in periods:
        try:
            specials.append(SpecialHours(start, end, _windows_of(json.loads(windows)), note))
        except (TypeError, ValueError, AttributeError) as exc:
            log.warning("special period %s..%s ignored: %s", start, end, exc)
    return WorkCalendar(dict(closed), specials)


def current() -> WorkCalendar:
    """The calendar as the database holds it now (this transaction's view of it, as flushed:
    reading it never flushes the caller's pending changes; the changes below flush first)."""
    with db.session.no_autoflush:
        closed = tuple(db.session.execute(select(ClosedDay.day, ClosedDay.note).order_by(ClosedDay.day)))
        periods = tuple(
            (start, end, json.dumps(windows, sort_keys=True), note)
            for start, end, windows, note in db.session.execute(
                select(SpecialPeriod.start, SpecialPeriod.end, SpecialPeriod.windows, SpecialPeriod.note)
                .order_by(SpecialPeriod.start, SpecialPeriod.id))
        )
    key = (tuple(tuple(r) for r in closed), periods)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    built = _build(*key)
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


# Parsing what an admin types ----------------------------------------------------------------

_TIME = r"(\d{1,2})[.:](\d{2})"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|—|s/d|sampai)\s*{_TIME}$", re.IGNORECASE)
_CLOSED_WORDS = {"", "-", "–", "tutup", "libur"}


def format_time(moment: time) -> str:
    return f"{moment.hour:02d}.{moment.minute:02d}"


def windows_text(windows) -> str:
    """[(time, time), ...] or [["07:30", "12:00"], ...] as the admin types them: "07.30-12.00, ..."."""
    pairs = [(time.fromisoformat(a) if isinstance(a, str) else a, time.fromisoformat(b) if isinstance(b, str) else b)
             for a, b in windows]
    return ", ".join(f"{format_time(a)}-{format_time(b)}" for a, b in pairs)


def default_windows_text() -> dict[int, str]:
    """The ordinary service hours per weekday, the starting point of a new period."""
    return {day: windows_text(DEFAULT_WINDOWS.get(day, ())) for day in WEEKDAYS}


def _clock(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    return time(h, m) if 0 <= h <= 23 and 0 <= m <= 59 else None


def parse_windows(text: str) -> list[tuple[time, time]]:
    """Service windows of one weekday from text such as "07.30-12.00, 13.00-14.00"; empty (or
    "tutup") is closed. Raises ValueError with a message in Bahasa Indonesia."""
    text = (text or "").strip()
    if text.lower() in _CLOSED_WORDS:
        return []
    windows = []
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"“{part}” bukan rentang jam; tulis seperti 07.30-12.00, 13.00-14.00")
        start, end = _clock(match[1], match[2]), _clock(match[3], match[4])
        if start is None or end is None:
            raise ValueError(f"“{part}”: jam tidak valid (00.00 sampai 23.59)")
        if not start < end:
            raise ValueError(f"“{part}”: jam mulai harus sebelum jam selesai")
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in zip(windows, windows[1:], strict=False):
        if s2 < e1:
            raise ValueError(f"{format_time(s1)}-{format_time(e1)} dan {format_time(s2)}-{format_time(e2)} "
                             "bertumpang tindih")
    return windows


def _date(values: Mapping[str, Any], name: str, errors: dict[str, str]) -> date | None:
    raw = str(values.get(name) or "").strip()
    if not raw:
        errors[name] = "wajib diisi"
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[name] = "tanggal tidak valid; gunakan format TTTT-BB-HH"
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = f"tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}"
        return None
    return day


def _note(values: Mapping[str, Any], errors: dict[str, str]) -> str:
    note = str(values.get("note") or "").strip()
    if not note:
        errors["note"] = "wajib diisi"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"paling banyak {MAX_NOTE} karakter"
    return note


def check_closed_day(values: Mapping[str, Any]) -> tuple[date | None, str, dict[str, str]]:
    """The day and note of a new closed day, or the reasons why not (field -> message)."""
    errors: dict[str, str] = {}
    day = _date(values, "day", errors)
    note = _note(values, errors)
    if day is not None and db.session.scalar(select(ClosedDay.id).where(ClosedDay.day == day)) is not None:
        errors["day"] = "tanggal ini sudah terdaftar sebagai hari libur tambahan"
    return day, note, errors


def check_special_period(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """start, end, windows ({"0": [["07:30", "12:00"], ...]}) and note of a new special period,
    or the reasons why not. The windows of weekday N are typed in the field windows_N."""
    errors: dict[str, str] = {}
    start, end = _date(values, "start", errors), _date(values, "end", errors)
    note = _note(values, errors)
    windows: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        try:
            parsed = parse_windows(str(values.get(f"windows_{day}") or ""))
        except ValueError as exc:
            errors[f"windows_{day}"] = str(exc)
            continue
        if parsed:
            windows[str(day)] = [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in parsed]
    if not windows and not any(k.startswith("windows_") for k in errors):
        errors["windows"] = "isi jam layanan untuk sedikitnya satu hari; hari tutup cukup dikosongkan"
    if start and end:
        if end < start:
            errors["end"] = "tanggal selesai tidak boleh sebelum tanggal mulai"
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            errors["end"] = f"periode paling lama {MAX_PERIOD_DAYS} hari"
        else:
            other = db.session.scalars(
                select(SpecialPeriod).where(SpecialPeriod.start <= end, SpecialPeriod.end >= start)
                .order_by(SpecialPeriod.start).limit(1)).first()
            if other is not None:
                errors["start"] = (f"bertumpang tindih dengan periode {other.start.isoformat()} sampai "
                                   f"{other.end.isoformat()} ({other.note}); hapus periode itu lebih dahulu")
    return {"start": start, "end": end, "windows": windows, "note": note}, errors


def closed_days_page(page_no: int, per_page: int):
    return page_of(select(ClosedDay).order_by(ClosedDay.day.desc(), ClosedDay.id.desc()), page_no, per_page)


def special_periods_page(page_no: int, per_page: int):
    return page_of(select(SpecialPeriod).order_by(SpecialPeriod.start.desc(), SpecialPeriod.id.desc()),
                   page_no, per_page)


def holidays_of(year: int) -> list[tuple[date, str]]:
    """National holidays and cuti bersama of a year (from the holidays package), for reference."""
    cal = current()
    day, found = date(year, 1, 1), []
    while day.year == year:
        name = cal.holiday_name(day)
        if name:
            found.append((day, name))
        day = date.fromordinal(day.toordinal() + 1)
    return found

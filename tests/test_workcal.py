"""Tests of app.workcal — the service-hour calendar.

Every expected value below is derived by hand from the contract:
Mon–Thu 08:00–12:00 + 13:00–15:00 (6 h), Fri 08:00–11:30 + 13:30–14:00 (4 h),
closed on weekends, national holidays and cuti bersama; 1 hari kerja = 6 h.

Reference weekdays (2026-01-01 is a Thursday; 2026 is not a leap year, so
2027-01-01 is a Friday):
    2026-08-14 Fri, 2026-08-17 Mon (Hari Kemerdekaan)
    2026-11-02 Mon … 2026-11-23 Mon, 24 Tue, 25 Wed, 26 Thu, 27 Fri,
    28 Sat, 29 Sun, 30 Mon; 2026-12-01 Tue … 03 Thu
    2026-12-23 Wed, 24 Thu (cuti bersama Natal), 25 Fri (Natal), 28 Mon
    2026-12-31 Thu, 2027-01-01 Fri (Tahun Baru), 2027-01-04 Mon
"""

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core import workcal
from app.core.workcal import HOURS_PER_WORKDAY, WIB, SpecialHours, WorkCalendar, format_wib


def wib(y, mo, d, h=0, mi=0):
    """An aware WIB datetime."""
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


def utc_of_wib(y, mo, d, h=0, mi=0):
    """The aware UTC datetime of a WIB wall time (WIB = UTC+7, no DST)."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def assert_utc(dt):
    assert dt.tzinfo is not None
    assert dt.utcoffset() == timedelta(0)


# --------------------------------------------------------------- constants


def test_constants():
    assert HOURS_PER_WORKDAY == 6
    assert WIB == ZoneInfo("Asia/Jakarta")
    assert wib(2026, 11, 24).utcoffset() == timedelta(hours=7)


# ------------------------------------------------------------ windows/days


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 11, 23), ((time(8), time(12)), (time(13), time(15)))),  # Mon
        (date(2026, 11, 26), ((time(8), time(12)), (time(13), time(15)))),  # Thu
        (date(2026, 11, 27), ((time(8), time(11, 30)), (time(13, 30), time(14)))),  # Fri
        (date(2026, 11, 28), ()),  # Sat
        (date(2026, 11, 29), ()),  # Sun
        (date(2026, 8, 17), ()),  # Hari Kemerdekaan (Mon)
        (date(2026, 12, 24), ()),  # cuti bersama (Thu)
        (date(2026, 12, 25), ()),  # Natal (Fri)
        (date(2027, 1, 1), ()),  # Tahun Baru (Fri)
    ],
)
def test_windows(cal, day, expected):
    assert cal.windows(day) == expected


def test_closed_reason_open_day_is_none(cal):
    assert cal.closed_reason(date(2026, 11, 24)) is None
    assert cal.closed_reason(date(2026, 11, 27)) is None


def test_closed_reason_weekend(cal):
    assert cal.closed_reason(date(2026, 11, 28)) == "Akhir pekan (Sabtu)"
    assert cal.closed_reason(date(2026, 11, 29)) == "Akhir pekan (Minggu)"


@pytest.mark.parametrize(
    "day, word",
    [
        (date(2026, 8, 17), "Kemerdekaan"),
        (date(2026, 12, 24), "Cuti Bersama"),
        (date(2026, 12, 25), "Natal"),
        (date(2027, 1, 1), "Tahun Baru"),
    ],
)
def test_closed_reason_names_the_holiday(cal, day, word):
    reason = cal.closed_reason(day)
    assert reason is not None and word in reason


def test_closed_reason_independence_day_exact(cal):
    assert cal.closed_reason(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"


# --------------------------------------------------------- contract examples


def test_contract_tuesday(cal):
    # Tue 10–12 (2h) + 13–15 (2h) = 4h; 2h left → Wed 08–10.
    assert cal.due_at(wib(2026, 11, 24, 10), 1) == utc_of_wib(2026, 11, 25, 10)


def test_contract_friday(cal):
    # Fri 10–11:30 (1.5h) + 13:30–14 (0.5h) = 2h; 4h left → Mon 08–12, ends at 12:00.
    assert cal.due_at(wib(2026, 11, 27, 10), 1) == utc_of_wib(2026, 11, 30, 12)


def test_contract_saturday_starts_monday(cal):
    # Clock starts Mon 08:00: 08–12 (4h) + 13–15 (2h) → Mon 15:00.
    assert cal.due_at(wib(2026, 11, 28, 9), 1) == utc_of_wib(2026, 11, 30, 15)
    assert cal.next_open(wib(2026, 11, 28, 9)) == utc_of_wib(2026, 11, 30, 8)


# --------------------------------------------------------------- the edges


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        # before opening: counted from 08:00
        (wib(2026, 11, 24, 6), 2, utc_of_wib(2026, 11, 24, 10)),
        (wib(2026, 11, 24, 6), 6, utc_of_wib(2026, 11, 24, 15)),
        # in the lunch break: counted from 13:00
        (wib(2026, 11, 23, 12, 30), 1, utc_of_wib(2026, 11, 23, 14)),
        # Mon 13–15 (2h), then Tue 08–12 (4h) → Tue 12:00
        (wib(2026, 11, 23, 12, 30), 6, utc_of_wib(2026, 11, 24, 12)),
        # exactly at closing on Thursday → Friday
        (wib(2026, 11, 26, 15), 1, utc_of_wib(2026, 11, 27, 9)),
        # Thu 15:00, 6h: Fri 3.5h + 0.5h = 4h, 2h left → Mon 10:00
        (wib(2026, 11, 26, 15), 6, utc_of_wib(2026, 11, 30, 10)),
        # after closing on Friday → Monday 08:00
        (wib(2026, 11, 27, 16), 1, utc_of_wib(2026, 11, 30, 9)),
        # Friday 11:00: 0.5h to 11:30, then from 13:30 → 14:00
        (wib(2026, 11, 27, 11), 1, utc_of_wib(2026, 11, 27, 14)),
        # Friday in the 11:30–13:30 break → counted from 13:30
        (wib(2026, 11, 27, 12), 0.5, utc_of_wib(2026, 11, 27, 14)),
        (wib(2026, 11, 27, 11, 30), 0.25, utc_of_wib(2026, 11, 27, 13, 45)),
        # Friday 12:00, 1h: 13:30–14 (0.5h), then Mon 08:00–08:30
        (wib(2026, 11, 27, 12), 1, utc_of_wib(2026, 11, 30, 8, 30)),
        # Friday 13:45: 0.25h on Friday, 5.75h left: Mon 08–12 (4h), 13:00+1:45
        (wib(2026, 11, 27, 13, 45), 6, utc_of_wib(2026, 11, 30, 14, 45)),
        (wib(2026, 11, 27, 13, 45), 0.25, utc_of_wib(2026, 11, 27, 14)),
        # Sunday night counts nothing
        (wib(2026, 11, 29, 23, 59), 4, utc_of_wib(2026, 11, 30, 12)),
    ],
)
def test_add_service_hours_edges(cal, start, hours, expected):
    result = cal.add_service_hours(start, hours)
    assert result == expected
    assert_utc(result)


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        # runs out exactly at a window's end: that end, not the next start
        (wib(2026, 11, 23, 8), 4, utc_of_wib(2026, 11, 23, 12)),  # not 13:00
        (wib(2026, 11, 23, 8), 6, utc_of_wib(2026, 11, 23, 15)),  # not Tue 08:00
        (wib(2026, 11, 26, 13), 2, utc_of_wib(2026, 11, 26, 15)),
        (wib(2026, 11, 27, 8), 3.5, utc_of_wib(2026, 11, 27, 11, 30)),  # not 13:30
        (wib(2026, 11, 27, 13, 30), 0.5, utc_of_wib(2026, 11, 27, 14)),  # not Monday
        (wib(2026, 11, 27, 8), 4, utc_of_wib(2026, 11, 27, 14)),
        # started before opening, still ends exactly at 12:00
        (wib(2026, 11, 23, 7), 4, utc_of_wib(2026, 11, 23, 12)),
    ],
)
def test_exactly_at_window_end(cal, start, hours, expected):
    assert cal.add_service_hours(start, hours) == expected


def test_zero_hours_returns_start(cal):
    start = wib(2026, 11, 28, 9)  # even on a Saturday
    assert cal.add_service_hours(start, 0) == start
    assert_utc(cal.add_service_hours(start, 0))


# ------------------------------------------------------ holidays and year end


def test_national_holiday_independence_day(cal):
    # Fri 2026-08-14 10:00: 2h on Friday; Sat, Sun, Mon 17 Aug closed;
    # 4h left → Tue 18 Aug 08–12.
    assert cal.due_at(wib(2026, 8, 14, 10), 1) == utc_of_wib(2026, 8, 18, 12)
    # ready on the holiday itself: clock starts Tue 08:00
    assert cal.due_at(wib(2026, 8, 17, 9), 1) == utc_of_wib(2026, 8, 18, 15)
    assert cal.next_open(wib(2026, 8, 17, 9)) == utc_of_wib(2026, 8, 18, 8)


def test_cuti_bersama_christmas(cal):
    # Wed 23 Dec 10:00: 4h on Wed; Thu 24 (cuti bersama), Fri 25 (Natal),
    # Sat, Sun closed; 2h left → Mon 28 Dec 10:00.
    assert cal.due_at(wib(2026, 12, 23, 10), 1) == utc_of_wib(2026, 12, 28, 10)


def test_across_year_end(cal):
    # Thu 31 Dec 10:00: 4h; Fri 1 Jan 2027 Tahun Baru, Sat, Sun closed;
    # 2h left → Mon 4 Jan 2027 08–10.
    assert cal.due_at(wib(2026, 12, 31, 10), 1) == utc_of_wib(2027, 1, 4, 10)


def test_across_year_end_fresh_calendar_loads_next_year_lazily():
    fresh = WorkCalendar()
    # Thu 31 Dec 15:00 (closing): 1h → Mon 4 Jan 2027 09:00 (1 Jan is a holiday)
    assert fresh.add_service_hours(wib(2026, 12, 31, 15), 1) == utc_of_wib(2027, 1, 4, 9)
    assert fresh.next_open(wib(2026, 12, 31, 15)) == utc_of_wib(2027, 1, 4, 8)


# ------------------------------------------------------------ long standards


def test_seven_hari_kerja_from_monday_morning(cal):
    # 42h from Mon 2 Nov 08:00: week 2–6 Nov = 4×6 + 4 = 28h, 14h left;
    # Mon 9 (6h) → 8h, Tue 10 (6h) → 2h, Wed 11 08–10.
    assert cal.due_at(wib(2026, 11, 2, 8), 7) == utc_of_wib(2026, 11, 11, 10)


def test_seven_hari_kerja_from_tuesday_ends_at_window_end(cal):
    # 42h from Tue 24 Nov 10:00: Tue 4 (38 left), Wed 6 (32), Thu 6 (26),
    # Fri 4 (22), Mon 30 6 (16), Tue 1 Dec 6 (10), Wed 2 Dec 6 (4),
    # Thu 3 Dec 08–12 → 12:00 exactly.
    assert cal.due_at(wib(2026, 11, 24, 10), 7) == utc_of_wib(2026, 12, 3, 12)


def test_fractional_hari_kerja(cal):
    # 0.5 hari kerja = 3h from Tue 10:00: 10–12 (2h), 13–14.
    assert cal.due_at(wib(2026, 11, 24, 10), 0.5) == utc_of_wib(2026, 11, 24, 14)


# ----------------------------------------------------------- time zones


def test_utc_and_wib_inputs_agree(cal):
    # Tue 24 Nov 10:00 WIB == 03:00 UTC == 11:00 WITA
    as_wib = wib(2026, 11, 24, 10)
    as_utc = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    as_wita = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    expected = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wed 10:00 WIB
    for start in (as_wib, as_utc, as_wita):
        result = cal.due_at(start, 1)
        assert result == expected
        assert_utc(result)


def test_naive_is_utc(cal):
    naive = datetime(2026, 11, 24, 3, 0)  # = Tue 10:00 WIB
    result = cal.due_at(naive, 1)
    assert result == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert_utc(result)
    # a naive 10:00 is 17:00 WIB — after closing → Wed 08:00 + 6h = Wed 15:00
    assert cal.due_at(datetime(2026, 11, 24, 10, 0), 1) == utc_of_wib(2026, 11, 25, 15)


def test_utc_day_differs_from_wib_day(cal):
    # Fri 27 Nov 20:00 UTC is Sat 28 Nov 03:00 WIB → starts Mon 08:00
    start = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert cal.add_service_hours(start, 1) == utc_of_wib(2026, 11, 30, 9)
    # Sun 29 Nov 23:30 UTC is Mon 30 Nov 06:30 WIB → Mon 08:00 + 1h
    start = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert cal.add_service_hours(start, 1) == utc_of_wib(2026, 11, 30, 9)


# --------------------------------------------------------------- next_open


@pytest.mark.parametrize(
    "moment, expected",
    [
        (wib(2026, 11, 24, 10), utc_of_wib(2026, 11, 24, 10)),  # inside: itself
        (wib(2026, 11, 24, 8), utc_of_wib(2026, 11, 24, 8)),  # at opening: itself
        (wib(2026, 11, 24, 6), utc_of_wib(2026, 11, 24, 8)),
        (wib(2026, 11, 24, 12), utc_of_wib(2026, 11, 24, 13)),  # at window end
        (wib(2026, 11, 24, 12, 30), utc_of_wib(2026, 11, 24, 13)),
        (wib(2026, 11, 26, 15), utc_of_wib(2026, 11, 27, 8)),  # Thu closing
        (wib(2026, 11, 27, 11, 30), utc_of_wib(2026, 11, 27, 13, 30)),  # Fri break
        (wib(2026, 11, 27, 14), utc_of_wib(2026, 11, 30, 8)),  # Fri closing
        (wib(2026, 12, 23, 16), utc_of_wib(2026, 12, 28, 8)),  # Natal closure
    ],
)
def test_next_open(cal, moment, expected):
    result = cal.next_open(moment)
    assert result == expected
    assert_utc(result)


# ---------------------------------------------------- service_hours_between


@pytest.mark.parametrize(
    "start, end, hours",
    [
        (wib(2026, 11, 24, 10), wib(2026, 11, 24, 10), 0.0),
        (wib(2026, 11, 24, 10), wib(2026, 11, 25, 10), 6.0),
        # Fri 10–11:30 + 13:30–14 = 2h, Mon 08–10 = 2h
        (wib(2026, 11, 27, 10), wib(2026, 11, 30, 10), 4.0),
        (wib(2026, 11, 24, 12), wib(2026, 11, 24, 13), 0.0),  # lunch
        (wib(2026, 11, 28, 8), wib(2026, 11, 29, 18), 0.0),  # weekend
        (wib(2026, 11, 24, 6), wib(2026, 11, 24, 20), 6.0),  # whole Tuesday
        (wib(2026, 12, 23, 15), wib(2026, 12, 28, 8), 0.0),  # Natal closure
        (wib(2026, 11, 2, 8), wib(2026, 11, 11, 10), 42.0),  # 7 hari kerja
        (wib(2026, 11, 27, 13, 45), wib(2026, 11, 30, 14, 45), 6.0),
    ],
)
def test_service_hours_between(cal, start, end, hours):
    assert cal.service_hours_between(start, end) == hours
    assert cal.service_hours_between(end, start) == -hours


def test_service_hours_between_mixed_zones(cal):
    # Tue 10:00 WIB (as UTC) to Wed 10:00 WIB (as naive UTC) = 6h
    start = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    end = datetime(2026, 11, 25, 3, 0)
    assert cal.service_hours_between(start, end) == 6.0


STARTS = [
    wib(2026, 11, 24, 10),  # Tue in a window
    wib(2026, 11, 28, 9),  # Saturday
    wib(2026, 11, 23, 12, 30),  # lunch break
    wib(2026, 11, 27, 13, 45),  # Friday afternoon
    wib(2026, 11, 27, 12),  # Friday break
    wib(2026, 12, 23, 10),  # before Natal closure
    wib(2026, 12, 31, 10),  # year end
    wib(2026, 8, 14, 15),  # before Independence Day weekend
]
HOURS = [0, 0.25, 1, 2, 3.5, 4, 5.75, 6, 13.75, 42, 100]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("hours", HOURS)
def test_between_inverts_add(cal, start, hours):
    end = cal.add_service_hours(start, hours)
    assert cal.service_hours_between(start, end) == hours
    # and the due moment is never inside a closed period after real work
    if hours:
        assert cal.windows(end.astimezone(WIB).date()) != ()


# ------------------------------------------------- admin data: extra closed


def test_extra_closed_mapping():
    c = WorkCalendar(extra_closed={date(2026, 11, 25): "Rapat koordinasi"})
    assert c.closed_reason(date(2026, 11, 25)) == "Rapat koordinasi"
    assert c.windows(date(2026, 11, 25)) == ()
    # Tue 24 10:00: 4h on Tue; Wed 25 closed; 2h left → Thu 26 08–10
    assert c.due_at(wib(2026, 11, 24, 10), 1) == utc_of_wib(2026, 11, 26, 10)
    assert c.service_hours_between(wib(2026, 11, 24, 10), wib(2026, 11, 26, 10)) == 6.0


def test_extra_closed_iterable():
    c = WorkCalendar(extra_closed=[date(2026, 11, 25)])
    reason = c.closed_reason(date(2026, 11, 25))
    assert isinstance(reason, str) and reason
    assert c.due_at(wib(2026, 11, 24, 10), 1) == utc_of_wib(2026, 11, 26, 10)
    # the default calendar is unaffected
    assert WorkCalendar().closed_reason(date(2026, 11, 25)) is None


def test_extra_closed_rejects_datetimes():
    with pytest.raises(TypeError):
        WorkCalendar(extra_closed=[datetime(2026, 11, 25, 0, 0)])


# ----------------------------------------------- admin data: special hours

RAMADAN_LIKE = SpecialHours(
    start=date(2026, 11, 23),
    end=date(2026, 11, 27),
    windows={
        # given out of order on purpose; normalised by SpecialHours
        0: ((time(12, 30), time(14)), (time(8), time(12))),
        1: ((time(8), time(12)), (time(12, 30), time(14))),
        2: ((time(8), time(12)), (time(12, 30), time(14))),
        3: ((time(8), time(12)), (time(12, 30), time(14))),
        4: ((time(8), time(11)),),
    },
    note="Ramadan",
)


def test_special_hours_windows():
    c = WorkCalendar(special=[RAMADAN_LIKE])
    assert c.windows(date(2026, 11, 23)) == ((time(8), time(12)), (time(12, 30), time(14)))
    assert c.windows(date(2026, 11, 27)) == ((time(8), time(11)),)
    # period is inclusive and ends on the 27th: Monday 30 back to normal
    assert c.windows(date(2026, 11, 30)) == ((time(8), time(12)), (time(13), time(15)))
    assert c.windows(date(2026, 11, 20)) == ((time(8), time(11, 30)), (time(13, 30), time(14)))


def test_special_hours_due():
    c = WorkCalendar(special=[RAMADAN_LIKE])
    # Tue 24 10:00: 10–12 (2h) + 12:30–14 (1.5h) = 3.5h; 2.5h left → Wed 08:00+2:30
    assert c.due_at(wib(2026, 11, 24, 10), 1) == utc_of_wib(2026, 11, 25, 10, 30)
    # Tue 12:15 is inside the default lunch break but in a special window gap
    # only until 12:30: 0.5h → 13:00
    assert c.add_service_hours(wib(2026, 11, 24, 12, 15), 0.5) == utc_of_wib(2026, 11, 24, 13)
    # Fri 27 10:00 (special): 10–11 (1h), 5h left; Mon 30 (default) 08–12 (4h),
    # 1h left → 13:00–14:00
    assert c.due_at(wib(2026, 11, 27, 10), 1) == utc_of_wib(2026, 11, 30, 14)
    assert c.service_hours_between(wib(2026, 11, 27, 10), wib(2026, 11, 30, 14)) == 6.0


def test_special_hours_missing_weekday_is_closed_and_holidays_still_closed():
    sp = SpecialHours(
        start=date(2026, 12, 21),
        end=date(2026, 12, 31),
        windows={0: ((time(9), time(11)),), 1: ((time(9), time(11)),),
                 3: ((time(9), time(11)),), 4: ((time(9), time(11)),)},
        note="Akhir tahun",
    )
    c = WorkCalendar(special=[sp])
    # Wednesday 23 Dec has no windows in the period
    assert c.windows(date(2026, 12, 23)) == ()
    assert c.closed_reason(date(2026, 12, 23)) == "Akhir tahun"
    # Thursday 24 Dec is still cuti bersama, named as such
    assert c.windows(date(2026, 12, 24)) == ()
    assert "Cuti Bersama" in c.closed_reason(date(2026, 12, 24))
    # Tue 22 Dec 10:00, 2h: Tue 10–11 (1h); Wed (no windows), Thu, Fri, Sat, Sun
    # closed; Mon 28 09:00–10:00
    assert c.add_service_hours(wib(2026, 12, 22, 10), 2) == utc_of_wib(2026, 12, 28, 10)


def test_special_hours_can_open_a_saturday():
    sp = SpecialHours(start=date(2026, 11, 28), end=date(2026, 11, 28),
                      windows={5: ((time(8), time(10)),)}, note="Layanan Sabtu")
    c = WorkCalendar(special=[sp])
    assert c.closed_reason(date(2026, 11, 28)) is None
    # Fri 13:45: 0.25h on Friday, 1.75h left → Sat 08:00 + 1:45
    assert c.add_service_hours(wib(2026, 11, 27, 13, 45), 2) == utc_of_wib(2026, 11, 28, 9, 45)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(start=date(2026, 2, 1), end=date(2026, 1, 1), windows={}),
        dict(start=date(2026, 1, 1), end=date(2026, 2, 1), windows={0: ((time(12), time(8)),)}),
        dict(start=date(2026, 1, 1), end=date(2026, 2, 1),
             windows={0: ((time(8), time(12)), (time(11), time(13)))}),
        dict(start=date(2026, 1, 1), end=date(2026, 2, 1), windows={7: ((time(8), time(9)),)}),
    ],
)
def test_special_hours_validation(kwargs):
    with pytest.raises(ValueError):
        SpecialHours(**kwargs)


def test_special_hours_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RAMADAN_LIKE.note = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RAMADAN_LIKE.windows[6] = ()  # type: ignore[index]


# ------------------------------------------------------------ guards


def test_closed_for_more_than_two_years_raises():
    never = SpecialHours(start=date(2026, 1, 1), end=date(2029, 12, 31), windows={})
    c = WorkCalendar(special=[never])
    with pytest.raises(ValueError):
        c.add_service_hours(wib(2026, 1, 5, 9), 1)
    with pytest.raises(ValueError):
        c.next_open(wib(2026, 1, 5, 9))
    # a bounded question still has an answer
    assert c.service_hours_between(wib(2026, 1, 5, 9), wib(2027, 1, 5, 9)) == 0.0


def test_closed_for_under_two_years_is_fine():
    gap = SpecialHours(start=date(2026, 1, 1), end=date(2027, 6, 30), windows={})
    c = WorkCalendar(special=[gap])
    # 2027-07-01 is a Thursday (2027-01-01 Fri + 181 days = Fri + 6 weekdays)
    assert c.next_open(wib(2026, 1, 5, 9)) == utc_of_wib(2027, 7, 1, 8)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_bad_hours_rejected(cal, bad):
    with pytest.raises(ValueError):
        cal.add_service_hours(wib(2026, 11, 24, 10), bad)


def test_calendar_is_immutable(cal):
    with pytest.raises(AttributeError):
        cal.foo = 1  # type: ignore[attr-defined]


def test_large_standard_is_fast(cal):
    # 1000 hari kerja must not step minute by minute; just check it is consistent
    start = wib(2026, 11, 24, 10)
    end = cal.due_at(start, 1000)
    assert cal.service_hours_between(start, end) == 6000.0


# ----------------------------------------------------------- format_wib


@pytest.mark.parametrize(
    "dt, text",
    [
        (datetime(2026, 11, 24, 3, 0, tzinfo=UTC), "Selasa, 24 November 2026 10.00 WIB"),
        (wib(2026, 11, 24, 10), "Selasa, 24 November 2026 10.00 WIB"),
        (datetime(2026, 11, 24, 3, 0), "Selasa, 24 November 2026 10.00 WIB"),  # naive = UTC
        # 31 Dec 17:05 UTC is already 1 Jan 00:05 WIB (a Friday)
        (datetime(2026, 12, 31, 17, 5, tzinfo=UTC), "Jumat, 1 Januari 2027 00.05 WIB"),
        (wib(2026, 8, 17, 8, 30), "Senin, 17 Agustus 2026 08.30 WIB"),
        (wib(2026, 11, 29, 23, 59), "Minggu, 29 November 2026 23.59 WIB"),
        (wib(2026, 5, 2, 7, 0), "Sabtu, 2 Mei 2026 07.00 WIB"),
    ],
)
def test_format_wib(dt, text):
    assert format_wib(dt) == text


def test_module_is_pure():
    source = open(workcal.__file__, encoding="utf-8").read()
    assert "flask" not in source.lower()
    assert ".now(" not in source and ".today(" not in source and "utcnow" not in source


def test_format_wib_short():
    assert workcal.format_wib_short(datetime(2026, 8, 17, 3, 5, tzinfo=UTC)) == "17 Agu 2026 10.05"

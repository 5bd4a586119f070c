"""Kalender Kerja: the admin's extra closed days and periods with special service hours."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.core import calendar
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.models import utcnow
from app.core.workcal import BULAN, WIB
from app.extensions import db
from app.process_admin import calendar as calendar_admin
from app.web.paging import Pager, page_number, per_page
from app.workflow.deadlines import Recomputed

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/kalender", template_folder="../templates")

WEEKDAY_NAMES = (N_("Senin"), N_("Selasa"), N_("Rabu"), N_("Kamis"), N_("Jumat"), N_("Sabtu"), N_("Minggu"))


# Dates in words ----------------------------------------------------------------------------

@bp.app_template_filter("day_long")
def day_long(day: date) -> str:
    """A WIB date in words, e.g. "Senin, 17 Agustus 2026"."""
    return f"{_(WEEKDAY_NAMES[day.weekday()])}, {day.day} {BULAN[day.month - 1]} {day.year}"


# Admin screens ---------------------------------------------------------------------------

def _today() -> date:
    return utcnow().astimezone(WIB).date()


def _recomputed(result: Recomputed) -> None:
    flash(_("Tenggat dihitung ulang untuk %(tasks)s tugas terbuka dan %(instances)s proses berjalan; "
            "%(changed)s tenggat berubah.", tasks=result.tasks, instances=result.instances,
            changed=result.changed), "info")


def _days_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    rows, total = calendar.closed_days_page(page_number(), per_page())
    year = request.args.get("tahun", type=int) or _today().year
    year = year if calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR else _today().year
    return render_template(
        "admin/calendar.html", rows=rows, pager=Pager(page_number(), per_page(), total),
        values=values or {}, errors=errors or {}, year=year, holidays=calendar.holidays_of(year),
    ), status


@bp.get("", endpoint="days")
@login_required
def days():
    return _days_page()


@bp.post("/libur", endpoint="add_day")
@login_required
def add_day():
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    values = {"day": request.form.get("day", ""), "note": request.form.get("note", "")}
    try:
        row, result = calendar_admin.add_closed_day(values, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _days_page(values, exc.fields or {"_form": exc.message}, 422)
    flash(_("Hari libur tambahan %(day)s disimpan.", day=day_long(row.day)), "success")
    _recomputed(result)
    return redirect(url_for("calendar_admin.days"))


@bp.post("/libur/<int:day_id>/hapus", endpoint="remove_day")
@login_required
def remove_day(day_id: int):
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    removed, result = calendar_admin.remove_closed_day(day_id, current_user)
    db.session.commit()
    flash(_("Hari libur tambahan %(day)s dihapus.", day=day_long(removed["day"])), "success")
    _recomputed(result)
    return redirect(url_for("calendar_admin.days"))


def _periods_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    rows, total = calendar.special_periods_page(page_number(), per_page())
    if values is None:
        values = {f"windows_{day}": text for day, text in calendar.default_windows_text().items()}
    listed = [(row, [(name, calendar.windows_text(row.windows[str(day)]) if str(day) in row.windows else None)
                     for day, name in enumerate(WEEKDAY_NAMES)]) for row in rows]
    return render_template(
        "admin/calendar_periods.html", rows=listed, pager=Pager(page_number(), per_page(), total),
        values=values, errors=errors or {}, weekdays=list(enumerate(WEEKDAY_NAMES)),
    ), status


@bp.get("/jam-khusus", endpoint="periods")
@login_required
def periods():
    return _periods_page()


@bp.post("/jam-khusus", endpoint="add_period")
@login_required
def add_period():
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    names = ["start", "end", "note", *(f"windows_{day}" for day in calendar.WEEKDAYS)]
    values = {name: request.form.get(name, "") for name in names}
    try:
        row, result = calendar_admin.add_special_period(values, current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _periods_page(values, exc.fields or {"_form": exc.message}, 422)
    flash(_("Periode jam layanan khusus %(start)s sampai %(end)s disimpan.",
            start=day_long(row.start), end=day_long(row.end)), "success")
    _recomputed(result)
    return redirect(url_for("calendar_admin.periods"))


@bp.post("/jam-khusus/<int:period_id>/hapus", endpoint="remove_period")
@login_required
def remove_period(period_id: int):
    policy.require(policy.may_change_calendar(current_user), "Hanya admin yang boleh mengubah kalender kerja.")
    removed, result = calendar_admin.remove_special_period(period_id, current_user)
    db.session.commit()
    flash(_("Periode jam layanan khusus %(start)s sampai %(end)s dihapus.",
            start=day_long(removed["start"]), end=day_long(removed["end"])), "success")
    _recomputed(result)
    return redirect(url_for("calendar_admin.periods"))

"""The badge of a task's or an instance's timeliness, on every screen that lists them."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup

from app.core.i18n import N_
from app.core.models import utcnow
from app.workflow import deadlines

LABELS = {"on_time": N_("Tepat waktu"), "near_due": N_("Hampir jatuh tempo"), "overdue": N_("Terlambat")}
STYLES = {"on_time": "text-bg-success", "near_due": "text-bg-warning", "overdue": "text-bg-danger"}


def timeliness_of(item, now=None) -> str:
    """on_time, near_due or overdue of anything with due_at, near_due_at and completed_at."""
    return deadlines.timeliness(item.due_at, item.near_due_at, item.completed_at, now or utcnow())


def timeliness_badge(item, now=None) -> Markup:
    state = timeliness_of(item, now)
    return Markup('<span class="badge {}" data-state="{}">{}</span>').format(STYLES[state], state, _(LABELS[state]))


def timeliness_choices() -> list[tuple[str, str]]:
    """The states for a filter: (value, label in the current language)."""
    return [(key, _(label)) for key, label in LABELS.items()]


def register(app: Flask) -> None:
    for helper in (timeliness_of, timeliness_badge, timeliness_choices):
        app.add_template_global(helper)

"""What the nav bar shows on every page: the count of my waiting tasks and of my unread notices."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from app.workflow import inbox, notices


def _counts() -> dict:
    count = unread = 0
    if current_user.is_authenticated:
        count = inbox.count_tasks(current_user, "mine")
        unread = notices.unread_count(current_user)
    return {"nav_task_count": count, "nav_unread_count": unread}


def register(app: Flask) -> None:
    app.context_processor(_counts)

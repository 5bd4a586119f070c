"""Every action appends one event, in the same transaction as the change it records."""
from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEvent, User


def record(action: str, user: User | None, *, instance_id: int | None = None,
           task_id: str | None = None, **detail: Any) -> AuditEvent:
    event = AuditEvent(
        action=action, user_id=user.id if user else None,
        instance_id=instance_id, task_id=task_id, detail=detail,
    )
    db.session.add(event)
    return event

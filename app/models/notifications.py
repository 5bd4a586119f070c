"""Notices to people, and the claims that make each notice go out once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Notification(db.Model):
    """An in-app notice for one person; e-mailed too when SMTP is configured."""

    __tablename__ = "notification"
    # The bell counts a person's unread notices on every page.
    __table_args__ = (Index("ix_notification_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # ready, revision, near_due, overdue
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"))
    task_id: Mapped[str | None] = mapped_column(ForeignKey("human_task.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # E-mail delivery: claimed by one worker (email_claimed_at), then sent or failed.
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)


class TaskNotice(db.Model):
    """The claim of one notice about one task: whoever inserts it first sends it."""

    __tablename__ = "task_notice"
    __table_args__ = (UniqueConstraint("task_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LaneSetting(db.Model):
    """How a lane hands out new tasks: wait for a claim, or to its least loaded member."""

    __tablename__ = "lane_setting"
    __table_args__ = (UniqueConstraint("process_id", "lane"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    lane: Mapped[str] = mapped_column(String(100))
    auto_assign: Mapped[bool] = mapped_column(default=False)

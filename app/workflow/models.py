"""Deployed process versions, running instances, the read model of their human tasks, and the
notices to people about them (with the claims that make each notice go out once)."""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Select, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, load_only, mapped_column, relationship

from app.core.models import ROLES, UTCDateTime, utcnow
from app.engine import ProcessModel, parse_model
from app.extensions import db

from . import hooks

_models: dict[tuple, ProcessModel] = {}
_models_lock = threading.Lock()


class ProcessVersion(db.Model):
    """An immutable deployment: the BPMN XML and the forms it references."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def model(self) -> ProcessModel:
        """The parsed model of this version (with its own forms), parsed once per process."""
        key = (self.id, self.sha256, self.deployed_at)
        model = _models.get(key)
        if model is None:
            xml = self.bpmn_xml.encode("utf-8")
            model = parse_model(xml, roles=set(ROLES), effects=hooks.effect_names(), load_form=self.forms.get,
                                max_bytes=len(xml))
            with _models_lock:
                _models[key] = model
        return model

    @classmethod
    def with_models(cls, query: Select) -> list[ProcessVersion]:
        """The versions a query gives, reading of each only what its model's cache is keyed by:
        the XML and the forms are read for a version not parsed yet, not on every request that
        lists the models."""
        return list(db.session.scalars(query.options(load_only(cls.id, cls.process_id, cls.sha256,
                                                               cls.deployed_at))))


class Instance(db.Model):
    """One run of a process. `row_version` turns a concurrent change into a conflict."""

    __tablename__ = "instance"
    # The list of instances: newest first, read in index order.
    __table_args__ = (Index("ix_instance_newest", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="running", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engine_state: Mapped[str] = mapped_column(Text, deferred=True)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When less than NEAR_DUE_HOURS of service time remain.
    near_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A correction: this run publishes a new version of the publication of another run.
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), index=True)
    correction_note: Mapped[str] = mapped_column(Text, default="")

    process_version: Mapped[ProcessVersion] = relationship()
    revision_of: Mapped[Instance | None] = relationship(remote_side=[id])
    tasks: Mapped[list[HumanTask]] = relationship(
        back_populates="instance", order_by="HumanTask.created_at", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": row_version}


class HumanTask(db.Model):
    """A user task of an instance; its id is the engine's task id."""

    __tablename__ = "human_task"
    __table_args__ = (Index("ix_human_task_open_lane", "completed_at", "lane"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    form: Mapped[str | None] = mapped_column(String(255))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When less than NEAR_DUE_HOURS of service time remain.
    near_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the assignee saved without completing; never seen by the engine.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    instance: Mapped[Instance] = relationship(back_populates="tasks")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    completed_by = relationship("User", foreign_keys=[completed_by_id], lazy="joined")


class Notification(db.Model):
    """An in-app notice for one person; e-mailed too through the outbox when SMTP is configured."""

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

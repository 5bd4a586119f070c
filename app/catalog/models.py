"""The OPDs' appointed operators, their data templates and their sectoral data (the registry
of OPDs itself is the platform's: app.core.models.Opd)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Opd, StoredFile, UTCDateTime, utcnow
from app.extensions import db


class Dataset(db.Model):
    """Data terolah: a recap of sectoral data for one period, with its Satu Data metadata.

    Life cycle: ``draft`` (the operator prepares it) → ``submitted`` (waiting for the walidata)
    → ``ready`` (checked; may be published), or ``returned`` with the walidata's reason."""

    __tablename__ = "dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A worldwide unique id for catalogs that gather data of many regions (CKAN, DCAT).
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid4()))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("data_template.id"), index=True)
    topic: Mapped[str] = mapped_column(String(100), default="", index=True)
    # "2025", "2025-S1" or "2025-03"; year is kept apart for filtering.
    period: Mapped[str] = mapped_column(String(32))
    year: Mapped[int | None] = mapped_column(index=True)
    frequency: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    concept: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(255), default="")
    license: Mapped[str] = mapped_column(String(100), default="")
    release_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    file_id: Mapped[str] = mapped_column(ForeignKey("stored_file.id"))
    columns: Mapped[list[str]] = mapped_column(JSON)
    preview: Mapped[list[list[Any]]] = mapped_column(JSON)
    row_count: Mapped[int]
    is_sample: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opd: Mapped[Opd] = relationship(lazy="joined")
    file: Mapped[StoredFile] = relationship(lazy="joined")
    template: Mapped[DataTemplate | None] = relationship()


class DataTemplate(db.Model):
    """The agreed shape of an OPD's recap on a topic: its columns, each with a type, a unit,
    whether it is required and, for region columns, the reference code list its values come from."""

    __tablename__ = "data_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "type": text|integer|number|date, "unit", "required", "codes": ""|kecamatan|desa}]
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opd: Mapped[Opd] = relationship(lazy="joined")


class OperatorLetter(db.Model):
    """Surat penunjukan: the signed letter appointing a user as an OPD's data operator."""

    __tablename__ = "operator_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date]
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    file_id: Mapped[str] = mapped_column(ForeignKey("stored_file.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[StoredFile] = relationship(lazy="joined")

    def valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until

"""The regency's agencies, their sectoral data and the files uploaded for task forms."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class Opd(db.Model):
    """Organisasi Perangkat Daerah: a regional agency that produces sectoral data."""

    __tablename__ = "opd"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class StoredFile(db.Model):
    """An upload, kept once per content under UPLOAD_DIR by its SHA-256."""

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Dataset(db.Model):
    """Data terolah: a table of sectoral data with its metadata."""

    __tablename__ = "dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), index=True)
    period: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    license: Mapped[str] = mapped_column(String(100), default="")
    file_id: Mapped[str] = mapped_column(ForeignKey("stored_file.id"))
    columns: Mapped[list[str]] = mapped_column(JSON)
    preview: Mapped[list[list[Any]]] = mapped_column(JSON)
    row_count: Mapped[int]
    is_sample: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opd: Mapped[Opd] = relationship(lazy="joined")
    file: Mapped[StoredFile] = relationship(lazy="joined")

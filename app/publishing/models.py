"""What the public sees: a design with its caption, made from a dataset."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models.types import UTCDateTime, utcnow
from app.extensions import db


class Publication(db.Model):
    __tablename__ = "publication"
    # The portal: the current publications, newest first, read in index order.
    __table_args__ = (Index("ix_publication_current", "superseded_by_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(Text)
    design_file_id: Mapped[str] = mapped_column(ForeignKey("stored_file.id"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Corrections: the new version names the one it corrects and why; the old one, its successor.
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"), index=True)
    correction_note: Mapped[str] = mapped_column(Text, default="")

    dataset = relationship("Dataset", lazy="joined")

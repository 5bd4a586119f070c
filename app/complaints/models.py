"""Complaints from the public about published data; each one is handled by a run of the
process penanganan_pengaduan."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models.types import UTCDateTime, utcnow
from app.extensions import db


class Complaint(db.Model):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the reporter keeps to follow the complaint; random, so one cannot guess another's.
    ticket: Mapped[str] = mapped_column(String(20), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), unique=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"), index=True)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    # The sender's address, for the rate limit; None when staff registered it.
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    instance = relationship("Instance", lazy="joined")
    publication = relationship("Publication")
    dataset = relationship("Dataset")

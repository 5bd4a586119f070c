"""The regency's agencies: every data operator belongs to one, every dataset comes from one."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Opd(db.Model):
    """Organisasi Perangkat Daerah: a regional agency that produces sectoral data."""

    __tablename__ = "opd"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    # An agency that was merged or dissolved keeps its data but takes no new uploads.
    active: Mapped[bool] = mapped_column(default=True)

"""Publications: made when the publishing task completes; read by the public portal."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Instance, Publication, StoredFile, User
from . import audit
from .errors import Conflict, NotFound
from .paging import page_of


def publish(instance: Instance, user: User, now: datetime) -> Publication:
    """The effect "publish": the approved design and caption go on the portal."""
    data = instance.data
    missing = [k for k in ("dataset_id", "desain", "caption") if not data.get(k)]
    if missing:
        raise Conflict("Publikasi belum lengkap: " + ", ".join(missing) + ".")
    publication = Publication(
        instance_id=instance.id, dataset_id=data["dataset_id"], title=instance.title,
        caption=data["caption"], design_file_id=data["desain"], channels=list(data.get("kanal", [])),
        links=list(data.get("tautan", [])), published_at=now, published_by_id=user.id,
    )
    db.session.add(publication)
    db.session.flush()
    audit.record("publication.publish", user, instance_id=instance.id, publication_id=publication.id)
    return publication


def page(page_no: int, per_page: int) -> tuple[list[Publication], int]:
    query = select(Publication).order_by(Publication.published_at.desc(), Publication.id.desc())
    return page_of(query, page_no, per_page)


def public_file(file_id: str) -> StoredFile:
    """A file the public may see: the design of a publication."""
    row = db.session.scalar(
        select(StoredFile).join(Publication, Publication.design_file_id == StoredFile.id)
        .where(StoredFile.id == file_id).limit(1)
    )
    if row is None:
        raise NotFound("Berkas tidak ditemukan.")
    return row

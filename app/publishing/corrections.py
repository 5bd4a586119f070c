"""Corrections of publications: a complaint that shows a publication wrong starts a new run
of the publication process, which publishes a corrected version in place of the old one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.core import audit
from app.core.models import User
from app.extensions import db
from app.workflow import instances
from app.workflow.models import Instance

from . import publications
from .models import Publication


def running_revision(instance_id: int) -> Instance | None:
    return db.session.scalar(select(Instance).where(Instance.revision_of_id == instance_id,
                                                    Instance.state == "running").limit(1))


def start_revision(publication: Publication, note: str, user: User, now: datetime | None = None) -> Instance:
    """A new run of the publication process that corrects the newest version of ``publication``;
    one at a time: a revision already under way is reused."""
    newest = publications.current(publication)
    under_way = running_revision(newest.instance_id)
    if under_way is not None:
        return under_way
    revision = instances.start(publications.PROCESS, f"Koreksi: {newest.title}"[:255], user,
                               revision_of=db.session.get(Instance, newest.instance_id),
                               correction_note=note, now=now)
    audit.record("publication.revise", user, instance_id=revision.id, publication_id=newest.id, note=note)
    return revision

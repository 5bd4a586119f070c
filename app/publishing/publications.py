"""Publications: made when the publishing task completes; read by the public portal."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from app.catalog import datasets
from app.catalog.models import Dataset
from app.core import audit
from app.core.errors import Conflict, NotFound
from app.core.keys import by_id
from app.core.models import Opd, StoredFile, User
from app.core.paging import page_of
from app.core.search import like_pattern, normalize_query
from app.extensions import db
from app.workflow.models import Instance

from . import webhook
from .models import Publication

# The hashtag every ready-to-post text ends with.
HOUSE_TAG = "SatuDataMagetan"
# A search is a few words.
MAX_TERMS = 8
# What the SOP's forms name and the publication is made of: the one place these words live.
DATASET, DESIGN, DESIGN_NOTES, CAPTION = datasets.RUN_FIELD, "desain", "catatan_desain", "caption"
HASHTAGS, CHANNELS, LINKS = "tagar", "kanal", "tautan"
CHOOSE_DATA = "tentukan_data"  # the step that chooses the data (Publikasi Baru fills it in)
PROCESS = "penyebarluasan_data"


def publish(instance: Instance, user: User, now: datetime) -> Publication:
    """The effect "publish": the approved design and caption go on the portal."""
    data = instance.data
    missing = [k for k in (DATASET, DESIGN, CAPTION) if not data.get(k)]
    if missing:
        raise Conflict("Publikasi belum lengkap: " + ", ".join(missing) + ".")
    publication = Publication(
        instance_id=instance.id, dataset_id=data[DATASET], title=instance.title,
        caption=data[CAPTION], design_file_id=data[DESIGN], channels=list(data.get(CHANNELS, [])),
        links=list(data.get(LINKS, [])), published_at=now, published_by_id=user.id,
    )
    db.session.add(publication)
    db.session.flush()
    corrected = _supersede(instance, publication)
    audit.record("publication.publish", user, instance_id=instance.id, publication_id=publication.id,
                 **({"corrects": corrected.id} if corrected else {}))
    webhook.notify(publication)
    return publication


def _supersede(instance: Instance, publication: Publication) -> Publication | None:
    """A run that corrects another run's publication publishes its successor: the portal shows
    the new version with the note of the correction; the old one stays, marked as corrected."""
    if instance.revision_of_id is None:
        return None
    old = db.session.scalar(select(Publication).where(Publication.instance_id == instance.revision_of_id))
    if old is None:
        return None
    old.superseded_by_id = publication.id
    publication.revises_id, publication.correction_note = old.id, instance.correction_note
    publication.title = old.title  # the run is titled "Koreksi: …"; the item keeps its name
    return old


def current(publication: Publication) -> Publication:
    """The newest version of a publication, following its corrections."""
    seen = {publication.id}
    while publication.superseded_by_id is not None and publication.superseded_by_id not in seen:
        publication = get(publication.superseded_by_id)
        seen.add(publication.id)
    return publication


def _search(query, q: str):
    """Every word of q must occur, case-insensitively, in the title, the caption, the dataset's
    title or the OPD's name (ILIKE on PostgreSQL, lower() LIKE lower() on SQLite)."""
    terms = normalize_query(q).split()[:MAX_TERMS]
    if not terms:
        return query
    fields = (Publication.title, Publication.caption, Dataset.title, Opd.name)
    query = (query.join(Dataset, Publication.dataset_id == Dataset.id)
             .join(Opd, Dataset.opd_code == Opd.code))
    return query.where(and_(*(or_(*(f.ilike(like_pattern(t), escape="\\") for f in fields)) for t in terms)))


def page(page_no: int, per_page: int, *, q: str | None = None,
         dataset_id: int | None = None) -> tuple[list[Publication], int]:
    """Current publications (not corrected by a newer version), newest first; optionally
    matching a search or made from one dataset."""
    query = (select(Publication).where(Publication.superseded_by_id.is_(None))
             .order_by(Publication.published_at.desc(), Publication.id.desc()))
    if dataset_id is not None:
        query = query.where(Publication.dataset_id == dataset_id)
    if q:
        query = _search(query, q)
    return page_of(query, page_no, per_page)


def latest(limit: int) -> list[Publication]:
    query = (select(Publication).where(Publication.superseded_by_id.is_(None))
             .order_by(Publication.published_at.desc(), Publication.id.desc()))
    return list(db.session.scalars(query.limit(limit)))


def get(publication_id: int) -> Publication:
    row = by_id(Publication, publication_id)
    if row is None:
        raise NotFound("Publikasi tidak ditemukan.")
    return row


def hashtags(publication: Publication) -> list[str]:
    """The tags of the caption form ("tagar", without #), then the house tag; no duplicates."""
    instance = db.session.get(Instance, publication.instance_id)
    tags = (instance.data or {}).get(HASHTAGS) if instance is not None else None
    seen: set[str] = set()
    result: list[str] = []
    for tag in [*(tags if isinstance(tags, list) else []), HOUSE_TAG]:
        tag = str(tag).strip().lstrip("#")
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            result.append(tag)
    return result


def ready_text(publication: Publication) -> str:
    """What to paste into a social media post: the caption, a blank line, the hashtags."""
    return publication.caption.strip() + "\n\n" + " ".join("#" + t for t in hashtags(publication))


def excerpt(text: str, length: int = 200) -> str:
    """One line of at most ``length`` characters, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[: length - 1].rsplit(" ", 1)[0] or flat[: length - 1]
    return cut.rstrip(" ,.;:") + "…"


def design_files(rows: list[Publication]) -> dict[str, StoredFile]:
    """The stored design files of some publications, by id, in one query."""
    ids = {p.design_file_id for p in rows}
    if not ids:
        return {}
    return {f.id: f for f in db.session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))}


def design_file(file_id: str) -> StoredFile:
    """A file everyone may see: the design of a publication."""
    row = db.session.scalar(
        select(StoredFile).join(Publication, Publication.design_file_id == StoredFile.id)
        .where(StoredFile.id == file_id).limit(1)
    )
    if row is None:
        raise NotFound("Berkas tidak ditemukan.")
    return row

"""Complaints from the public about published data, each handled by a run of the process
penanganan_pengaduan; the reporter follows it by a random ticket.

Spam is kept out without third-party services: a signed form token that must be a few
seconds old (robots post at once), a field people never see and robots fill in, a limit per
sender address per hour, and the same text from the same sender kept once."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app import policy
from app.catalog.models import Dataset
from app.core import audit
from app.core.errors import BadRequest, Invalid, NotFound, TooMany
from app.core.keys import by_id
from app.core.models import User, utcnow
from app.extensions import db
from app.publishing import corrections, publications
from app.publishing.models import Publication
from app.workflow import forms, instances, processes
from app.workflow.models import Instance

from .models import Complaint

PROCESS = "penanganan_pengaduan"
# What the process's forms name and the code relies on: the one place these words live.
NAME, CONTACT, MESSAGE, SUBJECT = "nama", "kontak", "pesan", "subjek"
CORRECTION_NOTE, ANSWER, REVISION_RUN = "catatan_koreksi", "jawaban", "revisi_instance_id"
VERIFY, CORRECT, ANSWER_STEP, CLOSE = "verifikasi", "koreksi", "jawab", "tutup"
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TOKEN_SALT = "complaint-form"
TOKEN_MAX_AGE = 24 * 3600
HONEYPOT = "website"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def form_token() -> str:
    """A token for one complaint form, signed with the time it was issued."""
    return _serializer().dumps(secrets.token_hex(4))


def _check_token(token: Any) -> None:
    try:
        _, issued = _serializer().loads(str(token or ""), max_age=TOKEN_MAX_AGE, return_timestamp=True)
    except SignatureExpired:
        raise BadRequest("Formulir sudah terlalu lama dibuka; muat ulang halaman lalu kirim lagi.") from None
    except BadSignature:
        raise BadRequest("Formulir tidak sah; muat ulang halaman lalu kirim lagi.") from None
    waited = (datetime.now(issued.tzinfo) - issued).total_seconds()
    if waited < float(current_app.config["COMPLAINT_MIN_SECONDS"]):
        raise BadRequest("Formulir dikirim terlalu cepat; periksa isian Anda lalu kirim lagi.")


def _check_rate(address: str | None, now: datetime) -> None:
    if not address:
        return
    hour_ago = now - timedelta(hours=1)
    recent = db.session.scalars(
        select(Complaint.created_at).where(Complaint.address == address, Complaint.created_at >= hour_ago)
        .order_by(Complaint.created_at)
    ).all()
    if len(recent) >= int(current_app.config["COMPLAINT_MAX_PER_HOUR"]):
        wait = int((recent[0] + timedelta(hours=1) - now).total_seconds()) + 1
        raise TooMany(f"Terlalu banyak pengaduan dari alamat Anda. Coba lagi dalam {wait // 60 + 1} menit.", wait)


def _subject(data: Mapping[str, Any]) -> tuple[Publication | None, Dataset | None, str]:
    """What the complaint is about: a publication (its newest version) or a checked dataset."""
    publication_id, dataset_id = data.get("publication_id"), data.get("dataset_id")
    if publication_id is not None:
        found = by_id(Publication, publication_id)
        if found is None:
            raise Invalid("Publikasi tidak ditemukan.", {"publication_id": "publikasi tidak ditemukan"})
        found = publications.current(found)
        return found, found.dataset, found.title
    if dataset_id is not None:
        found = by_id(Dataset, dataset_id)
        if found is None or found.status != "ready":
            raise Invalid("Data tidak ditemukan.", {"dataset_id": "data tidak ditemukan"})
        return None, found, found.title
    raise Invalid("Sebutkan publikasi atau data yang dilaporkan.",
                  {"publication_id": "pilih publikasi atau data yang dilaporkan"})


def registration_form() -> dict[str, Any]:
    """The form a complaint is filed with: the start form of the complaint process's newest
    version."""
    model = processes.latest(PROCESS).model
    return model.forms.get(model.start_form or "", {"type": "object"})


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    schema = registration_form()
    data = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()
            if k in schema.get("properties", {}) and v not in (None, "")}
    errors = forms.validate(schema, data)
    if errors:
        raise Invalid("Isian pengaduan belum benar.", errors)
    return data


def _new_ticket() -> str:
    while True:
        code = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(8))
        ticket = f"ADU-{code[:4]}-{code[4:]}"
        if db.session.scalar(select(Complaint.id).where(Complaint.ticket == ticket)) is None:
            return ticket


def _file(data: dict[str, Any], address: str | None, user: User | None, now: datetime) -> Complaint:
    publication, dataset, subject = _subject(data)
    if address:  # the same words from the same sender today: the same complaint
        same = db.session.scalar(select(Complaint).where(
            Complaint.address == address, Complaint.message == data[MESSAGE],
            Complaint.created_at >= now - timedelta(days=1)).limit(1))
        if same is not None:
            return same
    ticket = _new_ticket()
    instance = instances.start(PROCESS, f"{ticket}: {subject}"[:255], user, now=now, data={
        **data, "ticket": ticket, SUBJECT: subject,
        "publication_id": publication.id if publication else None, "dataset_id": dataset.id if dataset else None,
    })
    complaint = Complaint(ticket=ticket, instance_id=instance.id,
                          publication_id=publication.id if publication else None,
                          dataset_id=dataset.id if dataset else None, name=data[NAME], contact=data[CONTACT],
                          message=data[MESSAGE], address=address, created_at=now)
    db.session.add(complaint)
    db.session.flush()
    audit.record("complaint.submit", user, instance_id=instance.id, ticket=ticket, subject=subject)
    return complaint


def submit(fields: Mapping[str, Any], *, address: str | None, now: datetime | None = None) -> Complaint:
    """A complaint from the public form (or the public API)."""
    now = now or utcnow()
    if str(fields.get(HONEYPOT) or "").strip():
        raise BadRequest("Pengaduan tidak dapat diterima.")
    _check_token(fields.get("form_token"))
    data = _clean(fields)
    _check_rate(address, now)
    return _file(data, address, None, now)


def register(fields: Mapping[str, Any], user: User, *, now: datetime | None = None) -> Complaint:
    """A complaint received by phone, letter or at the desk, registered by staff."""
    policy.require(policy.may_register_complaint(user), "Hanya Petugas Pengaduan yang dapat mencatat pengaduan.")
    return _file(_clean(fields), None, user, now or utcnow())


def get(ticket: str) -> Complaint:
    found = db.session.scalar(select(Complaint).where(Complaint.ticket == (ticket or "").strip().upper()))
    if found is None:
        raise NotFound("Nomor tiket tidak ditemukan.")
    return found


# What the reporter sees ----------------------------------------------------------------------

STAGES = (  # (step that ends the stage, status once it is done)
    (VERIFY, "diverifikasi"),
    (CORRECT, "dikoreksi"),
    (ANSWER_STEP, "dijawab"),
    (CLOSE, "selesai"),
)
STATUS_LABELS = {"diterima": "Diterima", "diverifikasi": "Diverifikasi", "dikoreksi": "Dikoreksi",
                 "dijawab": "Dijawab", "selesai": "Selesai"}


@dataclass(frozen=True)
class PublicStatus:
    ticket: str
    status: str
    subject: str
    publication_id: int | None
    dataset_id: int | None
    message: str
    received_at: datetime
    steps: list[tuple[str, datetime]]  # (status, when), in order
    answer: str | None
    answered_at: datetime | None
    corrected_publication_id: int | None
    closed: bool


def public_status(complaint: Complaint) -> PublicStatus:
    """What the reporter may see: the stages reached, the answer, the corrected publication;
    never the staff's internal notes or the reporter's contact."""
    instance: Instance = complaint.instance
    done = {t.bpmn_id: t for t in instance.tasks if t.completed_at is not None}
    steps = [("diterima", complaint.created_at)]
    steps += [(status, done[step].completed_at) for step, status in STAGES if step in done]
    answered = done.get(ANSWER_STEP)
    corrected = None
    revision_id = (instance.data or {}).get(REVISION_RUN)
    if isinstance(revision_id, int):
        corrected = db.session.scalar(select(Publication.id).where(Publication.instance_id == revision_id))
    return PublicStatus(
        ticket=complaint.ticket, status=steps[-1][0], subject=(instance.data or {}).get(SUBJECT, ""),
        publication_id=complaint.publication_id, dataset_id=complaint.dataset_id, message=complaint.message,
        received_at=complaint.created_at, steps=steps,
        answer=(answered.data or {}).get(ANSWER) if answered else None,
        answered_at=answered.completed_at if answered else None,
        corrected_publication_id=corrected, closed=instance.state == "completed",
    )


def of_instance(instance_id: int) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.instance_id == instance_id))


# The effect of the correction step ---------------------------------------------------------

def revise(instance: Instance, user: User, now: datetime) -> Instance | None:
    """The effect "revise": completing the correction step of a complaint about a publication
    starts its revision and links it to the complaint's run."""
    publication_id = (instance.data or {}).get("publication_id")
    publication = db.session.get(Publication, publication_id) if isinstance(publication_id, int) else None
    if publication is None:
        return None  # a complaint about a dataset alone: the OPD corrects the data itself
    revision = corrections.start_revision(publication, str(instance.data.get(CORRECTION_NOTE, "")), user, now)
    instance.data = {**instance.data, REVISION_RUN: revision.id}
    return revision

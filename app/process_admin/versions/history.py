"""A process's versions as admins manage them: the list with the instances running on each and
who deployed it, one version (to download or compare), an upload deployed as the newest version,
and rollback (an older version's model and forms deployed again). Admins only."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app import policy
from app.core import audit
from app.core.errors import Invalid, NotFound
from app.core.models import User
from app.core.paging import page_of
from app.extensions import db
from app.workflow import processes
from app.workflow.models import Instance, ProcessVersion

UPLOAD_SUFFIXES = (".bpmn", ".xml")
MAX_NOTES = 2000


def require_admin(user: User | None) -> None:
    """Admins only; None is the command line, which is trusted as the operator."""
    if user is not None:
        policy.require(policy.may_administer_processes(user), "Hanya Admin yang dapat mengelola versi proses.")


# Listing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    running: int
    deployed_by: User | None


def processes_overview(user: User | None) -> list[dict[str, Any]]:
    """Each process: id, name, its newest version, how many versions, running instances."""
    require_admin(user)
    result = []
    for entry in processes.versions_overview():
        rows = entry["versions"]
        result.append({
            "id": entry["id"], "name": entry["name"], "latest": rows[-1][0],
            "count": len(rows), "running": sum(n for _v, n in rows),
        })
    return result


def version_page(process_id: str, user: User | None, page_no: int, per_page: int
                 ) -> tuple[list[VersionRow], int]:
    """The versions of a process, newest first, with their running instances and deployer."""
    require_admin(user)
    if processes.latest(process_id) is None:
        raise NotFound(f"Proses '{process_id}' tidak ditemukan.")
    running = (select(func.count(Instance.id))
               .where(Instance.process_version_id == ProcessVersion.id, Instance.state == "running")
               .correlate(ProcessVersion).scalar_subquery())
    query = (select(ProcessVersion).where(ProcessVersion.process_id == process_id)
             .order_by(ProcessVersion.version.desc()))
    versions, total = page_of(query, page_no, per_page)
    counts = dict(db.session.execute(
        select(ProcessVersion.id, running).where(ProcessVersion.id.in_([v.id for v in versions]))
    ).all()) if versions else {}
    ids = {v.deployed_by_id for v in versions if v.deployed_by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [VersionRow(v, counts.get(v.id, 0), people.get(v.deployed_by_id)) for v in versions], total


def version_numbers(process_id: str) -> list[int]:
    return list(db.session.scalars(
        select(ProcessVersion.version).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version)
    ))


def get_version(process_id: str, number: int, user: User | None) -> ProcessVersion:
    require_admin(user)
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.version == number))
    if version is None:
        raise NotFound(f"Versi {number} dari proses '{process_id}' tidak ditemukan.")
    return version


# Upload and rollback -----------------------------------------------------------------------

def forms_for_upload(process_id: str) -> dict[str, dict]:
    """The forms an uploaded model may name: those of the newest version (forms edited and
    deployed with the process stay), else the shipped ones in FORMS_DIR."""
    forms: dict[str, dict] = {}
    for path in sorted(Path(current_app.config["FORMS_DIR"]).glob("*.json")):
        schema = processes.load_shipped_form(path.name)
        if isinstance(schema, dict):
            forms[path.name] = schema
    current = processes.latest(process_id)
    if current is not None:
        forms.update(current.forms or {})
    return forms


def _notes(notes: Any) -> str:
    notes = notes.strip() if isinstance(notes, str) else ""
    if len(notes) > MAX_NOTES:
        raise Invalid("Catatan terlalu panjang.", {"notes": f"paling banyak {MAX_NOTES} karakter"})
    return notes


def upload(process_id: str, data: bytes, filename: str, notes: Any, user: User | None) -> ProcessVersion:
    """Deploy an uploaded .bpmn as the newest version, validated as every deploy is."""
    require_admin(user)
    if processes.latest(process_id) is None:
        raise NotFound(f"Proses '{process_id}' tidak ditemukan.")
    notes = _notes(notes)
    if not filename:
        raise Invalid("Pilih berkas BPMN.", {"file": "wajib diisi"})
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise Invalid("Berkas harus berakhiran .bpmn.", {"file": "berkas harus berakhiran .bpmn atau .xml"})
    current = processes.latest(process_id)
    if hashlib.sha256(data).hexdigest() == current.sha256:
        raise Invalid(f"Model ini sama dengan versi terbaru ({current.version}); tidak ada yang dipasang.",
                      {"file": f"sama dengan versi {current.version}"})
    version, _new = processes.deploy(data, user, expected_process=process_id,
                                     notes=notes or f"diunggah dari {filename}",
                                     forms=forms_for_upload(process_id))
    return version


def rollback(process_id: str, number: int, user: User | None) -> ProcessVersion:
    """Deploy an older version's model and forms again, as the newest version."""
    old = get_version(process_id, number, user)
    current = processes.latest(process_id)
    if current is not None and current.version == old.version:
        raise Invalid(f"Versi {number} sudah versi terbaru.", {"version": "sudah versi terbaru"})
    version, _new = processes.deploy(old.bpmn_xml.encode("utf-8"), user, expected_process=process_id,
                                     notes=f"rollback dari versi {number}", forms=old.forms)
    audit.record("process.rollback", user, process=process_id, from_version=number,
                 version=version.version, sha256=version.sha256,
                 before={"version": current.version if current else None},
                 after={"version": version.version})
    return version

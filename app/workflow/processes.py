"""Deployment of process versions: validated, immutable, numbered per process."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app import policy
from app.core import audit
from app.core.errors import Invalid, TooLarge
from app.core.models import ROLES, User
from app.engine import DeployError, ProcessModel, parse_model
from app.extensions import db

from . import hooks
from .models import Instance, ProcessVersion


def load_shipped_form(name: str) -> dict[str, Any] | None:
    """A form from FORMS_DIR; None when absent or not JSON (the deploy names the problem)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = Path(current_app.config["FORMS_DIR"]) / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def validate(xml: bytes, load_form=load_shipped_form) -> ProcessModel:
    max_bytes = int(current_app.config["MAX_BPMN_KB"]) * 1024
    if len(xml) > max_bytes:
        raise TooLarge(f"Berkas BPMN melebihi batas {current_app.config['MAX_BPMN_KB']} KB.")
    try:
        return parse_model(xml, roles=set(ROLES), effects=hooks.effect_names(), load_form=load_form,
                           max_bytes=max_bytes)
    except DeployError as exc:
        raise Invalid(
            "Model proses ditolak: " + "; ".join(p.message for p in exc.problems),
            {p.element_id or "bpmn": p.message for p in exc.problems},
        ) from None


def latest(process_id: str) -> ProcessVersion | None:
    return db.session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    )


def latest_model(process_id: str) -> ProcessModel | None:
    """The model of the newest version, reading the version's XML and forms only when its model
    is not parsed yet (asked on every page: who may start a run)."""
    versions = ProcessVersion.with_models(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                                          .order_by(ProcessVersion.version.desc()).limit(1))
    return versions[0].model if versions else None


def deploy(xml: bytes, user: User | None, *, expected_process: str | None = None,
           notes: str = "", only_if_new: bool = False,
           forms: Mapping[str, dict] | None = None) -> tuple[ProcessVersion, bool]:
    """Validate and store a new version; returns it and whether it is new. With only_if_new,
    a model and forms that some version already holds are not deployed again. The forms the
    model names come from `forms` when given (a version carries them), else from FORMS_DIR."""
    if user is not None:  # None: the installation itself (make run, the command line)
        policy.require(policy.may_administer_processes(user), "Hanya Admin yang dapat memasang versi proses.")
    if not xml.strip():
        raise Invalid("Berkas BPMN kosong.", {"bpmn": "kosong"})
    model = validate(xml) if forms is None else validate(xml, load_form=forms.get)
    if expected_process is not None and model.process_id != expected_process:
        raise Invalid(f"Berkas berisi proses '{model.process_id}', bukan '{expected_process}'.",
                      {"bpmn": "id proses tidak sesuai"})
    if only_if_new:
        same = db.session.scalars(select(ProcessVersion).where(
            ProcessVersion.process_id == model.process_id, ProcessVersion.sha256 == model.sha256,
        ).order_by(ProcessVersion.version.desc())).all()
        for existing in same:
            if existing.forms == dict(model.forms):
                return existing, False
    current = latest(model.process_id)
    version = ProcessVersion(
        process_id=model.process_id, version=(current.version + 1) if current else 1,
        name=model.name, bpmn_xml=model.xml, forms=dict(model.forms), sha256=model.sha256,
        notes=notes, deployed_by_id=user.id if user else None,
    )
    db.session.add(version)
    db.session.flush()
    audit.record("process.deploy", user, process=model.process_id, version=version.version,
                 sha256=model.sha256)
    return version, True


def deploy_shipped(user: User | None = None) -> list[tuple[ProcessVersion, bool]]:
    """Deploy every shipped process whose model or forms no version holds yet. A restart never
    puts the shipped model back over a newer one that an admin deployed."""
    results = []
    for path in sorted(Path(current_app.config["PROCESSES_DIR"]).glob("*.bpmn")):
        results.append(deploy(path.read_bytes(), user,
                              notes=f"dipasang dari {path.name}", only_if_new=True))
    return results


def model_of(version: ProcessVersion) -> ProcessModel:
    """The parsed model of a stored version (its own forms)."""
    return version.model


def models_of(query) -> list[ProcessModel]:
    """The parsed models of the versions a select of ProcessVersion gives."""
    return [version.model for version in ProcessVersion.with_models(query)]


def versions_overview() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(ProcessVersion, func.count(Instance.id))
        .outerjoin(Instance, (Instance.process_version_id == ProcessVersion.id) & (Instance.state == "running"))
        .group_by(ProcessVersion.id).order_by(ProcessVersion.process_id, ProcessVersion.version)
    ).all()
    by_process: dict[str, dict[str, Any]] = {}
    for version, running in rows:
        entry = by_process.setdefault(version.process_id, {"id": version.process_id, "versions": []})
        entry["name"] = version.name
        entry["versions"].append((version, running))
    return list(by_process.values())


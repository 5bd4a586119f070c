"""The draft of a process that an admin models in the browser: its BPMN XML and its forms.

A process has at most one draft. Until one is saved, the draft is the latest deployed version
(its XML and its forms), not stored. A draft never runs: instances always start on the latest
deployed version; deploying the draft makes it that version (and the draft is done with).

Saving is guarded by a token, a hash of what the editor loaded: a save over a draft that
changed since (another tab, the form editor) answers 409 instead of overwriting it.
Validation is the deploy's own (processes.validate, with the draft's forms), its problems
keyed by element id; a form is checked as the deploy checks it (app.engine.bpmn).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app import policy
from app.core import audit
from app.core.errors import Conflict, Invalid, NotFound, TooLarge
from app.core.models import User, utcnow
from app.engine import DeployError, Problem, outline_of
from app.engine import check_form as check_deployable_form
from app.extensions import db
from app.workflow import processes
from app.workflow.models import ProcessVersion

from .models import ProcessDraft

# A form's file name as the model names it (spiffworkflow:property formJsonSchemaFilename).
FORM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,94}\.json$")
MAX_NOTES = 2000
MODEL_PROBLEM = "bpmn"  # the key of problems that no element carries


def require_admin(user: User | None) -> None:
    policy.require(policy.may_administer_processes(user), "Hanya Admin yang dapat mengubah model proses.")


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def token_of(xml: str, forms: Mapping[str, Any]) -> str:
    """What an editor loaded, as "model hash.forms hash"; a save names it to prove that it
    saw the latest draft."""
    return f"{_digest(xml)}.{_digest(dict(forms))}"


def form_token(draft: ProcessDraft, name: str) -> str:
    """The same for one form of the draft (the form editor changes one form at a time)."""
    return _digest((draft.forms or {}).get(name))


def latest_version(process_id: str) -> ProcessVersion:
    version = processes.latest(process_id)
    if version is None:
        raise NotFound(f"Proses '{process_id}' tidak ditemukan.")
    return version


def _stored(process_id: str) -> ProcessDraft | None:
    return db.session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == process_id))


def load(process_id: str, user: User | None) -> ProcessDraft:
    """The draft of a process; when none is stored, a new (unsaved) one made from the latest
    version's XML and forms."""
    require_admin(user)
    latest = latest_version(process_id)
    draft = _stored(process_id)
    if draft is None:
        draft = ProcessDraft(process_id=process_id, bpmn_xml=latest.bpmn_xml, forms=dict(latest.forms or {}),
                             updated_by_id=None, updated_at=latest.deployed_at)
    return draft


def is_saved(draft: ProcessDraft) -> bool:
    return draft.id is not None


def stale_against(draft: ProcessDraft) -> ProcessVersion | None:
    """The latest version when it was deployed after the stored draft was last saved."""
    if not is_saved(draft):
        return None
    latest = processes.latest(draft.process_id)
    if latest is not None and latest.deployed_at > draft.updated_at:
        return latest
    return None


def token(draft: ProcessDraft) -> str:
    return token_of(draft.bpmn_xml, draft.forms or {})


def _check_xml(xml: Any) -> str:
    if not isinstance(xml, str) or not xml.strip():
        raise Invalid("Model BPMN kosong.", {MODEL_PROBLEM: "kosong"})
    limit = int(current_app.config["MAX_BPMN_KB"])
    if len(xml.encode("utf-8")) > limit * 1024:
        raise TooLarge(f"Model BPMN melebihi batas {limit} KB.")
    return xml


def _check_forms(forms: Any) -> dict[str, Any]:
    if not isinstance(forms, dict):
        raise Invalid("Formulir harus berupa objek JSON {nama berkas: JSON Schema}.", {"forms": "bukan objek"})
    for name in forms:
        if not isinstance(name, str) or not FORM_NAME.match(name):
            raise Invalid(f"Nama formulir '{name}' tidak valid.", {"forms": f"nama '{name}' tidak valid"})
    return dict(forms)


def _write(draft: ProcessDraft, user: User, now: datetime | None) -> ProcessDraft:
    draft.updated_by_id = user.id
    draft.updated_at = now or utcnow()
    if not is_saved(draft):
        db.session.add(draft)
    db.session.flush()
    return draft


def _guard(draft: ProcessDraft, base: str | None) -> None:
    """Refuse a save over a draft that changed since the editor loaded `base`; the fields say
    what changed (xml, forms), so that an editor of the model alone may take the new forms."""
    if base is None or base == token(draft):
        return
    loaded = (base.split(".") + [""])[:2]
    current = token(draft).split(".")
    changed = {part: "berubah" for part, old, new in zip(("xml", "forms"), loaded, current, strict=True) if old != new}
    raise Conflict("Draf telah diubah di tempat lain (mis. penyunting formulir atau tab lain) sejak "
                   "halaman ini dibuka. Muat ulang halaman untuk melihat draf terbaru.", changed)


def _guard_form(draft: ProcessDraft, name: str, base: str | None) -> None:
    if base is not None and base != form_token(draft, name):
        raise Conflict(f"Formulir '{name}' telah diubah di tempat lain sejak halaman ini dibuka. "
                       "Salin perubahan Anda, lalu muat ulang halaman.", {"schema": "berubah"})


def save(process_id: str, xml: Any, forms: Any, user: User | None, *, base: str | None = None,
         now: datetime | None = None) -> ProcessDraft:
    """Store the model and forms of the editor as the draft (not validated: a draft may be
    unfinished). `base` is the token the editor loaded; a changed draft answers 409."""
    draft = load(process_id, user)
    _guard(draft, base)
    draft.bpmn_xml, draft.forms = _check_xml(xml), _check_forms(forms)
    _write(draft, user, now)
    audit.record("process.draft_save", user, process=process_id,
                 sha256=hashlib.sha256(draft.bpmn_xml.encode("utf-8")).hexdigest(), forms=sorted(draft.forms))
    return draft


def discard(process_id: str, user: User | None) -> None:
    """Throw the stored draft away; the next one starts from the latest version again."""
    require_admin(user)
    draft = _stored(process_id)
    if draft is None:
        return
    db.session.delete(draft)
    db.session.flush()
    audit.record("process.draft_discard", user, process=process_id)


# Validation ------------------------------------------------------------------------------

def _checked(process_id: str, xml: str, forms: Mapping[str, Any]):
    """(the parsed model or None, its problems by element id)."""
    try:
        model = processes.validate(xml.encode("utf-8"), load_form=forms.get)
    except Invalid as exc:
        return None, dict(exc.fields) or {MODEL_PROBLEM: exc.message}
    except TooLarge as exc:
        return None, {MODEL_PROBLEM: exc.message}
    if model.process_id != process_id:
        return None, {MODEL_PROBLEM: f"model berisi proses '{model.process_id}', bukan '{process_id}'"}
    return model, {}


def check(process_id: str, xml: str, forms: Mapping[str, Any]) -> dict[str, str]:
    """The problems of a model with these forms, by element id (MODEL_PROBLEM for the model
    as a whole); empty when it would deploy."""
    return _checked(process_id, xml, forms)[1]


def validate(draft: ProcessDraft) -> dict[str, str]:
    return check(draft.process_id, draft.bpmn_xml, draft.forms or {})


def deploy(process_id: str, user: User | None, *, notes: Any = "", base: str | None = None) -> ProcessVersion:
    """Deploy the stored draft as the newest version, with its forms; the draft is done with."""
    draft = load(process_id, user)
    _guard(draft, base)
    notes = notes if isinstance(notes, str) else ""
    if len(notes) > MAX_NOTES:
        raise Invalid(f"Catatan paling banyak {MAX_NOTES} karakter.", {"notes": f"paling banyak {MAX_NOTES} karakter"})
    model, problems = _checked(process_id, draft.bpmn_xml, draft.forms or {})
    if problems:
        raise Invalid("Model proses ditolak: " + "; ".join(problems.values()), problems)
    latest = latest_version(process_id)
    if model.sha256 == latest.sha256 and dict(model.forms) == dict(latest.forms or {}):
        raise Invalid(f"Draf sama dengan versi {latest.version}; tidak ada yang perlu dipasang.",
                      {MODEL_PROBLEM: "tidak ada perubahan"})
    version, _new = processes.deploy(draft.bpmn_xml.encode("utf-8"), user, expected_process=process_id,
                                     notes=notes.strip(), forms=draft.forms or {})
    if is_saved(draft):
        db.session.delete(draft)
        db.session.flush()
    return version


# Forms -----------------------------------------------------------------------------------

def form_users(draft: ProcessDraft) -> dict[str, list[tuple[str, str]]]:
    """Form name -> the user tasks of the draft's model that use it, as (id, name)."""
    used: dict[str, list[tuple[str, str]]] = {}
    xml = draft.bpmn_xml.encode("utf-8")
    if len(xml) > int(current_app.config["MAX_BPMN_KB"]) * 1024:
        return used
    try:
        tasks = outline_of(xml).of_kind("userTask")
    except (DeployError, IndexError):  # not XML, or no process in it yet
        return used
    for task in tasks:
        if "formJsonSchemaFilename" in task.properties:
            used.setdefault(task.properties["formJsonSchemaFilename"], []).append((task.id, task.name or task.id))
    return used


def parse_schema(text: Any) -> tuple[Any, dict[str, str]]:
    """A schema typed in the form editor: (the parsed JSON or None, errors)."""
    if not isinstance(text, str) or not text.strip():
        return None, {"schema": "JSON Schema wajib diisi"}
    try:
        return json.loads(text), {}
    except ValueError as exc:
        where = f" (baris {exc.lineno}, kolom {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return None, {"schema": f"JSON tidak valid{where}: {getattr(exc, 'msg', str(exc))}"}


def check_form(name: str, schema: Any) -> dict[str, str]:
    """The deploy's own checks of a form (Draft 2020-12, type object, additionalProperties
    false), as errors for the editor."""
    problems: list[Problem] = []
    check_deployable_form(name, schema, name, problems)
    if not problems and not isinstance(schema.get("properties", {}), dict):
        problems.append(Problem(name, "properties harus berupa objek"))
    return {"schema": "; ".join(p.message for p in problems)} if problems else {}


def save_form(process_id: str, name: Any, text: Any, user: User | None, *, base: str | None = None,
              create: bool = False, now: datetime | None = None) -> ProcessDraft:
    """Put one form into the draft after the deploy's checks; with create, the name must be new."""
    draft = load(process_id, user)
    if not isinstance(name, str) or not FORM_NAME.match(name):
        raise Invalid("Nama berkas formulir tidak valid.",
                      {"name": "gunakan huruf, angka, _ . - dan akhiri dengan .json"})
    forms = dict(draft.forms or {})
    if create and name in forms:
        raise Invalid(f"Formulir '{name}' sudah ada.", {"name": "nama sudah dipakai"})
    if not create and name not in forms:
        raise NotFound(f"Formulir '{name}' tidak ada di draf.")
    if not create:
        _guard_form(draft, name, base)
    schema, errors = parse_schema(text)
    if not errors:
        errors = check_form(name, schema)
    if errors:
        raise Invalid(f"Formulir '{name}' ditolak: {errors['schema']}", errors)
    forms[name] = schema
    draft.forms = forms
    _write(draft, user, now)
    audit.record("process.draft_save", user, process=process_id, form=name,
                 sha256=hashlib.sha256(json.dumps(schema, sort_keys=True).encode("utf-8")).hexdigest())
    return draft


def remove_form(process_id: str, name: str, user: User | None, *, base: str | None = None,
                now: datetime | None = None) -> ProcessDraft:
    """Take a form out of the draft; refused while a task of the draft uses it."""
    draft = load(process_id, user)
    forms = dict(draft.forms or {})
    if name not in forms:
        raise NotFound(f"Formulir '{name}' tidak ada di draf.")
    _guard_form(draft, name, base)
    users = form_users(draft).get(name)
    if users:
        raise Conflict(f"Formulir '{name}' masih dipakai oleh tugas: " + ", ".join(n for _i, n in users) + ".")
    del forms[name]
    draft.forms = forms
    _write(draft, user, now)
    audit.record("process.draft_save", user, process=process_id, form=name, removed=True)
    return draft


def starter_form(title: str = "") -> dict[str, Any]:
    """What a new form starts with: one required text field, in the shape the deploy accepts."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title, "type": "object", "additionalProperties": False,
        "required": ["catatan"],
        "properties": {"catatan": {"type": "string", "title": "Catatan", "minLength": 1}},
    }

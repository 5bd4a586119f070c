"""Who may see and do what: the one place that decides, for the screens and the API alike.

From the roles of the README, each kind of object: who may list or read it; who may change
it or act on it.

- instance, its data and its trail: admin, pengawas, the roles of its process's lanes, whoever
  started it; start one: the role of the start event's lane, admin.
- task: whoever may read its instance; claim, release, save, complete: its lane's role.
- dataset: everyone once ready; before that its OPD's pengelola_data, the walidata, admin,
  pengawas; upload, correct, hand in: its OPD's pengelola_data, the walidata, admin; check it:
  the walidata, admin.
- data template: everyone signed in; define and change: the walidata, admin.
- OPD registry: everyone signed in; change it, and read and change the operators' letters:
  admin.
- stored file: whoever may read an object that references it, and its uploader.
- publication: everyone (made by the process, never by hand).
- complaint: list: petugas_pengaduan, redaktur, pengawas, admin; its status: whoever holds the
  ticket; register one: petugas_pengaduan, admin.
- private form field (``x-visible-to`` in its form): only the roles it names, everywhere.
- audit trail, dashboard, reports: admin, pengawas. Workload: redaktur, pengawas, admin; the
  lanes' way of handing out tasks: admin.
- the deployed processes and their versions: everyone signed in; deploy, roll back, migrate,
  drafts, users, the work calendar, the SOP's metadata: admin.

``pengawas`` reads everything and changes nothing. A single read answers 404 to those who may
not know that the object exists (``require_known``) and 403 to those who may know it but not do
what they asked (``require``); lists are filtered in their query (the ``*_visible`` clauses).

The policy reads the models only: the use cases call it, never the other way round.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, false, or_, select, true

from app.catalog.models import Dataset, OperatorLetter
from app.core.errors import Forbidden, NotFound
from app.core.models import AuditEvent, StoredFile
from app.extensions import db
from app.publishing.models import Publication
from app.workflow.models import HumanTask, Instance, ProcessVersion

ADMIN, PENGAWAS, REDAKTUR = "admin", "pengawas", "redaktur"
OPERATOR, WALIDATA, COMPLAINT_STAFF = "pengelola_data", "walidata", "petugas_pengaduan"
OVERSIGHT = frozenset({ADMIN, PENGAWAS})
READY = "ready"  # a dataset the walidata checked
# The form property that makes a field private: the roles that may see it (checked at deploy).
VISIBLE_TO = "x-visible-to"


def roles_of(user: Any) -> frozenset[str]:
    """The roles of a signed-in person; none for the public (None or an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(user.roles)


def _has(user: Any, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


def signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


# Refusals ----------------------------------------------------------------------------------

def require(allowed: bool, message: str = "Anda tidak memiliki akses untuk tindakan ini.") -> None:
    """For those who may know the object: 403 when they may not do this."""
    if not allowed:
        raise Forbidden(message)


def require_known(allowed: bool, message: str = "Data tidak ditemukan.") -> None:
    """For a single read: 404 when the user may not know that the object exists."""
    if not allowed:
        raise NotFound(message)


# The platform ------------------------------------------------------------------------------

def may_administer(user: Any) -> bool:
    """Some administration at all (the Admin menu): users, OPDs, processes, the calendar."""
    return _has(user, ADMIN)


def may_manage_users(user: Any) -> bool:
    return _has(user, ADMIN)


def may_change_calendar(user: Any) -> bool:
    return _has(user, ADMIN)


def may_read_audit(user: Any) -> bool:
    return _has(user, *OVERSIGHT)


def may_read_reports(user: Any) -> bool:
    """The dashboard, its statistics and the monthly report."""
    return _has(user, *OVERSIGHT)


def may_read_workload(user: Any) -> bool:
    return _has(user, REDAKTUR, *OVERSIGHT)


# Processes ---------------------------------------------------------------------------------

def may_administer_processes(user: Any) -> bool:
    """Deploy, roll back and migrate versions, model drafts and forms, the SOP's metadata, the
    lanes' way of handing out tasks."""
    return _has(user, ADMIN)


def may_list_processes(user: Any) -> bool:
    """The deployed processes and their versions (names, numbers, hashes)."""
    return signed_in(user)


def may_start(user: Any, model) -> bool:
    """Whoever works the lane of the start event may start a process; admins any."""
    return _has(user, ADMIN) or (model.start_role is not None and _has(user, model.start_role))


def works_lane(user: Any, role: str) -> bool:
    """Whether the user works the lane that belongs to ``role``."""
    return role in roles_of(user)


def works_lane_of(user: Any, model) -> bool:
    """Whether the user works some lane of a process model."""
    return not roles_of(user).isdisjoint(model.lanes.values())


def may_list_instances(user: Any) -> bool:
    """The list of every run (Daftar Proses): those who start runs or supervise them."""
    return _has(user, REDAKTUR, *OVERSIGHT)


def may_read_instance(user: Any, instance: Instance) -> bool:
    if not signed_in(user):
        return False
    if _has(user, *OVERSIGHT) or instance.started_by_id == user.id:
        return True
    return works_lane_of(user, instance.process_version.model)


def instances_visible(user: Any):
    """The instances a user may read, as a condition of a query over Instance."""
    if not signed_in(user):
        return false()
    if _has(user, *OVERSIGHT):
        return true()
    return or_(Instance.started_by_id == user.id, Instance.process_version_id.in_(_versions_worked_by(user)))


def _versions_worked_by(user: Any) -> list[int]:
    return [version.id for version in ProcessVersion.with_models(select(ProcessVersion))
            if works_lane_of(user, version.model)]


def may_work_task(user: Any, task: HumanTask) -> bool:
    """Claim, release, save a draft, complete: the task's lane."""
    return works_lane(user, task.role)


def may_read_task(user: Any, task: HumanTask) -> bool:
    return may_read_instance(user, task.instance)


def may_see_every_task(user: Any) -> bool:
    """The inbox's scope "all": every waiting task of every lane."""
    return _has(user, *OVERSIGHT)


# Sectoral data -----------------------------------------------------------------------------

def may_see_unchecked(user: Any, opd_code: str | None = None) -> bool:
    """Before the walidata's check a recap is seen by its OPD's operators, the walidata, admins
    and supervisors. Without an OPD: whether the user sees some unchecked data at all."""
    if _has(user, ADMIN, WALIDATA, PENGAWAS):
        return True
    return _has(user, OPERATOR) and user.opd_code is not None and opd_code in (None, user.opd_code)


def operators_opd(user: Any) -> str | None:
    """The OPD of a data operator (pengelola_data), whose data they work on; None for others."""
    return user.opd_code if _has(user, OPERATOR) else None


def needs_appointment(user: Any) -> bool:
    """Whether handing in data needs a valid appointment letter: a data operator's, not the
    walidata's nor an admin's."""
    return _has(user, OPERATOR) and not _has(user, ADMIN, WALIDATA)


def may_read_dataset(user: Any, dataset: Dataset) -> bool:
    return dataset.status == READY or may_see_unchecked(user, dataset.opd_code)


def datasets_visible(user: Any):
    """The datasets a user may read, as a condition of a query over Dataset."""
    if _has(user, ADMIN, WALIDATA, PENGAWAS):
        return true()
    if _has(user, OPERATOR) and user.opd_code is not None:
        return or_(Dataset.status == READY, Dataset.opd_code == user.opd_code)
    return Dataset.status == READY


def may_work_on_sectoral_data(user: Any) -> bool:
    """The staff's screens of sectoral data: upload, correct, hand in, check."""
    return _has(user, ADMIN, WALIDATA, OPERATOR)


def may_prepare_data_of(user: Any, opd_code: str) -> bool:
    """Upload, correct and hand in an OPD's recaps (the appointment letter is checked apart)."""
    return _has(user, ADMIN, WALIDATA) or (_has(user, OPERATOR) and user.opd_code == opd_code)


def may_check_datasets(user: Any) -> bool:
    """The walidata's check: approve or return handed-in data."""
    return _has(user, ADMIN, WALIDATA)


def may_read_templates(user: Any) -> bool:
    return signed_in(user)


def may_manage_templates(user: Any) -> bool:
    return _has(user, ADMIN, WALIDATA)


def may_manage_opds(user: Any) -> bool:
    """The OPD registry and the operators' appointment letters."""
    return _has(user, ADMIN)


def may_read_letter(user: Any, letter: OperatorLetter) -> bool:
    """An appointment letter names people: the admins who keep the registry read it."""
    return may_manage_opds(user)


# Complaints --------------------------------------------------------------------------------

def may_list_complaints(user: Any) -> bool:
    return _has(user, COMPLAINT_STAFF, REDAKTUR, *OVERSIGHT)


def may_register_complaint(user: Any) -> bool:
    """A complaint received by phone, letter or at the desk."""
    return _has(user, ADMIN, COMPLAINT_STAFF)


# Private form fields -----------------------------------------------------------------------

def private_fields(schemas: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    """Field name -> the roles that may see it, for every field a form marks with x-visible-to."""
    found: dict[str, frozenset[str]] = {}
    for schema in schemas:
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, Mapping) and isinstance(prop.get(VISIBLE_TO), list):
                found[name] = found.get(name, frozenset()) | frozenset(prop[VISIBLE_TO])
    return found


def hidden_fields(user: Any, version: ProcessVersion) -> frozenset[str]:
    """The private fields of a version's forms that this user may not see."""
    roles = roles_of(user)
    return frozenset(name for name, allowed in private_fields(version.forms.values()).items()
                     if roles.isdisjoint(allowed))


def redact(value: Any, hidden: frozenset[str]) -> Any:
    """The value without the hidden fields, at any depth (form data, drafts, an event's detail)."""
    if not hidden:
        return value
    if isinstance(value, Mapping):
        return {k: redact(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [redact(v, hidden) for v in value]
    return value


def visible_data(user: Any, version: ProcessVersion, data: Any) -> Any:
    """Instance data, task data or a draft as this user may see it."""
    return redact(data, hidden_fields(user, version))


@dataclass(frozen=True)
class EventView:
    """An event of the audit trail as one reader may see it (the stored event never changes)."""

    id: int
    at: Any
    user: Any
    role: str | None
    address: str | None
    action: str
    instance_id: int | None
    task_id: str | None
    detail: Any
    before: Any
    after: Any
    hash: str | None


def visible_events(user: Any, events: Iterable[AuditEvent]) -> list[EventView]:
    """Events of the trail without the private fields of their instances' forms that the user
    may not see."""
    events = list(events)
    instance_ids = {e.instance_id for e in events if e.instance_id is not None}
    versions = dict(db.session.execute(
        select(Instance.id, ProcessVersion).join(ProcessVersion, Instance.process_version_id == ProcessVersion.id)
        .where(Instance.id.in_(instance_ids))).all()) if instance_ids else {}
    hidden = {iid: hidden_fields(user, version) for iid, version in versions.items()}
    views = []
    for e in events:
        secret = hidden.get(e.instance_id, frozenset())
        views.append(EventView(e.id, e.at, e.user, e.role, e.address, e.action, e.instance_id, e.task_id,
                               redact(e.detail, secret), redact(e.before, secret), redact(e.after, secret), e.hash))
    return views


# Stored files ------------------------------------------------------------------------------

def may_read_file(user: Any, stored: StoredFile) -> bool:
    """A file is seen by whoever may read an object that references it (a publication's design,
    a dataset's original, an appointment letter, a form upload of an instance) and by the person
    who uploaded it."""
    if signed_in(user) and stored.uploaded_by_id == user.id:
        return True
    if db.session.scalar(select(Publication.id).where(Publication.design_file_id == stored.id).limit(1)):
        return True
    dataset = db.session.scalars(select(Dataset).where(Dataset.file_id == stored.id, datasets_visible(user))
                                 .limit(1)).first()
    if dataset is not None:
        return True
    letter = db.session.scalars(select(OperatorLetter).where(OperatorLetter.file_id == stored.id).limit(1)).first()
    if letter is not None and may_read_letter(user, letter):
        return True
    return signed_in(user) and any(may_read_instance(user, i) for i in _instances_naming(stored.id))


def _instances_naming(file_id: str) -> list[Instance]:
    """The instances whose data, or whose tasks' data or drafts, name a file (ids are random, so
    a match in the stored JSON text is the file)."""
    pattern = f"%{file_id}%"
    by_task = select(HumanTask.instance_id).where(or_(cast(HumanTask.data, String).like(pattern),
                                                      cast(HumanTask.draft, String).like(pattern)))
    return list(db.session.scalars(select(Instance).where(or_(
        Instance.id.in_(by_task), and_(cast(Instance.data, String).like(pattern))))))

"""Every action appends one event, in the same transaction as the change it records.

The trail is a hash chain. Each event's ``hash`` is the SHA-256 of a canonical JSON of its
content (when, who, in which role, from where, what, on which instance and task, the detail
and the values before and after) together with ``prev_hash``, the hash of the event before
it. The single ``audit_head`` row holds the end of the chain; appending locks it first, so
that concurrent transactions chain one after the other (PostgreSQL: SELECT ... FOR UPDATE;
SQLite serialises write transactions anyway) and event ids follow the chain's order.

Events are never changed or removed by the application: the ORM refuses it (the listeners
at the end of this module), and :func:`verify` (``flask --app app audit verify``) finds any
change made around the application: an edited event, a broken link, a removed event or a
head that does not point at the last event.

JSON values are made plain before they are stored and hashed (keys as strings, tuples and
sets as lists, anything else as its text), so that what the database gives back — PostgreSQL
JSON or JSONB, SQLite text — hashes exactly as what was written; the canonical form sorts
keys, so a database that reorders them changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, cast, event, func, or_, select
from sqlalchemy.orm import Session

from app import policy
from app.extensions import db

from .models import AuditEvent, AuditHead, User, utcnow
from .paging import page_of
from .workcal import WIB

HEAD_ID = 1


# Appending -------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """The value as the database will give it back from a JSON column."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _canonical_at(at: datetime) -> str:
    if at.tzinfo is None:  # the column gives back aware UTC; be safe with a naive one
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(*, at: datetime, user_id: int | None, role: str | None, address: str | None,
                 action: str, instance_id: int | None, task_id: str | None, detail: Any,
                 before: Any, after: Any, prev_hash: str | None) -> str:
    content = {
        "at": _canonical_at(at), "user_id": user_id, "role": role, "address": address,
        "action": action, "instance_id": instance_id, "task_id": task_id,
        "detail": detail, "before": before, "after": after, "prev_hash": prev_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def hash_of(row: Any) -> str:
    """The hash of a stored event (an AuditEvent or a row with its columns)."""
    return compute_hash(at=row.at, user_id=row.user_id, role=row.role, address=row.address,
                        action=row.action, instance_id=row.instance_id, task_id=row.task_id,
                        detail=row.detail, before=row.before, after=row.after, prev_hash=row.prev_hash)


def _no_address() -> str | None:
    return None


# Where the acting person is (their network address), for the events of a request; the web
# shell sets how to find it (use_address_source). Commands and the worker have none.
_address_source: Callable[[], str | None] = _no_address


def use_address_source(source: Callable[[], str | None]) -> None:
    global _address_source
    _address_source = source


def _address() -> str | None:
    return (_address_source() or "")[:64] or None


def _lock_head() -> str | None:
    """Lock the head of the chain for this transaction; the hash at its end."""
    head = db.session.execute(
        select(AuditHead.last_hash).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:  # a database made without the migration's row
        db.session.execute(AuditHead.__table__.insert().values(id=HEAD_ID))
        return None
    return head.last_hash


@dataclass(frozen=True)
class Appended:
    id: int
    hash: str


def record(action: str, user: User | None, *, instance_id: int | None = None,
           task_id: str | None = None, before: Any = None, after: Any = None,
           **detail: Any) -> Appended:
    """Append one event at the end of the chain, in the caller's transaction: three plain
    statements (lock the head, insert the event, move the head). The session's pending changes
    are not flushed for them but with the caller's next flush: every id an event names has
    been flushed already (ids come from flushes)."""
    with db.session.no_autoflush:
        values = dict(
            at=utcnow(), user_id=user.id if user else None,
            role=",".join(sorted(user.roles)) if user else None, address=_address(),
            action=action, instance_id=instance_id, task_id=task_id, detail=plain(detail),
            before=plain(before), after=plain(after), prev_hash=_lock_head(),
        )
        values["hash"] = compute_hash(**values)
        event_id = db.session.execute(
            AuditEvent.__table__.insert().values(**values).returning(AuditEvent.__table__.c.id)
        ).scalar_one()
        db.session.execute(AuditHead.__table__.update().where(AuditHead.__table__.c.id == HEAD_ID)
                           .values(last_event_id=event_id, last_hash=values["hash"]))
    return Appended(event_id, values["hash"])


# Verifying -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    kind: str            # "content", "link", "deleted", "head"
    event_id: int | None
    action: str | None
    message: str


@dataclass(frozen=True)
class Verification:
    count: int           # events in the chain
    unchained: int       # events from before the chain began (no hash), at the start only
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(batch: int = 1000) -> Iterator[Any]:
    table = AuditEvent.__table__
    last_id = None
    while True:
        query = select(table).order_by(table.c.id).limit(batch)
        if last_id is not None:
            query = query.where(table.c.id > last_id)
        rows = db.session.execute(query).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _changed(row: Any) -> Problem:
    return Problem("content", row.id, row.action,
                   f"peristiwa #{row.id} ({row.action}): isi berubah — hash tersimpan "
                   f"{(row.hash or '-')[:16]}…, hash dari isinya {hash_of(row)[:16]}…")


def _looks_unhashed(row: Any, expected: str | None) -> bool:
    """A chained event whose hash was removed: its content still hashes to what comes next."""
    return row is not None and expected is not None and hash_of(row) == expected


def verify() -> Verification:
    """Walk the trail by id: every hash recomputed, every link followed, the head checked.
    Stops at the first problem. Runs on one snapshot (PostgreSQL: REPEATABLE READ).

    Events from before the chain existed (no hash, no prev_hash; an upgraded database) may
    only come first; they are counted apart."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.rollback()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    count = unchained = 0
    previous = last_unchained = None

    def result(problem: Problem | None) -> Verification:
        return Verification(count, unchained, problem)

    for row in _rows():
        if previous is None and row.hash is None and row.prev_hash is None:
            unchained += 1
            last_unchained = row
            continue
        if row.hash is None or hash_of(row) != row.hash:
            return result(_changed(row))
        expected = previous.hash if previous is not None else None
        if row.prev_hash == expected:
            count += 1
            previous = row
            continue
        if previous is None and _looks_unhashed(last_unchained, row.prev_hash):
            return result(_changed(last_unchained))
        if previous is None or row.id > previous.id + 1:
            gap = f"#{previous.id + 1}–#{row.id - 1}" if previous is not None else f"sebelum #{row.id}"
            to = f"peristiwa #{previous.id}" if previous is not None else "awal rantai"
            return result(Problem("deleted", row.id, row.action,
                                  f"peristiwa #{row.id} ({row.action}): peristiwa sebelumnya dihapus "
                                  f"(hilang: {gap}); rantai tidak tersambung ke {to}"))
        return result(Problem("link", row.id, row.action,
                              f"peristiwa #{row.id} ({row.action}): sambungan rantai putus — prev_hash "
                              f"tidak sama dengan hash peristiwa #{previous.id}"))
    head = db.session.get(AuditHead, HEAD_ID, populate_existing=True)
    head_id, head_hash = (head.last_event_id, head.last_hash) if head is not None else (None, None)
    last_id, last_hash = (previous.id, previous.hash) if previous is not None else (None, None)
    if (head_id, head_hash) == (last_id, last_hash):
        return result(None)
    if previous is None and last_unchained is not None and last_unchained.id == head_id \
            and _looks_unhashed(last_unchained, head_hash):
        return result(_changed(last_unchained))
    last = f"#{last_id}" if last_id is not None else "tidak ada"
    if head_id is not None and (last_id is None or head_id > last_id):
        what = f"kepala menunjuk peristiwa #{head_id}, peristiwa terakhir {last} — peristiwa terakhir dihapus"
    else:
        pointed = f"peristiwa #{head_id}" if head_id is not None else "rantai kosong"
        what = f"kepala menunjuk {pointed}, peristiwa terakhir {last}"
    return result(Problem("head", last_id, previous.action if previous is not None else None,
                          f"kepala rantai tidak cocok: {what}"))


# Reading, for the screen and the CSV export ---------------------------------------------

@dataclass(frozen=True)
class Filters:
    start: date | None = None   # WIB, inclusive
    end: date | None = None     # WIB, inclusive
    user_id: int | None = None
    action: str | None = None
    instance_id: int | None = None
    text: str = ""


def _wib_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=WIB)


def _json_text(column):
    return func.lower(cast(column, String))


def query(filters: Filters):
    """The events that pass the filters, newest first."""
    q = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters.start is not None:
        q = q.where(AuditEvent.at >= _wib_midnight(filters.start))
    if filters.end is not None:
        q = q.where(AuditEvent.at < _wib_midnight(filters.end + timedelta(days=1)))
    if filters.user_id is not None:
        q = q.where(AuditEvent.user_id == filters.user_id)
    if filters.action:
        q = q.where(AuditEvent.action == filters.action)
    if filters.instance_id is not None:
        q = q.where(AuditEvent.instance_id == filters.instance_id)
    term = filters.text.strip().lower()
    if term:
        # JSON is stored with non-ASCII escaped (\u00e9), so look for both spellings.
        escaped = json.dumps(term)[1:-1]
        who = select(User.id).where(or_(func.lower(User.username).contains(term, autoescape=True),
                                        func.lower(User.full_name).contains(term, autoescape=True)))
        conditions = [
            func.lower(AuditEvent.action).contains(term, autoescape=True),
            func.lower(AuditEvent.role).contains(term, autoescape=True),
            func.lower(AuditEvent.address).contains(term, autoescape=True),
            func.lower(AuditEvent.task_id).contains(term, autoescape=True),
            AuditEvent.user_id.in_(who),
        ]
        for column in (AuditEvent.detail, AuditEvent.before, AuditEvent.after):
            conditions.append(_json_text(column).contains(term, autoescape=True))
            if escaped != term:
                conditions.append(_json_text(column).contains(escaped, autoescape=True))
        q = q.where(or_(*conditions))
    return q


def _require_reader(viewer) -> None:
    policy.require(policy.may_read_audit(viewer), "Jejak audit hanya untuk Admin dan Pengawas.")


def page(viewer, filters: Filters, page_no: int, per_page: int) -> tuple[list[policy.EventView], int]:
    """One page of the events that pass the filters, as the viewer may see them."""
    _require_reader(viewer)
    rows, total = page_of(query(filters), page_no, per_page)
    return policy.visible_events(viewer, rows), total


def each(viewer, filters: Filters, batch: int = 500) -> Iterator[policy.EventView]:
    """Every event that passes the filters, newest first, read in batches, as the viewer may
    see them (the export)."""
    _require_reader(viewer)
    last_id = None
    while True:
        q = query(filters).limit(batch)
        if last_id is not None:
            q = q.where(AuditEvent.id < last_id)
        rows = db.session.scalars(q).all()
        if not rows:
            return
        yield from policy.visible_events(viewer, rows)
        last_id = rows[-1].id


def actions() -> list[str]:
    """Every action that appears in the trail, for the filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def people() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.full_name, User.username)))


# Append-only: the ORM refuses to change or remove an event --------------------------------

class AppendOnly(RuntimeError):
    """An attempt to change or remove an audit event through the application."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise AppendOnly(f"Peristiwa audit #{target.id} tidak boleh diubah.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise AppendOnly(f"Peristiwa audit #{target.id} tidak boleh dihapus.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEvent:
        raise AppendOnly("Peristiwa audit tidak boleh diubah atau dihapus.")

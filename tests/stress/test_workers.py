"""Several processes at once: gunicorn with four workers under 32 racing clients completes each
task exactly once, and two background workers started together send each notice exactly once."""
from __future__ import annotations

import random
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from support.stress import (
    FIRST_STEP,
    NEXT_STEP,
    PROJECT,
    Client,
    Race,
    inconsistencies,
    publish_figures,
    ready_dataset,
    requires_postgresql,
    start_publications,
)

from app.core.models import User, utcnow
from app.extensions import db
from app.workflow.models import HumanTask, Notification, TaskNotice

pytestmark = [pytest.mark.slow, requires_postgresql]

INSTANCES = 40
CLIENTS = 32
EDITORS = 8
WORKERS = 4
RACE_TIMEOUT = 600


def test_four_workers_and_32_clients_complete_every_task_exactly_once(stack, tmp_path):
    server, editors, dataset_id = stack.publications_waiting(WORKERS, EDITORS, INSTANCES)
    before = stack.instances()
    assert len(before) == INSTANCES
    assert all(list(v.open_tasks.values()) == [FIRST_STEP] and not v.done_tasks for v in before.values())

    race = Race([Client(server.url, editors[n % EDITORS]) for n in range(CLIENTS)], dataset_id)
    figures = race.run(RACE_TIMEOUT)
    publish_figures("stress-gunicorn", {**figures, "gunicorn_workers": WORKERS, "instances": INSTANCES}, tmp_path)

    assert race.errors == [], race.errors[:10]
    assert race.unexpected() == Counter()
    first_tasks = {task_id for v in before.values() for task_id in v.open_tasks}
    assert race.completed == Counter(dict.fromkeys(first_tasks, 1))
    assert figures["completions_200"] == INSTANCES

    after = stack.instances()
    assert inconsistencies(after, before) == []
    for view in after.values():  # one step each: the first task done once, the next one waiting once
        assert list(view.done_tasks.values()) == [FIRST_STEP], view
        assert list(view.open_tasks.values()) == [NEXT_STEP], view
        assert view.row_version == before[view.id].row_version + 1
        assert view.data["dataset_id"] == dataset_id
    assert stack.audit_verify().startswith("OK:")
    assert server.problems() == []


# Background workers ------------------------------------------------------------------------------

OVERDUE, NEAR_DUE = 30, 6  # of the 40 open tasks; the other 4 are not due yet
SUMMARY = re.compile(r"hampir jatuh tempo: (\d+) tugas, terlambat: (\d+) tugas, pemberitahuan: (\d+),.*"
                     r"sudah diambil pekerja lain: (\d+)")


def run_workers(stack, now, count=2) -> list[tuple[int, int, int, int]]:
    """`flask worker --once` in count processes started together; their summaries."""
    command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--once", "--now", now.isoformat()]
    running = [subprocess.Popen(command, cwd=PROJECT, env=stack.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(count)]
    outputs = [process.communicate(timeout=300) for process in running]
    assert [process.returncode for process in running] == [0] * count, outputs
    summaries = []
    for out, err in outputs:
        found = SUMMARY.search(out)
        assert found, (out, err)
        summaries.append(tuple(int(n) for n in found.groups()))
    return summaries


def notices(stack) -> tuple[Counter, Counter]:
    """(task, kind) of the claims, and (task, kind, username) of the due notices."""
    with stack.reading():
        claims = Counter(tuple(r) for r in db.session.execute(select(TaskNotice.task_id, TaskNotice.kind)))
        sent = Counter(tuple(r) for r in db.session.execute(
            select(Notification.task_id, Notification.kind, User.username).join(User, Notification.user_id == User.id)
            .where(Notification.kind.in_(("near_due", "overdue")))))
    return claims, sent


def make_due(stack, overdue: list[str], near_due: list[str]):
    """Move due times into the past: the overdue tasks' due moment, the near-due ones' warning
    moment. Returns the moment the workers take for now."""
    now = utcnow().replace(microsecond=0)
    with stack.reading():
        db.session.execute(update(HumanTask).where(HumanTask.id.in_(overdue))
                           .values(due_at=now - timedelta(days=1), near_due_at=now - timedelta(days=1, hours=2)))
        db.session.execute(update(HumanTask).where(HumanTask.id.in_(near_due))
                           .values(due_at=now + timedelta(days=1), near_due_at=now - timedelta(hours=1)))
        db.session.commit()
        rest = db.session.scalars(select(HumanTask).where(HumanTask.completed_at.is_(None),
                                                          HumanTask.id.not_in(overdue + near_due))).all()
        assert rest and all(t.near_due_at > now for t in rest)  # really not due
    return now


def holders(stack) -> dict[str, str | None]:
    """Who holds each open task (None: nobody, its lane)."""
    with stack.reading():
        return {t.id: t.assignee.username if t.assignee else None
                for t in db.session.scalars(select(HumanTask).where(HumanTask.completed_at.is_(None)))}


def test_two_background_workers_send_each_notice_exactly_once(stack, tmp_path):
    stack.create_users({"admin": "admin", "redaktur1": "redaktur", "redaktur2": "redaktur", "desain1": "desain",
                        "desain2": "desain", "pengawas1": "pengawas"})
    server = stack.serve(2)
    editors = {name: Client(server.url, name) for name in ("redaktur1", "redaktur2")}
    dataset_id = ready_dataset(Client(server.url, "admin"))
    ids = start_publications(list(editors.values()), 40, release_every=None)
    for instance_id in ids[:20]:  # half of them on to Tim Desain's lane, unclaimed there
        task = editors["redaktur1"].get(f"/instances/{instance_id}").json()["tasks"][0]
        editors[task["assignee"]].ok(f"/tasks/{task['id']}/complete", json={"data": {"dataset_id": dataset_id}})
    server.stop()
    assert server.problems() == []

    views = stack.instances()
    open_tasks = sorted((task_id, step) for v in views.values() for task_id, step in v.open_tasks.items())
    assert Counter(step for _, step in open_tasks) == {FIRST_STEP: 20, NEXT_STEP: 20}
    random.Random(8).shuffle(open_tasks)
    overdue, near_due = open_tasks[:OVERDUE], open_tasks[OVERDUE:OVERDUE + NEAR_DUE]
    now = make_due(stack, [t for t, _ in overdue], [t for t, _ in near_due])
    holder = holders(stack)

    summaries = run_workers(stack, now)
    again = run_workers(stack, now)

    lane = {FIRST_STEP: ["redaktur1", "redaktur2"], NEXT_STEP: ["desain1", "desain2"]}
    watchers = {"redaktur1", "redaktur2", "pengawas1"}
    expected = Counter()
    for task_id, step in near_due:  # the one holding the task, else its lane
        people = [holder[task_id]] if holder[task_id] else lane[step]
        expected.update((task_id, "near_due", person) for person in people)
    for task_id, step in overdue:  # and the Redaktur and the Pengawas
        people = {holder[task_id]} if holder[task_id] else set(lane[step])
        expected.update((task_id, "overdue", person) for person in people | watchers)
    claims, sent = notices(stack)
    assert claims == Counter({(t, "overdue"): 1 for t, _ in overdue} | {(t, "near_due"): 1 for t, _ in near_due})
    assert sent == expected
    assert sum(s[0] for s in summaries) == NEAR_DUE and sum(s[1] for s in summaries) == OVERDUE
    assert sum(s[2] for s in summaries) == sum(expected.values())
    assert again == [(0, 0, 0, 0)] * 2
    assert notices(stack) == (claims, sent)
    publish_figures("stress-background-workers", {
        "workers": 2, "overdue_tasks": OVERDUE, "near_due_tasks": NEAR_DUE, "notices": sum(expected.values()),
        "per_worker": [dict(zip(("near_due", "overdue", "notifications", "claims_lost"), s, strict=False))
                       for s in summaries],
    }, tmp_path)

"""Benchmarks of the workflow application: they print figures, they assert nothing about time.

    .venv/bin/python bench/run.py [--quick] [--big] [--postgres URL] [--profile] [--only PART]

`make bench` runs it with --big (and --postgres when the local server answers).

- lifecycle: whole SOP runs (one revision loop, nine completions each) through /api/v1 with the
  in-process test client, against the bare SpiffWorkflow engine running the same user tasks with
  the same data and a serialize/deserialize round trip after every step (as the app does); and
  the floor of any request: the same app and client answering a JSON POST with no database and
  no engine work, which bounds the ratio app/engine that any request could reach.
- history: one completion in an instance after 0, 5 and 20 revision loops.
- inbox: GET /api/v1/tasks?scope=mine and GET /tugas with 1k and 10k instances stored (100k: --big).
- portal: GET / and GET /?q=penduduk with 2k publications (10k: --big).
- memory: the peak RSS of this process at the end.

--postgres URL names a PostgreSQL server (any database on it that we may connect to for
CREATE DATABASE); the lifecycle then also runs in a new database h_bench_<random> there, which is
dropped at the end. Nothing else on that server is touched. --profile prints a cProfile of
completions. The table is printed and written, with the machine's description, to
bench/RESULTS.md."""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import resource
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

from flask_migrate import upgrade  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

PROCESS = "penyebarluasan_data"
BPMN = ROOT / "processes" / f"{PROCESS}.bpmn"
PASSWORD = "kata-sandi-bench-123"
clock = time.perf_counter


# Figures ---------------------------------------------------------------------------------

def pct(values, q):
    """The q-th percentile (nearest rank) of a list of numbers."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


ROWS: list[tuple[str, str, str, str]] = []  # (benchmark, database, measure, value)
NOTES: list[str] = []


def row(bench, database, measure, value):
    ROWS.append((bench, database, measure, value))
    print(f"  {bench:<10} {database:<10} {measure:<44} {value}", flush=True)


# The application --------------------------------------------------------------------------

def png(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, "PNG")
    return buffer.getvalue()


CSV = b"kecamatan,jumlah\nMagetan,45780\nMaospati,48200\nPlaosan,50500\n"


class Api:
    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path):
        return self.client.get("/api/v1" + path, headers=self.headers)

    def post(self, path, body=None):
        response = self.client.post("/api/v1" + path, json=body, headers=self.headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST {path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
        return response.get_json()

    def upload(self, path, data, filename, **fields):
        response = self.client.post("/api/v1" + path, headers=self.headers,
                                    data={"file": (io.BytesIO(data), filename), **fields},
                                    content_type="multipart/form-data")
        if response.status_code != 201:
            raise RuntimeError(f"upload {path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
        return response.get_json()


class Env:
    """An app over a new, migrated database with the shipped processes and three users."""

    def __init__(self, url: str, folder: Path):
        from app import create_app
        from app.core import users
        from app.extensions import db
        from app.workflow import processes

        self.url, self.db = url, db
        folder.mkdir(parents=True, exist_ok=True)
        self.app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / "instance"), "UPLOAD_DIR": str(folder / "uploads"),
            "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "LOGIN_DELAY_SECONDS": 0,
        })
        gc.freeze()  # as create_app does in production mode (a session cookie over http needs the rest)
        with self.app.app_context():
            upgrade()
            processes.deploy_shipped()
            for name, role in (("admin1", "admin"), ("redaktur1", "redaktur"), ("desain1", "desain")):
                users.create_user(name, [role], PASSWORD)
            db.session.commit()
        self.sql: list[tuple[str, float]] = []  # (statement, seconds) while self.watch is on
        self.watch = False
        with self.app.app_context():
            from sqlalchemy import event

            @event.listens_for(db.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, parameters, context, executemany):
                conn.info["bench_started"] = clock()

            @event.listens_for(db.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, parameters, context, executemany):
                if self.watch:
                    self.sql.append((" ".join(statement.split()), clock() - conn.info.pop("bench_started", clock())))
        # The floor of a request: the same app and test client, a JSON body read and a JSON
        # answer, and neither the database nor the engine.
        from flask import jsonify, request
        self.app.add_url_rule("/bench/noop", "bench_noop", methods=["POST"],
                              view_func=lambda: jsonify({"received": len(request.get_json()["data"])}))
        self.client = self.app.test_client()
        self.admin, self.redaktur, self.desain = (self.login(n) for n in ("admin1", "redaktur1", "desain1"))

    def login(self, username):
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        return Api(self.client, response.get_json()["token"])

    def dataset(self, title="Jumlah Penduduk per Kecamatan"):
        found = self.admin.upload("/datasets", CSV, "data.csv", title=title, opd="dispendukcapil", period="2025")
        for step in ("submit", "approve"):
            self.admin.post(f"/datasets/{found['id']}/{step}")
        return found["id"]

    def design(self, n=0):
        return self.desain.upload("/files", png(color=(n % 256, 30, 200)), "desain.png")["id"]

    def execute(self, sql, params=None):
        with self.app.app_context():
            result = self.db.session.execute(text(sql), params or {})
            self.db.session.commit()
            return result

    def scalar(self, sql, params=None):
        with self.app.app_context():
            return self.db.session.execute(text(sql), params or {}).scalar()

    def close(self):
        with self.app.app_context():
            self.db.session.remove()
            self.db.engine.dispose()
        gc.unfreeze()


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / (name + '.db')}"


class Run:
    """One instance driven through the API; each completion's latency is kept."""

    def __init__(self, env: Env, dataset_id: int, title="Infografis penduduk Magetan 2025"):
        self.env, self.dataset_id = env, dataset_id
        self.state = env.redaktur.post("/instances", {"process": PROCESS, "title": title})
        self.id = self.state["id"]
        self.latencies: list[float] = []
        self.statements: list[int] = []
        self.sql_seconds: list[float] = []  # time inside the database driver, per completion
        self.n = 0

    def complete(self, api, bpmn_id, data, timed=True):
        ready = [t for t in self.state["tasks"] if t["state"] == "ready" and t["bpmn_id"] == bpmn_id]
        assert len(ready) == 1, (bpmn_id, self.state["tasks"])
        self.env.sql.clear()
        self.env.watch = timed
        started = clock()
        self.state = api.post(f"/tasks/{ready[0]['id']}/complete", {"data": data})
        if timed:
            self.latencies.append(clock() - started)
            self.statements.append(len(self.env.sql))
            self.sql_seconds.append(sum(seconds for _, seconds in self.env.sql))
        self.env.watch = False

    # The steps with the data their forms take (tests/test_sop_flow.py).
    def tentukan(self, timed=True):
        self.complete(self.env.redaktur, "tentukan_data", {"dataset_id": self.dataset_id, "tujuan": "Hari Statistik"},
                      timed)

    def ambil(self, timed=True):
        self.complete(self.env.desain, "ambil_data", {"data_terpilih": "Jumlah penduduk per kecamatan, 2025"}, timed)

    def desain(self, timed=True):
        self.n += 1
        file_id = self.env.design(self.n)  # the upload is not part of the completion's time
        self.complete(self.env.desain, "desain", {"desain": file_id, "catatan_desain": f"Versi {self.n}."}, timed)

    def caption(self, timed=True):
        self.complete(self.env.desain, "caption", {"caption": f"Penduduk Magetan 2025 per kecamatan ({self.n}).",
                                                   "tagar": ["SatuDataMagetan"]}, timed)

    def revisi(self, timed=True):
        self.complete(self.env.redaktur, "periksa", {"keputusan": "revisi",
                                                     "catatan_revisi": "Perbesar judul dan cantumkan sumber."}, timed)

    def setuju(self, timed=True):
        self.complete(self.env.redaktur, "periksa", {"keputusan": "disetujui"}, timed)

    def publikasi(self, timed=True):
        self.complete(self.env.desain, "publikasi", {"kanal": ["website", "instagram"],
                                                     "tautan": ["https://instagram.com/p/abc"]}, timed)

    def loop(self, timed=True):
        self.desain(timed)
        self.caption(timed)
        self.revisi(timed)

    def whole(self, timed=True):
        """tentukan_data, ambil_data, desain, caption, periksa revisi, desain, caption,
        periksa disetujui, publikasi."""
        self.tentukan(timed)
        self.ambil(timed)
        self.loop(timed)
        self.desain(timed)
        self.caption(timed)
        self.setuju(timed)
        self.publikasi(timed)
        assert self.state["state"] == "completed", self.state["state"]


# The bare engine ---------------------------------------------------------------------------

class BareEngine:
    """SpiffWorkflow alone: the shipped BPMN parsed once, the state serialized without its spec
    and read back after every step, with the same converter as the app (its only addition to
    SpiffWorkflow's serializer: leaving the spec out and putting it back)."""

    def __init__(self):
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
        from SpiffWorkflow.util.task import TaskState

        from app.engine.runtime import SpeclessWorkflowConverter as Specless

        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_file(str(BPMN))
        self.spec, self.subprocess_specs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)
        self.Workflow, self.TaskState = BpmnWorkflow, TaskState
        self.script_engine = PythonScriptEngine()
        self.serializer = BpmnWorkflowSerializer(
            BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: Specless}))

    def dump(self, workflow) -> str:
        dct = self.serializer.to_dict(workflow)
        dct[self.serializer.VERSION_KEY] = self.serializer.VERSION
        return json.dumps(dct, separators=(",", ":"))

    def load(self, state: str):
        dct = json.loads(state)
        self.serializer.migrate(dct)
        workflow = self.serializer.from_dict(dct, spec=self.spec, subprocess_specs=self.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def start(self) -> str:
        workflow = self.Workflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.do_engine_steps()
        return self.dump(workflow)

    def complete(self, state: str, bpmn_id: str, data: dict) -> tuple[str, bool]:
        workflow = self.load(state)
        ready = [t for t in workflow.get_tasks(state=self.TaskState.READY, manual=True)
                 if t.task_spec.bpmn_id == bpmn_id]
        assert len(ready) == 1, bpmn_id
        ready[0].set_data(**data)
        ready[0].run()
        workflow.do_engine_steps()
        return self.dump(workflow), workflow.is_completed()


DESIGN_ID = "0f8c3a9e2b7d4c1f9a6e5d4c3b2a1908"
LOOP = [
    ("desain", {"desain": DESIGN_ID, "catatan_desain": "Versi."}),
    ("caption", {"caption": "Penduduk Magetan 2025 per kecamatan.", "tagar": ["SatuDataMagetan"]}),
    ("periksa", {"keputusan": "revisi", "catatan_revisi": "Perbesar judul dan cantumkan sumber."}),
]
HEAD = [("tentukan_data", {"dataset_id": 1, "tujuan": "Hari Statistik"}),
        ("ambil_data", {"data_terpilih": "Jumlah penduduk per kecamatan, 2025"})]
TAIL = [LOOP[0], LOOP[1], ("periksa", {"keputusan": "disetujui"}),
        ("publikasi", {"kanal": ["website", "instagram"], "tautan": ["https://instagram.com/p/abc"]})]
WHOLE = HEAD + LOOP + TAIL


def bare_lifecycle(engine: BareEngine, runs: int) -> list[float]:
    latencies = []
    for _ in range(runs):
        state = engine.start()
        for bpmn_id, data in WHOLE:
            started = clock()
            state, done = engine.complete(state, bpmn_id, data)
            latencies.append(clock() - started)
        assert done
    return latencies


# Benchmarks ----------------------------------------------------------------------------------

def lifecycle(env: Env, label: str, runs: int, engine: BareEngine) -> float:
    print(f"lifecycle on {label}: {runs} runs", flush=True)
    dataset_id = env.dataset()
    latencies, statements, sql_seconds, wall = [], [], [], 0.0
    for i in range(runs):
        started = clock()
        run = Run(env, dataset_id, title=f"Infografis penduduk {i}")
        run.whole()
        wall += clock() - started
        latencies += run.latencies
        statements += run.statements
        sql_seconds += run.sql_seconds
    app_rate = len(latencies) / sum(latencies)
    bare = bare_lifecycle(engine, runs)
    bare_rate = len(bare) / sum(bare)
    floor = []
    for _bpmn_id, data in WHOLE * runs:
        started = clock()
        env.client.post("/bench/noop", json={"data": data}, headers=env.desain.headers)
        floor.append(clock() - started)
    row("lifecycle", label, f"app: completions ({runs} runs x 9)", str(len(latencies)))
    row("lifecycle", label, "app: completions/s (sum of latencies)", f"{app_rate:.1f}")
    row("lifecycle", label, "app: completion p50 / p95",
        f"{ms(pct(latencies, 50))} / {ms(pct(latencies, 95))}")
    row("lifecycle", label, "app: SQL statements per completion (mean)", f"{statistics.mean(statements):.1f}")
    row("lifecycle", label, "app: time in the database driver per completion (mean)",
        ms(statistics.mean(sql_seconds)))
    row("lifecycle", label, "app: runs/s incl. start, uploads, designs", f"{runs / wall:.2f}")
    row("lifecycle", label, "bare engine: completions/s", f"{bare_rate:.1f}")
    row("lifecycle", label, "bare engine: completion p50 / p95", f"{ms(pct(bare, 50))} / {ms(pct(bare, 95))}")
    row("lifecycle", label, "ratio app/engine (completions/s)", f"{app_rate / bare_rate:.3f}")
    floor_mean = statistics.mean(floor)
    row("lifecycle", label, "request cycle alone, no database/engine: p50", ms(pct(floor, 50)))
    row("lifecycle", label, "ceiling of the ratio (engine + request cycle)",
        f"{(1 / bare_rate) / (1 / bare_rate + floor_mean):.3f}")
    row("lifecycle", label, "ceiling with the database too (+ driver time, commit not counted)",
        f"{(1 / bare_rate) / (1 / bare_rate + floor_mean + statistics.mean(sql_seconds)):.3f}")
    return app_rate / bare_rate


def history(env: Env, instances: int, engine: BareEngine) -> dict[int, float]:
    print(f"history: {instances} instances per level, one timed loop each", flush=True)
    dataset_id = env.dataset()
    found = {}
    for loops in (0, 5, 20):
        samples, sizes, rows_ = [], [], []
        for i in range(instances):
            run = Run(env, dataset_id, title=f"Riwayat {loops}/{i}")
            run.tentukan(timed=False)
            run.ambil(timed=False)
            for _ in range(loops):
                run.loop(timed=False)
            run.loop(timed=True)
            samples += run.latencies
            sizes.append(env.scalar("SELECT length(engine_state) FROM instance WHERE id = :i", {"i": run.id}))
            rows_.append(len(run.state["history"]))
        # The bare engine at the same place.
        state = engine.start()
        for bpmn_id, data in HEAD + LOOP * loops:
            state, _ = engine.complete(state, bpmn_id, data)
        bare = []
        for _ in range(instances):  # the same loop each time, from the same place
            looped = state
            for bpmn_id, data in LOOP:
                started = clock()
                looped, _ = engine.complete(looped, bpmn_id, data)
                bare.append(clock() - started)
        found[loops] = pct(samples, 50)
        row("history", "sqlite", f"after {loops:>2} loops: completion p50 / p95 (n={len(samples)})",
            f"{ms(pct(samples, 50))} / {ms(pct(samples, 95))}")
        row("history", "sqlite", f"after {loops:>2} loops: engine_state / API history events",
            f"{statistics.mean(sizes) / 1024:.0f} KiB / {statistics.mean(rows_):.0f}")
        row("history", "sqlite", f"after {loops:>2} loops: bare engine p50", ms(pct(bare, 50)))
    row("history", "sqlite", "ratio p50 after 20 loops / after 0", f"{found[20] / found[0]:.2f}")
    return found


# Bulk rows for the inbox and the portal --------------------------------------------------------

class Copier:
    """Copies of template instances (with their human tasks and audit events, and for completed
    ones their publication) by INSERT ... SELECT with shifted ids."""

    def __init__(self, env: Env):
        from app.core.models import AuditEvent
        from app.publishing.models import Publication
        from app.workflow.models import HumanTask, Instance

        self.env = env
        self.tables = {m.__tablename__: [c.name for c in m.__table__.columns]
                       for m in (Instance, HumanTask, AuditEvent, Publication)}
        self.span = 10 ** len(str(env.scalar("SELECT max(id) FROM instance") + 1))
        self.audit_span = 10 ** len(str(env.scalar("SELECT max(id) FROM audit_event") + 1))
        self.pub_span = 10 ** len(str((env.scalar("SELECT max(id) FROM publication") or 0) + 1))
        self.round = 0
        self.done_rounds: list[int] = []  # rounds that copied completed instances
        self.pub_rounds = 0
        self.postgres = env.url.startswith("postgresql")

    def _sql(self, table, replace, where):
        cols = self.tables[table]
        quoted = ", ".join(f'"{c}"' for c in cols)
        exprs = ", ".join(replace.get(c, f'"{c}"') for c in cols)
        return f'INSERT INTO {table} ({quoted}) SELECT {exprs} FROM {table} WHERE {where}'

    def copy(self, template_ids: list[int], rounds: int, publications: bool = False):
        ids = ", ".join(str(i) for i in template_ids)
        prefix = "CAST(:prefix AS VARCHAR(8)) || substr(id, 9)"
        with self.env.app.app_context():
            session = self.env.db.session
            for _ in range(rounds):
                self.round += 1
                params = {"off": self.round * self.span, "aoff": self.round * self.audit_span,
                          "poff": self.round * self.pub_span, "prefix": f"{self.round:08x}"}
                session.execute(text(self._sql("instance", {"id": "id + :off"}, f"id IN ({ids})")), params)
                session.execute(text(self._sql("human_task", {"id": prefix, "instance_id": "instance_id + :off"},
                                               f"instance_id IN ({ids})")), params)
                session.execute(text(self._sql("audit_event", {
                    "id": "id + :aoff", "instance_id": "instance_id + :off",
                    "task_id": "CASE WHEN task_id IS NULL THEN NULL ELSE "
                               "CAST(:prefix AS VARCHAR(8)) || substr(task_id, 9) END",
                }, f"instance_id IN ({ids})")), params)
                if publications:
                    self.done_rounds.append(self.round)
                if self.round % 50 == 0:
                    session.commit()
            session.commit()
            if self.postgres:
                for table in ("instance", "audit_event", "publication"):
                    session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT max(id) FROM {table}))"))
                session.commit()


    def copy_publications(self, template_ids: list[int], total: int):
        """Publications for the copied completed instances, until there are at least `total`."""
        ids = ", ".join(str(i) for i in template_ids)
        sql = self._sql("publication", {"id": "id + :poff", "instance_id": "instance_id + :off"},
                        f"instance_id IN ({ids})")
        with self.env.app.app_context():
            session = self.env.db.session
            while session.execute(text("SELECT count(*) FROM publication")).scalar() < total:
                if self.pub_rounds >= len(self.done_rounds):
                    raise RuntimeError("not enough copied instances for the publications")
                r = self.done_rounds[self.pub_rounds]
                self.pub_rounds += 1
                session.execute(text(sql), {"off": r * self.span, "poff": r * self.pub_span})
            session.commit()
            if self.postgres:
                session.execute(text("SELECT setval(pg_get_serial_sequence('publication', 'id'), "
                                     "(SELECT max(id) FROM publication))"))
                session.commit()


def timed_gets(client, path, repeat, headers=None):
    for _ in range(3):  # warm-up
        client.get(path, headers=headers)
    out = []
    for _ in range(repeat):
        started = clock()
        response = client.get(path, headers=headers)
        out.append(clock() - started)
        assert response.status_code == 200, (path, response.status_code)
    return out


def sign_in(env: Env, username: str):
    from app.core.models import User

    client = env.app.test_client()
    with env.app.app_context():
        session_id = env.db.session.query(User).filter_by(username=username).one().get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


TITLES = ["Infografis penduduk Magetan 2025", "Produksi padi per kecamatan", "Angka kemiskinan 2024",
          "Jumlah sekolah dasar", "Curah hujan bulanan", "Jumlah puskesmas"]


def inbox_and_portal(env: Env, sizes: list[int], pub_sizes: list[int], repeat: int, templates: int):
    print(f"inbox/portal: {templates} real completed + 4 open templates, sizes {sizes}", flush=True)
    penduduk = env.dataset("Jumlah Penduduk per Kecamatan")
    padi = env.dataset("Produksi Padi per Kecamatan")
    done_ids, open_ids = [], []
    for i in range(templates):
        title = TITLES[i % len(TITLES)]
        run = Run(env, penduduk if "penduduk" in title else padi, title=title)
        run.whole(timed=False)
        done_ids.append(run.id)
    for stop in ("desain", "caption", "periksa", "publikasi"):  # open at four steps
        run = Run(env, penduduk, title=f"Terbuka di {stop}")
        run.tentukan(False)
        run.ambil(False)
        if stop != "desain":
            run.desain(False)
        if stop in ("periksa", "publikasi"):
            run.caption(False)
        if stop == "publikasi":
            run.setuju(False)
        open_ids.append(run.id)
    copier = Copier(env)
    copier.copy(open_ids, 49)  # 200 open instances (4 x 50), at every size
    api_client, token = env.client, env.desain.headers
    page_client = sign_in(env, "desain1")
    ratios = {}
    results = {}
    for size in sizes:
        have = env.scalar("SELECT count(*) FROM instance")
        missing = max(0, size - have)
        started = clock()
        copier.copy(done_ids, math.ceil(missing / len(done_ids)), publications=True)
        total = env.scalar("SELECT count(*) FROM instance")
        open_tasks = env.scalar("SELECT count(*) FROM human_task WHERE completed_at IS NULL")
        print(f"  {total} instances, {env.scalar('SELECT count(*) FROM human_task')} human tasks "
              f"({open_tasks} open), {env.scalar('SELECT count(*) FROM audit_event')} audit events "
              f"(made in {clock() - started:.1f} s)", flush=True)
        api = timed_gets(api_client, "/api/v1/tasks?scope=mine", repeat, headers=token)
        page = timed_gets(page_client, "/tugas", repeat)
        label = f"{total // 1000}k inst"
        row("inbox", "sqlite", f"{label}: GET /api/v1/tasks?scope=mine p50 / p95",
            f"{ms(pct(api, 50))} / {ms(pct(api, 95))}")
        row("inbox", "sqlite", f"{label}: GET /tugas p50 / p95", f"{ms(pct(page, 50))} / {ms(pct(page, 95))}")
        results[size] = (pct(api, 50), pct(page, 50))
        env.sql.clear()
        env.watch = True
        page_client.get("/tugas")
        env.watch = False
        slowest = sorted(env.sql, key=lambda s: -s[1])[:3]
        row("inbox", "sqlite", f"{label}: GET /tugas SQL statements / their time",
            f"{len(env.sql)} / {ms(sum(t for _, t in env.sql))}")
        if size == sizes[-1]:
            NOTES.append(f"Slowest SQL statements of one GET /tugas with {total} instances:\n\n"
                         + "\n".join(f"- {ms(t)}: `{q[:300]}`" for q, t in slowest))
    small, large = results[sizes[0]], results[sizes[-1]]
    ratios["api"], ratios["page"] = large[0] / small[0], large[1] / small[1]
    row("inbox", "sqlite", f"ratio p50 {sizes[-1] // 1000}k / {sizes[0] // 1000}k: API / page",
        f"{ratios['api']:.2f} / {ratios['page']:.2f}")

    # The portal: publications of copied completed instances, added up to each size.
    anonymous = env.app.test_client()
    portal = {}
    for pubs in pub_sizes:
        copier.copy_publications(done_ids, pubs)
        count = env.scalar("SELECT count(*) FROM publication")
        matching = env.scalar("SELECT count(*) FROM publication p JOIN dataset d ON d.id = p.dataset_id "
                              "WHERE lower(p.title) LIKE '%penduduk%' OR lower(d.title) LIKE '%penduduk%'")
        home = timed_gets(anonymous, "/", repeat)
        search = timed_gets(anonymous, "/?q=penduduk", repeat)
        row("portal", "sqlite", f"{count} publications: GET / p50 / p95", f"{ms(pct(home, 50))} / {ms(pct(home, 95))}")
        row("portal", "sqlite", f"{count} publications ({matching} match): GET /?q=penduduk p50 / p95",
            f"{ms(pct(search, 50))} / {ms(pct(search, 95))}")
        portal[pubs] = (pct(home, 95), pct(search, 95))
    return ratios, portal


# The machine ----------------------------------------------------------------------------------

def machine(postgres_version: str | None) -> list[tuple[str, str]]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        # The results file itself does not count: an earlier run rewrote it.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":!bench/RESULTS.md"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except OSError:
        commit = "?"
    if postgres_version is None:
        psql = shutil.which("psql")
        postgres_version = (subprocess.run([psql, "--version"], capture_output=True, text=True).stdout.strip()
                            + " (client; not benchmarked: no --postgres)") if psql else "not used"
    from importlib.metadata import version
    return [
        ("CPU", cpu), ("cores", str(os.cpu_count())), ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()), ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version),
        ("SpiffWorkflow", version("SpiffWorkflow")), ("SQLAlchemy", version("SQLAlchemy")),
        ("git commit", commit),
    ]


# PostgreSQL scratch database -------------------------------------------------------------------

def create_pg(server_url: str) -> tuple[str, str]:
    name = f"h_bench_{secrets.token_hex(4)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return url, version


def drop_pg(server_url: str, url: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    engine.dispose()


# Main -------------------------------------------------------------------------------------------

def profile_completions(env: Env, top: int = 30) -> str:
    dataset_id = env.dataset()
    run = Run(env, dataset_id, title="Profil")
    run.tentukan(False)
    run.ambil(False)
    for _ in range(5):
        run.loop(False)
    profiler = cProfile.Profile()
    for _ in range(5):  # 15 completions; the design uploads are outside the profile
        for step in (run.desain, run.caption, run.revisi):
            if step is run.desain:
                run.n += 1
                file_id = env.design(run.n)
                profiler.enable()
                run.complete(env.desain, "desain", {"desain": file_id}, timed=False)
            else:
                profiler.enable()
                step(timed=False)
            profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"/work/main/app/", top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue().replace(str(ROOT / ".venv") + "/lib/", "")


PARTS = ("lifecycle", "history", "inbox")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs (about 3 minutes)")
    parser.add_argument("--big", action="store_true", help="inbox up to 100k instances, portal 10k publications")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL: also run the lifecycle there")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of 15 completions (5 revision loops)")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only these parts (repeatable); the goals of the others are not judged")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the app's request logs would drown the table

    runs = 10 if args.quick else 50
    history_instances = 8 if args.quick else 20
    inbox_sizes = [1000, 10000] + ([100000] if args.big else [])
    pub_sizes = [2000] + ([10000] if args.big else [])
    repeat = 100 if args.quick else 200
    templates = 8 if args.quick else 16

    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    pg_url = pg_version = None
    began = clock()
    goals = {}
    try:
        engine = BareEngine()
        parts = set(args.only or PARTS)
        print("figures:", flush=True)
        if "lifecycle" in parts:
            env = Env(sqlite_url(folder, "lifecycle"), folder / "lifecycle")
            goals["lifecycle"] = lifecycle(env, "sqlite", runs, engine)
            env.close()
            if args.postgres:
                pg_url, pg_version = create_pg(args.postgres)
                env = Env(pg_url, folder / "pg")
                goals["lifecycle_pg"] = lifecycle(env, "postgresql", runs, engine)
                env.close()
        if "history" in parts:
            env = Env(sqlite_url(folder, "history"), folder / "history")
            found = history(env, history_instances, engine)
            goals["history"] = found[20] / found[0]
            if args.profile:
                NOTES.append("cProfile of 15 completions (5 revision loops after 5 loops), SQLite:\n\n```\n"
                             + profile_completions(env) + "```")
                print(NOTES[-1])
            env.close()
        if "inbox" in parts:
            env = Env(sqlite_url(folder, "inbox"), folder / "inbox")
            ratios, portal = inbox_and_portal(env, inbox_sizes, pub_sizes, repeat, templates)
            goals["inbox"] = max(ratios.values())
            env.close()
    finally:
        if pg_url:
            drop_pg(args.postgres, pg_url)
        shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    row("memory", "-", "peak RSS of this process (ru_maxrss)", f"{peak:.0f} MiB")
    elapsed = clock() - began
    print(f"\ntotal time: {elapsed:.0f} s")

    checks = [("peak RSS < 200 MB", f"{peak:.0f} MiB", peak * 1024 * 1024 < 200e6)]
    if "lifecycle" in goals:
        checks.insert(0, ("lifecycle >= 0.5 of bare engine completions/s (SQLite)", f"{goals['lifecycle']:.3f}",
                          goals["lifecycle"] >= 0.5))
    if "inbox" in goals:
        checks.insert(-1, ("inbox ratio largest/smallest <= 1.3 (worse of API and page, p50)",
                           f"{goals['inbox']:.2f}", goals["inbox"] <= 1.3))
    if "history" in goals:
        checks.insert(-1, ("completion after 20 loops <= 2x after 0 (p50)", f"{goals['history']:.2f}",
                           goals["history"] <= 2))
    print("\ngoals:")
    for name, value, met in checks:
        print(f"  {'MET   ' if met else 'MISSED'} {name}: {value}")

    lines = ["# Benchmark results", "",
             f"`python bench/run.py {' '.join(sys.argv[1:])}` — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
             f"{elapsed:.0f} s.", "", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine(pg_version)]
    lines += ["", "## Figures", "", "| benchmark | database | measure | value |", "|---|---|---|---|"]
    lines += [f"| {b} | {d} | {m} | {v} |" for b, d, m, v in ROWS]
    lines += ["", "## Goals", "", "| goal | value | |", "|---|---|---|"]
    lines += [f"| {n} | {v} | {'met' if m else 'missed'} |" for n, v, m in checks]
    lines += ["", "## How", "",
              "- Latencies are wall-clock times of single in-process requests (Flask test client) or engine "
              "calls; p50/p95 are nearest-rank percentiles. Completions/s = completions / sum of their latencies "
              "(uploads of designs and instance starts are not counted in it).",
              "- lifecycle: each run is start, tentukan_data, ambil_data, desain, caption, periksa (revisi), desain, "
              "caption, periksa (disetujui), publikasi; a completion's response carries the whole instance with "
              "its history, as the API gives it. The bare engine runs the same nine user tasks with the same "
              "data on the shipped BPMN (parsed once), loading the spec-less JSON state before and dumping it "
              "after every step, with SpiffWorkflow's default script engine for the two gateway conditions.",
              "- The request cycle alone is a POST of the same JSON bodies to a route of the same app that "
              "reads the body and answers JSON, with no database and no engine; the ceiling of the ratio is "
              "engine time / (engine time + that cycle): what a completion doing no database work at all "
              "would reach; with the database too, the driver time of a completion is added (its commit "
              "still left out, so the true ceiling is lower). Time in the database driver is the sum of "
              "cursor executions of a completion "
              "(the commit not counted).",
              "- Each app of the bench freezes its heap once built (gc.freeze), as create_app does in "
              "production mode.",
              "- history: per level, instances driven to 0, 5 or 20 loops (desain, caption, periksa revisi) "
              "untimed, then one timed loop (3 completions) each.",
              "- inbox: templates are real instances made through the API (completed ones, and four open at "
              "desain, caption, periksa and publikasi); copies are made with INSERT ... SELECT of instance, "
              "human_task and audit_event (and publication) with shifted ids. 200 open instances at every size, "
              "the rest completed. Requests as desain1 (scope mine).",
              "- portal: publications are copies of those of the real completed templates, attached to copied "
              "instances, added up to each size; a quarter of them (title or dataset) match 'penduduk'. "
              "Anonymous requests.",
              ]
    if NOTES:
        lines += ["", "## Notes", ""] + NOTES
    Path(args.output).write_text("\n".join(lines) + "\n")
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

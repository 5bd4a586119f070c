"""The stress tests' stack: a database of their own on the TEST_DATABASE_URL server, the app's
command line and gunicorn as real processes over it (configured through APP_* variables, as in
production), API clients with their own tokens, and a race of clients over the open tasks.

What the database holds is read back through the app's models and the engine's own loading of
an instance's state, so that a check compares the engine with the read model as the app sees them.
"""
from __future__ import annotations

import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.core.models import AuditEvent
from app.engine import ready_tasks
from app.extensions import db
from app.workflow.models import Instance

from .database import TEST_DATABASE_URL, create_scratch_database, drop_scratch_database
from .samples import SAMPLE_CSV
from .servers import free_port

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "sandi-uji-beban-123"
PROCESS = "penyebarluasan_data"
FIRST_STEP, NEXT_STEP = "tentukan_data", "ambil_data"  # Redaktur's lane, then Tim Desain's
START_TIMEOUT = 120  # seconds for gunicorn to answer
REQUEST_TIMEOUT = 60
CLAIM_SHARE = 0.3  # how often a racing client claims before it completes
GIVE_UP_AFTER = 5  # failed requests of one racing client while the server should be up
ALLOWED = {"list": {200}, "claim": {200, 409}, "complete": {200, 409}}

requires_postgresql = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="PostgreSQL only: several server processes share one database server (set TEST_DATABASE_URL; .ci/run does)",
)



# Processes ---------------------------------------------------------------------------------------

class Server:
    """gunicorn in a session of its own, so that the whole process group can be killed at once."""

    def __init__(self, stack: Stack, workers: int):
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = stack.root / f"gunicorn-{self.port}.log"
        self.access_log = stack.root / f"gunicorn-{self.port}-access.log"
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                   "--access-logfile", str(self.access_log), "app:create_app()"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT, env=stack.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped (exit {self.process.returncode}):\n{self.log.read_text()[-4000:]}")
            try:
                if requests.get(self.url + "/api/v1/openapi.json", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log.read_text()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no shutdown, no cleanup."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def problems(self) -> list[str]:
        """Tracebacks and errors in gunicorn's log, and 5xx answers in its access log."""
        found = [line for line in self.log.read_text(errors="replace").splitlines()
                 if ("Traceback" in line or "[ERROR]" in line or "[CRITICAL]" in line)
                 and not line.endswith("was sent SIGTERM!")]  # gunicorn 23 on its own orderly stop
        if self.access_log.exists():
            found += [line for line in self.access_log.read_text(errors="replace").splitlines()
                      if re.search(r'" 5\d\d ', line)]
        return found


class Stack:
    """A fresh database on the PostgreSQL server, migrated and deployed by the app's CLI."""

    def __init__(self, root: Path):
        self.root = root
        self.url = create_scratch_database("h_stress")
        self.env = {
            **os.environ, "APP_DATABASE_URL": self.url, "APP_SECRET_KEY": secrets.token_hex(32),
            "APP_INSTANCE_PATH": str(root / "instance"), "APP_UPLOAD_DIR": str(root / "uploads"),
            # Quick password hashes and no pause after a failed sign-in: the load is the workflow's.
            "APP_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "APP_LOGIN_DELAY_SECONDS": "0",
        }
        self.servers: list[Server] = []
        self._app = None

    def flask(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT, env=self.env,
                                input=input, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            pytest.fail(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def prepare(self) -> None:
        self.flask("db", "upgrade")
        self.flask("deploy")

    def create_users(self, roles: dict[str, str]) -> None:
        """`flask user create NAME --role ROLE --password-stdin`, all at once."""
        running = {name: subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "user", "create", name, "--role", role, "--password-stdin"],
            cwd=PROJECT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True) for name, role in roles.items()}
        for name, process in running.items():
            output, _ = process.communicate(PASSWORD + "\n", timeout=300)
            assert process.returncode == 0, (name, output)

    def publications_waiting(self, workers: int, editors: int, instances: int):
        """Users, a server, a ready dataset and publications waiting at their first step:
        (server, editor names, dataset id)."""
        names = [f"redaktur{n}" for n in range(1, editors + 1)]
        self.create_users({"admin": "admin", **dict.fromkeys(names, "redaktur"), "desain1": "desain"})
        server = self.serve(workers)
        dataset_id = ready_dataset(Client(server.url, "admin"))
        start_publications([Client(server.url, name) for name in names], instances)
        return server, names, dataset_id

    def serve(self, workers: int) -> Server:
        server = Server(self, workers)
        self.servers.append(server)
        return server

    def audit_verify(self) -> str:
        return self.flask("audit", "verify").stdout

    def backends(self) -> int:
        """Connections to this database other than ours."""
        server = create_engine(TEST_DATABASE_URL)
        try:
            with server.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                                         "AND backend_type = 'client backend'"),
                                    {"name": make_url(self.url).database}).scalar_one()
        finally:
            server.dispose()

    @contextmanager
    def reading(self):
        """An app context over the database; its connections are closed afterwards."""
        if self._app is None:
            self._app = create_app({"DATABASE_URL": self.url, "SECRET_KEY": "stress",
                                    "INSTANCE_PATH": str(self.root / "reader")})
        with self._app.app_context():
            try:
                yield
            finally:
                db.session.remove()
                db.engine.dispose()

    def instances(self) -> dict[int, InstanceView]:
        with self.reading():
            return read_instances()

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        drop_scratch_database(self.url)


# What the database holds ---------------------------------------------------------------------------

@dataclass
class InstanceView:
    id: int
    state: str
    row_version: int
    data: dict
    engine_ready: dict[str, str]  # task id -> step, as the deserialized engine state has them
    open_tasks: dict[str, str]  # task id -> step, human_task rows not completed
    done_tasks: dict[str, str]
    completions: Counter = field(default_factory=Counter)  # task id -> task.complete audit events


def read_instances() -> dict[int, InstanceView]:
    """Every instance as the app stores it (inside an app context)."""
    completions: dict[int, Counter] = {}
    for instance_id, task_id in db.session.execute(
            select(AuditEvent.instance_id, AuditEvent.task_id).where(AuditEvent.action == "task.complete")):
        completions.setdefault(instance_id, Counter())[task_id] += 1
    views = {}
    for instance in db.session.scalars(select(Instance).order_by(Instance.id)):
        version = instance.process_version
        # Loaded as the app loads it before every action: the stored state onto the version's spec.
        ready = {t.id: t.bpmn_id for t in ready_tasks(version.process_id, version.sha256, version.bpmn_xml,
                                                        instance.engine_state)}
        views[instance.id] = InstanceView(
            id=instance.id, state=instance.state, row_version=instance.row_version, data=dict(instance.data),
            engine_ready=ready,
            open_tasks={t.id: t.bpmn_id for t in instance.tasks if t.completed_at is None},
            done_tasks={t.id: t.bpmn_id for t in instance.tasks if t.completed_at is not None},
            completions=completions.get(instance.id, Counter()),
        )
    return views


def inconsistencies(views: dict[int, InstanceView], before: dict[int, InstanceView]) -> list[str]:
    """What does not add up in an instance: the engine's ready tasks against the open task rows,
    the completed rows against their audit events, and row_version against the steps taken."""
    found = []
    for view in views.values():
        if view.engine_ready != view.open_tasks:
            found.append(f"#{view.id}: engine ready {view.engine_ready} != open rows {view.open_tasks}")
        if view.completions != Counter(view.done_tasks.keys()):
            found.append(f"#{view.id}: task.complete events {dict(view.completions)} != completed rows "
                         f"{view.done_tasks}")
        earlier = before.get(view.id)
        if earlier is not None:
            steps = len(view.done_tasks) - len(earlier.done_tasks)
            if view.row_version - earlier.row_version != steps:
                found.append(f"#{view.id}: row_version {earlier.row_version} -> {view.row_version} "
                             f"after {steps} steps")
        if (NEXT_STEP in view.open_tasks.values()) != ("dataset_id" in view.data):
            found.append(f"#{view.id}: data {view.data} does not match the steps {view.open_tasks}")
    return found


# Clients --------------------------------------------------------------------------------------------

class Client:
    """One caller of /api/v1 with a requests session and a bearer token of its own."""

    def __init__(self, base_url: str, username: str):
        self.username = username
        self.base = base_url + "/api/v1"
        self.session = requests.Session()
        response = self.session.post(self.base + "/auth/token", json={"username": username, "password": PASSWORD},
                                     timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, response.text
        self.session.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.base + path, timeout=REQUEST_TIMEOUT, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.session.post(self.base + path, timeout=REQUEST_TIMEOUT, **kw)

    def ok(self, path: str, status: int = 200, **kw) -> dict:
        response = self.post(path, **kw)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()


def ready_dataset(admin: Client) -> int:
    """A dataset offered in tentukan_data: uploaded, handed in and approved by an admin."""
    created = admin.ok("/datasets", 201, files={"file": ("penduduk.csv", SAMPLE_CSV, "text/csv")},
                       data={"title": "Jumlah Penduduk per Kecamatan", "opd": "dispendukcapil", "period": "2025"})
    admin.ok(f"/datasets/{created['id']}/submit")
    return admin.ok(f"/datasets/{created['id']}/approve")["id"]


def start_publications(editors: list[Client], count: int, release_every: int | None = 2) -> list[int]:
    """count publications started by the editors in turn, each editor in a thread of its own. The
    first task stays with its starter; every release_every-th is released to the whole lane."""
    def start_share(first: int) -> list[int]:
        editor, ids = editors[first], []
        for n in range(first, count, len(editors)):
            body = editor.ok("/instances", 201, json={"process": PROCESS, "title": f"Publikasi uji beban {n}"})
            if release_every and n % release_every == 0:
                editor.ok(f"/tasks/{body['tasks'][0]['id']}/release")
            ids.append(body["id"])
        return ids

    with ThreadPoolExecutor(len(editors)) as pool:
        return sorted(i for share in pool.map(start_share, range(len(editors))) for i in share)


class Race:
    """Clients, each in a thread, take the open FIRST_STEP tasks of their lane until none is left:
    list the lane, pick one at random, sometimes claim it first, then complete it."""

    def __init__(self, clients: list[Client], dataset_id: int, seed: int = 8):
        self.clients, self.dataset_id, self.seed = clients, dataset_id, seed
        self.lock = threading.Condition()
        self.statuses: Counter = Counter()  # (call, status)
        self.completed: Counter = Counter()  # task id -> answers 200 to complete
        self.errors: list[str] = []  # no answer while the server was meant to be up
        self.cut: Counter = Counter()  # call -> no answer after the server was killed
        self.killed = threading.Event()
        self.threads: list[threading.Thread] = []
        self.started = self.finished = 0.0

    def start(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._run, args=(client, random.Random(self.seed + n), deadline),
                                         name=f"race-{n}") for n, client in enumerate(self.clients)]
        for thread in self.threads:
            thread.start()

    def join(self) -> dict:
        for thread in self.threads:
            thread.join()
        self.finished = time.monotonic()
        return self.figures()

    def run(self, timeout: float) -> dict:
        self.start(timeout)
        return self.join()

    def wait_for_completions(self, count: int, timeout: float) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: sum(self.completed.values()) >= count, timeout)

    def _note(self, call: str, response: requests.Response, task_id: str | None = None) -> None:
        with self.lock:
            self.statuses[(call, response.status_code)] += 1
            if call == "complete" and response.status_code == 200:
                self.completed[task_id] += 1
                self.lock.notify_all()

    def _run(self, client: Client, rng: random.Random, deadline: float) -> None:
        call, failures = "list", 0
        while time.monotonic() < deadline and failures < GIVE_UP_AFTER:
            try:
                call = "list"
                listing = client.get("/tasks", params={"scope": "lane", "per_page": 100})
                self._note(call, listing)
                if listing.status_code != 200:
                    continue
                waiting = [t["id"] for t in listing.json()["items"] if t["bpmn_id"] == FIRST_STEP]
                if not waiting:
                    return
                task_id = rng.choice(waiting)
                if rng.random() < CLAIM_SHARE:
                    call = "claim"
                    self._note(call, client.post(f"/tasks/{task_id}/claim"))
                call = "complete"
                self._note(call, client.post(f"/tasks/{task_id}/complete",
                                             json={"data": {"dataset_id": self.dataset_id}}), task_id)
            except requests.RequestException as exc:
                with self.lock:
                    if self.killed.is_set():
                        self.cut[call] += 1
                        return
                    self.errors.append(f"{call} by {client.username}: {type(exc).__name__}: {exc}")
                failures += 1
        with self.lock:
            self.errors.append(f"{client.username} stopped with tasks left")

    def unexpected(self) -> Counter:
        """Answers other than those allowed per call (a 500, a 403, a 422 ...)."""
        return Counter({key: n for key, n in self.statuses.items() if key[1] not in ALLOWED[key[0]]})

    def figures(self) -> dict:
        duration = round(self.finished - self.started, 2)
        requests_ = sum(self.statuses.values()) + len(self.errors) + sum(self.cut.values())
        return {
            "clients": len(self.clients), "requests": requests_, "duration_s": duration,
            "requests_per_s": round(requests_ / duration, 1) if duration else None,
            "completions_200": self.statuses[("complete", 200)], "completions_409": self.statuses[("complete", 409)],
            "claims_200": self.statuses[("claim", 200)], "claims_409": self.statuses[("claim", 409)],
            "lists_200": self.statuses[("list", 200)],
            "unexpected": {f"{call} {status}": n for (call, status), n in self.unexpected().items()},
            "errors": len(self.errors), "cut_by_kill": dict(self.cut),
        }


def _races(name: str, figures: dict):
    """(label, figures of one race) found in figures, nested one level at most."""
    if "requests" in figures:
        yield name, figures
    for key, value in figures.items():
        for n, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, dict) and "requests" in item:
                yield f"{name} {key}" + (f"[{n}]" if isinstance(value, list) else ""), item


def summary(name: str, figures: dict) -> str:
    """One line per race: clients, requests, duration and the answers."""
    lines = [f"{label}: {race['clients']} clients, {race['requests']} requests in {race['duration_s']} s "
             f"({race['requests_per_s']}/s); complete 200: {race['completions_200']}, 409: {race['completions_409']}; "
             f"other statuses: {sum(race['unexpected'].values())}, errors: {race['errors']}, "
             f"cut by kill: {sum(race['cut_by_kill'].values())}" for label, race in _races(name, figures)]
    return "\n".join(lines) or f"{name}: " + json.dumps(figures, sort_keys=True)


def publish_figures(name: str, figures: dict, tmp_path: Path) -> None:
    """Print the figures (pytest -s shows them) and their summary, and keep both (NAME.json,
    NAME.txt) under the test's tmp dir, and in STRESS_FIGURES_DIR when set (bench/stress.py)."""
    full, short = json.dumps(figures, indent=2, sort_keys=True), summary(name, figures)
    for folder in filter(None, [tmp_path, os.environ.get("STRESS_FIGURES_DIR")]):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.json").write_text(full + "\n")
        (Path(folder) / f"{name}.txt").write_text(short + "\n")
    print(f"\n{name}: {full}\n{short}")

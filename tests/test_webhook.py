"""The publication webhook: a signed JSON POST after the publish commits, never before or instead."""
from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from support.sop import Team, complete, ready_task, start, upload_design

from app.core.errors import Conflict
from app.publishing import publications, webhook
from app.workflow import hooks

SECRET = "rahasia-webhook-uji"


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""

    def __init__(self):
        self.received: queue.Queue = queue.Queue()
        self.status = 204
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay)
                receiver.received.put((self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kabar"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(self, timeout=5.0):
        return self.received.get(timeout=timeout)

    def assert_nothing(self, wait=0.5):
        with pytest.raises(queue.Empty):
            self.received.get(timeout=wait)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def team_on(app, make_user):
    """The publishing team, calling the API of ``app`` (a differently configured app, same database)."""
    team = Team(make_user)
    client = app.test_client()
    for api in (team.admin, team.redaktur, team.desain):
        api.client = client
    return team


def test_publication_sends_a_signed_notice_after_commit(app_factory, make_user, anonymous, receiver):
    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    team.publish("Penduduk <2025> & ‘kutip’", "Caption dengan ü dan \"kutip\".", tagar=["DataMagetan"])
    path, headers, body = receiver.get()
    assert path == "/kabar"
    assert headers["Content-Type"] == "application/json"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Signature"], expected)
    notice = json.loads(body)
    assert notice["event"] == "publication.published"
    assert notice["publication"] == anonymous.get("/publications").get_json()["items"][0]
    assert notice["publication"]["title"] == "Penduduk <2025> & ‘kutip’"
    receiver.assert_nothing()  # exactly one notice


@pytest.mark.slow
def test_the_user_does_not_wait_for_the_receiver(app_factory, make_user, receiver):
    receiver.delay = 3.0
    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    started = time.monotonic()
    team.publish("Lambat", "Penerima lambat.")
    assert time.monotonic() - started < 2.5
    assert json.loads(receiver.get(timeout=10)[2])["publication"]["title"] == "Lambat"


def _failing_after_publish(monkeypatch, exc):
    """Make the publish effect succeed, then fail the action afterwards (so it rolls back)."""
    def publish_then_fail(instance, user, now):
        publications.publish(instance, user, now)
        raise exc

    monkeypatch.setitem(hooks._effects, "publish", publish_then_fail)


def _finish_until_publikasi(team, title):

    dataset = team.dataset()
    instance = start(team.redaktur, title)
    complete(team.redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset["id"]})
    complete(team.desain, instance["id"], "ambil_data", {"data_terpilih": "semua"})
    complete(team.desain, instance["id"], "desain", {"desain": upload_design(team.desain)})
    complete(team.desain, instance["id"], "caption", {"caption": "Caption."})
    complete(team.redaktur, instance["id"], "periksa", {"keputusan": "disetujui"})
    return instance


@pytest.mark.slow
def test_nothing_is_sent_for_a_rolled_back_publish(app_factory, make_user, anonymous, receiver, monkeypatch):

    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    instance = _finish_until_publikasi(team, "Gagal dulu")
    _failing_after_publish(monkeypatch, Conflict("Gagal setelah terbit."))
    task = ready_task(team.desain, instance["id"], "publikasi")
    refused = team.desain.post(f"/tasks/{task['id']}/complete", json={"data": {"kanal": ["website"]}})
    assert refused.status_code == 409
    receiver.assert_nothing()
    assert anonymous.get("/publications").get_json()["items"] == []

    # An unexpected error (a 500) rolls back too.
    _failing_after_publish(monkeypatch, RuntimeError("rusak"))
    with pytest.raises(RuntimeError):  # TESTING propagates it; the app context's teardown rolls back
        team.desain.post(f"/tasks/{task['id']}/complete", json={"data": {"kanal": ["website"]}})
    receiver.assert_nothing()

    # The same task, completed for real: one notice, for the publication that exists.
    monkeypatch.undo()
    complete(team.desain, instance["id"], "publikasi", {"kanal": ["website"]})
    notice = json.loads(receiver.get()[2])
    assert notice["publication"]["id"] == anonymous.get("/publications").get_json()["items"][0]["id"]
    receiver.assert_nothing()


def test_nothing_is_sent_without_a_webhook_url(client, make_user, receiver, monkeypatch):
    spawned = []
    monkeypatch.setattr(webhook, "_spawn", spawned.append)
    Team(make_user).publish("Tanpa webhook", "Caption.")
    assert spawned == []
    receiver.assert_nothing(wait=0.2)


def test_only_http_urls_are_called(app_factory, make_user, monkeypatch, caplog):
    spawned = []
    monkeypatch.setattr(webhook, "_spawn", spawned.append)
    hooked = app_factory(WEBHOOK_URL="file:///etc/passwd", WEBHOOK_SECRET=SECRET)
    team_on(hooked, make_user).publish("Skema salah", "Caption.")
    assert spawned == []
    assert "http://" in caplog.text


def test_failures_are_logged_not_raised(app, receiver, caplog):
    receiver.status = 500
    logger = app.logger
    body = b'{"event":"publication.published"}'
    assert webhook.deliver(webhook.Notice(receiver.url + "?token=rahasia-di-url", SECRET, body, logger, 7)) is False
    assert "500" in caplog.text and "publikasi 7" in caplog.text
    assert "rahasia-di-url" not in caplog.text  # a token in the URL stays out of the log
    receiver.close()  # nobody listens any more
    caplog.clear()
    assert webhook.deliver(webhook.Notice(receiver.url, SECRET, body, logger)) is False
    assert "gagal dikirim" in caplog.text
    receiver.server = _Closed()


class _Closed:
    def shutdown(self):
        pass

    def server_close(self):
        pass


def test_a_rollback_in_a_reused_session_forgets_the_notice(app_factory, make_user, monkeypatch):
    """The same session object lives on after a rollback (a CLI, a script): its next commit
    must not send the notice of the publication that was rolled back."""
    from app.core.models import User, utcnow
    from app.extensions import db
    from app.workflow.models import Instance

    hooked = app_factory(WEBHOOK_URL="http://127.0.0.1:9/", WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    instance_id = _finish_until_publikasi(team, "Di dalam skrip")["id"]
    spawned = []
    monkeypatch.setattr(webhook, "_spawn", spawned.append)
    with hooked.test_request_context():
        instance = db.session.get(Instance, instance_id)
        user = db.session.scalar(db.select(User).where(User.username == "desain1"))
        instance.data = {**instance.data, "kanal": ["website"]}
        publications.publish(instance, user, utcnow())
        db.session.rollback()
        db.session.commit()
        assert spawned == []
        instance = db.session.get(Instance, instance_id)
        user = db.session.scalar(db.select(User).where(User.username == "desain1"))
        publication = publications.publish(instance, user, utcnow())
        assert spawned == []  # not before the commit
        db.session.commit()
        assert len(spawned) == 1
        assert json.loads(spawned[0].body)["publication"]["id"] == publication.id
        db.session.commit()
        assert len(spawned) == 1

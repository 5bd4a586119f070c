"""The publication webhook: a signed JSON POST through the outbox, written with the publication and
delivered by the worker after the publish commits, never before or instead; tried again with a
growing pause while the receiver fails, and kept across a restart."""
from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from support.sop import Team, complete, ready_task, start, upload_design

from app import worker
from app.core import outbox
from app.core.errors import Conflict
from app.core.models import OutboxMessage, utcnow
from app.extensions import db
from app.publishing import publications
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


def messages(app):
    """The webhook's messages in the outbox: (reference, attempts, delivered, failed, last error)."""
    with app.app_context():
        return [(m.reference, m.attempts, m.delivered_at is not None, m.failed_at is not None, m.last_error)
                for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.channel == outbox.WEBHOOK)
                                            .order_by(OutboxMessage.id))]


def test_publication_sends_a_signed_notice_through_the_outbox(app_factory, make_user, anonymous, receiver):
    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    team.publish("Penduduk <2025> & ‘kutip’", "Caption dengan ü dan \"kutip\".", tagar=["DataMagetan"])
    receiver.assert_nothing(wait=0.2)  # nothing leaves in the request: the worker delivers it
    [(reference, attempts, delivered, _, _)] = messages(hooked)
    assert (attempts, delivered) == (0, False)

    assert worker.run_once(hooked)["webhooks_sent"] == 1
    path, headers, body = receiver.get()
    assert path == "/kabar"
    assert headers["Content-Type"] == "application/json"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Signature"], expected)
    notice = json.loads(body)
    assert notice["event"] == "publication.published"
    assert notice["publication"] == anonymous.get("/publications").get_json()["items"][0]
    assert notice["publication"]["title"] == "Penduduk <2025> & ‘kutip’"
    assert reference == f"publication:{notice['publication']['id']}"
    with hooked.app_context():
        message_id = db.session.scalar(db.select(OutboxMessage.id))
    assert headers["X-Delivery-Id"] == str(message_id)  # how a receiver recognises a repeat

    assert worker.run_once(hooked)["webhooks_sent"] == 0  # delivered once
    receiver.assert_nothing()
    assert messages(hooked)[0][1:4] == (1, True, False)


@pytest.mark.slow
def test_the_user_does_not_wait_for_the_receiver(app_factory, make_user, receiver):
    receiver.delay = 3.0
    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team = team_on(hooked, make_user)
    started = time.monotonic()
    team.publish("Lambat", "Penerima lambat.")
    assert time.monotonic() - started < 2.5
    worker.run_once(hooked)
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
    assert messages(hooked) == [] and anonymous.get("/publications").get_json()["items"] == []

    # An unexpected error (a 500) rolls back too.
    _failing_after_publish(monkeypatch, RuntimeError("rusak"))
    with pytest.raises(RuntimeError):  # TESTING propagates it; the app context's teardown rolls back
        team.desain.post(f"/tasks/{task['id']}/complete", json={"data": {"kanal": ["website"]}})
    assert messages(hooked) == []
    worker.run_once(hooked)
    receiver.assert_nothing(wait=0.2)

    # The same task, completed for real: one notice, for the publication that exists.
    monkeypatch.undo()
    complete(team.desain, instance["id"], "publikasi", {"kanal": ["website"]})
    worker.run_once(hooked)
    notice = json.loads(receiver.get()[2])
    assert notice["publication"]["id"] == anonymous.get("/publications").get_json()["items"][0]["id"]
    receiver.assert_nothing()


def test_nothing_is_queued_without_a_webhook_url(app, make_user):
    Team(make_user).publish("Tanpa webhook", "Caption.")
    assert messages(app) == []


def test_only_http_urls_are_called(app_factory, make_user, caplog):
    hooked = app_factory(WEBHOOK_URL="file:///etc/passwd", WEBHOOK_SECRET=SECRET)
    team_on(hooked, make_user).publish("Skema salah", "Caption.")
    assert messages(hooked) == []
    assert "http://" in caplog.text


def test_a_failing_receiver_is_tried_again_after_a_growing_pause_then_given_up(app_factory, make_user, receiver,
                                                                                caplog):
    hooked = app_factory(WEBHOOK_URL=receiver.url + "?token=rahasia-di-url", WEBHOOK_SECRET=SECRET)
    team_on(hooked, make_user).publish("Penerima rusak", "Caption.")
    receiver.status = 500
    start = utcnow()
    assert worker.run_once(hooked, start)["webhook_errors"] == 1
    receiver.get()
    [(_, attempts, delivered, failed, error)] = messages(hooked)
    assert (attempts, delivered, failed) == (1, False, False) and "500" in error
    assert "rahasia-di-url" not in caplog.text and "rahasia-di-url" not in error  # tokens stay out of logs
    assert worker.run_once(hooked, start + timedelta(seconds=59))["webhook_errors"] == 0  # not yet due
    receiver.assert_nothing(wait=0.1)

    # The pauses double: 1, 2, 4 … minutes, until the last attempt is given up.
    moment = start
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        moment += outbox.pause_after(attempt - 1)
        assert worker.run_once(hooked, moment)["webhook_errors"] == 1, attempt
        receiver.get()
    [(_, attempts, delivered, failed, _)] = messages(hooked)
    assert (attempts, delivered, failed) == (outbox.MAX_ATTEMPTS, False, True)
    assert worker.run_once(hooked, moment + timedelta(days=1))["webhook_errors"] == 0
    receiver.assert_nothing(wait=0.1)


def test_a_message_waits_out_a_restart_and_a_receiver_that_was_down(app_factory, make_user, receiver):
    hooked = app_factory(WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    team_on(hooked, make_user).publish("Setelah mulai ulang", "Caption.")
    url = receiver.url
    receiver.close()  # the receiver is down
    start = utcnow()
    assert worker.run_once(hooked, start)["webhook_errors"] == 1

    # The application and its worker start again (a new app on the same database); the receiver
    # is back: the message that waited in the database is delivered once.
    receiver.__init__()
    restarted = app_factory(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET)
    with restarted.app_context():  # the receiver is back on another port; the message keeps its address
        db.session.execute(db.update(OutboxMessage).values(target=receiver.url))
        db.session.commit()
    assert worker.run_once(restarted, start + outbox.pause_after(1))["webhooks_sent"] == 1
    assert json.loads(receiver.get()[2])["publication"]["title"] == "Setelah mulai ulang"
    assert worker.run_once(restarted, start + timedelta(hours=1))["webhooks_sent"] == 0

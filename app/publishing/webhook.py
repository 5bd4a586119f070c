"""The publication webhook: a signed JSON notice of every publication, for the regency's website.

Optional: nothing happens while the setting WEBHOOK_URL is empty. The body is
``{"event": "publication.published", "publication": {...}}`` (the publication as the API shows
it), POSTed with ``Content-Type: application/json`` and ``X-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body keyed with WEBHOOK_SECRET. A receiver checks it with
``hmac.compare_digest``. Delivery is best effort: one attempt, a 5 s timeout, failures logged.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

from . import shapes

EVENT = "publication.published"
TIMEOUT_SECONDS = 5
USER_AGENT = "penyebarluasan-data-webhook/1"
_PENDING = "webhook.pending"  # keys in Session.info
_HOOKED = "webhook.hooked"


@dataclass(frozen=True)
class Notice:
    """Everything a delivery needs, built in the request: the thread touches no app or session."""

    url: str
    secret: str
    body: bytes
    logger: logging.Logger
    publication_id: int | None = None


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def notify_after_commit(publication) -> None:
    """Queue the notice of a publication just flushed; it leaves only once the transaction commits."""
    config = current_app.config
    url = (config.get("WEBHOOK_URL") or "").strip()
    if not url:
        return
    logger = current_app.logger
    if not url.lower().startswith(("http://", "https://")):
        logger.error("WEBHOOK_URL harus diawali http:// atau https://; pemberitahuan tidak dikirim.")
        return
    try:  # absolute URLs need a request (or SERVER_NAME); a publish from elsewhere stays silent
        body = body_of({"event": EVENT, "publication": shapes.publication(publication)})
    except RuntimeError:
        logger.exception("Pemberitahuan webhook publikasi %s tidak dapat disusun.", publication.id)
        return
    secret = config.get("WEBHOOK_SECRET") or ""
    if not secret:
        logger.warning("WEBHOOK_SECRET kosong: tanda tangan webhook tidak dapat dipercaya penerima.")
    session = db.session()
    # Why a queue in Session.info drained by session events, and not a send right here: the
    # publish runs inside the caller's one transaction, which may still fail and roll back after
    # us, and only the caller (a view) commits. The session's own "after_commit" is the one
    # moment the publication is certainly visible; "after_transaction_end" of the outermost
    # transaction drops whatever a rollback or close left queued. Listeners sit on this session
    # object only, so nothing is registered at import time or per app, and nothing leaks.
    if not session.info.get(_HOOKED):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
        session.info[_HOOKED] = True
    session.info.setdefault(_PENDING, []).append(Notice(url, secret, body, logger, publication.id))


def _after_commit(session: Session) -> None:
    for notice in session.info.pop(_PENDING, []):
        _spawn(notice)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _spawn(notice: Notice) -> None:
    """Deliver in the background: the user does not wait for the receiver."""
    threading.Thread(target=deliver, args=(notice,), name="webhook", daemon=True).start()


def _where(url: str) -> str:
    """The receiver for logs: scheme, host and path, without credentials or a query (tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}{parts.path}"


def deliver(notice: Notice) -> bool:
    """POST one notice; log, never raise. True when the receiver answered 2xx."""
    request = urllib.request.Request(notice.url, data=notice.body, method="POST", headers={
        "Content-Type": "application/json",
        "X-Signature": signature(notice.body, notice.secret),
        "User-Agent": USER_AGENT,
    })
    where = _where(notice.url)
    what = f"publikasi {notice.publication_id}" if notice.publication_id is not None else "pemberitahuan"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            status = response.status
    except urllib.error.HTTPError as exc:
        notice.logger.error("Webhook %s menjawab %s untuk %s.", where, exc.code, what)
        return False
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        notice.logger.error("Webhook %s gagal dikirim (%s): %s.", where, what, getattr(exc, "reason", exc))
        return False
    except Exception:  # anything else: logged with its trace, never raised
        notice.logger.exception("Webhook %s gagal dikirim (%s).", where, what)
        return False
    if not 200 <= status < 300:
        notice.logger.error("Webhook %s menjawab %s untuk %s.", where, status, what)
        return False
    notice.logger.info("Webhook %s menerima %s.", where, what)
    return True

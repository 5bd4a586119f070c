"""The outbox: messages to other systems (e-mail, the publication webhook), written in the
transaction of the action they tell of and delivered by the background worker.

A message leaves only when that transaction commits, and survives a restart: it is a row. A
worker claims it for LEASE (a conditional UPDATE, so two workers never deliver it at once),
delivers it, and marks it delivered; a failed attempt is tried again after a pause that doubles
each time (BACKOFF, up to BACKOFF_CAP), until MAX_ATTEMPTS, then it is given up with its last
error. A worker killed between delivering and marking delivers the message again once its claim
has run out, so a receiver may see it twice: each delivery carries the message's id (the
webhook's X-Delivery-Id header, the e-mail's Message-ID) to recognise it by.
"""
from __future__ import annotations

import hashlib
import hmac
import smtplib
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update

from app.extensions import db

from . import mail
from .models import OutboxMessage, utcnow

EMAIL, WEBHOOK = "email", "webhook"
LEASE = timedelta(minutes=5)
BACKOFF, BACKOFF_CAP = timedelta(minutes=1), timedelta(hours=6)
MAX_ATTEMPTS = 8
BATCH = 100
WEBHOOK_TIMEOUT_SECONDS = 5
USER_AGENT = "penyebarluasan-data-webhook/1"


def enqueue(channel: str, target: str, body: str, *, subject: str = "", reference: str = "",
            now: datetime | None = None) -> OutboxMessage:
    """Put a message in the outbox, in the caller's transaction; ``reference`` names what it
    tells of ("notification:12")."""
    now = now or utcnow()
    message = OutboxMessage(channel=channel, target=target[:500], subject=subject[:300], body=body,
                            reference=reference[:64], created_at=now, due_at=now, attempts=0)
    db.session.add(message)
    return message


def pause_after(attempts: int) -> timedelta:
    """How long to wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 … minutes."""
    return min(BACKOFF * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def signature(body: bytes, secret: str) -> str:
    """The webhook's X-Signature: HMAC-SHA256 of the raw body keyed with WEBHOOK_SECRET."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def where(url: str) -> str:
    """A receiver for logs: scheme, host and path, without credentials or a query (tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}{parts.path}"


class DeliveryFailed(Exception):
    """A delivery that did not reach its receiver; the message says why, for the outbox row."""


def _send_email(message, config: Mapping[str, Any]) -> None:
    if not mail.configured(config):
        raise DeliveryFailed("SMTP_HOST belum diatur")
    email = mail.build(config, message.target, message.subject, message.body)
    domain = str(config["MAIL_FROM"]).rpartition("@")[2].strip(" >") or "localhost"
    # The same id on every attempt, so that a message delivered twice is one message to its reader.
    email.replace_header("Message-ID", f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>")
    try:
        mail.send(config, email)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _post_webhook(message, config: Mapping[str, Any]) -> None:
    body = message.body.encode("utf-8")
    request = urllib.request.Request(message.target, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "X-Signature": signature(body, config.get("WEBHOOK_SECRET") or ""),
        "X-Delivery-Id": str(message.id),
        "User-Agent": USER_AGENT,
    })
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 (http[s] only)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"{where(message.target)} menjawab {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        raise DeliveryFailed(f"{where(message.target)} tidak terjangkau: {getattr(exc, 'reason', exc)}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{where(message.target)} menjawab {status}")


# Each sender takes a message as a row of outbox_message, and raises DeliveryFailed when it could not.
SENDERS: dict[str, Callable[[Any, Mapping[str, Any]], None]] = {EMAIL: _send_email, WEBHOOK: _post_webhook}


def _pending(now: datetime):
    return (OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.due_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def _claim(message_id: int, now: datetime) -> bool:
    """Take the message for this worker for LEASE; False when another worker has it."""
    taken = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, *_pending(now))
        .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()  # the claim holds before the message leaves
    return taken


def _settle(message, now: datetime, error: str | None, *, give_up: bool = False) -> str:
    """Record how the attempt went: delivered, tried again later, or given up."""
    if error is None:
        values, outcome = {"delivered_at": now, "claimed_until": None, "last_error": None}, "sent"
    elif give_up or message.attempts >= MAX_ATTEMPTS:
        values, outcome = {"failed_at": now, "claimed_until": None, "last_error": error[:1000]}, "failed"
    else:
        values = {"due_at": now + pause_after(message.attempts), "claimed_until": None, "last_error": error[:1000]}
        outcome = "retry"
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return outcome


def deliver_due(now: datetime, config: Mapping[str, Any], logger, *, channels: tuple[str, ...] = (EMAIL, WEBHOOK),
                max_age: Mapping[str, timedelta] | None = None) -> Counter:
    """One round: every due message of the channels, claimed, delivered and settled one by one.
    ``max_age`` per channel: an older message is given up instead of tried again (e.g. an e-mail
    about a notice that is stale by now). Counts by (channel, outcome) and claims lost."""
    counts: Counter = Counter()
    ids = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.channel.in_(channels), *_pending(now))
                                  .order_by(OutboxMessage.id).limit(BATCH)))
    db.session.rollback()  # end the read; each claim is a transaction of its own
    for message_id in ids:
        if not _claim(message_id, now):
            counts["claims_lost"] += 1
            continue
        message = db.session.execute(select(OutboxMessage.__table__).where(OutboxMessage.id == message_id)).one()
        db.session.rollback()  # end the read: SQLite would refuse the settling write on its snapshot
        oldest = (max_age or {}).get(message.channel)
        if oldest is not None and now - message.created_at > oldest:
            error = f"lebih tua dari {oldest}; tidak dikirim lagi"
            counts[(message.channel, _settle(message, now, error, give_up=True))] += 1
            continue
        counts[(message.channel, _settle(message, now, _attempt(message, config, logger)))] += 1
    return counts


def _attempt(message, config: Mapping[str, Any], logger) -> str | None:
    """Deliver the message once; None when it arrived, else why not (logged)."""
    try:
        SENDERS[message.channel](message, config)
    except DeliveryFailed as exc:
        logger.warning("outbox %s #%s gagal (percobaan %s): %s", message.channel, message.id, message.attempts, exc)
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - anything else: logged with its trace, tried again later
        logger.exception("outbox %s #%s gagal", message.channel, message.id)
        return f"{type(exc).__name__}: {exc}"
    return None

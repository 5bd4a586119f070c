"""E-mail through SMTP, as configured in the settings (SMTP_*, MAIL_FROM)."""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from .models import User


def configured(config: Mapping[str, Any]) -> bool:
    return bool(str(config.get("SMTP_HOST") or "").strip())


def mail_address(user: User) -> str | None:
    """Where a person's notices are e-mailed; None for in-app notices only."""
    address = (getattr(user, "email", None) or "").strip()
    return address or None


def build(config: Mapping[str, Any], to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    sender_domain = str(config["MAIL_FROM"]).rpartition("@")[2].strip(" >") or None
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message.set_content(body)
    return message


def send(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Deliver one message; raises OSError or smtplib.SMTPException when it cannot."""
    timeout = float(config["SMTP_TIMEOUT_SECONDS"])
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=timeout) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)

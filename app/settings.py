"""Settings: documented defaults, then instance/config.py, then APP_* environment variables,
then the mapping given to create_app (strongest)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; None means SQLite in instance/app.db.
    "DATABASE_URL": None,
    # Signs session cookies and CSRF tokens; generated into instance/secret_key when absent.
    "SECRET_KEY": None,
    # Where uploaded files are stored (content-addressed); None means instance/uploads.
    "UPLOAD_DIR": None,
    # Largest accepted upload, in megabytes; larger requests answer 413.
    "MAX_UPLOAD_MB": 20,
    # Largest accepted BPMN document, in kilobytes.
    "MAX_BPMN_KB": 1024,
    # werkzeug.security method for new password hashes.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Lifetime of an API bearer token, in hours.
    "TOKEN_TTL_HOURS": 12,
    # Shipped process models and their forms.
    "PROCESSES_DIR": str(PROJECT_ROOT / "processes"),
    "FORMS_DIR": str(PROJECT_ROOT / "forms"),
    # Rows of a dataset kept for previews.
    "DATASET_PREVIEW_ROWS": 20,
    # Kemendagri region codes: the idn-area-data CSV files (copied by `make install`) and the
    # regency whose kecamatan and desa the region columns of templates accept (35.20: Magetan).
    "REGION_DATA_DIR": str(PROJECT_ROOT / "app" / "reference" / "idn-area-data"),
    "REGION_REGENCY_CODE": "35.20",
    # Complaints from the public: at most this many per sender address per hour; a form sent
    # sooner than COMPLAINT_MIN_SECONDS after it was opened is taken for a robot.
    "COMPLAINT_MAX_PER_HOUR": 5,
    "COMPLAINT_MIN_SECONDS": 3,
    # The portal's name and its publisher, in feeds and in the open catalog (DCAT, CKAN).
    "SITE_NAME": "Satu Data Magetan",
    "PUBLISHER_NAME": "Dinas Komunikasi dan Informatika Kabupaten Magetan",
    "PER_PAGE": 20,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
    "PROXY_COUNT": 0,
    # Failed sign-ins allowed per username and per address within the window, then refused.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_MINUTES": 15,
    # Every failed sign-in waits before answering: this many seconds after the first failure
    # in the window, doubling with each further one, at most 2 seconds. 0 turns it off.
    "LOGIN_DELAY_SECONDS": 0.25,
    # Optional: a URL that receives a JSON notice of every publication, signed with
    # HMAC-SHA256 of WEBHOOK_SECRET in the X-Signature header.
    "WEBHOOK_URL": "",
    "WEBHOOK_SECRET": "",
    # E-mail of notices through SMTP; an empty SMTP_HOST sends none (in-app notices only).
    # SMTP_STARTTLS upgrades the connection before signing in; SMTP_USER and SMTP_PASSWORD
    # sign in when set; SMTP_TIMEOUT_SECONDS bounds every network wait. MAIL_FROM is the sender.
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT_SECONDS": 10,
    "MAIL_FROM": "Satu Data Magetan <noreply@localhost>",
    # The address where people open the app (e.g. https://data.magetankab.go.id), for links
    # in e-mails; empty leaves the links out.
    "PUBLIC_BASE_URL": "",
    # Notices older than this (hours) are not e-mailed any more, e.g. after SMTP is turned on.
    "MAIL_MAX_AGE_HOURS": 24,
    # Seconds between two rounds of the background worker (flask --app app worker).
    "WORKER_INTERVAL_SECONDS": 60,
    # Session cookies: never readable by scripts, not sent along with cross-site posts.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # A signed-in session ends this many hours after its last request.
    "SESSION_HOURS": 8,
    # Production mode (`make serve` sets APP_PRODUCTION=1): SECRET_KEY and DATABASE_URL must be
    # given (no generated key, no default SQLite), and session cookies travel over HTTPS only.
    "PRODUCTION": False,
    # Log lines: "text", or "json" (one object per line: time, level, logger, message,
    # request_id, and for the line of each request method, path, status, duration_ms, user_id).
    "LOG_FORMAT": "text",
}
LOG_FORMATS = ("text", "json")

ENV_PREFIX = "APP_"


class SettingError(RuntimeError):
    """A setting is missing or wrong; the app does not start."""


def instance_path(overrides: Mapping[str, Any] | None) -> str | None:
    """The instance folder: INSTANCE_PATH of the mapping or APP_INSTANCE_PATH, else Flask's
    default (instance/ beside the app package). Needed before the app exists."""
    return (overrides or {}).get("INSTANCE_PATH") or os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or None


def _coerce(raw: str, default: Any) -> Any:
    """Environment values are strings; give them the type of their default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load(app, overrides: Mapping[str, Any] | None) -> None:
    """Fill app.config from the four sources, weakest first."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(ENV_PREFIX + name)
        if raw is not None:
            app.config[name] = _coerce(raw, default)
    if overrides:
        app.config.from_mapping(overrides)
    _derive(app)


def _derive(app) -> None:
    """Settings computed from others, and what Flask and its extensions read."""
    instance = Path(app.instance_path)
    cfg = app.config
    _check(cfg)
    if not cfg["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'app.db'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    if cfg["DATABASE_URL"].startswith("sqlite"):
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    cfg["UPLOAD_DIR"] = cfg["UPLOAD_DIR"] or str(instance / "uploads")
    # Werkzeug answers 413 past this; a little room for the multipart envelope.
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024
    cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or _instance_secret(instance)
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(cfg["SESSION_HOURS"]))
    cfg["SESSION_COOKIE_SECURE"] = bool(cfg["SESSION_COOKIE_SECURE"] or cfg["PRODUCTION"])


def _check(cfg) -> None:
    """Refuse settings the app cannot run with, naming them (before defaults fill the gaps)."""
    if cfg["LOG_FORMAT"] not in LOG_FORMATS:
        raise SettingError(f"LOG_FORMAT harus salah satu dari {', '.join(LOG_FORMATS)}, "
                           f"bukan {cfg['LOG_FORMAT']!r}.")
    if cfg["PRODUCTION"]:
        for name in ("SECRET_KEY", "DATABASE_URL"):
            if not cfg[name]:
                raise SettingError(f"Mode produksi (PRODUCTION): setelan {name} wajib diisi, mis. lewat "
                                   f"variabel lingkungan {ENV_PREFIX}{name}.")


def _instance_secret(instance: Path) -> str:
    """Read the installation's secret key, creating it (mode 600) on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key

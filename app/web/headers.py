"""Response headers that keep the browser strict: no inline scripts, no foreign origins, no
framing; HTTPS only once a site was reached over it. Sessions last SESSION_HOURS from sign-in."""
from __future__ import annotations

from flask import Flask, Response, request, session
from flask_login import user_logged_in

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # bpmn-js and Bootstrap set style attributes on elements; stylesheets still come from us.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",  # blob: previews a chosen image before upload
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS = "camera=(), microphone=(), geolocation=()"
HSTS = "max-age=31536000; includeSubDomains"


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS)
    if request.is_secure:  # behind a proxy: its X-Forwarded-Proto, trusted with PROXY_COUNT
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _permanent_session(_app: Flask, **_extra) -> None:
    """A signed-in session ends PERMANENT_SESSION_LIFETIME after its last request (Flask
    refuses an older cookie), not only when the browser closes."""
    session.permanent = True


def register(app: Flask) -> None:
    app.after_request(_headers)
    user_logged_in.connect(_permanent_session)

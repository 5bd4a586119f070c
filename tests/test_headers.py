"""Hardening headers on every kind of response; HSTS only over HTTPS (direct, or through a
trusted proxy)."""
from __future__ import annotations

import pytest
from support.catalog import upload_dataset

HSTS = "max-age=31536000; includeSubDomains"
# A page, a JSON error of the API, a missing page, a static file, the health check.
PATHS = ["/", "/api/v1/processes", "/tidak-ada", "/static/app.css", "/healthz"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_hardening_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = {part.strip() for part in headers["Permissions-Policy"].split(",")}
    assert permissions == {"camera=()", "microphone=()", "geolocation=()"}
    assert "Strict-Transport-Security" not in headers  # plain http


@pytest.mark.parametrize("path", PATHS)
def test_https_responses_ask_the_browser_to_stay_on_https(client, path):
    response = client.get(path, base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_hsts_follows_a_trusted_proxy_only(app_factory):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = app_factory().test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" not in untrusted.headers
    trusted = app_factory(PROXY_COUNT=1).test_client().get("/", headers=forwarded)
    assert trusted.headers["Strict-Transport-Security"] == HSTS


def test_text_no_database_can_hold_is_refused_on_screens_too(client):
    """NUL in a search or a sign-in, and an id beyond the integer range, never reach the database."""
    assert client.get("/?q=%00").status_code == 400
    assert client.post("/masuk", data={"username": "a\x00", "password": "x"}).status_code == 400
    assert client.get("/publikasi/2147483648").status_code == 404
    assert client.get("/publikasi/99999999999999999999999").status_code == 404
    assert client.get("/pengaduan/baru?data=%C2%B2").status_code == 404  # "²" is a digit to str.isdigit


def test_active_content_is_never_stored_nor_served_inline(app, make_user):
    """An SVG or HTML file, even named .png, is refused as a form upload; a CSV is served only as an
    attachment with nosniff, so a browser never runs what an upload carries."""
    api = make_user("desain1", "desain")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for body, name in ((svg, "desain.svg"), (svg, "desain.png"), (b"<html><script>alert(1)</script>", "a.html")):
        response = api.upload("/files", body, name)
        assert response.status_code == 422, name
    admin = make_user("admin1", "admin")

    dataset = upload_dataset(admin)
    download = app.test_client().get(f"/data/{dataset['id']}/unduh")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"

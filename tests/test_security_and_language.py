"""Strict response headers, and the language switch."""
from __future__ import annotations


def test_pages_forbid_inline_scripts_and_foreign_origins(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_scripts():
    import re
    from pathlib import Path
    for path in (Path(__file__).parent.parent / "app" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "javascript:" not in text, path


def test_language_switch_to_english_and_back(client):
    assert 'lang="id"' in client.get("/").get_data(as_text=True)
    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 302 and response.headers["Location"] == "/masuk"
    page = client.get("/masuk").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page
    client.post("/bahasa", data={"lang": "id", "next": "https://elsewhere.example/"})
    page = client.get("/masuk").get_data(as_text=True)
    assert 'lang="id"' in page and "Masuk" in page


def test_unknown_language_is_ignored(client):
    client.post("/bahasa", data={"lang": "xx"})
    assert 'lang="id"' in client.get("/").get_data(as_text=True)

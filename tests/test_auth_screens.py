"""Sign-in screens: the guard against password guessing (web and API), one's own password,
the admin's user list with password resets and disabling, and login before every staff page."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from support.people import PASSWORD

from app.core import sign_in as login_guard
from app.core.models import ApiToken, AuditEvent, LoginAttempt, Opd, User
from app.extensions import db
from app.web.redirects import safe_path

TOKEN = "/api/v1/auth/token"
HOME = "10.0.0.1"


@pytest.fixture
def web(app_factory):
    """The app under test, without the pause after failures (its own test sets one)."""
    return app_factory(LOGIN_DELAY_SECONDS=0)


def sign_in(client, username, password=PASSWORD, address=HOME, next_url=None, **extra):
    url = "/masuk" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, **extra},
                       environ_base={"REMOTE_ADDR": address})


def api_token(client, username, password=PASSWORD, address=HOME):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def text(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text(response)).group(1)


def events(app, action):
    with app.app_context():
        return [e.detail for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def age_failures(app, by: timedelta) -> None:
    """Let time pass for the recorded failures."""
    with app.app_context():
        for row in db.session.scalars(select(LoginAttempt)):
            row.at -= by
        db.session.commit()


def logged_in(app, username, *roles, make_user, address=HOME):
    make_user(username, *roles)
    client = app.test_client()
    assert sign_in(client, username, address=address).status_code == 302
    return client


# The guard ------------------------------------------------------------------------------------

def test_failures_per_username_lock_the_account_on_web_and_api(web, make_user, monkeypatch):
    make_user("siti", "desain")
    client = web.test_client()
    for n in range(5):  # from five different addresses: only the username adds up
        wrong = sign_in(client, "siti", "salah-sekali", address=f"10.0.1.{n}")
        assert wrong.status_code == 401 and "salah" in text(wrong)
    # Refused before any password is checked, even the right one.
    def no_check(*_args, **_kw):
        raise AssertionError("the password was checked")
    monkeypatch.setattr(login_guard.users, "authenticate", no_check)
    locked = sign_in(client, "SITI ", address="10.0.2.1")
    assert locked.status_code == 429
    page = text(locked)
    assert "Terlalu banyak percobaan" in page and "15 menit" in page
    assert 'value="SITI "' in page  # what was typed is kept
    assert 'name="password"' in page and PASSWORD not in page
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60

    api = api_token(client, "siti", address="10.0.2.2")
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"
    assert set(api.get_json()["error"]) == {"code", "message", "fields"}
    assert "menit" in api.get_json()["error"]["message"]
    assert int(api.headers["Retry-After"]) > 0

    failures = events(web, "user.login_failed")
    assert len(failures) == 5
    assert {f["address"] for f in failures} == {f"10.0.1.{n}" for n in range(5)}
    assert {f["username"] for f in failures} == {"siti"}


def test_failures_per_address_lock_that_address_only(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    for n in range(5):  # five different (unknown) names from one address
        assert sign_in(client, f"tebak{n}", "salah-sekali", address="192.0.2.9").status_code == 401
    assert sign_in(client, "siti", address="192.0.2.9").status_code == 429
    assert api_token(client, "siti", address="192.0.2.9").status_code == 429
    # The same person from elsewhere is not locked out.
    assert sign_in(client, "siti", address="192.0.2.10").status_code == 302
    assert api_token(client, "siti", address="192.0.2.11").status_code == 200


def test_api_failures_count_like_web_failures(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    for _ in range(3):
        assert api_token(client, "siti", "salah-sekali").status_code == 401
    for _ in range(2):
        assert sign_in(client, "siti", "salah-sekali").status_code == 401
    assert api_token(client, "siti").status_code == 429
    assert sign_in(client, "siti").status_code == 429


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_limit(web, make_user, monkeypatch):
    make_user("siti", "desain")
    checked = []
    real = login_guard.users.authenticate

    def counting(*args):
        checked.append(1)
        return real(*args)
    monkeypatch.setattr(login_guard.users, "authenticate", counting)
    threads, barrier, statuses, lock = 16, threading.Barrier(16), [], threading.Lock()

    def guess(n):
        client = web.test_client()
        barrier.wait()
        response = (api_token(client, "siti", "salah-sekali", address=f"10.8.0.{n}") if n % 2
                    else sign_in(client, "siti", "salah-sekali", address=f"10.8.0.{n}"))
        with lock:
            statuses.append(response.status_code)

    workers = [threading.Thread(target=guess, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    # At most the limit reach the password check (when all arrive before any is counted, each
    # sees fifteen others and none does); the others are refused unchecked.
    assert len(statuses) == threads and set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5 and len(checked) == statuses.count(401), statuses
    with web.app_context():  # the refused ones left nothing behind
        assert login_guard.count_failures(username="siti") == statuses.count(401)


def test_a_success_clears_the_usernames_failures(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    for _ in range(4):
        assert sign_in(client, "siti", "salah-sekali").status_code == 401
    assert sign_in(client, "siti").status_code == 302
    with web.app_context():
        assert login_guard.count_failures(username="siti") == 0
    client.post("/keluar")
    for _ in range(4):  # a fresh allowance
        assert api_token(client, "siti", "salah-sekali").status_code == 401
    assert api_token(client, "siti").status_code == 200


def test_the_lock_ends_with_the_window(app_factory, make_user):
    app = app_factory(LOGIN_DELAY_SECONDS=0, LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_MINUTES=10)
    make_user("siti", "desain")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "siti", "salah-sekali").status_code == 401
    locked = sign_in(client, "siti")
    assert locked.status_code == 429 and "10 menit" in text(locked)
    age_failures(app, timedelta(minutes=9))
    assert "1 menit" in text(sign_in(client, "siti"))
    age_failures(app, timedelta(minutes=1, seconds=1))
    assert sign_in(client, "siti").status_code == 302


def test_each_failure_waits_a_little_longer_up_to_two_seconds(app_factory, make_user, monkeypatch):
    app = app_factory(LOGIN_DELAY_SECONDS=0.25, LOGIN_MAX_FAILURES=8)
    make_user("siti", "desain")
    pauses = []
    monkeypatch.setattr(login_guard, "pause", pauses.append)
    client = app.test_client()
    for _ in range(4):
        sign_in(client, "siti", "salah-sekali")
    for _ in range(3):
        api_token(client, "siti", "salah-sekali")
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    sign_in(client, "siti")  # success: no pause
    assert len(pauses) == 7


def test_the_delay_is_real_and_the_default_is_on(app_factory, make_user):
    import time

    app = app_factory(LOGIN_DELAY_SECONDS=0.1)
    make_user("siti", "desain")
    client = app.test_client()
    started = time.monotonic()
    sign_in(client, "siti", "salah-sekali")
    sign_in(client, "siti", "salah-sekali")
    assert time.monotonic() - started >= 0.3  # 0.1 + 0.2
    from app.settings import DEFAULTS
    assert 0 < DEFAULTS["LOGIN_DELAY_SECONDS"] <= 1


# One's own password --------------------------------------------------------------------------

def change(client, current=PASSWORD, new="sandi-baru-yang-panjang", confirm=None, **extra):
    return client.post("/akun/kata-sandi", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm, **extra}, environ_base={"REMOTE_ADDR": HOME})


def test_change_own_password(web, make_user):
    api = make_user("siti", "desain")
    client = web.test_client()
    assert sign_in(client, "siti").status_code == 302
    page = client.get("/akun/kata-sandi")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in text(page) and 'autocomplete="new-password"' in text(page)

    done = change(client)
    assert done.status_code == 302 and done.headers["Location"] == "/akun/kata-sandi"
    assert "telah diganti" in text(client.get(done.headers["Location"]))  # still signed in
    assert api.get("/opds").status_code == 401  # the old tokens end with the old password
    assert api_token(client, "siti").status_code == 401
    assert api_token(client, "siti", "sandi-baru-yang-panjang").status_code == 200
    assert events(web, "user.change_password")


@pytest.mark.parametrize("form, field, message", [
    ({"current": "bukan-sandi-saya"}, "current_password", "saat ini salah"),
    ({"new": "pendek", "confirm": "pendek"}, "new_password", "minimal 10 karakter"),
    ({"new": PASSWORD}, "new_password", "harus berbeda"),
    ({"confirm": "sandi-baru-yang-lain"}, "confirm_password", "tidak sama"),
], ids=["wrong-current", "too-short", "unchanged", "confirm-differs"])
def test_change_own_password_refusals(web, make_user, form, field, message):
    make_user("siti", "desain")
    client = web.test_client()
    assert sign_in(client, "siti").status_code == 302
    refused = change(client, **form)
    assert refused.status_code == 422
    page = text(refused)
    # The message stands beside its field, which is marked invalid.
    block = re.search(rf'id="{field}"[^>]*>\s*<div class="invalid-feedback" id="{field}-help">([^<]*)</div>',
                      page)
    assert block and message in block.group(1), page
    assert re.search(rf'class="form-control is-invalid" id="{field}"', page)
    # Password fields are never filled in again.
    assert "value=" not in "".join(re.findall(r'<input[^>]*type="password"[^>]*>', page))
    for typed in form.values():
        assert typed not in page
    # Nothing changed.
    assert api_token(client, "siti").status_code == 200


def test_guessing_the_current_password_counts_as_failed_sign_ins(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    assert sign_in(client, "siti").status_code == 302
    for _ in range(5):
        assert change(client, current="tebakan-salah").status_code == 422
    assert events(web, "user.password_change_failed")
    locked = change(client)  # even the right one
    assert locked.status_code == 429 and "menit" in text(locked)
    assert api_token(client, "siti", address="10.9.9.9").status_code == 429
    assert api_token(client, "siti", "sandi-baru-yang-panjang", address="10.9.9.9").status_code == 429


def test_a_refusal_with_the_right_current_password_clears_failures(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    for _ in range(4):
        sign_in(client, "siti", "salah-sekali", address="10.0.5.5")
    assert sign_in(client, "siti").status_code == 302
    assert change(client, confirm="lain-lagi-sekali").status_code == 422
    with web.app_context():
        assert login_guard.count_failures(username="siti") == 0


# Admin: users ------------------------------------------------------------------------------

def test_admin_lists_users_with_roles_opd_and_state(app_factory, make_user):
    app = app_factory(LOGIN_DELAY_SECONDS=0, PER_PAGE=2)
    make_user("ani", "desain", "pengawas")
    make_user("dewi", "pengelola_data", opd="dinkes")
    client = logged_in(app, "admin1", "admin", make_user=make_user)
    first = client.get("/admin/pengguna")
    assert first.status_code == 200
    page = text(first)
    assert "admin1" in page and "ani" in page and "dewi" not in page
    assert "Tim Desain" in page and "Pengawas" in page and page.count('">Aktif</span>') == 2
    assert 'href="/admin/pengguna?page=2"' in page
    second = text(client.get("/admin/pengguna?page=2"))
    with app.app_context():
        assert db.session.get(Opd, "dinkes").name in second
    assert "dewi" in second and "Pengelola Data OPD" in second
    found = text(client.get("/admin/pengguna?q=DEW"))
    assert "dewi" in found and "ani" not in found
    assert "Tidak ada pengguna yang cocok" in text(client.get("/admin/pengguna?q=zzz"))


@pytest.mark.parametrize("roles", [("redaktur",), ("pengawas",), ("desain",)])
def test_only_admins_manage_users(web, make_user, roles):
    make_user("budi", "redaktur")
    client = logged_in(web, "bukan-admin", *roles, make_user=make_user)
    with web.app_context():
        budi = db.session.scalar(select(User.id).where(User.username == "budi"))
    for response in (client.get("/admin/pengguna"),
                     client.get(f"/admin/pengguna/{budi}/reset-kata-sandi"),
                     client.post(f"/admin/pengguna/{budi}/reset-kata-sandi"),
                     client.post(f"/admin/pengguna/{budi}/status", data={"active": "0"})):
        assert response.status_code == 403
        assert "akses" in text(response) or "admin" in text(response)
    assert api_token(client, "budi").status_code == 200  # untouched
    assert "Pengguna</a>" not in text(client.get("/akun/kata-sandi"))  # no link in the navigation


def test_admin_resets_a_password_shown_once(web, make_user):
    budi = make_user("budi", "redaktur")
    client = logged_in(web, "admin1", "admin", make_user=make_user)
    with web.app_context():
        budi_id = db.session.scalar(select(User.id).where(User.username == "budi"))
    confirm = client.get(f"/admin/pengguna/{budi_id}/reset-kata-sandi?page=1")
    assert confirm.status_code == 200 and "budi" in text(confirm)
    assert api_token(client, "budi").status_code == 200  # asking is not doing

    result = client.post(f"/admin/pengguna/{budi_id}/reset-kata-sandi")
    assert result.status_code == 200  # the page itself, not a redirect with the password in tow
    assert result.headers["Cache-Control"] == "no-store"
    new_password = re.search(r'id="new-password">([^<]+)</output>', text(result)).group(1)
    assert len(new_password) >= 12
    assert new_password not in result.headers.get("Set-Cookie", "")
    assert new_password not in text(client.get("/admin/pengguna"))  # once only
    for event in events(web, "user.reset_password"):
        assert new_password not in str(event)

    assert budi.get("/opds").status_code == 401  # the old tokens end
    assert api_token(client, "budi").status_code == 401
    token = api_token(client, "budi", new_password)
    assert token.status_code == 200 and token.get_json()["user"]["username"] == "budi"
    # Another reset makes another password.
    again = client.post(f"/admin/pengguna/{budi_id}/reset-kata-sandi")
    assert re.search(r'id="new-password">([^<]+)</output>', text(again)).group(1) != new_password


def test_admin_disables_and_enables_a_user(web, make_user):
    budi_api = make_user("budi", "redaktur")
    budi = web.test_client()
    assert sign_in(budi, "budi", address="10.0.7.7").status_code == 302
    assert budi.get("/akun/kata-sandi").status_code == 200
    admin = logged_in(web, "admin1", "admin", make_user=make_user)
    with web.app_context():
        budi_id = db.session.scalar(select(User.id).where(User.username == "budi"))

    done = admin.post(f"/admin/pengguna/{budi_id}/status", data={"active": "0", "page": "2", "q": "bu"})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/pengguna?page=2&q=bu"
    assert "dinonaktifkan" in text(admin.get("/admin/pengguna?q=bu"))
    assert text(admin.get("/admin/pengguna")).count('text-bg-danger">Nonaktif</span>') == 1
    # Disabled: the running session, the tokens and new sign-ins all end.
    assert budi.get("/akun/kata-sandi").status_code == 302
    assert budi_api.get("/opds").status_code == 401
    assert sign_in(budi, "budi", address="10.0.7.7").status_code == 401
    assert api_token(admin, "budi", address="10.0.7.8").status_code == 401
    assert events(web, "user.disable")[0]["target"] == "budi"

    assert admin.post(f"/admin/pengguna/{budi_id}/status", data={"active": "1"}).status_code == 302
    assert sign_in(budi, "budi", address="10.0.7.9").status_code == 302
    assert events(web, "user.enable")


def test_an_admin_cannot_disable_themselves(web, make_user):
    admin = logged_in(web, "admin1", "admin", make_user=make_user)
    with web.app_context():
        own_id = db.session.scalar(select(User.id).where(User.username == "admin1"))
    refused = admin.post(f"/admin/pengguna/{own_id}/status", data={"active": "0"})
    assert refused.status_code == 302
    assert "sendiri" in text(admin.get(refused.headers["Location"]))
    with web.app_context():
        assert db.session.get(User, own_id).active


def test_unknown_user_is_404_for_admins(web, make_user):
    admin = logged_in(web, "admin1", "admin", make_user=make_user)
    assert admin.get("/admin/pengguna/999999/reset-kata-sandi").status_code == 404
    assert admin.post("/admin/pengguna/999999/status", data={"active": "0"}).status_code == 404


# CSRF on every form ----------------------------------------------------------------------------

def test_every_form_needs_its_csrf_token(app_factory, make_user):
    make_user("budi", "redaktur")
    make_user("admin1", "admin")
    app = app_factory(WTF_CSRF_ENABLED=True, LOGIN_DELAY_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        budi_id = db.session.scalar(select(User.id).where(User.username == "budi"))

    assert sign_in(client, "admin1").status_code == 400
    token = csrf_of(client.get("/masuk"))
    assert sign_in(client, "admin1", csrf_token=token).status_code == 302

    # Without the token each form is refused and changes nothing.
    assert change(client).status_code == 400
    assert client.post(f"/admin/pengguna/{budi_id}/reset-kata-sandi").status_code == 400
    assert client.post(f"/admin/pengguna/{budi_id}/status", data={"active": "0"}).status_code == 400
    assert client.post("/keluar").status_code == 400
    assert api_token(client, "budi").status_code == 200  # the API takes no cookies, needs no token

    # With it they work.
    page = client.get("/admin/pengguna")
    token = csrf_of(page)
    assert 'name="csrf_token"' in text(client.get(f"/admin/pengguna/{budi_id}/reset-kata-sandi"))
    assert client.post(f"/admin/pengguna/{budi_id}/status",
                       data={"active": "0", "csrf_token": token}).status_code == 302
    assert change(client, csrf_token=csrf_of(client.get("/akun/kata-sandi"))).status_code == 302
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302


# Login before every staff page --------------------------------------------------------------

PUBLIC = ("portal.", "catalog.", "ckan.", "dcat.", "i18n.", "static", "auth.login",
          "complaints.new", "complaints.status", "complaints.lookup", "health.")


def _example_url(app, rule):
    from werkzeug.routing import IntegerConverter

    values = {arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x" for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def test_every_staff_page_asks_for_a_login_and_returns_after_it(web, make_user):
    make_user("siti", "desain")
    client = web.test_client()
    checked = []
    for rule in web.url_map.iter_rules():
        if rule.endpoint.startswith(PUBLIC) or rule.rule.startswith("/api/v1/"):  # the API asks for a token
            continue
        url = _example_url(web, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/masuk?next="), (method, url)
            checked.append(rule.endpoint)
    assert {"auth.password", "auth.users", "auth.logout", "auth.reset_password",
            "inbox.index"} <= set(checked)

    asked = client.get("/akun/kata-sandi")
    assert asked.headers["Location"] == "/masuk?next=%2Fakun%2Fkata-sandi"
    assert "Silakan masuk" in text(client.get(asked.headers["Location"]))
    back = sign_in(client, "siti", next_url="%2Fakun%2Fkata-sandi")
    assert back.status_code == 302 and back.headers["Location"] == "/akun/kata-sandi"
    assert client.get("/akun/kata-sandi").status_code == 200
    # Signed in, the login page sends one on.
    assert client.get("/masuk?next=/akun/kata-sandi").headers["Location"] == "/akun/kata-sandi"


@pytest.mark.parametrize("target", [
    "https://jahat.example/", "//jahat.example/", "/\\jahat.example/", "/\t/jahat.example",
    "javascript:alert(1)", "", None,
])
def test_next_never_leaves_the_site(app, target):
    with app.test_request_context():
        assert safe_path(target) == "/"


def test_next_keeps_a_local_path(app):
    with app.test_request_context():
        assert safe_path("/tugas?scope=lane&page=2") == "/tugas?scope=lane&page=2"


def test_logout_is_audited(web, make_user):
    client = logged_in(web, "siti", "desain", make_user=make_user)
    assert client.post("/keluar", environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code == 302
    assert events(web, "user.logout")[0]["address"] == "10.3.3.3"
    assert client.get("/akun/kata-sandi").status_code == 302


def test_no_token_rows_survive_a_disable(web, make_user):
    make_user("budi", "redaktur")
    with web.app_context():
        from app.core import users
        budi = users.get_by_username("budi")
        users.set_active(budi, False)
        db.session.commit()
        assert not db.session.scalars(select(ApiToken).where(
            ApiToken.user_id == budi.id, ApiToken.revoked_at.is_(None))).all()


def test_a_new_password_ends_other_sessions(app_factory, make_user):
    make_user("sari", "desain")
    app = app_factory()
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        assert browser.post("/masuk", data={"username": "sari", "password": "kata-sandi-uji-123"}).status_code == 302
    assert first.get("/tugas").status_code == 200
    changed = second.post("/akun/kata-sandi", data={
        "current_password": "kata-sandi-uji-123", "new_password": "kata-sandi-baru-456",
        "confirm_password": "kata-sandi-baru-456"})
    assert changed.status_code == 302
    assert first.get("/tugas").status_code == 302  # signed out

"""Sign in and out with a session cookie, one's own password, and the admin's list of users.

Password guessing is limited by services.login_guard, per username and per client address.
"""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import policy
from app.core import audit, users
from app.core import sign_in as login_guard
from app.core.errors import Conflict, Invalid
from app.core.models import ROLES
from app.extensions import db
from app.web.paging import Pager, page_number, per_page
from app.web.redirects import safe_path

bp = Blueprint("auth", __name__, template_folder="../templates")


def _address() -> str:
    return request.remote_addr or "unknown"


def _admitted(username: str) -> login_guard.Ticket:
    """Pass the guard: the attempt is committed before it is counted (see login_guard), and a
    refusal is committed too (it withdraws the attempt) before TooManyRequests goes up."""
    ticket = login_guard.enter(username, _address())
    db.session.commit()
    try:
        return login_guard.admit(ticket)
    except login_guard.TooManyRequests:
        db.session.commit()
        raise


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _locked(template: str, exc: login_guard.TooManyRequests, **context):
    response = make_response(render_template(template, locked=exc.minutes, **context), 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


# Sign in and out -------------------------------------------------------------------------

@bp.route("/masuk", methods=["GET", "POST"])
def login():
    next_url = request.args.get("next")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_path(next_url))
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            ticket = _admitted(username)
        except login_guard.TooManyRequests as exc:
            return _locked("auth/login.html", exc, username=username)
        try:
            user = login_guard.sign_in(ticket, request.form.get("password", ""))
        except login_guard.SignInFailed as exc:
            db.session.commit()  # the failure and its audit event; then wait, holding no transaction
            login_guard.pause(exc.delay)
            return render_template("auth/login.html", username=username, wrong=True), 401
        login_user(user)
        audit.record("user.login", user, address=_address())
        db.session.commit()
        flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
        return redirect(safe_path(next_url))
    return render_template("auth/login.html", username=username)


@bp.post("/keluar")
@login_required
def logout():
    audit.record("user.logout", current_user, address=_address())
    db.session.commit()
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("portal.index"))


# One's own password ------------------------------------------------------------------------

def _password_page(status: int = 200, errors: dict | None = None):
    return _no_store(make_response(render_template(
        "auth/password.html", errors=errors or {}, min_password=users.MIN_PASSWORD), status))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def password():
    if request.method == "GET":
        return _password_page()
    try:
        ticket = _admitted(current_user.username)
    except login_guard.TooManyRequests as exc:
        return _no_store(_locked("auth/password.html", exc, errors={}, min_password=users.MIN_PASSWORD))
    form, delay = request.form, 0.0
    try:
        login_guard.change_password(ticket, current_user, form.get("current_password", ""),
                                    form.get("new_password", ""), form.get("confirm_password", ""))
    except login_guard.SignInFailed as exc:  # a wrong current password: a failed sign-in
        errors, delay = exc.fields, exc.delay
    except Invalid as exc:
        errors = exc.fields
    else:
        db.session.commit()
        login_user(current_user._get_current_object())  # this session goes on; all others end
        flash(_("Kata sandi Anda telah diganti. Sesi lain dan token API lama tidak berlaku lagi."), "success")
        return redirect(url_for("auth.password"))
    db.session.commit()  # the failure stays counted, or (the current password was right) is cleared
    login_guard.pause(delay)
    return _password_page(422, errors)


# Admin: users --------------------------------------------------------------------------------

def _list_args() -> dict:
    """The list's page and search, carried through the forms so that we return to them."""
    source = request.form if request.method == "POST" else request.args
    args = {}
    page = source.get("page", type=int)
    if page and page > 1:
        args["page"] = page
    if source.get("q", "").strip():
        args["q"] = source.get("q", "").strip()
    return args


@bp.get("/admin/pengguna", endpoint="users")
@login_required
def user_list():
    policy.require(policy.may_manage_users(current_user), "Hanya admin yang boleh mengelola pengguna.")
    search = request.args.get("q", "").strip()
    rows, total = users.page(page_number(), per_page(), search)
    return render_template(
        "admin/users.html", rows=rows, pager=Pager(page_number(), per_page(), total), q=search,
        opds=users.opd_names({u.opd_code for u in rows if u.opd_code}), role_names=ROLES,
        list_args=_list_args(),
    )


@bp.get("/admin/pengguna/<int:user_id>/reset-kata-sandi", endpoint="confirm_reset")
@login_required
def confirm_reset(user_id: int):
    policy.require(policy.may_manage_users(current_user), "Hanya admin yang boleh mengelola pengguna.")
    return render_template("admin/users_reset.html", user=users.get(user_id), list_args=_list_args())


@bp.post("/admin/pengguna/<int:user_id>/reset-kata-sandi", endpoint="reset_password")
@login_required
def reset_password(user_id: int):
    policy.require(policy.may_manage_users(current_user), "Hanya admin yang boleh mengelola pengguna.")
    user = users.get(user_id)
    new_password = users.reset_password(user, current_user)
    db.session.commit()
    # Shown on this page only: never in a flash message (a cookie), a URL or a log.
    return _no_store(make_response(render_template(
        "admin/users_password.html", user=user, password=new_password, list_args=_list_args())))


@bp.post("/admin/pengguna/<int:user_id>/status", endpoint="set_active")
@login_required
def set_active(user_id: int):
    policy.require(policy.may_manage_users(current_user), "Hanya admin yang boleh mengelola pengguna.")
    user = users.get(user_id)
    active = request.form.get("active") == "1"
    try:
        users.set_active(user, active, current_user)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("auth.users", **_list_args()))
    db.session.commit()
    if active:
        flash(_("Akun %(username)s diaktifkan kembali.", username=user.username), "success")
    else:
        flash(_("Akun %(username)s dinonaktifkan; sesi dan token API-nya berakhir.", username=user.username),
              "success")
    return redirect(url_for("auth.users", **_list_args()))

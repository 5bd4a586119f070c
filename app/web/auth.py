"""Sign in and out with a session cookie."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from ..extensions import db
from ..services import audit, users
from ..services.errors import Unauthorized

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site; never an address elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("portal.index")


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            user = users.authenticate(username, request.form.get("password", ""))
        except Unauthorized as exc:
            flash(exc.message, "danger")
            return render_template("auth/login.html", username=username), 401
        login_user(user)
        audit.record("user.login", user, address=request.remote_addr)
        db.session.commit()
        flash(f"Selamat datang, {user.full_name}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", username=username)


@bp.post("/keluar")
@login_required
def logout():
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("portal.index"))

"""The auth fixture signs the test client in through the real /masuk form, as a role, making the
user only when there is none yet; logout signs it out."""
from __future__ import annotations

from sqlalchemy import select

from app.core.models import AuditEvent, User
from app.extensions import db


def test_login_makes_the_user_once_and_signs_in_through_the_form(app, client, auth):
    assert client.get("/tugas").status_code == 302
    assert auth.login("redaktur") is client
    assert client.get("/tugas").status_code == 200
    auth.logout()
    assert client.get("/tugas").status_code == 302
    auth.login("redaktur")  # the same user again
    with app.app_context():
        [user] = db.session.scalars(select(User)).all()
        assert (user.username, user.roles) == ("redaktur", {"redaktur"})
        logins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login")).all()
        assert len(logins) == 2  # the form's own sign-in, audited each time


def test_login_as_a_named_user_and_an_operator(app, client, auth, make_user):
    make_user("siti", "desain", "pengawas")
    auth.login("pengawas", "siti")
    assert client.get("/tugas").status_code == 200
    auth.logout()
    auth.login("pengelola_data")
    with app.app_context():
        operator = db.session.scalar(select(User).where(User.username == "pengelola_data"))
        assert operator.opd_code == "dispendukcapil"

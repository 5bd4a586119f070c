"""People and sign-in: users with roles and the known password, callers of /api/v1 with a bearer
token, and sessions on the screens — through the real /masuk form (AuthActions, the `auth`
fixture) or, for several people at once each in a client of their own, set up directly
(sign_in; signing in itself is tested with the sign-in screens)."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.core import users
from app.core.models import User
from app.extensions import db

PASSWORD = "kata-sandi-uji-123"


class Api:
    """A caller of /api/v1 with a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(), **kw)

    def upload(self, path, data: bytes, filename: str, **fields):
        return self.client.post("/api/v1" + path, headers=self._headers(),
                                data={"file": (io.BytesIO(data), filename), **fields},
                                content_type="multipart/form-data")


def create_user(app, username, *roles, opd=None, password=PASSWORD):
    """A user with the roles, made through the service and committed."""
    with app.app_context():
        users.create_user(username, list(roles), password, opd=opd)
        db.session.commit()


def api_caller(client, username, password=PASSWORD) -> Api:
    """An Api for the user, with a token from POST /api/v1/auth/token."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return Api(client, response.get_json()["token"])


def sign_in(app, username):
    """A new client with a browser session of an existing user, set up without the form."""
    client = app.test_client()
    with app.app_context():
        session_id = db.session.query(User).filter_by(username=username).one().get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


class AuthActions:
    """Sign the test client in and out on the screens, as flaskr's tests do.

    ``login(role)`` makes the user (named after the role unless a username is given, with the known
    password; an operator of Dispendukcapil for pengelola_data) when there is none yet, posts the
    real /masuk form and returns the client, signed in. ``logout()`` posts /keluar. The test apps
    have CSRF off; the browser tests sign in with a browser instead (support.browser.sign_in)."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def login(self, role="redaktur", username=None, *, opd=None, password=PASSWORD):
        username = username or role
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                if role == "pengelola_data" and opd is None:
                    opd = "dispendukcapil"
                users.create_user(username, [role], password, opd=opd)
                db.session.commit()
            else:
                assert role in user.roles, (username, sorted(user.roles), role)
        response = self.client.post("/masuk", data={"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.client

    def logout(self):
        return self.client.post("/keluar")


def html(response) -> str:
    return response.get_data(as_text=True)

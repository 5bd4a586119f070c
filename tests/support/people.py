"""People and sign-in: users with roles and the known password, callers of /api/v1 with a bearer
token, and sessions on the screens, each in a client of its own, set up directly (sign_in;
signing in itself is tested with the sign-in screens)."""
from __future__ import annotations

import io

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


def html(response) -> str:
    return response.get_data(as_text=True)

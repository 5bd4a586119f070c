"""Sectoral data through /api/v1: a dataset uploaded and left a draft, or uploaded, handed in and
checked (ready for publication); and an operator's appointment letter."""
from __future__ import annotations

from datetime import timedelta

from app.catalog import operators
from app.catalog.models import OperatorLetter
from app.core import files, users
from app.extensions import db

from .samples import PDF, SAMPLE_CSV


def upload_dataset(api, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil", **fields):
    """A dataset ready for publication: uploaded, handed in and checked (the caller must be an
    admin or the walidata)."""
    response = api.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title=title, opd=opd,
                          **{"period": "2025", **fields})
    assert response.status_code == 201, response.get_json()
    dataset_id = response.get_json()["id"]
    for step in ("submit", "approve"):
        response = api.post(f"/datasets/{dataset_id}/{step}")
        assert response.status_code == 200, response.get_json()
    return response.get_json()


def draft(admin, title, opd="dinkes"):
    """A dataset uploaded and left a draft: not handed in, not checked."""
    response = admin.upload("/datasets", SAMPLE_CSV, "x.csv", title=title, opd=opd, period="2025")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def appoint(app, username, *, valid_from=None, valid_until=None, number="800/123/403.113/2026"):
    """Give an operator a signed appointment letter (by default in force for a year from today)."""
    with app.app_context():
        operator = users.get_by_username(username)
        today = operators.today()
        stored = files.store(PDF, files.PDF, "surat.pdf", None)
        letter = OperatorLetter(user_id=operator.id, opd_code=operator.opd_code, number=number,
                                signed_on=valid_from or today, valid_from=valid_from or today,
                                valid_until=valid_until or today + timedelta(days=365), file_id=stored.id)
        db.session.add(letter)
        db.session.commit()
        return letter.id

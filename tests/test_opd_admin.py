"""The admin screens of the OPD registry and of the data operators' appointment letters, through
HTTP: only admins reach them; the letters they record decide who may hand in data (the API)."""
from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support.catalog import appoint
from support.database import restore_opds
from support.people import sign_in
from support.samples import PDF, SAMPLE_CSV

from app.catalog import operators
from app.catalog.models import OperatorLetter
from app.core import users
from app.core.models import AuditEvent, Opd
from app.extensions import db
from app.web.formatting import long_date

NEW_OPD = {"code": "dinas-baru", "name": "Dinas Percobaan", "short_name": "Dispercob",
           "address": "Jl. Samudra No. 1, Magetan", "email": "dispercob@magetan.go.id",
           "phone": "0351-123456", "website": "https://dispercob.magetan.go.id"}


@pytest.fixture
def staff(app, make_user):
    """An admin's screens, the operator1 of Dinkes (API), and a non-admin of every other role."""
    apis = {"admin1": make_user("admin1", "admin"), "operator1": make_user("operator1", "pengelola_data", opd="dinkes")}
    for name, role in (("redaktur1", "redaktur"), ("walidata1", "walidata"), ("desain1", "desain"),
                       ("pengawas1", "pengawas")):
        make_user(name, role)
    return {"admin": sign_in(app, "admin1"), "apis": apis}


@pytest.fixture
def registry_restored(app, seeded_opds):
    """Tests that add or edit OPDs leave the seeded registry as they found it."""
    try:
        yield
    finally:
        with app.app_context():
            db.session.rollback()
            restore_opds(seeded_opds)
            db.session.commit()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def opd_row(app, code):
    with app.app_context():
        opd = db.session.get(Opd, code)
        return None if opd is None else {k: getattr(opd, k) for k in (*NEW_OPD, "active")}


def opd_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Opd))


def letters(app, username="operator1"):
    with app.app_context():
        user = users.get_by_username(username)
        return [(letter.number, letter.valid_from, letter.valid_until, letter.revoked_at is not None)
                for letter in operators.letters_of(user.id)]


def letter_form(app, username="operator1", **changes):
    with app.app_context():
        user_id = users.get_by_username(username).id
    today = operators.today()
    return {"user": str(user_id), "number": "800/45/403.113/2026", "signed_on": today.isoformat(),
            "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=365)).isoformat(),
            "file": (io.BytesIO(PDF), "surat.pdf"), **changes}


def upload_data(api):
    return api.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title="Jumlah Tenaga Kesehatan",
                      opd="dinkes", period="2025")


def operator_state(page: str, username: str) -> str:
    """The state beside the operator's name: the words of the badge under data-current-state."""
    section = re.search(rf'data-operator="{username}".*?data-current-state>(.*?)</span>\s*</span>', page, re.S)
    assert section, page
    return re.sub(r"<[^>]+>", "", section.group(1)).strip()


# Access ------------------------------------------------------------------------------------

def test_only_admins_reach_the_opd_screens(app, staff, registry_restored):
    letter_id = appoint(app, "operator1")
    gets = ["/admin/opd", "/admin/opd/baru", "/admin/opd/dinkes", "/admin/opd/dinkes/ubah",
            f"/admin/opd/surat/{letter_id}.pdf", f"/admin/opd/surat/{letter_id}/cabut"]
    posts = {"/admin/opd/baru": NEW_OPD, "/admin/opd/dinkes/ubah": {**NEW_OPD, "name": "Diubah"},
             "/admin/opd/dinkes/surat": {}, f"/admin/opd/surat/{letter_id}/cabut": {}}
    before = opd_row(app, "dinkes"), letters(app)
    for username in ("operator1", "redaktur1", "walidata1", "desain1", "pengawas1"):
        client = sign_in(app, username)
        for path in gets:
            assert client.get(path).status_code == 403, (username, path)
        for path, data in posts.items():
            assert client.post(path, data=data).status_code == 403, (username, path)
    anonymous = app.test_client()
    for path in gets:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], path
    assert (opd_row(app, "dinkes"), letters(app)) == before
    assert opd_row(app, "dinas-baru") is None
    for path in gets:
        assert staff["admin"].get(path).status_code == 200, path


# The registry ------------------------------------------------------------------------------

def test_admin_lists_and_searches_the_opds(app, staff):
    appoint(app, "operator1")
    page = text_of(staff["admin"].get("/admin/opd"))
    assert page.count('<tr data-opd="') == 30 and "Tambah OPD" in page and "/admin/opd/baru" in page
    dinkes = re.search(r'<tr data-opd="dinkes">(.*?)</tr>', page, re.S).group(1)
    assert "Dinas Kesehatan" in dinkes and "Aktif" in dinkes
    assert re.search(r"data-operators>1<", dinkes) and re.search(r"data-appointed>\s*1\s*<", dinkes)
    assert re.search(r"data-datasets>0<", dinkes)
    found = text_of(staff["admin"].get("/admin/opd?q=kesehatan"))
    assert re.findall(r'<tr data-opd="([^"]+)"', found) == ["dinkes"]
    assert "Tidak ada OPD yang cocok" in text_of(staff["admin"].get("/admin/opd?q=tidak-ada"))


def test_admin_creates_an_opd(app, staff, registry_restored):
    admin = staff["admin"]
    assert admin.get("/admin/opd/baru").status_code == 200
    response = admin.post("/admin/opd/baru", data=NEW_OPD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/opd/dinas-baru")
    assert opd_row(app, "dinas-baru") == {**NEW_OPD, "active": True}
    shown = text_of(admin.get("/admin/opd/dinas-baru"))
    assert "Data OPD “Dinas Percobaan” disimpan." in shown
    assert "dispercob@magetan.go.id" in shown and "belum memiliki operator data" in shown
    assert "--opd dinas-baru" in shown and "/admin/pengguna" in shown
    assert 'data-opd="dinas-baru"' in text_of(admin.get("/admin/opd"))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "opd.create")).all()
        assert [(e.detail["opd"], e.after["name"]) for e in events] == [("dinas-baru", "Dinas Percobaan")]


def test_duplicate_code_is_refused_beside_the_code(app, staff, registry_restored):
    before = opd_row(app, "dinkes")
    response = staff["admin"].post("/admin/opd/baru", data={**NEW_OPD, "code": "dinkes"})
    assert response.status_code == 409
    page = text_of(response)
    assert re.search(r'id="code-error">sudah dipakai<', page)
    assert "Kode OPD 'dinkes' sudah dipakai." in page
    assert 'value="Dinas Percobaan"' in page and 'value="dinkes"' in page
    assert opd_row(app, "dinkes") == before and opd_count(app) == 30
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "opd.create")) == 0


def test_invalid_email_is_refused_with_the_typed_values_kept(app, staff, registry_restored):
    response = staff["admin"].post("/admin/opd/baru", data={**NEW_OPD, "email": "bukan-surel"})
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(r'id="email-error">alamat surel tidak valid<', page)
    assert 'aria-describedby="email-error"' in page
    for value in ("dinas-baru", "Dinas Percobaan", "Dispercob", "Jl. Samudra No. 1, Magetan", "bukan-surel",
                  "0351-123456", "https://dispercob.magetan.go.id"):
        assert f'value="{value}"' in page, value
    assert opd_row(app, "dinas-baru") is None and opd_count(app) == 30


def test_admin_edits_and_deactivates_an_opd(app, staff, registry_restored):
    admin = staff["admin"]
    form = text_of(admin.get("/admin/opd/dinkes/ubah"))
    assert re.search(r'id="code" value="dinkes" readonly', form) and 'name="code"' not in form
    assert re.search(r'name="active" value="1" checked', form)
    changes = {"name": "Dinas Kesehatan Kabupaten Magetan", "short_name": "Dinkes", "address": "",
               "email": "dinkes@magetan.go.id", "phone": "", "website": "", "code": "diganti"}
    response = admin.post("/admin/opd/dinkes/ubah", data=changes)  # no "active": the box was unticked
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/opd/dinkes")
    row = opd_row(app, "dinkes")
    assert row["active"] is False and row["name"] == "Dinas Kesehatan Kabupaten Magetan" and row["code"] == "dinkes"
    assert opd_row(app, "diganti") is None
    listed = re.search(r'<tr data-opd="dinkes">(.*?)</tr>', text_of(admin.get("/admin/opd")), re.S).group(1)
    assert "Nonaktif" in listed
    refused = admin.post("/admin/opd/dinkes/ubah", data={**changes, "website": "dinkes.magetan.go.id", "active": "1"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "alamat harus diawali https://" in page and 'value="dinkes.magetan.go.id"' in page
    assert re.search(r'name="active" value="1" checked', page)
    assert opd_row(app, "dinkes")["active"] is False
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "opd.update")).one()
        assert event.before["active"] is True and event.after["active"] is False


def test_unknown_opd_is_not_found(staff):
    assert staff["admin"].get("/admin/opd/tidak-ada").status_code == 404
    assert staff["admin"].get("/admin/opd/tidak-ada/ubah").status_code == 404
    assert staff["admin"].get("/admin/opd/surat/999999.pdf").status_code == 404


# Appointment letters -------------------------------------------------------------------------

def test_letter_with_pdf_appoints_the_operator(app, staff):
    admin, operator_api = staff["admin"], staff["apis"]["operator1"]
    before = text_of(admin.get("/admin/opd/dinkes"))
    assert operator_state(before, "operator1") == "belum ada surat"
    assert upload_data(operator_api).status_code == 403

    response = admin.post("/admin/opd/dinkes/surat", data=letter_form(app), content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)
    page = text_of(admin.get("/admin/opd/dinkes"))
    until = long_date(operators.today() + timedelta(days=365))
    assert operator_state(page, "operator1") == f"berlaku s.d. {until}"
    assert "800/45/403.113/2026" in page and "Surat penunjukan 800/45/403.113/2026" in page
    with app.app_context():
        letter = operators.valid_letter(users.get_by_username("operator1"))
        assert letter is not None and letter.opd_code == "dinkes"
        letter_id = letter.id
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "operator.letter_add")) == 1
    assert f"/admin/opd/surat/{letter_id}.pdf" in page and f"/admin/opd/surat/{letter_id}/cabut" in page

    pdf = admin.get(f"/admin/opd/surat/{letter_id}.pdf")
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.mimetype == "application/pdf" and pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert pdf.headers["Content-Disposition"].startswith("inline") and "no-store" in pdf.headers["Cache-Control"]

    assert upload_data(operator_api).status_code == 201


@pytest.mark.parametrize("changes, field, message", [
    ({"file": (io.BytesIO(SAMPLE_CSV), "surat.pdf")}, "file", "berkas harus PDF"),
    ({"file": (io.BytesIO(b""), "")}, "file", "unggah surat yang sudah ditandatangani (PDF)"),
    ({"valid_from": "2026-05-01", "valid_until": "2026-04-30"}, "valid_until",
     "tidak boleh sebelum tanggal mulai berlaku"),
    ({"signed_on": "1-5-2026"}, "signed_on", "tanggal harus berbentuk TTTT-BB-HH"),
    ({"number": ""}, "number", "wajib diisi"),
])
def test_bad_letter_is_refused_beside_its_field(app, staff, changes, field, message):
    form = letter_form(app, **changes)
    response = staff["admin"].post("/admin/opd/dinkes/surat", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(rf'id="letter-{field}-error">{re.escape(message)}<', page), page
    assert "pilih berkas lagi" in page
    for key in ("number", "signed_on", "valid_from", "valid_until"):
        assert f'name="{key}" value="{form[key]}"' in re.sub(r"\s+", " ", page), key
    assert re.search(rf'<option value="{form["user"]}" selected>', page)
    assert letters(app) == []


def test_letter_only_for_an_operator_of_that_opd(app, staff, make_user):
    make_user("operator2", "pengelola_data", opd="bappeda")
    for user in ("", letter_form(app, "operator2")["user"], letter_form(app, "admin1")["user"]):
        response = staff["admin"].post("/admin/opd/dinkes/surat", data=letter_form(app, user=user),
                                       content_type="multipart/form-data")
        assert response.status_code == 422
        assert re.search(r'id="letter-user-error">pilih operator OPD ini<', text_of(response))
    assert letters(app) == [] and letters(app, "operator2") == []


def test_revoked_letter_is_shown_and_stops_the_operator(app, staff):
    admin = staff["admin"]
    letter_id = appoint(app, "operator1")
    confirm = text_of(admin.get(f"/admin/opd/surat/{letter_id}/cabut"))
    assert "Ya, cabut surat" in confirm and "onclick" not in confirm
    response = admin.post(f"/admin/opd/surat/{letter_id}/cabut")
    assert response.status_code == 302 and "/admin/opd/dinkes" in response.headers["Location"]
    page = text_of(admin.get("/admin/opd/dinkes"))
    assert operator_state(page, "operator1") == "dicabut"
    assert f"/admin/opd/surat/{letter_id}/cabut" not in page
    with app.app_context():
        assert operators.valid_letter(users.get_by_username("operator1")) is None
        assert db.session.get(OperatorLetter, letter_id).revoked_at is not None
    refused = upload_data(staff["apis"]["operator1"])
    assert refused.status_code == 403 and "dicabut" in refused.get_json()["error"]["message"]


def test_expired_letter_is_shown_and_refused_while_a_valid_one_uploads(app, staff, make_user):
    today = operators.today()
    yesterday = today - timedelta(days=1)
    appoint(app, "operator1", valid_from=today - timedelta(days=366), valid_until=yesterday, number="800/1/2025")
    colleague = make_user("operator2", "pengelola_data", opd="dinkes")
    appoint(app, "operator2")

    page = text_of(staff["admin"].get("/admin/opd/dinkes"))
    assert operator_state(page, "operator1") == f"berakhir {long_date(yesterday)}"
    assert operator_state(page, "operator2").startswith("berlaku s.d.")
    listed = re.search(r'<tr data-opd="dinkes">(.*?)</tr>', text_of(staff["admin"].get("/admin/opd")), re.S).group(1)
    assert re.search(r"data-operators>2<", listed) and re.search(r"data-appointed>\s*1 ", listed)

    refused = upload_data(staff["apis"]["operator1"])
    assert refused.status_code == 403
    assert f"surat penunjukan 800/1/2025 berakhir {yesterday:%d-%m-%Y}" in refused.get_json()["error"]["message"]
    assert upload_data(colleague).status_code == 201


"""The staff's sectoral-data screens: an operator uploads, corrects and hands in a recap; the
walidata checks it; a recap that does not fit its template is refused with every finding."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.catalog import appoint
from support.people import sign_in
from support.samples import SAMPLE_CSV

from app.catalog import operators
from app.catalog.models import Dataset
from app.core.models import StoredFile
from app.extensions import db

TEMPLATE = {"opd": "dinkes", "topic": "Kesehatan", "title": "Jumlah Posyandu per Kecamatan",
            "columns": [{"name": "kode_kecamatan", "type": "text", "required": True, "codes": "kecamatan"},
                        {"name": "jumlah", "type": "integer", "required": True}]}
# Three findings: a code outside the list, a word for a number, an empty required value.
MISFIT_CSV = b"kode_kecamatan,jumlah\n35.20.99,10\n35.20.01,banyak\n,5\n"
FITTING_CSV = b"kode_kecamatan,jumlah\n35.20.01,10\n35.20.02,1.234\n"


@pytest.fixture
def team(app, make_user):
    admin = make_user("admin1", "admin")
    make_user("wali1", "walidata")
    make_user("op1", "pengelola_data", opd="dinkes")
    make_user("op2", "pengelola_data", opd="dispendukcapil")
    make_user("redaktur1", "redaktur")
    appoint(app, "op1")
    appoint(app, "op2")
    return {"admin": admin, **{name: sign_in(app, name) for name in ("op1", "op2", "wali1", "redaktur1")}}


def upload(client, content=SAMPLE_CSV, filename="x.csv", path="/data-sektoral/unggah", **fields):
    data = {"title": "Jumlah Penduduk per Kecamatan", "period": "2025", "license": "CC-BY-4.0", **fields}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def dataset_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/data-sektoral/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


def stored(app) -> tuple[int, int, int]:
    """Datasets, stored-file rows and files on disk."""
    with app.app_context():
        datasets = db.session.scalar(select(func.count()).select_from(Dataset))
        files = db.session.scalar(select(func.count()).select_from(StoredFile))
    on_disk = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    return datasets, files, len(on_disk)


def status_of(app, dataset_id: int) -> str:
    with app.app_context():
        return db.session.get(Dataset, dataset_id).status


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_operator_uploads_hands_in_and_the_walidata_checks(app, team):
    op, wali = team["op1"], team["wali1"]
    form = page(op, "/data-sektoral/unggah")
    assert "Dinas Kesehatan" in form and 'name="opd"' not in form  # fixed to the operator's OPD
    assert 'value="CC-BY-4.0"' in form

    dataset_id = dataset_id_of(upload(op, title="Penduduk Magetan", period="2025-S1", opd="dispendukcapil"))
    assert status_of(app, dataset_id) == "draft"
    with app.app_context():
        assert db.session.get(Dataset, dataset_id).opd_code == "dinkes"  # a posted OPD is ignored
    view = page(op, f"/data-sektoral/{dataset_id}")
    assert "Semester I 2025" in view and "Maospati" in view and "Ajukan ke walidata" in view
    assert "menambah data terolah" in view  # the history

    assert op.post(f"/data-sektoral/{dataset_id}/ajukan").status_code == 302
    assert status_of(app, dataset_id) == "submitted"
    queue = page(wali, "/data-sektoral")  # the walidata lands on the queue
    assert "Penduduk Magetan" in queue and 'aria-current="page"' in queue
    assert re.search(r'aria-current="page"[^>]*>\s*Menunggu pemeriksaan', queue)

    refused = wali.post(f"/data-sektoral/{dataset_id}/kembalikan", data={"reason": "  "})
    assert refused.status_code == 422
    assert "wajib diisi" in refused.get_data(as_text=True)
    assert status_of(app, dataset_id) == "submitted"

    reason = "Kolom jumlah Kecamatan Plaosan keliru; periksa lagi."
    assert wali.post(f"/data-sektoral/{dataset_id}/kembalikan", data={"reason": reason}).status_code == 302
    assert status_of(app, dataset_id) == "returned"
    returned = page(op, f"/data-sektoral/{dataset_id}")
    assert 'id="return-reason"' in returned and "Kolom jumlah Kecamatan Plaosan keliru" in returned

    edit = page(op, f"/data-sektoral/{dataset_id}/ubah")
    assert 'value="Penduduk Magetan"' in edit and 'value="2025-S1"' in edit
    corrected = b"kecamatan,jumlah\nMagetan,45780\nMaospati,48200\nPlaosan,50100\n"
    response = upload(op, corrected, path=f"/data-sektoral/{dataset_id}/ubah", title="Penduduk Magetan",
                      period="2025-S1")
    assert response.status_code == 302
    assert "50100" in page(op, f"/data-sektoral/{dataset_id}")
    assert op.post(f"/data-sektoral/{dataset_id}/ajukan").status_code == 302

    assert wali.post(f"/data-sektoral/{dataset_id}/setujui").status_code == 302
    assert status_of(app, dataset_id) == "ready"
    again = wali.post(f"/data-sektoral/{dataset_id}/setujui")  # already checked: a notice, not a 500
    assert again.status_code == 302 and again.headers["Location"] == f"/data-sektoral/{dataset_id}"
    assert "hanya data yang diajukan dapat diperiksa" in page(wali, again.headers["Location"])
    assert "Penduduk Magetan" in page(team["redaktur1"], "/proses/baru")


def test_an_upload_that_misfits_its_template_shows_every_finding_and_stores_nothing(app, team):
    created = team["admin"].post("/templates", json=TEMPLATE)
    assert created.status_code == 201, created.get_json()
    template_id = created.get_json()["id"]
    op = team["op1"]
    form = page(op, "/data-sektoral/unggah")
    assert f'data-template-info="{template_id}"' in form and "kode_kecamatan" in form
    assert f"/templat/{template_id}/unduh.xlsx" in form
    before = stored(app)

    response = upload(op, MISFIT_CSV, "posyandu.csv", template=str(template_id), title="Posyandu 2025",
                      period="2025", unit="unit", source="Dinas Kesehatan")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>", html)
    assert [(row, column) for row, column, _ in rows] == [("2", "kode_kecamatan"), ("3", "jumlah"),
                                                         ("4", "kode_kecamatan")]
    assert "35.20.99" in rows[0][2] and "banyak" in rows[1][2] and "wajib diisi" in rows[2][2]
    assert "3 temuan" in html
    assert 'value="Posyandu 2025"' in html and 'value="Dinas Kesehatan"' in html and 'value="unit"' in html
    assert re.search(rf'<option value="{template_id}"[^>]*selected', html)
    assert stored(app) == before

    dataset_id = dataset_id_of(upload(op, FITTING_CSV, "posyandu.csv", template=str(template_id),
                                      title="Posyandu 2025", period="2025"))
    view = page(op, f"/data-sektoral/{dataset_id}")
    assert "1234" in view and "Jumlah Posyandu per Kecamatan" in view


def test_bad_fields_are_named_beside_them_and_kept(app, team):
    op = team["op1"]
    before = stored(app)
    response = upload(op, None, title="", period="2025-13", release_date="besok", contact="Bu Sri")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="title"[^>]*is-invalid|is-invalid[^>]*id="title"', html)
    assert 'id="period-error"' in html and "2025-S1" in html
    assert 'id="release_date-error"' in html and 'value="Bu Sri"' in html and 'value="2025-13"' in html
    assert "pilih berkas CSV atau XLSX" in html

    response = upload(op, None, title="Penduduk", period="2025")
    assert response.status_code == 422
    assert "pilih berkas CSV atau XLSX" in response.get_data(as_text=True)
    response = upload(op, b"\x89PNG\r\n", "x.xlsx", title="Penduduk", period="2025")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
    assert stored(app) == before


def test_operators_see_only_their_own_opd(app, team):
    dataset_id = dataset_id_of(upload(team["op1"], title="Data Dinkes"))
    other = team["op2"]
    # Another OPD's unchecked data is not theirs to know.
    assert other.get(f"/data-sektoral/{dataset_id}").status_code == 404
    assert other.get(f"/data-sektoral/{dataset_id}/ubah").status_code == 404
    assert other.post(f"/data-sektoral/{dataset_id}/ajukan").status_code == 404
    assert "Data Dinkes" not in page(other, "/data-sektoral")
    assert "Data Dinkes" not in page(other, "/data-sektoral?opd=dinkes")
    assert team["op1"].post(f"/data-sektoral/{dataset_id}/setujui").status_code == 403
    assert status_of(app, dataset_id) == "draft"


def test_an_operator_without_a_valid_letter_is_warned_and_refused(app, make_user, team):
    make_user("op3", "pengelola_data", opd="dinkes")
    today = operators.today()
    appoint(app, "op3", valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=30),
            number="800/1/2024")
    op = sign_in(app, "op3")
    listing = page(op, "/data-sektoral")
    assert 'id="appointment-warning"' in listing and "800/1/2024 berakhir" in listing
    assert "/data-sektoral/unggah" not in listing
    before = stored(app)
    assert op.get("/data-sektoral/unggah").status_code == 403
    refused = upload(op, title="Tanpa surat")
    assert refused.status_code == 403 and "800/1/2024" in refused.get_data(as_text=True)
    assert stored(app) == before


def test_other_roles_are_refused(app, team):
    dataset_id = dataset_id_of(upload(team["op1"]))
    redaktur = team["redaktur1"]
    for path in ("/data-sektoral", "/data-sektoral/unggah", f"/data-sektoral/{dataset_id}"):
        assert redaktur.get(path).status_code == 403, path
    assert upload(redaktur).status_code == 403
    assert redaktur.post(f"/data-sektoral/{dataset_id}/ajukan").status_code == 403


def test_the_queue_is_oldest_first_with_counts_and_an_opd_filter(app, team):
    admin = team["admin"]
    ids = []
    for title, opd in (("Pertama diunggah", "dinkes"), ("Kedua diunggah", "dispendukcapil"),
                       ("Masih draf", "dinkes")):
        response = admin.upload("/datasets", SAMPLE_CSV, "x.csv", title=title, opd=opd, period="2025")
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    for dataset_id in (ids[1], ids[0]):  # handed in in the other order
        assert admin.post(f"/datasets/{dataset_id}/submit").status_code == 200
    wali = team["wali1"]
    queue = page(wali, "/data-sektoral")
    assert queue.index("Kedua diunggah") < queue.index("Pertama diunggah") and "Masih draf" not in queue
    everything = page(wali, "/data-sektoral?status=")
    assert all(title in everything for title in ("Pertama diunggah", "Kedua diunggah", "Masih draf"))
    assert re.search(r"Semua\s*<span[^>]*>3</span>", everything)
    dinkes = page(wali, "/data-sektoral?status=&opd=dinkes")
    assert "Kedua diunggah" not in dinkes and re.search(r"Semua\s*<span[^>]*>2</span>", dinkes)
    # An operator's tabs count their own OPD only.
    assert re.search(r"Semua\s*<span[^>]*>2</span>", page(team["op1"], "/data-sektoral"))

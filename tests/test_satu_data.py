"""Sectoral data the Satu Data way, through the API: templates check uploads, appointment letters
gate operators, the walidata's check gates the catalog that tentukan_data offers."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.catalog import appoint, upload_dataset
from support.samples import SAMPLE_CSV
from support.sop import ready_task, start

from app.catalog import data_templates, datasets, operators, regions
from app.catalog.models import Dataset
from app.core.models import AuditEvent, StoredFile
from app.extensions import db

TEMPLATE = {
    "opd": "dinkes", "topic": "Kesehatan", "title": "Kunjungan Puskesmas per Desa",
    "columns": [
        {"name": "kode_desa", "type": "text", "required": True, "codes": "desa"},
        {"name": "nama_desa", "type": "text", "required": True},
        {"name": "kunjungan", "type": "integer", "unit": "orang", "required": True},
        {"name": "rasio", "type": "number", "required": False},
        {"name": "tanggal", "type": "date", "required": False},
    ],
}


@pytest.fixture
def team(app, make_user):
    people = {
        "admin": make_user("admin1", "admin"),
        "walidata": make_user("walidata1", "walidata"),
        "operator": make_user("operator1", "pengelola_data", opd="dinkes"),
        "redaktur": make_user("redaktur1", "redaktur"),
    }
    appoint(app, "operator1")
    return people


def make_template(api, **changes):
    response = api.post("/templates", json={**TEMPLATE, **changes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload(api, body: bytes, name="kunjungan.csv", **fields):
    values = {"title": "Kunjungan Puskesmas 2025", "opd": "dinkes", "period": "2025", **fields}
    return api.upload("/datasets", body, name, **values)


def counts(app) -> tuple[int, int, int]:
    """Datasets, stored-file rows and files on disk."""
    with app.app_context():
        rows = (db.session.scalar(select(func.count(Dataset.id))),
                db.session.scalar(select(func.count(StoredFile.id))))
    root = Path(app.config["UPLOAD_DIR"])
    return (*rows, sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0)


def test_upload_that_misfits_its_template_names_each_finding_and_stores_nothing(app, team):
    template = make_template(team["walidata"])
    before = counts(app)
    body = (b"kode_desa,nama_desa,kunjungan,rasio,tanggal\n"
            b"35.20.01.2001,Poncol,120,0.5,2025-01-31\n"   # fits
            b"35.20.01.2002,Gonggang,banyak,,\n"           # wrong type
            b"35.20.01.2003,,80,,\n"                        # required value missing
            b"35.99.01.2001,Entah,90,,\n")         # unknown region code
    response = upload(team["operator"], body, template=str(template["id"]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["findings"] == [
        {"row": 3, "column": "kunjungan", "reason": "harus bilangan bulat, bukan 'banyak'"},
        {"row": 4, "column": "nama_desa", "reason": "wajib diisi, tetapi kosong"},
        {"row": 5, "column": "kode_desa", "reason": "kode '35.99.01.2001' tidak ada dalam daftar desa Kemendagri"},
    ]
    assert error["findings_total"] == 3
    assert "3 temuan" in error["message"]
    assert counts(app) == before


def test_upload_that_fits_is_typed_in_template_order(app, team):
    template = make_template(team["admin"])
    body = (b"tanggal;rasio;kunjungan;nama_desa;kode_desa\n"          # any column order, ; separated
            b"31/01/2025;0,5;1.234;Poncol;35.20.01.2001\n"
            b";;80;Gonggang;35.20.01.2002\n")
    response = upload(team["operator"], body, template=str(template["id"]))
    assert response.status_code == 201, response.get_json()
    dataset = response.get_json()
    assert dataset["status"] == "draft" and dataset["template_id"] == template["id"]
    assert dataset["topic"] == "Kesehatan"  # taken from the template
    assert dataset["columns"] == ["kode_desa", "nama_desa", "kunjungan", "rasio", "tanggal"]
    assert dataset["preview"] == [["35.20.01.2001", "Poncol", 1234, 0.5, "2025-01-31"],
                                  ["35.20.01.2002", "Gonggang", 80, None, None]]


def test_header_findings_name_missing_and_unknown_columns(team):
    template = make_template(team["admin"])
    response = upload(team["admin"], b"kode_desa,nama_desa,jumlah\n35.20.01.2001,Poncol,3\n",
                      template=str(template["id"]))
    findings = response.get_json()["error"]["findings"]
    assert {(f["row"], f["column"], f["reason"]) for f in findings} == {
        (1, "kunjungan", "kolom wajib tidak ada pada berkas"),
        (1, "jumlah", "kolom tidak ada pada templat"),
    }


def test_template_of_another_opd_is_refused(team):
    template = make_template(team["admin"], opd="bappeda")
    response = upload(team["operator"], SAMPLE_CSV, template=str(template["id"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"template": "templat milik OPD lain"}


@pytest.mark.parametrize("columns, message", [
    ([], "isi paling sedikit satu kolom"),
    ([{"name": " ", "type": "text"}], "kolom 1: nama wajib diisi"),
    ([{"name": "a", "type": "text"}, {"name": "A", "type": "integer"}], "ganda"),
    ([{"name": "kode", "type": "integer", "codes": "kecamatan"}], "hanya untuk kolom bertipe teks"),
    ([{"name": "a", "type": "text"}, {"name": "kode", "type": "teks"}], "kolom 2: tipe harus salah satu dari text"),
    ([{"name": "kode", "type": "text", "codes": "provinsi"}], "kolom 1: daftar kode harus salah satu dari kecamatan"),
])
def test_bad_template_columns_are_refused(team, columns, message):
    response = team["admin"].post("/templates", json={**TEMPLATE, "columns": columns})
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"]["columns"]
    assert team["admin"].get("/templates").get_json()["items"] == []


def test_only_admin_and_walidata_make_templates(team):
    assert team["operator"].post("/templates", json=TEMPLATE).status_code == 403
    assert team["redaktur"].post("/templates", json=TEMPLATE).status_code == 403


@pytest.mark.parametrize("letter, reason", [
    ({"valid_until_days": -1}, "berakhir"),
    ({"valid_from_days": 3}, "baru berlaku"),
    (None, "belum ada surat penunjukan"),
])
def test_operator_without_a_letter_in_force_is_refused(app, make_user, letter, reason):
    operator = make_user("operator2", "pengelola_data", opd="dinkes")
    if letter is not None:
        today = operators.today()
        appoint(app, "operator2", valid_from=today + timedelta(days=letter.get("valid_from_days", -30)),
                valid_until=today + timedelta(days=letter.get("valid_until_days", 30)))
    before = counts(app)
    response = upload(operator, SAMPLE_CSV)
    assert response.status_code == 403
    assert reason in response.get_json()["error"]["message"]
    assert counts(app) == before


def test_revoked_letter_stops_the_operator(app, team):
    with app.app_context():
        from app.core import users

        letter = operators.valid_letter(users.get_by_username("operator1"))
        operators.revoke_letter(letter.id, users.get_by_username("admin1"))
        db.session.commit()
    response = upload(team["operator"], SAMPLE_CSV)
    assert response.status_code == 403 and "dicabut" in response.get_json()["error"]["message"]


def test_letter_of_the_previous_opd_does_not_count(app, team):
    with app.app_context():
        from app.core import users

        users.get_by_username("operator1").opd_code = "bappeda"
        db.session.commit()
    assert upload(team["operator"], SAMPLE_CSV, opd="bappeda").status_code == 403


def test_life_cycle_draft_submitted_returned_ready(app, team):
    operator, walidata = team["operator"], team["walidata"]
    dataset = upload(operator, SAMPLE_CSV).get_json()
    path = f"/datasets/{dataset['id']}"
    assert walidata.post(path + "/approve").status_code == 409          # a draft is not checked yet
    assert operator.post(path + "/submit").get_json()["status"] == "submitted"
    assert operator.post(path + "/approve").status_code == 403          # operators do not check
    assert team["redaktur"].post(path + "/submit").status_code == 404  # unchecked data is not theirs to know
    refused = walidata.post(path + "/return", json={"reason": "  "})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"reason": "wajib diisi"}
    returned = walidata.post(path + "/return", json={"reason": "Kolom jumlah belum dijumlahkan."}).get_json()
    assert returned["status"] == "returned" and returned["return_reason"] == "Kolom jumlah belum dijumlahkan."
    assert operator.post(path + "/submit").get_json()["status"] == "submitted"
    ready = walidata.post(path + "/approve").get_json()
    assert ready["status"] == "ready" and ready["return_reason"] == ""
    assert ready["release_date"] == operators.today().isoformat()
    assert walidata.post(path + "/return", json={"reason": "x"}).status_code == 409  # checked already
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dataset.%"))
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["dataset.create", "dataset.submit", "dataset.return", "dataset.submit", "dataset.approve"]
    assert [d["id"] for d in walidata.get("/datasets?status=ready").get_json()["items"]] == [dataset["id"]]
    assert walidata.get("/datasets?status=siap").status_code == 400


def test_operator_cannot_hand_in_another_opds_data(app, team, make_user):
    other = make_user("operator3", "pengelola_data", opd="bappeda")
    appoint(app, "operator3")
    dataset = upload(team["operator"], SAMPLE_CSV).get_json()
    # Another OPD's unchecked data is not theirs to know: not found, for reading and acting alike.
    assert other.post(f"/datasets/{dataset['id']}/submit").status_code == 404
    assert other.get(f"/datasets/{dataset['id']}").status_code == 404


def test_only_checked_datasets_reach_the_dataset_id_enum(team):
    admin, walidata = team["admin"], team["walidata"]
    ready = upload_dataset(admin, title="Sudah diperiksa", opd="dinkes")
    draft = upload(team["operator"], SAMPLE_CSV, title="Draf").get_json()
    submitted = upload(team["operator"], SAMPLE_CSV, title="Diajukan").get_json()
    team["operator"].post(f"/datasets/{submitted['id']}/submit")
    returned = upload(team["operator"], SAMPLE_CSV, title="Dikembalikan").get_json()
    team["operator"].post(f"/datasets/{returned['id']}/submit")
    walidata.post(f"/datasets/{returned['id']}/return", json={"reason": "Sumber belum diisi."})

    instance = start(team["redaktur"])
    task = ready_task(team["redaktur"], instance["id"], "tentukan_data")
    form = team["redaktur"].get(f"/tasks/{task['id']}").get_json()["form"]
    assert form["properties"]["dataset_id"]["enum"] == [ready["id"]]
    for unchecked in (draft, submitted, returned):
        response = team["redaktur"].post(f"/tasks/{task['id']}/complete",
                                         json={"data": {"dataset_id": unchecked["id"]}})
        assert response.status_code == 422 and "dataset_id" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("period, year, frequency, label", [
    ("2025", 2025, "tahunan", "2025"),
    ("2025-S2", 2025, "semesteran", "Semester II 2025"),
    ("2024-03", 2024, "bulanan", "Maret 2024"),
])
def test_periods_year_semester_month(team, period, year, frequency, label):
    dataset = upload(team["operator"], SAMPLE_CSV, period=period).get_json()
    assert (dataset["period"], dataset["year"], dataset["frequency"]) == (period, year, frequency)
    assert datasets.period_label(period) == label


@pytest.mark.parametrize("period", ["25", "2025-13", "2025-S3", "Tahun 2025"])
def test_a_period_we_cannot_read_is_refused(app, team, period):
    before = counts(app)
    response = upload(team["operator"], SAMPLE_CSV, period=period)
    assert response.status_code == 422 and "period" in response.get_json()["error"]["fields"]
    assert counts(app) == before


def test_region_codes_come_from_the_kemendagri_list_of_magetan(app):
    with app.app_context():
        kecamatan = regions.codes("kecamatan")
        desa = regions.codes("desa")
    assert len(kecamatan) == 18 and kecamatan["35.20.01"] == "Poncol" and kecamatan["35.20.06"] == "Magetan"
    assert len(desa) == 235 and all(code.startswith("35.20.") for code in desa)
    assert all(code.rsplit(".", 1)[0] in kecamatan for code in desa)


def test_missing_region_data_is_a_clear_error(app_factory, tmp_path):
    app = app_factory(REGION_DATA_DIR=str(tmp_path / "nowhere"))
    with app.app_context(), pytest.raises(regions.RegionDataMissing, match="make install"):
        regions.codes("kecamatan")


def test_blank_xlsx_template_offers_the_region_codes(app, team):
    from io import BytesIO

    from openpyxl import load_workbook

    template = make_template(team["admin"])
    with app.app_context():
        from app.core import users

        admin = users.get_by_username("admin1")
        book = load_workbook(BytesIO(data_templates.as_xlsx(data_templates.get(template["id"], admin))))
    assert book.sheetnames == ["Data", "Petunjuk", "desa"]
    assert [c.value for c in book["Data"][1]] == [c["name"] for c in TEMPLATE["columns"]]
    assert book["desa"].max_row == 236
    validation = book["Data"].data_validations.dataValidation[0]
    assert validation.formula1 == "desa!$A$2:$A$236" and str(validation.sqref) == "A2:A10000"

"""Uploads through the API: form files (POST /files) and sectoral data (POST /datasets).

Files are judged by their content, stored once per content under UPLOAD_DIR, refused with a
reason and without leaving anything behind, and answered with the API's error shape."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from support.catalog import appoint
from support.people import Api
from support.samples import SAMPLE_CSV, image_bytes

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
               b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
               b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
CSV_SEMICOLON = b"kecamatan;jumlah;tahun\nMagetan;45780;2025\nMaospati;48200;2025\n"


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The API's error body: {"error": {"code", "message", "fields"}} and nothing else."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"].strip()
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_total(api) -> int:
    response = api.get("/datasets")
    assert response.status_code == 200
    return response.get_json()["total"]


# POST /api/v1/files ----------------------------------------------------------------------

@pytest.mark.parametrize("kind, content_type", [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
])
def test_images_are_accepted_and_typed_by_content(make_user, kind, content_type):
    desain = make_user("desain1", "desain")
    data = image_bytes(kind)
    # The name says PDF; the bytes decide.
    response = desain.upload("/files", data, "bukan-pdf.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], str) and body["id"]
    assert body["content_type"] == content_type
    assert body["size"] == len(data)


def test_minimal_pdf_is_accepted(make_user):
    desain = make_user("desain1", "desain")
    response = desain.upload("/files", MINIMAL_PDF, "lampiran.bin")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["content_type"] == "application/pdf"
    assert response.get_json()["size"] == len(MINIMAL_PDF)


def test_text_renamed_png_is_refused(app, make_user):
    desain = make_user("desain1", "desain")
    response = desain.upload("/files", b"ini bukan gambar, hanya teks biasa\n", "gambar.png")
    error = assert_error(response, 422, "invalid")
    assert "file" in error["fields"]
    assert stored_files(app) == []


def test_truncated_image_is_refused(app, make_user):
    desain = make_user("desain1", "desain")
    png = image_bytes("PNG", size=(64, 64))
    response = desain.upload("/files", png[: len(png) // 2], "potong.png")
    assert "file" in assert_error(response, 422)["fields"]
    assert stored_files(app) == []


def test_empty_file_is_refused(app, make_user):
    desain = make_user("desain1", "desain")
    response = desain.upload("/files", b"", "kosong.png")
    assert "file" in assert_error(response, 422, "invalid")["fields"]
    assert stored_files(app) == []


def test_missing_file_part_is_bad_request(make_user):
    desain = make_user("desain1", "desain")
    response = desain.client.post("/api/v1/files", headers=desain._headers(),
                                  data={"bukan_file": "x"}, content_type="multipart/form-data")
    assert_error(response, 400, "bad_request")


def test_upload_needs_a_token(anonymous):
    response = anonymous.upload("/files", image_bytes(), "desain.png")
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("size", [
    1024 * 1024 + 3 * 1024,       # past MAX_UPLOAD_MB, within the multipart envelope's room
    1536 * 1024,                  # past MAX_CONTENT_LENGTH: refused while reading the request
])
def test_file_over_max_upload_mb_is_413(app_factory, make_user, size):
    token = make_user("desain1", "desain").token
    small = app_factory(MAX_UPLOAD_MB=1)
    api = Api(small.test_client(), token)
    data = MINIMAL_PDF + b"0" * (size - len(MINIMAL_PDF))
    response = api.upload("/files", data, "besar.pdf")
    error = assert_error(response, 413, "too_large")
    assert "Too Large" not in error["message"]  # werkzeug's English text is not shown
    assert stored_files(small) == []
    # Under the limit the same app accepts it.
    assert api.upload("/files", MINIMAL_PDF, "kecil.pdf").status_code == 201


def test_same_content_is_stored_once(app, make_user):
    desain = make_user("desain1", "desain")
    data = image_bytes("PNG", color=(1, 2, 3))
    first = desain.upload("/files", data, "a.png")
    second = desain.upload("/files", data, "b.png")
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    sha = hashlib.sha256(data).hexdigest()
    expected = Path(app.config["UPLOAD_DIR"]) / sha[:2] / sha
    assert stored_files(app) == [expected]
    assert expected.read_bytes() == data


def test_unpublished_upload_is_not_public(client, make_user):
    desain = make_user("desain1", "desain")
    response = desain.upload("/files", image_bytes(), "desain.png")
    assert response.status_code == 201
    file_id = response.get_json()["id"]
    media = client.get(f"/media/{file_id}")
    assert media.status_code == 404
    assert media.data != image_bytes()


# POST /api/v1/datasets -------------------------------------------------------------------

def test_csv_with_semicolons_is_read(make_user):
    admin = make_user("admin1", "admin")
    response = admin.upload("/datasets", CSV_SEMICOLON, "penduduk.csv", title="Penduduk",
                            opd="dispendukcapil", period="2025")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["columns"] == ["kecamatan", "jumlah", "tahun"]
    assert body["row_count"] == 2
    assert body["opd"]["code"] == "dispendukcapil"
    assert body["title"] == "Penduduk" and body["period"] == "2025"
    listed = admin.get("/datasets").get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == body["id"]


def test_xlsx_is_read(make_user):
    admin = make_user("admin1", "admin")
    data = xlsx_bytes([["kecamatan", "jumlah"], ["Magetan", 45780], ["Maospati", 48200],
                       ["Plaosan", 50500], ["Panekan", 51234]])
    response = admin.upload("/datasets", data, "penduduk.xlsx", title="Penduduk XLSX",
                            opd="dispendukcapil", period="2025")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["columns"] == ["kecamatan", "jumlah"]
    assert body["row_count"] == 4
    assert body["preview"][0] == ["Magetan", 45780]


BROKEN_XLSX = b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" + b"rusak" * 40
UNREADABLE = {
    "binary garbage named .csv": (bytes(range(128, 256)) * 8 + b"\x00\xff\xfe", "data.csv"),
    "broken xlsx": (BROKEN_XLSX, "data.xlsx"),
    "text named .xlsx": (SAMPLE_CSV, "data.xlsx"),
    "header only": (b"kecamatan,jumlah\n", "data.csv"),
    "duplicate column names": (b"kecamatan,jumlah,jumlah\nMagetan,1,2\n", "data.csv"),
    "header only xlsx": (xlsx_bytes([["kecamatan", "jumlah"]]), "data.xlsx"),
    "duplicate columns xlsx": (xlsx_bytes([["a", "a"], [1, 2]]), "data.xlsx"),
    "empty": (b"", "data.csv"),
}


@pytest.mark.parametrize("data, filename", list(UNREADABLE.values()), ids=list(UNREADABLE))
def test_unreadable_dataset_is_refused_and_nothing_stored(app, make_user, data, filename):
    admin = make_user("admin1", "admin")
    response = admin.upload("/datasets", data, filename, title="Rusak", opd="dinkes", period="2025")
    error = assert_error(response, 422, "invalid")
    assert error["fields"].get("file"), error
    assert dataset_total(admin) == 0
    assert stored_files(app) == []


def test_unknown_opd_is_refused(app, make_user):
    admin = make_user("admin1", "admin")
    response = admin.upload("/datasets", SAMPLE_CSV, "data.csv", title="Data", opd="tidak-ada",
                            period="2025")
    assert "opd" in assert_error(response, 422, "invalid")["fields"]
    assert dataset_total(admin) == 0
    assert stored_files(app) == []


def test_missing_title_is_refused(app, make_user):
    admin = make_user("admin1", "admin")
    response = admin.upload("/datasets", SAMPLE_CSV, "data.csv", opd="dinkes", period="2025")
    error = assert_error(response, 422, "invalid")
    assert "title" in error["fields"]
    assert "opd" not in error["fields"]
    assert dataset_total(admin) == 0
    assert stored_files(app) == []


def test_missing_file_part_for_dataset_is_bad_request(make_user):
    admin = make_user("admin1", "admin")
    response = admin.client.post("/api/v1/datasets", headers=admin._headers(),
                                 data={"title": "Data", "opd": "dinkes", "period": "2025"},
                                 content_type="multipart/form-data")
    assert_error(response, 400, "bad_request")
    assert dataset_total(admin) == 0


def test_dataset_over_max_upload_mb_is_413(app_factory, make_user):
    token = make_user("admin1", "admin").token
    small = app_factory(MAX_UPLOAD_MB=1)
    api = Api(small.test_client(), token)
    rows = b"".join(b"Kecamatan %06d,%06d\n" % (i, i) for i in range(70000))
    data = b"kecamatan,jumlah\n" + rows
    assert len(data) > 1024 * 1024
    response = api.upload("/datasets", data, "besar.csv", title="Besar", opd="dinkes", period="2025")
    assert_error(response, 413, "too_large")
    assert dataset_total(api) == 0
    assert stored_files(small) == []


def test_role_desain_may_not_upload_data(app, make_user):
    desain = make_user("desain1", "desain")
    response = desain.upload("/datasets", SAMPLE_CSV, "data.csv", title="Data", opd="dinkes",
                             period="2025")
    assert_error(response, 403, "forbidden")
    assert stored_files(app) == []
    assert dataset_total(make_user("admin1", "admin")) == 0


def test_pengelola_data_uploads_only_for_own_opd(app, make_user):
    pengelola = make_user("pengelola1", "pengelola_data", opd="dinkes")
    appoint(app, "pengelola1")
    files_before = stored_files(app)  # the letter's PDF
    own = pengelola.upload("/datasets", SAMPLE_CSV, "data.csv", title="Data Dinkes", opd="dinkes",
                           period="2025")
    assert own.status_code == 201, own.get_json()
    assert own.get_json()["opd"]["code"] == "dinkes"
    files_after_own = stored_files(app)
    assert len(files_after_own) == len(files_before) + 1

    other = pengelola.upload("/datasets", b"a,b\n1,2\n", "lain.csv", title="Data Bappeda",
                             opd="bappeda", period="2025")
    assert_error(other, 403, "forbidden")
    assert dataset_total(pengelola) == 1
    assert stored_files(app) == files_after_own

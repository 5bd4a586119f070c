"""The data template screens through HTTP: admins and walidata define templates with the column
editor (posted as parallel lists), every staff member reads and downloads them."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from support.people import sign_in

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def column_lists(*rows, blank=3):
    """The column editor's fields for rows of (name, type, unit, required, codes, description),
    followed by blank rows as the server renders them."""
    rows = [*rows, *[("", "text", "", False, "", "")] * blank]
    return {
        "col_name": [r[0] for r in rows], "col_type": [r[1] for r in rows], "col_unit": [r[2] for r in rows],
        "col_required": [str(i) for i, r in enumerate(rows) if r[3]],
        "col_codes": [r[4] for r in rows], "col_description": [r[5] for r in rows],
    }


POPULATION = (
    ("kode_kecamatan", "text", "", True, "kecamatan", "Kode Kemendagri"),
    ("jumlah_penduduk", "integer", "jiwa", True, "", ""),
    ("catatan", "text", "", False, "", "boleh kosong"),
)


def template_form(title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil", topic="Kependudukan",
                  columns=POPULATION, **extra):
    return {"opd": opd, "topic": topic, "title": title, "description": "Rekap tahunan", **column_lists(*columns),
            **extra}


@pytest.fixture
def staff(app, make_user):
    make_user("admin1", "admin")
    make_user("walidata1", "walidata", opd="diskominfo")
    make_user("operator1", "pengelola_data", opd="dispendukcapil")
    make_user("redaktur1", "redaktur")
    return {name: sign_in(app, name) for name in ("admin1", "walidata1", "operator1", "redaktur1")}


def listed(client, query=""):
    """The titles in the index's tables."""
    page = client.get("/templat" + query).get_data(as_text=True)
    return re.findall(r'<tr data-template="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', page)


def create(client, **fields):
    response = client.post("/templat/baru", data=template_form(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/templat/(\d+)$", response.headers["Location"]).group(1))


def test_admin_creates_a_template_on_the_screen(staff, make_user):
    admin = staff["admin1"]
    form = admin.get("/templat/baru")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert page.count('name="col_name"') == 4  # three blank rows, plus the row the script clones
    assert 'id="topic-choices"' in page and "template-columns.js" in page and "onclick" not in page

    template_id = create(admin)
    shown = admin.get(f"/templat/{template_id}").get_data(as_text=True)
    assert "Jumlah Penduduk per Kecamatan" in shown and "jumlah_penduduk" in shown
    assert "Bilangan bulat" in shown and "Kode kecamatan (Kemendagri)" in shown and "jiwa" in shown
    assert f"/templat/{template_id}/ubah" in shown

    assert listed(admin) == ["Jumlah Penduduk per Kecamatan"]
    index = admin.get("/templat").get_data(as_text=True)
    assert "Dinas Kependudukan dan Pencatatan Sipil" in index
    assert f"/templat/{template_id}/unduh.xlsx" in index and f"/templat/{template_id}/unduh.csv" in index
    assert "/templat/kode/kecamatan.csv" in index and "/templat/kode/desa.csv" in index

    stored = make_user("api_reader", "admin").get(f"/templates/{template_id}").get_json()
    assert [c["name"] for c in stored["columns"]] == ["kode_kecamatan", "jumlah_penduduk", "catatan"]
    assert [c["required"] for c in stored["columns"]] == [True, True, False]
    assert stored["columns"][0]["codes"] == "kecamatan" and stored["columns"][1]["unit"] == "jiwa"


def test_the_required_box_follows_its_row_past_blank_rows(staff, make_user):
    """A blank row between typed ones is dropped, and each "required" box stays with its row."""
    data = template_form(columns=())
    data.update({"col_name": ["a", "", "b", "c"], "col_type": ["text"] * 4, "col_unit": [""] * 4,
                 "col_codes": [""] * 4, "col_description": [""] * 4, "col_required": ["2"]})
    response = staff["admin1"].post("/templat/baru", data=data)
    assert response.status_code == 302
    template_id = int(response.headers["Location"].rsplit("/", 1)[1])
    columns = make_user("api_reader", "admin").get(f"/templates/{template_id}").get_json()["columns"]
    assert [(c["name"], c["required"]) for c in columns] == [("a", False), ("b", True), ("c", False)]


def test_walidata_edits_a_template(staff, make_user):
    template_id = create(staff["admin1"])
    walidata = staff["walidata1"]
    form = walidata.get(f"/templat/{template_id}/ubah").get_data(as_text=True)
    assert 'value="jumlah_penduduk"' in form and 'name="active"' in form
    assert form.count('name="col_name"') == 3 + 3 + 1

    columns = (*POPULATION[:2], ("jumlah_kk", "integer", "KK", False, "", "kepala keluarga"))
    response = walidata.post(f"/templat/{template_id}/ubah",
                             data=template_form(title="Penduduk dan KK per Kecamatan", columns=columns))
    assert response.status_code == 302
    stored = make_user("api_reader", "admin").get(f"/templates/{template_id}").get_json()
    assert stored["title"] == "Penduduk dan KK per Kecamatan" and stored["active"] is False  # box left unchecked
    assert [c["name"] for c in stored["columns"]] == ["kode_kecamatan", "jumlah_penduduk", "jumlah_kk"]
    assert listed(walidata) == ["Penduduk dan KK per Kecamatan"]
    assert "Nonaktif" in walidata.get("/templat").get_data(as_text=True)


@pytest.mark.parametrize("who", ["operator1", "redaktur1"])
def test_other_staff_read_and_download_but_may_not_define(staff, who):
    template_id = create(staff["admin1"])
    client = staff[who]
    assert client.get("/templat/baru").status_code == 403
    assert client.post("/templat/baru", data=template_form(title="Lain")).status_code == 403
    assert client.get(f"/templat/{template_id}/ubah").status_code == 403
    assert client.post(f"/templat/{template_id}/ubah", data=template_form(title="Lain")).status_code == 403

    assert listed(client, "?opd=") == ["Jumlah Penduduk per Kecamatan"]
    assert "/templat/baru" not in client.get("/templat").get_data(as_text=True)
    shown = client.get(f"/templat/{template_id}")
    assert shown.status_code == 200 and f"/templat/{template_id}/ubah" not in shown.get_data(as_text=True)
    assert client.get(f"/templat/{template_id}/unduh.xlsx").status_code == 200
    assert client.get(f"/templat/{template_id}/unduh.csv").status_code == 200
    assert client.get("/templat/kode/desa.csv").status_code == 200


def test_an_operator_sees_their_own_opds_templates_first(staff):
    create(staff["admin1"], title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil")
    create(staff["admin1"], title="Jumlah Puskesmas", opd="dinkes", topic="Kesehatan",
           columns=(("puskesmas", "text", "", True, "", ""),))
    assert listed(staff["operator1"]) == ["Jumlah Penduduk per Kecamatan"]
    assert sorted(listed(staff["operator1"], "?opd=")) == ["Jumlah Penduduk per Kecamatan", "Jumlah Puskesmas"]
    assert sorted(listed(staff["admin1"])) == ["Jumlah Penduduk per Kecamatan", "Jumlah Puskesmas"]
    assert listed(staff["admin1"], "?topik=Kesehatan") == ["Jumlah Puskesmas"]
    assert listed(staff["admin1"], "?opd=dinkes&topik=Kependudukan") == []


@pytest.mark.parametrize("columns, message", [
    ((("jumlah", "integer", "", True, "", ""), ("Jumlah", "number", "", False, "", "")), "nama kolom 'Jumlah' ganda"),
    ((("kecamatan", "integer", "", True, "kecamatan", "kode"),), "daftar kode hanya untuk kolom bertipe teks"),
    ((), "Isi paling sedikit satu kolom."),
    ((("", "text", "orang", False, "", "tanpa nama"),), "Nama kolom wajib diisi."),
])
def test_a_bad_column_list_is_refused_with_the_rows_kept(staff, make_user, columns, message):
    response = staff["admin1"].post("/templat/baru", data=template_form(title="Data Uji", columns=columns))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in html.unescape(page) and 'value="Data Uji"' in page
    for name, _type, unit, _required, _codes, description in columns:
        for typed in (name, unit, description):
            if typed:
                assert f'value="{typed}"' in page
    assert page.count('name="col_name"') == len(columns) + 3 + 1
    assert make_user("api_reader", "admin").get("/templates").get_json()["items"] == []


def test_missing_fields_are_marked_beside_them(staff):
    columns = (*POPULATION, ("", "integer", "KK", False, "", ""))
    response = staff["walidata1"].post("/templat/baru", data=template_form(title="", topic="", opd="", columns=columns))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("opd", "topic", "title", "col-row-3"):
        assert f'id="{field}-error"' in page
    assert 'value="jumlah_penduduk"' in page and 'value="KK"' in page


def test_an_edit_refused_keeps_the_typed_rows(staff):
    template_id = create(staff["admin1"])
    columns = (("a", "text", "", False, "", ""), ("A", "text", "", False, "", ""))
    response = staff["walidata1"].post(f"/templat/{template_id}/ubah", data=template_form(columns=columns))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nama kolom 'A' ganda" in html.unescape(page)
    assert 'value="a"' in page and 'value="A"' in page


def test_the_xlsx_download_is_a_workbook_to_fill_in(staff):
    template_id = create(staff["admin1"])
    response = staff["operator1"].get(f"/templat/{template_id}/unduh.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_TYPE
    assert 'filename="jumlah-penduduk-per-kecamatan.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    data = book.worksheets[0]
    assert [cell.value for cell in data[1]] == ["kode_kecamatan", "jumlah_penduduk", "catatan"]
    assert "Petunjuk" in book.sheetnames
    codes = [row[0] for row in book["kecamatan"].iter_rows(min_row=2, values_only=True)]
    assert len(codes) == 18 and all(code.startswith("35.20.") for code in codes)


def test_the_csv_download_is_the_header_row(staff):
    template_id = create(staff["admin1"], title="Penduduk Kecamatan — Tahun 2025")
    response = staff["redaktur1"].get(f"/templat/{template_id}/unduh.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="penduduk-kecamatan-tahun-2025.csv"' in response.headers["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == ["kode_kecamatan", "jumlah_penduduk", "catatan"]


@pytest.mark.parametrize("list_name, count", [("kecamatan", 18), ("desa", 235)])
def test_code_lists_as_csv(staff, list_name, count):
    response = staff["operator1"].get(f"/templat/kode/{list_name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["kode", "nama"] and len(rows) - 1 == count
    assert all(code.startswith("35.20.") and name for code, name in rows[1:])


def test_an_unknown_code_list_or_template_is_not_found(staff):
    assert staff["operator1"].get("/templat/kode/provinsi.csv").status_code == 404
    assert staff["operator1"].get("/templat/999999").status_code == 404
    assert staff["admin1"].get("/templat/999999/ubah").status_code == 404
    assert staff["operator1"].get("/templat/999999/unduh.xlsx").status_code == 404


def test_signing_in_is_required(client):
    for path in ("/templat", "/templat/baru", "/templat/kode/kecamatan.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], path

"""The public catalog of checked data: the list with its search and filters, the dataset page with
its metadata and chart, and the downloads in CSV, XLSX and JSON."""
from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from support.catalog import upload_dataset
from support.people import sign_in

# 25 rows: more than the preview keeps (DATASET_PREVIEW_ROWS = 20), so that the chart and the
# downloads show that they read the whole file. Codes with a leading zero stay text; blanks are
# None; a cell that looks like a formula stays text.
WIDE_HEADER = ["kecamatan", "kode", "jumlah", "rasio", "keterangan"]
WIDE_ROWS = [[f"Kecamatan {n:02d}", f"0{350 + n}", str(1000 * n), f"{n}.5", "" if n % 5 else f"catatan {n}"]
             for n in range(1, 26)]
WIDE_ROWS[2][4] = "=1+2"
WIDE_ROWS[3][0] = "Ngariboyo — timur"


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue().encode()


def upload_ready(api, data: bytes, filename="data.csv", **fields):
    """A dataset through the API, handed in and checked by the caller (an admin)."""
    response = api.upload("/datasets", data, filename, **{"opd": "dispendukcapil", "period": "2025", **fields})
    assert response.status_code == 201, response.get_json()
    dataset_id = response.get_json()["id"]
    for step in ("submit", "approve"):
        assert api.post(f"/datasets/{dataset_id}/{step}").status_code == 200
    return dataset_id


def listed(html: str) -> list[str]:
    """The titles of the catalog's result cards."""
    return [unescape(t) for t in re.findall(r'<h2 class="h5 card-title mb-1"><a href="/data/\d+">([^<]*)</a>', html)]


@pytest.fixture
def admin(make_user):
    return make_user("admin1", "admin")


@pytest.fixture
def three(admin):
    """Three checked datasets of different OPDs, topics and years."""
    upload_dataset(admin, title="Jumlah Penduduk per Kecamatan", opd="dispendukcapil", topic="Kependudukan",
                   release_date="2026-01-15")
    upload_dataset(admin, title="Angka Kesakitan Malaria", opd="dinkes", topic="Kesehatan", period="2024")
    upload_dataset(admin, title="Produksi Padi", opd="dispertan", topic="Pertanian", period="2025-S1")


def test_catalog_lists_checked_data_with_its_facts(client, three):
    response = client.get("/data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert sorted(listed(html)) == ["Angka Kesakitan Malaria", "Jumlah Penduduk per Kecamatan", "Produksi Padi"]
    assert "3 data dalam katalog." in html
    assert "Semester I 2025" in html  # the period in words
    assert "15 Januari 2026" in html  # the release date
    assert "Dinas Kesehatan" in html and "Kesehatan</span>" in html


@pytest.mark.parametrize("q, expected", [
    ("penduduk", ["Jumlah Penduduk per Kecamatan"]),           # a word of the title
    ("PADI produksi", ["Produksi Padi"]),                       # every word, any case
    ("pencatatan", ["Jumlah Penduduk per Kecamatan"]),          # a word of the OPD's name only
    ("dinas kesehatan", ["Angka Kesakitan Malaria"]),
    ("malaria padi", []),
])
def test_search_finds_words_of_title_and_opd(client, three, q, expected):
    html = client.get("/data", query_string={"q": q}).get_data(as_text=True)
    assert listed(html) == expected
    assert f"{len(expected)} data cocok dengan pencarian." in html
    if not expected:
        assert "Tidak ada data yang cocok." in html


@pytest.mark.parametrize("args, expected", [
    ({"opd": "dinkes"}, ["Angka Kesakitan Malaria"]),
    ({"topic": "Pertanian"}, ["Produksi Padi"]),
    ({"year": "2024"}, ["Angka Kesakitan Malaria"]),
    ({"year": "2025"}, ["Jumlah Penduduk per Kecamatan", "Produksi Padi"]),
    ({"year": "2025", "opd": "dispertan"}, ["Produksi Padi"]),
    ({"year": "2024", "opd": "dispertan"}, []),
    ({"q": "produksi", "topic": "Kesehatan"}, []),
])
def test_each_filter_narrows(client, three, args, expected):
    response = client.get("/data", query_string=args)
    assert response.status_code == 200
    assert sorted(listed(response.get_data(as_text=True))) == expected


def test_filters_offer_only_what_the_catalog_holds(client, three, admin):
    draft = admin.upload("/datasets", b"a,b\n1,2\n", "x.csv", title="Draf Dishub", opd="dishub", period="2019")
    assert draft.status_code == 201
    html = client.get("/data").get_data(as_text=True)
    assert [o for o, _ in options(html, "opd")] == ["Semua perangkat daerah", "Dinas Kependudukan dan Pencatatan Sipil",
                                                    "Dinas Kesehatan", "Dinas Pertanian dan Ketahanan Pangan"]
    assert [o for o, _ in options(html, "year")] == ["Semua", "2025", "2024"]
    assert [o for o, _ in options(html, "topic")] == ["Semua topik", "Kependudukan", "Kesehatan", "Pertanian"]


@pytest.mark.parametrize("args, field, message", [
    ({"year": "dua ribu"}, "year", "Tahun harus ditulis dengan empat angka"),
    ({"year": "20255"}, "year", "Tahun harus ditulis dengan empat angka"),
    ({"opd": "tidak-ada"}, "opd", "Perangkat daerah “tidak-ada” tidak ada dalam katalog."),
])
def test_a_bad_filter_is_explained_and_ignored(client, three, args, field, message):
    response = client.get("/data", query_string={**args, "page": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<div class="invalid-feedback" id="{field}-error">{message}' in html
    assert len(listed(html)) == 3  # the refused filter does not narrow


def test_empty_catalog_and_pages(app_factory, admin):
    app = app_factory(PER_PAGE=2)
    client = app.test_client()
    assert "Katalog masih kosong." in client.get("/data").get_data(as_text=True)
    for title in ("Data satu", "Data dua", "Data tiga"):
        upload_dataset(admin, title=title)
    first = client.get("/data").get_data(as_text=True)
    second = client.get("/data", query_string={"page": 2}).get_data(as_text=True)
    assert len(listed(first)) == 2 and len(listed(second)) == 1
    assert 'href="/data?page=2"' in first
    assert "Halaman ini kosong." in client.get("/data?page=9").get_data(as_text=True)


def test_unchecked_data_is_never_listed_nor_reachable(client, app, admin):
    ids = {}
    for status in ("draft", "submitted", "returned"):
        response = admin.upload("/datasets", csv_bytes(WIDE_HEADER, WIDE_ROWS), "x.csv",
                                title=f"Rahasia {status}", opd="dinkes", period="2025")
        ids[status] = response.get_json()["id"]
    admin.post(f"/datasets/{ids['submitted']}/submit")
    admin.post(f"/datasets/{ids['returned']}/submit")
    assert admin.post(f"/datasets/{ids['returned']}/return", json={"reason": "Kolom salah."}).status_code == 200
    assert [d["status"] for d in (admin.get(f"/datasets/{i}").get_json() for i in ids.values())] == \
        ["draft", "submitted", "returned"]

    for args in ({}, {"q": "rahasia"}, {"opd": "dinkes"}):
        assert "Rahasia" not in client.get("/data", query_string=args).get_data(as_text=True)
    for dataset_id in ids.values():
        for path in ("", "/unduh", "/unduh.csv", "/unduh.xlsx", "/unduh.json", "?kolom=jumlah"):
            assert client.get(f"/data/{dataset_id}{path}").status_code == 404, path

    staff = sign_in(app, "admin1")
    page = staff.get(f"/data/{ids['submitted']}")
    assert page.status_code == 200
    assert "Menunggu pemeriksaan walidata" in page.get_data(as_text=True)
    assert staff.get(f"/data/{ids['draft']}/unduh.json").get_json()["dataset"]["title"] == "Rahasia draft"
    assert "Rahasia" not in staff.get("/data").get_data(as_text=True)  # the catalog is the public's


@pytest.fixture
def wide(admin):
    return upload_ready(admin, csv_bytes(WIDE_HEADER, WIDE_ROWS), title="Rasio Ketergantungan Ünik",
                        unit="jiwa", topic="Kependudukan", source="Dispendukcapil", license="CC-BY 4.0",
                        concept="Jumlah penduduk menurut kecamatan.", method="Rekap SIAK.",
                        contact="data@magetan.go.id", release_date="2026-02-01")


def expected_records():
    return [{"kecamatan": k, "kode": c, "jumlah": int(j), "rasio": float(r), "keterangan": t or None}
            for k, c, j, r, t in WIDE_ROWS]


def test_csv_export_parses_back_to_the_same_rows(client, wide):
    response = client.get(f"/data/{wide}/unduh.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=rasio-ketergantungan-unik-2025.csv"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    assert rows == [WIDE_HEADER, *WIDE_ROWS]


def test_xlsx_export_opens_with_the_same_rows(client, wide):
    response = client.get(f"/data/{wide}/unduh.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("rasio-ketergantungan-unik-2025.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Data"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == WIDE_HEADER
    assert [dict(zip(WIDE_HEADER, r, strict=True)) for r in rows[1:]] == expected_records()
    assert sheet["E4"].value == "=1+2" and sheet["E4"].data_type == "s"  # text, not a formula
    about = {k: v for k, v in book["Metadata"].iter_rows(values_only=True)}
    assert about["title"] == "Rasio Ketergantungan Ünik" and about["opd"] == "Dinas Kependudukan dan Pencatatan Sipil"


def test_json_export_has_metadata_and_typed_rows(client, wide):
    response = client.get(f"/data/{wide}/unduh.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body["columns"] == WIDE_HEADER
    assert body["rows"] == expected_records()
    assert type(body["rows"][0]["jumlah"]) is int and type(body["rows"][0]["rasio"]) is float
    assert body["rows"][0]["kode"] == "0351"
    meta = body["dataset"]
    assert meta["id"] == wide and meta["title"] == "Rasio Ketergantungan Ünik"
    assert meta["opd"] == {"code": "dispendukcapil", "name": "Dinas Kependudukan dan Pencatatan Sipil"}
    assert (meta["period"], meta["period_label"], meta["release_date"], meta["row_count"]) == \
        ("2025", "2025", "2026-02-01", 25)
    assert meta["url"] == f"http://localhost/data/{wide}"


def test_unknown_export_format_is_not_found(client, wide):
    assert client.get(f"/data/{wide}/unduh.pdf").status_code == 404
    assert client.get("/data/999999/unduh.csv").status_code == 404


def test_xlsx_upload_exports_the_same_values(client, admin):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["desa", "luas"])
    book.active.append(["Bulukerto", 3.25])
    book.active.append(["Candirejo", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset_id = upload_ready(admin, buffer.getvalue(), "luas.xlsx", title="Luas Desa")
    assert client.get(f"/data/{dataset_id}/unduh.json").get_json()["rows"] == \
        [{"desa": "Bulukerto", "luas": 3.25}, {"desa": "Candirejo", "luas": 12}]
    assert client.get(f"/data/{dataset_id}/unduh.csv").data.decode() == \
        "desa,luas\r\nBulukerto,3.25\r\nCandirejo,12\r\n"


def test_template_data_keeps_the_template_order_and_types(client, admin):
    response = admin.post("/templates", json={
        "opd": "dispendukcapil", "title": "Penduduk per kecamatan", "topic": "Kependudukan",
        "columns": [{"name": "kecamatan", "type": "text", "required": True},
                    {"name": "kode", "type": "text"},
                    {"name": "jumlah", "type": "integer", "unit": "jiwa"}]})
    assert response.status_code == 201, response.get_json()
    template = response.get_json()["id"]
    data = b"Jumlah;Kecamatan;Kode\n1.234;Magetan;3520\n48200;Maospati;3521\n"
    dataset_id = upload_ready(admin, data, "p.csv", title="Penduduk Templat", template=str(template))
    body = client.get(f"/data/{dataset_id}/unduh.json").get_json()
    assert body["columns"] == ["kecamatan", "kode", "jumlah"]
    assert body["rows"] == [{"kecamatan": "Magetan", "kode": "3520", "jumlah": 1234},
                            {"kecamatan": "Maospati", "kode": "3521", "jumlah": 48200}]
    assert body["dataset"]["template"] == "Penduduk per kecamatan"
    html = client.get(f"/data/{dataset_id}").get_data(as_text=True)
    assert "Penduduk per kecamatan" in html  # the template's name among the metadata
    assert options(html, "kolom") == [("jumlah", True)]  # codes are text, not numbers


def test_dataset_page_shows_the_satu_data_metadata(client, wide):
    html = client.get(f"/data/{wide}").get_data(as_text=True)
    for label, value in [("Produsen data", "Dinas Kependudukan dan Pencatatan Sipil"), ("Topik", "Kependudukan"),
                         ("Periode", "2025"), ("Frekuensi", "Tahunan"), ("Satuan", "jiwa"),
                         ("Sumber", "Dispendukcapil"), ("Konsep dan definisi", "Jumlah penduduk menurut kecamatan."),
                         ("Metode", "Rekap SIAK."), ("Kontak", "data@magetan.go.id"), ("Lisensi", "CC-BY 4.0"),
                         ("Tanggal rilis", "1 Februari 2026"), ("Jumlah baris", "25")]:
        assert re.search(rf'<th scope="row">{re.escape(label)}</th><td[^>]*>{re.escape(value)}</td>', html), label
    assert "20 baris pertama dari 25 baris" in html  # the preview
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/data/{wide}/unduh.{fmt}"' in html
    assert f'href="/data/{wide}/unduh"' in html  # the original file


def options(html, select_id):
    """The options of a select: [(text, selected)]."""
    select = re.search(rf'<select [^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    found = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    return [(unescape(text), "selected" in attrs) for attrs, text in found]


def bars(html):
    return re.findall(r'<rect class="bar" [^>]*data-label="([^"]*)" data-value="([^"]*)"', html)


def test_chart_has_one_bar_per_row_of_the_whole_table(client, wide):
    response = client.get(f"/data/{wide}", query_string={"kolom": "jumlah", "label": "kecamatan"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    drawn = bars(html)
    assert len(drawn) == 25  # the preview holds 20
    assert [unescape(label) for label, _ in drawn] == [r[0] for r in WIDE_ROWS]
    assert [value for _, value in drawn] == [r[2] for r in WIDE_ROWS]
    assert "jumlah menurut kecamatan." in html
    # The longest bar takes the whole plot; the others in proportion.
    widths = [float(w) for w in re.findall(r'<rect class="bar" [^>]*width="([\d.]+)%"', html)]
    assert widths[-1] == 72.0 and widths[0] == pytest.approx(72.0 / 25, abs=0.001)


def test_chart_defaults_and_row_numbers(client, wide):
    html = client.get(f"/data/{wide}").get_data(as_text=True)
    assert options(html, "kolom") == [("jumlah", True), ("rasio", False)]  # the first numeric column
    assert options(html, "label") == [("Nomor baris", False), ("kecamatan", True),
                                      *((c, False) for c in WIDE_HEADER[1:])]
    assert len(bars(html)) == 25
    html = client.get(f"/data/{wide}", query_string={"kolom": "rasio", "label": ""}).get_data(as_text=True)
    assert [label for label, _ in bars(html)][:2] == ["#1", "#2"]
    assert [value for _, value in bars(html)][:2] == ["1.5", "2.5"]
    assert ">1,5</text>" in html  # the value written the Indonesian way


@pytest.mark.parametrize("args, field, message", [
    ({"kolom": "tidak_ada"}, "kolom", "Kolom “tidak_ada” tidak ada pada data ini."),
    ({"kolom": "kecamatan"}, "kolom", "Kolom “kecamatan” tidak berisi angka; pilih salah satu kolom angka."),
    ({"kolom": "jumlah", "label": "<b>x</b>"}, "label", "Kolom “&lt;b&gt;x&lt;/b&gt;” tidak ada pada data ini."),
])
def test_unknown_chart_column_is_a_friendly_message(client, wide, args, field, message):
    response = client.get(f"/data/{wide}", query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<div class="invalid-feedback" id="{field}-error">{message}</div>' in html
    assert bars(html) == []
    assert "Kecamatan 01" in html and "Metadata" in html  # the rest of the page is there


def test_data_without_numbers_has_no_chart(client, admin):
    dataset_id = upload_ready(admin, b"nama,alamat\nA,Jl. 1\nB,Jl. 2\n", title="Daftar Alamat")
    html = client.get(f"/data/{dataset_id}").get_data(as_text=True)
    assert "Data ini tidak memiliki kolom angka untuk digambar." in html and bars(html) == []
    assert client.get(f"/data/{dataset_id}?kolom=nama").status_code == 422


def test_portal_home_links_to_the_catalog(client):
    assert 'href="/data"' in client.get("/").get_data(as_text=True)


def test_filters_keep_what_was_chosen(client, three):
    args = {"year": "2019", "topic": "Pariwisata", "opd": "dinkes"}
    html = client.get("/data", query_string=args).get_data(as_text=True)
    assert ("2019", True) in options(html, "year") and ("Pariwisata", True) in options(html, "topic")
    assert ("Dinas Kesehatan", True) in options(html, "opd")
    assert listed(html) == [] and "Tidak ada data yang cocok." in html


def test_parsed_tables_are_kept_in_a_bounded_cache(app, admin):
    from app.catalog import public as catalog
    from app.catalog.models import Dataset
    from app.extensions import db

    ids = [upload_ready(admin, f"angka\n{n}\n".encode(), title=f"Data {n}") for n in range(catalog.CACHE_TABLES + 1)]
    with app.app_context():
        first = catalog.full_table(db.session.get(Dataset, ids[0]))
        assert catalog.full_table(db.session.get(Dataset, ids[0])) is first  # read once
        for dataset_id in ids[1:]:
            catalog.full_table(db.session.get(Dataset, dataset_id))
        again = catalog.full_table(db.session.get(Dataset, ids[0]))
        assert again is not first and again == first  # pushed out by newer ones, read again
        assert again.rows == ((0,),) and again.numeric == ("angka",)

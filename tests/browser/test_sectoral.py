"""Sectoral data in a real browser: an operator uploads and hands in a recap, the walidata
returns it with a reason, the operator corrects it, the walidata approves it, and the redaktur
can then choose it for a new publication."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support.catalog import appoint
from support.samples import SAMPLE_CSV

pytestmark = pytest.mark.browser

TITLE = "Jumlah Penduduk per Kecamatan"
CORRECTED = "Jumlah Penduduk per Kecamatan (perbaikan)"
REASON = "Angka Kecamatan Plaosan belum sesuai data semester I."


@pytest.fixture
def people(app, make_user):
    admin = make_user("admin1", "admin")
    template = {"opd": "dinkes", "topic": "Kesehatan", "title": "Jumlah Posyandu",
                "columns": [{"name": "kode_kecamatan", "type": "text", "required": True, "codes": "kecamatan"}]}
    assert admin.post("/templates", json=template).status_code == 201
    make_user("op1", "pengelola_data", opd="dinkes")
    make_user("wali1", "walidata")
    make_user("redaktur1", "redaktur")
    appoint(app, "op1")


def open_from_queue(page, title):
    page.goto("/data-sektoral")
    expect(page.get_by_role("link", name="Menunggu pemeriksaan")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name=f"Periksa {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


@pytest.mark.slow
def test_a_recap_from_upload_to_the_choice_of_a_publication(browse, people):
    operator = browse("op1").page
    operator.goto("/data-sektoral")
    operator.get_by_role("link", name="Unggah data").click()
    columns = operator.locator("[data-template-info]")
    expect(columns).to_be_hidden()
    operator.get_by_label("Templat data").select_option(label="Jumlah Posyandu (Kesehatan)")
    expect(columns).to_be_visible()  # the template's columns and its blank file
    expect(columns).to_contain_text("kode_kecamatan")
    expect(columns.get_by_role("link", name="Unduh templat kosong (XLSX)")).to_be_visible()
    operator.get_by_label("Templat data").select_option(label="Tanpa templat")
    expect(columns).to_be_hidden()
    operator.get_by_label("Judul data").fill(TITLE)
    operator.get_by_label("Periode").fill("2025-S1")
    operator.get_by_label("Sumber data").fill("Dinas Kesehatan")
    operator.get_by_label("Berkas data (CSV atau XLSX)").set_input_files(
        {"name": "penduduk.csv", "mimeType": "text/csv", "buffer": SAMPLE_CSV})
    operator.get_by_role("button", name="Unggah sebagai draf").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(operator.locator("#dataset-status")).to_have_text("Draf")
    expect(operator.get_by_role("cell", name="Maospati")).to_be_visible()
    operator.get_by_role("button", name="Ajukan ke walidata").click()
    expect(operator.locator("#dataset-status")).to_have_text("Menunggu pemeriksaan walidata")
    dataset_url = operator.url

    walidata = browse("wali1").page
    open_from_queue(walidata, TITLE)
    walidata.get_by_role("button", name="Kembalikan").click()
    expect(walidata.get_by_text("wajib diisi")).to_be_visible()  # no reason: refused beside the field
    walidata.get_by_label("Alasan pengembalian").fill(REASON)
    walidata.get_by_role("button", name="Kembalikan").click()
    expect(walidata.get_by_role("status").filter(has_text="dikembalikan ke OPD")).to_be_visible()

    operator.goto(dataset_url)
    expect(operator.locator("#return-reason")).to_contain_text(REASON)
    operator.get_by_role("link", name="Ubah data").click()
    expect(operator.get_by_label("Periode")).to_have_value("2025-S1")
    operator.get_by_label("Judul data").fill(CORRECTED)
    operator.get_by_role("button", name="Simpan perubahan").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text(CORRECTED)
    operator.get_by_role("button", name="Ajukan ke walidata").click()
    expect(operator.locator("#dataset-status")).to_have_text("Menunggu pemeriksaan walidata")

    open_from_queue(walidata, CORRECTED)
    expect(walidata.locator("#history")).to_contain_text(REASON)
    walidata.get_by_role("button", name="Setujui").click()
    expect(walidata.get_by_role("status").filter(has_text="siap dipublikasikan")).to_be_visible()

    redaktur = browse("redaktur1").page
    redaktur.goto("/proses/baru")
    expect(redaktur.get_by_role("radio", name=CORRECTED)).to_be_visible()

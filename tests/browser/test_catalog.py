"""The public catalog in a real browser: an anonymous visitor finds a dataset, draws a column and
finds the downloads; on a desktop and on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support.browser import ARTIFACTS
from support.catalog import upload_dataset

pytestmark = pytest.mark.browser

ROWS = [("Magetan", 45780, 12.5), ("Maospati", 48200, 14.25), ("Plaosan", 50500, 9.75), ("Panekan", 41230, 11.0),
        ("Sukomoro", 35120, 8.5), ("Bendo", 38900, 10.25), ("Parang", 44870, 13.0), ("Lembeyan", 29450, 7.75),
        ("Takeran", 33610, 9.0), ("Kawedanan", 40320, 10.5), ("Ngariboyo", 37890, 9.25), ("Barat", 30110, 8.0),
        ("Karangrejo", 36240, 9.5), ("Kartoharjo", 28700, 7.5), ("Karas", 32980, 8.75), ("Sidorejo", 27650, 7.0),
        ("Poncol", 31440, 8.25), ("Nguntoronadi", 26890, 6.75), ("Kebonsari", 35780, 9.0),
        ("Ngariboyo Timur", 12345, 3.5),
        ("Sarangan", 22010, 6.0), ("Candirejo", 18760, 5.5)]


def census_csv() -> bytes:
    lines = ["kecamatan,jumlah_penduduk,kepadatan_per_ha"] + [f"{k},{n},{d}" for k, n, d in ROWS]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def catalog(make_user):
    admin = make_user("admin1", "admin")
    response = admin.upload("/datasets", census_csv(), "penduduk.csv", title="Jumlah Penduduk per Kecamatan",
                            opd="dispendukcapil", period="2025", topic="Kependudukan", unit="jiwa",
                            source="SIAK Dispendukcapil", license="CC-BY 4.0", frequency="tahunan",
                            description="Jumlah penduduk menurut kecamatan hasil konsolidasi data kependudukan.",
                            concept="Penduduk adalah warga yang terdaftar dalam kartu keluarga.",
                            method="Rekapitulasi data SIAK per 31 Desember.", contact="dispendukcapil@magetan.go.id")
    dataset_id = response.get_json()["id"]
    for step in ("submit", "approve"):
        assert admin.post(f"/datasets/{dataset_id}/{step}").status_code == 200
    upload_dataset(admin, title="Kunjungan Puskesmas", opd="dinkes", topic="Kesehatan", period="2024")
    upload_dataset(admin, title="Luas Panen Padi", opd="dispertan", topic="Pertanian", period="2025-S1")
    draft = admin.upload("/datasets", census_csv(), "x.csv", title="Penduduk draf", opd="dispendukcapil", period="2025")
    assert draft.status_code == 201
    return dataset_id


@pytest.mark.slow
def test_visitor_searches_opens_and_charts_a_dataset(browse, catalog):
    page = browse().page
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Katalog Data", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Katalog data sektoral Kabupaten Magetan")
    expect(page.locator(".catalog-item")).to_have_count(3)

    page.get_by_label("Kata kunci").fill("penduduk")
    page.get_by_role("button", name="Cari").click()
    expect(page.locator(".catalog-item")).to_have_count(1)  # the draft is not listed
    expect(page.get_by_role("status")).to_have_text("1 data cocok dengan pencarian.")
    page.get_by_label("Tahun").select_option("2024")
    page.get_by_role("button", name="Cari").click()
    expect(page.locator(".catalog-item")).to_have_count(0)
    expect(page.get_by_text("Tidak ada data yang cocok.")).to_be_visible()
    page.get_by_label("Tahun").select_option("")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Jumlah Penduduk per Kecamatan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jumlah Penduduk per Kecamatan")
    expect(page.locator("svg.catalog-chart rect.bar")).to_have_count(len(ROWS))  # the whole table
    page.get_by_label("Kolom angka").select_option("kepadatan_per_ha")  # the page redraws by itself
    expect(page).to_have_url(re.compile(r"kolom=kepadatan_per_ha"))
    chart = page.locator("svg.catalog-chart")
    expect(chart.locator("rect.bar")).to_have_count(len(ROWS))
    expect(chart.locator("rect.bar").first).to_have_attribute("data-value", "12.5")
    expect(chart.locator("text.bar-label").nth(1)).to_have_text("Maospati")
    expect(chart.locator("text.bar-value").nth(1)).to_have_text("14,25")
    expect(page.get_by_text("kepadatan_per_ha menurut kecamatan.")).to_be_visible()

    downloads = page.locator("#unduh")
    for fmt in ("csv", "xlsx", "json"):
        expect(downloads.get_by_role("link", name=fmt.upper(), exact=True)).to_have_attribute(
            "href", f"/data/{catalog}/unduh.{fmt}")
    expect(downloads.get_by_role("link", name=re.compile("Berkas asli"))).to_have_attribute(
        "href", f"/data/{catalog}/unduh")
    with page.expect_download() as download:
        downloads.get_by_role("link", name="JSON", exact=True).click()
    assert download.value.suggested_filename == "jumlah-penduduk-per-kecamatan-2025.json"


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_catalog_screens_fit_the_width(browse, catalog, width, height):
    """Nothing sticks out sideways on a desktop or a phone; the pictures land in the artifacts."""
    pictures = ARTIFACTS / "catalog"
    pictures.mkdir(parents=True, exist_ok=True)
    page = browse(viewport={"width": width, "height": height}).page
    for name, path in (("catalog", "/data"), ("dataset", f"/data/{catalog}?kolom=jumlah_penduduk")):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
        page.screenshot(path=str(pictures / f"{name}-{width}.png"), full_page=True)
    # Bar labels stay readable on a phone: the chart is drawn at the page's width, not shrunk.
    size = page.locator("svg.catalog-chart text.bar-label").first.evaluate("e => e.getBoundingClientRect().height")
    assert size >= 12

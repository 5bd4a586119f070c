"""The SOP document generated from the model: the activity table of the shipped process equals
the seed SOP's rows, the flowchart in SOP style, the printable page, the PDF, and the admin's
metadata form."""
from __future__ import annotations

import io
import re
from typing import NamedTuple

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader
from sqlalchemy import select
from support.people import sign_in

from app.core.models import AuditEvent, User
from app.extensions import db
from app.process_admin import sop_document as sop
from app.process_admin.models import ProcessMeta
from app.workflow import processes

SHIPPED = "processes/penyebarluasan_data.bpmn"
SVG = "{http://www.w3.org/2000/svg}"


class SeedRow(NamedTuple):
    no: int
    kegiatan: str
    pelaksana: str
    persyaratan: str
    waktu: str
    output: str
    keterangan: str


# The activity table of ../shared/sop/SOP-Penyebarluasan-Data-Diskominfo-Magetan.txt, written
# out by hand. The text keeps no marks in the Pelaksana columns; they come from the SOP's
# "Sistem, Mekanisme dan Prosedur" (Tim Desainer: 2, 3, 4, 7 Upload; Redaktur: 1, 5 "Apakah
# ada revisi?", 6a "Hasil Disetujui"), numbered there in the flowchart's order.
SEED = [
    SeedRow(1, "Penyebarluasan Data", "Redaktur", "", "", "", ""),
    SeedRow(2, "Menentukan Data yang akan dipublikasikan", "Redaktur", "Data Terolah", "1 hari", "", ""),
    SeedRow(3, "Mengambil Data dari data yang sudah terolah", "Tim Desain", "Data Terolah", "1 hari",
            "Data Terolah Terpilih", "Data terolah menggunakan SOP Pengolahan Data"),
    SeedRow(4, "Mendesain bahan untuk publikasi", "Tim Desain", "Data Terolah Terpilih", "1 hari", "Desain Jadi", ""),
    SeedRow(5, "Memberi keterangan kalimat/caption", "Tim Desain", "", "1 hari",
            "Desain yang telah jadi dan sudah ditambahkan keterangan tentang data",
            "Memberikan caption yang tepat untuk desain yang dibuat"),
    SeedRow(6, "Apakah ada revisi?", "Redaktur", "", "1 hari", "", ""),
    SeedRow(7, "Hasil disetujui", "Redaktur", "", "1 hari", "", ""),
    SeedRow(8, "Upload data pada media sosial atau website", "Tim Desain",
            "Desain yang telah jadi dan sudah ditambahkan keterangan tentang data", "1 hari",
            "Desain terupload / tersosialisasikan", ""),
]
SEED_PELAKSANA = ("Tim Desain", "Redaktur")
# The one property the seed needs that the shipped model does not carry (the milestone's time).
MILESTONE_TIME = '<spiffworkflow:property name="waktuHariKerja" value="1" />'


def norm(text: str) -> str:
    """Wording compared as the SOP reads it: case, spaces and spaces around slashes aside."""
    return re.sub(r"\s*/\s*", "/", " ".join(text.split())).casefold()


def as_seed(row: sop.Row) -> SeedRow:
    return SeedRow(row.no, norm(row.kegiatan), row.lane, row.persyaratan, row.waktu, row.output, row.keterangan)


def expected() -> list[SeedRow]:
    return [r._replace(kegiatan=norm(r.kegiatan)) for r in SEED]


def with_milestone_time(xml: str) -> str:
    """The shipped model with waktuHariKerja = 1 on the milestone hasil_disetujui."""
    anchor = '<bpmn:intermediateThrowEvent id="hasil_disetujui" name="Hasil disetujui">'
    assert xml.count(anchor) == 1
    return xml.replace(anchor, anchor + "<bpmn:extensionElements><spiffworkflow:properties>"
                       + MILESTONE_TIME + "</spiffworkflow:properties></bpmn:extensionElements>")


def milestone_has_time(xml: str) -> bool:
    root = etree.fromstring(xml.encode())
    return bool(root.xpath('//bpmn:intermediateThrowEvent[@id="hasil_disetujui"]/bpmn:extensionElements'
                           '//spiffworkflow:property[@name="waktuHariKerja"]', namespaces=sop.NS))


@pytest.fixture
def people(app, make_user):
    for name, role in (("admin1", "admin"), ("redaktur1", "redaktur"), ("desain1", "desain"),
                       ("pengawas1", "pengawas")):
        make_user(name, role)
    return {name: sign_in(app, name) for name in ("admin1", "redaktur1", "desain1", "pengawas1")}


@pytest.fixture
def saved_meta(app):
    """process_meta is seed data that the test database keeps between tests: put it back."""
    with app.app_context():
        row = db.session.scalars(select(ProcessMeta).where(ProcessMeta.process_id == "penyebarluasan_data")).one()
        kept = (dict(row.meta), row.updated_by_id, row.updated_at)
    yield kept[0]
    with app.app_context():
        row = db.session.scalars(select(ProcessMeta).where(ProcessMeta.process_id == "penyebarluasan_data")).one()
        row.meta, row.updated_by_id, row.updated_at = kept
        db.session.commit()


def shipped_table(app) -> sop.ActivityTable:
    """The table of the shipped process, columns in the order the seeded metadata gives."""
    with app.app_context():
        meta = db.session.scalars(select(ProcessMeta).where(ProcessMeta.process_id == "penyebarluasan_data")).one()
        return sop.activity_table(processes.latest("penyebarluasan_data"), meta.meta.get("pelaksana_order", ()))


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# The activity table -------------------------------------------------------------------------

def test_the_table_of_the_shipped_process_equals_the_seed_rows(app):
    table = shipped_table(app)
    got = [as_seed(row) for row in table.rows]
    assert [r.no for r in got] == list(range(1, 9))
    assert tuple(table.pelaksana) == SEED_PELAKSANA  # the SOP's column order, from the metadata
    assert [(want, have) for want, have in zip(expected(), got, strict=True) if want != have] == []


def test_with_the_milestones_time_the_table_is_the_seed_exactly():
    xml = with_milestone_time(open(SHIPPED, encoding="utf-8").read())
    table = sop.table_from_xml(xml.encode(), ["Tim Desain", "Redaktur"])
    assert [as_seed(row) for row in table.rows] == expected()
    assert table.pelaksana == SEED_PELAKSANA
    # The sum of the rows is the service standard of 7 hari kerja.
    assert sum(float(r.waktu.split()[0]) for r in table.rows if r.waktu) == 7


def test_rows_follow_the_flow_and_the_loop_repeats_nothing():
    table = sop.table_from_xml(open(SHIPPED, "rb").read())
    assert [r.element_id for r in table.rows] == [
        "mulai", "tentukan_data", "ambil_data", "desain", "caption", "periksa", "hasil_disetujui", "publikasi"]
    assert [r.kind for r in table.rows] == ["start", "task", "task", "task", "task", "decision", "event", "task"]
    # The lanes of the model in its own order when the metadata names none.
    assert table.pelaksana == ("Redaktur", "Tim Desain")
    assert {(link.source, link.target, link.label) for link in table.links} == {
        (1, 2, ""), (2, 3, ""), (3, 4, ""), (4, 5, ""), (5, 6, ""), (6, 4, "Revisi"), (6, 7, "Disetujui"), (7, 8, "")}


def test_sop_wording_and_order_come_from_properties_when_set():
    xml = open(SHIPPED, encoding="utf-8").read()
    xml = xml.replace('<spiffworkflow:property name="barisSop" value="2" />',
                      '<spiffworkflow:property name="barisSop" value="2" />'
                      '<spiffworkflow:property name="kegiatanSop" value="Menentukan Data yang akan dipublikasikan" />')
    # A new step between caption and the review, reached only through the flows.
    xml = xml.replace('<bpmn:sequenceFlow id="flow_5" sourceRef="caption" targetRef="periksa" />',
                      '<bpmn:sequenceFlow id="flow_5" sourceRef="caption" targetRef="cek" />'
                      '<bpmn:sequenceFlow id="flow_5b" sourceRef="cek" targetRef="periksa" />')
    xml = xml.replace('<bpmn:flowNodeRef>caption</bpmn:flowNodeRef>',
                      '<bpmn:flowNodeRef>caption</bpmn:flowNodeRef><bpmn:flowNodeRef>cek</bpmn:flowNodeRef>')
    xml = xml.replace('<bpmn:exclusiveGateway id="gateway_revisi"',
                      '<bpmn:task id="cek" name="Cek ejaan"><bpmn:extensionElements><spiffworkflow:properties>'
                      '<spiffworkflow:property name="waktuHariKerja" value="0.5" /></spiffworkflow:properties>'
                      '</bpmn:extensionElements></bpmn:task><bpmn:exclusiveGateway id="gateway_revisi"')
    table = sop.table_from_xml(xml.encode(), ["Tim Desain"])
    assert table.rows[1].kegiatan == "Menentukan Data yang akan dipublikasikan"
    assert [(r.no, r.element_id, r.lane, r.waktu) for r in table.rows[4:7]] == [
        (5, "caption", "Tim Desain", "1 hari"), (6, "cek", "Tim Desain", "0,5 hari"),
        (7, "periksa", "Redaktur", "1 hari")]
    assert table.pelaksana == ("Tim Desain", "Redaktur")
    assert (7, 4, "Revisi") in {(link.source, link.target, link.label) for link in table.links}


# The flowchart ----------------------------------------------------------------------------

def test_the_flowchart_has_a_box_per_row_in_its_lanes_column_and_the_revision_loop(app):
    table = sop.table_from_xml(open(SHIPPED, "rb").read(), ["Tim Desain", "Redaktur"])
    svg = etree.fromstring(str(sop.flowchart_svg(table)).encode())
    columns = {g.get("data-lane"): (float(g.get("data-x")), float(g.get("data-x")) + float(g.get("data-width")))
               for g in svg.iter(f"{SVG}g") if g.get("class") == "sop-lane"}
    assert list(columns) == ["Tim Desain", "Redaktur"]
    assert columns["Tim Desain"][1] <= columns["Redaktur"][0]
    steps = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "sop-step"]
    assert [int(g.get("data-no")) for g in steps] == list(range(1, 9))
    tops = []
    for g, row in zip(steps, SEED, strict=True):
        left, right = columns[row.pelaksana]
        shape = g[0]
        if shape.tag == f"{SVG}polygon":
            xs = [float(p.split(",")[0]) for p in shape.get("points").split()]
            ys = [float(p.split(",")[1]) for p in shape.get("points").split()]
        else:
            assert shape.tag == f"{SVG}rect"
            x, w = float(shape.get("x")), float(shape.get("width"))
            xs, ys = [x, x + w], [float(shape.get("y")), float(shape.get("y")) + float(shape.get("height"))]
        assert left < min(xs) and max(xs) < right, (row.no, row.pelaksana)
        tops.append(min(ys))
        words = " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        assert norm(words).startswith(norm(row.kegiatan)[:15])
    assert tops == sorted(tops) and len(set(tops)) == 8  # a row each, top to bottom
    kinds = {int(g.get("data-no")): (g.get("data-kind"), g[0].tag) for g in steps}
    assert kinds[6] == ("decision", f"{SVG}polygon")  # the decision is a diamond
    assert kinds[1][1] == kinds[4][1] == f"{SVG}rect"

    flows = {(int(g.get("data-from")), int(g.get("data-to"))): g for g in svg.iter(f"{SVG}g")
             if g.get("class") == "sop-flow"}
    assert set(flows) == {(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 4), (6, 7), (7, 8)}
    revisi = flows[(6, 4)]
    assert revisi.get("data-label") == "Revisi"
    assert "".join(revisi.find(f"{SVG}text").itertext()) == "Revisi"
    path = revisi.find(f"{SVG}path")
    assert path.get("marker-end") == "url(#sop-arrow)"
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"[-\d.]+,[-\d.]+", path.get("d"))]
    # Leaves the diamond of row 6 and ends at row 4's box, higher up, in the Tim Desain column.
    row4, row6 = steps[3][0], steps[5][0]
    assert points[0][1] > points[-1][1]
    assert points[-1][1] == pytest.approx(float(row4.get("y")) + float(row4.get("height")) / 2)
    assert points[-1][0] == pytest.approx(float(row4.get("x")) + float(row4.get("width")))
    assert points[0] in [tuple(map(float, p.split(","))) for p in row6.get("points").split()]
    assert flows[(6, 7)].get("data-label") == "Disetujui"


def test_the_flowchart_escapes_names():
    xml = open(SHIPPED, encoding="utf-8").read().replace(
        'name="Mendesain bahan untuk publikasi"', 'name="Desain &lt;b&gt;tebal&lt;/b&gt; &amp; rapi"')
    svg = str(sop.flowchart_svg(sop.table_from_xml(xml.encode())))
    assert "<b>" not in svg and "&lt;b&gt;tebal" in svg
    etree.fromstring(svg.encode())  # still well-formed


# The page and the PDF ---------------------------------------------------------------------

def test_the_page_shows_the_metadata_the_table_and_the_flowchart(app, people):
    for name in ("desain1", "pengawas1"):
        text = page(people[name].get("/proses/penyebarluasan_data/sop"))
        for value in ("500.14.4/1112/403.113/2024", "8 November 2024", "11 November 2024",
                      "CAHAYA WIJAYA, S.STP., M.Si", "Pembina Utama Muda", "NIP. 19760520 199511 1 001",
                      "Penyebarluasan Data Kabupaten Magetan", "PEMERINTAH KABUPATEN MAGETAN",
                      "PERATURAN PRESIDEN NOMOR 39 TAHUN 2019 TENTANG SATU DATA INDONESIA",
                      "Memiliki keahlian teknologi informasi", "SOP Penyelenggaraan Statistik Sektoral",
                      "Komputer, Laptop", "Keterlambatan proses dapat menghambat pelayanan",
                      "Disimpan dalam sistem informasi dan manual"):
            assert value in text, value
        assert "Ubah metadata SOP" not in text  # only admins edit
        signature = " ".join(lxml_html.fromstring(text).xpath('//*[@id="sop-signature"]')[0].itertext())
        assert " ".join(signature.split()) == (
            "Mengetahui, Kepala Dinas Komunikasi dan Informatika Kabupaten Magetan CAHAYA WIJAYA, S.STP., M.Si "
            "Pembina Utama Muda NIP. 19760520 199511 1 001")
    doc = lxml_html.fromstring(page(people["admin1"].get("/proses/penyebarluasan_data/sop")))
    assert doc.xpath('//td[@data-field="tanggal_revisi"]')[0].text_content().strip() == "-"
    assert [li.text_content() for li in doc.xpath('//td[@data-list="dasar_hukum"]//li')][2].startswith(
        "KEPUTUSAN BUPATI MAGETAN NOMOR 188/207/Kept/403.013/2022")
    rows = doc.xpath('//table[@id="sop-activities"]/tbody/tr')
    got = []
    for tr in rows:
        cells = {td.get("data-col"): td.text_content().strip() for td in tr.xpath("./td[@data-col]")}
        marked = [td.get("data-lane") for td in tr.xpath('./td[@data-lane]') if "✓" in td.text_content()]
        assert len(marked) == 1
        got.append((int(cells["no"]), norm(cells["kegiatan"]), marked[0], cells["persyaratan"], cells["output"]))
    assert got == [(r.no, r.kegiatan, r.pelaksana, r.persyaratan, r.output) for r in expected()]
    assert len(doc.xpath('//svg[@class="sop-flowchart"]//*[@class="sop-step"]')) == 8
    assert doc.xpath('//a[@id="sop-pdf"]/@href') == ["/proses/penyebarluasan_data/sop.pdf?versi=1"]
    assert doc.xpath('//a[text()="Ubah metadata SOP"]/@href') == ["/proses/penyebarluasan_data/sop/metadata"]


def test_the_page_needs_a_login_and_a_known_process(app, client, people):
    response = client.get("/proses/penyebarluasan_data/sop")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert client.get("/proses/penyebarluasan_data/sop.pdf").status_code == 302
    assert people["desain1"].get("/proses/tidak_ada/sop").status_code == 404
    assert people["desain1"].get("/proses/penyebarluasan_data/sop?versi=9").status_code == 404
    assert people["desain1"].get("/proses/penyebarluasan_data/sop?versi=x").status_code == 404


def test_the_page_shows_a_chosen_version(app, people):
    xml = open(SHIPPED, encoding="utf-8").read().replace(
        'name="Mendesain bahan untuk publikasi"', 'name="Mendesain bahan publikasi versi baru"')
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == "admin1")).one()
        processes.deploy(xml.encode(), admin, notes="uji")
        db.session.commit()
    latest = page(people["redaktur1"].get("/proses/penyebarluasan_data/sop"))
    first = page(people["redaktur1"].get("/proses/penyebarluasan_data/sop?versi=1"))
    assert "Mendesain bahan publikasi versi baru" in latest and "Mendesain bahan untuk publikasi" not in latest
    assert "Mendesain bahan untuk publikasi" in first and "versi baru" not in first


def test_the_instance_page_links_its_versions_sop(app, people, make_user):
    api = make_user("redaktur2", "redaktur")
    started = api.post("/instances", json={"process": "penyebarluasan_data", "title": "Uji SOP"})
    assert started.status_code == 201, started.get_json()
    text = page(people["pengawas1"].get(f"/proses/{started.get_json()['id']}"))
    assert 'href="/proses/penyebarluasan_data/sop?versi=1"' in text


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_the_pdf_holds_the_identity_and_every_activity(app, people):
    response = people["desain1"].get("/proses/penyebarluasan_data/sop.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="SOP-Penyebarluasan-Data-Kabupaten-Magetan-v1.pdf"' in response.headers["Content-Disposition"]
    reader, text = pdf_text(response.data)
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # landscape
    assert round(float(first.mediabox.width) / 72 * 25.4) == 297  # A4
    assert "500.14.4/1112/403.113/2024" in text
    assert "CAHAYA WIJAYA, S.STP., M.Si" in text and "NIP. 19760520 199511 1 001" in text
    assert "PERATURAN BUPATI MAGETAN NOMOR 1 TAHUN 2022" in text
    table = " ".join(" ".join((reader.pages[1].extract_text() or "").split()).split())
    for row in SEED:
        assert norm(row.kegiatan)[:30] in norm(table) or norm(row.kegiatan) in norm(text), row.kegiatan
    for row in shipped_table(app).rows:
        assert " ".join(row.kegiatan.split()) in text, row.kegiatan
    assert "Revisi" in reader.pages[2].extract_text()


# The metadata -----------------------------------------------------------------------------

def form_of(client) -> dict[str, str]:
    return form_of_process(client, "penyebarluasan_data")


def test_an_admin_edits_the_metadata_and_it_is_audited(app, people, saved_meta):
    admin = people["admin1"]
    values = form_of(admin)
    assert values["nomor_sop"] == "500.14.4/1112/403.113/2024"
    assert values["peralatan"] == "Komputer, Laptop\nInternet"
    values.update(nomor_sop="500.14.4/2000/403.113/2026", tanggal_revisi="2026-03-02",
                  peralatan="Komputer, Laptop\n\n  Internet \nPrinter", pelaksana_order="Redaktur\nTim Desain")
    response = admin.post("/proses/penyebarluasan_data/sop/metadata", data=values)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/proses/penyebarluasan_data/sop")
    text = page(admin.get(response.headers["Location"]))
    assert "Metadata SOP disimpan." in text
    assert "500.14.4/2000/403.113/2026" in text and "2 Maret 2026" in text and "<li>Printer</li>" in text
    doc = lxml_html.fromstring(text)
    assert doc.xpath('//table[@id="sop-activities"]/thead/tr[2]/th/@data-lane') == ["Redaktur", "Tim Desain"]

    with app.app_context():
        row = db.session.scalars(select(ProcessMeta).where(ProcessMeta.process_id == "penyebarluasan_data")).one()
        assert row.meta["peralatan"] == ["Komputer, Laptop", "Internet", "Printer"]
        assert row.meta["dasar_hukum"] == saved_meta["dasar_hukum"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.meta.update")).one()
        assert event.user.username == "admin1"
        assert event.detail["process"] == "penyebarluasan_data"
        assert set(event.detail["changed"]) == {"nomor_sop", "tanggal_revisi", "peralatan", "pelaksana_order"}
        assert event.before["nomor_sop"] == "500.14.4/1112/403.113/2024"
        assert event.after["nomor_sop"] == "500.14.4/2000/403.113/2026"
        assert event.before["peralatan"] == ["Komputer, Laptop", "Internet"]
        assert event.before["pelaksana_order"] == ["Tim Desain", "Redaktur"]
        assert event.after["pelaksana_order"] == ["Redaktur", "Tim Desain"]

    # The same values again change nothing and record nothing.
    again = admin.post("/proses/penyebarluasan_data/sop/metadata", data=form_of(admin))
    assert again.status_code == 302
    assert "Tidak ada perubahan" in page(admin.get(again.headers["Location"]))
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.meta.update")).all()) == 1


def test_only_admins_edit_the_metadata(app, people, saved_meta):
    for name in ("redaktur1", "desain1", "pengawas1"):
        client = people[name]
        assert client.get("/proses/penyebarluasan_data/sop/metadata").status_code == 403
        assert client.post("/proses/penyebarluasan_data/sop/metadata",
                           data={"nomor_sop": "X", "dasar_hukum": "Y"}).status_code == 403
    with app.app_context():
        assert sop.meta_of("penyebarluasan_data") == saved_meta
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.meta.update")).all() == []


def test_invalid_metadata_keeps_the_input_and_names_each_field(app, people, saved_meta):
    admin = people["admin1"]
    values = form_of(admin)
    values.update(nomor_sop="  ", tanggal_pembuatan="2024-13-40", tanggal_pengesahan="2024-11-11",
                  tanggal_revisi="2020-01-01", nip_pengesah="1976 abc", dasar_hukum="\n \n",
                  pelaksana_order="Tim Desain\nBendahara", nama_sop="Nama diketik <baru>",
                  peringatan="Peringatan baru yang diketik")
    response = admin.post("/proses/penyebarluasan_data/sop/metadata", data=values)
    assert response.status_code == 422
    doc = lxml_html.fromstring(response.get_data(as_text=True))

    def error(name):
        found = doc.xpath(f'//*[@id="{name}-error"]')
        return found[0].text_content() if found else None

    assert error("nomor_sop") == "wajib diisi"
    assert "tanggal tidak valid" in error("tanggal_pembuatan")
    assert error("tanggal_revisi") is None  # compared only with a valid date of making
    assert "18 angka" in error("nip_pengesah")
    assert "sedikitnya satu" in error("dasar_hukum")
    assert "Bendahara" in error("pelaksana_order")
    assert doc.xpath('//input[@name="nama_sop"]/@value') == ["Nama diketik <baru>"]
    assert doc.xpath('//textarea[@name="peringatan"]')[0].text_content() == "Peringatan baru yang diketik"
    assert doc.xpath('//input[@name="nomor_sop"]/@class')[0].endswith("is-invalid")
    with app.app_context():
        assert sop.meta_of("penyebarluasan_data") == saved_meta
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.meta.update")).all() == []

    values.update(nomor_sop="1/2/3", tanggal_pembuatan="2024-11-08", tanggal_revisi="2024-01-01",
                  nip_pengesah="", dasar_hukum="Perpres 39/2019", pelaksana_order="")
    again = admin.post("/proses/penyebarluasan_data/sop/metadata", data=values)
    assert again.status_code == 422
    doc = lxml_html.fromstring(again.get_data(as_text=True))
    assert doc.xpath('//*[@id="tanggal_revisi-error"]')[0].text_content() == "tidak boleh sebelum tanggal pembuatan"


def test_the_metadata_form_needs_csrf(app_factory, make_user, saved_meta):
    app = app_factory(WTF_CSRF_ENABLED=True)
    make_user("admin9", "admin")
    client = sign_in(app, "admin9")
    values = {"nomor_sop": "X"}
    assert client.post("/proses/penyebarluasan_data/sop/metadata", data=values).status_code == 400
    with app.app_context():
        assert sop.meta_of("penyebarluasan_data") == saved_meta


@pytest.fixture
def other_process(app):
    """A second process (the shipped one under another id) that has no SOP metadata yet."""
    xml = open(SHIPPED, encoding="utf-8").read()
    xml = xml.replace('<bpmn:process id="penyebarluasan_data" name="Penyebarluasan Data"',
                      '<bpmn:process id="proses_lain" name="Proses Lain"')
    xml = xml.replace('processRef="penyebarluasan_data"', 'processRef="proses_lain"')
    xml = xml.replace('<spiffworkflow:property name="namaSop" value="Penyebarluasan Data Kabupaten Magetan" />', "")
    with app.app_context():
        processes.deploy(xml.encode(), None, notes="uji")
        db.session.commit()
    yield "proses_lain"
    with app.app_context():
        for row in db.session.scalars(select(ProcessMeta).where(ProcessMeta.process_id == "proses_lain")):
            db.session.delete(row)
        db.session.commit()


def test_a_process_without_metadata_gets_its_first_from_the_form(app, people, other_process):
    text = page(people["desain1"].get("/proses/proses_lain/sop"))
    doc = lxml_html.fromstring(text)
    assert doc.xpath('//td[@data-field="nama_sop"]')[0].text_content().strip() == "Proses Lain"
    assert doc.xpath('//td[@data-field="nomor_sop"]')[0].text_content().strip() == "500.14.4/1112/403.113/2024"
    assert doc.xpath('//td[@data-list="dasar_hukum"]')[0].text_content().strip() == "-"
    assert len(doc.xpath('//table[@id="sop-activities"]/tbody/tr')) == 8
    assert people["desain1"].get("/proses/proses_lain/sop.pdf").status_code == 200

    admin = people["admin1"]
    values = form_of_process(admin, "proses_lain")
    assert values["nama_sop"] == "" and values["dasar_hukum"] == ""
    values.update(instansi="PEMERINTAH KABUPATEN MAGETAN", unit="DINAS X", nomor_sop="1/2024",
                  tanggal_pembuatan="2025-01-02", tanggal_pengesahan="2025-01-03", disahkan_oleh="Nama",
                  nama_sop="Proses Lain Kabupaten Magetan", judul_sop="PROSES LAIN", dasar_hukum="Perbup 1/2022")
    response = admin.post("/proses/proses_lain/sop/metadata", data=values)
    assert response.status_code == 302
    assert "Proses Lain Kabupaten Magetan" in page(admin.get("/proses/proses_lain/sop"))
    with app.app_context():
        assert sop.meta_of("proses_lain")["dasar_hukum"] == ["Perbup 1/2022"]
        assert "pelaksana_order" not in sop.meta_of("proses_lain")
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.meta.update")).one()
        assert event.detail["process"] == "proses_lain" and event.before["nomor_sop"] is None


def form_of_process(client, process_id) -> dict[str, str]:
    doc = lxml_html.fromstring(page(client.get(f"/proses/{process_id}/sop/metadata")))
    values = {i.get("name"): i.get("value") or "" for i in doc.xpath("//form//input[@name]")}
    values.update({t.get("name"): t.text_content() for t in doc.xpath("//form//textarea")})
    values.pop("csrf_token", None)
    return values


def test_the_pdf_without_dejavu_falls_back_to_helvetica(app, people, monkeypatch):
    from app.core import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [("/tidak/ada.ttf", "/tidak/ada-bold.ttf")])
    response = people["desain1"].get("/proses/penyebarluasan_data/sop.pdf")
    assert response.status_code == 200
    reader, text = pdf_text(response.data)
    fonts = {str(font.get("/BaseFont")) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("Helvetica" in name for name in fonts), fonts
    assert "500.14.4/1112/403.113/2024" in text and "Upload data pada media sosial atau website" in text

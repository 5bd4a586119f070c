"""The SOP in a real browser: the Redaktur and Tim Desain, each in their own browser context,
do their steps through the screens only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from support.catalog import upload_dataset
from support.samples import save_infographic
from support.sop import complete, start, upload_design

from app.core.models import User, utcnow
from app.extensions import db
from app.workflow import instances

pytestmark = pytest.mark.browser

TITLE = "Infografis Penduduk Magetan 2025"
DATASET = "Jumlah Penduduk per Kecamatan"
STEP = {
    "tentukan_data": "Menentukan data yang akan dipublikasikan",
    "ambil_data": "Mengambil data dari data yang sudah terolah",
    "desain": "Mendesain bahan untuk publikasi",
    "caption": "Memberi keterangan kalimat / caption",
    "periksa": "Apakah ada revisi? (pemeriksaan redaktur)",
    "publikasi": "Upload data pada media sosial atau website",
}
NOTES = "Perbesar judul dan cantumkan sumber data di bawah grafik."


@pytest.fixture
def team(make_user):
    """An admin who uploads the data terolah, a Redaktur and a member of Tim Desain (API callers)."""
    admin = make_user("admin1", "admin")
    people = {"redaktur": make_user("redaktur1", "redaktur"), "desain": make_user("desain1", "desain")}
    people["dataset"] = upload_dataset(admin)
    return people


def task_row(page, title, step):
    return page.locator("tr[data-task]").filter(has_text=title).filter(has_text=STEP[step])


def open_task(page, title, step):
    """From the inbox, open the task of a publication at a step."""
    page.goto("/tugas")
    task_row(page, title, step).get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STEP[step])


def finish_step(page):
    page.get_by_role("button", name="Selesaikan langkah").click()


def expect_flash(page, text):
    expect(page.locator("main .alert-success").first).to_contain_text(text)


@pytest.mark.slow
def test_two_people_walk_the_whole_sop_with_one_revision(browse, team, tmp_path):
    redaktur = browse("redaktur1").page
    desain = browse("desain1").page
    dataset_id = team["dataset"]["id"]

    # Redaktur: a new publication, the data found in the catalog with the search box.
    redaktur.get_by_role("link", name="Publikasi Baru").click()
    redaktur.get_by_label("Judul publikasi").fill(TITLE)
    redaktur.get_by_label("Cari data").fill("penduduk")
    redaktur.get_by_role("button", name="Cari", exact=True).click()
    expect(redaktur.get_by_label("Judul publikasi")).to_have_value(TITLE)  # the search keeps the title
    redaktur.get_by_label(DATASET).check()
    redaktur.get_by_role("button", name="Mulai publikasi").click()

    # The first task opens with the chosen data already selected (a draft).
    expect(redaktur.get_by_role("heading", level=1)).to_have_text(STEP["tentukan_data"])
    expect(redaktur.get_by_role("combobox", name="Data terolah", exact=True)).to_have_value(str(dataset_id))
    redaktur.get_by_label("Tujuan publikasi").fill("Hari jadi Kabupaten Magetan: warga perlu tahu sebaran penduduk.")
    redaktur.get_by_label("Target tanggal terbit").fill("2026-12-15")
    finish_step(redaktur)
    expect(redaktur).to_have_url(re.compile(r"/tugas$"))  # nothing more for the Redaktur now
    expect_flash(redaktur, "selesai")

    # Tim Desain: the task waits in the lane's inbox, unclaimed; claim it from there.
    desain.goto("/tugas")
    expect(desain.get_by_role("link", name=re.compile("Tugas Saya"))).to_contain_text("1")
    row = task_row(desain, TITLE, "ambil_data")
    expect(row).to_contain_text("Belum diambil")
    row.get_by_role("button", name="Ambil", exact=True).click()
    expect(desain.get_by_role("heading", level=1)).to_have_text(STEP["ambil_data"])
    data_card = desain.locator("section[aria-labelledby=data-terpilih]")
    expect(data_card).to_contain_text(DATASET)
    expect(data_card.locator("tbody tr").first).to_contain_text("Magetan")  # a preview of the rows
    desain.get_by_label("Data terolah terpilih").fill("Jumlah penduduk per kecamatan, 2025, semua kecamatan")
    finish_step(desain)

    # The next step of the same publication opens at once: the design, with a preview of the file.
    expect(desain.get_by_role("heading", level=1)).to_have_text(STEP["desain"])
    desain.get_by_label("Berkas desain").set_input_files(save_infographic(tmp_path / "desain-1.png"))
    expect(desain.locator("#f-desain-preview")).to_be_visible()
    desain.get_by_label("Catatan desain").fill("Warna biru dinas, batang kuning.")
    finish_step(desain)

    expect(desain.get_by_role("heading", level=1)).to_have_text(STEP["caption"])
    expect(desain.get_by_role("img", name="Desain saat ini")).to_be_visible()
    desain.get_by_role("textbox", name="Caption", exact=True).fill("Penduduk Magetan 2025 per kecamatan.")
    desain.get_by_label("Tagar").fill("SatuDataMagetan\nPenduduk")
    finish_step(desain)
    expect(desain).to_have_url(re.compile(r"/tugas$"))

    # Redaktur: review, and send it back with notes.
    open_task(redaktur, TITLE, "periksa")
    expect(redaktur.get_by_role("img", name="Desain saat ini")).to_be_visible()
    expect(redaktur.locator("section[aria-labelledby=desain-sekarang]")).to_contain_text("Penduduk Magetan 2025")
    redaktur.get_by_label("Revisi — kembalikan ke Tim Desain").check()
    redaktur.get_by_label("Catatan revisi").fill(NOTES)
    finish_step(redaktur)
    expect(redaktur).to_have_url(re.compile(r"/tugas$"))

    # Tim Desain: the notes are on top of the design task; a second design.
    open_task(desain, TITLE, "desain")
    expect(desain.locator("#catatan-revisi")).to_contain_text(NOTES)
    expect(desain.get_by_role("img", name="Desain saat ini")).to_be_visible()  # the first design, beside the form
    desain.get_by_label("Berkas desain").set_input_files(
        save_infographic(tmp_path / "desain-2.png", background=(25, 135, 84), bars=(255, 255, 255)))
    desain.get_by_label("Catatan desain").fill("Judul diperbesar, sumber dicantumkan.")
    finish_step(desain)
    expect(desain.get_by_role("heading", level=1)).to_have_text(STEP["caption"])
    caption = "Penduduk Magetan 2025 per kecamatan.\nSumber: Dispendukcapil Kabupaten Magetan."
    desain.get_by_role("textbox", name="Caption", exact=True).fill(caption)
    desain.get_by_label("Tagar").fill("SatuDataMagetan\nPenduduk")
    finish_step(desain)
    expect(desain).to_have_url(re.compile(r"/tugas$"))

    # Redaktur approves.
    open_task(redaktur, TITLE, "periksa")
    redaktur.get_by_label("Hasil disetujui").check()
    finish_step(redaktur)
    expect(redaktur).to_have_url(re.compile(r"/tugas$"))

    # Tim Desain publishes on the website and Instagram; the instance is then complete.
    open_task(desain, TITLE, "publikasi")
    desain.get_by_label("Website Satu Data Magetan").check()
    desain.get_by_label("Instagram").check()
    desain.get_by_label("Tautan unggahan").fill("https://www.instagram.com/p/satudatamagetan1/")
    finish_step(desain)
    expect(desain).to_have_url(re.compile(r"/proses/\d+$"))
    expect(desain.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(desain.locator("header .badge.text-bg-success", has_text="Selesai")).to_have_count(1)
    expect(desain.locator("#diagram")).to_have_attribute("data-rendered", "true")
    expect(desain.locator("#diagram [data-element-id=publikasi].step-done")).to_have_count(1)
    expect(desain.locator(".step-current")).to_have_count(0)
    versions = desain.locator("section[aria-labelledby=designs-title] figure")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text(NOTES)  # the notes that caused the second version
    expect(versions.nth(1)).to_contain_text("Judul diperbesar")
    expect(desain.locator("section[aria-labelledby=timeline-title] tbody tr")).to_have_count(9)

    # The portal, for anyone: the card, then the publication with its caption.
    public = browse().page
    public.goto("/")
    card = public.locator(".card").filter(has_text=TITLE)
    expect(card).to_have_count(1)
    card.get_by_role("link", name=TITLE).first.click()
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(public.locator("p.caption")).to_have_text(caption)
    expect(public.get_by_role("img", name=re.compile("Desain"))).to_be_visible()


def design_ready_for_review(team, title=TITLE, caption="Penduduk Magetan 2025."):
    """An instance driven through the API up to the Redaktur's review."""
    redaktur, desain = team["redaktur"], team["desain"]
    instance = start(redaktur, title=title)
    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": team["dataset"]["id"]})
    complete(desain, instance["id"], "ambil_data", {"data_terpilih": "Penduduk per kecamatan"})
    complete(desain, instance["id"], "desain", {"desain": upload_design(desain)})
    if caption is not None:
        complete(desain, instance["id"], "caption", {"caption": caption})
    return instance


@pytest.mark.slow
def test_validation_errors_keep_what_was_typed(browse, team):
    design_ready_for_review(team, caption=None)

    # Caption left empty and a tag with a space: both errors beside their fields, the tags kept.
    desain = browse("desain1").page
    open_task(desain, TITLE, "caption")
    tags = "SatuDataMagetan\nData Penduduk"
    desain.get_by_label("Tagar").fill(tags)
    finish_step(desain)
    expect(desain.locator("main .alert-danger")).to_contain_text("periksa isian yang ditandai")
    expect(desain.locator("#f-caption-error")).to_have_text("wajib diisi")
    expect(desain.locator("#f-tagar-error")).to_have_text("format tidak sesuai")
    expect(desain.get_by_label("Tagar")).to_have_value(tags)
    expect(desain.get_by_label("Tagar")).to_have_attribute("aria-describedby", re.compile("f-tagar-error"))
    desain.get_by_role("textbox", name="Caption", exact=True).fill("Penduduk Magetan 2025.")
    desain.get_by_label("Tagar").fill("SatuDataMagetan\nDataPenduduk")
    finish_step(desain)
    expect(desain).to_have_url(re.compile(r"/tugas$"))

    # Revisi without notes: the error is beside the notes and the choice stays made.
    redaktur = browse("redaktur1").page
    open_task(redaktur, TITLE, "periksa")
    redaktur.get_by_label("Revisi — kembalikan ke Tim Desain").check()
    finish_step(redaktur)
    notes = redaktur.locator("[data-field=catatan_revisi]")
    expect(notes.locator(".invalid-feedback")).to_have_text("wajib diisi")
    expect(redaktur.get_by_label("Revisi — kembalikan ke Tim Desain")).to_be_checked()
    expect(redaktur.get_by_label("Hasil disetujui")).not_to_be_checked()
    redaktur.get_by_label("Catatan revisi").fill(NOTES)
    finish_step(redaktur)
    expect(redaktur).to_have_url(re.compile(r"/tugas$"))
    expect_flash(redaktur, "selesai")


def test_diagram_marks_done_and_current_steps(browse, team):
    instance = design_ready_for_review(team)
    redaktur = browse("redaktur1").page
    redaktur.goto(f"/proses/{instance['id']}")
    diagram = redaktur.locator("#diagram")
    expect(diagram).to_have_attribute("data-rendered", "true")
    expect(diagram.locator("svg[data-element-id]")).to_be_visible()
    expect(diagram.locator("[data-element-id=periksa].step-current")).to_have_count(1)
    for done in ("tentukan_data", "ambil_data", "desain", "caption"):
        expect(diagram.locator(f"[data-element-id={done}].step-done")).to_have_count(1)
    expect(diagram.locator("[data-element-id=publikasi].step-done, [data-element-id=publikasi].step-current"))\
        .to_have_count(0)
    expect(diagram.locator(".step-current")).to_have_count(1)
    # The marker is really drawn: the current step's shape is coloured unlike a step not reached.
    current = diagram.locator("[data-element-id=periksa] .djs-visual > rect").first
    waiting = diagram.locator("[data-element-id=publikasi] .djs-visual > rect").first
    fill = "el => getComputedStyle(el).fill"
    assert current.evaluate(fill) != waiting.evaluate(fill)


def test_inbox_shows_an_overdue_task_as_overdue(browse, team, live_app):
    with live_app.app_context():
        user = db.session.query(User).filter_by(username="redaktur1").one()
        instances.start("penyebarluasan_data", "Infografis APBD 2025 (terlambat)", user,
                       now=utcnow() - timedelta(days=14))
        db.session.commit()
    start(team["redaktur"], title="Infografis Pendidikan 2025")  # just started: on time

    redaktur = browse("redaktur1").page
    redaktur.goto("/tugas")
    overdue = task_row(redaktur, "Infografis APBD 2025 (terlambat)", "tentukan_data")
    expect(overdue).to_have_class(re.compile(r"\btable-danger\b"))
    expect(overdue.locator(".badge")).to_have_text("Terlambat")
    on_time = task_row(redaktur, "Infografis Pendidikan 2025", "tentukan_data")
    expect(on_time).not_to_have_class(re.compile(r"\btable-danger\b"))
    expect(on_time).not_to_contain_text("Terlambat")
    # The most urgent comes first, and the filter keeps only the late one.
    expect(redaktur.locator("tr[data-task]").first).to_contain_text("terlambat")
    redaktur.get_by_label("Ketepatan waktu").select_option("overdue")
    redaktur.get_by_role("button", name="Terapkan").click()
    expect(redaktur.locator("tr[data-task]")).to_have_count(1)
    expect(redaktur.locator("tr[data-task]")).to_contain_text("terlambat")
    # The task page says so too.
    overdue_link = redaktur.get_by_role("link", name="Infografis APBD 2025 (terlambat)")
    overdue_link.click()
    expect(redaktur.locator("header [data-state=overdue]")).to_contain_text("Terlambat")

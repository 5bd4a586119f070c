"""A visitor reports a problem with a publication in a real browser and follows it by ticket."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support.sop import Team

pytestmark = pytest.mark.browser

TICKET = re.compile(r"ADU-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def live_app(app_factory):
    """CSRF on as always; no wait for the form token, so the test need not sleep."""
    return app_factory(WTF_CSRF_ENABLED=True, COMPLAINT_MIN_SECONDS=0)


def complete(api, ticket, step, data):
    tasks = api.get("/tasks?scope=mine&per_page=100").get_json()["items"]
    [task] = [t for t in tasks if t["instance_title"].startswith(ticket) and t["bpmn_id"] == step]
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()


@pytest.mark.slow
def test_a_visitor_reports_a_problem_and_reads_the_answer(browse, make_user, anonymous):
    Team(make_user).publish("Penduduk Magetan 2025", "Jumlah penduduk per kecamatan.")
    publication = anonymous.get("/publications").get_json()["items"][0]
    petugas = make_user("petugas1", "petugas_pengaduan")

    visitor = browse()
    page = visitor.page
    page.goto(f"/publikasi/{publication['id']}")
    page.get_by_role("link", name="Laporkan masalah data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporkan masalah data")
    expect(page.locator("[data-subject]")).to_have_text("Penduduk Magetan 2025")
    # The field for robots is not offered to people or to their screen readers.
    expect(page.get_by_role("textbox", name="Jangan diisi")).to_have_count(0)

    page.get_by_label("Nama").fill("Sri Rahayu")
    page.get_by_label("Kontak (surel atau telepon)").fill("sri@example.org")
    page.get_by_label("Masalah yang ditemukan").fill("Rusak")
    page.get_by_role("button", name="Kirim pengaduan").click()
    # Too short: refused beside the field, the rest kept.
    expect(page.locator("#pesan-error")).to_have_text("paling sedikit 10 karakter")
    expect(page.get_by_label("Nama")).to_have_value("Sri Rahayu")
    page.get_by_label("Masalah yang ditemukan").fill("Angka Kecamatan Plaosan tertukar dengan Maospati.")
    page.get_by_role("button", name="Kirim pengaduan").click()

    expect(page).to_have_url(re.compile(r"/pengaduan/ADU-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    notice = page.get_by_role("status").filter(has_text="Simpan nomor tiket ini")
    expect(notice).to_be_visible()
    ticket = page.locator("[data-ticket]").inner_text()
    assert TICKET.fullmatch(ticket)
    expect(page.locator("#tiket")).to_have_text(ticket)
    expect(page.locator("[data-message]")).to_have_text("Angka Kecamatan Plaosan tertukar dengan Maospati.")
    expect(page.locator("main")).not_to_contain_text("sri@example.org")

    complete(petugas, ticket, "verifikasi", {"kategori": "data_salah", "keputusan": "jawab",
                                              "catatan_verifikasi": "Sumber sudah dicek."})
    complete(petugas, ticket, "jawab", {"jawaban": "Terima kasih. Angka sudah sesuai sumber resmi Dispendukcapil."})

    # Later, the visitor comes back with the ticket.
    page.goto("/pengaduan")
    page.get_by_label("Nomor tiket").fill(ticket.lower())
    page.get_by_role("button", name="Lihat status").click()
    expect(page).to_have_url(re.compile(f"/pengaduan/{ticket}$"))
    expect(page.locator("[data-answer]")).to_have_text("Terima kasih. Angka sudah sesuai sumber resmi Dispendukcapil.")
    expect(page.locator('[data-stage="dijawab"]')).to_have_attribute("data-done", "true")
    expect(page.locator("main")).not_to_contain_text("Sumber sudah dicek.")

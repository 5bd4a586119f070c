"""Versions in a real browser: an admin uploads a changed model through the Proses screen, sees
the difference marked on both diagrams, runs the migration dry run and moves the safe work."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support.sop import start
from support.variants import ADDED

pytestmark = pytest.mark.browser


@pytest.mark.slow
def test_upload_diff_on_both_diagrams_and_migration(browse, make_user, tmp_path):
    make_user("admin1", "admin")
    redaktur = make_user("redaktur1", "redaktur")
    waiting = start(redaktur, "Menunggu di langkah pertama")
    model = tmp_path / "penyebarluasan_data.bpmn"
    model.write_text(ADDED, encoding="utf-8")

    admin = browse("admin1")
    page = admin.page
    page.goto("/tugas")
    page.get_by_role("button", name="Admin", exact=True).click()
    page.get_by_role("link", name="Proses", exact=True).click()
    page.get_by_role("link", name="Penyebarluasan Data").click()
    page.get_by_label("Berkas .bpmn").set_input_files(str(model))
    page.get_by_label("Catatan perubahan").fill("Langkah pemeriksaan kelengkapan data ditambahkan")
    page.get_by_role("button", name="Pasang sebagai versi baru").click()
    expect(page.locator("main .alert-success")).to_contain_text("Versi 2 dipasang")
    expect(page.locator('tr[data-version="2"]')).to_contain_text("Langkah pemeriksaan kelengkapan data ditambahkan")

    page.locator('tr[data-version="2"]').get_by_role("link", name="Perbedaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perbedaan versi 1 dan 2")
    old, new = page.locator("#diagram-old"), page.locator("#diagram-new")
    expect(old).to_have_attribute("data-rendered", "true")
    expect(new).to_have_attribute("data-rendered", "true")
    expect(old).to_have_attribute("data-marked", "changed:desain changed:flow_3")
    expect(new).to_have_attribute("data-marked", "added:cek_data added:flow_3b changed:desain changed:flow_3")
    # The marker is drawn: the added task's shape is filled green.
    fill = new.locator('g.djs-element[data-element-id="cek_data"] .djs-visual > :first-child').evaluate(
        "node => getComputedStyle(node).fill")
    assert fill == "rgb(209, 231, 221)"
    page.screenshot(path=str(tmp_path / "version-diff.png"), full_page=True)

    page.get_by_role("link", name="Uji coba pemindahan proses berjalan ke versi 2").click()
    row = page.locator(f'tr[data-instance="{waiting["id"]}"]')
    expect(row).to_have_attribute("data-safe", "true")
    page.get_by_role("button", name="Pindahkan 1 proses yang aman ke versi 2").click()
    expect(page.locator("main .alert-success")).to_contain_text("1 proses berjalan dipindahkan ke versi 2.")
    assert redaktur.get(f"/instances/{waiting['id']}").get_json()["process_version"] == 2

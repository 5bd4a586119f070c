"""The public portal and the inbox in a real browser, and the README's screenshots."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from support.browser import SCREENSHOTS
from support.catalog import upload_dataset
from support.samples import infographic
from support.sop import complete, start

from app.core.models import User, utcnow
from app.extensions import db
from app.workflow import instances, tasks

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def team(make_user):
    admin = make_user("admin1", "admin")
    return {
        "admin": admin,
        "redaktur": make_user("redaktur1", "redaktur"),
        "desain": make_user("desain1", "desain"),
        "dataset": upload_dataset(admin),
    }


def design(api, **colors):
    response = api.upload("/files", infographic(**colors), "desain.png")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def publish(team, title, caption, dataset_id=None, tagar=(), **colors):
    """A publication through the API: the SOP from the first step to the portal."""
    redaktur, desain = team["redaktur"], team["desain"]
    instance = start(redaktur, title=title)
    complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": dataset_id or team["dataset"]["id"]})
    complete(desain, instance["id"], "ambil_data", {"data_terpilih": "Seluruh tabel"})
    complete(desain, instance["id"], "desain", {"desain": design(desain, **colors)})
    complete(desain, instance["id"], "caption", {"caption": caption, "tagar": list(tagar)})
    complete(redaktur, instance["id"], "periksa", {"keputusan": "disetujui"})
    complete(desain, instance["id"], "publikasi", {"kanal": ["website"]})
    return instance


def test_portal_shows_a_caption_with_markup_as_text(browse, team):
    caption = f"Awas {SCRIPT} bukan kode.\n<b>tebal?</b> & \"kutip\""
    publish(team, "Publikasi <i>uji</i> keamanan", caption)
    public = browse()
    dialogs = []
    public.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page = public.page
    page.goto("/")
    card = page.locator(".portal-card").filter(has_text="Publikasi <i>uji</i> keamanan")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Awas")  # the excerpt, as text
    card.get_by_role("link", name="Publikasi <i>uji</i> keamanan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Publikasi <i>uji</i> keamanan")
    expect(page.locator("p.caption")).to_have_text(caption)
    expect(page.locator("p.caption")).to_contain_text(SCRIPT)  # visible as text
    expect(page.locator("main script")).to_have_count(0)
    expect(page.locator("main i, main b")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Teks siap unggah")).to_have_value(re.compile("alert\\(1\\)"))
    page.reload()
    page.wait_for_load_state("load")
    assert dialogs == []


@pytest.mark.slow
def test_screenshots_for_the_readme(browse, team, live_app):
    """The desain user's inbox with several tasks, and the portal with several publications."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    health = upload_dataset(team["admin"], title="Kunjungan Puskesmas", opd="dinkes")
    rice = upload_dataset(team["admin"], title="Luas Panen Padi per Kecamatan", opd="dispertan")
    publish(team, "Jumlah Penduduk Magetan 2025",
            "Penduduk Kabupaten Magetan tahun 2025 per kecamatan. Sumber: Dispendukcapil.", tagar=["SatuDataMagetan"])
    publish(team, "Kunjungan Puskesmas 2025", "Kunjungan ke puskesmas di Kabupaten Magetan sepanjang 2025.",
            dataset_id=health["id"], background=(25, 135, 84), bars=(255, 255, 255), heights=(0.8, 0.5, 0.65, 0.4))
    publish(team, "Luas Panen Padi 2025", "Luas panen padi per kecamatan di Kabupaten Magetan, 2025.",
            dataset_id=rice["id"], background=(220, 53, 69), bars=(255, 236, 179), heights=(0.3, 0.5, 0.75, 0.95))

    # The desain user's inbox: one overdue, one they claim, two waiting in the lane.
    redaktur, desain = team["redaktur"], team["desain"]
    with live_app.app_context():  # started and handed on ten days ago: the design lane is late
        user = db.session.query(User).filter_by(username="redaktur1").one()
        then = utcnow() - timedelta(days=10)
        late = instances.start("penyebarluasan_data", "Infografis APBD 2025", user, now=then)
        tasks.complete(late.tasks[0].id, {"dataset_id": team["dataset"]["id"]}, user, now=then)
        db.session.commit()
    for title in ("Infografis Stunting 2025", "Infografis Kemiskinan 2025"):
        instance = start(redaktur, title=title)
        complete(redaktur, instance["id"], "tentukan_data", {"dataset_id": team["dataset"]["id"]})
    claimed = start(redaktur, title="Infografis Pariwisata Telaga Sarangan")
    complete(redaktur, claimed["id"], "tentukan_data", {"dataset_id": team["dataset"]["id"]})
    complete(desain, claimed["id"], "ambil_data", {"data_terpilih": "Kunjungan wisata per bulan"})

    page = browse("desain1").page
    page.goto("/tugas")
    expect(page.locator("tr[data-task]")).to_have_count(4)
    expect(page.locator("tr.table-danger")).to_have_count(1)
    # The design step went straight to the designer who took the data; the others wait.
    mine = page.locator("tr[data-task]").filter(has_text="Pariwisata")
    expect(mine.get_by_role("button", name="Lepaskan")).to_have_count(1)
    expect(page.get_by_role("button", name="Ambil")).to_have_count(3)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"))

    public = browse().page
    public.goto("/")
    expect(public.locator(".portal-card")).to_have_count(3)
    for image in public.locator(".portal-card img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
    public.evaluate("window.scrollTo(0, 0)")
    public.screenshot(path=str(SCREENSHOTS / "portal.png"))

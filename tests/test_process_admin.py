"""The Proses screens (admin only): versions listed with who, when, hash, notes and running
work; a version's .bpmn downloaded as stored; an upload validated like every deploy (refused
models list their elements' errors and store nothing); the difference page with both diagrams
and their markers; the migration dry run and its apply; rollback."""
from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from sqlalchemy import func, select
from support.catalog import upload_dataset
from support.people import sign_in
from support.sop import PROCESS, start
from support.variants import ADDED, RENAMED, SHIPPED, started, variant

from app.core.models import AuditEvent, User
from app.extensions import db
from app.workflow.models import Instance, ProcessVersion

SCREENS_GET = [
    "/admin/proses",
    f"/admin/proses/{PROCESS}",
    f"/admin/proses/{PROCESS}/versi/1.bpmn",
    f"/admin/proses/{PROCESS}/beda?dari=1&ke=1",
    f"/admin/proses/{PROCESS}/migrasi?ke=1",
]


def screens_post():
    return [
        (f"/admin/proses/{PROCESS}/unggah", {"notes": "x", "file": (io.BytesIO(RENAMED.encode()), "p.bpmn")}),
        (f"/admin/proses/{PROCESS}/versi/1/rollback", {}),
        (f"/admin/proses/{PROCESS}/migrasi", {"ke": "1"}),
    ]


@pytest.fixture
def admin(app, make_user):
    make_user("admin1", "admin")
    return sign_in(app, "admin1")


def version_count(app) -> int:
    """Versions of the publication process (the complaint process is deployed beside it)."""
    with app.app_context():
        return db.session.scalar(select(func.count(ProcessVersion.id)).where(ProcessVersion.process_id == PROCESS))


def upload(browser, xml: str, notes="", filename="model.bpmn"):
    return browser.post(f"/admin/proses/{PROCESS}/unggah", content_type="multipart/form-data",
                        data={"notes": notes, "file": (io.BytesIO(xml.encode("utf-8")), filename)})


@pytest.mark.parametrize("role", ["redaktur", "desain", "pengawas", "pengelola_data"])
def test_every_screen_is_403_for_everyone_but_admins(app, make_user, role):
    make_user("orang1", role, opd="dispendukcapil" if role == "pengelola_data" else None)
    browser = sign_in(app, "orang1")
    for path in SCREENS_GET:
        assert browser.get(path).status_code == 403, path
    for path, data in screens_post():
        assert browser.post(path, data=data, content_type="multipart/form-data").status_code == 403, path
    assert version_count(app) == 1
    # Nor is the menu link there.
    assert "/admin/proses" not in browser.get("/tugas").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in SCREENS_GET:
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], path


def test_the_versions_list_says_who_when_hash_notes_and_running_work(app, admin, make_user):
    redaktur = make_user("redaktur1", "redaktur")
    start(redaktur, "Berjalan di versi 1")
    response = upload(admin, RENAMED, notes="Nama langkah caption diperjelas")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Versi 2 dipasang" in page
    with app.app_context():
        v1, v2 = db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == PROCESS)
                                    .order_by(ProcessVersion.version)).all()
        hashes = v1.sha256[:12], v2.sha256[:12]
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r'<tr data-version="(\d+)"[^>]*>(.*?)</tr>', page, re.S)}
    assert sorted(rows) == [1, 2]
    cells = {n: [unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for n, row in rows.items()}
    with app.app_context():
        deployer = db.session.scalars(select(User).where(User.username == "admin1")).one().full_name
    # Who, hash, notes, running instances (version 1 was deployed at start-up: by the system).
    assert (cells[2][1], cells[2][4], cells[2][5]) == (deployer, "Nama langkah caption diperjelas", "0")
    assert (cells[1][1], cells[1][4], cells[1][5]) == ("sistem", "dipasang dari penyebarluasan_data.bpmn", "1")
    assert hashes[1] in cells[2][3] and hashes[0] in cells[1][3]
    assert re.match(r"\w+, \d+ \w+ \d{4}", cells[2][2]) or re.search(r"\d{2}\.\d{2}", cells[2][2]), cells[2][2]
    latest_badge = '<span class="badge text-bg-success">terbaru</span>'
    assert latest_badge in rows[2] and latest_badge not in rows[1]
    assert "/versi/1/rollback" in rows[1] and "/rollback" not in rows[2]  # the newest is not put back
    index = admin.get("/admin/proses").get_data(as_text=True)
    assert f"/admin/proses/{PROCESS}" in index and "Versi 2" in index
    # The admin menu links to the screen.
    assert 'href="/admin/proses"' in index


def test_download_gives_the_stored_bytes_as_an_attachment(app, admin):
    upload(admin, RENAMED)
    response = admin.get(f"/admin/proses/{PROCESS}/versi/2.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{PROCESS}_v2.bpmn"'
    with app.app_context():
        stored = db.session.scalars(select(ProcessVersion).where(ProcessVersion.version == 2)).one().bpmn_xml
    assert response.data == stored.encode("utf-8") == RENAMED.encode("utf-8")
    assert admin.get(f"/admin/proses/{PROCESS}/versi/9.bpmn").status_code == 404


def test_a_refused_upload_lists_each_element_error_and_stores_nothing(app, admin):
    broken = variant(("<bpmn:flowNodeRef>caption</bpmn:flowNodeRef>", ""),
                     ('value="ambil_data.json"', 'value="tidak_ada.json"'))
    response = upload(admin, broken, notes="Catatan yang diketik")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = re.search(r'id="upload-errors">(.*?)</div>', page, re.S).group(1)
    assert "<code>caption</code>: tugas pengguna harus berada di lajur yang dipetakan ke peran" in errors
    assert "<code>ambil_data</code>: formulir &#39;tidak_ada.json&#39; tidak ditemukan" in errors
    assert "Catatan yang diketik" in page  # what was typed stays
    assert version_count(app) == 1
    with app.app_context():
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.deploy",
                                                               AuditEvent.user_id.is_not(None))).all()


def test_upload_refuses_other_files_and_other_processes(app, admin):
    response = upload(admin, SHIPPED, filename="model.txt")
    assert response.status_code == 422 and "berkas harus berakhiran .bpmn" in response.get_data(as_text=True)
    other = SHIPPED.replace('id="penyebarluasan_data"', 'id="proses_lain"').replace(
        'processRef="penyebarluasan_data"', 'processRef="proses_lain"')
    response = upload(admin, other)
    assert response.status_code == 422 and "bukan &#39;penyebarluasan_data&#39;" in response.get_data(as_text=True)
    response = admin.post(f"/admin/proses/{PROCESS}/unggah", data={"notes": ""}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert version_count(app) == 1


def test_upload_is_audited_with_the_admin(app, admin):
    assert upload(admin, RENAMED, notes="catatan").status_code == 302
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.deploy")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.user.username == "admin1" and event.detail["version"] == 2
        assert db.session.scalars(select(ProcessVersion).where(ProcessVersion.version == 2)).one().notes == "catatan"


def test_the_diff_page_lists_the_elements_and_marks_them_on_both_diagrams(app, admin):
    upload(admin, ADDED)
    response = admin.get(f"/admin/proses/{PROCESS}/beda?dari=1&ke=2")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    def section(name):
        return re.findall(r'data-element="([^"]+)"', re.search(
            rf'<ul class="list-unstyled[^"]*" id="{name}">(.*?)</ul>\s*(?:{{%|<h2|</section>|\Z)', page, re.S).group(1))

    assert sorted(section("added")) == ["cek_data", "flow_3b"]
    assert sorted(section("changed")) == ["desain", "flow_3"]
    assert 'id="removed"' not in page
    markers = json.loads(unescape(re.search(r'data-markers="([^"]+)"', page).group(1)))
    assert sorted(markers["new"]["added"]) == ["cek_data", "flow_3b"]
    assert markers["old"]["removed"] == [] and sorted(markers["old"]["changed"]) == ["desain", "flow_3"]
    assert f'data-src="/admin/proses/{PROCESS}/versi/1.bpmn"' in page
    assert f'data-src="/admin/proses/{PROCESS}/versi/2.bpmn"' in page
    assert "tujuan alur" in page and "<del>desain</del> → <ins>cek_data</ins>" in page
    assert "<script" not in re.sub(r'<script src="[^"]+"></script>', "", page)  # no inline script


def test_the_diff_page_defaults_to_the_last_two_versions(app, admin):
    upload(admin, RENAMED)
    page = admin.get(f"/admin/proses/{PROCESS}/beda").get_data(as_text=True)
    assert "Perbedaan versi 1 dan 2" in page
    assert re.findall(r'data-element="([^"]+)"', page) == ["caption"]
    assert admin.get(f"/admin/proses/{PROCESS}/beda?dari=1&ke=7").status_code == 404


def test_dry_run_page_and_apply(app, admin, make_user):
    people = {"admin": make_user("api_admin", "admin"), "redaktur": make_user("redaktur1", "redaktur"),
              "desain": make_user("desain1", "desain")}
    people["dataset"] = upload_dataset(people["admin"])
    safe = started(people, "Masih di awal")
    unsafe = started(people, "Sudah lewat caption", ["tentukan_data", "ambil_data", "desain", "caption"])
    upload(admin, RENAMED)

    page = admin.get(f"/admin/proses/{PROCESS}/migrasi?ke=2").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-instance="(\d+)" data-safe="(true|false)">', page))
    assert rows == {str(safe): "true", str(unsafe): "false"}
    assert ("Langkah “Memberi keterangan kalimat / caption” (caption) sudah selesai dan berubah di versi 2: "
            "nama.") in page
    assert "Pindahkan 1 proses yang aman ke versi 2" in page

    response = admin.post(f"/admin/proses/{PROCESS}/migrasi", data={"ke": "2"})
    assert response.status_code == 302
    after = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 proses berjalan dipindahkan ke versi 2." in after
    assert "1 proses tetap pada versinya" in after
    with app.app_context():
        assert db.session.get(Instance, safe).process_version.version == 2
        assert db.session.get(Instance, unsafe).process_version.version == 1
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.migrate")).all()
        assert [(e.instance_id, e.detail["from_version"], e.detail["to_version"]) for e in events] == [(safe, 1, 2)]
    # Only the unsafe one is left to look at; nothing more can be moved.
    rows = dict(re.findall(r'<tr data-instance="(\d+)" data-safe="(true|false)">', after))
    assert rows == {str(unsafe): "false"} and "yang aman ke versi" not in after


def test_rollback_from_the_screen(app, admin):
    upload(admin, RENAMED)
    response = admin.post(f"/admin/proses/{PROCESS}/versi/1/rollback")
    assert response.status_code == 302
    assert "Versi 1 dipasang kembali sebagai versi 3." in admin.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        rows = {v.version: v for v in db.session.scalars(select(ProcessVersion))}
        assert rows[3].bpmn_xml == rows[1].bpmn_xml and rows[3].notes == "rollback dari versi 1"
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.rollback")).one().user_id
    # The newest cannot be rolled back onto itself.
    response = admin.post(f"/admin/proses/{PROCESS}/versi/3/rollback")
    assert "Versi 3 sudah versi terbaru." in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert version_count(app) == 3


def test_forms_with_csrf_when_csrf_is_on(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.core import users
        users.create_user("admin2", ["admin"], "kata-sandi-uji-123")
        db.session.commit()
    browser = sign_in(app, "admin2")
    page = browser.get(f"/admin/proses/{PROCESS}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # upload and the language switch at least
    response = browser.post(f"/admin/proses/{PROCESS}/unggah", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(RENAMED.encode()), "m.bpmn")})
    assert response.status_code == 400  # no token: refused
    assert version_count(app) == 1


def test_uploading_the_newest_model_again_changes_nothing(app, admin):
    assert upload(admin, RENAMED).status_code == 302
    response = upload(admin, RENAMED, notes="lagi")
    assert response.status_code == 422
    assert "Model ini sama dengan versi terbaru (2); tidak ada yang dipasang." in response.get_data(as_text=True)
    assert version_count(app) == 2


def test_the_versions_page_leads_to_the_modeler_and_the_sop_document(app, make_user):
    make_user("admin9", "admin")
    page = sign_in(app, "admin9").get("/admin/proses/penyebarluasan_data").get_data(as_text=True)
    for path in ("/admin/proses/penyebarluasan_data/modeler", "/admin/proses/penyebarluasan_data/modeler/formulir",
                 "/proses/penyebarluasan_data/sop", "/proses/penyebarluasan_data/sop/metadata"):
        assert f'href="{path}"' in page, path
    assert 'id="versi-1"' in page

"""Versions and the work running on them: the difference between two versions lists exactly
what changed; a dry run tells per running instance whether it can move to a newer version and
why not (SpiffWorkflow's rule: no step that already ran may have changed or disappeared);
applying moves the safe ones, which then run on the new version; rollback deploys an old
version again as the newest."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from support.catalog import upload_dataset
from support.sop import PROCESS, start
from support.variants import ADDED, REMOVED, RENAMED, SHIPPED, started, variant, walk

from app.core.errors import Forbidden, Invalid
from app.core.models import AuditEvent, User
from app.extensions import db
from app.process_admin import versions
from app.workflow.models import HumanTask, Instance, ProcessVersion

NOW = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB


def deploy(api, xml: str):
    response = api.client.post(f"/api/v1/processes/{PROCESS}/versions", data=xml.encode("utf-8"),
                               content_type="application/xml", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["version"]


@pytest.fixture
def people(make_user):
    admin = make_user("admin1", "admin")
    return {
        "admin": admin, "redaktur": make_user("redaktur1", "redaktur"), "desain": make_user("desain1", "desain"),
        "dataset": upload_dataset(admin),
    }


def admin_user():
    return db.session.scalars(select(User).where(User.username == "admin1")).one()


# The difference between two versions -----------------------------------------------------

def test_diff_of_a_renamed_task_lists_that_task_and_its_name(app, people):
    deploy(people["admin"], RENAMED)
    with app.app_context():
        diff = versions.diff_versions(PROCESS, 1, 2, admin_user())
        assert diff.added_ids == [] and diff.removed_ids == []
        assert diff.changed_ids == ["caption"]
        (change,) = diff.changed[0].changes
        assert (change.aspect, change.before, change.after) == (
            "name", "Memberi keterangan kalimat / caption", "Menulis caption")
        assert diff.moved == ()


def test_diff_of_an_added_task_lists_it_its_flow_and_what_now_leads_to_it(app, people):
    deploy(people["admin"], ADDED)
    with app.app_context():
        diff = versions.diff_versions(PROCESS, 1, 2, admin_user())
        assert sorted(diff.added_ids) == ["cek_data", "flow_3b"]
        assert diff.removed_ids == []
        assert sorted(diff.changed_ids) == ["desain", "flow_3"]
        by_id = {c.id: c for c in diff.changed}
        assert [(c.aspect, c.before, c.after) for c in by_id["flow_3"].changes] == [("target", "desain", "cek_data")]
        assert [(c.aspect, c.before, c.after) for c in by_id["desain"].changes] == [
            ("incoming", "flow_3, flow_revisi", "flow_3b, flow_revisi")]
        added = {e.id: e for e in diff.added}
        assert (added["cek_data"].kind, added["cek_data"].name) == ("userTask", "Memeriksa kelengkapan data")
        assert diff.markers() == {
            "old": {"removed": [], "changed": diff.changed_ids},
            "new": {"added": diff.added_ids, "changed": diff.changed_ids},
        }


def test_diff_of_a_removed_task_lists_it_and_its_flow(app, people):
    deploy(people["admin"], REMOVED)
    with app.app_context():
        diff = versions.diff_versions(PROCESS, 1, 2, admin_user())
        assert diff.added_ids == []
        assert sorted(diff.removed_ids) == ["ambil_data", "flow_3"]
        assert sorted(diff.changed_ids) == ["desain", "flow_2"]
        by_id = {c.id: c for c in diff.changed}
        assert [(c.aspect, c.before, c.after) for c in by_id["flow_2"].changes] == [("target", "ambil_data", "desain")]
        assert by_id["desain"].aspects == ["incoming"]
        # And backwards: the same elements, the other way round.
        back = versions.diff_versions(PROCESS, 2, 1, admin_user())
        assert sorted(back.added_ids) == ["ambil_data", "flow_3"] and back.removed_ids == []


def test_diff_names_lane_form_time_property_and_condition_changes(app, people):
    changed = variant(
        ("<bpmn:flowNodeRef>caption</bpmn:flowNodeRef>", ""),
        ("<bpmn:flowNodeRef>periksa</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>periksa</bpmn:flowNodeRef><bpmn:flowNodeRef>caption</bpmn:flowNodeRef>"),
        ('value="caption.json" />\n          <spiffworkflow:property name="waktuHariKerja" value="1" />',
         'value="ambil_data.json" />\n          <spiffworkflow:property name="waktuHariKerja" value="2" />'),
        ('<spiffworkflow:property name="persyaratan" value="Data Terolah Terpilih" />',
         '<spiffworkflow:property name="persyaratan" value="Data terpilih dan sumbernya" />'),
        ('keputusan == "revisi"', 'keputusan == "revisi" and catatan_revisi != ""'),
    )
    deploy(people["admin"], changed)
    with app.app_context():
        diff = versions.diff_versions(PROCESS, 1, 2, admin_user())
        assert diff.added_ids == [] and diff.removed_ids == []
        by_id = {c.id: c for c in diff.changed}
        assert sorted(by_id) == ["caption", "desain", "flow_revisi"]
        assert [(c.aspect, c.before, c.after) for c in by_id["caption"].changes] == [
            ("lane", "Tim Desain", "Redaktur"), ("form", "caption.json", "ambil_data.json"),
            ("standard_time", "1", "2")]
        assert [(c.aspect, c.key) for c in by_id["desain"].changes] == [("property", "persyaratan")]
        assert [c.aspect for c in by_id["flow_revisi"].changes] == ["condition"]


def test_diff_of_a_form_whose_content_changed(app, people, tmp_path):
    with app.app_context():
        v1 = versions.get_version(PROCESS, 1, admin_user())
        forms = {name: dict(schema) for name, schema in v1.forms.items()}
        forms["caption.json"]["title"] = "Caption baru"
        from app.workflow import processes
        processes.deploy(SHIPPED.encode("utf-8"), admin_user(), forms=forms, notes="formulir caption")
        db.session.commit()
        diff = versions.diff_versions(PROCESS, 1, 2, admin_user())
        assert diff.changed_ids == ["caption"]
        assert [(c.aspect, c.key) for c in diff.changed[0].changes] == [("form_schema", "caption.json")]


def test_same_version_twice_has_no_difference(app, people):
    with app.app_context():
        diff = versions.diff_versions(PROCESS, 1, 1, admin_user())
        assert diff.empty and diff.moved == ()


# Moving running instances --------------------------------------------------------------

def test_dry_run_after_a_rename_yes_before_and_at_the_step_no_after_it(app, people):
    before = started(people, "Menunggu di tentukan_data")
    at = started(people, "Menunggu di caption", ["tentukan_data", "ambil_data", "desain"])
    past = started(people, "Sudah lewat caption", ["tentukan_data", "ambil_data", "desain", "caption"])
    deploy(people["admin"], RENAMED)
    with app.app_context():
        target, checks = versions.dry_run(PROCESS, 2, admin_user())
        assert target.version == 2
        by_id = {c.instance.id: c for c in checks}
        assert sorted(by_id) == sorted([before, at, past])
        assert by_id[before].safe and by_id[before].reasons == ()
        assert by_id[at].safe and by_id[at].waiting == ("Memberi keterangan kalimat / caption",)
        assert not by_id[past].safe
        assert by_id[past].reasons == (
            "Langkah “Memberi keterangan kalimat / caption” (caption) sudah selesai dan berubah di versi 2: nama.",)
        # A dry run changes nothing.
        assert {i.process_version.version for i in db.session.scalars(select(Instance))} == {1}
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.migrate")).all()


def test_dry_run_after_a_removal_no_for_an_instance_that_completed_the_removed_step(app, people):
    waiting = started(people, "Masih di tentukan_data")
    done = started(people, "Sudah mengambil data", ["tentukan_data", "ambil_data"])
    deploy(people["admin"], REMOVED)
    with app.app_context():
        _target, checks = versions.dry_run(PROCESS, 2, admin_user())
        by_id = {c.instance.id: c for c in checks}
        assert by_id[waiting].safe, by_id[waiting].reasons
        assert not by_id[done].safe
        assert ("Langkah “Mengambil data dari data yang sudah terolah” (ambil_data) sudah selesai "
                "dan tidak ada lagi di versi 2.") in by_id[done].reasons
        # Its neighbour, done too, now leads elsewhere: SpiffWorkflow counts that as changed.
        assert ("Langkah “Menentukan data yang akan dipublikasikan” (tentukan_data) sudah selesai "
                "dan berubah di versi 2: alur keluar.") in by_id[done].reasons


def test_apply_moves_the_safe_instance_which_completes_on_the_new_version(app, people):
    at = started(people, "Menunggu di caption", ["tentukan_data", "ambil_data", "desain"])
    past = started(people, "Sudah lewat caption", ["tentukan_data", "ambil_data", "desain", "caption"])
    finished = started(people, "Sudah selesai", ["tentukan_data", "ambil_data", "desain", "caption",
                                                 "periksa", "publikasi"])
    deploy(people["admin"], RENAMED)
    with app.app_context():
        result = versions.apply(PROCESS, 2, admin_user(), now=NOW)
        db.session.commit()
        assert [(i.id, source) for i, source in result.moved] == [(at, 1)]
        assert [c.instance.id for c in result.refused] == [past]
        versions_now = {i.id: i.process_version.version for i in db.session.scalars(select(Instance))}
        assert versions_now == {at: 2, past: 1, finished: 1}
        open_task = db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == at, HumanTask.completed_at.is_(None))).one()
        assert (open_task.bpmn_id, open_task.name, open_task.lane, open_task.role, open_task.form) == (
            "caption", "Menulis caption", "Tim Desain", "desain", "caption.json")
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.migrate")).all()
        assert [(e.instance_id, e.detail["from_version"], e.detail["to_version"]) for e in events] == [(at, 1, 2)]
        assert events[0].user.username == "admin1"

    final = walk(people, at, ["caption", "periksa", "publikasi"])
    assert final["state"] == "completed" and final["process_version"] == 2
    assert [t["name"] for t in final["tasks"] if t["bpmn_id"] == "caption"] == ["Menulis caption"]
    # The one that could not move still runs on version 1, with the old names.
    other = walk(people, past, ["periksa"])
    assert other["process_version"] == 1
    assert [t["name"] for t in other["tasks"] if t["bpmn_id"] == "caption"] == ["Memberi keterangan kalimat / caption"]


def test_apply_after_a_removal_runs_the_new_shape(app, people):
    waiting = started(people, "Masih di tentukan_data")
    deploy(people["admin"], REMOVED)
    with app.app_context():
        result = versions.apply(PROCESS, 2, admin_user(), now=NOW)
        db.session.commit()
        assert [i.id for i, _ in result.moved] == [waiting] and result.refused == ()
    state = walk(people, waiting, ["tentukan_data"])
    assert [t["bpmn_id"] for t in state["tasks"]] == ["tentukan_data", "desain"]


def test_apply_only_the_chosen_instances(app, people):
    first = started(people, "Pertama")
    second = started(people, "Kedua")
    deploy(people["admin"], RENAMED)
    with app.app_context():
        result = versions.apply(PROCESS, 2, admin_user(), now=NOW, instance_ids=[second])
        db.session.commit()
        assert [i.id for i, _ in result.moved] == [second]
        assert db.session.get(Instance, first).process_version.version == 1


def test_a_changed_lane_role_releases_a_task_its_assignee_can_no_longer_work(app, people):
    instance = started(people, "Diambil desain", ["tentukan_data"])
    task = [t for t in people["desain"].get("/tasks?scope=mine").get_json()["items"] if t["instance_id"] == instance][0]
    assert people["desain"].post(f"/tasks/{task['id']}/claim").status_code == 200
    moved = variant(("<bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>", ""),
                    ("<bpmn:flowNodeRef>periksa</bpmn:flowNodeRef>",
                     "<bpmn:flowNodeRef>periksa</bpmn:flowNodeRef><bpmn:flowNodeRef>ambil_data</bpmn:flowNodeRef>"),
                    ('<spiffworkflow:property name="formJsonSchemaFilename" value="ambil_data.json" />\n'
                     '          <spiffworkflow:property name="waktuHariKerja" value="1" />',
                     '<spiffworkflow:property name="formJsonSchemaFilename" value="ambil_data.json" />\n'
                     '          <spiffworkflow:property name="waktuHariKerja" value="2" />'))
    deploy(people["admin"], moved)
    with app.app_context():
        before = db.session.get(HumanTask, task["id"]).due_at
        result = versions.apply(PROCESS, 2, admin_user(), now=NOW)
        db.session.commit()
        assert [i.id for i, _ in result.moved] == [instance]
        row = db.session.get(HumanTask, task["id"])
        assert (row.lane, row.role, row.assignee_id) == ("Redaktur", "redaktur", None)
        assert row.due_at > before  # two hari kerja now, counted from when it became ready


def test_migration_target_must_exist_and_only_admins_may(app, people):
    with app.app_context():
        redaktur = db.session.scalars(select(User).where(User.username == "redaktur1")).one()
        with pytest.raises(Forbidden):
            versions.dry_run(PROCESS, 1, redaktur)
        with pytest.raises(Forbidden):
            versions.apply(PROCESS, 1, redaktur)
        with pytest.raises(Forbidden):
            versions.diff_versions(PROCESS, 1, 1, redaktur)
        with pytest.raises(Forbidden):
            versions.rollback(PROCESS, 1, redaktur)
        from app.core.errors import NotFound
        with pytest.raises(NotFound):
            versions.dry_run(PROCESS, 9, admin_user())


# Rollback --------------------------------------------------------------------------------

def test_rollback_deploys_the_old_version_again_as_the_newest(app, people):
    deploy(people["admin"], RENAMED)
    with app.app_context():
        version = versions.rollback(PROCESS, 1, admin_user())
        db.session.commit()
        assert version.version == 3
        rows = {v.version: v for v in db.session.scalars(select(ProcessVersion))}
        assert rows[3].bpmn_xml == rows[1].bpmn_xml and rows[3].sha256 == rows[1].sha256
        assert rows[3].forms == rows[1].forms
        assert rows[3].notes == "rollback dari versi 1"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.rollback")).one()
        assert (event.detail["from_version"], event.detail["version"]) == (1, 3)
        with pytest.raises(Invalid):
            versions.rollback(PROCESS, 3, admin_user())  # already the newest
    instance = start(people["redaktur"], "Setelah rollback")
    assert instance["process_version"] == 3
    assert instance["tasks"][0]["name"] == "Menentukan data yang akan dipublikasikan"


# The command line ------------------------------------------------------------------------

def test_cli_dry_run_then_apply(app, people):
    safe = started(people, "Masih di awal")
    unsafe = started(people, "Sudah lewat caption", ["tentukan_data", "ambil_data", "desain", "caption"])
    deploy(people["admin"], RENAMED)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["migrate-instances", PROCESS, "--to", "2"])
    assert result.exit_code == 0, result.output
    assert f"#{safe} Masih di awal (versi 1): BISA dipindahkan" in result.output
    assert f"#{unsafe} Sudah lewat caption (versi 1): TIDAK AMAN" in result.output
    assert "(caption) sudah selesai dan berubah di versi 2: nama." in result.output
    assert "Uji coba: 1 aman, 1 tidak aman." in result.output
    with app.app_context():
        assert {i.process_version.version for i in db.session.scalars(select(Instance))} == {1}
    result = runner.invoke(args=["migrate-instances", PROCESS, "--to", "2", "--apply"])
    assert result.exit_code == 0, result.output
    assert "1 proses dipindahkan ke versi 2; 1 tetap pada versinya." in result.output
    with app.app_context():
        assert db.session.get(Instance, safe).process_version.version == 2
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.migrate")).one()
        assert event.user_id is None and event.instance_id == safe
    result = runner.invoke(args=["migrate-instances", PROCESS, "--to", "5"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output

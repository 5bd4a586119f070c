"""Every route of the URL map and every /api/v1 operation, for the public, each role, and the data
operator of another OPD, against a declared table of what each of them gets: allowed, 403 (may
know the object, may not do this), 404 (may not know it exists) or a sign-in first (the screens'
redirect to /masuk, the API's 401). A route missing from the table fails the test; so does one the
table names that the app does not have.

A request without a valid body is enough where access is decided before the body is read (the
answer to a refusal comes first); routes whose access depends on the body are sent one. The API
and the screens must give the same answer for the same object to the same person.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

import pytest
from support.catalog import appoint, upload_dataset
from support.people import PASSWORD, Api
from support.samples import SAMPLE_CSV
from support.sop import complete, start, upload_design

from app.core.models import ClosedDay, SpecialPeriod, User
from app.extensions import db
from app.workflow.models import Notification

OK, LOGIN, FORBIDDEN, HIDDEN = "allowed", "sign in", "403", "404"
ACTORS = ("public", "admin", "redaktur", "desain", "pengawas", "operator", "other_operator", "walidata", "petugas")
STAFF = ACTORS[1:]
ROLE = {"admin": "admin", "redaktur": "redaktur", "desain": "desain", "pengawas": "pengawas",
        "operator": "pengelola_data", "other_operator": "pengelola_data", "walidata": "walidata",
        "petugas": "petugas_pengaduan"}
OPD = {"operator": "dispendukcapil", "other_operator": "dinkes"}

# Who may read what, as the README's roles table says.
PUBLICATION_RUN = {"admin", "pengawas", "redaktur", "desain"}
COMPLAINT_RUN = {"admin", "pengawas", "redaktur", "petugas"}
UNCHECKED = {"admin", "walidata", "pengawas", "operator"}  # the draft data of the operator's OPD
SECTORAL = {"admin", "walidata", "operator", "other_operator"}
OTHER_STAFF = {"redaktur", "desain", "pengawas", "petugas"}  # who work on no sectoral data
PREPARERS = {"admin", "walidata", "operator"}  # of the operator's OPD
CHECKERS = {"admin", "walidata"}
STARTERS = {"redaktur", "admin"}


def public() -> dict[str, str]:
    return dict.fromkeys(ACTORS, OK)


def nobody() -> dict[str, str]:
    return dict.fromkeys(ACTORS, HIDDEN)


def signed_in(allowed: Iterable[str] = STAFF, *, known: Iterable[str] = STAFF) -> dict[str, str]:
    """Sign in first; then ``allowed`` may, the rest of ``known`` get 403, everyone else 404."""
    allowed, known = set(allowed), set(known) | set(allowed)
    return {"public": LOGIN, **{a: OK if a in allowed else FORBIDDEN if a in known else HIDDEN for a in STAFF}}


def readers(who: Iterable[str]) -> dict[str, str]:
    """A public page of an object: those who may read it, and 404 for everyone else."""
    return {a: OK if a in set(who) else HIDDEN for a in ACTORS}


# The objects a route's arguments name; a route with several variants is checked with each.
ARGUMENTS = {
    "dataset_id": ("ready_dataset", "draft_dataset"), "instance_id": ("publication_run", "complaint_run"),
    "file_id": ("published_design", "task_upload", "letter_file", "draft_file"),
}
SINGLE = {"task_id": "open_task", "publication_id": "publication", "ticket": "ticket", "template_id": "template",
          "user_id": "target_user", "day_id": "closed_day", "period_id": "special_period", "letter_id": "letter",
          "notification_id": "notification", "process_id": "process", "number": "version", "name": "form",
          "code": "opd", "list_name": "code_list", "period": "month", "kind": "report_kind", "fmt": "export",
          "action_name": "ckan_action", "rest": "ckan_rest", "filename": "static_file"}


def by_variant(**variants: dict[str, str]) -> dict[str, dict[str, str]]:
    return variants


# (method, endpoint) -> expectations, or {variant: expectations} for routes with object variants.
TABLE: dict[tuple[str, str], dict] = {
    # The public portal, catalog, open data, complaints from the public, the shell.
    ("GET", "portal.index"): public(), ("GET", "portal.feed"): public(), ("GET", "portal.publication"): public(),
    ("GET", "portal.media"): by_variant(published_design=public(), task_upload=nobody(), letter_file=nobody(),
                                        draft_file=nobody()),
    ("GET", "portal.dataset"): by_variant(ready_dataset=public(), draft_dataset=readers(UNCHECKED)),
    ("GET", "portal.dataset_download"): by_variant(ready_dataset=public(), draft_dataset=readers(UNCHECKED)),
    ("GET", "portal.dataset_export"): by_variant(ready_dataset=public(), draft_dataset=readers(UNCHECKED)),
    ("GET", "catalog.index"): public(), ("GET", "dcat.catalog"): public(),
    ("GET", "dcat.dataset"): by_variant(ready_dataset=public(), draft_dataset=nobody()),  # harvesters: ready only
    ("GET", "ckan.version"): public(), ("GET", "ckan.action"): public(), ("POST", "ckan.action"): public(),
    ("PUT", "ckan.action"): public(), ("PATCH", "ckan.action"): public(), ("DELETE", "ckan.action"): public(),
    **{(m, "ckan.unknown"): nobody() for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    ("GET", "complaints.lookup"): public(), ("GET", "complaints.status"): public(),
    ("GET", "complaints.new"): public(), ("POST", "complaints.new"): public(),
    ("GET", "complaints_api.complaint_form_token"): public(), ("GET", "complaints_api.complaint_status"): public(),
    ("POST", "complaints_api.submit_complaint"): public(), ("POST", "core_api.auth_token"): public(),
    ("GET", "publishing_api.list_publications"): public(), ("GET", "openapi.openapi_document"): public(),
    ("GET", "health.healthz"): public(), ("GET", "static"): public(), ("POST", "i18n.switch"): public(),
    ("GET", "auth.login"): public(),
    ("POST", "auth.login"): dict.fromkeys(ACTORS, LOGIN),  # a wrong password answers 401 to anyone
    # Everyone signed in.
    **{key: signed_in() for key in [
        ("GET", "inbox.index"), ("GET", "notifications.index"), ("POST", "notifications.mark_all_read"),
        ("GET", "auth.password"), ("POST", "auth.password"), ("POST", "auth.logout"),
        ("GET", "data_templates.index"), ("GET", "data_templates.view"), ("GET", "data_templates.download_csv"),
        ("GET", "data_templates.download_xlsx"), ("GET", "data_templates.code_list"),
        ("GET", "sop.view"), ("GET", "sop.pdf"), ("POST", "core_api.upload_file"),
        ("GET", "workflow_api.list_processes"), ("GET", "workflow_api.list_tasks"),
        ("GET", "catalog_api.list_opds"), ("GET", "catalog_api.list_datasets"),
        ("GET", "catalog_api.list_templates"), ("GET", "catalog_api.get_template")]},
    ("POST", "notifications.mark_read"): signed_in({"redaktur"}, known=()),  # one's own notices only
    # Runs, their tasks and their files.
    ("GET", "instances.index"): signed_in({"redaktur", "pengawas", "admin"}),
    ("GET", "publishing.new"): signed_in(STARTERS), ("POST", "publishing.new"): signed_in(STARTERS),
    ("POST", "workflow_api.start_instance"): signed_in(STARTERS),
    **{(m, e): by_variant(publication_run=signed_in(PUBLICATION_RUN, known=()),
                          complaint_run=signed_in(COMPLAINT_RUN, known=()))
       for m, e in [("GET", "instances.view"), ("GET", "instances.diagram"), ("GET", "workflow_api.get_instance")]},
    ("GET", "tasks.view"): signed_in(PUBLICATION_RUN, known=()),
    ("GET", "workflow_api.get_task"): signed_in(PUBLICATION_RUN, known=()),
    **{key: signed_in({"desain"}, known=PUBLICATION_RUN) for key in [
        ("POST", "tasks.submit"), ("POST", "tasks.claim"), ("POST", "tasks.release"),
        ("POST", "workflow_api.claim_task"), ("POST", "workflow_api.release_task"),
        ("POST", "workflow_api.complete_task")]},
    ("GET", "files.file"): by_variant(published_design=signed_in(), task_upload=signed_in(PUBLICATION_RUN, known=()),
                                      letter_file=signed_in({"admin"}, known=()),
                                      draft_file=signed_in(UNCHECKED, known=())),
    # Sectoral data: the staff's screens and the API.
    ("GET", "sectoral.index"): signed_in(SECTORAL), ("GET", "sectoral.upload"): signed_in(SECTORAL),
    ("POST", "sectoral.upload"): signed_in(SECTORAL),
    ("POST", "catalog_api.create_dataset"): signed_in(PREPARERS),
    # The staff's screens refuse those who work on no sectoral data before looking the data up.
    **{(m, e): by_variant(ready_dataset=signed_in(SECTORAL), draft_dataset=signed_in(PREPARERS, known=OTHER_STAFF))
       for m, e in [("GET", "sectoral.view"), ("GET", "sectoral.edit"), ("POST", "sectoral.edit")]},
    ("POST", "sectoral.submit"): by_variant(ready_dataset=signed_in(PREPARERS),
                                            draft_dataset=signed_in(PREPARERS, known=OTHER_STAFF)),
    **{(m, e): by_variant(ready_dataset=signed_in(CHECKERS),
                          draft_dataset=signed_in(CHECKERS, known=OTHER_STAFF | {"operator"}))
       for m, e in [("POST", "sectoral.approve"), ("POST", "sectoral.send_back")]},
    ("GET", "catalog_api.get_dataset"): by_variant(ready_dataset=signed_in(),
                                                   draft_dataset=signed_in(UNCHECKED, known=())),
    ("POST", "catalog_api.submit_dataset"): by_variant(ready_dataset=signed_in(PREPARERS),
                                                       draft_dataset=signed_in(PREPARERS, known={"pengawas"})),
    **{("POST", e): by_variant(ready_dataset=signed_in(CHECKERS), draft_dataset=signed_in(CHECKERS, known={"pengawas",
                                                                                                          "operator"}))
       for e in ("catalog_api.approve_dataset", "catalog_api.return_dataset")},
    **{key: signed_in(CHECKERS) for key in [
        ("GET", "data_templates.create"), ("POST", "data_templates.create"), ("GET", "data_templates.edit"),
        ("POST", "data_templates.edit"), ("POST", "catalog_api.create_template")]},
    # Complaints handled by staff.
    ("GET", "complaints.index"): signed_in({"petugas", "redaktur", "pengawas", "admin"}),
    ("GET", "complaints.register"): signed_in({"petugas", "admin"}),
    ("POST", "complaints.register"): signed_in({"petugas", "admin"}),
    # Supervision.
    **{key: signed_in({"admin", "pengawas"}) for key in [
        ("GET", "audit.index"), ("GET", "audit.export"), ("GET", "dashboard.index"), ("GET", "dashboard.diagram"),
        ("GET", "dashboard.report")]},
    ("GET", "workload.index"): signed_in({"redaktur", "pengawas", "admin"}),
    ("GET", "workload.tasks"): signed_in({"redaktur", "pengawas", "admin"}),
    # Administration.
    **{key: signed_in({"admin"}) for key in [
        ("POST", "workload.lane_setting"), ("GET", "auth.users"), ("GET", "auth.confirm_reset"),
        ("POST", "auth.reset_password"), ("POST", "auth.set_active"),
        ("GET", "calendar_admin.days"), ("GET", "calendar_admin.periods"), ("POST", "calendar_admin.add_day"),
        ("POST", "calendar_admin.add_period"), ("POST", "calendar_admin.remove_day"),
        ("POST", "calendar_admin.remove_period"),
        ("GET", "opd_admin.index"), ("GET", "opd_admin.create"), ("POST", "opd_admin.create"),
        ("GET", "opd_admin.view"), ("GET", "opd_admin.edit"), ("POST", "opd_admin.edit"),
        ("POST", "opd_admin.add_letter"), ("GET", "opd_admin.letter_pdf"), ("GET", "opd_admin.revoke_letter"),
        ("POST", "opd_admin.revoke_letter"),
        ("GET", "process_admin.index"), ("GET", "process_admin.process"), ("GET", "process_admin.download"),
        ("GET", "process_admin.diff"), ("GET", "process_admin.migration"), ("POST", "process_admin.migrate"),
        ("POST", "process_admin.upload"), ("POST", "process_admin.rollback"),
        ("POST", "process_admin_api.deploy_version"),
        ("GET", "sop.edit"), ("POST", "sop.save"),
        ("GET", "modeler.edit"), ("GET", "modeler.draft"), ("POST", "modeler.save"), ("POST", "modeler.validate"),
        ("POST", "modeler.deploy"), ("POST", "modeler.discard"), ("GET", "modeler.forms"),
        ("POST", "modeler.form_create"), ("GET", "modeler.form"), ("POST", "modeler.form_save"),
        ("POST", "modeler.form_remove"), ("POST", "modeler.preview")]},
}

# Requests whose access depends on what they carry are sent something real (a function of the
# person when it must differ between them).
BODIES = {
    ("POST", "workflow_api.start_instance"): {"json": {"process": "penyebarluasan_data", "title": "Uji akses"}},
    ("POST", "workflow_api.complete_task"): {"json": {"data": {}}},
    ("POST", "catalog_api.create_dataset"): {"data": lambda _actor: {
        "file": (io.BytesIO(SAMPLE_CSV), "data.csv"), "title": "Uji akses", "opd": "dispendukcapil",
        "period": "2025"}},
    ("POST", "catalog_api.return_dataset"): {"json": {"reason": "Uji akses."}},
    ("POST", "catalog_api.create_template"): {"json": {}},
    # Each a name of their own: five refusals of one name would lock that name out.
    ("POST", "auth.login"): {"data": lambda actor: {"username": f"bukan-{actor}", "password": "salah-sekali"}},
}
QUERIES = {"complaints.new": "?data={ready_dataset}", "process_admin.diff": "?dari=1&ke=1"}


@pytest.fixture
def app(app_factory):
    return app_factory(COMPLAINT_MIN_SECONDS=0)


@pytest.fixture
def world(app, make_user, client):
    """Everyone of the table signed in twice (screens and API), and every object a route names."""
    apis = {"public": Api(client)}
    for actor in STAFF:
        apis[actor] = make_user(actor, ROLE[actor], opd=OPD.get(actor))
    for operator in OPD:
        appoint(app, operator)
    make_user("target", "desain")
    admin, redaktur, desain = apis["admin"], apis["redaktur"], apis["desain"]

    ready = upload_dataset(admin, opd="dispendukcapil")
    draft = apis["operator"].upload("/datasets", SAMPLE_CSV, "draf.csv", title="Draf", opd="dispendukcapil",
                                    period="2025").get_json()
    published = start(redaktur, "Sudah terbit")
    for step, who, data in [("tentukan_data", redaktur, {"dataset_id": ready["id"]}),
                            ("ambil_data", desain, {"data_terpilih": "semua"}),
                            ("desain", desain, {"desain": upload_design(desain)}),
                            ("caption", desain, {"caption": "Caption."}),
                            ("periksa", redaktur, {"keputusan": "disetujui"}),
                            ("publikasi", desain, {"kanal": ["website"]})]:
        complete(who, published["id"], step, data)
    publication = apis["public"].get("/publications").get_json()["items"][0]
    running = start(redaktur, "Sedang berjalan")
    complete(redaktur, running["id"], "tentukan_data", {"dataset_id": ready["id"]})
    complete(desain, running["id"], "ambil_data", {"data_terpilih": "semua"})
    upload = upload_design(desain, color=(10, 120, 30))
    instance = desain.post("/tasks/" + next(t["id"] for t in desain.get("/tasks?scope=mine").get_json()["items"]
                                            if t["instance_id"] == running["id"]) + "/complete",
                           json={"data": {"desain": upload}}).get_json()
    token = apis["public"].get("/complaints/form-token").get_json()["form_token"]
    complaint = apis["public"].post("/complaints", json={
        "nama": "Warga", "kontak": "warga@example.id", "pesan": "Angka penduduk tertukar antar kecamatan.",
        "dataset_id": ready["id"], "form_token": token}).get_json()
    with app.app_context():
        from app.catalog.models import Dataset, OperatorLetter
        from app.complaints.models import Complaint

        letter = db.session.scalar(db.select(OperatorLetter).order_by(OperatorLetter.id))
        redaktur_id = db.session.scalar(db.select(User.id).where(User.username == "redaktur"))
        notification = db.session.scalar(db.select(Notification.id).where(Notification.user_id == redaktur_id))
        day = ClosedDay(day=date(2027, 1, 4), note="Uji")
        period = SpecialPeriod(start=date(2027, 3, 1), end=date(2027, 3, 5), windows={"0": [["08:00", "12:00"]]},
                               note="Uji")
        db.session.add_all([day, period])
        db.session.commit()
        objects = {
            "ready_dataset": ready["id"], "draft_dataset": draft["id"], "publication_run": running["id"],
            "complaint_run": db.session.scalar(db.select(Complaint.instance_id)), "open_task": next(
                t["id"] for t in instance["tasks"] if t["state"] == "ready"),
            "published_design": publication["image_url"].rsplit("/", 1)[1], "task_upload": upload,
            "letter_file": letter.file_id, "draft_file": db.session.get(Dataset, draft["id"]).file_id,
            "publication": publication["id"], "ticket": complaint["ticket"], "template": make_template(admin),
            "target_user": db.session.scalar(db.select(User.id).where(User.username == "target")),
            "closed_day": day.id, "special_period": period.id, "letter": letter.id, "notification": notification,
            "process": "penyebarluasan_data", "version": 1, "form": "periksa.json", "opd": "dispendukcapil",
            "code_list": "kecamatan", "month": "2026-11", "report_kind": "pdf", "export": "csv",
            "ckan_action": "package_list", "ckan_rest": "tidak-ada", "static_file": "app.css"}
    return apis, objects


def make_template(admin) -> int:
    created = admin.post("/templates", json={"opd": "dispendukcapil", "topic": "Kependudukan", "title": "Templat uji",
                                             "columns": [{"name": "jumlah", "type": "integer"}]})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def reset(app, objects) -> None:
    """The world as it was before a request changed it: the datasets' states and the operators'
    letters (an admin's allowed request may approve the one or revoke the other)."""
    from app.catalog.models import Dataset, OperatorLetter

    with app.app_context():
        db.session.execute(db.update(Dataset).where(Dataset.id == objects["draft_dataset"]).values(status="draft"))
        db.session.execute(db.update(Dataset).where(Dataset.id == objects["ready_dataset"]).values(status="ready"))
        db.session.execute(db.update(OperatorLetter).values(revoked_at=None))
        db.session.commit()


def outcome(response) -> str:
    """What the person got; a streamed body is read to its end, so its request ends here."""
    response.get_data()
    response.close()
    if response.status_code == 401 or (response.status_code == 302 and
                                       response.headers["Location"].startswith("/masuk")):
        return LOGIN
    return {403: FORBIDDEN, 404: HIDDEN}.get(response.status_code, OK)


def browser_of(app, number: int):
    """A browser of its own address, so that one person's refused sign-ins never lock out another."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
    return browser


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def urls(app, rule, objects):
    """(variant, URL) of a rule: one per variant of the objects its arguments name."""
    from flask import url_for

    variants = [(None, {})]
    for arg in rule.arguments:
        if arg in ARGUMENTS:
            variants = [(name, {**values, arg: objects[name]}) for _, values in variants for name in ARGUMENTS[arg]]
        else:
            variants = [(variant, {**values, arg: objects[SINGLE[arg]]}) for variant, values in variants]
    with app.test_request_context():
        found = []
        for variant, values in variants:
            url = url_for(rule.endpoint, **values)
            found.append((variant, url + QUERIES.get(rule.endpoint, "").format(**objects)))
        return found


def test_the_table_names_every_route_and_no_other(app):
    served = {(method, rule.endpoint) for method, rule in routes(app)}
    assert served - set(TABLE) == set(), "routes missing from the table"
    assert set(TABLE) - served == set(), "routes the app does not have"
    for rule in app.url_map.iter_rules():
        assert set(rule.arguments) <= set(ARGUMENTS) | set(SINGLE), rule.rule


def test_every_route_answers_each_person_as_the_table_says(app, world):
    apis, objects = world
    browsers = {actor: browser_of(app, n) for n, actor in enumerate(ACTORS)}

    def sign_in(actor):
        if actor != "public":
            response = browsers[actor].post("/masuk", data={"username": actor, "password": PASSWORD})
            assert response.status_code == 302, actor

    for actor in STAFF:
        sign_in(actor)
    wrong = []
    checked = 0
    for method, rule in sorted(routes(app), key=lambda item: (item[0] != "GET", item[1].endpoint)):
        expected = TABLE[(method, rule.endpoint)]
        api = rule.rule.startswith("/api/v1/")
        for variant, url in urls(app, rule, objects):
            wanted = expected[variant] if variant else expected
            for actor in ACTORS:
                body = BODIES.get((method, rule.endpoint), {})
                body = {k: v(actor) if callable(v) else v for k, v in body.items()}
                if api:
                    caller = apis[actor]
                    headers = caller._headers()
                    response = caller.client.open(url, method=method, headers=headers, **body)
                else:
                    response = browsers[actor].open(url, method=method, **body)
                got = outcome(response)
                checked += 1
                if got != wanted[actor]:
                    wrong.append((method, url, variant, actor, wanted[actor], got, response.status_code))
                if rule.endpoint == "auth.logout":
                    sign_in(actor)
            if method != "GET":
                reset(app, objects)
    assert wrong == [], "\n".join(map(str, wrong))
    assert checked > 1500


AGREEING = [  # (the API's address, the screen's address) of the same object
    ("/api/v1/instances/{publication_run}", "/proses/{publication_run}"),
    ("/api/v1/instances/{complaint_run}", "/proses/{complaint_run}"),
    ("/api/v1/tasks/{open_task}", "/tugas/{open_task}"),
    ("/api/v1/datasets/{ready_dataset}", "/data/{ready_dataset}"),
    ("/api/v1/datasets/{draft_dataset}", "/data/{draft_dataset}"),
    ("/api/v1/complaints/{ticket}", "/pengaduan/{ticket}"),
]


def test_the_api_and_the_screens_agree_on_every_object(app, world):
    apis, objects = world
    for n, actor in enumerate(STAFF):
        browser = browser_of(app, n)
        assert browser.post("/masuk", data={"username": actor, "password": PASSWORD}).status_code == 302
        for api_path, screen_path in AGREEING:
            by_api = outcome(apis[actor].client.get(api_path.format(**objects), headers=apis[actor]._headers()))
            on_screen = outcome(browser.get(screen_path.format(**objects)))
            assert by_api == on_screen, (actor, api_path, by_api, on_screen)

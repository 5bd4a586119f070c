"""Hostile input against /api/v1: Schemathesis reads the app's OpenAPI document and sends every
operation generated requests, valid and invalid (wrong types, missing fields, odd characters, huge
numbers, other methods), checking that none answers 5xx and that each answer's status, content type
and body are ones the document describes. Secured calls carry an admin's token, public calls none.
Every operation is tested, none excluded; the run is bounded and deterministic."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from support.catalog import upload_dataset
from support.people import PASSWORD, Api
from support.samples import SAMPLE_CSV
from support.sop import PROCESS, Team, start

from app import openapi

CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance]
CONFIG = {"generation": {"deterministic": True, "database": "none"}, "seed": 20250801}
# The caller: an admin who also works every lane, so that task calls can succeed too.
TESTER_ROLES = ("admin", "redaktur", "desain", "walidata", "pengawas", "petugas_pengaduan")
TEMPLATE = {"opd": "dispendukcapil", "topic": "Kependudukan", "title": "Penduduk per kecamatan",
            "columns": [{"name": "kecamatan", "type": "text", "required": True},
                        {"name": "jumlah", "type": "integer", "required": True}]}

# The document the app serves (a test below holds the two equal), loaded at import so that each
# operation is a test of its own, on a database emptied for it.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(openapi.DOCUMENT)),
                                        config=schemathesis.Config.from_dict(CONFIG))


@dataclass
class Known:
    """Values that exist (ids, codes, a valid form token), by the name of the parameter or field
    they fit, so that generated requests also reach records and not only 404 or 422."""
    token: str = ""
    values: dict[str, list] = field(default_factory=dict)

    def add(self, name, *values):
        self.values.setdefault(name, []).extend(values)


KNOWN = Known()  # the current test's values, read while Hypothesis draws


def _sometimes_known(name, value):
    """The generated value, or one that exists (about half of the time)."""
    known = KNOWN.values.get(name)
    return st.one_of(st.just(value), st.sampled_from(known)) if known else st.just(value)


@schema.hook
def flatmap_path_parameters(context, parameters):
    return st.fixed_dictionaries({name: _sometimes_known(name, value) for name, value in (parameters or {}).items()})


@schema.hook
def flatmap_body(context, body):
    """The generated body, or (about half of the time) the same with every field it has that a known
    value fits replaced by one, so that a whole valid body reaches the success path too."""
    known = {name: st.sampled_from(KNOWN.values[name]) for name in body or () if KNOWN.values.get(name)} \
        if isinstance(body, dict) else {}
    if not known:
        return st.just(body)
    return st.one_of(st.just(body), st.fixed_dictionaries({**{k: st.just(v) for k, v in body.items()}, **known}))


@pytest.fixture
def app(app_factory):
    # The spam and guessing guards would answer 429 to nearly everything; they have tests of their own.
    return app_factory(COMPLAINT_MIN_SECONDS=0, COMPLAINT_MAX_PER_HOUR=10_000, LOGIN_MAX_FAILURES=10_000)


@pytest.fixture
def known(app, client, make_user):
    """A published item, a ready and a draft dataset, a running instance with a ready task, a
    template and a complaint."""
    team = Team(make_user)
    tester = make_user("penguji", *TESTER_ROLES)
    published = team.publish("Penduduk 2025", "Penduduk per kecamatan.")
    ready = upload_dataset(team.admin, title="Cakupan Imunisasi", opd="dinkes")
    draft = team.admin.upload("/datasets", b"a,b\n1,2\n", "draf.csv", title="Draf", opd="dinkes",
                              period="2025").get_json()
    running = start(team.redaktur, "Infografis berjalan")
    template = team.admin.post("/templates", json=TEMPLATE).get_json()
    publication = team.admin.get("/publications").get_json()["items"][0]
    form_token = team.admin.get("/complaints/form-token").get_json()["form_token"]
    complaint = team.admin.post("/complaints", json={
        "nama": "Sri Wahyuni", "kontak": "sri@example.id", "pesan": "Angka Kecamatan Poncol tertukar.",
        "form_token": form_token, "publication_id": publication["id"]})
    assert complaint.status_code == 201, complaint.get_json()

    KNOWN.token, KNOWN.values = tester.token, {}
    KNOWN.add("dataset_id", published["data"]["dataset_id"], ready["id"], draft["id"])
    KNOWN.add("instance_id", published["id"], running["id"])
    KNOWN.add("task_id", *(t["id"] for i in (published, running) for t in i["tasks"]))
    KNOWN.add("template_id", template["id"])
    KNOWN.add("template", template["id"])
    KNOWN.add("ticket", complaint.get_json()["ticket"])
    KNOWN.add("process_id", PROCESS)
    KNOWN.add("process", PROCESS, "penanganan_pengaduan")
    KNOWN.add("publication_id", publication["id"])
    KNOWN.add("opd", "dispendukcapil")  # the template's OPD
    KNOWN.add("form_token", form_token)
    KNOWN.add("username", "penguji")
    KNOWN.add("password", PASSWORD)
    KNOWN.add("file", SAMPLE_CSV)
    KNOWN.add("title", "Jumlah Penduduk")
    KNOWN.add("period", "2025", "2025-S1")
    KNOWN.add("nama", "Sri Wahyuni")
    KNOWN.add("kontak", "sri@example.id", "0812-3456-7890")
    KNOWN.add("pesan", "Angka penduduk Kecamatan Parang keliru.")
    KNOWN.add("website", "")  # the field for robots, left empty
    KNOWN.add("frequency", "tahunan")
    return KNOWN


def test_the_served_document_is_the_one_tested(anonymous):
    assert anonymous.get("/openapi.json").get_json() == json.loads(json.dumps(openapi.DOCUMENT))


# One database per operation, shared by that operation's examples (the function-scoped fixtures).
# POST /processes/{process_id}/versions is included: no generated text is a valid BPMN model, so it
# meets the model checks' refusals (422) and never deploys.
@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_as_documented(case, app, known):
    secured = bool(case.operation.definition.raw.get("security"))
    headers = {"Authorization": f"Bearer {known.token}"} if secured else None
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


# What the run above found, held as plain cases: each answered 500 before (an id beyond the
# database's integer, NUL that PostgreSQL refuses, a lone surrogate that UTF-8 cannot encode).
HUGE = 2**63  # past PostgreSQL's INTEGER and SQLite's 64 bits
COMPLAINT = {"nama": "Sri", "kontak": "sri@example.id", "pesan": "Angka penduduk keliru.", "form_token": None}
HOSTILE = [
    ("get", f"/datasets/{HUGE}", None, 404),
    ("post", f"/datasets/{2**31}/submit", None, 404),
    ("get", f"/instances/{HUGE}", None, 404),
    ("get", f"/templates/{2**31}", None, 404),
    ("get", "/complaints/ADU-%00", None, 400),
    ("get", "/tasks/%00", None, 400),
    ("get", "/templates?opd=%00", None, 400),
    ("post", "/auth/token", {"username": "\x00", "password": "x"}, 400),
    ("post", "/instances", {"process": PROCESS, "title": "a\ud800"}, 400),
    ("post", "/complaints", {**COMPLAINT, "publication_id": HUGE}, 422),
]


@pytest.mark.parametrize("method, path, body, status", HOSTILE, ids=[f"{m.upper()} {p}" for m, p, *_ in HOSTILE])
def test_hostile_values_are_refused_as_documented(client, known, method, path, body, status):
    if body and "form_token" in body:
        body = {**body, "form_token": known.values["form_token"][0]}
    # The JSON is ASCII: NUL and a lone surrogate travel as \u escapes, as from a hostile client.
    response = getattr(client, method)("/api/v1" + path, headers={"Authorization": f"Bearer {known.token}"}, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"]


def test_a_template_number_in_other_digits_is_unknown(client, known):
    api = Api(client, known.token)  # "²" passes str.isdigit but not int()
    response = api.upload("/datasets", SAMPLE_CSV, "penduduk.csv", title="T", opd="dispendukcapil",
                          period="2025", template="²")
    assert response.status_code == 422 and "template" in response.get_json()["error"]["fields"]

"""The command line: flask --app app user ..., deploy, seed-demo, run through Flask's CLI runner
(app.test_cli_runner(), which pushes no application context of its own) and checked through the API."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.catalog import appoint
from support.people import Api
from support.sop import PROCESS, start

from app.core.models import User
from app.extensions import db

PASSWORD = "sandi-rahasia-123"
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "penyebarluasan_data.bpmn"
REAL_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def invoke(runner, args, input=None):
    return runner.invoke(args=args, input=input)


def create(runner, username, *roles, opd=None, password=PASSWORD):
    args = ["user", "create", username]
    for role in roles:
        args += ["--role", role]
    if opd is not None:
        args += ["--opd", opd]
    return invoke(runner, args + ["--password-stdin"], input=password + "\n")


def login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def token_of(client, username, password=PASSWORD) -> str:
    response = login(client, username, password)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def listing(runner) -> dict[str, list[str]]:
    """`user list` as {username: [roles, opd, state]}."""
    result = invoke(runner, ["user", "list"])
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines():
        if line.strip():
            name, *rest = line.split("\t")
            rows[name] = rest
    return rows


def versions(api) -> list[int]:
    response = api.get("/processes")
    assert response.status_code == 200
    items = [p for p in response.get_json()["items"] if p["id"] == PROCESS]
    assert len(items) == 1
    return [v["version"] for v in items[0]["versions"]]


# user create -----------------------------------------------------------------------------

def test_create_user_then_get_a_token(runner, client):
    result = create(runner, "budi", "redaktur")
    assert result.exit_code == 0, result.output
    assert "budi" in result.output
    response = login(client, "budi")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token"]
    assert body["user"] == {"username": "budi", "roles": ["redaktur"]}
    # The token works for the other calls.
    assert Api(client, body["token"]).get("/opds").status_code == 200


def test_create_user_with_two_roles(runner, client):
    result = invoke(runner, ["user", "create", "sari", "--role", "redaktur", "--role", "desain",
                             "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert login(client, "sari").get_json()["user"]["roles"] == ["desain", "redaktur"]


def test_short_password_is_refused_and_nothing_created(app, runner, client):
    result = create(runner, "budi", "redaktur", password="pendek")
    assert result.exit_code != 0
    assert "minimal" in result.output.lower()
    assert user_count(app) == 0
    assert login(client, "budi", "pendek").status_code == 401


def test_unknown_role_is_refused(app, runner):
    result = create(runner, "budi", "kepala_dinas")
    assert result.exit_code != 0
    assert "kepala_dinas" in result.output
    assert user_count(app) == 0


def test_pengelola_data_needs_an_opd(app, runner, client):
    refused = create(runner, "pengelola", "pengelola_data")
    assert refused.exit_code != 0
    assert "opd" in refused.output.lower()
    assert user_count(app) == 0

    unknown = create(runner, "pengelola", "pengelola_data", opd="tidak-ada")
    assert unknown.exit_code != 0
    assert "tidak-ada" in unknown.output
    assert user_count(app) == 0

    accepted = create(runner, "pengelola", "pengelola_data", opd="dinkes")
    assert accepted.exit_code == 0, accepted.output
    assert listing(runner)["pengelola"][:2] == ["pengelola_data", "dinkes"]
    # The OPD is the one they may supply data for, once a letter appoints them.
    api = Api(client, token_of(client, "pengelola"))
    refused = api.upload("/datasets", b"a,b\n1,2\n", "data.csv", title="Data", opd="dinkes", period="2025")
    assert refused.status_code == 403 and "surat penunjukan" in refused.get_json()["error"]["message"]
    appoint(app, "pengelola")
    own = api.upload("/datasets", b"a,b\n1,2\n", "data.csv", title="Data", opd="dinkes", period="2025")
    assert own.status_code == 201, own.get_json()
    other = api.upload("/datasets", b"a,b\n1,2\n", "data.csv", title="Data", opd="bappeda", period="2025")
    assert other.status_code == 403


def test_duplicate_username_is_refused(app, runner, client):
    assert create(runner, "budi", "redaktur").exit_code == 0
    again = create(runner, "budi", "admin", password="sandi-lain-456789")
    assert again.exit_code != 0
    assert "budi" in again.output and "sudah ada" in again.output
    assert user_count(app) == 1
    # The first account is untouched: same password, same role.
    assert login(client, "budi", "sandi-lain-456789").status_code == 401
    assert login(client, "budi").get_json()["user"]["roles"] == ["redaktur"]


def test_user_list_shows_users_and_roles(runner):
    assert create(runner, "budi", "redaktur").exit_code == 0
    assert create(runner, "ani", "desain", "pengawas").exit_code == 0
    assert create(runner, "dewi", "pengelola_data", opd="bappeda").exit_code == 0
    rows = listing(runner)
    assert list(rows) == ["ani", "budi", "dewi"]
    assert rows["ani"] == ["desain,pengawas", "-", "aktif"]
    assert rows["budi"] == ["redaktur", "-", "aktif"]
    assert rows["dewi"] == ["pengelola_data", "bappeda", "aktif"]


# user set-password / disable --------------------------------------------------------------

def test_set_password(runner, client):
    assert create(runner, "budi", "redaktur").exit_code == 0
    result = invoke(runner, ["user", "set-password", "budi", "--password-stdin"], input="sandi-baru-98765\n")
    assert result.exit_code == 0, result.output
    assert login(client, "budi").status_code == 401
    assert login(client, "budi", "sandi-baru-98765").status_code == 200


def test_set_password_refuses_a_short_one(runner, client):
    assert create(runner, "budi", "redaktur").exit_code == 0
    result = invoke(runner, ["user", "set-password", "budi", "--password-stdin"], input="pendek\n")
    assert result.exit_code != 0
    assert "minimal" in result.output.lower()
    assert login(client, "budi").status_code == 200
    assert login(client, "budi", "pendek").status_code == 401


def test_set_password_of_unknown_user_fails(runner):
    result = invoke(runner, ["user", "set-password", "siapa", "--password-stdin"], input="sandi-baru-98765\n")
    assert result.exit_code != 0
    assert "siapa" in result.output


def test_disable_revokes_tokens_and_blocks_login(runner, client):
    assert create(runner, "budi", "redaktur").exit_code == 0
    api = Api(client, token_of(client, "budi"))
    assert api.get("/opds").status_code == 200

    result = invoke(runner, ["user", "disable", "budi"])
    assert result.exit_code == 0, result.output
    response = api.get("/opds")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert login(client, "budi").status_code == 401
    assert listing(runner)["budi"][2] == "nonaktif"


def test_disable_unknown_user_fails(runner):
    result = invoke(runner, ["user", "disable", "siapa"])
    assert result.exit_code != 0
    assert "siapa" in result.output


# deploy -----------------------------------------------------------------------------------

@pytest.fixture
def admin(runner, client):
    assert create(runner, "admin1", "admin").exit_code == 0
    return Api(client, token_of(client, "admin1"))


def test_deploy_without_changes_makes_no_version(runner, admin):
    assert versions(admin) == [1]
    result = invoke(runner, ["deploy"])
    assert result.exit_code == 0, result.output
    assert "tidak berubah" in result.output
    assert "dipasang," not in result.output
    assert versions(admin) == [1]


def test_deploy_modified_file_makes_version_2(runner, admin, tmp_path):
    xml = SHIPPED.read_text(encoding="utf-8")
    old = '<bpmn:userTask id="desain" name="Mendesain bahan untuk publikasi">'
    assert xml.count(old) == 1
    changed = tmp_path / "penyebarluasan_data.bpmn"
    changed.write_text(xml.replace(old, '<bpmn:userTask id="desain" name="Mendesain infografis">'),
                       encoding="utf-8")

    result = invoke(runner, ["deploy", str(changed)])
    assert result.exit_code == 0, result.output
    assert f"{PROCESS} versi 2" in result.output
    assert versions(admin) == [1, 2]
    # New instances run on the new version.
    assert create(runner, "redaktur1", "redaktur").exit_code == 0
    redaktur = Api(admin.client, token_of(admin.client, "redaktur1"))
    assert start(redaktur)["process_version"] == 2


def test_deploy_file_with_a_script_task_is_refused(runner, admin, tmp_path):
    xml = SHIPPED.read_text(encoding="utf-8")
    script = ('<bpmn:scriptTask id="skrip_jahat" name="Skrip">'
              '<bpmn:script>import os; os.system("id")</bpmn:script></bpmn:scriptTask>\n'
              '  </bpmn:process>')
    assert xml.count("</bpmn:process>") == 1
    bad = tmp_path / "skrip.bpmn"
    bad.write_text(xml.replace("</bpmn:process>", script), encoding="utf-8")

    result = invoke(runner, ["deploy", str(bad)])
    assert result.exit_code != 0
    assert "scriptTask" in result.output
    assert versions(admin) == [1]


# seed-demo --------------------------------------------------------------------------------

DEMO = {"admin": "admin", "redaktur": "redaktur", "desain": "desain", "pengawas": "pengawas",
        "walidata": "walidata", "operator": "pengelola_data", "pengaduan": "petugas_pengaduan"}


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    if not directory.exists():
        return {}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.rglob("*")}


def test_seed_demo(app_factory, tmp_path, monkeypatch):
    real_before = _snapshot(REAL_INSTANCE)
    app = app_factory()
    instance = tmp_path / "instance"
    runner, client = app.test_cli_runner(), app.test_client()
    assert user_count(app) == 0

    result = invoke(runner, ["seed-demo"])
    assert result.exit_code == 0, result.output
    printed = {}
    for line in result.output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in DEMO:
            printed[parts[0]] = parts[1]
    assert set(printed) == set(DEMO), result.output

    credentials = instance / "demo-credentials.txt"
    assert credentials.is_file()
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    saved = dict(line.split("\t") for line in credentials.read_text().splitlines() if line.strip())
    assert saved == printed
    passwords = list(saved.values())
    assert len(set(passwords)) == len(passwords)
    for username, password in saved.items():
        assert len(password) >= 10
        response = login(client, username, password)
        assert response.status_code == 200, (username, response.get_json())
        assert response.get_json()["user"]["roles"] == [DEMO[username]]
    assert user_count(app) == len(DEMO)

    admin = Api(client, token_of(client, "admin", saved["admin"]))
    catalog = admin.get("/datasets").get_json()
    assert catalog["total"] == 1
    sample = catalog["items"][0]
    assert sample["is_sample"] is True and sample["status"] == "ready" and sample["template_id"]
    assert sample["row_count"] == 18 and sample["columns"][0] == "kode_kecamatan"
    # The demo operator may hand in data: a (sample) letter appoints them.
    operator = Api(client, token_of(client, "operator", saved["operator"]))
    response = operator.upload("/datasets", b"a,b\n1,2\n", "data.csv", title="Uji", opd="dispendukcapil",
                               period="2025")
    assert response.status_code == 201, response.get_json()

    content = credentials.read_text()
    again = invoke(runner, ["seed-demo"])
    assert again.exit_code == 0, again.output
    for password in passwords:
        assert password not in again.output
    assert not [line for line in again.output.splitlines()
                if len(line.split()) == 2 and line.split()[0] in DEMO], again.output
    assert user_count(app) == len(DEMO)
    assert admin.get("/datasets").get_json()["total"] == 2
    assert credentials.read_text() == content
    for username, password in saved.items():
        assert login(client, username, password).status_code == 200

    assert _snapshot(REAL_INSTANCE) == real_before


def test_seed_demo_adds_nothing_when_users_exist(app_factory, tmp_path, monkeypatch):
    app = app_factory()
    runner = app.test_cli_runner()
    assert create(runner, "budi", "redaktur").exit_code == 0

    result = invoke(runner, ["seed-demo"])
    assert result.exit_code == 0, result.output
    assert list(listing(runner)) == ["budi"]
    assert not (tmp_path / "instance" / "demo-credentials.txt").exists()
    api = Api(app.test_client(), token_of(app.test_client(), "budi"))
    assert api.get("/datasets").get_json()["total"] == 0


def test_user_create_with_email(runner, app):
    from app.core.models import User
    from app.extensions import db
    ok = runner.invoke(args=["user", "create", "rina", "--role", "desain", "--email", "rina@magetan.go.id",
                             "--password-stdin"], input="kata-sandi-uji-123\n")
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(args=["user", "create", "tono", "--role", "desain", "--email", "bukan-email",
                              "--password-stdin"], input="kata-sandi-uji-123\n")
    assert bad.exit_code != 0 and "e-mail" in bad.output
    with app.app_context():
        assert db.session.query(User).filter_by(username="rina").one().email == "rina@magetan.go.id"
        assert db.session.query(User).filter_by(username="tono").first() is None

"""Backup and restore (flask --app app backup / restore): one archive with the database and the
uploads; a restore brings back exactly what was backed up, refuses damaged, tampered, unsafe or
too new archives without changing anything, and upgrades an older backup.

Restore overwrites its database, so every test runs on a database of its own: a SQLite file,
or on PostgreSQL a database made for the test on the TEST_DATABASE_URL server and dropped after.
"""
from __future__ import annotations

import hashlib
import io
import json
import secrets
import stat
import tarfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, make_url, text
from support.catalog import upload_dataset
from support.database import TEST_DATABASE_URL, create_scratch_database, drop_scratch_database
from support.sop import Team

from app import create_app
from app.extensions import db
from app.workflow import processes

# Compared before and after; ordered by their key.
COMPARED = {"user": "id", "user_role": "id", "api_token": "id", "opd": "code", "stored_file": "id",
            "data_template": "id", "dataset": "id", "process_version": "id", "instance": "id",
            "human_task": "id", "publication": "id", "notification": "id", "audit_event": "id",
            "audit_head": "id"}
HEAD = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path):
    """Makes empty databases of one kind; PostgreSQL's are dropped at the end."""
    made = []
    if request.param == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL runs when TEST_DATABASE_URL is set (.ci/run sets it)")

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / secrets.token_hex(4)}.db"
        made.append(create_scratch_database("h_backup"))
        return made[-1]

    yield make
    for url in made:
        drop_scratch_database(url)


def migrate(url: str, tmp_path: Path, revision: str = "head") -> None:
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "migrate")})
    with app.app_context():
        upgrade(revision=revision)
        if revision == "head":
            processes.deploy_shipped()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_factory, new_database, tmp_path):
    """The app of this module's tests, over a migrated database of its own (not the suite's)."""
    url = new_database()
    migrate(url, tmp_path)
    return app_factory(DATABASE_URL=url)


def rows(app) -> dict[str, list[tuple]]:
    with app.app_context():
        found = {table: [tuple(r) for r in db.session.execute(text(f'SELECT * FROM "{table}" ORDER BY {key}'))]
                 for table, key in COMPARED.items()}
        db.session.rollback()
        return found


def uploads(app) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cli(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    return result.exit_code, result.output


def make_data(make_user):
    team = Team(make_user)
    dataset = upload_dataset(team.admin, title="Jumlah Penduduk Magetan")
    team.publish("Infografis penduduk Magetan", "Penduduk per kecamatan.", dataset=dataset)
    return team


def backup(app, path: Path) -> Path:
    code, output = cli(app, "backup", "--output", str(path))
    assert code == 0, output
    return path


def members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isreg() else None) for m in tar.getmembers()]


def write_archive(path: Path, entries) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def test_restore_brings_back_database_and_uploads(app, make_user, tmp_path):
    make_data(make_user)
    before, files = rows(app), uploads(app)
    assert before["publication"] and before["dataset"] and len(files) >= 2
    if app.config["DATABASE_URL"].startswith("sqlite"):
        # The backup is taken while the app's connections are open and recent writes sit in the WAL.
        assert Path(make_url(app.config["DATABASE_URL"]).database + "-wal").stat().st_size > 0

    archive = backup(app, tmp_path / "cadangan" / "cadangan.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    with app.app_context():
        db.session.execute(text("DELETE FROM publication"))
        db.session.commit()
    make_user("tambahan", "desain")
    (Path(app.config["UPLOAD_DIR"]) / sorted(files)[0]).unlink()
    assert rows(app) != before and uploads(app) != files

    code, output = cli(app, "restore", str(archive), "--yes")
    assert code == 0, output
    assert rows(app) == before
    assert uploads(app) == files
    assert cli(app, "audit", "verify")[0] == 0
    # The restored database goes on working: new rows get fresh ids.
    make_user("sesudah", "redaktur")
    assert len(rows(app)["user"]) == len(before["user"]) + 1


def test_default_archive_and_its_manifest(app, make_user):
    make_data(make_user)
    code, output = cli(app, "backup")
    assert code == 0, output
    [archive] = (Path(app.instance_path) / "backups").glob("backup-*.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600 and str(archive) in output
    entries = members(archive)
    assert entries[0][0].name == "manifest.json"
    manifest = json.loads(entries[0][1])
    kind = make_url(app.config["DATABASE_URL"]).get_backend_name()
    assert (manifest["database"], manifest["alembic_revision"]) == (kind, HEAD)
    assert manifest["created_at"].endswith("Z")
    stored = {f"uploads/{name}": data for name, data in uploads(app).items()}
    assert set(manifest["members"]) == {"database.sqlite3" if kind == "sqlite" else "database.pgdump", *stored}
    for info, data in entries[1:]:
        assert manifest["members"][info.name] == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if info.name in stored:
            assert data == stored[info.name]


def test_without_yes_it_asks_and_a_no_changes_nothing(app, make_user, tmp_path):
    make_data(make_user)
    archive = backup(app, tmp_path / "b.tar.gz")
    make_user("tambahan", "desain")
    before = rows(app)
    code, output = cli(app, "restore", str(archive), input="n\n")
    assert code != 0 and "Lanjutkan?" in output
    assert rows(app) == before
    code, output = cli(app, "restore", str(archive), input="y\n")
    assert code == 0, output
    assert "tambahan" not in {row[1] for row in rows(app)["user"]}


def test_an_older_backup_is_upgraded(app, app_factory, new_database, make_user, tmp_path):
    """A backup taken before the complaints existed replaces a database that has them."""
    make_data(make_user)
    old_url = new_database()
    migrate(old_url, tmp_path, revision="0007")
    old_app = app_factory(DATABASE_URL=old_url, UPLOAD_DIR=str(tmp_path / "old-uploads"))
    archive = backup(old_app, tmp_path / "old.tar.gz")
    assert json.loads(members(archive)[0][1])["alembic_revision"] == "0007"

    code, output = cli(app, "restore", str(archive), "--yes")
    assert code == 0, output
    with app.app_context():
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert "complaint" in inspect(db.engine).get_table_names()
        assert db.session.execute(text('SELECT count(*) FROM "user"')).scalar() == 0
        db.session.rollback()
    assert uploads(app) == {}


ONLY_SQLITE = pytest.mark.parametrize("new_database", ["sqlite"], indirect=True)


def tampered_content(entries):
    """The first upload's bytes changed, its size and the manifest kept."""
    name = next(info.name for info, _ in entries if info.name.startswith("uploads/"))
    changed = [(info, bytes([data[0] ^ 1]) + data[1:] if info.name == name else data) for info, data in entries]
    return changed, name


def tampered_manifest(entries):
    manifest = json.loads(entries[0][1])
    name = sorted(manifest["members"])[0]
    manifest["members"][name]["sha256"] = "0" * 64
    return [(entries[0][0], json.dumps(manifest).encode()), *entries[1:]], name


def newer_revision(entries):
    manifest = json.loads(entries[0][1])
    manifest["alembic_revision"] = "9999_dari_masa_depan"
    return [(entries[0][0], json.dumps(manifest).encode()), *entries[1:]], "9999_dari_masa_depan"


def extra_member(name, kind=tarfile.REGTYPE, data=b"jahat", linkname=""):
    def change(entries):
        info = tarfile.TarInfo(name)
        info.type, info.linkname = kind, linkname
        return [*entries, (info, data if kind == tarfile.REGTYPE else None)], name
    return change


def listed_unsafe(entries):
    manifest = json.loads(entries[0][1])
    manifest["members"]["uploads/../../jahat"] = {"size": 5, "sha256": hashlib.sha256(b"jahat").hexdigest()}
    return [(entries[0][0], json.dumps(manifest).encode()), *entries[1:]], "uploads/../../jahat"


def missing_member(entries):
    name = entries[-1][0].name
    return entries[:-1], name


def wrong_kind(entries):
    """A PostgreSQL archive offered to a SQLite installation."""
    manifest = json.loads(entries[0][1])
    manifest["database"] = "postgresql"
    manifest["members"]["database.pgdump"] = manifest["members"].pop("database.sqlite3")
    for info, _ in entries:
        if info.name == "database.sqlite3":
            info.name = "database.pgdump"
    return [(entries[0][0], json.dumps(manifest).encode()), *entries[1:]], "postgresql"


@ONLY_SQLITE
@pytest.mark.parametrize("change", [
    tampered_content, tampered_manifest, newer_revision, listed_unsafe, missing_member, wrong_kind,
    extra_member("uploads/zz/tidak-tercantum"),
    extra_member("/tmp/jahat-mutlak"),
    extra_member("uploads/../../jahat"),
    extra_member("uploads/ab/tautan", tarfile.SYMTYPE, linkname="/etc/passwd"),
    extra_member("uploads/ab/tautan-keras", tarfile.LNKTYPE, linkname="manifest.json"),
], ids=["content", "manifest-hash", "newer-revision", "unsafe-name-in-manifest", "missing-member",
        "other-database-kind", "not-in-manifest", "absolute-path", "dot-dot", "symlink", "hardlink"])
def test_a_bad_archive_is_refused_and_nothing_changes(app, make_user, tmp_path, change):
    make_data(make_user)
    entries, culprit = change(members(backup(app, tmp_path / "b.tar.gz")))
    archive = write_archive(tmp_path / "buruk.tar.gz", entries)
    make_user("tambahan", "desain")
    before, files = rows(app), uploads(app)

    code, output = cli(app, "restore", str(archive), "--yes")
    assert code != 0
    assert culprit in output, output
    assert rows(app) == before and uploads(app) == files
    assert not list(tmp_path.rglob("jahat*")) and not Path("/tmp/jahat-mutlak").exists()
    assert not list(Path(app.instance_path).glob(".restore-*"))


@ONLY_SQLITE
def test_not_an_archive_is_refused(app, tmp_path):
    junk = tmp_path / "bukan.tar.gz"
    junk.write_bytes(b"bukan arsip")
    code, output = cli(app, "restore", str(junk), "--yes")
    assert code != 0 and "Arsip ditolak" in output

"""Backup and restore of an installation: the database and every uploaded file in one tar.gz.

The archive holds ``manifest.json`` first (alembic revision, creation time, database kind and
the size and SHA-256 of every other member), then the database dump (SQLite: a copy made with
the online backup API, consistent while the app runs and including the WAL; PostgreSQL:
``pg_dump --format=custom``) and ``uploads/...``, the files under UPLOAD_DIR.

Restoring first reads the whole archive into a staging folder, checking every member's name,
kind, size and hash against the manifest, so that a damaged or tampered archive is refused
before anything is changed. Only then are the database and the uploads replaced, and the
schema migrated to the code's head.
"""
from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect, text

from app.extensions import db

from .errors import ServiceError

MANIFEST = "manifest.json"
UPLOADS = "uploads"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FORMAT = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
# files.store writes an upload to a temporary name first, then renames it.
IN_PROGRESS_PREFIX = ".upload-"


class BackupError(ServiceError):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass
class Staged:
    """A verified archive, extracted into ``folder``."""
    manifest: dict
    folder: Path

    @property
    def uploads(self) -> list[str]:
        return sorted(name for name in self.manifest["members"] if name.startswith(UPLOADS + "/"))


# --- the database -------------------------------------------------------------------------

def database_kind() -> str:
    name = db.engine.url.get_backend_name()
    if name not in DUMPS:
        raise BackupError(f"Basis data {name} tidak didukung; hanya SQLite dan PostgreSQL.")
    return name


def _sqlite_path() -> str:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan atau dipulihkan.")
    return path


def _sqlite_copy(source: str, target: str) -> None:
    """Copy one SQLite database into another through SQLite's online backup API."""
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _version(path: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", Path(path).parent.parent.name)]


def _pg_tool(name: str) -> str:
    """A PostgreSQL client program (pg_dump, pg_restore, psql) from PATH, else from the
    newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    for path in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version, reverse=True):
        if os.access(path, os.X_OK):
            return path
    raise BackupError(f"Program {name} tidak ditemukan (dicari di PATH dan /usr/lib/postgresql/*/bin); "
                      "pasang klien PostgreSQL, misalnya paket Debian postgresql-client.")


def _pg_run(tool: str, *args: str, connect: bool = True) -> str:
    """Run a PostgreSQL client program, against DATABASE_URL when ``connect``; the password
    goes by environment, never on the command line."""
    command, env = [_pg_tool(tool), *args], dict(os.environ)
    if connect:
        url = db.engine.url
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        command.append(f"--dbname={conninfo}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BackupError(f"{tool} gagal (kode {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def _dump_database(kind: str, target: Path) -> str | None:
    """Write the database to ``target``; returns the alembic revision of what was written."""
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(), str(target))
        connection = sqlite3.connect(target)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
        finally:
            connection.close()
        return row[0] if row else None
    with db.engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            if inspect(connection).has_table("alembic_version") else None
    _pg_run("pg_dump", "--format=custom", "--no-owner", f"--file={target}")
    return revision


def _pg_restore(dump: Path) -> None:
    """Replace the PostgreSQL database by the dump in one transaction: pg_restore writes the
    dump as SQL (--clean --if-exists), psql runs it after dropping every table of the schema,
    since tables and constraints of a newer schema than the dump's would block the drops and
    the upgrade afterwards. Any error rolls everything back."""
    script, prelude = dump.with_suffix(".sql"), dump.with_suffix(".prelude.sql")
    _pg_run("pg_restore", "--clean", "--if-exists", "--no-owner", f"--file={script}", str(dump), connect=False)
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        tables = inspect(connection).get_table_names(schema=schema)
    quote = db.engine.dialect.identifier_preparer.quote
    prelude.write_text("".join(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(t)} CASCADE;\n" for t in tables))
    db.engine.dispose()
    _pg_run("psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
            f"--file={prelude}", f"--file={script}")


def _restore_database(kind: str, dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        # The backup API writes through SQLite's own locking and WAL, unlike a plain file copy.
        _sqlite_copy(str(dump), _sqlite_path())
    else:
        _pg_restore(dump)
    db.engine.dispose()


# --- migrations ---------------------------------------------------------------------------

def _scripts() -> ScriptDirectory:
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def code_head() -> str:
    return _scripts().get_current_head()


def check_revision(revision: str) -> None:
    """Refuse a revision the code does not know: it was made by a newer version of the app."""
    try:
        known = _scripts().get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(f"Cadangan berasal dari skema revisi {revision}, lebih baru dari kode ini "
                          f"(revisi {code_head()}); pasang versi aplikasi yang sesuai dahulu.")


# --- uploads ------------------------------------------------------------------------------

def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _upload_files() -> dict[str, Path]:
    """Every finished upload under UPLOAD_DIR by its member name; links are not followed."""
    root, found = _upload_dir(), {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(IN_PROGRESS_PREFIX) or path.is_symlink() or not path.is_file():
                continue
            found[f"{UPLOADS}/{path.relative_to(root).as_posix()}"] = path
    return found


def _replace_uploads(staged: Staged) -> None:
    root = _upload_dir()
    wanted = set()
    for name in staged.uploads:
        relative = PurePosixPath(name).relative_to(UPLOADS)
        target = root.joinpath(*relative.parts)
        wanted.add(target)
        expected = staged.manifest["members"][name]["sha256"]
        if target.is_file() and not target.is_symlink() and _digest(target) == expected:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=IN_PROGRESS_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out, open(staged.folder / name, "rb") as source:
                shutil.copyfileobj(source, out, CHUNK)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    for path in _upload_files().values():
        if path not in wanted:
            path.unlink()
    for folder, _dirs, _names in sorted(os.walk(root), reverse=True):
        if Path(folder) != root and not os.listdir(folder):
            os.rmdir(folder)


# --- hashing and member names -------------------------------------------------------------

class _Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _digest(path: Path) -> str:
    sha256 = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and "\\" not in name and path.as_posix() == name \
        and not any(part in ("", ".", "..") for part in path.parts)


def _allowed_member(name: str, kind: str) -> bool:
    return _safe_name(name) and (name == DUMPS[kind] or (name.startswith(UPLOADS + "/") and name != UPLOADS + "/"))


# --- backup -------------------------------------------------------------------------------

def _default_output(now: datetime) -> Path:
    folder = Path(current_app.instance_path) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = "backup-" + now.strftime("%Y%m%dT%H%M%SZ")
    path, n = folder / f"{stem}.tar.gz", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.tar.gz"
    return path


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


def create(output: Path | None = None) -> tuple[Path, dict]:
    """Write a backup archive (mode 600); returns its path and manifest."""
    kind = database_kind()
    now = datetime.now(UTC).replace(microsecond=0)
    output = Path(output) if output else _default_output(now)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMPS[kind]
        revision = _dump_database(kind, dump)
        if not revision:
            raise BackupError("Basis data belum dimigrasi (tidak ada revisi alembic); jalankan "
                              "`flask --app app db upgrade` dahulu.")
        sources = {DUMPS[kind]: dump, **_upload_files()}
        members = {name: {"size": path.stat().st_size, "sha256": _digest(path)} for name, path in sources.items()}
        manifest = {"format": FORMAT, "created_at": now.isoformat().replace("+00:00", "Z"),
                    "database": kind, "alembic_revision": revision, "members": members}
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".backup-", suffix=".tar.gz")
        try:
            with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
                encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
                tar.addfile(_tarinfo(MANIFEST, len(encoded), now.timestamp()), io.BytesIO(encoded))
                for name, path in sources.items():
                    _add(tar, name, path, members[name], now.timestamp())
            os.chmod(tmp, 0o600)
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return output, manifest


def _add(tar: tarfile.TarFile, name: str, path: Path, expected: dict, mtime: float) -> None:
    """Add a file, checking that it is still what the manifest says."""
    with open(path, "rb") as fh:
        reader = _Hashing(fh)
        try:
            tar.addfile(_tarinfo(name, expected["size"], mtime), reader)
        except OSError as exc:
            raise BackupError(f"Berkas {name} berubah selama pencadangan; ulangi.") from exc
        if reader.sha256.hexdigest() != expected["sha256"] or fh.read(1):
            raise BackupError(f"Berkas {name} berubah selama pencadangan; ulangi.")


# --- restore ------------------------------------------------------------------------------

def _refuse(message: str) -> BackupError:
    return BackupError(f"Arsip ditolak, tidak ada yang diubah: {message}")


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg():
        raise _refuse(f"anggota pertama harus {MANIFEST}.")
    if first.size > MAX_MANIFEST_BYTES:
        raise _refuse(f"{MANIFEST} terlalu besar.")
    try:
        manifest = json.loads(tar.extractfile(first).read())
        kind, members = manifest["database"], manifest["members"]
        valid = manifest["format"] == FORMAT and kind in DUMPS and isinstance(manifest["alembic_revision"], str) \
            and isinstance(members, dict) and DUMPS[kind] in members and all(
                isinstance(m, dict) and isinstance(m.get("size"), int) and isinstance(m.get("sha256"), str)
                for m in members.values())
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise _refuse(f"{MANIFEST} tidak sah.")
    for name in members:
        if not _allowed_member(name, kind):
            raise _refuse(f"nama anggota tidak aman atau tidak dikenal di manifest: {name!r}.")
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict, folder: Path) -> None:
    if member.size != expected["size"]:
        raise _refuse(f"ukuran {member.name} tidak cocok dengan manifest.")
    target = folder.joinpath(*PurePosixPath(member.name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = _Hashing(tar.extractfile(member))
    with open(target, "xb") as out:
        shutil.copyfileobj(reader, out, CHUNK)
    if reader.size != expected["size"] or reader.sha256.hexdigest() != expected["sha256"]:
        raise _refuse(f"isi {member.name} tidak cocok dengan hash SHA-256 di manifest (arsip rusak atau diubah).")


@contextmanager
def staged(archive: Path) -> Iterator[Staged]:
    """Verify ``archive`` completely and extract it into a temporary folder."""
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as work:
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                manifest = _read_manifest(tar)
                seen = set()
                while (member := tar.next()) is not None:
                    name = member.name
                    if not _safe_name(name):
                        raise _refuse(f"nama anggota tidak aman: {name!r}.")
                    if not member.isreg():
                        raise _refuse(f"anggota {name} bukan berkas biasa (tautan, folder atau perangkat).")
                    if name not in manifest["members"]:
                        raise _refuse(f"anggota {name} tidak tercantum di manifest.")
                    if name in seen:
                        raise _refuse(f"anggota {name} muncul lebih dari sekali.")
                    seen.add(name)
                    _extract(tar, member, manifest["members"][name], Path(work))
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise _refuse(f"bukan arsip tar.gz yang utuh ({exc}).") from exc
        missing = sorted(set(manifest["members"]) - seen)
        if missing:
            raise _refuse(f"anggota yang tercantum di manifest tidak ada di arsip: {missing[0]}.")
        yield Staged(manifest, Path(work))


def check_compatible(staged_archive: Staged) -> None:
    manifest = staged_archive.manifest
    kind = database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"Cadangan berisi basis data {manifest['database']}, sedangkan DATABASE_URL "
                          f"menunjuk ke {kind}; pemulihan lintas jenis basis data tidak didukung.")
    check_revision(manifest["alembic_revision"])


def restore(staged_archive: Staged) -> str:
    """Replace the database and the uploads with the staged archive's, then migrate to head.
    Returns the revision the database is at afterwards."""
    from flask_migrate import upgrade

    check_compatible(staged_archive)
    kind = staged_archive.manifest["database"]
    _restore_database(kind, staged_archive.folder / DUMPS[kind])
    _replace_uploads(staged_archive)
    upgrade()
    db.engine.dispose()
    return code_head()

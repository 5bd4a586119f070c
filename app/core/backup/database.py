"""The database in a backup: its dump (SQLite: a copy made with the online backup API,
consistent while the app runs and including the WAL; PostgreSQL: ``pg_dump --format=custom``),
its replacement by a dump, and the alembic revisions the code knows."""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect, text

from app.extensions import db

from .archive import DUMPS, BackupError


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


def dump_database(kind: str, target: Path) -> str | None:
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


def restore_database(kind: str, dump: Path) -> None:
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

"""Restoring a backup: the whole archive is first read into a staging folder, every member's
name, kind, size and hash checked against the manifest, so that a damaged or tampered archive
is refused before anything is changed; only then are the database and the uploads replaced and
the schema migrated to the code's head."""
from __future__ import annotations

import gzip
import json
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from flask import current_app

from app.extensions import db

from .archive import (
    CHUNK,
    DUMPS,
    FORMAT,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    BackupError,
    Hashing,
    Staged,
    allowed_member,
    safe_name,
)
from .database import check_revision, code_head, database_kind, restore_database
from .uploads import replace_uploads


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
        if not allowed_member(name, kind):
            raise _refuse(f"nama anggota tidak aman atau tidak dikenal di manifest: {name!r}.")
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict, folder: Path) -> None:
    if member.size != expected["size"]:
        raise _refuse(f"ukuran {member.name} tidak cocok dengan manifest.")
    target = folder.joinpath(*PurePosixPath(member.name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = Hashing(tar.extractfile(member))
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
                    if not safe_name(name):
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
    restore_database(kind, staged_archive.folder / DUMPS[kind])
    replace_uploads(staged_archive)
    upgrade()
    db.engine.dispose()
    return code_head()

"""Writing a backup archive: the database dumped, every upload, each checked against the
manifest while it is added; written under a temporary name and renamed when complete."""
from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from app.core.files import replacing

from .archive import DUMPS, FORMAT, MANIFEST, BackupError, Hashing, digest
from .database import database_kind, dump_database
from .uploads import upload_files


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
        revision = dump_database(kind, dump)
        if not revision:
            raise BackupError("Basis data belum dimigrasi (tidak ada revisi alembic); jalankan "
                              "`flask --app app db upgrade` dahulu.")
        sources = {DUMPS[kind]: dump, **upload_files()}
        members = {name: {"size": path.stat().st_size, "sha256": digest(path)} for name, path in sources.items()}
        manifest = {"format": FORMAT, "created_at": now.isoformat().replace("+00:00", "Z"),
                    "database": kind, "alembic_revision": revision, "members": members}
        with replacing(output, prefix=".backup-", suffix=".tar.gz") as fh:
            with tarfile.open(fileobj=fh, mode="w:gz") as tar:
                encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
                tar.addfile(_tarinfo(MANIFEST, len(encoded), now.timestamp()), io.BytesIO(encoded))
                for name, path in sources.items():
                    _add(tar, name, path, members[name], now.timestamp())
            os.fchmod(fh.fileno(), 0o600)
    return output, manifest


def _add(tar: tarfile.TarFile, name: str, path: Path, expected: dict, mtime: float) -> None:
    """Add a file, checking that it is still what the manifest says."""
    with open(path, "rb") as fh:
        reader = Hashing(fh)
        try:
            tar.addfile(_tarinfo(name, expected["size"], mtime), reader)
        except OSError as exc:
            raise BackupError(f"Berkas {name} berubah selama pencadangan; ulangi.") from exc
        if reader.sha256.hexdigest() != expected["sha256"] or fh.read(1):
            raise BackupError(f"Berkas {name} berubah selama pencadangan; ulangi.")

"""The backup archive's format: ``manifest.json`` first (alembic revision, creation time,
database kind and the size and SHA-256 of every other member), then the database dump and
``uploads/...``; the names a member may have, and the hashing of what is written and read."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from app.core.errors import ServiceError

MANIFEST = "manifest.json"
UPLOADS = "uploads"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FORMAT = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


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


class Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def digest(path: Path) -> str:
    sha256 = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and "\\" not in name and path.as_posix() == name \
        and not any(part in ("", ".", "..") for part in path.parts)


def allowed_member(name: str, kind: str) -> bool:
    return safe_name(name) and (name == DUMPS[kind] or (name.startswith(UPLOADS + "/") and name != UPLOADS + "/"))

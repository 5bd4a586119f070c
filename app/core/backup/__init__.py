"""Backup and restore of an installation: the database and every uploaded file in one tar.gz.

The archive holds ``manifest.json`` first (alembic revision, creation time, database kind and
the size and SHA-256 of every other member), then the database dump (SQLite: a copy made with
the online backup API, consistent while the app runs and including the WAL; PostgreSQL:
``pg_dump --format=custom``) and ``uploads/...``, the files under UPLOAD_DIR.

Restoring first reads the whole archive into a staging folder, checking every member's name,
kind, size and hash against the manifest, so that a damaged or tampered archive is refused
before anything is changed. Only then are the database and the uploads replaced, and the
schema migrated to the code's head.

- :mod:`.archive`: the format, the names a member may have, hashing;
- :mod:`.database` and :mod:`.uploads`: what is backed up, and how it is replaced;
- :mod:`.writing`: a new archive; :mod:`.restoring`: checking one and restoring from it.
"""
from .archive import UPLOADS, BackupError, Staged
from .restoring import check_compatible, restore, staged
from .writing import create

__all__ = ["UPLOADS", "BackupError", "Staged", "check_compatible", "create", "restore", "staged"]

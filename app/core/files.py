"""Uploaded files: checked by their content, stored once per content under UPLOAD_DIR."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app import policy
from app.extensions import db

from . import audit
from .errors import Invalid, TooLarge
from .models import StoredFile, User

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
PDF = "application/pdf"
# An upload is written under a temporary name with this prefix first, then renamed.
IN_PROGRESS_PREFIX = ".upload-"


def max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def check_size(data: bytes) -> None:
    if len(data) > max_bytes():
        raise TooLarge(f"Berkas melebihi batas {current_app.config['MAX_UPLOAD_MB']} MB.")


def sniff_form_upload(data: bytes) -> str:
    """The content type of an image or PDF, judged by its bytes; refuse anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        kind = None
    if kind not in IMAGE_TYPES:
        raise Invalid("Berkas harus berupa gambar PNG, JPEG, WebP atau dokumen PDF.",
                      {"file": "jenis berkas tidak didukung"})
    return IMAGE_TYPES[kind]


def path_of(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256


def _write_content(data: bytes, sha256: str) -> None:
    target = path_of(sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target, prefix=IN_PROGRESS_PREFIX) as fh:
        fh.write(data)


@contextmanager
def replacing(target: Path, *, prefix: str, suffix: str = "") -> Iterator[BinaryIO]:
    """A file to write that takes ``target``'s place only when complete: written under a
    temporary name beside it (``prefix``, ``suffix``) and renamed to it when the block ends;
    removed when the block fails."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(data: bytes, content_type: str, original_name: str, user: User | None) -> StoredFile:
    check_size(data)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_content(data, sha256)
    row = StoredFile(
        id=secrets.token_hex(16), sha256=sha256, content_type=content_type, size=len(data),
        original_name=Path(original_name or "").name[:255], uploaded_by_id=user.id if user else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("file.upload", user, file_id=row.id, content_type=content_type, size=len(data))
    return row


def store_form_upload(data: bytes, original_name: str, user: User) -> StoredFile:
    check_size(data)
    if not data:
        raise Invalid("Berkas kosong.", {"file": "berkas kosong"})
    return store(data, sniff_form_upload(data), original_name, user)



def readable(file_id: str, viewer) -> StoredFile:
    """A stored file its viewer may see (404 for anyone else)."""
    stored = db.session.get(StoredFile, file_id) if isinstance(file_id, str) else None
    policy.require_known(stored is not None and policy.may_read_file(viewer, stored), "Berkas tidak ditemukan.")
    return stored

"""Stored files, for those who may see an object that references them (app.policy)."""
from __future__ import annotations

from flask import Blueprint, send_file
from flask_login import current_user, login_required

from app.core import files

bp = Blueprint("files", __name__)


@bp.get("/berkas/<file_id>")
@login_required
def file(file_id: str):
    """An upload: images are shown in the page, other files downloaded."""
    stored = files.readable(file_id, current_user)
    inline = stored.content_type.startswith("image/")
    return send_file(files.path_of(stored.sha256), mimetype=stored.content_type, as_attachment=not inline,
                     download_name=stored.original_name or f"{stored.id}", etag=stored.sha256)

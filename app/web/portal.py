"""The public portal: what was published, its data, its images. No login needed."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file

from ..extensions import db
from ..models import Dataset, Publication
from ..services import files, publications

bp = Blueprint("portal", __name__)


@bp.get("/")
def index():
    page = request.args.get("page", 1, type=int) or 1
    per_page = int(current_app.config["PER_PAGE"])
    rows, total = publications.page(max(page, 1), per_page)
    pages = max(1, -(-total // per_page))
    return render_template("portal/index.html", publications=rows, page=page, pages=pages)


@bp.get("/publikasi/<int:publication_id>")
def publication(publication_id: int):
    row = db.session.get(Publication, publication_id) or abort(404)
    return render_template("portal/publication.html", publication=row)


@bp.get("/data/<int:dataset_id>")
def dataset(dataset_id: int):
    row = db.session.get(Dataset, dataset_id) or abort(404)
    return render_template("portal/dataset.html", dataset=row)


@bp.get("/media/<file_id>")
def media(file_id: str):
    """A published design; other uploads are not public."""
    stored = publications.public_file(file_id)
    response = send_file(files.path_of(stored.sha256), mimetype=stored.content_type,
                         max_age=86400, etag=stored.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

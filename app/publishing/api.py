"""/api/v1 calls of publishing: what was published, for everyone."""
from __future__ import annotations

from app.web.api import blueprint, page_args, paged

from . import publications, shapes

bp = blueprint("publishing_api", __name__)


@bp.get("/publications")
def list_publications():
    page, per_page = page_args()
    rows, total = publications.page(page, per_page)
    return paged([shapes.publication(p) for p in rows], total, page, per_page)

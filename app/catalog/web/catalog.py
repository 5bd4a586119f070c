"""The public catalog of checked sectoral data: search, filters, and the chart on a dataset's page."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from app.catalog import public as catalog
from app.catalog.datasets import period_label
from app.core.search import normalize_query
from app.web.paging import Pager, page_number, per_page

bp = Blueprint("catalog", __name__, template_folder="../templates")
bp.add_app_template_filter(period_label, "period_label")


def _filters(facets: dict) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The filters of the query string that make sense, the typed values (kept in the form),
    and a message for each one that does not; a refused filter is left out of the search."""
    typed = {name: " ".join(request.args.get(name, "").split())[:100] for name in ("opd", "topic", "year")}
    filters: dict = {}
    errors: dict[str, str] = {}
    if typed["opd"]:
        if typed["opd"] in {code for code, _name in facets["opds"]}:
            filters["opd"] = typed["opd"]
        else:
            errors["opd"] = _("Perangkat daerah “%(code)s” tidak ada dalam katalog.", code=typed["opd"])
    if typed["topic"]:
        filters["topic"] = typed["topic"]
    if typed["year"]:
        if typed["year"].isdigit() and len(typed["year"]) == 4:
            filters["year"] = int(typed["year"])
        else:
            errors["year"] = _("Tahun harus ditulis dengan empat angka, mis. 2025.")
    return filters, typed, errors


@bp.get("/data")
def index():
    facets = catalog.facets()
    q = normalize_query(request.args.get("q"))
    filters, typed, errors = _filters(facets)
    page, size = page_number(), per_page()
    rows, total = catalog.search(page, size, q, **filters)
    return render_template("catalog/index.html", rows=rows, pager=Pager(page, size, total), q=q,
                           typed=typed, errors=errors, facets=facets,
                           filtered=bool(q or filters)), 422 if errors else 200

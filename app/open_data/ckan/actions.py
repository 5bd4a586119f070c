"""The read-only actions of the CKAN-compatible Action API (:data:`ACTIONS`) and :func:`call`,
which runs one by name or refuses it in CKAN's words: a write action as read-only, any other
unknown one as not found."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select

from app.catalog import public as catalog
from app.catalog.models import Dataset
from app.core.models import Opd
from app.extensions import db
from app.publishing.models import Publication

from .params import Params, invalid, not_found, read_only
from .search import DEFAULT_SORT, facet_counts, searched, sort_query
from .shapes import UUID, organization, package, package_name, showcase, showcase_id, showcase_name

ROWS_DEFAULT, ROWS_MAX = 10, 1000
FACET_LIMIT = 50


# --- lookups --------------------------------------------------------------------------------

def ready_dataset(ident: str) -> Dataset:
    """A checked dataset by its id (a UUID, unique among every region's catalog when a national
    portal harvests them), its name ("12-jumlah-penduduk") or our number ("12")."""
    if UUID.fullmatch(ident):
        found = db.session.scalar(select(Dataset).where(Dataset.uuid == ident.lower(),
                                                        Dataset.status == catalog.PUBLIC_STATUS))
        if found is None:
            raise not_found(f"Dataset '{ident}' tidak ditemukan.")
        return found
    match = re.fullmatch(r"(\d{1,9})(-[a-z0-9_-]*)?", ident)
    found = catalog.public(int(match[1])) if match else None
    if found is None or ident not in (str(found.id), package_name(found)):
        raise not_found(f"Dataset '{ident}' tidak ditemukan.")
    return found


def _opd(code: str) -> Opd:
    found = db.session.get(Opd, code) if code else None
    if found is None:
        raise not_found(f"Organisasi '{code}' tidak ditemukan.")
    return found


def _publication(ident: str) -> Publication:
    match = re.fullmatch(r"publikasi-(\d{1,9})(-[a-z0-9_-]*)?", ident)
    found = db.session.get(Publication, int(match[1])) if match else None
    if found is None or ident not in (showcase_id(found), showcase_name(found)):
        raise not_found(f"Showcase '{ident}' tidak ditemukan.")
    return found


# --- actions --------------------------------------------------------------------------------

def package_list(params: Params) -> list[str]:
    """Names of every checked dataset (``limit``, ``offset`` page through them)."""
    query = catalog.public_query().order_by(None).order_by(Dataset.id)
    limit = params.number("limit", 0)
    query = query.offset(params.number("offset", 0))
    return [package_name(d) for d in db.session.scalars(query.limit(limit) if limit else query)]


def current_package_list_with_resources(params: Params) -> list[dict[str, Any]]:
    """Checked datasets, latest modified first (``limit``, ``offset``)."""
    return package_search(Params({"rows": params.number("limit", ROWS_DEFAULT, maximum=ROWS_MAX),
                                  "start": params.number("offset", 0), "sort": "metadata_modified desc"}))["results"]


def package_show(params: Params) -> dict[str, Any]:
    """One checked dataset by ``id`` (its id or name)."""
    return package(ready_dataset(params.required("id")))


def package_search(params: Params) -> dict[str, Any]:
    """Checked datasets matching ``q`` (words) and ``fq`` (filters), ``rows`` (≤ 1000) from
    ``start``, in ``sort`` order (e.g. "metadata_modified desc", "id asc")."""
    rows = params.number("rows", ROWS_DEFAULT, maximum=ROWS_MAX)
    start = params.number("start", 0)
    sort = params.text("sort") or DEFAULT_SORT
    query = sort_query(searched(params), sort)
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    found = db.session.scalars(query.limit(rows).offset(start)).all() if rows else []
    facets, search_facets = facet_counts(query, params.names("facet.field"), params.number("facet.limit", FACET_LIMIT))
    return {"count": count, "results": [package(d) for d in found], "sort": sort,
            "facets": facets, "search_facets": search_facets}


def _package_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Dataset.opd_code, func.count()).where(
        Dataset.status == catalog.PUBLIC_STATUS).group_by(Dataset.opd_code)).all())


ORG_SORTS = {"name": lambda o, n: o.code, "title": lambda o, n: o.name.lower(), "package_count": lambda o, n: n}


def organization_list(params: Params) -> list:
    """Every OPD: names, or dicts with ``all_fields``; ``sort`` by name, title or package_count."""
    field, _, direction = (params.text("sort") or "name asc").partition(" ")
    if field not in ORG_SORTS or direction.strip().lower() not in ("", "asc", "desc"):
        raise invalid("sort", f"urutan '{params.text('sort')}' tidak didukung")
    counts = _package_counts()
    wanted = set(params.names("organizations"))
    # Dissolved OPDs stay listed while they hold checked data.
    opds = [o for o in db.session.scalars(select(Opd))
            if (o.active or counts.get(o.code)) and (not wanted or o.code in wanted)]
    opds.sort(key=lambda o: ORG_SORTS[field](o, counts.get(o.code, 0)), reverse=direction.strip().lower() == "desc")
    opds = opds[params.number("offset", 0):]
    limit = params.number("limit", 0)
    opds = opds[:limit] if limit else opds
    if params.flag("all_fields"):
        return [organization(o, counts.get(o.code, 0)) for o in opds]
    return [o.code for o in opds]


def organization_show(params: Params) -> dict[str, Any]:
    """One OPD by ``id`` (its code), with its package_count; its datasets with ``include_datasets``."""
    opd = _opd(params.required("id"))
    query = catalog.public_query(opd=opd.code)
    found = organization(opd, db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())))
    if params.flag("include_datasets"):
        found["packages"] = [package(d) for d in db.session.scalars(query.limit(ROWS_MAX))]
    return found


def _publications():
    return select(Publication).order_by(Publication.published_at.desc(), Publication.id.desc())


def showcase_list(params: Params) -> list[dict[str, Any]]:
    """Every publication as a showcase, newest first."""
    query = _publications().offset(params.number("offset", 0))
    limit = params.number("limit", 0)
    return [showcase(p) for p in db.session.scalars(query.limit(limit) if limit else query)]


def showcase_show(params: Params) -> dict[str, Any]:
    return showcase(_publication(params.required("id")))


def showcase_package_list(params: Params) -> list[dict[str, Any]]:
    """The dataset a showcase was made from, when it is checked."""
    dataset = _publication(params.required("id")).dataset
    return [package(dataset)] if dataset.status == catalog.PUBLIC_STATUS else []


def package_showcase_list(params: Params) -> list[dict[str, Any]]:
    """The publications made from a checked dataset."""
    dataset = ready_dataset(params.required("id"))
    return [showcase(p) for p in db.session.scalars(_publications().where(Publication.dataset_id == dataset.id))]


def status_show(_params: Params) -> dict[str, Any]:
    return {"site_title": current_app.config["SITE_NAME"], "site_url": url_for("portal.index", _external=True),
            "site_description": "Data sektoral Kabupaten Magetan", "ckan_version": "2.10.0",
            "locale_default": "id", "extensions": ["showcase"], "api_version": 3}


def help_show(params: Params) -> str:
    name = params.required("name")
    if name not in ACTIONS:
        raise not_found(f"Aksi '{name}' tidak dikenal.")
    return " ".join((ACTIONS[name].__doc__ or name).split())


ACTIONS: dict[str, Callable[[Params], Any]] = {
    "package_list": package_list, "package_show": package_show, "package_search": package_search,
    "current_package_list_with_resources": current_package_list_with_resources,
    "organization_list": organization_list, "organization_show": organization_show,
    "ckanext_showcase_list": showcase_list, "ckanext_showcase_show": showcase_show,
    "ckanext_showcase_package_list": showcase_package_list,
    "ckanext_package_showcase_list": package_showcase_list,
    "status_show": status_show, "help_show": help_show,
}
WRITES = re.compile(r"^bulk_|_(create|update|patch|delete|purge|revise|reorder|upsert|add|remove)$")


def call(action: str, params: Params) -> Any:
    if action in ACTIONS:
        return ACTIONS[action](params)
    if WRITES.search(action):
        raise read_only(action)
    raise not_found(f"Aksi '{action}' tidak dikenal.")

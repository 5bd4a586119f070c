"""The checked catalog in CKAN's shapes, for the national Satu Data portal and CKAN harvesters:
datasets are packages, OPDs organizations, topics groups (and tags), publications showcases.

Only datasets the walidata checked (status "ready") are ever shown. Every listing costs a count
and one query per page: a dataset loads its OPD and file in the same query (joined loads)."""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Select, and_, func, not_, or_, select, true

from app.catalog import public as catalog
from app.catalog.datasets import CSV_TYPE, FREQUENCIES, XLSX_TYPE, period_label
from app.catalog.models import Dataset
from app.core.models import Opd
from app.extensions import db
from app.publishing.models import Publication

ROWS_DEFAULT, ROWS_MAX = 10, 1000
FACET_LIMIT = 50


class CkanError(Exception):
    """An action's refusal, in CKAN's words: ``kind`` is its "__type"."""

    def __init__(self, kind: str, message: str, status: int, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.kind, self.message, self.status, self.fields = kind, message, status, fields or {}

    def body(self) -> dict[str, Any]:
        return {"__type": self.kind, "message": self.message, **self.fields}


def not_found(message: str) -> CkanError:
    return CkanError("Not Found Error", message, 404)


def invalid(field: str, reason: str) -> CkanError:
    return CkanError("Validation Error", f"{field}: {reason}", 409, {field: [reason]})


def read_only(action: str) -> CkanError:
    # CKAN answers a refused write with "Authorization Error"; ckanapi raises NotAuthorized for it.
    return CkanError("Authorization Error", f"API ini hanya-baca: aksi '{action}' tidak tersedia.", 405)


class Params:
    """An action's parameters (query string or JSON body), read with CKAN's lenient types."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        return default if value is None else str(value).strip()

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise invalid(name, "wajib diisi")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def number(self, name: str, default: int, *, maximum: int | None = None) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise invalid(name, "harus bilangan bulat") from None
        if number < 0:
            raise invalid(name, "tidak boleh negatif")
        return min(number, maximum) if maximum is not None else number  # CKAN caps rows silently

    def names(self, name: str) -> list[str]:
        """A list given as a JSON array, a JSON-encoded array in the query string, or one value."""
        value = self.values.get(name)
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid(name, "harus berupa daftar JSON") from None
        if value in (None, ""):
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# --- names and dates ------------------------------------------------------------------------

def slug(text: str, length: int = 80) -> str:
    """Lowercase ASCII letters, digits and hyphens, as CKAN names must be."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].strip("-")


def package_name(d: Dataset) -> str:
    """Unique because it starts with the id; stable because a checked dataset is not edited."""
    return f"{d.id}-{slug(d.title) or 'data'}"


def showcase_id(p: Publication) -> str:
    return f"publikasi-{p.id}"


def showcase_name(p: Publication) -> str:
    return f"{showcase_id(p)}-{slug(p.title) or 'publikasi'}"


def ckan_time(moment: datetime | None) -> str | None:
    """CKAN writes naive UTC times with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") \
        if moment else None


def modified_at(d: Dataset) -> datetime:
    return d.updated_at or d.created_at


MODIFIED = func.coalesce(Dataset.updated_at, Dataset.created_at)


# --- licenses and downloads -----------------------------------------------------------------

@dataclass(frozen=True)
class License:
    id: str
    title: str
    url: str = ""


LICENSES = [  # checked in order: "by-sa" before "by"
    (re.compile(r"cc0|cc-?zero|public domain"), License("cc-zero", "Creative Commons CCZero",
                                                         "https://creativecommons.org/publicdomain/zero/1.0/")),
    (re.compile(r"by-?sa|share ?alike"), License("cc-by-sa", "Creative Commons Attribution Share-Alike",
                                                 "https://creativecommons.org/licenses/by-sa/4.0/")),
    (re.compile(r"cc[ -]?by|creative commons attribution"),
     License("cc-by", "Creative Commons Attribution", "https://creativecommons.org/licenses/by/4.0/")),
    (re.compile(r"odbl"), License("odc-odbl", "Open Data Commons Open Database License (ODbL)",
                                  "https://opendatacommons.org/licenses/odbl/")),
]
NO_LICENSE = License("notspecified", "Lisensi tidak ditentukan")


def license_of(text: str) -> License:
    """CKAN's license ids for the licenses it knows; any other text is kept as it is written."""
    if not text.strip():
        return NO_LICENSE
    for pattern, known in LICENSES:
        if pattern.search(text.lower()):
            return known
    return License(slug(text) or "other", text.strip())


@dataclass(frozen=True)
class Download:
    key: str
    title: str
    format: str
    media_type: str
    url: str
    size: int | None = None
    sha256: str = ""


# The whole table converted from the original, when the portal serves it: (format, media type, fmt).
EXPORT_ENDPOINT = "portal.dataset_export"
EXPORTS = [("CSV", CSV_TYPE, "csv"), ("XLSX", XLSX_TYPE, "xlsx"), ("JSON", "application/json", "json")]


def downloads(d: Dataset) -> list[Download]:
    """The original upload, then the whole table as CSV, XLSX and JSON."""
    stored = d.file
    original = "XLSX" if stored.content_type == XLSX_TYPE else "CSV"
    found = [Download("asli", f"Berkas asli ({original})", original, stored.content_type,
                      url_for("portal.dataset_download", dataset_id=d.id, _external=True),
                      stored.size, stored.sha256)]
    if EXPORT_ENDPOINT in current_app.view_functions:
        found += [Download(fmt, f"Tabel lengkap ({name})", name, media_type,
                           url_for(EXPORT_ENDPOINT, dataset_id=d.id, fmt=fmt, _external=True))
                  for name, media_type, fmt in EXPORTS]
    return found


def landing_page(d: Dataset) -> str:
    return url_for("portal.dataset", dataset_id=d.id, _external=True)


# --- dicts ----------------------------------------------------------------------------------

def organization(o: Opd, package_count: int | None = None) -> dict[str, Any]:
    found = {
        "id": o.code, "name": o.code, "title": o.name, "display_name": o.name,
        "description": o.address, "image_url": "", "image_display_url": "", "type": "organization",
        "is_organization": True, "approval_status": "approved", "state": "active",
        "extras": [{"key": k, "value": v} for k, v in (("short_name", o.short_name), ("email", o.email),
                                                       ("phone", o.phone), ("website", o.website)) if v],
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def group(topic: str) -> dict[str, Any]:
    return {"id": slug(topic), "name": slug(topic), "title": topic, "display_name": topic, "description": "",
            "image_url": "", "image_display_url": "", "type": "group", "is_organization": False,
            "approval_status": "approved", "state": "active"}


def tag_name(topic: str) -> str:
    """The topic with only the characters CKAN allows in a tag (letters, digits, space, - _ .)."""
    return " ".join(re.sub(r"[^\w .-]+", " ", topic).split())[:100]


def _tag(topic: str) -> dict[str, Any]:
    name = tag_name(topic)
    return {"id": slug(name), "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def extras(d: Dataset) -> list[dict[str, str]]:
    """Satu Data's metadata that CKAN has no field for."""
    values = {
        "period": d.period, "period_label": period_label(d.period), "year": str(d.year or ""),
        "frequency": d.frequency, "frequency_label": str(FREQUENCIES.get(d.frequency, "")),
        "unit": d.unit, "source": d.source, "concept": d.concept, "method": d.method,
        "contact": d.contact, "release_date": d.release_date.isoformat() if d.release_date else "",
        "row_count": str(d.row_count), "columns": ", ".join(d.columns or []),
    }
    return [{"key": k, "value": v} for k, v in values.items() if v]


def resource(d: Dataset, item: Download, position: int) -> dict[str, Any]:
    return {
        "id": f"{d.uuid}-{item.key}", "package_id": d.uuid, "name": item.title, "description": "",
        "format": item.format, "mimetype": item.media_type, "url": item.url, "position": position,
        "size": item.size, "hash": f"sha256:{item.sha256}" if item.sha256 else "",
        "created": ckan_time(d.created_at), "last_modified": ckan_time(modified_at(d)),
        "state": "active", "url_type": None, "resource_type": None,
    }


def package(d: Dataset) -> dict[str, Any]:
    known = license_of(d.license)
    tags = [_tag(d.topic)] if d.topic else []
    resources = [resource(d, item, i) for i, item in enumerate(downloads(d))]
    return {
        "id": d.uuid, "name": package_name(d), "title": d.title, "notes": d.description,
        "type": "dataset", "state": "active", "private": False, "isopen": known.id.startswith(("cc-", "odc-")),
        "owner_org": d.opd_code, "organization": organization(d.opd),
        "author": d.opd.name, "author_email": d.opd.email, "maintainer": d.contact or d.opd.name,
        "maintainer_email": d.opd.email, "license_id": known.id, "license_title": known.title,
        "license_url": known.url, "metadata_created": ckan_time(d.created_at),
        "metadata_modified": ckan_time(modified_at(d)), "url": landing_page(d), "version": d.period,
        "tags": tags, "num_tags": len(tags), "groups": [group(d.topic)] if d.topic else [],
        "extras": extras(d), "resources": resources, "num_resources": len(resources),
        "relationships_as_object": [], "relationships_as_subject": [],
    }


def showcase(p: Publication) -> dict[str, Any]:
    image = url_for("portal.media", file_id=p.design_file_id, _external=True)
    return {
        "id": showcase_id(p), "name": showcase_name(p), "title": p.title, "notes": p.caption,
        "type": "showcase", "state": "active", "private": False,
        "image_url": image, "image_display_url": image,
        "url": url_for("portal.publication", publication_id=p.id, _external=True),
        "metadata_created": ckan_time(p.published_at), "metadata_modified": ckan_time(p.published_at),
        "author": p.dataset.opd.name, "tags": [], "num_tags": 0, "extras": [], "groups": [],
        "resources": [], "num_resources": 0, "owner_org": None, "license_id": "", "version": None,
    }


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


def _topics_named(name: str, naming: Callable[[str], str]) -> list[str]:
    """The topics a group or tag name stands for (topics are free text; CKAN names are not)."""
    topics = db.session.scalars(select(Dataset.topic).where(Dataset.status == catalog.PUBLIC_STATUS)
                                .distinct())
    return [t for t in topics if t and naming(t) == name]


# --- package_search: fq and sort ------------------------------------------------------------

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
FQ_TERM = re.compile(r'\s*(?:(?P<op>AND|OR|&&|\|\|)(?=\s)|(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):'
                     r'(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()]+))')


def _parse_time(text: str, field: str) -> datetime | None:
    if text == "*":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("fq", f"waktu '{text}' pada {field} tidak dikenal") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fq_condition(field: str, value: str):
    """One "field:value" of a CKAN filter query as a condition on Dataset."""
    value = value.strip('"')
    if field in ("organization", "owner_org"):
        return Dataset.opd_code == value
    if field == "groups":
        return Dataset.topic.in_(_topics_named(value, slug))
    if field == "tags":
        return Dataset.topic.in_(_topics_named(value, tag_name))
    if field == "id" and UUID.fullmatch(value):
        return Dataset.uuid == value.lower()
    if field in ("id", "name"):
        match = re.match(r"\d{1,9}", value)
        return Dataset.id == int(match[0]) if match else Dataset.id.is_(None)
    if field in ("metadata_modified", "metadata_created"):
        bounds = re.fullmatch(r"\[(\S+) TO (\S+)\]", value)
        if not bounds:
            raise invalid("fq", f"{field} harus berbentuk [awal TO akhir]")
        column = MODIFIED if field == "metadata_modified" else Dataset.created_at
        start, end = (_parse_time(b, field) for b in bounds.groups())
        return and_(column >= start if start else true(), column <= end if end else true())
    raise invalid("fq", f"kolom '{field}' tidak didukung")


def filter_query(query: Select, fq: str) -> Select:
    """Narrow by Solr-style filters as CKAN clients write them: ``organization:dinkes``,
    ``-organization:x``, ``groups:a OR groups:b``, ``tags:"Kesehatan"``,
    ``metadata_modified:[2025-01-01T00:00:00Z TO *]``; terms without OR must all hold."""
    clauses: list[list] = []
    join_next, position = False, 0
    fq = fq.strip()
    while position < len(fq):
        match = FQ_TERM.match(fq, position)
        if not match or match.end() == position:
            raise invalid("fq", f"tidak dapat dibaca mulai '{fq[position:position + 30]}'")
        position = match.end()
        if match["op"]:
            join_next = match["op"] in ("OR", "||")
            continue
        condition = _fq_condition(match["field"], match["value"])
        if match["sign"] == "-":
            condition = not_(condition)
        if join_next and clauses:
            clauses[-1].append(condition)
        else:
            clauses.append([condition])
        join_next = False
    for alternatives in clauses:
        query = query.where(or_(*alternatives))
    return query


SORT_COLUMNS = {"id": Dataset.id, "name": Dataset.id, "title": func.lower(Dataset.title),
                "title_string": func.lower(Dataset.title), "metadata_modified": MODIFIED,
                "metadata_created": Dataset.created_at}
DEFAULT_SORT = "score desc, metadata_modified desc"


def sort_query(query: Select, sort: str) -> Select:
    order = []
    for part in filter(None, (p.strip() for p in sort.split(","))):
        field, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if field == "score":
            continue  # no relevance ranking here
        if field not in SORT_COLUMNS or direction not in ("asc", "desc"):
            raise invalid("sort", f"urutan '{part}' tidak didukung")
        column = SORT_COLUMNS[field]
        order.append(column.desc() if direction == "desc" else column.asc())
    return query.order_by(None).order_by(*order, Dataset.id.desc()) if order else query


# What a facet counts, and how a value is named and shown.
FACETS = {"organization": (Dataset.opd_code, lambda v, opds: (v, opds.get(v, v))),
          "groups": (Dataset.topic, lambda v, opds: (slug(v), v)),
          "tags": (Dataset.topic, lambda v, opds: (tag_name(v), tag_name(v)))}


def _facets(query: Select, fields: list[str], limit: int) -> tuple[dict, dict]:
    """Counts per value of each asked field over the whole result: one grouped query a field."""
    unknown = [f for f in fields if f not in FACETS]
    if unknown:
        raise invalid("facet.field", f"faset '{unknown[0]}' tidak didukung")
    ids = query.order_by(None).with_only_columns(Dataset.id)
    opds = dict(db.session.execute(select(Opd.code, Opd.name)).all()) if "organization" in fields else {}
    facets, search_facets = {}, {}
    for field in fields:
        column, naming = FACETS[field]
        rows = db.session.execute(select(column, func.count()).where(Dataset.id.in_(ids), column != "")
                                  .group_by(column).order_by(func.count().desc(), column).limit(limit)).all()
        items = [{"name": name, "display_name": shown, "count": n}
                 for value, n in rows for name, shown in [naming(value, opds)]]
        facets[field] = {i["name"]: i["count"] for i in items}
        search_facets[field] = {"title": field, "items": items}
    return facets, search_facets


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


def _searched(params: Params) -> Select:
    q = params.text("q")
    return filter_query(catalog.public_query("" if q in ("*:*", "*") else q), params.text("fq"))


def package_search(params: Params) -> dict[str, Any]:
    """Checked datasets matching ``q`` (words) and ``fq`` (filters), ``rows`` (≤ 1000) from
    ``start``, in ``sort`` order (e.g. "metadata_modified desc", "id asc")."""
    rows = params.number("rows", ROWS_DEFAULT, maximum=ROWS_MAX)
    start = params.number("start", 0)
    sort = params.text("sort") or DEFAULT_SORT
    query = sort_query(_searched(params), sort)
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    found = db.session.scalars(query.limit(rows).offset(start)).all() if rows else []
    facets, search_facets = _facets(query, params.names("facet.field"), params.number("facet.limit", FACET_LIMIT))
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

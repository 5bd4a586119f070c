"""package_search's Solr-style parameters on a query of checked datasets: ``fq`` filters,
``sort`` orders and the counts of ``facet.field``."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, not_, or_, select, true

from app.catalog import public as catalog
from app.catalog.models import Dataset
from app.core.models import Opd
from app.extensions import db

from .params import Params, invalid
from .shapes import MODIFIED, UUID, slug, tag_name

FQ_TERM = re.compile(r'\s*(?:(?P<op>AND|OR|&&|\|\|)(?=\s)|(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):'
                     r'(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()]+))')


def _topics_named(name: str, naming: Callable[[str], str]) -> list[str]:
    """The topics a group or tag name stands for (topics are free text; CKAN names are not)."""
    topics = db.session.scalars(select(Dataset.topic).where(Dataset.status == catalog.PUBLIC_STATUS)
                                .distinct())
    return [t for t in topics if t and naming(t) == name]


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


def searched(params: Params) -> Select:
    """The checked datasets matching ``q`` (words; "*:*" or "*" for all) and ``fq`` (filters)."""
    q = params.text("q")
    return filter_query(catalog.public_query("" if q in ("*:*", "*") else q), params.text("fq"))


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


def facet_counts(query: Select, fields: list[str], limit: int) -> tuple[dict, dict]:
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

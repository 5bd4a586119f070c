"""The checked catalog as DCAT-AP in JSON-LD: plain dicts under an inline "@context" (nothing is
fetched to read them). Datasets carry their OPD as publisher, their period as dct:temporal, their
downloads as distributions and the publications made from them as dct:isReferencedBy."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from app.catalog import public as catalog
from app.catalog.datasets import PERIOD
from app.catalog.models import Dataset
from app.extensions import db
from app.publishing.models import Publication

from .ckan.shapes import downloads, landing_page, license_of, modified_at

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
# The EU frequency vocabulary: ANNUAL_2 is "semiannual" (its old BIANNUAL was ambiguous and is deprecated).
FREQUENCIES = {"tahunan": "ANNUAL", "semesteran": "ANNUAL_2", "bulanan": "MONTHLY"}
FILE_TYPES = {"CSV": "CSV", "XLSX": "XLSX", "JSON": "JSON"}
IANA = "https://www.iana.org/assignments/media-types/"
INDONESIAN = EU + "language/IND"
# Kabupaten Magetan: code 35.20 of Kemendagri's regional codes (3520 at BPS).
MAGETAN = {"@type": "dct:Location", "locn:geographicName": "Kabupaten Magetan", "skos:notation": "35.20"}


def _date(day: date) -> dict[str, str]:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _time(moment: datetime) -> dict[str, str]:
    return {"@value": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "@type": "xsd:dateTime"}


def _agent(name: str, email: str = "", homepage: str = "") -> dict[str, Any]:
    agent: dict[str, Any] = {"@type": "foaf:Agent", "foaf:name": name}
    if email:
        agent["foaf:mbox"] = {"@id": f"mailto:{email}"}
    if homepage:
        agent["foaf:homepage"] = {"@id": homepage}
    return agent


def period_of_time(period: str) -> dict[str, Any] | None:
    """2025 → the whole year, 2025-S1 → January–June, 2025-03 → March."""
    match = PERIOD.fullmatch(period or "")
    if not match:
        return None
    year = int(match["year"])
    if match["month"]:
        first_month = last_month = int(match["month"])
    elif match["semester"]:
        first_month = 1 if match["semester"] == "1" else 7
        last_month = first_month + 5
    else:
        first_month, last_month = 1, 12
    last_day = calendar.monthrange(year, last_month)[1]
    return {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(date(year, first_month, 1)),
            "dcat:endDate": _date(date(year, last_month, last_day))}


def _license(text: str) -> dict[str, Any] | None:
    known = license_of(text)
    if known.url:
        return {"@id": known.url, "@type": "dct:LicenseDocument"}
    return {"@type": "dct:LicenseDocument", "dct:title": text} if text.strip() else None


def distributions(d: Dataset, license: dict | None) -> list[dict[str, Any]]:
    found = []
    for item in downloads(d):
        distribution = {
            "@type": "dcat:Distribution", "dct:title": item.title,
            "dcat:downloadURL": {"@id": item.url}, "dcat:accessURL": {"@id": landing_page(d)},
            "dct:format": {"@id": EU + "file-type/" + FILE_TYPES[item.format]},
            "dcat:mediaType": {"@id": IANA + item.media_type},
        }
        if item.size is not None:
            distribution["dcat:byteSize"] = {"@value": str(item.size), "@type": "xsd:nonNegativeInteger"}
        if license:
            distribution["dct:license"] = license
        found.append(distribution)
    return found


def dataset(d: Dataset, publication_urls: list[str]) -> dict[str, Any]:
    opd = d.opd
    license = _license(d.license)
    found: dict[str, Any] = {
        "@id": landing_page(d), "@type": "dcat:Dataset",
        "dct:identifier": d.uuid, "dct:title": d.title, "dct:description": d.description or d.title,
        "dct:publisher": _agent(opd.name, opd.email, opd.website),
        "dct:modified": _time(modified_at(d)), "dcat:landingPage": {"@id": landing_page(d)},
        "dct:spatial": MAGETAN, "dct:language": {"@id": INDONESIAN},
        "dcat:contactPoint": {"@type": "vcard:Kind", "vcard:fn": d.contact or opd.name,
                              **({"vcard:hasEmail": {"@id": f"mailto:{opd.email}"}} if opd.email else {})},
        "dcat:distribution": distributions(d, license),
    }
    if d.release_date:
        found["dct:issued"] = _date(d.release_date)
    temporal = period_of_time(d.period)
    if temporal:
        found["dct:temporal"] = temporal
    if d.topic:
        found["dcat:keyword"] = [d.topic]
        found["dcat:theme"] = {"@type": "skos:Concept", "skos:prefLabel": d.topic}
    if d.frequency in FREQUENCIES:
        found["dct:accrualPeriodicity"] = {"@id": EU + "frequency/" + FREQUENCIES[d.frequency]}
    if license:
        found["dct:license"] = license
    if publication_urls:
        found["dct:isReferencedBy"] = [{"@id": url} for url in publication_urls]
    return found


def _publication_urls(dataset_ids: list[int]) -> dict[int, list[str]]:
    """The pages of the publications made from some datasets, in one query."""
    found: dict[int, list[str]] = {}
    if dataset_ids:
        rows = db.session.execute(select(Publication.id, Publication.dataset_id)
                                  .where(Publication.dataset_id.in_(dataset_ids)).order_by(Publication.id))
        for publication_id, dataset_id in rows:
            found.setdefault(dataset_id, []).append(
                url_for("portal.publication", publication_id=publication_id, _external=True))
    return found


def dataset_document(d: Dataset) -> dict[str, Any]:
    return {"@context": CONTEXT, **dataset(d, _publication_urls([d.id]).get(d.id, []))}


def catalog_document(self_url: str) -> dict[str, Any]:
    """Every checked dataset in one dcat:Catalog (two queries whatever their number)."""
    rows = list(db.session.scalars(catalog.public_query()))
    references = _publication_urls([d.id for d in rows])
    home = url_for("portal.index", _external=True)
    document: dict[str, Any] = {
        "@context": CONTEXT, "@id": self_url, "@type": "dcat:Catalog",
        "dct:title": current_app.config["SITE_NAME"], "dct:description": "Katalog data sektoral Kabupaten Magetan",
        "dct:publisher": _agent(current_app.config["PUBLISHER_NAME"], homepage=home),
        "foaf:homepage": {"@id": home}, "dct:language": {"@id": INDONESIAN}, "dct:spatial": MAGETAN,
        "dcat:dataset": [dataset(d, references.get(d.id, [])) for d in rows],
    }
    if rows:
        document["dct:modified"] = _time(max(modified_at(d) for d in rows))
    return document

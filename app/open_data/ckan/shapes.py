"""The checked catalog in CKAN's shapes: a dataset as a package with its resources (the
original upload and the whole table as CSV, XLSX and JSON), an OPD as an organization, a topic
as a group and a tag, a publication as a showcase; and the names, times and licenses they carry."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func

from app.catalog.datasets import CSV_TYPE, FREQUENCIES, XLSX_TYPE, period_label
from app.catalog.models import Dataset
from app.core.models import Opd
from app.publishing.models import Publication

# A package's id: a dataset's UUID.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


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

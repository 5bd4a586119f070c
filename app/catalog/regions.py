"""Reference code lists: the Kemendagri codes of the regency's kecamatan and desa/kelurahan.

The codes come from the idn-area-data package (npm, following the latest Kepmendagri on
region codes), copied into REGION_DATA_DIR by `make install`; nothing here is typed by hand."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app

from app.core.i18n import N_

# The code lists a template column may take its values from.
CODE_LISTS = {
    "kecamatan": N_("Kode kecamatan (Kemendagri)"),
    "desa": N_("Kode desa/kelurahan (Kemendagri)"),
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent_code: str


class RegionDataMissing(RuntimeError):
    """The reference files are not installed; `make install` copies them."""


def _read(path: Path, parent_field: str, parent_prefix: str) -> tuple[Region, ...]:
    if not path.is_file():
        raise RegionDataMissing(f"Berkas kode wilayah {path} tidak ada; jalankan `make install`.")
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Region(row["code"], row["name"], row[parent_field])
            for row in csv.DictReader(fh) if row[parent_field].startswith(parent_prefix)
        )


@lru_cache(maxsize=8)
def _load(directory: str, regency: str) -> dict[str, tuple[Region, ...]]:
    base = Path(directory)
    return {
        "kecamatan": _read(base / "districts.csv", "regency_code", regency),
        "desa": _read(base / "villages.csv", "district_code", regency + "."),
    }


def regions(list_name: str) -> tuple[Region, ...]:
    """The regions of a code list, in code order."""
    config = current_app.config
    return _load(config["REGION_DATA_DIR"], config["REGION_REGENCY_CODE"])[list_name]


def codes(list_name: str) -> dict[str, str]:
    """Code → name of a code list."""
    return {region.code: region.name for region in regions(list_name)}

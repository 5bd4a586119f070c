"""The parameters of an action (:class:`Params`) and its refusals in CKAN's words (:class:`CkanError`)."""
from __future__ import annotations

import json
from typing import Any


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

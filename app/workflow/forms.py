"""JSON Schema task forms: fill dynamic enums, validate, and report errors per field
in Bahasa Indonesia."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

# A dynamic enum names its source with "x-enum-source"; a source gives (value, title) pairs.
EnumSource = Callable[[], Iterable[tuple[Any, str]]]

TYPE_NAMES = {
    "string": "teks", "integer": "bilangan bulat", "number": "angka", "boolean": "ya/tidak",
    "array": "daftar", "object": "objek", "null": "kosong",
}
FORM_LEVEL = "_form"


def fill_dynamic(schema: Mapping[str, Any], sources: Mapping[str, EnumSource]) -> dict[str, Any]:
    """A copy of the schema whose dynamic enums list what their sources hold now."""
    filled = copy.deepcopy(dict(schema))
    for prop in filled.get("properties", {}).values():
        source = prop.get("x-enum-source")
        if source in sources:
            pairs = list(sources[source]())
            prop["enum"] = [value for value, _ in pairs]
            prop["x-enum-titles"] = [title for _, title in pairs]
    return filled


def file_fields(schema: Mapping[str, Any]) -> dict[str, list[str]]:
    """Fields that take an uploaded file, with the content types each accepts ([] = any)."""
    return {
        name: list(prop.get("x-accept", []))
        for name, prop in schema.get("properties", {}).items()
        if prop.get("format") == "file"
    }


def _message(error: ValidationError) -> str:
    v, value = error.validator, error.validator_value
    if v == "type":
        kinds = value if isinstance(value, list) else [value]
        return "harus berupa " + " atau ".join(TYPE_NAMES.get(k, k) for k in kinds)
    if v in ("enum", "const"):
        return "pilihan tidak tersedia"
    if v == "minLength":
        return "wajib diisi" if value == 1 else f"paling sedikit {value} karakter"
    if v == "maxLength":
        return f"paling banyak {value} karakter"
    if v == "pattern":
        return "wajib diisi" if value == "\\S" else "format tidak sesuai"
    if v == "format":
        return "tanggal tidak valid (TTTT-BB-HH)" if value == "date" else f"format {value} tidak valid"
    if v == "minItems":
        return f"pilih atau isi paling sedikit {value}"
    if v == "maxItems":
        return f"paling banyak {value} isian"
    if v == "uniqueItems":
        return "isian tidak boleh ada yang sama"
    if v in ("minimum", "exclusiveMinimum"):
        return f"paling kecil {value}"
    if v in ("maximum", "exclusiveMaximum"):
        return f"paling besar {value}"
    return "isian tidak valid"


def _field_errors(error: ValidationError) -> Iterable[tuple[str, str]]:
    if error.validator == "required" and not error.path:
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                yield name, "wajib diisi"
    elif error.validator == "additionalProperties" and not error.path:
        known = set(error.schema.get("properties", {}))
        for name in error.instance:
            if name not in known:
                yield name, "isian tidak dikenal pada formulir ini"
    elif error.validator == "type" and not error.path:
        yield FORM_LEVEL, "data formulir harus berupa objek"
    else:
        yield (str(error.path[0]) if error.path else FORM_LEVEL), _message(error)


def validate(schema: Mapping[str, Any], data: Any) -> dict[str, str]:
    """Errors by field name; empty when the data is valid. The first error of a field wins."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    fields: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        for name, message in _field_errors(error):
            fields.setdefault(name, message)
    return fields


def _is_required(schema: Mapping[str, Any], name: str) -> bool:
    return name in schema.get("required", [])


def coerce(schema: Mapping[str, Any], form: Any) -> dict[str, Any]:
    """Turn HTML form input (a MultiDict) into the JSON data the schema describes.

    Empty optional fields are left out; a value that does not fit its type is kept as typed,
    so that validation names it and the page shows it again. File fields are not read here:
    the view stores uploads and puts their ids in the data.
    """
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        if prop.get("format") == "file":
            continue
        if kind == "boolean":
            data[name] = name in form
            continue
        if kind == "array":
            items = prop.get("items", {})
            if "enum" in items:
                values = form.getlist(name)
            else:
                prefix = items.get("x-strip-prefix", "")
                lines = (line.strip() for line in form.get(name, "").splitlines())
                values = [line.removeprefix(prefix) if prefix else line for line in lines if line]
            if values or _is_required(schema, name):
                data[name] = values
            continue
        raw = form.get(name, "")
        if raw.strip() == "":
            if raw and kind == "string":
                data[name] = raw  # only blanks: validation says "wajib diisi" where it matters
            continue
        if kind in ("integer", "number"):
            try:
                number = float(raw) if kind == "number" else int(raw)
            except ValueError:
                data[name] = raw
            else:
                data[name] = number
        else:
            data[name] = raw
    return data


def widget(prop: Mapping[str, Any]) -> str:
    """How a field is drawn: text, textarea, number, date, select, radio, checkbox,
    checkboxes, lines (one value per line) or file."""
    if prop.get("x-widget"):
        return prop["x-widget"]
    if prop.get("format") == "file":
        return "file"
    if prop.get("type") == "boolean":
        return "checkbox"
    if prop.get("type") == "array":
        return "checkboxes" if "enum" in prop.get("items", {}) else "lines"
    if "enum" in prop:
        return "select"
    if prop.get("format") == "date":
        return "date"
    if prop.get("type") in ("integer", "number"):
        return "number"
    return "text"


def options(prop: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) pairs of an enum field or of the enum of its array items."""
    source = prop.get("items", prop) if prop.get("type") == "array" else prop
    values = source.get("enum", [])
    titles = source.get("x-enum-titles") or [str(v) for v in values]
    return list(zip(values, titles, strict=False))  # titles may be fewer


def fields_of(schema: Mapping[str, Any], values: Mapping[str, Any],
              errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The fields of a form as the templates draw them (_fields.html `field()`): the task
    page and the form editor's preview use the same list."""
    return [
        {"name": name, "prop": prop, "widget": widget(prop), "options": options(prop),
         "required": name in schema.get("required", []), "value": values.get(name),
         "error": errors.get(name)}
        for name, prop in schema.get("properties", {}).items()
        if isinstance(prop, Mapping)
    ]

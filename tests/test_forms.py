"""The shipped forms: valid schemas, the contract's fields, errors per field in Bahasa Indonesia."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from app.workflow import forms

FORMS = Path(__file__).parent.parent / "forms"
TASKS = ["tentukan_data", "ambil_data", "desain", "caption", "periksa", "publikasi"]


def load(name):
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TASKS)
def test_each_task_has_a_closed_valid_schema_in_indonesian(name):
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["title"] and all(p.get("title") for p in schema["properties"].values())


def test_contract_fields():
    assert load("tentukan_data")["properties"]["dataset_id"]["x-enum-source"] == "datasets"
    assert load("desain")["properties"]["desain"] == {**load("desain")["properties"]["desain"],
                                                      "type": "string", "format": "file"}
    assert "caption" in load("caption")["required"]
    assert load("periksa")["properties"]["keputusan"]["enum"] == ["revisi", "disetujui"]
    assert set(load("publikasi")["properties"]["kanal"]["items"]["enum"]) == {
        "website", "instagram", "facebook", "x", "whatsapp"}


def test_dynamic_enum_is_filled_from_its_source_without_touching_the_original():
    schema = load("tentukan_data")
    filled = forms.fill_dynamic(schema, {"datasets": lambda: [(3, "Penduduk (2025)"), (7, "Sekolah (2024)")]})
    assert filled["properties"]["dataset_id"]["enum"] == [3, 7]
    assert filled["properties"]["dataset_id"]["x-enum-titles"] == ["Penduduk (2025)", "Sekolah (2024)"]
    assert "enum" not in schema["properties"]["dataset_id"]
    assert forms.validate(filled, {"dataset_id": 7}) == {}
    assert forms.validate(filled, {"dataset_id": 8}) == {"dataset_id": "pilihan tidak tersedia"}


@pytest.mark.parametrize("data, errors", [
    ({"keputusan": "disetujui"}, {}),
    ({"keputusan": "disetujui", "catatan_revisi": ""}, {}),
    ({"keputusan": "revisi", "catatan_revisi": "Perbaiki judul."}, {}),
    ({"keputusan": "revisi"}, {"catatan_revisi": "wajib diisi"}),
    ({"keputusan": "revisi", "catatan_revisi": ""}, {"catatan_revisi": "wajib diisi"}),
    ({"keputusan": "revisi", "catatan_revisi": " \n "}, {"catatan_revisi": "wajib diisi"}),
    ({}, {"keputusan": "wajib diisi"}),
    ({"keputusan": "ya"}, {"keputusan": "pilihan tidak tersedia"}),
    ({"keputusan": "disetujui", "dataset_id": 1}, {"dataset_id": "isian tidak dikenal pada formulir ini"}),
])
def test_review_decision(data, errors):
    assert forms.validate(load("periksa"), data) == errors


def test_publication_channels_and_links():
    schema = load("publikasi")
    assert forms.validate(schema, {"kanal": ["website"]}) == {}
    assert forms.validate(schema, {"kanal": []}) == {"kanal": "pilih atau isi paling sedikit 1"}
    assert forms.validate(schema, {"kanal": ["tiktok"]}) == {"kanal": "pilihan tidak tersedia"}
    assert forms.validate(schema, {"kanal": ["x"], "tautan": ["javascript:alert(1)"]}) == {
        "tautan": "format tidak sesuai"}


def test_types_dates_and_lengths():
    assert forms.validate(load("tentukan_data"), {"dataset_id": "1"}) == {"dataset_id": "harus berupa bilangan bulat"}
    assert forms.validate(load("tentukan_data"), {"dataset_id": 1, "target_terbit": "2026-13-01"}) == {
        "target_terbit": "tanggal tidak valid (TTTT-BB-HH)"}
    assert forms.validate(load("caption"), {"caption": "x" * 2201}) == {"caption": "paling banyak 2200 karakter"}
    assert forms.validate(load("caption"), ["bukan objek"]) == {"_form": "data formulir harus berupa objek"}


def test_file_fields_and_their_accepted_types():
    assert forms.file_fields(load("desain")) == {"desain": ["image/png", "image/jpeg", "image/webp"]}
    assert forms.file_fields(load("caption")) == {}


def test_html_input_is_coerced_to_the_schema_types():
    from werkzeug.datastructures import MultiDict
    assert forms.coerce(load("tentukan_data"), MultiDict({"dataset_id": "7", "tujuan": "", "target_terbit": ""})) == {
        "dataset_id": 7}
    # What does not fit stays as typed, so that validation names it and the page shows it again.
    assert forms.coerce(load("tentukan_data"), MultiDict({"dataset_id": "tujuh"})) == {"dataset_id": "tujuh"}
    assert forms.coerce(load("caption"), MultiDict({"caption": "Teks", "tagar": "#SatuData\r\n\r\n Magetan \n"})) == {
        "caption": "Teks", "tagar": ["SatuData", "Magetan"]}
    assert forms.coerce(load("publikasi"), MultiDict([("kanal", "website"), ("kanal", "x")])) == {
        "kanal": ["website", "x"]}
    assert forms.coerce(load("publikasi"), MultiDict()) == {"kanal": []}
    assert forms.coerce(load("periksa"), MultiDict({"keputusan": "revisi", "catatan_revisi": "  "})) == {
        "keputusan": "revisi", "catatan_revisi": "  "}
    # File fields are the view's to fill.
    assert forms.coerce(load("desain"), MultiDict({"desain": "abc"})) == {}


def test_widgets_follow_the_schema():
    kinds = {name: forms.widget(prop) for name, prop in {
        **load("tentukan_data")["properties"], **load("desain")["properties"], **load("caption")["properties"],
        **load("periksa")["properties"], **load("publikasi")["properties"]}.items()}
    assert kinds == {"dataset_id": "number", "tujuan": "textarea", "target_terbit": "date", "desain": "file",
                     "catatan_desain": "textarea", "caption": "textarea", "tagar": "lines", "keputusan": "radio",
                     "catatan_revisi": "textarea", "kanal": "checkboxes", "tautan": "lines"}
    filled = forms.fill_dynamic(load("tentukan_data"), {"datasets": lambda: [(1, "A")]})
    assert forms.widget(filled["properties"]["dataset_id"]) == "select"
    assert forms.options(load("publikasi")["properties"]["kanal"])[0] == ("website", "Website Satu Data Magetan")

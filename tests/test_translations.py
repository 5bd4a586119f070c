"""The English catalog: it covers every text marked in the code, keeps the placeholders, and the
screens really switch to English."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOG.with_suffix(".mo")
# The same keywords as the extraction documented for the project.
KEYWORDS = ("_", "N_", "gettext", "lazy_gettext")
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%")


def pybabel() -> list[str]:
    """The pybabel of the interpreter running the tests (.venv/bin/pybabel), else its module."""
    script = Path(sys.executable).parent / "pybabel"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from babel.messages.frontend import main; sys.exit(main())"]


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="en")


def ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, (tuple, list)) else (message.id,)


def strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages marked in the code right now, extracted as the project does it."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    result = subprocess.run(
        [*pybabel(), "extract", "-F", "babel.cfg", *keywords, "-o", str(pot), "--no-location", "--sort-output", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    catalog = read_catalog(pot)
    messages = [message for message in catalog if message.id]
    assert messages, "the extraction found no messages; check babel.cfg"
    return messages


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(CATALOG)


def test_extraction_reads_python_and_templates(extracted):
    found = {ids(message)[0] for message in extracted}
    assert "Tugas Saya" in found  # a template
    assert "Selamat datang, %(name)s." in found  # app/web/*.py
    assert "menyimpan draf" in found  # an N_() marker in app/web/formatting.py


def test_every_extracted_message_is_translated(extracted, catalog):
    missing, empty, fuzzy = [], [], []
    for source in extracted:
        entry = catalog.get(source.id, context=source.context)
        if entry is None:
            missing.append(ids(source)[0])
        elif not all(text.strip() for text in strings(entry)):
            empty.append(ids(source)[0])
        elif entry.fuzzy:
            fuzzy.append(ids(source)[0])
    hint = ("; run pybabel extract and pybabel update (see the README), then translate "
            "app/translations/en/LC_MESSAGES/messages.po")
    assert not missing, f"not in the English catalog{hint}: {missing}"
    assert not empty, f"no English translation: {empty}"
    assert not fuzzy, f"translation marked fuzzy, check it and remove the flag: {fuzzy}"


def test_plural_entries_have_every_form(catalog):
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(strings(message)) == catalog.num_plurals, message.id


def test_placeholders_match_between_source_and_translation(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = sorted(PLACEHOLDER.findall(" ".join(ids(message))))
        for text in strings(message):
            if text and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((ids(message)[0], text))
    assert not wrong, wrong


def test_translations_format_with_the_source_arguments(catalog):
    """Each translation formats with exactly the names its source gets, as gettext(…, **names) does."""
    for message in catalog:
        if not message.id or not message.python_format:
            continue
        names = {name: "x" for name in re.findall(r"%\(([^)]*)\)", " ".join(ids(message)))}
        for text in strings(message):
            text % names  # raises on a stray % or an unknown name


ENGLISH = ("Sign in", "Publications", "Service hours")
INDONESIAN = ("Masuk", "Publikasi", "Jam Pelayanan", "Tugas Saya")


def assert_english(page: str, *more: str) -> None:
    assert 'lang="en"' in page
    for word in (*ENGLISH, *more):
        assert word in page, word
    for word in INDONESIAN:
        assert word not in page, word


def test_screens_in_english(client, auth):
    assert COMPILED.exists(), "compile the catalog first: make install (pybabel compile -d app/translations)"
    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 302 and response.headers["Location"] == "/masuk"

    assert_english(client.get("/masuk").get_data(as_text=True), "Username", "Password")
    assert_english(client.get("/").get_data(as_text=True), "Sectoral data publications of Magetan Regency")

    auth.login("desain", "siti")  # through /masuk: 302
    inbox = client.get("/tugas").get_data(as_text=True)
    assert "Sign out" in inbox and "My Tasks" in inbox
    assert "Keluar" not in inbox
    for word in ("Publications", "Service hours", "Timeliness", "Apply"):
        assert word in inbox, word
    for word in ("Tugas Saya", "Publikasi", "Jam Pelayanan", "Terapkan"):
        assert word not in inbox, word

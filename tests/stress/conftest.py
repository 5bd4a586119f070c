"""The stress tests' stack (tests/support/stress.py): a PostgreSQL database of each test's own,
with the app's command line and gunicorn as real processes over it."""
from __future__ import annotations

import importlib.util

import pytest
from support.database import TEST_DATABASE_URL
from support.stress import Stack


@pytest.fixture
def stack(tmp_path):
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    if importlib.util.find_spec("gunicorn") is None:
        pytest.fail("gunicorn is missing: .venv/bin/pip install 'gunicorn>=22,<24'", pytrace=False)
    made = Stack(tmp_path)
    try:
        made.prepare()
        yield made
    finally:
        made.close()

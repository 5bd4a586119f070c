"""Stress and crash tests: gunicorn with several workers, background workers side by side, and a
server killed mid-stream, all as real processes over a PostgreSQL database of their own.

They need TEST_DATABASE_URL (a PostgreSQL server, as in production with several processes; .ci/run
sets it); on the SQLite run they are skipped."""
from __future__ import annotations

import os

import pytest

requires_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL only: several server processes share one database server (set TEST_DATABASE_URL; .ci/run does)",
)

"""Stress and crash tests: gunicorn with several workers, background workers side by side, and a
server killed mid-stream, all as real processes over a PostgreSQL database of their own.

They need TEST_DATABASE_URL (a PostgreSQL server, as in production with several processes; .ci/run
sets it); on the SQLite run they are skipped. Their stack is tests/support/stress.py."""

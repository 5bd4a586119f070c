"""What the tests share, apart from the fixtures (tests/conftest.py) and from the tests themselves:
a test module imports from here, never from conftest nor from another test module
(tests/test_suite_imports.py keeps it so).

- database: the test database (TEST_DATABASE_URL or SQLite), the OPD registry put back as
  seeded, and scratch databases on the PostgreSQL server.
- people: the known password, users with roles, API callers with a bearer token, screen sessions
  (through /masuk, or set up directly for several people at once), the text of a page.
- samples: sample data and pictures made in memory (CSV, PDF, PNG, an infographic).
- catalog: datasets uploaded, handed in and checked through the API; operators' letters.
- sop: the SOP driven through /api/v1: start, the inbox's ready task, complete, a whole run.
- flow: the SOP driven through the services with a fixed clock.
- variants: changed versions of the shipped process model, and instances walked some steps.
- statistics: the hand-computed fixture of publications and complaints behind the dashboard
  and the monthly report.
- queries: the SELECT statements a request costs.
- servers: the app served on a free port of 127.0.0.1.
- browser: Debian's chromium driven by Playwright: where screenshots go, a person's page, sign-in.
- stress: the stress tests' stack of real processes on a PostgreSQL database of their own.

Their assert statements are rewritten by pytest, as a test module's are, so that a failing check
here explains itself just as well.
"""
import pkgutil

import pytest

pytest.register_assert_rewrite(*(f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__)))

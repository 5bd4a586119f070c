"""Run the stress tests (tests/stress: gunicorn under racing clients, two background workers, a
server killed mid-stream) and print the summary of their figures.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/stress.py [PYTEST ARGS]

Each test makes a database of its own on that server and drops it; the figures stay as JSON in
the folder printed at the end."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("TEST_DATABASE_URL (a PostgreSQL server) is needed", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="stress-figures-"))
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/stress", "-q", *sys.argv[1:]], cwd=ROOT,
                            env={**os.environ, "STRESS_FIGURES_DIR": str(folder)})
    print()
    for path in sorted(folder.glob("*.txt")):
        print(path.read_text(), end="")
    print(f"figures: {folder}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

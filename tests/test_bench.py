"""The benchmark still runs against the application as it is now (its figures are not judged
here: a test never asserts a time)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_lifecycle_benchmark_runs_and_writes_its_table(tmp_path):
    output = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "lifecycle",
                           "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    table = output.read_text()
    assert "| lifecycle | sqlite | app: completions (10 runs x 9) | 90 |" in table
    assert "| lifecycle | sqlite | ratio app/engine (completions/s) |" in table
    assert "## Machine" in table and "| SpiffWorkflow |" in table
    assert "lifecycle >= 0.5 of bare engine completions/s (SQLite)" in done.stdout

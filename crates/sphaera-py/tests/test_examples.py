"""The scripts in examples/ run end to end (their --quick smoke runs) and print their tables."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

pytest.importorskip("sklearn")
pytest.importorskip("torch")


@pytest.mark.parametrize("script", ["prototypes.py", "dispersion_tradeoff.py"])
def test_example_runs_quick_and_prints_a_table(script):
    done = subprocess.run([sys.executable, str(EXAMPLES / script), "--quick"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    table_rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(table_rows) >= 3, done.stdout  # a header, the separator and at least one row
    assert any(set(line) <= set("|-") for line in table_rows), done.stdout
    assert "picture:" not in done.stdout  # --quick leaves the committed PNG alone

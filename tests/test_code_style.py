"""The code follows the project's style: ruff lint and format at 100 columns (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["check", "."], id="lint rules hold everywhere"),
        pytest.param(["format", "--check", "."], id="every file is formatted"),
    ],
)
def test_ruff(arguments: list[str]):
    if not RUFF.exists():
        pytest.skip(f"ruff is not installed beside {sys.executable}")
    result = subprocess.run([str(RUFF), *arguments], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

"""``python -m bench.requirements``: the pins of the benchmark's venv, one per line.

The ``bench`` extra of pyproject.toml (dlt with its DuckDB destination) and the project's own
DuckDB pin, so the peer writes with the same DuckDB engine the pipeline uses.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def requirements() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    duckdb = [pin for pin in project["dependencies"] if pin.startswith("duckdb==")]
    return [*project["optional-dependencies"]["bench"], *duckdb]


if __name__ == "__main__":
    print("\n".join(requirements()))

"""The hand-made warehouse of ``warehouse.py``, rendered once for the tests of this folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.build import render_dashboard
from tests.dashboard import dom, warehouse

GENERATED_AT = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)


@dataclass
class Page:
    """A rendered page: the file, its text, its element tree and its embedded numbers."""

    path: Path
    html: str
    tree: dom.Element
    data: dict[str, Any]


def read_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    tree = dom.parse(text)
    embedded = tree.find("script", id="dashboard-data").raw_text()
    return Page(path, text, tree, json.loads(embedded))


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warehouse.build(tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def page(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Page:
    out = tmp_path_factory.mktemp("dashboard-page") / "index.html"
    render_dashboard(fixture_warehouse, out, currency="USD", generated_at=GENERATED_AT)
    return read_page(out)

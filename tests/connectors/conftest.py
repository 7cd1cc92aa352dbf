"""Fixtures every connector test may use: a fresh warehouse, a canned-answer server, retry
waits recorded instead of slept."""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import urllib3.util.retry

from connectors.warehouse import connect
from tests.support.loopback import Loopback


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits urllib3's Retry asks for (Retry-After, backoff), recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(
        urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time)
    )
    return waits


@pytest.fixture(scope="module")
def _module_loopback() -> Iterator[Loopback]:
    # one server per test module, cleared before each test
    with Loopback() as server:
        yield server


@pytest.fixture
def server(_module_loopback: Loopback) -> Loopback:
    """The module's canned-answer server on 127.0.0.1, with no routes and no requests seen."""
    _module_loopback.routes.clear()
    _module_loopback.requests.clear()
    return _module_loopback

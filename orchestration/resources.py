"""Resources shared by the assets and checks: the warehouse file and the run's clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from connectors.warehouse import (
    WarehouseOriginError,
    claim,
    connect,
    current_origin,
    warehouse_path,
)
from orchestration.publish import PublishTarget


class Warehouse(dg.ConfigurableResource):
    """The working DuckDB file the job builds in, and the published copy analysts query.

    Connections to the working file are opened per step and closed before the next, so the dbt
    subprocess and the checks never meet an open writer (DuckDB allows one). The published
    copy is only ever replaced whole, by the publish step (``orchestration/publish.py``).
    """

    path: str = ""  # empty: KPI_WAREHOUSE_PATH or data/work/warehouse.duckdb
    published_path: str = ""  # empty: KPI_PUBLISHED_PATH or data/warehouse.duckdb

    def resolved_path(self) -> str:
        return self.path or str(warehouse_path())

    def publish_target(self) -> PublishTarget:
        if self.published_path:
            return PublishTarget(Path(self.published_path).resolve())
        return PublishTarget.configured()

    @contextmanager
    def connection(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; a writer first checks the file holds this run's kind of data."""
        con = connect(self.resolved_path(), read_only=read_only)
        try:
            if not read_only:
                try:
                    claim(con, current_origin(), self.resolved_path())
                except WarehouseOriginError as exc:
                    raise dg.Failure(description=str(exc), allow_retries=False) from None
            yield con
        finally:
            con.close()


class RunClock(dg.ConfigurableResource):
    """The time a run treats as "now": connector windows end at it and freshness is judged
    against it. Empty means the wall clock; ``KPI_AS_OF`` (ISO-8601) pins it for replays of a
    past night and for tests on a fixed sandbox."""

    as_of: str = ""

    def now(self) -> datetime:
        pinned = self.as_of or os.environ.get("KPI_AS_OF", "")
        if pinned:
            moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.now(UTC)

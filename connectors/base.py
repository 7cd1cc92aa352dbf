"""What every connector stream shares: a page buffer that lands in batches, and its report."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as clock_time
from typing import Protocol

import duckdb

from connectors.landing import LoadResult, RawTable, Shape, land, save_cursor

DEFAULT_BATCH_PAGES = 200
DEFAULT_BATCH_BYTES = 64 * 1024 * 1024


def as_utc(now: datetime) -> datetime:
    """``now`` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (connectors work in UTC)")
    return now.astimezone(UTC)


# Calendar days start first at UTC+14 and end last at UTC-12.
_EARLIEST_ZONE = timezone(timedelta(hours=14))
_LATEST_ZONE = timezone(timedelta(hours=-12))


def replay_window(day: date) -> tuple[datetime, datetime]:
    """The UTC instants that hold local day ``day`` in every time zone: from its midnight at
    UTC+14 to the next midnight at UTC-12 (``day-1`` 10:00 Z to ``day+1`` 12:00 Z).

    A replay of one day (settings ``replay_day``) reads the records of this window: every
    marketplace's, shop's and help desk's local day ``day`` lies inside it, whatever its zone.
    Records of the neighbouring days inside it are read again too, which the upsert makes
    harmless (an unchanged record changes nothing).
    """
    start = datetime.combine(day, clock_time.min, _EARLIEST_ZONE)
    end = datetime.combine(day + timedelta(days=1), clock_time.min, _LATEST_ZONE)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass
class StreamRun:
    """What one stream did in one run: per raw table counts, the cursor, the calls it made."""

    stream: str
    tables: dict[str, LoadResult] = field(default_factory=dict)
    cursor: str | None = None
    requests: int = 0
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    def add(self, table: RawTable, result: LoadResult) -> None:
        self.tables[table.qualified] = self.tables.get(table.qualified, LoadResult()) + result

    def finish(self, cursor: str | None) -> StreamRun:
        self.cursor = cursor
        self.seconds = time.monotonic() - self.started
        return self

    @property
    def records(self) -> int:
        return sum(result.records for result in self.tables.values())


class PageSink(Protocol):
    """Anything a pagination loop can hand page bodies to."""

    def add(self, body: bytes) -> None: ...


class PageBuffer:
    """Collects raw page bodies and lands them in large batches through DuckDB's reader.

    Intermediate flushes keep the stream's stored cursor; only :meth:`close` saves the new one,
    so a crash mid-stream resumes from the last completed window (upserts make the repeat
    harmless). ``context`` values are fixed for the buffer's life: use one buffer per context.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        table: RawTable,
        shape: Shape,
        run: StreamRun,
        *,
        run_id: str,
        context: Mapping[str, str] | None = None,
        max_pages: int = DEFAULT_BATCH_PAGES,
        max_bytes: int = DEFAULT_BATCH_BYTES,
    ) -> None:
        self.con = con
        self.table = table
        self.shape = shape
        self.run = run
        self.run_id = run_id
        self.context = dict(context or {})
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self._pages: list[bytes] = []
        self._bytes = 0

    def add(self, body: bytes) -> None:
        self.add_together([body])

    def add_together(self, bodies: list[bytes]) -> None:
        """Add pages that must land in the same batch, e.g. every items page of one order.

        A batch may hold more than ``max_pages`` this way; the limit is checked after the last.
        """
        if not bodies:
            return
        self._pages.extend(bodies)
        self._bytes += sum(len(body) for body in bodies)
        if len(self._pages) >= self.max_pages or self._bytes >= self.max_bytes:
            self.flush()

    def flush(self, cursor: str | None = None) -> None:
        if not self._pages and cursor is None:
            return
        pages, self._pages, self._bytes = self._pages, [], 0
        if not pages:
            save_cursor(self.con, self.run.stream, cursor, run_id=self.run_id)
            return
        result = land(
            self.con,
            self.table,
            self.shape,
            pages,
            run_id=self.run_id,
            stream=self.run.stream,
            context=self.context,
            cursor=cursor,
        )
        self.run.add(self.table, result)

    def close(self, cursor: str | None = None) -> None:
        """Land what is left and, if given, commit ``cursor`` with it."""
        self.flush(cursor)

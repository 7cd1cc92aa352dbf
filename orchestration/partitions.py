"""Daily partitions: one per calendar day of ``KPI_SCHEDULE_TIMEZONE``, from ``KPI_HISTORY_START``.

Every asset (connector tables and dbt models) is partitioned by day, so the Dagster UI can rerun
or backfill one past day. A run of partition D is one of two pulls, told apart by D and the
run's clock (``RunClock``, which ``KPI_AS_OF`` pins for replays and tests):

- **nightly**: D is yesterday (or today) in the schedule's zone. Every connector reads from its
  cursor with its trailing re-pull window and moves the cursor on, as it always has; this is
  what the 02:00 schedule, ``make run`` and ``make nightly`` start.
- **replay**: D is older. Every dated connector re-reads the records of day D (their current
  state, upserted as always, so a rerun changes nothing) and leaves its cursor where it is;
  docs/contracts.md lists the window of each stream. Undated streams (profiles, shop, users,
  the inbox) run as they do every night.

dbt receives the day in ``--vars`` (:meth:`PartitionRun.dbt_vars`; contract in
dbt_project/README.md): a replay names D as the window of days whose records it re-pulled, the
nightly pull names no window (it reads by update time, so its records can belong to any day).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

TIMEZONE_VARIABLE = "KPI_SCHEDULE_TIMEZONE"
DEFAULT_TIMEZONE = "UTC"
HISTORY_START_VARIABLE = "KPI_HISTORY_START"
# the first partition when nothing else is said: about a year before this project's first
# release, so 90 days of sandbox or account history always fall inside
DEFAULT_HISTORY_START = "2026-01-01"


class PartitionError(ValueError):
    """A partition setting or key that cannot be used; the message names what to change."""


def schedule_timezone() -> str:
    """The IANA zone whose calendar days are the partitions and whose 02:00 starts the night."""
    name = (os.environ.get(TIMEZONE_VARIABLE) or DEFAULT_TIMEZONE).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PartitionError(
            f"{TIMEZONE_VARIABLE}={name!r} is not an IANA time zone (e.g. Europe/Berlin)"
        ) from None
    return name


def history_start() -> date:
    """The first partition: ``KPI_HISTORY_START`` (YYYY-MM-DD), else 2026-01-01."""
    text = (os.environ.get(HISTORY_START_VARIABLE) or DEFAULT_HISTORY_START).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PartitionError(
            f"{HISTORY_START_VARIABLE}={text!r} is not a date (YYYY-MM-DD)"
        ) from None


@functools.cache
def daily_partitions() -> dg.DailyPartitionsDefinition:
    """Complete local days from the history start to yesterday (today is not over yet).

    Made once, when the assets are defined, from the environment of that moment (the entry
    points read ``.env`` first), so importing this module alone reads no setting.
    """
    return dg.DailyPartitionsDefinition(
        start_date=history_start().isoformat(), timezone=schedule_timezone()
    )


class Pull(StrEnum):
    NIGHTLY = "nightly"
    REPLAY = "replay"


@dataclass(frozen=True)
class PartitionRun:
    """What a run of one partition does: which day, and whether it pulls or replays it."""

    day: date
    pull: Pull

    @property
    def replay_day(self) -> date | None:
        """The day connectors re-read instead of following their cursors (replays only)."""
        return self.day if self.pull is Pull.REPLAY else None

    def dbt_vars(self) -> dict[str, str | None]:
        """The partition's vars for dbt (contract: dbt_project/README.md, "Partition vars")."""
        window = self.day.isoformat() if self.pull is Pull.REPLAY else None
        return {
            "kpi_partition_date": self.day.isoformat(),
            "kpi_window_start": window,
            "kpi_window_end": window,
        }

    def describe(self) -> str:
        if self.pull is Pull.REPLAY:
            return f"replay of {self.day} (that day's records re-read, cursors kept)"
        return f"nightly pull for {self.day} (incremental from each cursor)"


def local_today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(schedule_timezone())).date()


def partition_run(partition_key: str, now: datetime) -> PartitionRun:
    """The run of ``partition_key`` at ``now``: yesterday or later pulls, older days replay."""
    day = parse_day(partition_key)
    nightly = day >= local_today(now) - timedelta(days=1)
    return PartitionRun(day, Pull.NIGHTLY if nightly else Pull.REPLAY)


def nightly_partition_key(now: datetime) -> str:
    """The partition a night's run belongs to: the local day before ``now``."""
    return (local_today(now) - timedelta(days=1)).isoformat()


def parse_day(partition_key: str) -> date:
    try:
        return date.fromisoformat(partition_key)
    except ValueError:
        raise PartitionError(f"partition {partition_key!r} is not a day (YYYY-MM-DD)") from None


def require_partition(partition_key: str, now: datetime) -> str:
    """``partition_key`` if it names a day the warehouse can run, else a PartitionError saying
    why (before the history start, or not over yet at ``now``)."""
    day = parse_day(partition_key)
    start = history_start()
    if day < start:
        raise PartitionError(
            f"partition {day} is before {HISTORY_START_VARIABLE} ({start}); set it earlier "
            "to run that day"
        )
    if day >= local_today(now):
        raise PartitionError(
            f"partition {day} is not over yet in {schedule_timezone()} "
            f"(it is {local_today(now)} there); the newest day to run is the one before"
        )
    return day.isoformat()

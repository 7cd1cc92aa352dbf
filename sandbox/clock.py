"""Time helpers for the sandbox: epoch seconds inside, platform text formats outside.

Every instant in the generated data is an ``int`` of UTC epoch seconds: cheap to compare, sort
and bisect for millions of records. Each platform formats instants its own way (SP-API with
``Z``, Shopify and the Amazon report files with the local offset, Ads as local dates), so the
formatting lives here once. Local calendar days are cut at local midnight with ``zoneinfo``, so a
day that contains a daylight-saving change is 23 or 25 hours long, as it is for the seller.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HOUR = 3600
DAY = 86400

_Z_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$")


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def iso_z(ts: int) -> str:
    """``2026-09-01T12:34:56Z``: the SP-API, Zendesk and LWA format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_z_millis(ts: int) -> str:
    """``2026-09-01T12:34:56.000Z``: the Reports API and Ads API format."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def iso_local(ts: int, tz_name: str) -> str:
    """``2026-09-01T05:34:56-07:00``: the instant in a local zone, with its offset."""
    return datetime.fromtimestamp(ts, zone(tz_name)).isoformat()


def local_date(ts: int, tz_name: str) -> date:
    return datetime.fromtimestamp(ts, zone(tz_name)).date()


@lru_cache(maxsize=65536)
def local_midnight(day: date, tz_name: str) -> int:
    """The UTC instant at which ``day`` begins in ``tz_name``."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone(tz_name))
    return int(start.timestamp())


def local_day_bounds(day: date, tz_name: str) -> tuple[int, int]:
    """``[start, end)`` of a local calendar day in UTC seconds (23, 24 or 25 hours long)."""
    return local_midnight(day, tz_name), local_midnight(day + timedelta(days=1), tz_name)


def to_datetime(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant; give it a time zone")
    return int(moment.timestamp())


def is_z_timestamp(text: str) -> bool:
    """True for an ISO-8601 UTC timestamp written with ``Z`` (what SP-API accepts here)."""
    return bool(_Z_TIMESTAMP.match(text))


def parse_iso(text: str, default_tz: str = "UTC") -> int:
    """Epoch seconds of an ISO-8601 timestamp; a naive one is read in ``default_tz``."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(default_tz))
    return int(moment.timestamp())


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

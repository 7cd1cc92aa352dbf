"""Amazon marketplaces the connector knows: country and the time zone Seller Central uses.

Needed where a platform answer has no zone of its own: the FBA inventory snapshot is dated by
the marketplace-local day of the run (what a seller sees as "today" in that store), and the
ledger report's complete days end at the marketplace's midnight. An id missing here falls back
to UTC with a warning; add it to dbt_project/seeds/marketplaces.csv to lift that.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

log = logging.getLogger("connectors.amazon_sp")


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country_code: str
    time_zone: str


# One list of marketplaces for the whole product: the dbt seed that the marts join to.
MARKETPLACES_SEED = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "marketplaces.csv"
)


def _load(seed: Path) -> dict[str, Marketplace]:
    with seed.open(encoding="utf-8", newline="") as handle:
        return {
            row["marketplace_id"]: Marketplace(
                row["marketplace_id"], row["country_code"], row["time_zone"]
            )
            for row in csv.DictReader(handle)
            if row["channel"] == "amazon"
        }


MARKETPLACES: dict[str, Marketplace] = _load(MARKETPLACES_SEED)

_warned: set[str] = set()


def time_zone(marketplace_id: str) -> ZoneInfo:
    """The marketplace's IANA zone; UTC (with one warning) for an id not in the table."""
    known = MARKETPLACES.get(marketplace_id)
    if known is None:
        if marketplace_id not in _warned:
            _warned.add(marketplace_id)
            log.warning(
                "marketplace %s is not in the table; its days are taken as UTC days", marketplace_id
            )
        return ZoneInfo("UTC")
    return ZoneInfo(known.time_zone)


def local_date(marketplace_id: str, moment: datetime) -> date:
    """The marketplace-local calendar date of an aware ``moment``."""
    return moment.astimezone(time_zone(marketplace_id)).date()

"""Amazon marketplaces the connector knows: country and the time zone Seller Central uses.

Needed where a platform answer has no zone of its own: the FBA inventory snapshot is dated by
the marketplace-local day of the run (what a seller sees as "today" in that store), and the
ledger report's complete days end at the marketplace's midnight. An id missing here falls back
to UTC with a warning; add it to the table to lift that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

log = logging.getLogger("connectors.amazon_sp")


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country_code: str
    time_zone: str


MARKETPLACES: dict[str, Marketplace] = {
    m.marketplace_id: m
    for m in (
        Marketplace("ATVPDKIKX0DER", "US", "America/Los_Angeles"),
        Marketplace("A2EUQ1WTGCTBG2", "CA", "America/Los_Angeles"),
        Marketplace("A1AM78C64UM0Y8", "MX", "America/Los_Angeles"),
        Marketplace("A2Q3Y263D00KWC", "BR", "America/Sao_Paulo"),
        Marketplace("A1F83G8C2ARO7P", "GB", "Europe/London"),
        Marketplace("A1PA6795UKMFR9", "DE", "Europe/Berlin"),
        Marketplace("A13V1IB3VIYZZH", "FR", "Europe/Paris"),
        Marketplace("APJ6JRA9NG5V4", "IT", "Europe/Rome"),
        Marketplace("A1RKKUPIHCS9HS", "ES", "Europe/Madrid"),
        Marketplace("A1805IZSGTT6HS", "NL", "Europe/Amsterdam"),
        Marketplace("AMEN7PMS3EDWL", "BE", "Europe/Brussels"),
        Marketplace("A2NODRKZP88ZB9", "SE", "Europe/Stockholm"),
        Marketplace("A1C3SOZRARQ6R3", "PL", "Europe/Warsaw"),
        Marketplace("A33AVAJ2PDY3EV", "TR", "Europe/Istanbul"),
        Marketplace("A2VIGQ35RCS4UG", "AE", "Asia/Dubai"),
        Marketplace("A17E79C6D8DWNP", "SA", "Asia/Riyadh"),
        Marketplace("ARBP9OOSHTCHU", "EG", "Africa/Cairo"),
        Marketplace("A21TJRUUN4KGV", "IN", "Asia/Kolkata"),
        Marketplace("A1VC38T7YXB528", "JP", "Asia/Tokyo"),
        Marketplace("A19VAU5U5O7RUS", "SG", "Asia/Singapore"),
        Marketplace("A39IBJ37TRP1C6", "AU", "Australia/Sydney"),
    )
}

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

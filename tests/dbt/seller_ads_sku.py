"""Ads per SKU for the tiny seller of ``seller.py``: advertised-product report rows (and the one
campaign-day they need), in the Ads v3 ``spAdvertisedProduct`` shape, landed like a nightly run.

The rows add up to the campaign rows of their day, as Amazon's two reports do:
- US (profile 1001, USD) Fri 2026-10-09: campaign 41..01 "Auto - blue mug" (1000 impressions,
  20 clicks, 10.00 spend, 4 purchases, 100.00 sales) = ad 61..11 MUG-BLUE (700, 14, 7.00, 3,
  80.00) + ad 61..12 MUG-STALE (300, 6, 3.00, 1, 20.00); campaign 41..02 "Exact - blue mug"
  (600, 30, 30.00, 2, 50.00) = ad 61..21 MUG-BLUE alone.
- US Sat 2026-10-10, the day the nightly snapshot finds MUG-BLUE at 0 units (stock-out): the
  auto campaign keeps spending, 800 impressions, 15 clicks, 8.50, nothing sold = ad 61..11
  MUG-BLUE (500, 10, 6.00) + ad 61..12 MUG-STALE (300, 5, 2.50). This campaign-day is new
  (seller.py has no US ads on 10-10), so kpi_ads_campaign_daily and kpi_ads_daily gain a row.
- US 2026-10-05: the restated campaign-day of the shared cases (campaign 31..02, 14-day
  columns) as one ad, MUG-SET: night 1 no purchase, night 2 three purchases for 89.97.
- DE (profile 2002, EUR) Sat 2026-10-10: campaign 51..01 (500, 10, 8.00 EUR, 1, 40.00 EUR) =
  ad 62..11 MUG-RED alone; DE has no inventory row that day (stock unknown).
No campaign-day of 2026-11-02 gets SKU rows: the report does not cover it.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from connectors.landing import JsonRecords
from connectors.raw_tables import AMAZON_ADS_SP_ADVERTISED_PRODUCTS, AMAZON_ADS_SP_CAMPAIGNS
from tests.dbt.seller import Batch

ROWS = JsonRecords()


def _ad(
    day: str,
    campaign: tuple[int, int],
    ad_id: int,
    sku: str,
    counts: tuple[int, int, float],
    attributed: tuple[int, float, int] = (0, 0.0, 0),
    window: str = "7d",
) -> dict[str, Any]:
    """One report row: ``campaign`` = (campaign id, ad group id), ``counts`` = (impressions,
    clicks, cost), ``attributed`` = (purchases, sales, units) within ``window``."""
    campaign_id, ad_group_id = campaign
    impressions, clicks, cost = counts
    purchases, sales, units = attributed
    return {
        "date": day,
        "campaignId": campaign_id,
        "adGroupId": ad_group_id,
        "adId": ad_id,
        "advertisedAsin": "B0" + sku.replace("-", "")[:8],
        "advertisedSku": sku,
        "impressions": impressions,
        "clicks": clicks,
        "cost": cost,
        f"purchases{window}": purchases,
        f"sales{window}": sales,
        f"unitsSoldClicks{window}": units,
    }


# (campaign id, its ad group id): the campaigns of seller.py and of the shared restated case
AUTO = (41000000000001, 71000000000001)
EXACT = (41000000000002, 71000000000002)
RESTATED = (31000000000002, 71000000000003)
DE_AUTO = (51000000000001, 72000000000001)

US_AD_ROWS = [
    _ad("2026-10-09", AUTO, 61000000000011, "MUG-BLUE", (700, 14, 7.0), (3, 80.0, 3)),
    _ad("2026-10-09", AUTO, 61000000000012, "MUG-STALE", (300, 6, 3.0), (1, 20.0, 1)),
    _ad("2026-10-09", EXACT, 61000000000021, "MUG-BLUE", (600, 30, 30.0), (2, 50.0, 2)),
    _ad("2026-10-10", AUTO, 61000000000011, "MUG-BLUE", (500, 10, 6.0)),
    _ad("2026-10-10", AUTO, 61000000000012, "MUG-STALE", (300, 5, 2.5)),
]

# the auto campaign's row of 2026-10-10: the sum of its two ads above
US_CAMPAIGN_2026_10_10 = [
    {
        "date": "2026-10-10",
        "campaignId": AUTO[0],
        "campaignName": "Auto - blue mug",
        "impressions": 800,
        "clicks": 15,
        "cost": 8.5,
        "purchases7d": 0,
        "sales7d": 0.0,
        "unitsSoldClicks7d": 0,
    }
]

DE_AD_ROWS = [
    _ad("2026-10-10", DE_AUTO, 62000000000011, "MUG-RED", (500, 10, 8.0), (1, 40.0, 1)),
]


def _restated(attributed: tuple[int, float, int]) -> list[dict[str, Any]]:
    return [
        _ad("2026-10-05", RESTATED, 61000000000031, "MUG-SET", (1500, 30, 45.0), attributed, "14d")
    ]


def _gzip_json(rows: list[dict[str, Any]]) -> bytes:
    return gzip.compress(json.dumps(rows).encode("utf-8"))


def first_night() -> list[Batch]:
    us, de = {"profile_id": "1001"}, {"profile_id": "2002"}
    return [
        Batch(AMAZON_ADS_SP_CAMPAIGNS, ROWS, [_gzip_json(US_CAMPAIGN_2026_10_10)], us),
        Batch(AMAZON_ADS_SP_ADVERTISED_PRODUCTS, ROWS, [_gzip_json(US_AD_ROWS)], us),
        Batch(AMAZON_ADS_SP_ADVERTISED_PRODUCTS, ROWS, [_gzip_json(_restated((0, 0.0, 0)))], us),
        Batch(AMAZON_ADS_SP_ADVERTISED_PRODUCTS, ROWS, [_gzip_json(DE_AD_ROWS)], de),
    ]


def second_night() -> list[Batch]:
    """The re-pulled window brings the restated ad-day: three purchases for 89.97."""
    restated = _gzip_json(_restated((3, 89.97, 3)))
    return [Batch(AMAZON_ADS_SP_ADVERTISED_PRODUCTS, ROWS, [restated], {"profile_id": "1001"})]

"""The sandbox's advertised-product rows: they add up to the campaign rows, they advertise
catalogue SKUs, and some spend falls on SKUs that are out of stock that day.

Checked on the month seller of tests/sandbox/conftest.py (US stock-out of SBX-0016 from 15 to
20 October, its balance run down to zero from the 12th), from the generated records alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import timedelta

from sandbox.catalog import CURRENCY_EXPONENT
from sandbox.generator import SellerData, generate
from tests.sandbox.conftest import MONTH

COUNTS = ("impressions", "clicks")
ATTRIBUTED = tuple(
    f"{measure}{window}"
    for window in ("1d", "7d", "14d", "30d")
    for measure in ("purchases", "unitsSoldClicks")
)
MONEY = ("cost", "sales1d", "sales7d", "sales14d", "sales30d")


def test_the_ads_of_every_campaign_day_add_up_to_its_campaign_row(month: SellerData) -> None:
    for profile in month.profiles:
        scale = 10 ** CURRENCY_EXPONENT[profile.channel.currency]
        sums: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
        for row in month.ads_product_rows_json(profile.profile_id):
            total = sums[(row["date"], row["campaignId"])]
            for column in COUNTS + ATTRIBUTED:
                total[column] += row[column]
            for column in MONEY:  # in minor units: the sums are exact
                total[column] += round(row[column] * scale)
        campaigns = month.ads_rows_json(profile.profile_id)
        assert len(sums) == len(campaigns)
        for row in campaigns:
            expected = Counter({column: row[column] for column in COUNTS + ATTRIBUTED})
            expected.update({column: round(row[column] * scale) for column in MONEY})
            total = sums[(row["date"], row["campaignId"])]
            assert +total == +expected, (profile.channel.key, row["date"], row["campaignId"])


def test_ads_advertise_catalogue_skus_under_stable_ids(month: SellerData) -> None:
    catalogue = {sku.sku: sku.asin for sku in month.catalog}
    ads: dict[int, tuple[int, int, str, str]] = {}
    for profile in month.profiles:
        for row in month.ads_product_rows_json(profile.profile_id):
            assert catalogue[row["advertisedSku"]] == row["advertisedAsin"]
            assert row["clicks"] <= row["impressions"]
            identity = (row["campaignId"], row["adGroupId"], row["advertisedSku"], row["date"])
            # an ad is one SKU in one ad group of one campaign, whatever the day
            assert ads.setdefault(row["adId"], identity)[:3] == identity[:3]
    # ad ids never collide across campaigns or profiles
    assert len(ads) == len({identity[:3] for identity in ads.values()})


def test_some_spend_falls_on_skus_out_of_stock_that_day(month: SellerData) -> None:
    us = next(profile for profile in month.profiles if profile.channel.key == "US")
    ledger = month.markets["US"].ledger
    out_of_stock = {
        (f"{r['Date'][6:]}-{r['Date'][:2]}-{r['Date'][3:5]}", r["MSKU"])
        for r in ledger
        if r["EndingWarehouseBalance"] == "0"
    }
    spent = Counter()
    for row in month.ads_product_rows_json(us.profile_id):
        if (row["date"], row["advertisedSku"]) in out_of_stock:
            spent[row["advertisedSku"]] += round(row["cost"] * 100)
    # the auto campaign keeps advertising SBX-0016 through its stock-out (cents)
    assert set(spent) == {"SBX-0016"}
    assert spent["SBX-0016"] > 0
    # purchases go to ads of SKUs in stock: none lands on an ad of SBX-0016 in its window
    window = {"2026-10-15", "2026-10-16", "2026-10-17", "2026-10-18", "2026-10-19"}
    assert not [
        row
        for row in month.ads_product_rows_json(us.profile_id)
        if row["advertisedSku"] == "SBX-0016" and row["date"] in window and row["purchases30d"]
    ]


def test_a_later_as_of_changes_only_the_attribution_of_past_ad_days(month: SellerData) -> None:
    later = generate(replace(MONTH, as_of=MONTH.as_of + timedelta(days=3)))
    for profile in month.profiles:
        before = {
            (r["date"], r["adId"]): r for r in month.ads_product_rows_json(profile.profile_id)
        }
        after = {(r["date"], r["adId"]): r for r in later.ads_product_rows_json(profile.profile_id)}
        shared = before.keys() & after.keys()
        # the later history starts three days later and ends three days later
        assert {day for day, _ in before.keys() - after.keys()} == {
            day for day, _ in before if day < min(d for d, _ in after)
        }
        for key in shared:
            for column in ("impressions", "clicks", "cost", "advertisedSku", "campaignId"):
                assert after[key][column] == before[key][column]
            assert after[key]["purchases30d"] >= before[key]["purchases30d"]

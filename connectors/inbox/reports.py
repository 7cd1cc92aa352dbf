"""The report files the inbox recognises, each by the columns its header must have.

A header matches a report when it has every required column (one name of each group of
alternatives); exactly one report must match, else the file fails naming its header. Typed
columns are validated at landing with :mod:`connectors.inbox.parsing` (values stay strings in
raw). A column absent from a file is not validated; blank values are allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from connectors import raw_tables as rt
from connectors.inbox import tables as it
from connectors.inbox.parsing import SlashOrder
from connectors.landing import RawTable

Kind = Literal["decimal", "integer", "date", "timestamp"]


@dataclass(frozen=True)
class ReportSpec:
    report_type: str
    table: RawTable
    required: tuple[tuple[str, ...], ...]  # groups of alternatives; one of each must be present
    typed: Mapping[str, Kind] = field(default_factory=dict)
    slash_order: SlashOrder | None = None  # how this report writes 01/02/2026, if it does
    file_context: bool = True  # the table has inbox_file / inbox_sha256 columns

    def matches(self, header: set[str]) -> bool:
        return all(any(name in header for name in group) for group in self.required)


def _all(kind: Kind, *names: str) -> dict[str, Kind]:
    return dict.fromkeys(names, kind)


LEDGER = ReportSpec(
    "GET_LEDGER_SUMMARY_VIEW_DATA",
    rt.AMAZON_INVENTORY_LEDGER,
    required=(("Date",), ("MSKU",), ("Disposition",), ("EndingWarehouseBalance",), ("Location",)),
    typed={
        "Date": "date",
        **_all(
            "integer",
            "StartingWarehouseBalance",
            "InTransitBetweenWarehouses",
            "Receipts",
            "CustomerShipments",
            "CustomerReturns",
            "VendorReturns",
            "WarehouseTransferIn/Out",
            "Found",
            "Lost",
            "Damaged",
            "Disposed",
            "OtherEvents",
            "EndingWarehouseBalance",
            "UnknownEvents",
        ),
    },
    slash_order="mdy",  # docs/contracts.md: Date is MM/DD/YYYY
    file_context=False,
)

SHIPMENTS = ReportSpec(
    "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
    rt.AMAZON_SHIPMENTS,
    required=(("amazon-order-id",), ("shipment-id",), ("shipment-item-id",), ("shipment-date",)),
    typed={
        **_all("timestamp", "purchase-date", "payments-date", "shipment-date", "reporting-date"),
        "quantity-shipped": "integer",
        **_all(
            "decimal",
            "item-price",
            "item-tax",
            "shipping-price",
            "shipping-tax",
            "gift-wrap-price",
            "gift-wrap-tax",
            "item-promotion-discount",
            "ship-promotion-discount",
        ),
    },
    file_context=False,
)

SETTLEMENT = ReportSpec(
    "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
    it.AMAZON_SETTLEMENTS,
    required=(
        ("settlement-id",),
        ("settlement-start-date",),
        ("settlement-end-date",),
        ("total-amount",),
    ),
    typed={
        **_all(
            "timestamp",
            "settlement-start-date",
            "settlement-end-date",
            "deposit-date",
            "posted-date",
        ),
        "quantity-purchased": "integer",
        **_all(
            "decimal",
            "total-amount",
            "shipment-fee-amount",
            "order-fee-amount",
            "price-amount",
            "item-related-fee-amount",
            "misc-fee-amount",
            "other-fee-amount",
            "promotion-amount",
            "direct-payment-amount",
            "other-amount",
        ),
    },
)

LISTINGS = ReportSpec(
    "GET_MERCHANT_LISTINGS_ALL_DATA",
    it.AMAZON_LISTINGS,
    required=(("seller-sku", "sku"), ("item-name",), ("price",)),
    # open-date is left untyped: Amazon prints it with zone names of every marketplace
    typed={"price": "decimal", "quantity": "integer"},
)

ORDER_EXPORT = ReportSpec(
    "ORDER_EXPORT",
    it.INBOX_ORDER_EXPORTS,
    required=(("order_id",), ("sku",), ("quantity",)),
    typed={"quantity": "integer"},
)

REPORTS: tuple[ReportSpec, ...] = (LEDGER, SHIPMENTS, SETTLEMENT, LISTINGS, ORDER_EXPORT)


def recognise(header: list[str]) -> ReportSpec | None | tuple[ReportSpec, ...]:
    """The one report whose required columns the header has; None when none does, every
    match when several do (the caller fails on both)."""
    names = set(header)
    matching = tuple(spec for spec in REPORTS if spec.matches(names))
    if len(matching) == 1:
        return matching[0]
    return matching or None

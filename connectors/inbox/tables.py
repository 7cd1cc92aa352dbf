"""The raw tables only report files fill (files of the API reports land in the API tables).

Every row is one line of a dropped file, header names as keys and every value the string the
file held (``_record``); ``inbox_file`` and ``inbox_sha256`` name the file it came from (the
manifest ``raw._inbox_manifest`` has one row per file). Versions are the load time: a later file
with the same key replaces the row only when the record differs.
"""

from __future__ import annotations

from connectors.landing import Column, RawTable

LOAD_TIME = "now()"
FILE_CONTEXT = ("inbox_file", "inbox_sha256")

AMAZON_SETTLEMENTS = RawTable(
    name="amazon_settlements",
    platform="amazon_sp_api",
    # a settlement report is a fixed document with no line id of its own; the line's place in
    # the file (1-based data line, see connectors.inbox.sync.InboxRows) identifies it, so the
    # same settlement dropped again (re-downloaded, gzipped) lands on the same rows
    keys=(
        Column("settlement_id", "varchar", "rec->>'settlement-id'"),
        Column("line_number", "integer", "line_number"),
    ),
    version=LOAD_TIME,
    context=FILE_CONTEXT,
)

AMAZON_LISTINGS = RawTable(
    name="amazon_listings",
    platform="amazon_sp_api",
    # a listings report is a snapshot without the marketplace it was taken in: one row per file
    # and SKU, so a DE and a JP file with the same SKU both stay (newest file: see the manifest)
    keys=(
        Column("inbox_sha256", "varchar", "$inbox_sha256"),
        Column("seller_sku", "varchar", "coalesce(rec->>'seller-sku', rec->>'sku')"),
    ),
    version=LOAD_TIME,
    context=FILE_CONTEXT,
)

INBOX_ORDER_EXPORTS = RawTable(
    name="inbox_order_exports",
    platform="inbox",
    # an ERP or shop export: one line per order and SKU; a later export of the same order
    # replaces its lines
    keys=(
        Column("order_id", "varchar", "rec->>'order_id'"),
        Column("sku", "varchar", "rec->>'sku'"),
    ),
    version=LOAD_TIME,
    context=FILE_CONTEXT,
)

INBOX_TABLES: tuple[RawTable, ...] = (AMAZON_SETTLEMENTS, AMAZON_LISTINGS, INBOX_ORDER_EXPORTS)

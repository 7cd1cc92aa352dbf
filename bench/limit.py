"""The limit: DuckDB's own readers loading the same pages, saved to disk, into a table.

The pages are those the sandbox served the connectors (bench/prerender.py kept every answer,
one JSON page per line; report documents as the gzip files downloaded). For each family DuckDB
reads the file and unnests the records into a table of JSON records, the same reading the
landing does (same column types, same record paths), without anything the landing adds (HTTP,
keys and versions, quarantine, the merge). Nothing can land faster than this on this machine;
our landing throughput is reported as a ratio to it.

For a per-parent family our connector landed only a sample of (bench/budget.py), the limit reads
the same number of pages, the first of that family's file (``sample_lines``), so that both
sides' throughputs are of the same kind of page.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.measure import Stage, measured

# family -> JSON path of the records in one page. The limit reads each page as one JSON value
# and extracts the records with json_extract: the fastest way we found for DuckDB to turn these
# pages into records. Since commit ec031f2 the landing's JsonPages read pages the same way;
# the typed reading they used before (a ``columns=`` STRUCT with a JSON[], unnested), about 5x
# slower on the same pages, is still timed as ``shape_seconds`` to show what that change saved.
PAGES = {
    "amazon_orders": "$.payload.Orders[*]",
    "amazon_order_items": "$.payload.OrderItems[*]",
    "amazon_refund_events": "$.payload.FinancialEvents.RefundEventList[*]",
    "amazon_inventory_summaries": "$.payload.inventorySummaries[*]",
    "shopify_orders": "$.orders[*]",
    "zendesk_tickets": "$.tickets[*]",
    "zendesk_ticket_comments": "$.comments[*]",
    "zendesk_users": "$.users[*]",
}
# records sideloaded on another family's pages: (family, pages of, JSON path)
SIDELOADS = (("zendesk_ticket_metrics", "zendesk_tickets", "$.metric_sets[*]"),)
# the landing's reading of the same pages (connectors' JsonPages shapes, pages unwrapped)
SHAPES = {
    "amazon_orders": ("""{'payload': 'STRUCT("Orders" JSON[])'}""", "payload.Orders"),
    "amazon_order_items": (
        """{'payload': 'STRUCT("AmazonOrderId" VARCHAR, "OrderItems" JSON[])'}""",
        "payload.OrderItems",
    ),
    "amazon_refund_events": (
        """{'payload': 'STRUCT("FinancialEvents" STRUCT("RefundEventList" JSON[]))'}""",
        "payload.FinancialEvents.RefundEventList",
    ),
    "amazon_inventory_summaries": (
        """{'payload': 'STRUCT("inventorySummaries" JSON[])'}""",
        "payload.inventorySummaries",
    ),
    "shopify_orders": ("{'orders': 'JSON[]'}", "orders"),
    "zendesk_tickets": ("{'tickets': 'JSON[]'}", "tickets"),
    "zendesk_ticket_comments": ("{'comments': 'JSON[]'}", "comments"),
    "zendesk_users": ("{'users': 'JSON[]'}", "users"),
}
TSV_DOCUMENTS = ("amazon_inventory_ledger", "amazon_shipments")


@dataclass(frozen=True)
class Source:
    family: str
    sql: str  # a select of one JSON record per row
    shape_sql: str | None = None  # the same records read the way the landing reads them


def sources(
    manifest: dict, pages_dir: Path, sample_lines: dict[str, int] | None = None
) -> list[Source]:
    """What to read for every family the sandbox pre-rendered (``sample_lines``: only the
    first pages of these families)."""
    found = []
    for family, name in sorted(manifest.get("files", {}).items()):
        if family not in PAGES:
            continue
        path = str(pages_dir / name)
        if (sample_lines or {}).get(family):
            path = str(_first_lines(pages_dir / name, sample_lines[family]))
        columns, records = SHAPES[family]
        found.append(
            Source(
                family,
                f"select unnest(json_extract(json, '{PAGES[family]}')) as rec from "
                f"read_json('{path}', format = 'newline_delimited', records = false, "
                "columns = {'json': 'JSON'})",
                f"select unnest({records}) as rec from read_json('{path}', "
                f"format = 'newline_delimited', columns = {columns})",
            )
        )
    files = manifest.get("files", {})
    for family, pages_of, records in SIDELOADS:
        if pages_of in files:
            path = str(pages_dir / files[pages_of])
            found.append(
                Source(
                    family,
                    f"select unnest(json_extract(json, '{records}')) as rec from "
                    f"read_json('{path}', format = 'newline_delimited', records = false, "
                    "columns = {'json': 'JSON'})",
                )
            )
    for family, names in sorted(manifest.get("documents", {}).items()):
        files = [str(pages_dir / name) for name in names]
        if family in TSV_DOCUMENTS:
            sql = (
                f"select to_json(t) as rec from read_csv({files}, delim = '\\t', header = true, "
                "all_varchar = true, quote = '', escape = '') as t"
            )
        else:
            sql = (
                f"select json as rec from read_json({files}, format = 'array', "
                "records = false, columns = {'json': 'JSON'})"
            )
        found.append(Source(family, sql))
    return found


def _first_lines(path: Path, lines: int) -> Path:
    """A copy of the first ``lines`` lines of ``path`` beside it (``<name>.sample``)."""
    sample = path.with_name(path.name + ".sample")
    with open(path, "rb") as source, open(sample, "wb") as target:
        for _, line in zip(range(lines), source, strict=False):
            target.write(line)
    return sample


def run_limit(
    manifest_path: Path, database: Path, sample_lines: dict[str, int] | None = None
) -> list[Stage]:
    """Load every family into its own table of ``database``; one stage per family."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    pages_dir = manifest_path.parent / "pages"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    stages = []
    try:
        for source in sources(manifest, pages_dir, sample_lines):
            try:
                with measured(f"limit {source.family}") as stage:
                    con.execute(f'create or replace table "{source.family}" as {source.sql}')
                    con.execute("checkpoint")
            except duckdb.Error:
                stages.append(stage)  # the error is on the stage; the other families still run
                continue
            stage.rows = con.execute(f'select count(*) from "{source.family}"').fetchone()[0]
            if source.shape_sql:
                started = time.perf_counter()
                con.execute(f"create or replace temp table _shape as {source.shape_sql}")
                stage.detail["shape_seconds"] = round(time.perf_counter() - started, 3)
                con.execute("drop table _shape")
            stages.append(stage)
    finally:
        con.close()
        database.unlink(missing_ok=True)
    return stages

"""The figures of a run as a table: printed, and kept in docs/benchmarks.md between markers.

Ratios (see :func:`ratios`): on identical pages, DuckDB's reader's wall time over ours (the share
of the limit we reach; the goal is at least 0.5) and dlt's wall time over ours (the goal is at
least 3). Overall ratios divide the summed times of the streams both sides loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.measure import Stage

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

# our stream -> the families of saved pages / peer resources holding the same records
STREAM_FAMILIES = {
    "amazon_orders": ("amazon_orders", "amazon_order_items"),
    "amazon_refund_events": ("amazon_refund_events",),
    "amazon_inventory_summaries": ("amazon_inventory_summaries",),
    "amazon_inventory_ledger": ("amazon_inventory_ledger",),
    "amazon_shipments": ("amazon_shipments",),
    "amazon_ads_sp_campaigns": ("amazon_ads_sp_campaigns",),
    "amazon_ads_sp_advertised_products": ("amazon_ads_sp_advertised_products",),
    "shopify_orders": ("shopify_orders",),
    "zendesk_tickets": ("zendesk_tickets", "zendesk_ticket_comments", "zendesk_ticket_metrics"),
    "zendesk_users": ("zendesk_users",),
}
# families read from another family's pages (no requests of their own)
SIDELOADED = ("zendesk_ticket_metrics",)


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def stage_table(stages: list[Stage]) -> list[str]:
    lines = [
        "| stage | wall s | rows | rows/s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for stage in stages:
        name = stage.name + (" (failed)" if stage.error else "")
        lines.append(
            f"| {name} | {_number(stage.seconds, 1)} | {_number(stage.rows)} | "
            f"{_number(stage.rows_per_second)} | {_number(stage.peak_rss_mib)} |"
        )
    return lines


def ratios(run: dict) -> dict:
    """Per stream and overall: how fast we land the same pages as the limit and as the peer.

    Both sides read identical pages (the limit from disk, the peer from the same pre-rendered
    answers), so the ratio is one of wall times on the same input: ``limit s / our s`` (the
    share of DuckDB's reader speed we reach) and ``peer s / our s`` (how many times faster than
    dlt we are). A stream counts towards the peer only when dlt fetched all of its pages (on
    large presets it is not given the per-order and per-ticket requests).
    """
    ours = {
        s["name"].removeprefix("land "): s for s in run["stages"] if s["name"].startswith("land ")
    }
    limits = {s["name"].removeprefix("limit "): s for s in run["limit"] if not s.get("error")}
    peer = (run.get("peer") or {}).get("streams", {})
    rows: list[dict] = []
    totals = {"ours_s": 0.0, "limit_s": 0.0, "peer_ours_s": 0.0, "peer_s": 0.0}
    for stream, families in STREAM_FAMILIES.items():
        stage = ours.get(stream)
        if stage is None or not stage["rows"] or stage.get("error"):
            continue
        entry = {"stream": stream, "rows": stage["rows"], "ours_s": stage["seconds"]}
        saved = [limits[f] for f in families if f in limits]
        if len(saved) == len(families):
            entry["limit_s"] = sum(s["seconds"] for s in saved)
            entry["limit_rows"] = sum(s["rows"] for s in saved)
            entry["vs_limit"] = _ratio(entry["limit_s"], entry["ours_s"])
            totals["ours_s"] += entry["ours_s"]
            totals["limit_s"] += entry["limit_s"]
        loaded = peer.get(stream)
        fetched = [f for f in families if f not in SIDELOADED]
        if loaded and set(fetched) <= set(loaded["families"]):
            entry["peer_s"] = loaded["seconds"]
            entry["peer_rows"] = loaded["rows"]
            entry["vs_peer"] = _ratio(entry["peer_s"], entry["ours_s"])
            totals["peer_ours_s"] += entry["ours_s"]
            totals["peer_s"] += entry["peer_s"]
        rows.append(entry)
    return {
        "streams": rows,
        "vs_limit": _ratio(totals["limit_s"], totals["ours_s"]),
        "vs_peer": _ratio(totals["peer_s"], totals["peer_ours_s"]),
    }


def _ratio(their_s: float, ours_s: float) -> float | None:
    return their_s / ours_s if their_s and ours_s else None


def ratio_table(summary: dict) -> list[str]:
    lines = [
        "| stream | our records | our s | limit records | limit s | limit s / our s "
        "| dlt records | dlt s | dlt s / our s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in summary["streams"]:
        lines.append(
            f"| {entry['stream']} | {_number(entry['rows'])} | {_number(entry['ours_s'], 1)} | "
            f"{_number(entry.get('limit_rows'))} | {_number(entry.get('limit_s'), 1)} | "
            f"{_number(entry.get('vs_limit'), 2)} | {_number(entry.get('peer_rows'))} | "
            f"{_number(entry.get('peer_s'), 1)} | {_number(entry.get('vs_peer'), 2)} |"
        )
    lines.append(
        f"| **all of the above** | | | | | **{_number(summary['vs_limit'], 2)}** | | | "
        f"**{_number(summary['vs_peer'], 2)}** |"
    )
    return lines


def server_table(run: dict) -> list[str]:
    """Server alone vs what the sandbox spent during the landing, by family."""
    served = (run.get("sandbox") or {}).get("served", {}).get("served", {})
    lines = [
        "| family | server alone req/s | MiB/s | from the store (req, s) | rendered (req, s) |",
        "|---|---:|---:|---:|---:|",
    ]
    families = sorted(
        set(run.get("server_alone", {}))
        | {name.split(" ", 1)[1] for name in served if name.startswith(("stored ", "rendered "))}
    )
    for family in families:
        alone = run.get("server_alone", {}).get(family, {})
        stored = served.get(f"stored {family}", {})
        rendered = served.get(f"rendered {family}", {})
        lines.append(
            f"| {family} | {_number(alone.get('requests_per_second'))} | "
            f"{_number(alone.get('mib_per_second'), 1)} | "
            f"{_number(stored.get('requests'))}, {_number(stored.get('seconds'), 1)} | "
            f"{_number(rendered.get('requests'))}, {_number(rendered.get('seconds'), 1)} |"
        )
    return lines


def render(run: dict) -> str:
    """The Markdown block of one preset's latest figures."""
    stages = [
        Stage(**{k: v for k, v in s.items() if k != "rows_per_second"}) for s in run["stages"]
    ]
    limit = [Stage(**{k: v for k, v in s.items() if k != "rows_per_second"}) for s in run["limit"]]
    machine = run["machine"]
    load = ", ".join(f"{value:.1f}" for value in run["load_before"])
    load_after = ", ".join(f"{value:.1f}" for value in run["load_after"])
    peer_version = (run.get("peer") or {}).get("dlt")
    lines = [
        f"Preset `{run['preset']}`, seller as of {run['as_of']}, run {run['started_at'][:16]} UTC "
        f"on {machine['cores']} cores, {machine['memory_gib']} GiB ({machine['cpu']}), Python "
        f"{machine['python']}, duckdb {machine['duckdb']}, dbt-core {machine['dbt-core']}, "
        f"dbt-duckdb {machine['dbt-duckdb']}, dagster {machine['dagster']}"
        + (f", dlt {peer_version}" if peer_version else "")
        + f". Load average (1, 5, 15 min) before: {load}; after: {load_after}. Work tree at "
        f"{run['git'].get('commit', '?')} with {run['git'].get('changed_files', '?')} changed "
        "files.",
        "",
        *stage_table(stages),
    ]
    if limit:
        summary = ratios(run)
        lines += [
            "",
            "The same pages, side by side (wall seconds; ratios of wall times on identical input):",
            "",
        ]
        lines += ratio_table(summary)
        lines += ["", "DuckDB reading the saved pages (the limit):", "", *stage_table(limit)]
    peer = run.get("peer") or {}
    if peer:
        lines += ["", f"dlt peer: {_peer_line(peer)}"]
    if run.get("server_alone"):
        lines += ["", "The sandbox server alone, and what it spent during the landing:", ""]
        lines += server_table(run)
    return "\n".join(lines)


def _peer_line(peer: dict) -> str:
    if "skipped" in peer:
        return peer["skipped"]
    parts = [
        f"{name} {_number(r['rows'])} rows in {_number(r['seconds'], 1)} s"
        for name, r in peer.get("streams", {}).items()
    ]
    error = f" Failed: {peer['error'][-600:]}" if peer.get("error") else ""
    return (
        f"{peer.get('configuration', '')}; {'; '.join(parts)}; whole child process "
        f"{_number(peer.get('seconds'), 1)} s, peak RSS {_number(peer.get('peak_rss_mib'))} MiB."
        + error
    )


def update_docs(run: dict, docs: Path = DOCS) -> None:
    """Replace the preset's block between its markers in docs/benchmarks.md (added if absent)."""
    start, end = f"<!-- bench:{run['preset']}:start -->", f"<!-- bench:{run['preset']}:end -->"
    block = f"{start}\n{render(run)}\n{end}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + f"\n\n## Latest `{run['preset']}` figures\n\n{block}\n"
    docs.write_text(text, encoding="utf-8")

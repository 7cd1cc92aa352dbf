"""The side-by-side ratios: wall times on identical pages, summed over the streams compared."""

from __future__ import annotations

import pytest

from bench.report import ratios, update_docs


def _stage(name: str, seconds: float, rows: int, error: str = "") -> dict:
    return {"name": name, "seconds": seconds, "rows": rows, "error": error}


RUN = {
    "preset": "small",
    "stages": [
        _stage("land amazon_orders", 40.0, 1_000),
        _stage("land shopify_orders", 5.0, 300),
        _stage("land zendesk_users", 2.0, 50),
        _stage("land amazon_refund_events", 1.0, 10, error="ConnectorError: boom"),
        _stage("dbt build", 60.0, 900),
    ],
    "limit": [
        _stage("limit amazon_orders", 0.5, 400),
        _stage("limit amazon_order_items", 1.5, 600),
        _stage("limit shopify_orders", 1.0, 300),
        # zendesk_users has no saved pages here: it is left out of the limit's sum
    ],
    "peer": {
        "streams": {
            # all of the stream's pages: compared
            "shopify_orders": {"rows": 300, "seconds": 20.0, "families": {"shopify_orders": 300}},
            # the orders without their items (a large preset): not the same pages, left out
            "amazon_orders": {"rows": 400, "seconds": 90.0, "families": {"amazon_orders": 400}},
            "zendesk_users": {"rows": 50, "seconds": 4.0, "families": {"zendesk_users": 50}},
        }
    },
}


def test_ratios_divide_wall_times_on_the_same_pages() -> None:
    summary = ratios(RUN)
    by_stream = {entry["stream"]: entry for entry in summary["streams"]}

    # amazon_orders: limit 0.5 + 1.5 = 2.0 s for our 40.0 s -> 2.0 / 40.0 = 0.05
    assert by_stream["amazon_orders"]["vs_limit"] == pytest.approx(0.05)
    # shopify_orders: 1.0 / 5.0 = 0.2 of the limit; dlt 20.0 / 5.0 = 4.0 times our time
    assert by_stream["shopify_orders"]["vs_limit"] == pytest.approx(0.2)
    assert by_stream["shopify_orders"]["vs_peer"] == pytest.approx(4.0)
    # zendesk_users: dlt 4.0 / 2.0 = 2.0; no saved pages, so no limit ratio
    assert by_stream["zendesk_users"]["vs_peer"] == pytest.approx(2.0)
    assert "vs_limit" not in by_stream["zendesk_users"]
    # the peer loaded orders without their items: not compared
    assert "vs_peer" not in by_stream["amazon_orders"]
    # a failed stream is no figure at all
    assert "amazon_refund_events" not in by_stream
    # overall, limit: (2.0 + 1.0) / (40.0 + 5.0) = 3.0 / 45.0
    assert summary["vs_limit"] == pytest.approx(3.0 / 45.0)
    # overall, peer: (20.0 + 4.0) / (5.0 + 2.0) = 24.0 / 7.0
    assert summary["vs_peer"] == pytest.approx(24.0 / 7.0)


def test_the_docs_keep_one_block_per_preset_replaced_in_place(tmp_path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nHand-written analysis.\n", encoding="utf-8")
    run = {
        **RUN,
        "as_of": "2026-12-01T06:00:00+00:00",
        "started_at": "2026-12-02T06:00:00+00:00",
        "machine": {
            "cores": 2,
            "memory_gib": 23.5,
            "cpu": "cpu",
            "python": "3.11.7",
            "duckdb": "2.0.1",
            "dbt-core": "1.11.16",
            "dbt-duckdb": "1.11.1",
            "dagster": "1.13.27",
        },
        "load_before": (1.0, 1.0, 1.0),
        "load_after": (2.0, 2.0, 2.0),
        "git": {"commit": "abc1234", "changed_files": 0},
        "stages": [{**s, "detail": {}, "peak_rss_mib": 100.0} for s in RUN["stages"]],
        "limit": [{**s, "detail": {}, "peak_rss_mib": 100.0} for s in RUN["limit"]],
    }

    update_docs(run, docs)
    update_docs({**run, "git": {"commit": "def5678", "changed_files": 0}}, docs)

    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHand-written analysis.\n")
    assert text.count("<!-- bench:small:start -->") == 1
    assert "def5678" in text and "abc1234" not in text
    assert "| land amazon_orders | 40.0 | 1,000 | 25 | 100 |" in text  # 1,000 rows / 40.0 s

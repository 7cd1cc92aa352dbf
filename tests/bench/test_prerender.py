"""The benchmark's pre-render asks for exactly what the connectors ask for.

It mirrors the connectors' request logic (bench/prerender.py), so when a connector changes what
it requests, the pre-rendered pages stop matching and the benchmark would time the sandbox
rendering them. These tests land every stream through the real connectors against a sandbox
answering from a pre-rendered store, on a first run and on the night after it, and require
that every page came from the store: only token calls, report polls and downloads (cheap,
stateful) are left to the routes.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

import pytest

from bench.prerender import Prerenderer
from connectors.warehouse import connect
from orchestration.streams import STREAMS
from sandbox.pagestore import PageStore, ServeStats
from sandbox.server import start_sandbox
from tests.sandbox.conftest import AS_OF, TINY

# answered by the routes on purpose: tokens, report status polls and document metadata,
# downloads of documents the pre-render already built
LIVE = {
    "api_amazon.lwa_token",
    "api_amazon.get_report",
    "api_amazon.get_report_document",
    "api_ads.get_report",
    "documents.download",
}


def _land_everything(tmp_path, monkeypatch, as_of, cursors=None) -> dict[str, dict]:
    """Pre-render for ``as_of``, land every stream from it; what the server served, by kind."""
    with start_sandbox(replace(TINY, as_of=as_of)) as sandbox:
        env = {
            **sandbox.env(),
            "KPI_HISTORY_DAYS": str(TINY.days),
            "AMAZON_ADS_HISTORY_DAYS": str(TINY.days),
            "KPI_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
            "KPI_INBOX_DIR": str(tmp_path / "inbox"),
        }
        store = PageStore(tmp_path / f"pages-{as_of:%d}")
        result = Prerenderer(sandbox, store, env, as_of, cursors).run()
        assert result.pages["amazon_order_items"] > 0
        sandbox.pages, sandbox.stats = store, ServeStats()
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        con = connect(tmp_path / "warehouse.duckdb")
        try:
            for stream in STREAMS:
                sync, settings = stream.load()
                sync(con, settings.from_env(), run_id=f"test-{as_of:%d}", now=as_of)
        finally:
            con.close()
        store.close()
        return sandbox.stats.snapshot()


def _stored_cursors(tmp_path) -> dict[str, str]:
    con = connect(tmp_path / "warehouse.duckdb", read_only=True)
    try:
        return dict(con.execute("select stream, cursor_value from raw._stream_state").fetchall())
    finally:
        con.close()


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith(("AMAZON_", "SHOPIFY_", "ZENDESK_", "FX_", "KPI_")):
            monkeypatch.delenv(key)
    return monkeypatch


def test_a_first_run_and_the_night_after_it_are_served_from_pre_rendered_pages(
    tmp_path, clean_env
) -> None:
    first = _land_everything(tmp_path, clean_env, AS_OF)
    night = _land_everything(
        tmp_path, clean_env, AS_OF + timedelta(days=1), cursors=_stored_cursors(tmp_path)
    )

    for served in (first, night):
        rendered = {name.split(" ", 1)[1] for name in served if name.startswith("rendered ")}
        assert rendered <= LIVE, f"requests the pre-render missed: {sorted(rendered - LIVE)}"
        stored = {name.split(" ", 1)[1] for name in served if name.startswith("stored ")}
        assert {"amazon_orders", "amazon_order_items", "shopify_orders"} <= stored
        assert {"zendesk_tickets", "zendesk_ticket_comments", "zendesk_users"} <= stored


def test_each_page_is_in_the_store_before_the_next_one_is_rendered(tmp_path, clean_env) -> None:
    # a listing is walked one page at a time: when the walk hands out page n, page n is
    # already on disk and in the index, and no later page has been rendered yet; nothing
    # holds the listing in memory
    with start_sandbox(replace(TINY, as_of=AS_OF)) as sandbox:
        env = {**sandbox.env(), "KPI_HISTORY_DAYS": str(TINY.days)}
        store = PageStore(tmp_path / "pages")
        renderer = Prerenderer(sandbox, store, env, AS_OF)
        # pages of 5 orders: the tiny seller's 60-odd orders make a listing of many pages
        params = {
            "MarketplaceIds": env["AMAZON_SP_MARKETPLACE_IDS"],
            "LastUpdatedAfter": "2026-10-20T00:00:00Z",
            "MaxResultsPerPage": "5",
        }
        next_params = {"MarketplaceIds": env["AMAZON_SP_MARKETPLACE_IDS"]}
        seen = 0
        on_disk = []
        for body in renderer._follow_sp("amazon_orders", "/orders/v0/orders", params, next_params):
            seen += 1
            assert len(store) == seen
            on_disk.append(store.body_path("amazon_orders").stat().st_size)
            assert store.body_path("amazon_orders").read_bytes().endswith(body + b"\n")
        store.close()

    assert seen > 5
    assert on_disk == sorted(on_disk) and len(set(on_disk)) == seen  # grew with every page

"""The Dagster UI, in headless Chromium: the asset graph shows the lineage from the raw tables
to the KPI marts, and one past day can be rerun from it.

``python -m orchestration.ui`` (what ``make ui`` runs) is started on a free port of 127.0.0.1
with its own Dagster home and warehouse, pointed at a sandbox started here; Chromium loads the
asset-group lineage pages and the upstream lineage of the sales mart, and the test reads the
asset names out of the rendered page. Screenshots stay in ``test-artifacts/asset-graph/``.
Then one partition is launched the way the UI's "Materialize → partition → Launch backfill"
does, through the webserver's GraphQL, and must succeed as a replay of that day.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.warehouse import connect
from orchestration.streams import STREAMS
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "asset-graph"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOCATION = "orchestration.definitions"
AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
SELLER = SellerConfig(seed=3, days=6, orders_per_day=2, skus=6, tickets_per_day=2, as_of=AS_OF)
REPLAYED = "2026-11-26"
UI_START_TIMEOUT_S = 300
MART_MAX_AGE_S = 60
RUN_TIMEOUT_S = 900
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=2400,5000",  # tall: the graph draws only the nodes inside the window
    "--virtual-time-budget=30000",  # let the page fetch and lay out the graph
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (make test installs it: apt-get install -y chromium)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + UI_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the UI exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise RuntimeError(f"the UI did not answer on {url} within {UI_START_TIMEOUT_S} s")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (the UI stops dagster dev and its children), then the process group if needed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group this test started, if any is left
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    work = tmp_path_factory.mktemp("ui")
    port = _free_port()
    with start_sandbox(SELLER) as sandbox:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("AMAZON_", "SHOPIFY_", "ZENDESK_", "FX_", "KPI_"))
            },
            **sandbox.env(),
            "KPI_AS_OF": AS_OF.isoformat(),
            # a mart goes stale a minute after its build, so the test sees the UI say so
            "KPI_MART_MAX_AGE_HOURS": str(MART_MAX_AGE_S / 3600),
            "KPI_WAREHOUSE_PATH": str(work / "work" / "warehouse.duckdb"),
            "KPI_PUBLISHED_PATH": str(work / "published" / "warehouse.duckdb"),
            "DAGSTER_HOME": str(work / "dagster"),
            "PYTHONPATH": str(ROOT),
        }
        log = (work / "ui.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.ui", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
            yield {"url": url, "work": work, "log": work / "ui.log"}
        finally:
            _stop(process)
            log.close()


def _chromium(url: str, profile: Path, *, screenshot: Path | None = None) -> str:
    """The page's DOM after its scripts ran (and a screenshot when asked)."""
    args = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [*args, f"--screenshot={screenshot}", url],
            capture_output=True,
            timeout=180,
            check=True,
        )
    done = subprocess.run(
        [*args, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=True
    )
    return done.stdout


def _texts(dom: str) -> list[str]:
    """The text of every element of the page, in page order (asset nodes show their name)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
    return [part.strip() for part in re.split(r"<[^>]+>", text) if part.strip()]


def _labels(dom: str) -> set[str]:
    return set(_texts(dom))


def _shown(name: str, labels: set[str]) -> bool:
    """The graph shortens long names in the middle (``amazon_ref…_events``)."""
    for label in labels:
        if label == name:
            return True
        head, ellipsis, tail = label.partition("…")
        if ellipsis and len(head) >= 3 and name.startswith(head) and name.endswith(tail):
            return True
    return False


def _missing(names, labels: set[str]) -> list[str]:
    return [name for name in names if not _shown(name, labels)]


def test_the_marts_group_shows_every_kpi_mart_and_what_feeds_it(ui, tmp_path):
    from orchestration.jobs import mart_keys

    dom = _chromium(
        f"{ui['url']}/locations/{LOCATION}/asset-groups/marts/lineage",
        tmp_path / "profile",
        screenshot=ARTIFACTS / "marts-group-lineage.png",
    )
    labels = _labels(dom)
    marts = [key.path[-1] for key in mart_keys()]
    assert "kpi_sales_daily" in marts and len(marts) >= 6
    assert _missing(marts, labels) == []
    # their inputs from the intermediate layer are drawn beside them
    assert _missing(["int_orders_unioned", "int_fx_rates_daily"], labels) == []
    assert (ARTIFACTS / "marts-group-lineage.png").stat().st_size > 10_000


def test_the_raw_group_shows_every_connector_table_feeding_staging(ui, tmp_path):
    dom = _chromium(
        f"{ui['url']}/locations/{LOCATION}/asset-groups/raw/lineage",
        tmp_path / "profile",
        screenshot=ARTIFACTS / "raw-group-lineage.png",
    )
    labels = _labels(dom)
    raw_tables = [table.name for stream in STREAMS for table in stream.tables]
    assert _missing(raw_tables, labels) == []
    assert _missing(["stg_amazon_sp__orders", "stg_shopify__orders", "stg_fx__rates"], labels) == []


def test_the_sales_mart_lineage_runs_from_the_raw_tables_through_every_layer(ui, tmp_path):
    dom = _chromium(
        f"{ui['url']}/assets/marts/kpi_sales_daily?view=lineage&lineageScope=upstream"
        "&lineageDepth=8",
        tmp_path / "profile",
        screenshot=ARTIFACTS / "kpi-sales-daily-upstream.png",
    )
    labels = _labels(dom)
    assert {"raw", "staging", "intermediate", "marts"} <= labels  # the layers, as groups
    chain = [
        "amazon_orders",
        "amazon_order_items",
        "shopify_orders",
        "fx_rates",
        "stg_amazon_sp__orders",
        "int_orders_unioned",
        "int_fx_rates_daily",
        "kpi_sales_daily",
    ]
    assert _missing(chain, labels) == []


def _graphql(url: str, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]


LAUNCH_BACKFILL = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""
BACKFILL = """
query Backfill($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status runs { runId status tags { key value } } }
  }
}"""


@pytest.fixture(scope="module")
def replayed_from_ui(ui):
    """One partition launched as the UI's backfill dialog launches it; its finished runs."""
    launched = _graphql(
        ui["url"],
        LAUNCH_BACKFILL,
        {
            "params": {
                "selector": {
                    "partitionSetName": "nightly_kpi_job_partition_set",
                    "repositorySelector": {
                        "repositoryLocationName": LOCATION,
                        "repositoryName": "__repository__",
                    },
                },
                "partitionNames": [REPLAYED],
            }
        },
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        backfill = _graphql(ui["url"], BACKFILL, {"id": launched["backfillId"]})
        backfill = backfill["partitionBackfillOrError"]
        runs = backfill["runs"]
        if backfill["status"].startswith("COMPLETED") and runs:
            break
        assert time.monotonic() < deadline, backfill
        time.sleep(3)
    return runs


def test_one_past_day_is_rerun_from_the_ui_as_a_replay(ui, replayed_from_ui):
    (run,) = replayed_from_ui
    assert run["status"] == "SUCCESS", ui["log"].read_text()[-4000:]
    assert {"key": "dagster/partition", "value": REPLAYED} in run["tags"]

    # a replay of that day: its orders landed, no cursor stored, the materialisation says so
    con = connect(ui["work"] / "work" / "warehouse.duckdb", read_only=True)
    try:
        days = {
            day.isoformat()
            for (day,) in con.execute(
                "select distinct purchase_local_date from staging.stg_amazon_sp__orders"
            ).fetchall()
        }
        cursors = con.execute(
            "select count(*) from raw._stream_state where stream like 'amazon_orders%'"
        ).fetchone()
    finally:
        con.close()
    assert REPLAYED in days and len(days) <= 3  # the day, and its neighbours inside the window
    assert cursors == (0,)

    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(ui["work"] / "dagster")) as instance:
        event = instance.get_latest_materialization_event(AssetKey(["raw", "amazon_orders"]))
    materialization = event.asset_materialization
    assert materialization.partition == REPLAYED
    assert materialization.metadata["pull"].value.startswith(f"replay of {REPLAYED}")


FRESHNESS = """
query Freshness($path: [String!]!) {
  assetNodeOrError(assetKey: {path: $path}) {
    ... on AssetNode {
      internalFreshnessPolicy { ... on TimeWindowFreshnessPolicy { failWindowSeconds } }
      freshnessStatusInfo { freshnessStatus }
    }
  }
}"""


def test_a_mart_older_than_its_limit_shows_as_stale_in_the_ui(ui, replayed_from_ui, tmp_path):
    deadline = time.monotonic() + 300
    while True:
        node = _graphql(ui["url"], FRESHNESS, {"path": ["marts", "kpi_sales_daily"]})
        node = node["assetNodeOrError"]
        # the freshness daemon's verdict: HEALTHY while fresh, DEGRADED once past the window
        if node["freshnessStatusInfo"]["freshnessStatus"] == "DEGRADED":
            break
        assert time.monotonic() < deadline, node
        time.sleep(5)
    assert node["internalFreshnessPolicy"] == {"failWindowSeconds": MART_MAX_AGE_S}
    dom = _chromium(
        f"{ui['url']}/assets/marts/kpi_sales_daily",
        tmp_path / "profile",
        screenshot=ARTIFACTS / "kpi-sales-daily-stale.png",
    )
    (ARTIFACTS / "kpi-sales-daily-stale.html").write_text(dom)
    texts = _texts(dom)
    # the asset's status panel: "Freshness policy" then its state
    assert texts[texts.index("Freshness policy") + 1] == "Failed"
    # and the row count the dbt step measured
    assert "Row count" in texts

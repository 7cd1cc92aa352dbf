"""The dashboard in the nightly job: rendered after each successful publish, beside the
published warehouse, and left as it was when nothing was published."""

from __future__ import annotations

import dagster as dg
import pytest

from connectors.warehouse import connect
from orchestration.assets.dashboard import DASHBOARD_KEY, kpi_dashboard
from orchestration.assets.publish import PUBLISHED_KEY, published_warehouse
from orchestration.resources import Warehouse
from tests.dashboard import warehouse
from tests.dashboard.conftest import read_page


def run_publish_and_dashboard(working, published) -> dg.ExecuteInProcessResult:
    job = dg.define_asset_job("publish_and_dashboard", selection=dg.AssetSelection.all())
    defs = dg.Definitions(
        assets=[published_warehouse, kpi_dashboard],
        jobs=[job],
        resources={"warehouse": Warehouse(path=str(working), published_path=str(published))},
        executor=dg.in_process_executor,
    )
    return defs.resolve_job_def("publish_and_dashboard").execute_in_process(raise_on_error=False)


@pytest.fixture
def places(tmp_path, monkeypatch):
    monkeypatch.delenv("KPI_DASHBOARD_PATH", raising=False)
    working = warehouse.build(tmp_path / "work" / "warehouse.duckdb")
    published = tmp_path / "published" / "warehouse.duckdb"
    published.parent.mkdir()
    return working, published


def test_the_job_renders_the_dashboard_after_publishing(places):
    assert kpi_dashboard.asset_deps[DASHBOARD_KEY] == {PUBLISHED_KEY}
    working, published = places
    result = run_publish_and_dashboard(working, published)
    assert result.success
    steps = [event.step_key for event in result.all_events if event.is_step_success]
    assert steps == ["published__warehouse", "published__dashboard"]

    page_file = published.parent / "dashboard" / "index.html"
    materialization = result.asset_materializations_for_node("published__dashboard")[0]
    assert materialization.metadata["path"].value == str(page_file)
    assert materialization.metadata["scorecard_rows"].value == len(warehouse.SCORECARD)
    assert materialization.metadata["empty_sections"].value == "none"
    con = connect(published, read_only=True)
    try:
        version = con.execute("select version from meta.publication").fetchone()[0]
    finally:
        con.close()
    page = read_page(page_file)
    assert page.data["publication"]["version"] == version
    assert f"warehouse version {version}" in page.tree.find("p", cls="subtitle").text()


def test_a_run_that_publishes_nothing_leaves_last_nights_page(places):
    working, _ = places
    # the job refuses to publish the working file over itself: the publish step fails
    page_file = working.parent / "dashboard" / "index.html"
    page_file.parent.mkdir()
    page_file.write_text("last night's page")
    result = run_publish_and_dashboard(working, working)
    assert not result.success
    assert [e.step_key for e in result.all_events if e.is_step_failure] == ["published__warehouse"]
    assert not any(
        e.step_key == "published__dashboard" for e in result.all_events if e.is_step_start
    )
    assert page_file.read_text() == "last night's page"

"""Daily partitions: which day a run is, whether it pulls or replays, what each stream re-reads.

The replay tests land a small sandbox seller through every stream as the nightly pull would,
empty the raw tables, and replay one day with the settings the raw assets build: every record
a dated stream lands again must belong to that day's window, and no cursor may move.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from connectors.base import replay_window
from connectors.inbox.settings import InboxSettings
from connectors.warehouse import connect
from orchestration.assets.raw import settings_for, stream_cursors, window_text
from orchestration.partitions import (
    PartitionError,
    PartitionRun,
    Pull,
    nightly_partition_key,
    partition_run,
    require_partition,
)
from orchestration.streams import STREAMS
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox

AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
# replay_window(DAY): 2026-11-25 00:00 at UTC+14 .. 2026-11-26 00:00 at UTC-12
WINDOW_START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_the_replay_window_holds_the_local_day_in_every_zone():
    assert replay_window(DAY) == (WINDOW_START, WINDOW_END)
    for zone in ("America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "Pacific/Kiritimati"):
        local = ZoneInfo(zone)
        midnight = datetime.combine(DAY, datetime.min.time(), local)
        assert WINDOW_START <= midnight < midnight + timedelta(days=1) <= WINDOW_END, zone


def test_yesterday_pulls_and_older_days_replay(monkeypatch):
    monkeypatch.setenv("KPI_SCHEDULE_TIMEZONE", "Asia/Tokyo")
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 2026-12-01 05:00 in Tokyo
    assert nightly_partition_key(now) == "2026-11-30"
    assert partition_run("2026-11-30", now) == PartitionRun(date(2026, 11, 30), Pull.NIGHTLY)
    assert partition_run("2026-11-29", now) == PartitionRun(date(2026, 11, 29), Pull.REPLAY)
    monkeypatch.setenv("KPI_SCHEDULE_TIMEZONE", "UTC")
    assert nightly_partition_key(now) == "2026-11-29"  # 2026-11-30 20:00 in UTC


def test_dbt_hears_the_day_and_a_window_only_when_replaying():
    replay = PartitionRun(DAY, Pull.REPLAY)
    nightly = PartitionRun(DAY, Pull.NIGHTLY)
    assert replay.dbt_vars() == {
        "kpi_partition_date": "2026-11-25",
        "kpi_window_start": "2026-11-25",
        "kpi_window_end": "2026-11-25",
    }
    assert nightly.dbt_vars() == {
        "kpi_partition_date": "2026-11-25",
        "kpi_window_start": None,
        "kpi_window_end": None,
    }
    assert replay.replay_day == DAY and nightly.replay_day is None


def test_a_partition_must_be_a_whole_day_inside_the_history(monkeypatch):
    monkeypatch.setenv("KPI_HISTORY_START", "2026-11-01")
    monkeypatch.setenv("KPI_SCHEDULE_TIMEZONE", "UTC")
    assert require_partition("2026-11-01", AS_OF) == "2026-11-01"
    assert require_partition("2026-11-29", AS_OF) == "2026-11-29"
    with pytest.raises(PartitionError, match="before KPI_HISTORY_START"):
        require_partition("2026-10-31", AS_OF)
    with pytest.raises(PartitionError, match="not over yet"):
        require_partition("2026-11-30", AS_OF)
    with pytest.raises(PartitionError, match="not a day"):
        require_partition("yesterday", AS_OF)
    monkeypatch.setenv("KPI_HISTORY_START", "1st of November")
    with pytest.raises(PartitionError, match="KPI_HISTORY_START"):
        require_partition("2026-11-29", AS_OF)


def test_the_command_refuses_a_day_it_cannot_run_before_touching_anything(
    tmp_path, monkeypatch, capsys
):
    from orchestration import nightly

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("KPI_AS_OF", AS_OF.isoformat())  # restored after the test
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("KPI_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("KPI_HISTORY_START", "2026-11-01")
    assert nightly.main(["--as-of", AS_OF.isoformat(), "--partition", "2026-10-31"]) == 2
    assert (
        "partition 2026-10-31 is before KPI_HISTORY_START (2026-11-01)" in capsys.readouterr().err
    )
    assert nightly.main(["--as-of", AS_OF.isoformat(), "--partition", "2026-11-30"]) == 2
    assert "not over yet" in capsys.readouterr().err
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_the_schedule_runs_the_day_that_just_ended_at_two():
    from orchestration.definitions import defs
    from orchestration.jobs import SCHEDULE_NAME

    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 2, 0))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-25"


def test_every_asset_of_the_job_is_partitioned_by_day():
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_kpi_job")
    assert isinstance(job.partitions_def, dg.DailyPartitionsDefinition)
    graph = defs.resolve_asset_graph()
    raw_and_dbt = [key for key in graph.get_all_asset_keys() if key.path[0] != "published"]
    assert len(raw_and_dbt) > 40
    assert all(
        graph.get(key).partitions_def == job.partitions_def
        for key in raw_and_dbt
        if graph.get(key).is_materializable
    )


def test_a_replay_names_its_day_only_in_settings_that_know_one():
    replay = PartitionRun(DAY, Pull.REPLAY)
    inbox = InboxSettings()
    assert settings_for(inbox, replay) is inbox
    stream = next(s for s in STREAMS if s.name == "fx_rates")
    _, fx_class = stream.load()
    fx = fx_class.from_env({"FX_RATES_URL": "http://127.0.0.1:9/"})
    assert settings_for(fx, replay).replay_day == DAY
    assert settings_for(fx, PartitionRun(DAY, Pull.NIGHTLY)) is fx
    assert window_text(settings_for(fx, replay), replay, AS_OF) == (
        "day 2026-11-25: 2026-11-24T10:00:00+00:00 .. 2026-11-26T12:00:00+00:00"
    )


def test_a_stream_with_one_cursor_per_account_shows_them_all(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    assert stream_cursors(con, "amazon_ads_sp_campaigns") == ""
    con.execute(
        "insert into raw._stream_state values "
        "('amazon_ads_sp_campaigns:2', '2026-11-28', now(), 'r'), "
        "('amazon_ads_sp_campaigns:1', '2026-11-29', now(), 'r'), "
        "('amazon_ads_sp_campaigns_other', 'x', now(), 'r'), ('fx_rates', '2026-11-27', now(), 'r')"
    )
    assert stream_cursors(con, "amazon_ads_sp_campaigns") == "1=2026-11-29, 2=2026-11-28"
    assert stream_cursors(con, "fx_rates") == "2026-11-27"
    con.close()


# --- each stream's replay, against the sandbox --------------------------------------------

# seed 1 posts two refunds inside the window of DAY
SELLER = SellerConfig(seed=1, days=14, orders_per_day=4, skus=8, tickets_per_day=3, as_of=AS_OF)
# per raw table: the SQL giving the instant or day each landed record belongs to, and the bounds
# a replay of DAY must keep to (the orders of the day's window, their items; the posted refunds;
# the shipments; the ledger and ads days of DAY itself; the rates of DAY and the week before it;
# the tickets changed from the window's start)
IN_WINDOW = {
    "amazon_orders": ("cast(_record->>'PurchaseDate' as timestamptz)", WINDOW_START, WINDOW_END),
    "amazon_refund_events": ("posted_at", WINDOW_START, WINDOW_END),
    "amazon_shipments": (
        "cast(_record->>'shipment-date' as timestamptz)",
        WINDOW_START,
        WINDOW_END,
    ),
    "amazon_inventory_ledger": ("ledger_date", DAY, DAY),
    "amazon_ads_sp_campaigns": ("report_date", DAY, DAY),
    "shopify_orders": ("cast(_record->>'created_at' as timestamptz)", WINDOW_START, WINDOW_END),
    "fx_rates": ("rate_date", DAY - timedelta(days=7), DAY),
    "zendesk_tickets": (
        "to_timestamp(cast(_record->>'generated_timestamp' as bigint))",
        WINDOW_START,
        AS_OF,
    ),
}


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    """Land everything as a night would, keep the cursors, empty the raw tables, replay DAY."""
    path = tmp_path_factory.mktemp("replay") / "w.duckdb"
    replay = PartitionRun(DAY, Pull.REPLAY)
    with start_sandbox(SELLER) as sandbox:
        env = {**sandbox.env(), "KPI_INBOX_DIR": str(path.parent / "inbox")}
        con = connect(path)
        streams = [s for s in STREAMS if s.name != "inbox_files"]
        for stream in streams:
            sync, settings_class = stream.load()
            sync(con, settings_class.from_env(env), run_id="night", now=AS_OF)
        cursors = con.execute("select * from raw._stream_state order by stream").fetchall()
        for table in (*IN_WINDOW, "amazon_order_items"):
            con.execute(f"delete from raw.{table}")
        sandbox.requests.clear()
        results = {}
        for stream in streams:
            sync, settings_class = stream.load()
            settings = settings_for(settings_class.from_env(env), replay)
            results[stream.name] = sync(con, settings, run_id="replay", now=AS_OF)
        yield {
            "con": con,
            "cursors": cursors,
            "results": results,
            "requests": list(sandbox.requests),
        }
        con.close()


def test_a_replay_moves_no_cursor(replays):
    con = replays["con"]
    after = con.execute("select * from raw._stream_state order by stream").fetchall()
    assert [row[:2] for row in after] == [row[:2] for row in replays["cursors"]]
    # a dated stream does not even write its cursor again; users (undated) run as every night
    untouched = [row for row in replays["cursors"] if row[0] != "zendesk_users"]
    assert [row for row in after if row[0] != "zendesk_users"] == untouched
    assert len(untouched) >= 8


@pytest.mark.parametrize("table", sorted(IN_WINDOW))
def test_a_replay_lands_only_the_records_of_its_window(replays, table):
    expression, low, high = IN_WINDOW[table]
    rows = (
        replays["con"]
        .execute(f"select min({expression}), max({expression}), count(*) from raw.{table}")
        .fetchone()
    )
    earliest, latest, count = rows
    assert count > 0, table
    assert low <= earliest and latest <= high, (table, earliest, latest)


def test_the_order_items_come_with_the_replayed_orders(replays):
    orphans, items = (
        replays["con"]
        .execute(
            "select count(*) filter (where o.amazon_order_id is null), count(*) "
            "from raw.amazon_order_items as i left join raw.amazon_orders as o "
            "using (amazon_order_id) where i._run_id = 'replay'"
        )
        .fetchone()
    )
    assert items > 0 and orphans == 0


def test_the_replay_asks_the_platforms_for_the_day_and_not_for_today(replays):
    requests = replays["requests"]
    orders = [
        r.params for r in requests if r.path == "/orders/v0/orders" and "CreatedAfter" in r.params
    ]
    assert orders and orders[0]["CreatedAfter"] == ["2026-11-24T10:00:00Z"]
    assert orders[0]["CreatedBefore"] == ["2026-11-26T12:00:00Z"]
    assert not any("LastUpdatedAfter" in r.params for r in requests)
    assert not any(r.path.startswith("/fba/inventory") for r in requests)  # no history there
    assert any(r.path == "/v1/2026-11-18..2026-11-25" for r in requests)
    tickets = [r.params for r in requests if r.path.endswith("incremental/tickets/cursor.json")]
    assert tickets[0]["start_time"] == [str(int(WINDOW_START.timestamp()))]
    assert replays["results"]["amazon_inventory_summaries"].records == 0


def test_dbt_gets_the_reporting_currency_as_the_fx_connector_reads_it(monkeypatch):
    from orchestration.assets.dbt import dbt_vars

    monkeypatch.setenv("REPORTING_CURRENCY", " eur ")
    assert json.loads(dbt_vars({"kpi_partition_date": "2026-11-25"})) == {
        "reporting_currency": "EUR",
        "kpi_partition_date": "2026-11-25",
    }
    monkeypatch.setenv("REPORTING_CURRENCY", "")
    assert json.loads(dbt_vars({}))["reporting_currency"] == "USD"

"""Publishing the working warehouse to the copy analysts query (orchestration/publish.py).

Each test builds a small working file by hand (two marts with known rows), publishes it, and
reads the published copy the way an analyst would: with DuckDB read-only, with the DuckDB 1.5
command line the project pins, and as Parquet. An analyst who holds the published file open is
played by a separate process, since DuckDB's locks are per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.warehouse import (
    ACCOUNTS_ORIGIN,
    SANDBOX_ORIGIN,
    WarehouseOriginError,
    claim,
    connect,
)
from orchestration.publish import (
    PublishError,
    PublishTarget,
    last_publication,
    publish,
)

ROOT = Path(__file__).resolve().parents[2]
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")
WAIT_S = 60  # bound on waiting for the analyst process; never asserted as a duration

# marts.kpi_sales_daily: 3 rows, gmv 10.00 + 20.50 + 30.25 = 60.75
SALES = [
    ("ATVPDKIKX0DER", "2026-11-01", "10.00"),
    ("ATVPDKIKX0DER", "2026-11-02", "20.50"),
    ("A1PA6795UKMFR9", "2026-11-02", "30.25"),
]
# marts.kpi_ads_daily: 2 rows, total_sales = the gmv of the same marketplace-day
ADS = [("ATVPDKIKX0DER", "2026-11-01", "10.00"), ("A1PA6795UKMFR9", "2026-11-02", "30.25")]

ANALYST = """
import json, sys, time
from pathlib import Path
import duckdb
path, ready, go, report, write = sys.argv[1:6]
con = duckdb.connect(path)  # read-write, as SQL tools open a file by default
if write == "write":
    con.execute("set checkpoint_threshold = '1GB'")  # keep the change in the WAL
    con.execute("create table main.my_scratch as select 1 as x")
before = con.execute("select version from meta.publication").fetchone()[0]
Path(ready).write_text("ready")
deadline = time.monotonic() + 60
while not Path(go).exists() and time.monotonic() < deadline:
    time.sleep(0.05)
after = con.execute("select version from meta.publication").fetchone()[0]
gmv = con.execute("select sum(gmv) from marts.kpi_sales_daily").fetchone()[0]
con.close()
Path(report).write_text(json.dumps({"before": before, "after": after, "gmv": str(gmv)}))
"""


def _working_file(path: Path, *, origin: str = SANDBOX_ORIGIN, extra_gmv: str = "") -> Path:
    """A working warehouse holding two marts; ``extra_gmv`` adds one sales row (a new night)."""
    con = connect(path)
    try:
        claim(con, origin, path)
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.kpi_sales_daily "
            "(marketplace_id varchar, local_date date, gmv decimal(18, 4))"
        )
        rows = SALES + ([("ATVPDKIKX0DER", "2026-11-03", extra_gmv)] if extra_gmv else [])
        con.execute(
            "insert into marts.kpi_sales_daily select * from (values "
            + ", ".join("(?, cast(? as date), cast(? as decimal(18, 4)))" for _ in rows)
            + ")",
            [value for row in rows for value in row],
        )
        con.execute(
            "create or replace table marts.kpi_ads_daily "
            "(marketplace_id varchar, local_date date, total_sales decimal(18, 4))"
        )
        con.execute(
            "insert into marts.kpi_ads_daily select * from (values "
            + ", ".join("(?, cast(? as date), cast(? as decimal(18, 4)))" for _ in ADS)
            + ")",
            [value for row in ADS for value in row],
        )
    finally:
        con.close()
    return path


def _published(target: PublishTarget, sql: str) -> tuple:
    con = connect(target.database, read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, PublishTarget]:
    (tmp_path / "work").mkdir()
    return tmp_path / "work" / "warehouse.duckdb", PublishTarget(tmp_path / "warehouse.duckdb")


def test_a_publish_copies_the_build_with_its_version_and_every_mart_as_parquet(places):
    working, target = places
    _working_file(working)
    publication = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-one-0001")

    assert publication.tables == {"kpi_ads_daily": 2, "kpi_sales_daily": 3}
    version, origin, run_id = _published(
        target, "select version, origin, run_id from meta.publication"
    )
    assert (version, origin, run_id) == (publication.version, SANDBOX_ORIGIN, "run-one-0001")
    assert version.endswith("Z-run-one-")  # UTC time of the publish, then the run id's head
    counts = _published(
        target,
        "select list(table_name || '=' || row_count order by table_name) "
        "from meta.published_tables",
    )[0]
    assert counts == ["kpi_ads_daily=2", "kpi_sales_daily=3"]
    # gmv 10.00 + 20.50 + 30.25 = 60.75, in the database and in its Parquet file
    assert _published(target, "select sum(gmv) from marts.kpi_sales_daily")[0] == Decimal("60.75")
    parquet = duckdb.connect()
    gmv, rows = parquet.execute(
        "select sum(gmv), count(*) from read_parquet(?)",
        [str(target.parquet / "kpi_sales_daily.parquet")],
    ).fetchone()
    parquet.close()
    assert (gmv, rows) == (Decimal("60.75"), 3)
    assert target.parquet.is_symlink()
    assert target.parquet.resolve() == (target.parquet_versions / version).resolve()
    manifest = last_publication(target)
    assert manifest is not None and manifest["version"] == version
    assert manifest["tables"]["kpi_ads_daily"] == {"rows": 2, "file": "kpi_ads_daily.parquet"}
    # the working file was checkpointed whole: nothing of it was left in a WAL
    assert not working.with_name("warehouse.duckdb.wal").exists()


def test_the_duckdb_1_5_command_line_opens_the_published_file_and_reads_a_mart(places):
    working, target = places
    _working_file(working)
    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-cli-0001")

    version = subprocess.run(
        [str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("v1.5.")
    answer = subprocess.run(
        [
            str(DUCKDB_CLI),
            "-readonly",
            "-csv",
            str(target.database),
            "-c",
            "select count(*), sum(gmv) from marts.kpi_sales_daily",
        ],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert answer.returncode == 0, answer.stderr
    # 3 rows, gmv 10.00 + 20.50 + 30.25 = 60.75 (DECIMAL(18,4) prints four decimals)
    assert answer.stdout.splitlines()[-1] == "3,60.7500"


def test_make_sql_opens_the_published_file_read_only(places):
    working, target = places
    _working_file(working)
    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-make-0001")

    # -o: never rebuild the virtualenv from here (that would ask the package registry)
    answer = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed-from-lock", "sql"],
        cwd=ROOT,
        input="select sum(total_sales) as total from marts.kpi_ads_daily;\n"
        "create table marts.scratch as select 1;\n",
        env={**os.environ, "KPI_PUBLISHED_PATH": str(target.database)},
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    # total_sales 10.00 + 30.25 = 40.25; the session is read-only, so the create fails
    assert "40.2500" in answer.stdout, answer.stderr
    assert "read-only" in answer.stderr


def test_an_analyst_holding_the_published_file_read_write_never_blocks_the_publish(places):
    working, target = places
    _working_file(working)
    first = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-first-01")
    folder = target.folder
    analyst = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ANALYST,
            str(target.database),
            str(folder / "ready"),
            str(folder / "go"),
            str(folder / "report.json"),
            "write",  # the analyst even wrote a scratch table into the published copy
        ]
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not (folder / "ready").exists() and analyst.poll() is None:
            assert time.monotonic() < deadline, "the analyst process never opened the file"
            time.sleep(0.05)
        assert target.wal.exists()  # their change sits in a WAL beside the published file

        _working_file(working, extra_gmv="9.25")  # the next night: one more sales day
        second = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-second-2")
        # a new session opens the new version at once; gmv 60.75 + 9.25 = 70.00
        assert _published(target, "select version from meta.publication")[0] == second.version
        assert _published(target, "select sum(gmv) from marts.kpi_sales_daily")[0] == Decimal(
            "70.00"
        )
    finally:
        (folder / "go").write_text("go")
        analyst.wait(timeout=WAIT_S)
    assert analyst.returncode == 0
    report = json.loads((folder / "report.json").read_text())
    # the analyst's open session kept the version it opened, whole
    assert report == {"before": first.version, "after": first.version, "gmv": "60.7500"}
    # and closing it left the new version intact
    assert _published(target, "select version from meta.publication")[0] == second.version


def test_the_previous_parquet_version_is_kept_one_night_and_older_ones_removed(places):
    working, target = places
    _working_file(working)
    versions = [
        publish(working, target, origin=SANDBOX_ORIGIN, run_id=f"run-{night}-000").version
        for night in ("a", "b", "c")
    ]
    kept = sorted(p.name for p in target.parquet_versions.iterdir() if not p.name.startswith("."))
    assert kept == sorted(versions[1:])
    assert last_publication(target)["version"] == versions[2]


def test_leftovers_of_a_publish_that_crashed_half_way_are_removed(places):
    working, target = places
    _working_file(working)
    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-one-0001")
    stale_copy = target.folder / ".warehouse.duckdb.20261101T000000Z-dead.publishing"
    stale_copy.write_bytes(b"half a file")
    stale_folder = target.parquet_versions / ".20261101T000000Z-dead.partial"
    stale_folder.mkdir()
    (stale_folder / "kpi_sales_daily.parquet").write_bytes(b"half")

    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-two-00002")
    assert not stale_copy.exists() and not stale_folder.exists()


def test_a_published_warehouse_of_the_other_origin_is_never_replaced(places, tmp_path):
    working, target = places
    _working_file(working, origin=SANDBOX_ORIGIN)
    sandbox_version = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-sbx-0001")

    real_working = _working_file(tmp_path / "real.duckdb", origin=ACCOUNTS_ORIGIN)
    with pytest.raises(WarehouseOriginError, match="KPI_PUBLISHED_PATH"):
        publish(real_working, target, origin=ACCOUNTS_ORIGIN, run_id="run-real-001")
    assert _published(target, "select version from meta.publication")[0] == sandbox_version.version


def test_the_origin_is_still_checked_while_an_analyst_holds_the_file_read_write(places, tmp_path):
    working, target = places
    _working_file(working, origin=SANDBOX_ORIGIN)
    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-sbx-0001")
    folder = target.folder
    analyst = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ANALYST,
            str(target.database),
            str(folder / "ready"),
            str(folder / "go"),
            str(folder / "report.json"),
            "read",
        ]
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not (folder / "ready").exists() and analyst.poll() is None:
            assert time.monotonic() < deadline, "the analyst process never opened the file"
            time.sleep(0.05)
        with pytest.raises(duckdb.IOException):  # DuckDB refuses even a reader now
            connect(target.database, read_only=True)
        real_working = _working_file(tmp_path / "real.duckdb", origin=ACCOUNTS_ORIGIN)
        with pytest.raises(WarehouseOriginError, match="sandbox seller"):
            publish(real_working, target, origin=ACCOUNTS_ORIGIN, run_id="run-real-001")
    finally:
        (folder / "go").write_text("go")
        analyst.wait(timeout=WAIT_S)
    assert analyst.returncode == 0


def test_the_nightly_command_refuses_before_any_download_when_the_published_copy_differs(
    places, tmp_path, monkeypatch
):
    from orchestration.nightly import _check_origin

    working, target = places
    _working_file(working, origin=SANDBOX_ORIGIN)
    publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-sbx-0001")
    fresh = tmp_path / "fresh" / "warehouse.duckdb"
    monkeypatch.delenv("KPI_WAREHOUSE_ORIGIN", raising=False)  # this run loads real accounts
    with pytest.raises(WarehouseOriginError, match=str(target.database)):
        _check_origin(fresh, target)


def test_a_working_file_in_duckdb_2_storage_is_not_published(places):
    working, target = places
    _working_file(working)
    kept = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-good-001")
    created_elsewhere = working.with_name("by-dbt-alone.duckdb")
    con = duckdb.connect(str(created_elsewhere))  # DuckDB 2's default storage version
    con.execute("create schema marts")
    con.execute("create table marts.kpi_sales_daily as select 1 as gmv")
    con.close()
    with pytest.raises(PublishError, match="storage version v2"):
        publish(created_elsewhere, target, origin=SANDBOX_ORIGIN, run_id="run-v2-0001")
    assert _published(target, "select version from meta.publication")[0] == kept.version


def test_the_working_file_is_never_published_over_itself(places):
    working, _ = places
    _working_file(working)
    with pytest.raises(PublishError, match="two files"):
        publish(working, PublishTarget(working), origin=SANDBOX_ORIGIN, run_id="run-x-0001")


def test_a_run_whose_build_fails_publishes_nothing(places, monkeypatch):
    """The publish asset of the nightly job, behind a stand-in for the dbt step that builds one
    mart and then fails (a dbt test failed): the step is skipped, the last version stays."""
    working, target = places
    monkeypatch.setenv("KPI_WAREHOUSE_PATH", str(working))  # dbt parses the project on import
    from orchestration.assets.publish import PUBLISHED_KEY, published_warehouse
    from orchestration.resources import Warehouse

    _working_file(working)
    kept = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-good-001")
    deps = list(published_warehouse.asset_deps[PUBLISHED_KEY])
    marts = [key for key in deps if key.path[0] == "marts"]
    assert len(marts) >= 6 and {key.path[0] for key in deps} == {"marts", "raw"}

    @dg.multi_asset(specs=[dg.AssetSpec(key, skippable=True) for key in marts])
    def failing_build():
        yield dg.MaterializeResult(asset_key=marts[0])
        raise RuntimeError("dbt test failed")

    _working_file(working, extra_gmv="9.25")  # what the failed night left in the working file
    job = dg.define_asset_job("publish_after_build", selection=dg.AssetSelection.all())
    defs = dg.Definitions(
        assets=[failing_build, published_warehouse],
        jobs=[job],
        resources={"warehouse": Warehouse(path=str(working), published_path=str(target.database))},
        executor=dg.in_process_executor,
    )
    result = defs.resolve_job_def("publish_after_build").execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.all_events if e.is_step_failure] == ["failing_build"]
    assert not any(
        e.step_key == "published__warehouse" for e in result.all_events if e.is_step_start
    )
    assert _published(target, "select version from meta.publication")[0] == kept.version
    # gmv of the last good version: 10.00 + 20.50 + 30.25 = 60.75 (not 70.00)
    assert _published(target, "select sum(gmv) from marts.kpi_sales_daily")[0] == Decimal("60.75")


def test_a_run_whose_inbox_step_fails_publishes_nothing(places, monkeypatch):
    """A stream no mart reads (the inbox) failed while every mart was built: the run failed,
    so nothing is published (the publish asset depends on every raw asset too)."""
    working, target = places
    monkeypatch.setenv("KPI_WAREHOUSE_PATH", str(working))
    from connectors.inbox.tables import INBOX_TABLES
    from orchestration.assets.publish import PUBLISHED_KEY, published_warehouse
    from orchestration.resources import Warehouse

    _working_file(working)
    kept = publish(working, target, origin=SANDBOX_ORIGIN, run_id="run-good-002")
    deps = list(published_warehouse.asset_deps[PUBLISHED_KEY])
    # the inbox stream's tables: settlements, listings, order exports
    inbox = [dg.AssetKey(["raw", table.name]) for table in INBOX_TABLES]
    assert set(inbox) <= set(deps)
    others = [key for key in deps if key not in inbox]

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in others])
    def built():
        for key in others:
            yield dg.MaterializeResult(asset_key=key)

    @dg.multi_asset(specs=[dg.AssetSpec(key, skippable=True) for key in inbox])
    def failing_inbox():
        raise RuntimeError("inbox file listings.tsv line 2, column price: '12,5O'")

    _working_file(working, extra_gmv="9.25")
    job = dg.define_asset_job("publish_after_inbox", selection=dg.AssetSelection.all())
    defs = dg.Definitions(
        assets=[built, failing_inbox, published_warehouse],
        jobs=[job],
        resources={"warehouse": Warehouse(path=str(working), published_path=str(target.database))},
        executor=dg.in_process_executor,
    )
    result = defs.resolve_job_def("publish_after_inbox").execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.all_events if e.is_step_failure] == ["failing_inbox"]
    assert not any(
        e.step_key == "published__warehouse" for e in result.all_events if e.is_step_start
    )
    assert _published(target, "select version from meta.publication")[0] == kept.version

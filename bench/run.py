"""One benchmark run of a preset: sandbox up, stages measured, side-by-sides, results written.

``small`` and ``medium`` build a fresh warehouse from a first run (every stream's full history);
``night`` is one more day on top of the ``medium`` warehouse, through the nightly command an
operator runs (``python -m orchestration.nightly``, Dagster included), against a sandbox of the
same seller one day later whose pages are pre-rendered from the cursors that warehouse holds.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import limit, pipeline, server_alone
from bench.measure import Stage, load_average, machine, run_child
from connectors.warehouse import PROJECT_ROOT, connect

log = logging.getLogger("bench.run")

BENCH_DATA = PROJECT_ROOT / "data" / "bench"
RESULTS = PROJECT_ROOT / "bench" / "results"
PEER_PYTHON = PROJECT_ROOT / ".venv-bench" / "bin" / "python"
# history the connectors read on a first run: the seller's whole history
HISTORY_DAYS = {"small": 90, "medium": 365}
SANDBOX_START_TIMEOUT_S = 3 * 3600
# per-parent child requests (items, comments) are left to our connectors on sizes above this
PEER_CHILDREN_MAX_PARENTS = 50_000
# the peer is stopped beyond this (the machine is shared; dlt took 7.4 GB for 300 k orders with
# its defaults, see ../shared/STACK.md)
PEER_MAX_RSS_MIB = 6_000


@dataclass
class Run:
    """Everything one preset measured, as written to bench/results/<preset>.json."""

    preset: str
    as_of: str
    started_at: str
    machine: dict
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sandbox: dict = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    limit: list[Stage] = field(default_factory=list)
    peer: dict = field(default_factory=dict)
    server_alone: dict = field(default_factory=dict)
    git: dict = field(default_factory=dict)

    def add(self, stage: Stage) -> None:
        """Record a finished stage and keep the figures so far on disk, so a run that is
        stopped half way (an hour into a seller-year) still leaves them."""
        self.stages.append(stage)
        RESULTS.mkdir(parents=True, exist_ok=True)
        partial = RESULTS / f"{self.preset}.partial.json"
        partial.write_text(json.dumps(self.as_json(), indent=1, default=str), encoding="utf-8")

    def as_json(self) -> dict:
        data = dict(vars(self))
        data["stages"] = [stage.as_json() for stage in self.stages]
        data["limit"] = [stage.as_json() for stage in self.limit]
        return data


class SandboxProcess:
    """``python -m bench.serve`` in a child process, started and stopped around a run."""

    def __init__(
        self,
        preset: str,
        as_of: datetime,
        work: Path,
        history_days: int,
        cursors: Path | None = None,
    ) -> None:
        self.work = work / "sandbox"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        argv = [
            sys.executable,
            "-m",
            "bench.serve",
            "--preset",
            preset,
            "--as-of",
            as_of.isoformat(),
            "--dir",
            str(self.work),
            "--history-days",
            str(history_days),
        ]
        if cursors is not None:
            argv += ["--cursors", str(cursors)]
        self.log_path = self.work / "serve.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=self._log, stderr=self._log)
        self.status: dict = {}

    def wait_ready(self) -> dict:
        ready = self.work / "ready.json"
        deadline = time.monotonic() + SANDBOX_START_TIMEOUT_S
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"bench sandbox exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError("bench sandbox not ready in time")
            time.sleep(0.5)
        time.sleep(0.1)  # the file is written in one call; let it land
        self.status = json.loads(ready.read_text(encoding="utf-8"))
        return self.status

    def stop(self) -> dict:
        """Stop it; what serving cost (by family) and its own peak RSS."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / 1024
        else:
            peak = 0.0
        self._log.close()
        stats_path = self.work / "stats.json"
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        stats["process_peak_rss_mib"] = round(peak, 1)
        return stats

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    @property
    def manifest(self) -> Path:
        return self.work / "manifest.json"


def this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def run_first_load(preset: str, *, peer: bool = True) -> Run:
    """``small`` or ``medium``: a first run into a fresh warehouse, every stage measured."""
    work = BENCH_DATA / preset
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # a day before this hour, so the ``night`` after it is not in the future
    as_of = this_hour() - timedelta(days=1)
    run = Run(
        preset,
        as_of.isoformat(),
        datetime.now(UTC).isoformat(),
        machine(),
        load_average(),
        git=_git_state(),
    )
    sandbox = SandboxProcess(preset, as_of, work, HISTORY_DAYS[preset])
    try:
        status = sandbox.wait_ready()
        run.sandbox = {
            key: status[key]
            for key in ("base_url", "config", "generate", "prerender")
            if key in status
        }
        run.add(_generate_stage(status))
        run.add(_prerender_stage(status))
        env = pipeline.environment(status["env"], work)
        os.environ.clear()
        os.environ.update(env)
        log.info("server alone")
        try:
            run.server_alone = server_alone.measure(sandbox.manifest, status["base_url"])
        except OSError as exc:
            run.server_alone = {"error": f"{type(exc).__name__}: {exc}"}
        warehouse = Path(env["KPI_WAREHOUSE_PATH"])
        run_id = f"bench-{preset}-{as_of:%Y%m%d%H}"
        pipeline.land_streams(warehouse, run_id=run_id, now=as_of, on_stage=run.add)
        log.info("dbt build")
        run.add(pipeline.dbt_build(warehouse, work, env))
        log.info("checks")
        run.add(pipeline.run_checks(warehouse, run_id=run_id, now=as_of))
        published = pipeline.publish(warehouse, run_id=run_id)
        if published is not None:
            run.add(published)
        if peer:
            log.info("peer: dlt")
            try:
                run.peer = run_peer(status, env, work)
            except Exception as exc:  # noqa: BLE001 - the figures so far are still worth keeping
                log.exception("the dlt peer failed")
                run.peer = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        run.sandbox["served"] = sandbox.stop()
    log.info("limit: DuckDB reading the saved pages")
    run.limit = limit.run_limit(sandbox.manifest, work / "limit.duckdb")
    run.load_after = load_average()
    return run


def run_night() -> Run:
    """One more day on top of ``medium`` through ``python -m orchestration.nightly``."""
    medium = _load_results("medium")
    work = BENCH_DATA / "medium"
    warehouse = work / "work" / "warehouse.duckdb"
    if medium is None or not warehouse.exists():
        raise SystemExit("night runs on top of the medium warehouse: run PRESET=medium first")
    as_of = datetime.fromisoformat(medium["as_of"]) + timedelta(days=1)
    run = Run(
        "night",
        as_of.isoformat(),
        datetime.now(UTC).isoformat(),
        machine(),
        load_average(),
        git=_git_state(),
    )
    cursors = work / "night-cursors.json"
    cursors.write_text(json.dumps(_cursors(warehouse)), encoding="utf-8")
    sandbox = SandboxProcess("medium", as_of, work / "night", HISTORY_DAYS["medium"], cursors)
    try:
        status = sandbox.wait_ready()
        run.sandbox = {
            key: status[key]
            for key in ("base_url", "config", "generate", "prerender")
            if key in status
        }
        run.add(_generate_stage(status))
        run.add(_prerender_stage(status))
        env = pipeline.environment(status["env"], work)
        result = run_child(
            [sys.executable, "-m", "orchestration.nightly", "--as-of", as_of.isoformat()],
            env=env,
            cwd=PROJECT_ROOT,
        )
        night = Stage(
            "nightly job (Dagster, end to end)",
            seconds=result.seconds,
            peak_rss_mib=result.peak_rss_mib,
        )
        if result.returncode != 0:
            night.error = f"exit {result.returncode}: {result.stderr[-1500:]}"
        night.detail = {"summary": result.stdout[-4000:]}
        steps = _dagster_steps(env)
        night.rows = _rows_landed(warehouse, steps.get("run_id", ""))
        run.stages.append(night)
        run.stages += steps.get("stages", [])
    finally:
        run.sandbox["served"] = sandbox.stop()
    run.load_after = load_average()
    return run


def _generate_stage(status: dict) -> Stage:
    generated = status["generate"]
    return Stage(
        "generate (sandbox)",
        seconds=generated["seconds"],
        rows=sum(generated["rows"].values()),
        peak_rss_mib=generated["peak_rss_mib"],
        detail=generated["rows"],
    )


def _prerender_stage(status: dict) -> Stage:
    rendered = status.get("prerender") or {}
    return Stage(
        "pre-render pages (sandbox)",
        seconds=rendered.get("seconds", 0.0),
        rows=rendered.get("pages", 0),
        peak_rss_mib=rendered.get("peak_rss_mib", 0.0),
        detail={"bytes": rendered.get("bytes", 0), "seconds": rendered.get("by_family", {})},
    )


def run_peer(status: dict, env: dict[str, str], work: Path) -> dict:
    """dlt's REST API source over the same endpoints, in the bench venv (see bench/peer_dlt)."""
    if not PEER_PYTHON.exists():
        return {"skipped": f"{PEER_PYTHON} missing: `make bench` installs dlt there"}
    manifest = json.loads((work / "sandbox" / "manifest.json").read_text(encoding="utf-8"))
    plan = work / "peer-plan.json"
    children = max(
        manifest["pages"].get("amazon_order_items", 0),
        manifest["pages"].get("zendesk_ticket_comments", 0),
    )
    plan.write_text(
        json.dumps(
            {
                "base_url": status["base_url"],
                "listings": manifest["listings"],
                "children": children <= PEER_CHILDREN_MAX_PARENTS,
            }
        ),
        encoding="utf-8",
    )
    database = work / "peer.duckdb"
    result = run_child(
        [
            str(PEER_PYTHON),
            "-m",
            "bench.peer_dlt",
            "--plan",
            str(plan),
            "--database",
            str(database),
            "--pipelines-dir",
            str(work / "dlt"),
        ],
        env={**env, "PYTHONPATH": str(PROJECT_ROOT), "RUNTIME__LOG_LEVEL": "WARNING"},
        cwd=PROJECT_ROOT,
        max_rss_mib=PEER_MAX_RSS_MIB,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    finished = {line.pop("stream"): line for line in lines if "stream" in line}
    report = next((line for line in lines if "configuration" in line), {"streams": finished})
    if result.returncode != 0:
        report["error"] = f"exit {result.returncode}: {result.stderr[-1500:]}"
    if result.killed_for_memory:
        report["error"] = f"stopped when its memory passed {PEER_MAX_RSS_MIB:,} MiB"
    report.setdefault("configuration", "REST API source (stopped before its summary)")
    report["seconds"] = round(result.seconds, 2)
    report["peak_rss_mib"] = round(result.peak_rss_mib, 1)
    report["dlt"] = _peer_version()
    shutil.rmtree(work / "dlt", ignore_errors=True)
    database.unlink(missing_ok=True)
    return report


def _peer_version() -> str:
    result = subprocess.run(
        [str(PEER_PYTHON), "-c", "import dlt; print(dlt.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def _cursors(warehouse: Path) -> dict[str, str]:
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute("select stream, cursor_value from raw._stream_state").fetchall()
    finally:
        con.close()
    return {stream: value for stream, value in rows if value}


def _rows_landed(warehouse: Path, run_id: str) -> int:
    con = connect(warehouse, read_only=True)
    try:
        (rows,) = con.execute(
            "select coalesce(sum(records), 0) from raw._load_log where run_id = ?", [run_id]
        ).fetchone()
    finally:
        con.close()
    return int(rows)


def _dagster_steps(env: dict[str, str]) -> dict:
    """The nightly run's steps from its Dagster instance: each step's wall time."""
    script = (
        "import json, dagster as dg\n"
        "i = dg.DagsterInstance.get()\n"
        "run = i.get_runs(limit=1)[0]\n"
        "steps = [dict(key=s.step_key, start=s.start_time, end=s.end_time, status=str(s.status))"
        " for s in i.get_run_step_stats(run.run_id)]\n"
        "print(json.dumps(dict(run_id=run.run_id, steps=steps)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    try:
        found = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}
    stages = [
        Stage(
            f"  step {step['key']}",
            seconds=(step["end"] or 0) - (step["start"] or 0),
            detail={"status": step["status"]},
        )
        for step in found["steps"]
        if step["start"] and step["end"]
    ]
    stages.sort(key=lambda stage: -stage.seconds)
    return {"run_id": found["run_id"], "stages": stages}


def _git_state() -> dict:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_files": len(git("status", "--porcelain").splitlines()),
    }


def _load_results(preset: str) -> dict | None:
    path = RESULTS / f"{preset}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def save(run: Run) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{run.preset}.json"
    path.write_text(json.dumps(run.as_json(), indent=1, default=str), encoding="utf-8")
    (RESULTS / f"{run.preset}.partial.json").unlink(missing_ok=True)
    return path

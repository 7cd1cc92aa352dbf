"""The alert hook: a command fed on stdin, a webhook on 127.0.0.1, or a log line; and the two
sensors that use it (a failed run, a stale mart)."""

from __future__ import annotations

import json
import logging
import shlex
import sys
import time
from datetime import timedelta

import dagster as dg
import pytest

from connectors.http import register_secret
from orchestration import alerts, jobs
from orchestration.alerts import AlertSettings, AlertSettingsError, send_alert
from tests.support.loopback import Canned, Loopback

# writes its stdin to the file named by its first argument, and its argv to the second
RECORDER = (
    "import json, sys; "
    "open(sys.argv[1], 'w').write(sys.stdin.read()); "
    "open(sys.argv[2], 'w').write(json.dumps(sys.argv[3:]))"
)
SECRET = "alert-test-secret-7f3a9c"


@pytest.fixture(autouse=True)
def _no_alert_settings(monkeypatch):
    monkeypatch.delenv(alerts.COMMAND_VARIABLE, raising=False)
    monkeypatch.delenv(alerts.WEBHOOK_VARIABLE, raising=False)


def _recorder_command(tmp_path, *extra: str) -> str:
    parts = [sys.executable, "-c", RECORDER, str(tmp_path / "stdin"), str(tmp_path / "argv")]
    return shlex.join(parts) + "".join(f" {part}" for part in extra)


def test_the_command_gets_the_message_on_stdin_and_never_through_a_shell(tmp_path, monkeypatch):
    marker = tmp_path / "shell-ran"
    # what a shell would run as a second command is only arguments to the program here
    monkeypatch.setenv(alerts.COMMAND_VARIABLE, _recorder_command(tmp_path, f"; touch {marker}"))
    register_secret(SECRET)

    delivered = send_alert("run_failure", f"step failed: token {SECRET} refused\n$(whoami)")

    assert delivered == ["command"]
    assert (tmp_path / "stdin").read_text() == "step failed: token *** refused\n$(whoami)"
    assert json.loads((tmp_path / "argv").read_text()) == [";", "touch", str(marker)]
    assert not marker.exists()


def test_a_failing_command_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(alerts.COMMAND_VARIABLE, f"{shlex.quote(sys.executable)} -c 'exit(3)'")
    with caplog.at_level(logging.ERROR, logger="orchestration.alerts"):
        assert send_alert("run_failure", "x") == []
    assert "exited with 3" in caplog.text


def test_the_webhook_receives_json_and_its_url_never_reaches_the_log(monkeypatch, caplog):
    with Loopback() as server:
        server.route("POST", "/hooks/T0/B0/abcdef123456", Canned(200, b"ok"))
        url = f"{server.url}/hooks/T0/B0/abcdef123456"
        monkeypatch.setenv(alerts.WEBHOOK_VARIABLE, url)
        register_secret(SECRET)
        assert send_alert("stale_marts", f"marts stale ({SECRET})") == ["webhook"]
        (seen,) = server.requests
        assert seen.method == "POST" and seen.headers["Content-Type"] == "application/json"
        assert json.loads(seen.body) == {"text": "marts stale (***)", "kind": "stale_marts"}

        server.routes.clear()
        server.route("POST", "/hooks/T0/B0/abcdef123456", Canned(500, b"down"))
        with caplog.at_level(logging.ERROR, logger="orchestration.alerts"):
            assert send_alert("stale_marts", "again") == []
    assert "answered HTTP 500" in caplog.text and "127.0.0.1" in caplog.text
    assert "abcdef123456" not in caplog.text


def test_command_and_webhook_together_both_get_it(tmp_path, monkeypatch):
    with Loopback() as server:
        server.route("POST", "/hook", Canned(204, b""))
        monkeypatch.setenv(alerts.WEBHOOK_VARIABLE, f"{server.url}/hook")
        monkeypatch.setenv(alerts.COMMAND_VARIABLE, _recorder_command(tmp_path))
        assert send_alert("run_failure", "both") == ["command", "webhook"]
        assert len(server.requests) == 1
    assert (tmp_path / "stdin").read_text() == "both"


def test_without_settings_the_alert_is_a_log_line(caplog):
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        assert send_alert("run_failure", "the nightly run failed") == ["log"]
    assert "ALERT run_failure: the nightly run failed" in caplog.text


def test_only_an_http_url_is_a_webhook(monkeypatch, caplog):
    for url in ("file:///etc/passwd", "ftp://example.invalid/x", "127.0.0.1:8080/hook"):
        with pytest.raises(AlertSettingsError, match="KPI_ALERT_WEBHOOK_URL"):
            AlertSettings(webhook_url=url)
    monkeypatch.setenv(alerts.WEBHOOK_VARIABLE, "file:///tmp/x")
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        assert send_alert("run_failure", "still told") == ["log"]
    assert (
        "alert settings unusable" in caplog.text and "ALERT run_failure: still told" in caplog.text
    )


# --- the sensors ----------------------------------------------------------------------------


@dg.op
def _breaks():
    raise RuntimeError(f"refused with {SECRET}\nsecond line")


@dg.job
def _failing_job():
    _breaks()


def test_a_failed_run_raises_one_alert_naming_the_step(monkeypatch, caplog):
    register_secret(SECRET)
    instance = dg.DagsterInstance.ephemeral()
    result = _failing_job.execute_in_process(
        instance=instance, raise_on_error=False, tags={"dagster/partition": "2026-11-20"}
    )
    run = instance.get_run_by_id(result.run_id)
    failure = next(event for event in result.all_events if event.is_run_failure)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        jobs.run_failure_alert(context)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "orchestration.alerts"]
    assert line.startswith(f"ALERT run_failure: KPI warehouse: run {result.run_id} of _failing_job")
    assert "(partition 2026-11-20)" in line
    assert "step _breaks: RuntimeError: refused with ***" in line
    assert SECRET not in line and "second line" not in line

    # a run whose launcher alerts itself (the command line) is not reported twice
    caplog.clear()
    instance.add_run_tags(run.run_id, {jobs.ALERTED_TAG: jobs.ALERTED_BY_CALLER})
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run.run_id),
    ).for_run_failure()
    jobs.run_failure_alert(context)
    assert not [r for r in caplog.records if r.name == "orchestration.alerts"]


def test_a_mart_older_than_the_limit_is_reported_once_until_rebuilt(monkeypatch, caplog):
    instance = dg.DagsterInstance.ephemeral()
    marts = jobs.mart_keys()
    assert dg.AssetKey(["marts", "kpi_sales_daily"]) in marts
    built_at = time.time()
    for key in marts:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition="2026-11-20"))
    limit = timedelta(hours=30)
    assert jobs.stale_marts(instance, marts, now=built_at + 29 * 3600, max_age=limit) == []
    stale = jobs.stale_marts(instance, marts, now=built_at + 31 * 3600, max_age=limit)
    assert [mart.key for mart in stale] == marts

    # the sensor at 31 h: one alert listing every mart; at its next tick, no second one
    monkeypatch.setattr(jobs.time, "time", lambda: built_at + 31 * 3600)
    context = dg.build_sensor_context(instance=instance)
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        jobs.stale_marts_alert(context)
        (line,) = [r.getMessage() for r in caplog.records if r.name == "orchestration.alerts"]
        assert f"{len(marts)} mart(s) older than 30 h" in line
        assert "marts/kpi_sales_daily: last built 31.0 h ago" in line
        caplog.clear()
        again = dg.build_sensor_context(instance=instance, cursor=context.cursor)
        jobs.stale_marts_alert(again)
        assert not [r for r in caplog.records if r.name == "orchestration.alerts"]

        # rebuilt, then stale again a day and a half later: a new alert
        monkeypatch.setattr(jobs.time, "time", lambda: built_at + 31 * 3600 + 60)
        instance.report_runless_asset_event(dg.AssetMaterialization(marts[0]))
        fresh = dg.build_sensor_context(instance=instance, cursor=again.cursor)
        jobs.stale_marts_alert(fresh)
        assert json.loads(fresh.cursor) == sorted(k.to_user_string() for k in marts[1:])
        monkeypatch.setattr(jobs.time, "time", lambda: built_at + 62 * 3600)
        later = dg.build_sensor_context(instance=instance, cursor=fresh.cursor)
        jobs.stale_marts_alert(later)
        (line,) = [r.getMessage() for r in caplog.records if r.name == "orchestration.alerts"]
        assert "1 mart(s) older than 30 h" in line and marts[0].to_user_string() in line


def test_the_marts_carry_the_configured_freshness_policy(monkeypatch):
    from orchestration.assets.dbt import kpi_dbt_models, mart_max_age

    policies = {
        spec.key: spec.freshness_policy
        for spec in kpi_dbt_models.specs
        if spec.group_name == "marts"
    }
    assert policies and all(
        policy == dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=30))
        for policy in policies.values()
    )
    assert all(
        spec.freshness_policy is None for spec in kpi_dbt_models.specs if spec.group_name != "marts"
    )
    monkeypatch.setenv("KPI_MART_MAX_AGE_HOURS", "6.5")
    assert mart_max_age() == timedelta(hours=6.5)
    monkeypatch.setenv("KPI_MART_MAX_AGE_HOURS", "soon")
    with pytest.raises(ValueError, match="KPI_MART_MAX_AGE_HOURS"):
        mart_max_age()

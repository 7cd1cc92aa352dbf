"""Tell someone when a run fails or a mart goes stale: a command, a webhook, or a log line.

- ``KPI_ALERT_COMMAND``: a command line, split as a shell would split it but never run by one
  (no expansion, no pipes); the message arrives on its stdin, nothing of it on the command
  line. E.g. ``/usr/bin/mail -s "KPI warehouse" ops@example.com``.
- ``KPI_ALERT_WEBHOOK_URL``: an http(s) URL that receives a JSON POST ``{"text": message,
  "kind": ...}`` (``text`` is what Slack, Mattermost and Teams incoming webhooks read).
- Neither: a WARNING line on the ``orchestration.alerts`` logger. Both: both are used.

A message passes through the connectors' secret redaction before it leaves, and the webhook
URL is itself treated as a secret (incoming-webhook URLs carry their token in the path): logs
name only its host. A channel that fails is logged and never raised: an alert must not turn
the failure it reports into another one.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from connectors.http import redact, register_secret

log = logging.getLogger("orchestration.alerts")

COMMAND_VARIABLE = "KPI_ALERT_COMMAND"
WEBHOOK_VARIABLE = "KPI_ALERT_WEBHOOK_URL"
TIMEOUT_S = 30.0


class AlertSettingsError(ValueError):
    """An alert variable that cannot be used; the message names it."""


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go: a command (argv), a webhook URL, or (neither) the log."""

    command: tuple[str, ...] = ()
    webhook_url: str = field(default="", repr=False)
    timeout_s: float = TIMEOUT_S

    def __post_init__(self) -> None:
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise AlertSettingsError(f"{WEBHOOK_VARIABLE} must be an http(s) URL")
            register_secret(self.webhook_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ
        command_line = (env.get(COMMAND_VARIABLE) or "").strip()
        try:
            command = tuple(shlex.split(command_line))
        except ValueError as exc:
            raise AlertSettingsError(f"{COMMAND_VARIABLE} cannot be split: {exc}") from None
        return cls(command=command, webhook_url=(env.get(WEBHOOK_VARIABLE) or "").strip())

    @property
    def webhook_host(self) -> str:
        return urlsplit(self.webhook_url).hostname or ""


def send_alert(kind: str, message: str, settings: AlertSettings | None = None) -> list[str]:
    """Deliver ``message`` (``kind``: ``run_failure`` or ``stale_marts``) to every configured
    channel; returns the channels that took it (``command``, ``webhook``, ``log``)."""
    text = redact(message)
    if settings is None:
        try:
            settings = AlertSettings.from_env()
        except AlertSettingsError as exc:
            log.error("alert settings unusable (%s); alert logged instead", exc)
            settings = AlertSettings()
    delivered = []
    if settings.command and _run_command(settings, text):
        delivered.append("command")
    if settings.webhook_url and _post_webhook(settings, kind, text):
        delivered.append("webhook")
    if not settings.command and not settings.webhook_url:
        log.warning("ALERT %s: %s", kind, text)
        delivered.append("log")
    return delivered


def _run_command(settings: AlertSettings, text: str) -> bool:
    program = settings.command[0]
    try:
        done = subprocess.run(
            list(settings.command),
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=settings.timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("alert command %s could not run: %s", program, type(exc).__name__)
        return False
    if done.returncode != 0:
        log.error("alert command %s exited with %d", program, done.returncode)
        return False
    return True


def _post_webhook(settings: AlertSettings, kind: str, text: str) -> bool:
    session = requests.Session()
    session.trust_env = False  # never through a proxy from the environment, as the connectors
    try:
        response = session.post(
            settings.webhook_url,
            json={"text": text, "kind": kind},
            timeout=settings.timeout_s,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        log.error("alert webhook on %s unreachable: %s", settings.webhook_host, type(exc).__name__)
        return False
    finally:
        session.close()
    if not 200 <= response.status_code < 300:
        log.error(
            "alert webhook on %s answered HTTP %d", settings.webhook_host, response.status_code
        )
        return False
    return True

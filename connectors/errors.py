"""Errors a connector raises: each names the platform, the stream and what to fix."""

from __future__ import annotations


class ConnectorError(RuntimeError):
    """A failure talking to a platform, with the platform and stream in the message."""

    def __init__(self, platform: str, stream: str, message: str) -> None:
        self.platform = platform
        self.stream = stream
        super().__init__(f"[{platform}/{stream}] {message}")


class ConfigurationError(ConnectorError):
    """A setting is missing or wrong; the message names the environment variable."""


class RecordError(ConnectorError):
    """A record could not be landed; the message names the record and the field."""


class AuthenticationError(ConnectorError):
    """The platform refused the credentials; the message names the setting to fix. Retrying
    the same credentials cannot help, so the run fails at once instead."""

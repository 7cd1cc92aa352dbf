"""Reading connector settings from the environment, with errors that name the variable.

Windows and limits have defaults in each platform's settings class; the variables below let an
operator change the common ones without code (docs/connector_tolerance.md lists them).
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.errors import ConfigurationError


def required(env: Mapping[str, str], name: str, platform: str) -> str:
    """The value of ``name``; missing or blank raises a ConfigurationError naming it."""
    value = (env.get(name) or "").strip()
    if not value:
        raise ConfigurationError(platform, "settings", f"environment variable {name} is not set")
    return value


def comma_list(value: str | None) -> tuple[str, ...]:
    """A comma list from the environment as a tuple, blanks dropped, order kept."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def days(env: Mapping[str, str], name: str, default: int, platform: str) -> int:
    """A whole number of days (0 or more) from ``name``, else ``default``."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise ConfigurationError(
            platform, "settings", f"{name} must be a whole number of days, not {text!r}"
        )
    return int(text)


def seconds(env: Mapping[str, str], name: str, default: float, platform: str) -> float:
    """A positive number of seconds from ``name``, else ``default``."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigurationError(
            platform, "settings", f"{name} must be a positive number of seconds, not {text!r}"
        )
    return value

"""Where the inbox is and which legacy encodings a dropped file may be in.

``KPI_INBOX_DIR`` (default ``data/inbox`` under the project root) is scanned, sub-folders
included. ``KPI_INBOX_ENCODINGS`` is the comma list of legacy encodings tried after UTF-8
(default ``cp1252,cp932``: Amazon's EU files are Cp1252, its JP files Shift_JIS as Windows
writes it, CP932). The rule that picks one is in :mod:`connectors.inbox.encoding`.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import ConfigurationError
from connectors.warehouse import PROJECT_ROOT

PLATFORM = "inbox"
STREAM = "inbox_files"
DEFAULT_INBOX_DIR = PROJECT_ROOT / "data" / "inbox"
DEFAULT_ENCODINGS = ("cp1252", "cp932")


@dataclass(frozen=True)
class InboxSettings:
    """The folder to scan and the ordered legacy encodings to try (Python codec names)."""

    inbox_dir: Path = DEFAULT_INBOX_DIR
    encodings: tuple[str, ...] = DEFAULT_ENCODINGS

    def __post_init__(self) -> None:
        for name in self.encodings:
            try:
                codecs.lookup(name)
            except LookupError:
                raise ConfigurationError(
                    PLATFORM, "settings", f"{name!r} is not an encoding (KPI_INBOX_ENCODINGS)"
                ) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InboxSettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        folder = (env.get("KPI_INBOX_DIR") or "").strip()
        names = env.get("KPI_INBOX_ENCODINGS") or ",".join(DEFAULT_ENCODINGS)
        return cls(
            inbox_dir=Path(folder) if folder else DEFAULT_INBOX_DIR,
            encodings=tuple(n.strip().lower() for n in names.split(",") if n.strip()),
        )

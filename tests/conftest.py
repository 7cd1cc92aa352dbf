"""Suite-wide collection rules: how `make test` shares its tests between two processes.

`make test` runs pytest-xdist with ``--dist loadgroup``. Every test gets the group of its module,
so a module's expensive module-scoped fixture (a whole nightly run, a Dagster webserver) is built
once, in one process. Folders whose session-scoped fixture builds a warehouse (``SHARED``) are
one group each, so that warehouse is built once too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SHARED = ("dbt", "dashboard", "sandbox")  # folders with a costly session-scoped fixture


def pytest_configure(config: pytest.Config) -> None:
    # The dbt manifest is parsed at import when it is missing or stale (orchestration.assets.dbt);
    # parse it here, once, before parallel workers import it side by side and race on target/.
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        import orchestration.assets.dbt  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(item.path).relative_to(TESTS)
        top = relative.parts[0]
        group = top if top in SHARED and len(relative.parts) > 1 else relative.as_posix()
        item.add_marker(pytest.mark.xdist_group(name=group))

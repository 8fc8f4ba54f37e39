"""Hypothesis profiles and the app each property module drives.

`LPG_USSD_PROPERTY_EXAMPLES` raises (or lowers) the examples per property (default 150);
`LPG_USSD_HYPOTHESIS_PROFILE=thorough` runs ten times as many. No deadline: a hop through
the app on a busy machine is not a property's failure.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from lpg_ussd.settings import Settings
from tests.acceptance.harness import Harness

EXAMPLES = int(os.environ.get("LPG_USSD_PROPERTY_EXAMPLES", "150"))

settings.register_profile(
    "lpg",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
settings.register_profile(
    "thorough", parent=settings.get_profile("lpg"), max_examples=EXAMPLES * 10
)
settings.load_profile(os.environ.get("LPG_USSD_HYPOTHESIS_PROFILE", "lpg"))

# The rate limits, where the settings have them: every example comes from one test client.
NO_RATE_LIMITS: dict[str, Any] = {
    name: 0
    for name in ("rate_limit_phone_per_minute", "rate_limit_source_per_minute")
    if name in Settings.__struct_fields__
}


class ErrorLog(logging.Handler):
    """Every ERROR (or worse) the app logs: a swallowed exception is still a failure here."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" for r in self.records if r.exc_info
        ]
        found += [f"{r.name}: {r.getMessage()}" for r in self.records if not r.exc_info]
        self.records.clear()
        return found


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One app for the whole module, on its own SQLite file; examples use fresh numbers."""
    harness = Harness(tmp_path_factory.mktemp("line"))
    harness.overrides.update(NO_RATE_LIMITS)
    yield harness
    harness.close()


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger("lpg_ussd")
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)

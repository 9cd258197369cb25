"""Scenarios: the real app without its background worker, on a clock each test moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from parcours.clock import clock
from tests.conftest import Api, signed_in
from tests.scenarios.harness import Scenario


@pytest.fixture(scope="module")
def api(app_settings: Any) -> Iterator[Api]:
    with signed_in(msgspec.structs.replace(app_settings, in_process_worker=False)) as api:
        yield api


@pytest.fixture(scope="module")
def scenario(api: Api) -> Scenario:
    return Scenario(api)


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    """Each scenario starts now, and leaves the clock as it found it."""
    clock.reset()
    yield
    clock.reset()

"""Fixtures of the events' tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests import factories
from tests.conftest import Api


@pytest.fixture
def make_event(api: Api) -> Callable[..., dict[str, Any]]:
    """An event (published, two seats, in a week) with these fields changed."""
    return lambda **fields: factories.event(api, **fields)

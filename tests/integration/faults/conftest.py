"""What the fault tests share: the misbehaving SMTP server, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.faults.servers import FaultySmtp, running


@pytest.fixture(scope="module")
def smtp() -> Iterator[FaultySmtp]:
    with running(FaultySmtp()) as server:
        yield server

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec


class JobOut(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    message: str
    result: dict[str, Any] | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

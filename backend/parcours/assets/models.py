"""The asset library's one table: each uploaded image, its bytes and how a marketer names it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Asset(SQLModel, table=True):
    """An uploaded image, served publicly under an unguessable address (emails and pages link to it)."""

    __tablename__ = "assets"

    id: str = Field(primary_key=True, max_length=32)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_type=LargeBinary)
    # How the library shows it (the file name when empty) and the text read in its place.
    title: str = Field(default="", max_length=200)
    alt: str = Field(default="", max_length=300)
    # Read from the image's header at upload; unknown for images uploaded before.
    width: int | None = None
    height: int | None = None
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

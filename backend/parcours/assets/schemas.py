"""API shapes of the asset library."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Page, Strict


class AssetOut(msgspec.Struct, kw_only=True):
    id: str
    url: str
    filename: str
    # What the library shows: the title given to it, else its file name.
    title: str
    alt: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    created_by: str
    created_at: datetime


class AssetPage(Page[AssetOut]):
    items: list[AssetOut]  # restated so the OpenAPI document names the item type


class AssetUseOut(msgspec.Struct, kw_only=True):
    kind: str  # email, template, page
    id: int
    name: str


class AssetDetail(AssetOut, kw_only=True):
    # Where it is shown: it cannot be deleted while this is not empty.
    used_by: list[AssetUseOut]


class AssetPatch(Strict):
    title: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    alt: Annotated[str, Meta(max_length=300)] | UnsetType = UNSET


class RefusedFile(msgspec.Struct, kw_only=True):
    index: int  # its position among the files sent
    filename: str
    field: str  # "file": the file itself is refused
    message: str


class UploadResult(msgspec.Struct, kw_only=True):
    uploaded: list[AssetOut]
    refused: list[RefusedFile]

"""/api/assets (the library: browse, upload, rename, delete unused); images served publicly at
/media/{id}/{name}."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, changes, limit_param
from parcours.assets import service
from parcours.assets.models import Asset
from parcours.assets.schemas import (
    AssetDetail,
    AssetOut,
    AssetPage,
    AssetPatch,
    AssetUseOut,
    RefusedFile,
    UploadResult,
)
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.errors import InvalidInput
from parcours.runtime import Runtime

AssetId = Annotated[str, Parameter(pattern=r"^[0-9a-f]{32}$", description="The image's id")]


@dataclass
class ImageUpload:
    file: UploadFile | None = None  # optional here so that its absence is refused naming it


@dataclass
class ImagesUpload:
    files: list[UploadFile] = field(default_factory=list)


def _out(asset: Asset, base_url: str) -> AssetOut:
    return AssetOut(
        id=asset.id,
        url=f"{base_url}/media/{asset.id}/{asset.filename}",
        filename=asset.filename,
        title=asset.title or asset.filename,
        alt=asset.alt,
        content_type=asset.content_type,
        size=asset.size,
        width=asset.width,
        height=asset.height,
        created_by=asset.created_by,
        created_at=asset.created_at,
    )


async def _detail(db: AsyncSession, asset: Asset, base_url: str) -> AssetDetail:
    out = _out(asset, base_url)
    used = [AssetUseOut(kind=u.kind, id=u.id, name=u.name) for u in await service.uses(db, asset.id)]
    return AssetDetail(**{f: getattr(out, f) for f in out.__struct_fields__}, used_by=used)


class AssetsController(Controller):
    path = "/assets"
    tags = ["assets"]

    @get("/", summary="The image library, newest first: search by name or title, filter by type")
    async def list_assets(
        self,
        db: AsyncSession,
        runtime: Runtime,
        limit: int = limit_param(50),
        cursor: Cursor = None,
        q: Annotated[str | None, Parameter(max_length=200, description="Words of the name or title")] = None,
        content_type: Annotated[
            str | None, Parameter(description="image/png, image/jpeg, image/gif or image/webp")
        ] = None,
    ) -> AssetPage:
        rows, next_cursor, total = await service.list_assets(db, limit, cursor, q, content_type)
        return AssetPage(items=[_out(a, runtime.settings.base_url) for a in rows], next_cursor=next_cursor, total=total)

    @post("/", summary="Upload an image (PNG, JPEG, GIF, WebP; 5 MB at most)")
    async def upload(
        self,
        data: Annotated[ImageUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        db: AsyncSession,
        runtime: Runtime,
        actor: Actor,
    ) -> AssetOut:
        if not isinstance(data.file, UploadFile):
            raise InvalidInput("Choose an image to upload.", "file")
        asset = await service.save(db, data.file.filename or "image", await data.file.read(), actor.label)
        return _out(asset, runtime.settings.base_url)

    @post(
        "/batch",
        status_code=200,
        summary="Upload several images at once: the good ones are kept, each bad one is refused with its reason",
    )
    async def upload_many(
        self,
        data: Annotated[ImagesUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        db: AsyncSession,
        runtime: Runtime,
        actor: Actor,
    ) -> UploadResult:
        files = data.files if isinstance(data.files, list) else [data.files]
        if any(not isinstance(f, UploadFile) for f in files):
            raise InvalidInput("Send the images as files.", "files")
        read = [(f.filename or "image", await f.read()) for f in files]
        saved, refused = await service.save_many(db, read, actor.label)
        return UploadResult(
            uploaded=[_out(a, runtime.settings.base_url) for a in saved],
            refused=[
                RefusedFile(index=i, filename=name, field=e.field or "file", message=e.message)
                for i, name, e in refused
            ],
        )

    @get("/{asset_id:str}", summary="An image, with the emails, templates and pages that show it")
    async def get_asset(self, asset_id: AssetId, db: AsyncSession, runtime: Runtime) -> AssetDetail:
        return await _detail(db, await service.get(db, asset_id), runtime.settings.base_url)

    @patch("/{asset_id:str}", summary="Rename an image (its title) or change its alternative text")
    async def update_asset(
        self, asset_id: AssetId, data: AssetPatch, db: AsyncSession, runtime: Runtime
    ) -> AssetDetail:
        asset = await service.update(db, asset_id, changes(data))
        return await _detail(db, asset, runtime.settings.base_url)

    @delete("/{asset_id:str}", summary="Delete an image no email, template or page shows (409 naming them)")
    async def delete_asset(self, asset_id: AssetId, db: AsyncSession, actor: Actor) -> None:
        asset = await service.get(db, asset_id)
        await service.delete(db, asset_id)
        await audit.record(db, actor, "asset.deleted", Target("asset", asset_id, asset.title or asset.filename))


@get("/media/{asset_id:str}/{name:str}", include_in_schema=False)
async def serve_asset(asset_id: str, name: str, db: AsyncSession) -> Response[bytes]:
    asset = await service.get(db, asset_id)
    return Response(
        asset.content,
        media_type=asset.content_type,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{asset.filename}"',
        },
    )

"""/api/organization: everyone reads the organization's settings, administrators change them."""

from __future__ import annotations

from litestar import Controller, get, patch
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import changes, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.organization import service
from parcours.organization.schemas import OrganizationOut, OrganizationPatch

_KEPT = ("name", "timezone")


class OrganizationController(Controller):
    path = "/organization"
    tags = ["organization"]

    @get("/", summary="The organization's name and time zone (new events start in it)")
    async def get_organization(self, db: AsyncSession) -> OrganizationOut:
        return to_out(await service.get_organization(db), OrganizationOut)

    @patch("/", opt={"role": "admin"}, summary="Change the organization's name or time zone (admin)")
    async def update_organization(self, data: OrganizationPatch, db: AsyncSession, actor: Actor) -> OrganizationOut:
        before = audit.snapshot(await service.get_organization(db), _KEPT)
        saved = await service.update_organization(db, changes(data), actor.name)
        await audit.record(
            db,
            actor,
            "organization.updated",
            Target("organization", saved.id, saved.name),
            before,
            audit.snapshot(saved, _KEPT),
        )
        return to_out(saved, OrganizationOut)

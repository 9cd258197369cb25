"""/api/rules: the fields rules can use, checking a rule, and the builder <-> text conversions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.rules import service
from parcours.rules.schemas import BuilderIn, BuilderOut, FieldOut, RuleIn, RuleOut, RuleValid, Scope


class RulesController(Controller):
    path = "/rules"
    tags = ["rules"]

    @get("/fields", summary="Every field a rule can use: type, labels (en, fr), allowed values")
    async def fields(
        self, db: AsyncSession, where: Annotated[Scope, Parameter(query="scope")] = "contact"
    ) -> list[FieldOut]:
        return service.describe_fields(await service.schema_for(db, where))

    @post(
        "/validate",
        status_code=200,
        opt={"role": "viewer"},
        summary="Check a rule: {valid: true} or 400 with the message and position",
    )
    async def validate(self, data: RuleIn, db: AsyncSession) -> RuleValid:
        checked = service.check(data.rule, await service.schema_for(db, data.scope))
        return RuleValid(valid=True, fields=sorted(checked.fields))

    @post("/build", status_code=200, opt={"role": "viewer"}, summary="The rule text of the visual builder's conditions")
    async def build(self, data: BuilderIn, db: AsyncSession) -> RuleOut:
        return RuleOut(rule=service.builder_text(data.builder, await service.schema_for(db, data.scope)))

    @post(
        "/parse",
        status_code=200,
        opt={"role": "viewer"},
        summary="The visual builder's conditions for a rule text, when it has a builder shape",
    )
    async def parse(self, data: RuleIn, db: AsyncSession) -> BuilderOut:
        builder = service.read_builder(data.rule, await service.schema_for(db, data.scope))
        if builder is None:
            return BuilderOut(builder=None, reason="This rule uses expressions the visual builder cannot show.")
        return BuilderOut(builder=builder)

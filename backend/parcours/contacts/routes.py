"""/api/contacts, /api/accounts, /api/custom-fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Response, Stream
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import inputs
from parcours.api import Cursor, IdParam, OptionalIdParam, changes, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.contacts import accounts, custom_fields, duplicates, erasure, exports, import_service, merging, service
from parcours.contacts.importing import ImportOptions
from parcours.contacts.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    ConsentEventOut,
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactSort,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    DistinctIn,
    DuplicatePage,
    ImportPreview,
    JobAccepted,
    MergeIn,
    MergeOut,
)
from parcours.contacts.vocabulary import ConsentLevel, LifecycleStage
from parcours.db import transaction
from parcours.errors import InvalidInput
from parcours.rules import service as rules
from parcours.rules import usage
from parcours.rules.fields import COMPUTED_PREFIX, CUSTOM_PREFIX
from parcours.runtime import Runtime
from parcours.scoring import service as scoring
from parcours.scoring.schemas import GroupScoreOut


def _json_part(shape: Any, description: str) -> Any:
    """A form field holding JSON, documented with the schema of what it holds (OpenAPI 3.1's
    contentMediaType and contentSchema): the form stays what clients send, its content is typed."""
    schema = msgspec.json.schema(shape)
    schema = _inlined(schema, schema.get("$defs", {}))
    return Body(
        description=description, schema_extra={"content_media_type": "application/json", "content_schema": schema}
    )


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """The schema with each `$ref` to its own `$defs` replaced by the definition: a form field's content
    schema sits inside the OpenAPI document, where those references would point nowhere."""
    if isinstance(schema, list):
        return [_inlined(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _inlined(defs[schema["$ref"].rpartition("/")[2]], defs)
    return {key: _inlined(value, defs) for key, value in schema.items() if key != "$defs"}


@dataclass
class ImportUpload:
    file: UploadFile
    mapping: Annotated[
        str | None,
        _json_part(
            dict[str, str | None],
            'JSON: {"CSV column": "field" | "custom.<name>" | null}; omitted: the suggested mapping',
        ),
    ] = None
    options: Annotated[str | None, _json_part(ImportOptions, "JSON: the import's options; omitted: their defaults")] = (
        None
    )


@dataclass
class PreviewUpload:
    file: UploadFile


Multipart = Body(media_type=RequestEncodingType.MULTI_PART)


def _json_field(raw: str | None, shape: Any, field: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        value = msgspec.json.decode(raw.encode(), type=shape)
    except msgspec.ValidationError as exc:
        at = _invalid_at(str(exc))
        raise InvalidInput(f"'{field}' is not valid: {exc}.", f"{field}.{at}" if at else field) from None
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"'{field}' is not valid: {exc}.", field) from None
    # A form's JSON fields are not JSON bodies: refuse the NUL character here (inputs.RefuseNul).
    if (at := inputs.in_json(raw.encode())) is not None:
        raise InvalidInput(inputs.message(f"{field}.{at}"), f"{field}.{at}")
    return value


def _invalid_at(message: str) -> str | None:
    """Where msgspec found a value wrong: '... - at `$.consent.level`' -> 'consent.level'; a missing
    field is named too: 'missing required field `source` - at `$.consent`' -> 'consent.source'."""
    at = re.search(r" - at `\$\.?([^`]*)`", message)
    path = [p for p in re.sub(r"\[(\d+)\]", r".\1", at.group(1)).split(".") if p] if at else []
    missing = re.search(r"(?:missing required|unknown) field `([^`]+)`", message)
    return ".".join(path + ([missing.group(1)] if missing else [])) or None


def _filename(upload: UploadFile) -> str:
    if inputs.NUL in (upload.filename or ""):
        raise InvalidInput(
            "The file's name contains the NUL character (\\u0000), which cannot be stored: rename the file.", "file"
        )
    return upload.filename or "contacts.csv"


def contact_filters(
    q: str | None = Parameter(default=None, description="Search in email and names"),
    lifecycle_stage: LifecycleStage | None = None,
    country: str | None = None,
    language: str | None = None,
    consent_level: ConsentLevel | None = None,
    source: str | None = None,
    lead_origin: Literal["inbound", "outbound", "sales"] | None = None,
    account_id: OptionalIdParam = None,
    email_opt_in: bool | None = None,
    unsubscribed: bool | None = None,
    bounced: bool | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> ContactFilters:
    return ContactFilters(
        q=q,
        lifecycle_stage=lifecycle_stage,
        country=country.upper() if country else None,
        language=language,
        consent_level=consent_level,
        source=source,
        lead_origin=lead_origin,
        account_id=account_id,
        email_opt_in=email_opt_in,
        unsubscribed=unsubscribed,
        bounced=bounced,
        created_after=created_after,
        created_before=created_before,
    )


async def _column_fields(db: AsyncSession, raw: str | None) -> list[str]:
    """The list's extra columns, checked against the rule fields of the moment."""
    names = list(dict.fromkeys(name.strip() for name in (raw or "").split(",") if name.strip()))
    if not names:
        return []
    known = (await rules.current_schema(db)).fields
    wrong = [n for n in names if n not in known or not (n.startswith(COMPUTED_PREFIX) or n in service.RFM_COLUMNS)]
    if wrong:
        raise InvalidInput(
            f"'fields' names what the list cannot show: {', '.join(wrong)}. "
            "Name behavioural fields (computed_<name>) or RFM fields (rfm_*).",
            "fields",
        )
    return names


class ContactsController(Controller):
    path = "/contacts"
    tags = ["contacts"]
    dependencies = {"filters": Provide(contact_filters, sync_to_thread=False)}

    @get("/", summary="List contacts: search, filters, sort, cursor pages")
    async def list_contacts(
        self,
        db: AsyncSession,
        filters: ContactFilters,
        sort: ContactSort = "-id",
        limit: int = Parameter(default=50, ge=1, le=service.MAX_PAGE),
        cursor: str | None = None,
        fields: str | None = Parameter(
            default=None,
            description="Comma-separated rule fields to add to each row's `fields`: behavioural (computed_<name>) and RFM (rfm_*)",
        ),
    ) -> ContactPage:
        wanted = await _column_fields(db, fields)
        return await service.list_contacts(db, filters, sort, limit, cursor, fields=wanted)

    @post("/", summary="Create a contact")
    async def create_contact(self, data: ContactIn, db: AsyncSession, actor: Actor) -> ContactOut:
        return await service.contact_out(db, await service.create_contact(db, data, actor))

    @get("/duplicates", summary="Pairs of contacts that are probably one person, and why, a page at a time")
    async def duplicates(
        self, db: AsyncSession, limit: int = limit_param(50, 200), cursor: Cursor = None
    ) -> DuplicatePage:
        return await duplicates.find_pairs(db, limit, cursor)

    @post(
        "/duplicates/distinct",
        status_code=204,
        summary="Two contacts are different people: their pair is no longer proposed as duplicates",
    )
    async def tell_apart(self, data: DistinctIn, db: AsyncSession, actor: Actor) -> None:
        await duplicates.tell_apart(db, data.contact_id, data.other_id, actor)

    @delete("/duplicates/distinct", summary="Undo: the pair may be proposed as duplicates again")
    async def undo_tell_apart(self, db: AsyncSession, contact_id: IdParam, other_id: IdParam) -> None:
        await duplicates.undo_tell_apart(db, contact_id, other_id)

    @post(
        "/{contact_id:int}/merge",
        status_code=200,
        summary="Merge another contact into this one: it keeps its id and gets the other's history",
    )
    async def merge(self, contact_id: IdParam, data: MergeIn, db: AsyncSession, actor: Actor) -> MergeOut:
        done = await merging.merge_contacts(db, contact_id, data.other_id, data.fields, actor)
        return MergeOut(
            contact=await service.contact_out(db, done.contact),
            other_id=data.other_id,
            merged=done.merged,
            moved=done.moved,
        )

    @get("/{contact_id:int}", summary="A contact")
    async def get_contact(self, contact_id: IdParam, db: AsyncSession) -> ContactOut:
        return await service.contact_out(db, await service.get_contact(db, contact_id))

    @patch("/{contact_id:int}", summary="Change a contact (only the fields sent)")
    async def update_contact(
        self, contact_id: IdParam, data: ContactPatch, db: AsyncSession, actor: Actor
    ) -> ContactOut:
        contact = await service.update_contact(db, contact_id, changes(data), actor)
        return await service.contact_out(db, contact)

    @delete("/{contact_id:int}", summary="Erase a contact: it, its interactions and history are gone for good")
    async def delete_contact(self, contact_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        await erasure.erase_contact(db, contact_id, actor)

    @get("/{contact_id:int}/export", summary="GDPR export: everything held on a contact")
    async def export_contact(
        self, contact_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> Response[dict[str, Any]]:
        data = await erasure.export_contact(db, contact_id)
        # Reads may go to a replica: the entry is written on its own, before the data leaves.
        async with transaction(runtime.sessions) as session:
            await audit.record(session, actor, "contact.exported", Target("contact", contact_id))
        return Response(data, headers={"Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'})

    @get("/{contact_id:int}/consent-history", summary="A contact's consent history, newest first")
    async def consent_history(self, contact_id: IdParam, db: AsyncSession) -> list[ConsentEventOut]:
        return [to_out(e, ConsentEventOut) for e in await service.consent_history(db, contact_id)]

    @get("/export.csv", media_type="text/csv", summary="The contacts of the current list view, as CSV")
    async def export_csv(self, runtime: Runtime, filters: ContactFilters, actor: Actor) -> Stream:
        asked = {k: v for k, v in msgspec.structs.asdict(filters).items() if v is not None}
        async with transaction(runtime.sessions) as session:
            await audit.record(session, actor, "contacts.exported", Target("contacts", ""), after={"filters": asked})
        return Stream(
            exports.contacts_csv(runtime.report_sessions, filters),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
        )

    @post("/import/preview", status_code=200, summary="Read a CSV: columns, sample rows, suggested mapping")
    async def import_preview(self, data: Annotated[PreviewUpload, Multipart], db: AsyncSession) -> ImportPreview:
        return await import_service.preview(db, _filename(data.file), await data.file.read())

    @post("/import", status_code=202, summary="Import a CSV as a job; follow it at /api/jobs/{job_id}")
    async def import_contacts(
        self, data: Annotated[ImportUpload, Multipart], db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> JobAccepted:
        mapping = _json_field(data.mapping, dict[str, str | None], "mapping")
        options = _json_field(data.options, ImportOptions, "options") or ImportOptions()
        job_id = await import_service.start_import(
            db,
            runtime.enqueue,
            filename=_filename(data.file),
            content=await data.file.read(),
            mapping=mapping,
            options=options,
            actor=actor,
        )
        return JobAccepted(job_id=job_id)


class AccountsController(Controller):
    path = "/accounts"
    tags = ["contacts"]

    @get("/", summary="Accounts (companies) by name, with their number of contacts")
    async def list_accounts(
        self,
        db: AsyncSession,
        q: str | None = Parameter(default=None, max_length=200, description="A part of the name or of the domain"),
        limit: int = limit_param(),
        cursor: Cursor = None,
    ) -> AccountPage:
        found, next_cursor, total = await accounts.list_accounts(db, q, limit, cursor)
        items = [msgspec.structs.replace(to_out(a, AccountOut), contacts=n) for a, n in found]
        return AccountPage(items=items, next_cursor=next_cursor, total=total)

    @post("/", summary="Create an account")
    async def create_account(self, data: AccountIn, db: AsyncSession) -> AccountOut:
        return to_out(await accounts.create_account(db, msgspec.to_builtins(data)), AccountOut)

    @get("/{account_id:int}", summary="An account, with its number of contacts")
    async def get_account(self, account_id: IdParam, db: AsyncSession) -> AccountOut:
        account = await accounts.get_account(db, account_id, field="account_id")
        count = (await accounts.contact_counts(db, [account_id])).get(account_id, 0)
        return msgspec.structs.replace(to_out(account, AccountOut), contacts=count)

    @get("/{account_id:int}/scores", summary="Each scoring model over the account's contacts: average, best, grades")
    async def account_scores(self, account_id: IdParam, db: AsyncSession) -> list[GroupScoreOut]:
        await accounts.get_account(db, account_id, field="account_id")
        size = (await accounts.contact_counts(db, [account_id])).get(account_id, 0)
        return await scoring.group_scores(db, accounts.members(account_id), size)

    @patch("/{account_id:int}", summary="Change an account (its contacts' scores and segments follow)")
    async def update_account(
        self, account_id: IdParam, data: AccountPatch, db: AsyncSession, actor: Actor
    ) -> AccountOut:
        account = await accounts.update_account(db, account_id, changes(data), actor.label)
        count = (await accounts.contact_counts(db, [account_id])).get(account_id, 0)
        return msgspec.structs.replace(to_out(account, AccountOut), contacts=count)

    @delete("/{account_id:int}", summary="Delete an account (its contacts stay, no longer linked to it)")
    async def delete_account(self, account_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("account", account_id, (await accounts.get_account(db, account_id)).name)
        await accounts.delete_account(db, account_id, actor.label)
        await audit.record(db, actor, "account.deleted", target)


_FIELD = ("name", "label", "type", "choices")


def _field(field: Any) -> Target:
    return Target("custom_field", field.id, field.label)


class CustomFieldsController(Controller):
    path = "/custom-fields"
    tags = ["contacts"]

    @get("/", summary="Custom contact fields")
    async def list_fields(self, db: AsyncSession) -> list[CustomFieldOut]:
        return [to_out(f, CustomFieldOut) for f in await custom_fields.list_fields(db)]

    @post("/", opt={"role": "admin"}, summary="Add a custom field (admin)")
    async def create_field(self, data: CustomFieldIn, db: AsyncSession, actor: Actor) -> CustomFieldOut:
        field = await custom_fields.create_field(db, data.name, data.label, data.type, data.choices)
        await audit.record(db, actor, "custom_field.created", _field(field), after=audit.snapshot(field, _FIELD))
        return to_out(field, CustomFieldOut)

    @patch("/{field_id:int}", opt={"role": "admin"}, summary="Rename a custom field or change its choices (admin)")
    async def update_field(
        self, field_id: IdParam, data: CustomFieldPatch, db: AsyncSession, actor: Actor
    ) -> CustomFieldOut:
        before = audit.snapshot(await custom_fields.get_field(db, field_id), _FIELD)
        field = await custom_fields.update_field(db, field_id, changes(data))
        await audit.record(db, actor, "custom_field.updated", _field(field), before, audit.snapshot(field, _FIELD))
        return to_out(field, CustomFieldOut)

    @delete("/{field_id:int}", opt={"role": "admin"}, summary="Delete a custom field and its values (admin)")
    async def delete_field(self, field_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        field = await custom_fields.get_field(db, field_id)
        await usage.refuse_if_read(db, {CUSTOM_PREFIX + field.name}, f"the field '{field.label}'", "field_id")
        target, before = _field(field), audit.snapshot(field, _FIELD)
        await custom_fields.delete_field(db, field_id)
        await audit.record(db, actor, "custom_field.deleted", target, before=before)

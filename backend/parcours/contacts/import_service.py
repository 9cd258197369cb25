"""Importing contacts from CSV: preview, start (checked at once), and the job that writes them."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor, system_actor
from parcours.clock import utcnow
from parcours.contacts import accounts, custom_fields, service
from parcours.contacts.csvfile import CsvError, read_table, suggest_mapping
from parcours.contacts.importing import (
    ImportOptions,
    Preparation,
    Record,
    SkippedRow,
    check_mapping,
    consent_changes,
    obtained_at,
    with_basis,
    without_consent,
)
from parcours.contacts.matching import email_key, person_key
from parcours.contacts.models import Contact, ImportFile
from parcours.contacts.normalize import normalize_country, normalize_domain, search_text
from parcours.contacts.schemas import ImportPreview
from parcours.contacts.vocabulary import ACCOUNT_FIELDS, CONSENT_FIELDS, IMPORTABLE_FIELDS
from parcours.db import Sessions, dialect_name, insert_returning_ids, retried, transaction
from parcours.errors import InvalidInput
from parcours.interactions import recording
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.jobs.schemas import ImportResult, ImportRowError, ImportSkippedRow
from parcours.jobs.service import JobProgress
from parcours.segments import service as segments

JOB_KIND = "contact_import"
PREPARE_BATCH = 5_000
WRITE_BATCH = 5_000
WRITERS = 2  # batches written at once (on PostgreSQL)
# What every new contact starts with.
_STARTING = {
    "bounced": False,
    "scores": {},
    **{c: 0 for c in ("opens_30d", "clicks_30d", "visits_30d", "purchases", "total_revenue")},
}
MAX_ERRORS_REPORTED = 10_000  # and as many skipped rows
# What a row says of the contact's company (it becomes account_id).
_COMPANY = frozenset({"company", *ACCOUNT_FIELDS})
# A contact's fields that an import writes.
_COLUMNS = [f for f in IMPORTABLE_FIELDS if f != "email" and f not in _COMPANY]
# Values that count as "nothing known yet" for the fill_empty policy.
_EMPTY_DEFAULTS = {"lifecycle_stage": "subscriber"}


def _table(content: bytes) -> Any:
    try:
        return read_table(content)
    except CsvError as exc:
        raise InvalidInput(str(exc), "file", row=exc.row) from None


async def preview(session: AsyncSession, filename: str, content: bytes) -> ImportPreview:
    table = await asyncio.to_thread(_table, content)
    labels = {f.name: f.label for f in await custom_fields.list_fields(session)}
    return ImportPreview(
        filename=filename,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        sample=[cells for _, cells in table.rows[:10]],
        rows=len(table.rows),
        suggested_mapping=suggest_mapping(table.header, labels),
        fields=list(IMPORTABLE_FIELDS) + [f"custom.{name}" for name in labels],
    )


async def start_import(
    session: AsyncSession,
    enqueue: Enqueue,
    *,
    filename: str,
    content: bytes,
    mapping: dict[str, str | None] | None,
    options: ImportOptions,
    actor: Actor,
) -> str:
    """Check the file and the choices now (a bad file is refused at once); write in a job."""
    table = await asyncio.to_thread(_table, content)
    if not table.rows:
        raise InvalidInput("The file has a header but no contacts.", "file")
    specs = await custom_fields.specs(session)
    mapping = mapping if mapping is not None else suggest_mapping(table.header, {k: k for k in specs})
    problem = check_mapping(mapping, table.header, specs)
    if problem:
        raise InvalidInput(problem, "mapping")
    if options.segment_id is not None:
        await segments.require_static(session, options.segment_id, "options.segment_id")
    if options.default_country:
        try:
            options = msgspec.structs.replace(options, default_country=normalize_country(options.default_country))
        except ValueError as exc:
            raise InvalidInput(str(exc), "options.default_country") from None
    if options.consent is not None:
        try:
            moment = obtained_at(options.consent.obtained_at, utcnow())
        except ValueError as exc:
            raise InvalidInput(str(exc), "options.consent.obtained_at") from None
        consent = msgspec.structs.replace(options.consent, obtained_at=moment.isoformat())
        options = msgspec.structs.replace(options, consent=consent)
    params = {
        "filename": filename,
        "mapping": mapping,
        "options": msgspec.to_builtins(options),
        "rows": len(table.rows),
    }
    job = await jobs.create_job(
        session, kind=JOB_KIND, task=JobName.IMPORT_CONTACTS, params=params, created_by=actor.label, enqueue=enqueue
    )
    session.add(ImportFile(job_id=job.id, filename=filename[:300], content=content))
    return job.id


def _is_empty(field: str, value: Any) -> bool:
    return value is None or value == "" or value is False or _EMPTY_DEFAULTS.get(field) == value


def _changes(
    existing: dict[str, Any], values: dict[str, Any], record: Record, account_id: int | None, policy: str
) -> dict[str, Any]:
    """What the import changes of a known contact: its fields by the merge policy, its consent by
    importing.consent_changes."""
    wanted = {f: v for f, v in without_consent(values).items() if f not in _COMPANY}
    if account_id is not None:
        wanted["account_id"] = account_id
    if policy == "fill_empty":
        wanted = {f: v for f, v in wanted.items() if _is_empty(f, existing[f])}
        custom = {**record.custom, **existing["custom"]}
    else:
        custom = {**existing["custom"], **record.custom}
    changed = {f: v for f, v in wanted.items() if existing[f] != v}
    if custom != existing["custom"]:
        changed["custom"] = custom
    return changed | consent_changes(existing, values)


class _Counts(msgspec.Struct):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_existing: int = 0
    skipped: list[SkippedRow] = []


class _Import(msgspec.Struct, frozen=True):
    """The import that writes: the consent history says which one brought a change."""

    job_id: str
    filename: str


class _Companies(msgspec.Struct, frozen=True):
    """A batch's companies, linked before its contacts are written: the account of each record
    (None when it names none), and the known accounts whose rule fields the file changed."""

    account_ids: list[int | None]
    moved: dict[int, set[str]]


async def _link_companies(session: AsyncSession, records: list[Record], options: ImportOptions) -> _Companies:
    """The accounts a batch's rows name, found or created. Done for every batch before any contact
    is written, one batch at a time: the batches of contacts are then written two at a time, and
    two of them creating the same company at once would collide."""
    skipping = options.merge_policy == "skip"
    # Known contacts an import leaves untouched do not bring their company in either.
    known = await _known(session, [r.email for r in records], lock=False) if skipping else {}
    mentions = [None if r.email in known else _company_of(r.values) for r in records]
    account_ids, moved = await accounts.link_mentions(session, mentions, options.merge_policy)
    return _Companies(account_ids=account_ids, moved=moved)


async def _write_batch(
    session: AsyncSession,
    records: list[Record],
    companies: _Companies,
    options: ImportOptions,
    actor: Actor,
    counts: _Counts,
    this_import: _Import,
) -> list[int]:
    """Write one batch; returns the ids of every contact of the batch, new or existing."""
    emails = [r.email for r in records]
    existing = await _known(session, emails, lock=options.merge_policy != "skip")
    account_ids, moved = companies.account_ids, companies.moved
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    consent: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    from_basis: dict[str, set[str]] = {}
    evidence = _Evidence.of(options, this_import)
    for record, account_id in zip(records, account_ids, strict=True):
        current = existing.get(record.email)
        with_consent, from_basis[record.email] = with_basis(record.values, options.consent)
        if current is None:
            values = {f: v for f, v in with_consent.items() if f not in _COMPANY}
            inserts.append(
                {
                    **{f: None for f in _COLUMNS},
                    **_defaults(),
                    "source": options.source or None,
                    # Imported lists (fairs, purchased lists, a CRM) are leads reached outbound.
                    "lead_origin": "outbound",
                    "lead_origin_detail": f"import: {this_import.filename}"[:200],
                    "lead_at": now,
                    **values,
                    "email": record.email,
                    "account_id": account_id,
                    "custom": record.custom,
                    "search_text": search_text(values.get("first_name"), values.get("last_name"), record.email),
                    "email_key": email_key(record.email),
                    "person_key": person_key(values.get("first_name"), values.get("last_name")),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        if options.merge_policy == "skip":
            counts.skipped_existing += 1
            counts.skipped.append(
                SkippedRow(row=record.line, reason="Already in your contacts: left untouched, as chosen.")
            )
            continue
        changed = _changes(current, with_consent, record, account_id, options.merge_policy)
        if not changed:
            counts.unchanged += 1
            continue
        counts.updated += 1
        if "first_name" in changed or "last_name" in changed:
            merged = {**current, **changed}
            changed["search_text"] = search_text(merged["first_name"], merged["last_name"], current["email"])
            changed["person_key"] = person_key(merged["first_name"], merged["last_name"])
        consent.extend(_consent_rows(current["id"], current, changed, actor, now, evidence, from_basis[record.email]))
        updates.append({"id": current["id"], **changed, "updated_at": now})
    if inserts:
        # Core, not the ORM: None stays an explicit NULL, so every row has the same columns and the
        # batch goes out as one COPY (PostgreSQL) or one multi-row INSERT. (The ORM's bulk insert
        # drops None values and so splits a batch into one statement per run of rows with the same
        # empty fields: hundreds per batch. It also costs more CPU.)
        table = SQLModel.metadata.tables[Contact.__tablename__]
        created = await insert_returning_ids(session, table, inserts, _STARTING)
        ids = {row["email"]: cid for row, cid in zip(inserts, created, strict=True)}
        counts.created += len(inserts)
        for row in inserts:
            consent.extend(
                _consent_rows(ids[row["email"]], _defaults(), row, actor, now, evidence, from_basis[row["email"]])
            )
    for shape in {tuple(sorted(u)) for u in updates}:
        await session.execute(update(Contact), [u for u in updates if tuple(sorted(u)) == shape])
    await service.insert_consent_rows(session, consent)
    # On the timeline and in the stream (segments, journeys) like any other creation or change.
    origin = {"by": actor.label, "how": "import"}
    events = (
        [{"contact_id": cid, "type": "contact_created", "properties": origin} for cid in ids.values()]
        if inserts
        else []
    )
    events += [
        {
            "contact_id": u["id"],
            "type": "contact_updated",
            "properties": {
                **origin,
                "fields": sorted(k for k in u if k not in ("id", "updated_at", "search_text", "person_key")),
            },
        }
        for u in updates
    ]
    # An import sets stages as the file says (the source of truth it comes from), without the
    # checks a person's change gets; the moves are still on the timeline and in the stream.
    before = {c["id"]: c["lifecycle_stage"] for c in existing.values()}
    events += [
        {
            "contact_id": u["id"],
            "type": service.STAGE_CHANGED,
            "properties": {**origin, "from": before[u["id"]], "to": u["lifecycle_stage"]},
        }
        for u in updates
        if "lifecycle_stage" in u
    ]
    await recording.record(session, events)
    # The contacts of a company whose details the file changed, when their own record did not.
    await accounts.tell_contacts(session, moved, actor.label, "import", [*ids.values(), *(u["id"] for u in updates)])
    return sorted({c["id"] for c in existing.values()} | set(ids.values()))


async def _known(session: AsyncSession, emails: list[str], *, lock: bool) -> dict[str, dict[str, Any]]:
    """The known contact each email reaches (the same address, the same mailbox, or the survivor of
    a merge: a re-import does not bring back a contact merged away), by email."""
    columns = [getattr(Contact, f) for f in ("id", "email", "email_key", "account_id", "custom", *_COLUMNS)]

    async def read(where: Any) -> dict[int, dict[str, Any]]:
        known = select(*columns).where(where)
        if lock:
            # Locked in id order as they are read (see contacts.lock_in_id_order): a score recompute
            # writing the same contacts waits or is waited for instead of deadlocking, and none
            # changes between this read and the update.
            known = known.order_by(col(Contact.id)).with_for_update(key_share=True)
        return {row.id: row._asdict() for row in (await session.execute(known)).all()}

    rows = await read(await service.same_person_among(session, emails))
    reached = service.reached(emails, ((r["id"], r["email"], r["email_key"]) for r in rows.values()))
    missing = [e for e in emails if e not in reached]
    survivors = await service.merged_into(session, missing) if missing else {}
    if survivors:
        rows |= await read(col(Contact.id).in_(sorted(set(survivors.values()))))
        reached |= {e: cid for e, cid in survivors.items() if cid in rows}
    return {email: rows[cid] for email, cid in reached.items()}


def _company_of(values: dict[str, Any]) -> accounts.Mention | None:
    """What a row says of its company; None when it names none (a name, a domain or a website)."""
    website = values.get("account_website")
    domain = values.get("account_domain") or (normalize_domain(website) if website else None)
    if not values.get("company") and not domain:
        return None
    details = {f[len("account_") :]: values[f] for f in ACCOUNT_FIELDS if f in values and f != "account_domain"}
    return accounts.Mention(name=values.get("company"), domain=domain, details=details)


def _defaults() -> dict[str, Any]:
    return {
        "consent_level": "none",
        "lifecycle_stage": "subscriber",
        "email_opt_in": False,
        "sms_opt_in": False,
        "unsubscribed": False,
    }


class _Evidence(msgspec.Struct, frozen=True):
    """What a consent history line says of where an import's change comes from: always the import; the
    consent's stated source and date only for a value the import's basis gave (not the row's own column)."""

    plain: dict[str, Any]
    stated: dict[str, Any]

    @classmethod
    def of(cls, options: ImportOptions, this_import: _Import) -> _Evidence:
        plain = {"import_job_id": this_import.job_id, "import_filename": this_import.filename[:300]}
        basis = options.consent
        stated = {"source": basis.source, "obtained_at": datetime.fromisoformat(basis.obtained_at)} if basis else {}
        return cls(plain={**plain, "source": None, "obtained_at": None}, stated={**plain, **stated})


def _consent_rows(
    contact_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    actor: Actor,
    now: Any,
    evidence: _Evidence,
    from_basis: set[str],
) -> list[dict[str, Any]]:
    return [
        {
            "contact_id": contact_id,
            "field": f,
            "old_value": _text(before.get(f)),
            "new_value": _text(after[f]),
            "changed_by": actor.label,
            "how": "import",
            "occurred_at": now,
            **(evidence.stated if f in from_basis else evidence.plain),
        }
        for f in CONSENT_FIELDS
        if f in after and f in before and before.get(f) != after[f]
    ]


def _text(value: Any) -> str | None:
    return None if value is None else ("true" if value is True else "false" if value is False else str(value))


async def run_import(sessions: Sessions, job_id: str) -> None:
    """The job: normalize every row, link the companies the rows name, then write the contacts in
    batches. Safe to run again after a crash."""
    progress = JobProgress(sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    async with transaction(sessions) as session:
        upload = (
            await session.execute(select(ImportFile).where(col(ImportFile.job_id) == job_id))
        ).scalar_one_or_none()
        specs = await custom_fields.specs(session)
        dialect = await dialect_name(session)
    if upload is None:
        await progress.fail("The uploaded file is no longer available: upload it again.")
        return
    await progress.start("Reading the file")
    options = msgspec.convert(job.params["options"], ImportOptions)
    table = await asyncio.to_thread(read_table, upload.content)
    preparation = Preparation(table.header, job.params["mapping"], options, specs)
    total_rows = max(1, len(table.rows))
    for start in range(0, len(table.rows), PREPARE_BATCH):
        await asyncio.to_thread(preparation.add_rows, table.rows[start : start + PREPARE_BATCH])
        await progress.report(0.3 * (start + PREPARE_BATCH) / total_rows, "Checking rows")
    prepared = preparation.result()
    counts = _Counts()
    committed = not (prepared.errors and options.on_error == "all_or_nothing")
    actor = system_actor(job.created_by or "import")
    this_import = _Import(job_id=job_id, filename=upload.filename)
    if committed:
        records = prepared.records
        batches = [records[start : start + WRITE_BATCH] for start in range(0, len(records), WRITE_BATCH)]
        await progress.report(0.3, "Linking companies")
        companies = [await retried(sessions, _link_companies, batch, options) for batch in batches]

        async def write(session: AsyncSession, batch: list[Record], linked: _Companies) -> _Counts:
            written = _Counts()
            batch_ids = await _write_batch(session, batch, linked, options, actor, written, this_import)
            if options.segment_id is not None:
                await segments.add_members(session, options.segment_id, batch_ids)
            return written

        saved = 0

        async def write_one(batch: list[Record], linked: _Companies) -> None:
            nonlocal saved
            async with writers:
                # A batch that loses a deadlock (to a score recompute, say) is written again, counted once.
                written = await retried(sessions, write, batch, linked)
            for field in _Counts.__struct_fields__:
                setattr(counts, field, getattr(counts, field) + getattr(written, field))
            saved += len(batch)
            await progress.report(0.3 + 0.7 * saved / len(records), f"Saved {saved} of {len(records)} contacts")

        # While one batch waits for the database, the next is made ready: two at a time on
        # PostgreSQL (SQLite writes one transaction at a time).
        writers = asyncio.Semaphore(WRITERS if dialect == "postgresql" else 1)
        async with asyncio.TaskGroup() as group:
            for batch, linked in zip(batches, companies, strict=True):
                group.create_task(write_one(batch, linked))
    else:
        held_back = "Not imported: other rows have errors and you chose to import all or nothing."
        counts.skipped = [SkippedRow(row=r.line, reason=held_back) for r in prepared.records]
    async with transaction(sessions) as session:
        await session.execute(delete(ImportFile).where(col(ImportFile.job_id) == job_id))
    skipped = sorted(prepared.skipped + counts.skipped, key=lambda r: r.row)
    result = ImportResult(
        created=counts.created,
        updated=counts.updated,
        skipped=counts.unchanged
        + counts.skipped_existing
        + prepared.duplicates_in_file
        + (0 if committed else len(prepared.records)),
        errors=[
            ImportRowError(row=e.row, field=e.field, message=e.message, value_left_out=committed and e.value_left_out)
            for e in prepared.errors[:MAX_ERRORS_REPORTED]
        ],
        error_count=len(prepared.errors),
        rows=prepared.rows,
        rejected_rows=prepared.rejected_rows,
        duplicates_in_file=prepared.duplicates_in_file,
        unchanged=counts.unchanged,
        committed=committed,
        skipped_rows=[ImportSkippedRow(row=r.row, reason=r.reason) for r in skipped[:MAX_ERRORS_REPORTED]],
        skipped_row_count=len(skipped),
    )
    if committed:
        rejected = f"{prepared.rejected_rows} row{'' if prepared.rejected_rows == 1 else 's'} rejected"
        message = f"{counts.created} created, {counts.updated} updated, {rejected}"
    else:
        rows = len({e.row for e in prepared.errors})  # rejected, or with a value left out
        faulty = f"{rows} row has" if rows == 1 else f"{rows} rows have"
        message = f"Nothing was imported: {faulty} errors (all or nothing was chosen)"
    await progress.finish(msgspec.to_builtins(result), message)

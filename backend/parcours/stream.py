"""The interaction stream: what happens once an interaction is stored, read top to bottom.

1. A feature records interactions (interactions.recording.record: the API, tracking, imports,
   segments...). When that transaction commits, the session's Waker queues one job,
   `process_interactions`, under a job id of its time slot: a burst of commits queues one run.
   Whoever opens the runtime attaches the Waker to its sessions (wire); a session
   without one wakes nobody, and the sweeper below finds its interactions within seconds.
2. The job reads the stream after its cursor, by batches of interactions.service.STATS_BATCH,
   each in a transaction of its own (retried when the database gives it up).
3. For each batch: the contacts' computed fields (opens_30d, last_interaction_at...) and the
   marketers' behavioural fields (behaviour: computed_<name>) are made current, then a Batch
   (interactions.batch) is handed to each consumer in order. The Batch
   reads once what they all read: the contacts as rules see them, the rule schema, the segment
   memberships, and the process's one rule cache. A consumer that changes one of those for the
   next consumers refreshes it in the Batch.
      scoring   scores the contacts again (their new scores are read by segments and journeys)
      segments  evaluates the changed contacts against every dynamic segment, records
                segment_entered / segment_exited (which wake the stream again for journeys)
      journeys  starts runs, resumes runs waiting for an interaction, counts goals, and
                advances the runs it touched
      webhooks  makes a delivery for each event an active webhook listens to
      rollups   adds the batch's increments to the reports' daily rollups (reports.rollups)
      purchases adds the batch's purchase lines and its customers' firsts (reports.purchases)
      explore   adds the batch's counts by day and type (explore.rollup) and its contacts by
                month and type (explore.monthly), which answer explorations
   Then the cursor moves past the batch (ids skipped by transactions still open are looked for
   again for a while, see interactions.service).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.assets import usage as asset_usage
from parcours.assets.usage import AssetUser
from parcours.behaviour import service as behaviour
from parcours.channels import service as outbox
from parcours.contacts import erasure, merging
from parcours.contacts import service as contacts
from parcours.db import Sessions, retried
from parcours.emails import service as emails
from parcours.emails import templates as email_templates
from parcours.events import service as event_service
from parcours.explore import monthly as explore_monthly
from parcours.explore import rollup as explore_rollup
from parcours.forms import service as forms
from parcours.interactions import recording
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Sources
from parcours.jobs.enqueue import SLOTS_PER_SECOND, Enqueue, slot_id
from parcours.jobs.names import JobName
from parcours.journeys import held
from parcours.journeys import service as journey_service
from parcours.journeys import stream as journeys
from parcours.landing import service as landing
from parcours.pipeline import service as pipeline
from parcours.reports import purchases, rollups
from parcours.rfm import service as rfm
from parcours.rules import service as rules
from parcours.rules import usage
from parcours.rules.cache import rules as rule_cache
from parcours.rules.usage import RuleHolder
from parcours.runtime import WorkerContext
from parcours.scoring import catalog
from parcours.scoring import service as scoring_service
from parcours.scoring import tasks as scoring
from parcours.segments import reading
from parcours.segments import realtime as segments
from parcours.segments import service as segment_service
from parcours.segments.members import segment_ids_by_contact
from parcours.visitors import service as visitors
from parcours.webhooks import service as webhooks

# ---- 1. the wake-up -----------------------------------------------------------------------------------

# New interactions are processed at most this often per process (a burst of ingestion queues
# one job, not thousands); a wake-up inside the window is deferred to its end, never dropped.
TRIGGER_EVERY = 1 / SLOTS_PER_SECOND


def job_id() -> str:
    return slot_id(JobName.PROCESS_INTERACTIONS, time.time())


class Waker:
    """Queues the processing of new interactions once they are committed (recording.Waker)."""

    def __init__(self, enqueue: Enqueue) -> None:
        self._enqueue = enqueue
        self._last = 0.0
        self._deferred: asyncio.Task[None] | None = None

    async def __call__(self) -> None:
        if self._deferred is not None and not self._deferred.done():
            return
        wait = TRIGGER_EVERY - (time.monotonic() - self._last)
        if wait > 0:
            self._deferred = asyncio.create_task(self._fire(wait))
        else:
            await self._fire(0)

    async def _fire(self, wait: float) -> None:
        if wait > 0:
            await asyncio.sleep(wait)
        self._last = time.monotonic()
        await self._enqueue(JobName.PROCESS_INTERACTIONS, job_id=job_id())


def wire(sessions: async_sessionmaker[AsyncSession], enqueue: Enqueue) -> Waker:
    """Done once by whoever opens the runtime: every transaction of `sessions` that records
    interactions wakes the stream once committed, and the features that keep rules over contact
    fields are known to rules.usage (a field a rule reads is not deleted), and those that show
    images to assets.usage (an image in use is not deleted)."""
    waker = Waker(enqueue)
    recording.wake_with(sessions, waker)
    usage.register(RULE_HOLDERS)
    asset_usage.register(ASSET_USERS)
    merging.register(contact_mergers(enqueue))
    erasure.register(CONTACT_DATA, CONTACT_FORGETTERS)
    return waker


# ---- 2. the consumers, in order -----------------------------------------------------------------------


def consumers(enqueue: Enqueue, base_url: str) -> list[Consumer]:
    # Scoring first: segments and journeys of the same batch then read the new scores; segments
    # before journeys, whose rules and entries read memberships.
    # Visitors first: a form that identifies a visitor copies its page views into the stream,
    # where the next batch hands them to the others.
    return [
        visitors.stream_consumer(),
        scoring.stream_consumer(enqueue, base_url),
        segments.stream_consumer(enqueue),
        journeys.stream_consumer(enqueue),
        webhooks.stream_consumer(enqueue),
        rollups.stream_consumer(),
        purchases.stream_consumer(),
        explore_rollup.stream_consumer(),
        explore_monthly.stream_consumer(),
    ]


# Who keeps rules over contact fields, in the order a refusal to delete a field names them.
RULE_HOLDERS: list[RuleHolder] = [reading.held_rules, held.held_rules, catalog.held_rules]
# Who shows images of the asset library, in the order a refusal to delete one names them.
ASSET_USERS: list[AssetUser] = [emails.images_used, email_templates.images_used, landing.images_used]


def contact_mergers(enqueue: Enqueue) -> list[merging.ContactMerger]:
    """Who keeps rows of contacts, in the order a merge moves them: the timeline first (the
    survivor's computed fields are counted from all of it), scoring last (it reads the moved
    timeline and the merged fields)."""
    return [
        interactions.merge_contacts,
        segment_service.merge_contacts,
        event_service.merge_contacts,
        pipeline.merge_contacts,
        journey_service.merge_contacts,
        visitors.merge_contacts,
        outbox.merge_contacts,
        forms.merge_contacts,
        emails.merge_contacts,
        purchases.merge_contacts,
        explore_monthly.merge_contacts,
        scoring_service.contact_merger(enqueue),
    ]


# Who shows its rows about a contact in the contact's data export (GDPR), in the export's order.
CONTACT_DATA: list[erasure.ContactData] = [
    scoring_service.contact_data,
    segment_service.contact_data,
    journey_service.contact_data,
    event_service.contact_data,
    pipeline.contact_data,
    forms.contact_data,
    outbox.contact_data,
    emails.contact_data,
    visitors.contact_data,
    rfm.contact_data,
]
# Who keeps rows about a contact that deleting the contact would leave (no foreign key, or one that
# only unlinks them): deleted, or stripped of what identifies the person where figures count them.
CONTACT_FORGETTERS: list[erasure.ContactForgetter] = [
    webhooks.forget_contact,
    forms.forget_contact,
    outbox.forget_contact,
    rfm.forget_contact,
]

SOURCES = Sources(schema=rules.current_schema, people=contacts.rule_rows, memberships=segment_ids_by_contact)


# ---- 3. the cursor ------------------------------------------------------------------------------------


async def process_new_interactions(sessions: Sessions, consumers: Sequence[Consumer] = ()) -> int:
    """Bring computed fields up to date with every interaction stored since the last run, then
    hand each batch to the consumers. Returns how many interactions were processed."""
    processed = 0
    while True:
        # A batch whose transaction loses a deadlock (its consumers write contacts that an import
        # or a score recompute writes too) is handed on again instead of failing the run.
        count = await retried(sessions, _process_batch, consumers)
        processed += count
        if count < interactions.STATS_BATCH:
            return processed


async def _process_batch(session: AsyncSession, consumers: Sequence[Consumer]) -> int:
    """The next batch of the stream, handed to the consumers; returns its size (0: none left)."""
    cursor = await interactions.stream_cursor(session)
    rows = await interactions.rows_after(session, cursor, interactions.STATS_BATCH)
    if rows:
        await interactions.recompute_stats(
            session, sorted({r.contact_id for r in rows if r.type not in recording.SYSTEM_TYPES})
        )
        await behaviour.stream_refresh(session, rows)
        batch = Batch(session, rows, SOURCES, rule_cache)
        for consume in consumers:
            await consume(batch)
    interactions.move_cursor(cursor, [r.id for r in rows])
    return len(rows)


# ---- the worker's jobs ---------------------------------------------------------------------------------


class StreamRuns:
    """The stream's processing in one process, one run at a time. While interactions arrive, the
    wake-ups queue a job every half second; a second run would only wait for the cursor's lock,
    holding a worker slot (one of the urgent queue's few) and a connection. A job that arrives
    while a run is under way asks that run to look once more instead, and ends at once."""

    def __init__(self, consumers: Sequence[Consumer]) -> None:
        self.consumers = consumers
        self.busy = False
        self.again = False

    async def run(self, sessions: Sessions) -> int:
        if self.busy:
            self.again = True
            return 0
        self.busy = True
        processed = 0
        try:
            while True:
                self.again = False
                processed += await process_new_interactions(sessions, self.consumers)
                if not self.again:
                    return processed
        finally:
            self.busy = False


async def process_interactions(ctx: WorkerContext) -> int:
    return await ctx["stream"].run(ctx["runtime"].sessions)


async def sweep_interactions(ctx: WorkerContext) -> None:
    """Every few seconds: what no wake-up announced (a session without a Waker, a lost job)."""
    await ctx["runtime"].enqueue(JobName.PROCESS_INTERACTIONS, job_id=job_id())

"""/api/reports/plan, /journey-reach, /leaderboard: the marketing plan, who each journey reached,
and journeys or emails ranked."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, limit_param
from parcours.reports import leaderboard, plan, reach
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.journey_schemas import ContactPath, JourneyReach, Leaderboard, LeaderboardMetric, PlanReport

_FILTERS = {"filters": Provide(report_filters, sync_to_thread=False)}
JourneyParam = Annotated[int, Parameter(ge=1, le=2**31 - 1, description="The journey")]
Search = Annotated[str | None, Parameter(max_length=200, description="Part of a contact's name or email")]


class PlanReportController(Controller):
    path = "/reports/plan"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies=_FILTERS,
        summary="The marketing plan: journeys (with their emails as sent), campaigns and events over the period",
    )
    async def plan(self, db: AsyncSession, filters: ReportFilters) -> PlanReport:
        report = await plan.report(db, filters)
        return csv_answer("plan", plan.CSV_HEADER, plan.csv_rows(report), filters) if filters.as_csv else report  # type: ignore[return-value]


class JourneyReachController(Controller):
    path = "/reports/journey-reach"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies=_FILTERS,
        summary="Who entered a journey in the period, and whom its emails reached: totals and a page of contacts",
    )
    async def journey_reach(
        self,
        db: AsyncSession,
        filters: ReportFilters,
        journey_id: JourneyParam,
        q: Search = None,
        cursor: Cursor = None,
        limit: int = limit_param(50, 200),
    ) -> JourneyReach:
        if filters.as_csv:
            rows = await reach.csv_rows(db, journey_id, filters, q)
            return csv_answer(f"journey-{journey_id}-reach", reach.CSV_HEADER, rows, filters)  # type: ignore[return-value]
        return await reach.report(db, journey_id, filters, q, cursor, limit)

    @get("/{contact_id:int}", summary="The path one contact took through a journey: each run and its steps")
    async def contact_path(self, db: AsyncSession, contact_id: IdParam, journey_id: JourneyParam) -> ContactPath:
        return await reach.path(db, journey_id, contact_id)


class LeaderboardController(Controller):
    path = "/reports/leaderboard"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies=_FILTERS,
        summary="Journeys, or emails (of journey_ids if given), ranked by a metric of the period, with every metric and rate",
    )
    async def leaderboard(
        self,
        db: AsyncSession,
        filters: ReportFilters,
        kind: Literal["journeys", "emails"] = Parameter(default="journeys", description="What is ranked"),
        metric: LeaderboardMetric = Parameter(default="unique_opens", description="What ranks them"),
    ) -> Leaderboard:
        board = await leaderboard.report(db, filters, kind, metric)
        if filters.as_csv:
            return csv_answer(
                f"leaderboard-{kind}-{metric}", leaderboard.CSV_HEADER, leaderboard.csv_rows(board), filters
            )  # type: ignore[return-value]
        return board

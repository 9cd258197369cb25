"""The Litestar application: routers, error handling, OpenAPI, and the single-page app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import File, Response
from litestar.routes import HTTPRoute
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import errors, health, keys, logs, metrics, monitoring, openapi
from parcours.assembly import Product, open_product
from parcours.assets.routes import AssetsController, serve_asset
from parcours.audit.context import RequestAddress
from parcours.audit.routes import AuditController
from parcours.auth.guards import authentication, role_guard
from parcours.auth.routes import ApiKeysController, AuthController, UsersController
from parcours.auth.service import Actor, ensure_first_admin
from parcours.behaviour.routes import ComputedFieldsController
from parcours.campaigns.routes import CampaignsController
from parcours.channels.routes import EmailEventsController, OutboxController
from parcours.contacts.routes import AccountsController, ContactsController, CustomFieldsController
from parcours.dashboards.routes import DashboardsController
from parcours.dataflows import service as dataflows
from parcours.dataflows.routes import ExportsController, ImportSourcesController
from parcours.db import transaction
from parcours.emails import templates as email_templates
from parcours.emails import topics as email_topics
from parcours.emails.routes import EmailsController, TemplatesController, TopicsController
from parcours.events.admission import Admission
from parcours.events.routes import EventsController, events_public_router
from parcours.explore.routes import ExplorationsController, ExploreController
from parcours.forms import service as forms
from parcours.forms.public import forms_public_router
from parcours.forms.routes import FormsController
from parcours.guard.routes import guard_router
from parcours.inputs import RefuseNul
from parcours.interactions.ingestion import Ingestion
from parcours.interactions.routes import InteractionsController
from parcours.jobs.routes import JobsController
from parcours.journeys import service as journeys
from parcours.journeys.routes import JourneysController
from parcours.landing.routes import PagesController, landing_public_router
from parcours.organization.routes import OrganizationController
from parcours.pipeline.routes import OpportunitiesController, PipelineController
from parcours.programs.routes import ProgramsController
from parcours.reports.audience import AudienceReportController
from parcours.reports.email_routes import EmailReportsController
from parcours.reports.journey_routes import JourneyReachController, LeaderboardController, PlanReportController
from parcours.reports.lead_generation import LeadGenerationController
from parcours.reports.overview_routes import OverviewReportController
from parcours.reports.pipeline import PipelineReportController
from parcours.reports.products import ProductsReportController
from parcours.reports.roi import RoiController
from parcours.reports.value import ValueReportController
from parcours.rfm.routes import RfmController
from parcours.rules.routes import RulesController
from parcours.runtime import Runtime
from parcours.scoring import service as scoring
from parcours.scoring.routes import ContactScoresController, ScoringModelsController
from parcours.segments.routes import SegmentsController
from parcours.settings import Settings, load_settings
from parcours.spend.routes import SpendController
from parcours.system.routes import SystemController
from parcours.tracking.routes import tracking_router
from parcours.visitors.routes import PersonalizationController, visitors_routers
from parcours.visitors.tasks import Beacons
from parcours.web.headers import SecurityHeaders
from parcours.webhooks.routes import WebhooksController

log = logging.getLogger(__name__)


def product_of(state: State) -> Product:
    product: Product = state.product
    return product


def provide_runtime(state: State) -> Runtime:
    return product_of(state).runtime


def provide_ingestion(state: State) -> Ingestion:
    return product_of(state).ingestion


def provide_admission(state: State) -> Admission:
    return product_of(state).admission


def provide_beacons(state: State) -> Beacons:
    return product_of(state).beacons


# Read from the replica when one is set (PARCOURS_READ_DATABASE_URL): figures a few seconds old
# are fine there, and their long queries stay off the database that takes the writes.
REPLICA_PATHS = ("/api/reports/",)


async def provide_db(state: State, request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    runtime = product_of(state).runtime
    if request.method not in ("GET", "HEAD"):
        sessions = runtime.sessions
    elif request.url.path.startswith(REPLICA_PATHS):
        sessions = runtime.report_sessions
    else:
        sessions = runtime.read_sessions
    async with transaction(sessions) as session:
        yield session


def spa_router(dist: Path) -> Router:
    """Serve the built SPA; any unknown non-API path gets index.html (client-side routing)."""

    def resolve(path: str) -> File | Response[Any]:
        if path.startswith(("api/", "schema")):
            raise errors.NotFound("Not found.")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            return File(
                candidate, filename=candidate.name, content_disposition_type="inline", headers={"Cache-Control": cache}
            )
        if path.startswith("assets/"):
            raise errors.NotFound("Not found.")
        index = dist / "index.html"
        if not index.is_file():
            return Response(
                "The web interface is not built: run `make run` (or `npm run build` in frontend/).",
                media_type="text/plain",
                status_code=503,
            )
        return File(
            index, filename="index.html", content_disposition_type="inline", headers={"Cache-Control": "no-cache"}
        )

    @get("/", include_in_schema=False, sync_to_thread=False)
    def index() -> File | Response[Any]:
        return resolve("")

    @get("/{path:path}", include_in_schema=False, sync_to_thread=False)
    def asset(path: str) -> File | Response[Any]:
        return resolve(path.lstrip("/"))

    return Router(path="/", route_handlers=[index, asset])


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    actor: Actor = request.user  # set by the authentication middleware
    return actor


def api_router() -> Router:
    return Router(
        path="/api",
        route_handlers=[
            AuthController,
            UsersController,
            ApiKeysController,
            JobsController,
            ContactsController,
            AccountsController,
            CustomFieldsController,
            InteractionsController,
            RulesController,
            SegmentsController,
            EmailsController,
            TemplatesController,
            AssetsController,
            TopicsController,
            OutboxController,
            EmailEventsController,
            CampaignsController,
            JourneysController,
            ScoringModelsController,
            ContactScoresController,
            ComputedFieldsController,
            RfmController,
            AudienceReportController,
            ValueReportController,
            ProductsReportController,
            PipelineController,
            OpportunitiesController,
            RoiController,
            LeadGenerationController,
            PipelineReportController,
            SpendController,
            ProgramsController,
            ExploreController,
            ExplorationsController,
            EventsController,
            FormsController,
            OrganizationController,
            PersonalizationController,
            PagesController,
            WebhooksController,
            EmailReportsController,
            ImportSourcesController,
            ExportsController,
            DashboardsController,
            OverviewReportController,
            PlanReportController,
            JourneyReachController,
            LeaderboardController,
            SystemController,
            AuditController,
        ],
        middleware=[RequestAddress, authentication],
        guards=[role_guard],
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
        security=[{"session": []}, {"apiKey": []}],
    )


async def bootstrap(runtime: Runtime) -> None:
    """First start: an admin to log in with, and (embedded mode) demo data to look at."""
    settings = runtime.settings
    async with transaction(runtime.sessions) as session:
        created = await ensure_first_admin(session, settings.admin_email, settings.admin_password)
        # Shipped templates and topics new to this installation (each start adds only what is missing).
        await email_templates.load_shipped(session, settings.templates_path)
        await journeys.load_shipped(session, settings.templates_path)
        await email_topics.load_shipped(session, settings.rules_path)
        await scoring.load_shipped(session, settings.rules_path, runtime.enqueue)
        resealed, unreadable = await dataflows.reseal(session, runtime.encryption_key, keys.known(runtime.secret_key))
    if resealed:
        log.info("%d saved passwords or keys of imports and exports are now sealed with the encryption key", resealed)
    if unreadable:
        log.error(
            "%d saved passwords or keys of imports and exports cannot be read: PARCOURS_ENCRYPTION_KEY is not "
            "the key they were saved with (set that key, or enter them again)",
            unreadable,
        )
    if created is None:
        return
    # Shown once, on the console of whoever started it (stdout, not the log: it may hold a password).
    email, password = created
    login = f"{email} (password from PARCOURS_ADMIN_PASSWORD)" if settings.admin_password else f"{email} / {password}"
    print(f"First start: log in at {settings.base_url} as {login}", flush=True)
    if settings.seed_demo_data:
        from parcours.demo import seed

        loaded = await seed(runtime, contacts=500, interactions=4000)
        print(
            f"Demo data loaded: {loaded['contacts']} contacts, {loaded['accounts']} accounts and "
            f"{loaded['interactions']} interactions (PARCOURS_SEED_DEMO_DATA=false starts without them).",
            flush=True,
        )


def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    """OPTIONS: 204 with the methods the route allows. Litestar's own answer forgets the methods of
    handlers it merged into a route after the first (GET /me, then PATCH /me)."""
    if request.method != "OPTIONS":
        return None
    scope: Mapping[str, object] = request.scope  # Litestar adds path_template to the ASGI scope
    template = scope.get("path_template", "")
    methods = next(
        (
            route.methods
            for route in request.app.routes
            if isinstance(route, HTTPRoute) and route.path_format == template
        ),
        {"OPTIONS"},
    )
    return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})


def cors_config(settings: Settings) -> CORSConfig | None:
    """Browsers on the origins of PARCOURS_CORS_ORIGINS may call us: with an API key, never with
    the session cookie (a site embedding a form must not act as the logged-in marketer)."""
    origins = settings.cors_origin_list
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_credentials=False,
        max_age=600,
        allow_headers=["authorization", "content-type", "x-csrf-token"],
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
    )


def create_app(settings: Settings | None = None, *, migrate: bool = False) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        product = await open_product(settings, migrate=migrate)
        app.state.product, app.state.runtime = product, product.runtime
        forms.use_secret(product.runtime.secret_key)
        try:
            await bootstrap(product.runtime)
            if settings.in_process_worker:
                product.start_worker()
            log.info(
                logs.startup_line(
                    product.runtime,
                    embedded_redis=product.embedded_redis is not None,
                    worker=bool(product.workers),
                )
            )
            yield
        finally:
            await product.close()

    dist = settings.frontend_path
    app = Litestar(
        route_handlers=[
            health.health,
            monitoring.prometheus,
            api_router(),
            tracking_router,
            *visitors_routers(settings),
            events_public_router,
            landing_public_router,
            forms_public_router,
            guard_router,
            serve_asset,
            spa_router(dist),
        ],
        dependencies={
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            "db": Provide(provide_db),
            "ingestion": Provide(provide_ingestion, sync_to_thread=False),
            "admission": Provide(provide_admission, sync_to_thread=False),
            "beacons": Provide(provide_beacons, sync_to_thread=False),
        },
        exception_handlers=errors.exception_handlers,
        cors_config=cors_config(settings),
        before_request=answer_options,
        middleware=[RefuseNul()],
        plugins=openapi.plugins(),
        lifespan=[lifespan],
        request_max_body_size=settings.max_upload_mb * 1024 * 1024,
        openapi_config=OpenAPIConfig(
            title="Parcours",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={
                    "session": SecurityScheme(type="apiKey", name="parcours_session", security_scheme_in="cookie"),
                    "apiKey": SecurityScheme(type="http", scheme="bearer"),
                }
            ),
        ),
        logging_config=None,  # logging is set up once by the command line (logs.configure)
        debug=False,
    )
    app.asgi_handler = SecurityHeaders(app.asgi_handler, hsts=settings.secure_cookies)
    app.asgi_handler = metrics.RequestMetrics(app.asgi_handler)
    app.asgi_handler = logs.RequestLog(app.asgi_handler)  # also routing errors and CORS answers
    app.asgi_handler = logs.RequestId(app.asgi_handler)  # outermost: every line of the request has its id
    return app

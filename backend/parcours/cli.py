"""The `parcours` command: serve, worker, migrate, seed, rebuild-rollups, apikey, user, openapi, backup,
restore, check, rotate-secret, encryption-key."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from parcours import logs
from parcours.assembly import Product, open_product
from parcours.queue import QueueLabel
from parcours.runtime import Runtime
from parcours.settings import load_settings

if TYPE_CHECKING:
    from parcours.backup import Check

T = TypeVar("T")
log = logging.getLogger("parcours")


def with_product(work: Callable[[Product], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run one piece of async work against the configured database and Redis."""
    settings = load_settings()

    async def main() -> T:
        product = await open_product(settings, migrate=migrate)
        try:
            return await work(product)
        finally:
            await product.close()

    return asyncio.run(main())


def with_runtime(work: Callable[[Runtime], Awaitable[T]], *, migrate: bool = True) -> T:
    return with_product(lambda product: work(product.runtime), migrate=migrate)


@click.group()
def main() -> None:
    """Parcours: self-hosted marketing automation."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (PARCOURS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (PARCOURS_PORT, default 8000).")
@click.option(
    "--migrate/--no-migrate", default=True, show_default=True, help="Apply database migrations before serving."
)
def serve(host: str | None, port: int | None, migrate: bool) -> None:
    """Serve the API and the web interface (embedded mode: also Redis and a worker)."""
    import uvicorn

    from parcours.app import create_app

    # --host/--port win over PARCOURS_HOST/PARCOURS_PORT, for the server and for the links it prints.
    settings = load_settings(None, **{k: v for k, v in (("host", host), ("port", port)) if v})
    logs.configure(settings)
    app = create_app(settings, migrate=migrate)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # our handler and format (logs.configure), not uvicorn's
        log_level=logs.uvicorn_level(settings),
        access_log=False,  # requests are logged at DEBUG by logs.RequestLog
        lifespan="on",
    )
    log.info("Parcours stopped")


@main.command()
@click.option(
    "--queue",
    "queues",
    type=click.Choice(["urgent", "bulk"]),
    multiple=True,
    help="Read only this queue (repeatable; default both): a process given to the urgent queue "
    "(journeys' timers, the stream, sending) has its CPU for them alone.",
)
def worker(queues: tuple[QueueLabel, ...]) -> None:
    """Run a worker: journey steps, timers, sends, imports. Start as many as you need."""
    settings = load_settings()
    logs.configure(settings)
    if not settings.redis_url:
        raise click.UsageError("A worker needs PARCOURS_REDIS_URL (the embedded mode runs its own worker).")
    if "urgent" in queues and not settings.urgent_queue:
        raise click.UsageError("There is no urgent queue while PARCOURS_URGENT_QUEUE is off.")

    async def run(product: Product) -> None:
        workers = product.start_worker(only=queues)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        click.echo(
            f"worker started (queues {', '.join(w.queue_name for w in workers)}): database {logs.database_description(product.runtime.settings)}, "
            f"{logs.redis_description(product.runtime.redis_url, embedded=False)}"
        )
        await stop.wait()

    with_product(run, migrate=False)


@main.command()
def migrate() -> None:
    """Apply the database migrations."""
    settings = load_settings()
    logs.configure(settings)

    async def run() -> None:
        from parcours import db

        engine = db.create_engine(settings.sqlalchemy_url)
        try:
            await db.migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    click.echo("database is up to date")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Back up the embedded installation (database, signing key, server files) to PATH, a .tar.gz.
    Safe while Parcours runs."""
    from parcours import backup as backups

    try:
        manifest = backups.backup(load_settings(), path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backup written to {path}: {manifest['contacts']} contacts, {manifest['interactions']} interactions, "
        f"schema revision {manifest['revision']}"
    )


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Restore a backup made by `parcours backup`. Stop Parcours (server and workers) first; what
    it replaces is kept beside it (*.before-restore-<time>)."""
    from parcours import backup as backups

    settings = load_settings()
    if not yes:
        click.confirm(f"Replace the database in {settings.data_path} with the backup {path}?", abort=True)
    try:
        manifest = backups.restore(settings, path)
        checked = backups.check(settings)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored the backup taken at {manifest['taken_at']}")
    _report(checked)


@main.command()
def check() -> None:
    """Check the embedded database: SQLite's integrity check, the schema revision, the tables."""
    from parcours import backup as backups

    try:
        _report(backups.check(load_settings()))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None


def _report(checked: Check) -> None:
    facts = ", ".join(f"{name}: {value}" for name, value in checked.facts.items())
    if not checked.ok:
        raise click.ClickException("; ".join(checked.problems) + (f" ({facts})" if facts else ""))
    click.echo(f"check passed ({facts})")


@main.command("rotate-secret")
def rotate_secret() -> None:
    """Replace the signing key. Links signed with the old one (emails already sent) keep working for
    PARCOURS_SECRET_GRACE_DAYS; restart the server and the workers to sign with the new one."""
    from parcours import keys

    settings = load_settings()
    new = keys.rotate(settings)
    grace = f"links signed with the previous key keep working for {settings.secret_grace_days} days"
    if settings.secret_key:
        click.echo(f"New signing key (set PARCOURS_SECRET_KEY to it, then restart):\n{new}\n{grace}.")
    else:
        click.echo(f"New signing key kept in {settings.data_path / keys.CURRENT_FILE}: restart to use it; {grace}.")


@main.command("encryption-key")
def encryption_key() -> None:
    """Print a new key for PARCOURS_ENCRYPTION_KEY (it encrypts the credentials kept in the database)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@main.command()
def openapi() -> None:
    """Print the OpenAPI document (the SPA's typed client is generated from it)."""
    from parcours.app import create_app

    app = create_app(load_settings(seed_demo_data=False))
    click.echo(json.dumps(app.openapi_schema.to_schema(), indent=1, sort_keys=True))


@main.command()
@click.option("--contacts", "contact_count", type=click.IntRange(0), default=1000, show_default=True)
@click.option("--interactions", "interaction_count", type=click.IntRange(0), default=10000, show_default=True)
@click.option(
    "--seed", "seed_value", type=int, default=7, show_default=True, help="Random seed (same seed, same data)."
)
def seed(contact_count: int, interaction_count: int, seed_value: int) -> None:
    """Add realistic demo contacts, accounts and interactions (French and English)."""
    from parcours.demo import seed as seed_demo

    async def run(runtime: Runtime) -> dict[str, int]:
        return await seed_demo(runtime, contacts=contact_count, interactions=interaction_count, seed_value=seed_value)

    created = with_runtime(run)
    click.echo(
        f"created {created['contacts']} contacts, {created['accounts']} accounts, "
        f"{created['interactions']} interactions"
    )


@main.command("rebuild-rollups")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day, included.")
def rebuild_rollups(start: datetime, end: datetime) -> None:
    """Recount the reports' daily rollups and the exploration's daily counts by type (and its
    monthly distinct contacts by type, of the period's whole months) from the raw interactions, the messages sent per day from the outbox, and every purchase line
    and customer's firsts (the cohort and product reports) from all of them."""
    from parcours.channels import service as outbox
    from parcours.db import transaction
    from parcours.explore import monthly, rollup
    from parcours.reports import purchases, recount

    if start > end:
        raise click.BadParameter("the period starts after it ends", param_hint="--from")

    async def run(runtime: Runtime) -> tuple[int, int, int]:
        await rollup.rebuild(runtime.sessions, start.date(), end.date())
        await monthly.rebuild(runtime.sessions, start.date(), end.date())
        read = await recount.rebuild(runtime.sessions, start.date(), end.date())
        async with transaction(runtime.sessions) as session:
            days = await outbox.recount_sent_daily(session, start.date(), end.date())
        async with transaction(runtime.sessions) as session:
            return read, days, await purchases.rebuild(session)

    read, days, lines = with_runtime(run)
    click.echo(
        f"recounted {read} interactions and {days} rows of messages sent per day from {start.date()} to {end.date()},"
        f" and {lines} purchase lines"
    )


@main.group()
def apikey() -> None:
    """API keys for integrations."""


@apikey.command("create")
@click.option("--name", required=True, help="Who uses the key (e.g. 'website', 'crm-sync').")
@click.option("--role", type=click.Choice(["viewer", "marketer", "admin"]), default="marketer", show_default=True)
def apikey_create(name: str, role: str) -> None:
    """Create an API key and print it (alone, on the last line: it is shown only once)."""
    from parcours.auth import service
    from parcours.db import transaction

    async def run(runtime: Runtime) -> str:
        async with transaction(runtime.sessions) as session:
            _key, secret = await service.create_api_key(session, name=name, role=role, created_by="command line")
        return secret

    secret = with_runtime(run)
    click.echo(f"API key '{name}' ({role}) created. Send it as 'Authorization: Bearer <key>':")
    click.echo(secret)


@main.group()
def user() -> None:
    """Users of the web interface."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["viewer", "marketer", "admin"]), default="marketer", show_default=True)
@click.option("--name", default="")
@click.option("--language", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.password_option(help="At least 10 characters (asked for when not given).")
def user_create(email: str, role: str, name: str, language: str, password: str) -> None:
    """Create a user."""
    from parcours.auth import service
    from parcours.db import transaction
    from parcours.errors import ParcoursError

    async def run(runtime: Runtime) -> str:
        async with transaction(runtime.sessions) as session:
            created = await service.create_user(
                session, email=email, password=password, role=role, name=name, language=language
            )
            return created.email

    try:
        created_email = with_runtime(run)
    except ParcoursError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {created_email} ({role}) created")


if __name__ == "__main__":
    main()

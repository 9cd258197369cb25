"""Settings: one Struct, read once from PARCOURS_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

import msgspec


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    # Where SQLite, uploads and the embedded Redis live when nothing else is configured.
    data_dir: str = "./var"
    # Empty: SQLite in data_dir. Otherwise a SQLAlchemy URL (postgresql://... is accepted).
    database_url: str = ""
    # A read replica of the database (PostgreSQL streaming replication) that reports, exports and
    # free exploration read from, a few seconds behind; empty: they read the database itself.
    read_database_url: str = ""
    # Empty: start a private redis-server on a free loopback port (embedded mode).
    redis_url: str = ""
    # Connections each process keeps to PostgreSQL (and as many more under load). A worker process
    # runs up to 15 jobs at once (5 urgent, 10 bulk): keep it at 8 or more.
    db_pool_size: int = 10
    # SQLite: seconds a write waits for the write lock before its request is answered 503 (try again).
    sqlite_busy_timeout: float = 30.0
    # Seconds a question of free exploration may run before it is stopped (PARCOURS_EXPLORE_TIMEOUT).
    explore_timeout: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8000
    # Signs tokens and cookies. Generated and kept in data_dir when not given.
    secret_key: str = ""
    # Days a link signed with a key retired by `parcours rotate-secret` keeps working.
    secret_grace_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 30
    # Encrypts the credentials kept in the database (servers' passwords and keys): a Fernet key
    # (`parcours encryption-key` makes one). Empty: generated and kept in data_dir.
    encryption_key: str = ""
    admin_email: str = ""
    admin_password: str = ""
    # Serve the API only; work is done by `parcours worker` processes.
    in_process_worker: bool = True
    # Journeys' timers, the interaction stream and deliveries on a queue of their own, with worker
    # slots that imports, campaigns' preparation and recomputes never take (parcours.queue). Off:
    # every job on one queue, first come first served.
    urgent_queue: bool = True
    seed_demo_data: bool = True
    max_upload_mb: int = 50
    # The server directory that scheduled imports read from and exports write to (none outside
    # it); empty means files/ in data_dir.
    files_dir: str = ""
    # The address people reach this server at: links in emails (tracking, unsubscribe) use it.
    public_url: str = ""
    # Empty: messages are captured and shown in the Outbox screen, nothing leaves the machine.
    smtp_url: str = ""
    # Messages per second to one recipient domain (gmail.com...), per worker.
    smtp_domain_rate: float = 50.0
    # SMTP connections each worker sends over at the same time.
    smtp_connections: int = 6
    # Optional DKIM signing: the selector, the signing domain and the private key (PEM) file.
    dkim_selector: str = ""
    dkim_domain: str = ""
    dkim_key_file: str = ""
    # Text messages: a Twilio-compatible Messages endpoint with credentials as user:password, and the
    # sender number. Empty: text messages are captured in the outbox.
    sms_url: str = ""
    sms_from: str = ""
    # Let journeys call webhooks on this machine or a private network (off: only public addresses).
    webhook_private_networks: bool = False
    # Promotional messages a contact may receive in 7 days (0: no cap).
    frequency_cap: int = 5
    # A message whose claim a worker has not renewed (it does, every third of this) for this many
    # seconds: that worker died; the message is queued again (with the same Message-ID, so that a
    # receiver can drop a duplicate).
    stale_claim_seconds: Annotated[int, msgspec.Meta(ge=1)] = 900
    # A message refused for a while (SMTP 4xx such as greylisting, a server down, a webhook or SMS
    # provider answering 5xx or not in time) is tried this many times in all, then marked failed;
    # the wait before the second try, doubled after each (at most 6 hours); and the seconds a
    # webhook or SMS provider has to answer.
    send_attempts: Annotated[int, msgspec.Meta(ge=1, le=50)] = 6
    retry_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    http_timeout: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    # json: one JSON object per log line (time, level, logger, message, request_id), for production
    # log collectors; text: one readable line each.
    log_format: Literal["text", "json"] = "text"
    # Templates shipped as data files (emails, pages, journeys); empty means templates/ of this checkout.
    templates_dir: str = ""
    # Other sites allowed to call this server from a browser (CORS), comma-separated origins such as
    # https://www.example.com; empty: none. Forms and pages embedded on a website need its origin.
    cors_origins: str = ""
    # Reverse proxies in front of this server that append the client's address to X-Forwarded-For
    # (1 behind one nginx or Caddy). 0: the header is ignored and the connecting address is the client.
    trusted_proxies: int = 0
    # Public inbound endpoints (forms, proof-of-work challenges): requests of any kind one address
    # may make per minute (page views are writes), posts one address may make per minute, posts one
    # form may receive per minute from everyone, challenges one address may fetch per minute.
    public_requests_per_ip_minute: int = 300
    public_posts_per_ip_minute: int = 20
    public_posts_per_form_minute: int = 600
    challenges_per_ip_minute: int = 60
    # Websites carrying the tracking script (/t.js), comma-separated origins: links to them in
    # tracked emails carry the clicker's contact token (pc), and only they may send page views and
    # read profiles (CORS). Empty: any site may send page views; only this server's own pages
    # (landing pages) get the token.
    tracking_sites: str = ""
    # Days an anonymous visitor never identified is kept after its last visit (its page views with it):
    # 13 months, the longest a tracking cookie's data may be kept under the CNIL's guidance.
    anonymous_retention_days: Annotated[int, msgspec.Meta(ge=1)] = 395
    # Days an interaction is kept (0: all of them). Older ones are deleted by a daily job; the
    # reports' daily rollups keep counting them, a contact's timeline and rules no longer see them.
    interaction_retention_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    # Days the steps a journey's runs went through are kept (0: all of them). Older ones are
    # deleted by a daily job: a run's path and the canvas's counts then show the steps kept.
    journey_step_retention_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    # Days a message of the outbox is kept once it is done (sent, failed...; 0: all of them). Older
    # ones are deleted by a daily job; the marketing plan's daily counts of sends keep counting them.
    outbox_retention_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    # Days an entry of the audit log is kept.
    audit_retention_days: Annotated[int, msgspec.Meta(ge=1)] = 365
    # Tracking beacons and profile reads one IP address may make per minute.
    tracking_rate_limit: int = 600
    # Mark cookies Secure (set it behind HTTPS).
    secure_cookies: bool = False
    log_level: str = "INFO"
    # The built SPA; empty means frontend/dist of this checkout.
    frontend_dir: str = ""
    # The rule sets shipped as data files (segment presets...); empty means rules/ of this checkout.
    rules_dir: str = ""
    # RFM: frequency and monetary count the purchases of this many past days (recency: any purchase).
    rfm_period_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 365
    # A purchase (or a form submission) is credited to an email clicked at most this many days before.
    attribution_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 7
    # Serves /metrics (Prometheus) to whoever sends it as a bearer token; empty: not served.
    metrics_token: str = ""

    @property
    def attribution_window(self) -> timedelta:
        return timedelta(days=self.attribution_days)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def files_path(self) -> Path:
        return Path(self.files_dir) if self.files_dir else self.data_path / "files"

    @property
    def frontend_path(self) -> Path:
        return (
            Path(self.frontend_dir) if self.frontend_dir else Path(__file__).resolve().parents[2] / "frontend" / "dist"
        )

    @property
    def rules_path(self) -> Path:
        return Path(self.rules_dir) if self.rules_dir else Path(__file__).resolve().parents[2] / "rules"

    @property
    def templates_path(self) -> Path:
        return Path(self.templates_dir) if self.templates_dir else Path(__file__).resolve().parents[2] / "templates"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_path.resolve() / 'parcours.db'}"
        return async_url(url)

    @property
    def read_sqlalchemy_url(self) -> str:
        return async_url(self.read_database_url) if self.read_database_url else ""

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def tracking_site_list(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.tracking_sites.split(",") if origin.strip()]

    @property
    def tracked_sites(self) -> list[str]:
        """Origins whose links get the contact token: this server's own and the tracked sites."""
        parts = self.base_url.split("/")
        return ["/".join(parts[:3]), *self.tracking_site_list]

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


def async_url(url: str) -> str:
    """Accept the URLs people write and point them at the async drivers we ship."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        raw = environ.get(f"PARCOURS_{field.name.upper()}")
        if raw is not None and raw != "":
            values[field.name] = raw
    values.update(overrides)
    try:
        return msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"Invalid configuration: {exc} (check the PARCOURS_* variables)") from exc

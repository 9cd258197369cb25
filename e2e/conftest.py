"""Reusable Playwright fixtures: a real `parcours serve` on a fresh data directory, an API
client to seed data, and a browser (Debian's Chromium) already logged in. See e2e/README.md."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "e2e-admin-password"
CHROMIUM = os.environ.get("PARCOURS_E2E_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.x A and AA rules; a fault of these impacts fails the flow that showed it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
# What a test waits for an assertion on the screen to hold (Playwright's default is 5 s): a busy CI
# machine has taken longer to render a change that a quiet one shows at once.
expect.set_options(timeout=10_000)
# Flags for a headless Chromium on a machine without a screen or open network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running product: its address, data directory, and its command line (same database)."""

    base_url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        """Run `parcours <args>` against this server's data directory; returns its output."""
        done = subprocess.run(
            [sys.executable, "-m", "parcours.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def start_server(data_dir: Path, **settings: str) -> Server:
    """Start `parcours serve` (embedded Redis and worker) and wait until /health says ok."""
    port = _free_port()
    env = {
        **os.environ,
        "PARCOURS_DATA_DIR": str(data_dir),
        "PARCOURS_PORT": str(port),
        "PARCOURS_ADMIN_EMAIL": ADMIN_EMAIL,
        "PARCOURS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PARCOURS_SEED_DEMO_DATA": "false",
        "PARCOURS_LOG_LEVEL": "WARNING",
        **{f"PARCOURS_{k.upper()}": v for k, v in settings.items()},
    }
    for name in ("PARCOURS_DATABASE_URL", "PARCOURS_REDIS_URL"):
        if name not in {f"PARCOURS_{k.upper()}" for k in settings}:
            env.pop(name, None)
    log = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "parcours.cli", "serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"parcours serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return Server(base_url=base_url, data_dir=data_dir, env=env, process=process, log=log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"parcours serve did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="parcours-e2e-") as tmp:
        running = start_server(Path(tmp) / "var")
        yield running
        running.process.terminate()
        try:
            running.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            running.process.kill()


@pytest.fixture(scope="session")
def api_key(server: Server) -> str:
    """An admin API key, created with the command line as an integrator would."""
    return server.cli("apikey", "create", "--name", "e2e", "--role", "admin").strip().splitlines()[-1]


@pytest.fixture(scope="session")
def api(server: Server, api_key: str) -> Iterator[httpx.Client]:
    """An HTTP client for seeding and checking data through the API."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30) as client:
        yield client


def create_contact(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    fields.setdefault("email", f"e2e.{time.monotonic_ns()}@example.org")
    response = api.post("/api/contacts", json=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str | Callable[[], str] = "timed out") -> Any:
    """Polls `check` until it answers something true, and returns it: what the worker does after an
    API call answered (the interaction stream, jobs, sending) shows within seconds, not at once. On
    timeout the test fails with `what` (a callable: what to show of the state then)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(0.3)
    return result


def after_the_minimum_time(page: Page, opened: float, minimum_seconds: float) -> None:
    """Waits until half a second past a form's minimum time since `opened` (when its page was
    loaded, which stamps it), as a person would: a quick machine fills the form in less, and a post
    sent sooner is taken for a robot's (thanked, not kept)."""
    page.wait_for_timeout(max(0.0, minimum_seconds + 0.5 - (time.monotonic() - opened)) * 1000)


def add_interactions(api: httpx.Client, contact_id: int, *types: str, **properties: Any) -> None:
    batch = [{"type": t, "contact_id": contact_id, "properties": properties} for t in types]
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code == 202, response.text


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def login(page: Page, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-contacts").wait_for()


@pytest.fixture(scope="session")
def admin_state(browser: Browser, server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Log in once; every test's browser context starts from this saved session."""
    context = browser.new_context(base_url=server.base_url, locale="en-US")
    page = context.new_page()
    page.goto("/login")
    login(page)
    path = str(tmp_path_factory.mktemp("auth") / "admin.json")
    context.storage_state(path=path)
    context.close()
    return path


@pytest.fixture
def context(
    browser: Browser, server: Server, admin_state: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh browser context, logged in as the admin, in English. The screens it ends on are
    checked for accessibility faults when the test is over."""
    created = browser.new_context(
        base_url=server.base_url, storage_state=admin_state, locale="en-US", viewport={"width": 1400, "height": 900}
    )
    created.set_default_timeout(15_000)
    yield created
    try:
        _check_open_pages(request, created)
    finally:
        created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def anonymous_page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    created = browser.new_context(base_url=server.base_url, locale="en-US")
    created.set_default_timeout(15_000)
    yield created.new_page()
    try:
        _check_open_pages(request, created)
    finally:
        created.close()


# Every finite animation or transition has finished (spinners loop forever and are left alone),
# and no notice is half faded: one just mounted sits at opacity 0 before its transition starts.
_SETTLED = """() => document.getAnimations().every(
    (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity
) && [...document.querySelectorAll(".mantine-Notification-root")].every((notice) => {
    let opacity = 1;
    for (let node = notice; node; node = node.parentElement) opacity *= Number(getComputedStyle(node).opacity);
    return opacity === 0 || opacity === 1;
})"""


def scan_accessibility(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG A/AA violations on what the page shows now. A fault is
    confirmed by a second look: a notice that starts closing while axe runs is half transparent for
    a moment, a real fault is still there a second later."""
    violations = _scan_once(page)
    if violations:
        page.wait_for_timeout(1_000)
        violations = _scan_once(page)
    return violations


def _scan_once(page: Page) -> list[dict[str, Any]]:
    page.wait_for_load_state()
    # A dialog fading in is half transparent: judge colours once transitions have ended.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function(_SETTLED, timeout=5_000)
    for frame in page.frames:  # the email designer's canvas is a frame axe must be able to enter
        with contextlib.suppress(PlaywrightError):  # a frame that went away while we looked has nothing to check
            if not frame.evaluate("() => Boolean(window.axe)"):
                # Evaluated by the browser's debugging protocol: a <script> we added would be refused
                # by the pages' Content-Security-Policy (no inline script).
                frame.evaluate(AXE.read_text())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"], "frameWaitTime": 5000}
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label}: {len(violations)} serious or critical accessibility fault(s)"]
    for v in violations:
        nodes = v["nodes"]
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(nodes)} element(s)] {v['helpUrl']}")
        for node in nodes[:3]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {json.dumps(node['target'])}: {summary[:300]}")
    return "\n".join(lines)


def check_accessibility(page: Page, label: str) -> None:
    """Fail with rule, impact, help, targets and summary on any serious or critical axe-core fault."""
    violations = scan_accessibility(page)
    assert not violations, describe_violations(label, violations)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


def _check_open_pages(request: pytest.FixtureRequest, context: BrowserContext) -> None:
    """Every screen a flow ends on is checked, unless the flow itself already failed."""
    if request.node.stash.get(_CALL_FAILED, True):
        return
    for index, opened in enumerate(context.pages):
        if opened.is_closed() or not opened.url.startswith("http"):
            continue
        check_accessibility(opened, f"{request.node.name}, tab {index + 1} ({opened.url})")

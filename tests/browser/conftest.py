"""Browser tests: Playwright (sync API) driving Debian's Chromium, axe-core on every page.

One Chromium per session; each test gets fresh browser contexts (cookies, storage), so
tests never share a session. Pages run against pytest-django's `live_server`, which needs
transactional database access: mark tests `@pytest.mark.django_db(transaction=True)` (the
reviewer groups come back after each flush: they are synced on post_migrate).
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# ORM calls the tests make (factories, assertions) as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

_axe = Axe()


@pytest.fixture(scope="session")
def _close_stray_database_sessions(django_db_setup, django_db_blocker) -> Iterator[None]:
    """After the browser tests, end database sessions left open by server threads.

    Django code run from Playwright's greenlets keeps its connection in a context the main
    thread can't reach; left idle, it would stop pytest-django from dropping the test
    database at the end of the run.
    """
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def playwright_session(_close_stray_database_sessions) -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, live_server) -> Iterator[Browser]:
    # Depends on live_server so that it closes first: Chromium's keep-alive connections
    # would otherwise hold server threads (and their database connections) open while the
    # test database is dropped.
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Factory of pages, each in its own browser context (one per person in a test).

    Keyword arguments are extra context options, e.g. `java_script_enabled=False`.
    """
    contexts = []

    def make(**options) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="America/New_York",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with its readable report if anything."""
    results = _axe.run(page)
    if results.violations_count:
        pytest.fail(
            f"axe-core: {results.violations_count} violation(s) on {page.url}\n"
            f"{results.generate_report()}",
            pytrace=False,
        )


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG to test-artifacts/<name>.png (gitignored) and return its path.

    The whole page by default; `full_page=False` for the viewport only, e.g. with a modal
    dialog open, whose backdrop covers the viewport only.
    """
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def check_page(page: Page, name: str, *, full_page: bool = True) -> None:
    """Screenshot the page (first, so a failing page is still captured), then run axe."""
    screenshot(page, name, full_page=full_page)
    assert_no_axe_violations(page)


def sign_in(
    page: Page,
    email: str,
    password: str = TEST_PASSWORD,
    *,
    admin: bool = False,
    check_as: str | None = None,
) -> None:
    """Sign in through the real form: the portal's, or the admin's with `admin=True`.

    With `check_as`, the login page itself is screenshotted under that name and checked
    with axe before the form is filled.
    """
    path = ADMIN_LOGIN_PATH if admin else LOGIN_PATH
    page.goto(path)
    if check_as:
        check_page(page, check_as)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in" if admin else "Sign in").click()
    expect(page).not_to_have_url(re.compile(re.escape(path)))

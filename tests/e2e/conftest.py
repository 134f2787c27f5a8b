"""Real Chromium (Debian's package) driven by Playwright against Django's live server.

Each journey saves a screenshot of its steps with `shots("step")` under
var/e2e-screenshots/<test>/NN-step.png (the folder `make test` prints at the end); a test
that fails leaves a last picture, NN-failed.png, of where it stopped."""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # the staff's laptop screen (issue 16)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium not found; 'make test' installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _staff_two_factor_off(settings):
    """The browser flows log staff in with their password only; the TOTP step has its
    own browser test (test_two_factor_flow.py), which turns it back on."""
    settings.STAFF_OTP_REQUIRED = False


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


class Shots:
    """`shots("step")` saves what the browser shows now as NN-step.png in the test's folder."""

    def __init__(self, page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0

    def __call__(self, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(page, request):
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taker = Shots(page, folder)
    yield taker
    if getattr(request.node, "e2e_failed", False):
        with contextlib.suppress(Exception):  # the page may be gone: the failure counts
            taker("failed")

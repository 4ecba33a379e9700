"""Browser tests: real Chromium (Debian's), driven by Playwright, against live_server."""

import functools
import os
import shutil

import pytest
from playwright.sync_api import Browser, BrowserContext, Keyboard, Locator, Page

from tests.browser.helpers import AxeWatch
from tests.conftest import AXE_CHECKED, STRICT

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if STRICT:
            pytest.fail(reason)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "locale": "en-GB", "timezone_id": "UTC"}


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _axe_on_every_page(request, monkeypatch):
    """axe-core (WCAG 2.1 A and AA) on every page of ours that a browser test loads (see AxeWatch)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    watch = AxeWatch(request.getfixturevalue("live_server").url)
    classes = {"Page": Page, "Locator": Locator, "Keyboard": Keyboard}
    for name, methods in AxeWatch.ACTIONS.items():
        for method in methods:
            original = getattr(classes[name], method)

            @functools.wraps(original)
            def checked(self, *args, _original=original, **kwargs):
                watch.check_loaded()
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(classes[name], method, checked)
    for cls in (Browser, BrowserContext):
        original_new_page = cls.new_page

        @functools.wraps(original_new_page)
        def new_page(self, *args, _original=original_new_page, **kwargs):
            return watch.watch(_original(self, *args, **kwargs))

        monkeypatch.setattr(cls, "new_page", new_page)
    yield watch
    watch.finish()
    AXE_CHECKED.append(watch.checked)

"""Test harness shared by every test.

Services: the tests run on PostgreSQL when DATABASE_URL points to one, on
SQLite otherwise; browser tests need Chromium, worker tests need Redis. When a
service is missing, those tests are skipped with the reason, unless
REQUIRE_ALL_SERVICES is set (CI sets it): then any skip fails the run.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache, caches
from django_scopes import scopes_disabled
from hypothesis import settings

from matching.matchmaking import clear_local_caches
from mentorship.celery import app as celery_app
from mentorship.kept import clear_local as clear_local_kept
from mentorship.portal.context_processors import clear_kept_links
from tests.factories import ProgramFactory, Survey

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told it is safe (it is: one thread per test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# CI replays the same examples on every run (and the database of failures it found is kept
# nowhere), so a submission cannot fail on a case drawn for the first time; local runs keep
# exploring new examples, and what they find becomes an explicit test.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

STRICT = os.environ.get("REQUIRE_ALL_SERVICES", "").lower() in {"1", "true", "yes"}


def _redis_of_this_worker() -> None:
    """Under pytest-xdist (`make test` runs ``-n 2``) each worker has a test database of its own (pytest-django
    adds ``_gw0``, ``_gw1``... to its name) and a Redis database of its own: every test flushes the cache and the
    worker tests purge the broker. Worker gwN takes the database number of REDIS_URL plus N (modulo 16), for
    this process and the servers it starts (tests.processes); gw0 keeps REDIS_URL's."""
    from django.conf import settings as django_settings
    from django.core.cache import caches

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not worker.startswith("gw") or not url or worker == "gw0":
        return
    parts = urlsplit(url)
    own = urlunsplit(parts._replace(path=f"/{(int(parts.path.strip('/') or 0) + int(worker[2:])) % 16}"))
    os.environ["REDIS_URL"] = own
    django_settings.REDIS_URL = own
    if django_settings.CACHES["default"].get("LOCATION") == url:
        django_settings.CACHES["default"]["LOCATION"] = own
        caches.__dict__.pop("settings", None)  # read again at the first use
    if django_settings.CELERY_BROKER_URL == url:
        django_settings.CELERY_BROKER_URL = own
        celery_app.conf.broker_url = own


_redis_of_this_worker()
_skipped: list[str] = []
AXE_CHECKED: list[int] = []  # page loads axe checked, per browser test (tests/browser/conftest.py)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalogues if they are missing or older than their .po (as `make setup` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # Written aside, then renamed: pytest-xdist's workers may read it while another writes it.
            partial = mo.with_suffix(f".mo.{os.getpid()}")
            with po.open("rb") as source, partial.open("wb") as target:
                write_mo(target, read_po(source))
            partial.replace(mo)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(f"{report.nodeid}: {report.longrepr[-1] if isinstance(report.longrepr, tuple) else ''}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: its figures go to the controller
        session.config.workeroutput["axe_checked"] = AXE_CHECKED
    if STRICT and _skipped:
        print("\nREQUIRE_ALL_SERVICES is set, and these tests were skipped:")
        for line in _skipped:
            print(f"  {line}")
        session.exitstatus = 1


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller, as each worker ends: the browser tests' axe figures of that worker."""
    AXE_CHECKED.extend(getattr(node, "workeroutput", {}).get("axe_checked", []))


def pytest_terminal_summary(terminalreporter) -> None:
    if AXE_CHECKED:
        terminalreporter.write_line(
            f"axe-core (WCAG 2.1 A/AA) checked {sum(AXE_CHECKED)} page loads in {len(AXE_CHECKED)} browser tests"
            " (besides the explicit checks)"
        )


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"
    celery_app.conf.task_always_eager = True
    cache.clear()
    caches["fragments"].clear()
    clear_local_caches()  # primary keys repeat across rolled-back tests
    clear_local_kept()
    clear_kept_links()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _scopes_disabled_in_test_code():
    """Tests set data up across tenants; the middleware still scopes every request."""
    with scopes_disabled():
        yield


@pytest.fixture
def survey(db):
    """A program with a small questionnaire (see tests.factories.Survey)."""
    return Survey(ProgramFactory(default_capacity=1, max_capacity=3))


@pytest.fixture
def dns_zone(settings):
    """A real DNS server on a local port, the one the platform asks (SSO_DNS_NAMESERVER): ``zone.publish(...)``."""
    from tests import dns_server

    zone, server = dns_server.start()
    settings.SSO_DNS_NAMESERVER = f"127.0.0.1:{server.server.server_address[1]}"
    yield zone
    server.stop()


class _RateLimitClock:
    """allauth's rate limiter's clock (it reads ``time.time()``), which a test moves on instead of waiting."""

    def __init__(self) -> None:
        import time

        self._time = time
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self._time.monotonic()

    def sleep(self, seconds: float) -> None:
        self._time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def rate_limits(settings, monkeypatch):
    """``rate_limits(action="2/h/user,3/h/ip")`` sets those limits; ``.clock.advance(s)`` moves time on."""
    from allauth.core.internal import ratelimit as allauth_ratelimit

    clock = _RateLimitClock()
    monkeypatch.setattr(allauth_ratelimit, "time", clock)

    def set_limits(**rates: str) -> None:
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **rates}

    set_limits.clock = clock
    return set_limits


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's superuser (behind ``admin_client``), with the second factor staff must have (issue 17)."""
    from tests.mfa import give_totp

    user = django_user_model.objects.create_superuser(email="admin@example.com", password="password")
    give_totp(user)
    return user

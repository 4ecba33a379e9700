"""Real processes for the tests that need them: a private Redis, gunicorn and a Celery worker on the test database.

Under load (CI shares its cores) a gunicorn worker may take many seconds to import Django before it
answers its first request: wait generously, since these tests are about behaviour, not speed.
"""

import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(process: subprocess.Popen, port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{process.args[:3]} stopped: {output(process)[-2000:]}")
            time.sleep(0.1)
    pytest.fail(f"{process.args[:3]} did not listen on {port}")


def wait_until(condition, seconds: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def production_env(**overrides: str) -> dict:
    """The production settings on the test database, over plain HTTP (no TLS proxy in a test)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the servers run in other processes")
    database = connection.settings_dict
    return {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "fault-tests-only-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "STATIC_MANIFEST": "False",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **overrides,
    }


def start(args: list[str], env: dict) -> subprocess.Popen:
    """Start a process whose log goes to a file, never to a pipe: a pipe nobody reads fills up (64 KB) and the
    process then blocks on its next log line (with Redis down, every cache call logs a traceback)."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    process.log = log
    return process


def output(process: subprocess.Popen) -> str:
    """What the process has written to its log so far."""
    process.log.seek(0)
    return process.log.read().decode(errors="replace")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Redis:
    """A Redis of the test's own, on a free port, that the test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = start(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"], os.environ
        )
        wait_for_port(self.process, self.port)

    def stop(self) -> None:
        if self.process:
            stop(self.process)


def gunicorn(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = start([sys.executable, "-m", "gunicorn", "mentorship.wsgi", "-b", f"{HOST}:{port}", "-w", "1"], env)
    wait_for_port(process, port)
    return process, f"http://{HOST}:{port}"


def celery_worker(env: dict) -> subprocess.Popen:
    return start(
        [sys.executable, "-m", "celery", "-A", "mentorship", "worker", "--pool=solo", "--loglevel=WARNING"], env
    )


def production_password(user, password: str) -> None:
    """The servers run the production hashers, not the tests' fast one."""
    user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])


def csrf(page: str) -> str:
    """The CSRF token of the (first) form of an HTML page."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(base: str, user, password: str, timeout: float = 60) -> requests.Session:
    """A browser (a requests session) logged in as ``user`` through the login form of the server at ``base``."""
    production_password(user, password)
    browser = requests.Session()
    login = browser.get(f"{base}/accounts/login/", timeout=timeout)
    answer = browser.post(
        f"{base}/accounts/login/",
        data={"login": user.email, "password": password, "csrfmiddlewaretoken": csrf(login.text)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=timeout,
        allow_redirects=False,
    )
    assert answer.status_code == 302, re.findall(r"(?s)<main.*?</main>", answer.text)[:1] or answer.text[:3000]
    return browser


def redis_env(redis: Redis, mail_folder: Path, **overrides: str) -> dict:
    """``production_env`` with ``redis`` as the cache and the broker, and emails written to files in ``mail_folder``."""
    return production_env(
        **{
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": redis.url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_folder),
            **overrides,
        }
    )


def retry_sweep(env: dict) -> None:
    """What beat does every minute: publish the retry-outbox task (for a worker to run)."""
    with Celery(broker=env["CELERY_BROKER_URL"], set_as_current=False) as beat:
        beat.send_task("mentorship.tasks.retry_outbox")


def fill_outbox(count: int, key: str) -> list[str]:
    """``count`` emails waiting in the outbox (their enqueue lost), to person0@example.org onwards; the addresses."""
    from mentorship import outbox

    addresses = [f"person{n}@example.org" for n in range(count)]
    for n, address in enumerate(addresses):
        payload = {"subject": "Hi", "body": "Hello", "html": None, "to": [address], "from_email": "noreply@example.org"}
        outbox.add(payload, key=f"{key}:{n}", kind="test")
    return addresses


def arrived(folder: Path) -> collections.Counter:
    """How many emails each address received, in a folder of tests.faults.slow_mail.SlowFileBackend."""
    return collections.Counter(path.name.rsplit("-", 1)[0] for path in folder.glob("*.eml"))

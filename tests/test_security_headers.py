"""Security headers on real responses: gunicorn serving the production settings, read over HTTP.

The settings tests read the settings; this one reads what a browser receives, so a
middleware left out or a header overwritten by a view shows up here.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
HOST = "mentorship.example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_server(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the server runs in another process")
    database = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "headers-test-only-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "STATIC_MANIFEST": "False",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mentorship.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(port: int, path: str, *, https: bool = True) -> http.client.HTTPResponse:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": HOST}
    if https:
        headers["X-Forwarded-Proto"] = "https"  # what the TLS-terminating proxy adds
    client.request("GET", path, headers=headers)
    response = client.getresponse()
    response.read()
    return response


def test_pages_carry_the_security_headers_browsers_enforce(production_server):
    for path in ["/accounts/login/", "/", "/no-such-page/"]:
        response = fetch(production_server, path)
        assert response.status in {200, 302, 404}, (path, response.status)
        csp = response.getheader("Content-Security-Policy")
        assert csp, path
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no CDN
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
        assert response.getheader("X-Frame-Options") == "DENY"
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy") == "same-origin"
        assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"


def test_cookies_are_secure_http_only_and_same_site(production_server):
    response = fetch(production_server, "/accounts/login/")
    cookies = response.headers.get_all("Set-Cookie") or []
    csrf = [c for c in cookies if c.startswith("csrftoken=")]
    assert csrf, cookies
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert "secure" in attributes, cookie
        assert "samesite" in attributes, cookie


def test_plain_http_is_sent_to_https(production_server):
    response = fetch(production_server, "/accounts/login/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/accounts/login/"

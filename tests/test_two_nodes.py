"""Two web nodes, one database and one Redis: the web tier keeps no state of its own.

Two gunicorn processes on two ports stand for two machines behind a load balancer.
A person logs in through one and is still logged in through the other; a photo
uploaded through one is served by the other.
"""

import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from PIL import Image

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mentorship.wsgi", "-b", f"{HOST}:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(server: subprocess.Popen, port: int) -> None:
    for _ in range(150):
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    pytest.fail("gunicorn did not start")


@pytest.fixture
def two_nodes(transactional_db, tmp_path):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the nodes share them")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "two-nodes-test-only-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "STATIC_MANIFEST": "False",
        # Plain HTTP between the test and the nodes: no TLS proxy here.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "MEDIA_ROOT": str(tmp_path / "shared-media"),  # the directory both nodes mount
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    ports = [_free_port(), _free_port()]
    servers = [_start(port, env) for port in ports]
    try:
        for server, port in zip(servers, ports, strict=True):
            _wait(server, port)
        yield [f"http://{HOST}:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_login_and_an_upload_made_on_one_node_hold_on_the_other(two_nodes):
    first, second = two_nodes
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    # The nodes run the production hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    browser = requests.Session()

    login = browser.get(f"{first}/accounts/login/", timeout=10)
    answer = browser.post(
        f"{first}/accounts/login/",
        data={"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login.text)},
        headers={"Referer": f"{first}/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, re.findall(r"(?s)<main.*?</main>", answer.text)[0][:3000]

    on_second = browser.get(f"{second}/profile/edit/", timeout=10, allow_redirects=False)
    assert on_second.status_code == 200
    assert "Ada Lovelace" in on_second.text

    photo = _png()
    saved = browser.post(
        f"{second}/profile/edit/",
        data={
            "csrfmiddlewaretoken": _csrf(on_second.text),
            "full_name": "Ada Lovelace",
            "language": "en",
            "timezone": "Europe/London",
            "notify_requests": "on",
        },
        files={"photo": ("ada.png", photo, "image/png")},
        headers={"Referer": f"{second}/profile/edit/"},
        timeout=10,
    )
    assert "Your profile was saved." in saved.text, saved.text[:2000]
    user.refresh_from_db()
    assert user.photo.name.startswith("photos/")

    served = browser.get(f"{first}/media/{user.photo.name}", timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.content == photo

    stranger = requests.get(f"{first}/media/{user.photo.name}", timeout=10, allow_redirects=False)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]

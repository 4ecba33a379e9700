"""Two web nodes, one database and one Redis: the web tier keeps no state of its own.

Two gunicorn processes on two ports stand for two machines behind a load balancer.
A person logs in through one and is still logged in through the other; a photo
uploaded through one is served by the other.
"""

import io
import os

import pytest
import requests
from PIL import Image

from tests import processes
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.postgres
TIMEOUT = 90  # a first request waits for the worker to import Django, slow on a loaded machine


@pytest.fixture
def two_nodes(transactional_db, tmp_path):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (REDIS_URL): the nodes share it")
    env = processes.production_env(
        MEDIA_ROOT=str(tmp_path / "shared-media"),  # the directory both nodes mount
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    nodes = [processes.gunicorn(env) for _ in range(2)]
    try:
        yield [base for _, base in nodes]
    finally:
        for server, _ in nodes:
            processes.stop(server)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_login_and_an_upload_made_on_one_node_hold_on_the_other(two_nodes):
    first, second = two_nodes
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    browser = processes.log_in(first, user, PASSWORD, timeout=TIMEOUT)

    on_second = browser.get(f"{second}/profile/edit/", timeout=TIMEOUT, allow_redirects=False)
    assert on_second.status_code == 200
    assert "Ada Lovelace" in on_second.text

    photo = _png()
    saved = browser.post(
        f"{second}/profile/edit/",
        data={
            "csrfmiddlewaretoken": processes.csrf(on_second.text),
            "full_name": "Ada Lovelace",
            "language": "en",
            "timezone": "Europe/London",
            "notify_requests": "on",
        },
        files={"photo": ("ada.png", photo, "image/png")},
        headers={"Referer": f"{second}/profile/edit/"},
        timeout=TIMEOUT,
    )
    assert "Your profile was saved." in saved.text, saved.text[:2000]
    user.refresh_from_db()
    assert user.photo.name.startswith("photos/")

    served = browser.get(f"{first}/media/{user.photo.name}", timeout=TIMEOUT)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.content == photo

    stranger = requests.get(f"{first}/media/{user.photo.name}", timeout=TIMEOUT, allow_redirects=False)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]

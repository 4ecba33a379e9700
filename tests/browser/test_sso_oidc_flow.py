"""Single sign-on through a real OpenID Connect identity provider (allauth.idp.oidc in a second process).

The organization admin sets it up on the "Single sign-on" page, runs "Test
sign-on" through the identity provider, switches it on; then a newcomer of the
organization's domain signs in from the login page and gets an account.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import Browser, expect

from accounts.models import User
from organizations.models import EmailDomain, Membership, Role, SingleSignOn
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, ProgramFactory, member

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "mentorship-test-client"
CLIENT_SECRET = "a-client-secret-for-tests"
IDP_PASSWORD = "idp-Passw0rd-for-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def identity_provider(live_server, tmp_path, settings):
    """allauth.idp.oidc on a free port, with our live server as its client and two people."""
    settings.SSO_ALLOW_PRIVATE_URLS = True
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso_idp.settings",
        "SSO_IDP_DB": str(tmp_path / "idp.sqlite3"),
        "SSO_IDP_PRIVATE_KEY": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], **run)
    redirect_uri = f"{live_server.url}/accounts/oidc/sso-acme/login/callback/"
    people = [f"boss@acme.example:{IDP_PASSWORD}", f"ada@acme.example:{IDP_PASSWORD}"]
    subprocess.run(
        [sys.executable, "-m", "tests.sso_idp.setup", redirect_uri, CLIENT_ID, CLIENT_SECRET, *people], **run
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the test identity provider did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_sso_set_up_tested_and_used_through_a_real_openid_connect_provider(
    browser: Browser, live_server, transactional_db, identity_provider, dns_zone
):
    program = ProgramFactory(organization__slug="acme", organization__name="Acme")
    admin = member(program, Role.ORGANIZATION_ADMIN, email="boss@acme.example")

    page = browser.new_context(base_url=live_server.url).new_page()
    log_in(page, admin.email, PASSWORD)
    page.goto("/o/acme/sso/")
    expect(page.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{live_server.url}/accounts/oidc/sso-acme/login/callback/")).to_be_visible()
    page.get_by_label("OpenID Connect").check()
    page.get_by_label("Issuer address").fill(identity_provider)
    page.get_by_label("Client ID").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_label("Email domains").fill("acme.example")
    page.get_by_label("Create an account at first sign-on (members with no role)").check()
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("Single sign-on saved.")).to_be_visible()
    expect(page.get_by_text("A client secret is saved.")).to_be_visible()
    assert CLIENT_SECRET not in page.content()

    page.get_by_role("button", name="Test sign-on").click()
    page.get_by_label("Email").fill("boss@acme.example")
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("The test sign-on worked.")).to_be_visible()
    expect(page.get_by_text("boss@acme.example").first).to_be_visible()
    page.get_by_role("button", name="Switch single sign-on on").click()
    expect(page.get_by_text("Verify at least one email domain before switching single sign-on on.")).to_be_visible()
    claim = EmailDomain.objects.get()
    expect(page.get_by_text(claim.record_value)).to_be_visible()
    dns_zone.publish(claim.record_name, claim.record_value)  # as the organization's IT would, in its DNS
    page.get_by_role("button", name="Check the DNS record of acme.example").click()
    expect(page.get_by_text("acme.example is verified.")).to_be_visible()
    page.get_by_role("button", name="Switch single sign-on on").click()
    expect(page.get_by_text("Single sign-on is on.").first).to_be_visible()
    assert SingleSignOn.objects.get().enabled

    newcomer = browser.new_context(base_url=live_server.url).new_page()
    newcomer.goto("/accounts/login/")
    newcomer.get_by_label("Email").fill("ada@acme.example")
    newcomer.get_by_role("button", name="Continue with single sign-on").click()
    newcomer.get_by_label("Email").fill("ada@acme.example")
    newcomer.get_by_label("Password").fill(IDP_PASSWORD)
    newcomer.get_by_role("button", name="Sign In").click()
    expect(newcomer.get_by_role("button", name="Log out")).to_be_visible()
    ada = User.objects.get(email="ada@acme.example")
    assert list(Membership.objects.filter(user=ada).values_list("role", "program")) == [(Role.MEMBER, None)]

"""The tenant-isolation sweep: every URL of the project, aimed at another organization's data.

Two organizations are filled with everything ``seed_demo`` makes (every app's
models: people, questionnaire, answers, pairings, sessions, bookings, and what
later features add to it). The first one's primary keys are all below OFFSET; the
second one is made after every sequence of the database was moved to OFFSET, so
its first rows of every table have the keys OFFSET + 1, OFFSET + 2, ...

Then each kind of member of the first organization (organization admin, program
admin, mentor, mentee) visits every URL pattern of the project, by GET and by POST
with a valid CSRF token, with each integer argument set to the second
organization's keys and the slugs set to (a) their own organization and program,
(b) the other one's. Nothing may come back but a refusal (404, 403, 405, or the
login page), and no row of the database may change. A URL pattern whose
arguments the sweep cannot fill fails the test, so a new URL cannot dodge it.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled

from accounts.models import User
from organizations.models import Organization, Program
from tests.helpers import routes

pytestmark = pytest.mark.postgres

OFFSET = 500_000
THEIR_KEYS = [OFFSET + 1, OFFSET + 2]
MISSING = 999_999_999  # a key no table has: their rows must be answered exactly like it
REFUSALS = {403, 404, 405}
ROLES = ["orgadmin", "programadmin", "mentor1", "mentee1"]
# Arguments that are not another tenant's data: a language code, a secret token (guessing
# one is the token tests' business; here it must refuse and change nothing all the same).
OPAQUE = {"token": "not-a-token-0123456789abcdef", "uidb36": "zz", "key": "not-a-key"}


def _fingerprint() -> dict[str, str]:
    """Per table, an md5 of its rows (sessions excepted: logging in writes one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' AND table_name <> 'django_session'"
        )
        names = [name for (name,) in cursor.fetchall()]
        out = {}
        for name in names:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t")  # noqa: S608
            out[name] = cursor.fetchone()[0]
    return out


def _move_every_sequence_to(value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        for (name,) in cursor.fetchall():
            cursor.execute("SELECT setval(%s, %s, true)", [name, value])


@pytest.fixture
def two_tenants(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    with scopes_disabled():
        call_command("seed_demo", mentees=4, mentors=3)
        ours = Organization.objects.get(slug="demo")
        ours.slug, ours.name = "ours", "Our Network"
        ours.save()
        for user in User.objects.all():
            user.email = f"ours-{user.email}"
            user.save(update_fields=["email"])
        from allauth.account.models import EmailAddress

        for address in EmailAddress.objects.all():
            address.email = f"ours-{address.email}"
            address.save(update_fields=["email"])
        _move_every_sequence_to(OFFSET)
        call_command("seed_demo", mentees=4, mentors=3)
        theirs = Organization.objects.get(slug="demo")
        our_program = Program.objects.get(organization=ours)
        their_program = Program.objects.get(organization=theirs)
    return {
        "ours": (ours.slug, our_program.slug),
        "theirs": (theirs.slug, their_program.slug),
        "people": {role: User.objects.get(email=f"ours-{role}@example.org") for role in ROLES},
    }


def _path(route, slugs: tuple[str, str], key: int) -> str | None:
    """The route's URL with every argument filled, or None when one cannot be filled."""
    organization, program = slugs
    fixed = {"organization": organization, "program": program, **OPAQUE}
    try:
        return reverse(route.name, kwargs={name: fixed.get(name, key) for name in route.parameters})
    except NoReverseMatch:
        return None


def _status(client: Client, method: str, path: str) -> int:
    csrf = client.cookies["csrftoken"].value
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, {"csrfmiddlewaretoken": csrf}, HTTP_X_CSRFTOKEN=csrf)
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return 401  # sent to log in
    return response.status_code


def test_no_url_lets_one_organization_reach_another(two_tenants):
    clients = {}
    for role, user in two_tenants["people"].items():
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get("/profile/edit/")  # a page with a form sets the CSRF cookie, as in a browser
        clients[role] = client
    before = _fingerprint()

    swept, unfillable, leaks = 0, [], []
    for route in routes():
        objects = route.parameters - {"organization", "program"}
        if route.name.startswith("admin:") or not (objects or "organization" in route.parameters):
            continue  # nothing to aim at another tenant (the Django admin is staff's, and tested apart)
        opaque = not (objects - set(OPAQUE))
        for slugs in (two_tenants["ours"], two_tenants["theirs"]):
            if slugs == two_tenants["theirs"] and "organization" not in route.parameters:
                continue
            if slugs == two_tenants["ours"] and not objects:
                continue  # our own tenant's page with no object in it: the permission matrix covers it
            missing = _path(route, slugs, MISSING)
            if missing is None:
                unfillable.append(f"{route.name} ({route.route})")
                break
            theirs = sorted({_path(route, slugs, key) for key in THEIR_KEYS} - {missing})
            for role, client in clients.items():
                for method in ("get", "post"):
                    expected = _status(client, method, missing)
                    for path in theirs or [missing]:
                        status = expected if path == missing else _status(client, method, path)
                        swept += 1
                        if opaque and status < 500:
                            continue  # a made-up token's page ("this link is not valid"): no tenant data in it
                        if status not in REFUSALS | {401}:
                            leaks.append(f"{method.upper()} {path} as {role}: {status}")
                        elif status != expected:
                            leaks.append(
                                f"{method.upper()} {path} as {role}: {status}, but {expected} for a key that does "
                                "not exist: their row is told apart from a missing one"
                            )

    assert not unfillable, f"the sweep cannot fill these URL patterns; teach it their arguments: {unfillable}"
    assert not leaks, "\n".join(leaks)
    assert _fingerprint() == before, "a refused request changed a row"
    print(f"tenant-isolation sweep: {swept} requests, no leak")
    assert swept > 300

"""Every tenant URL, visited by every kind of person.

The matrix must name every URL pattern under ``/o/<organization>/``: a new
tenant URL without an entry fails ``test_every_tenant_url_is_in_the_matrix``.
Each entry says which role may use the page and which role may not; each is
run as anonymous (sent to log in), as a member of another organization (404),
as the wrong role (403) and as the right role (200).
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organizations.models import Role
from tests.factories import ProgramFactory, member


@dataclass(frozen=True)
class Entry:
    allowed: Role | str
    forbidden: Role | str | None
    extra_kwargs: dict = field(default_factory=dict)


MATRIX: dict[str, Entry] = {
    "organizations:detail": Entry(allowed=Role.MENTEE, forbidden=None),
    "organizations:members": Entry(allowed=Role.ORGANIZATION_ADMIN, forbidden=Role.MENTOR),
    "organizations:program_detail": Entry(allowed=Role.MENTEE, forbidden="other_program_mentee"),
    "organizations:program_people": Entry(allowed=Role.PROGRAM_ADMIN, forbidden=Role.MENTEE),
}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def tenant_url_names() -> set[str]:
    return {name for name, route in _walk(get_resolver().url_patterns) if "<slug:organization>" in route}


def test_every_tenant_url_is_in_the_matrix():
    assert tenant_url_names() == set(MATRIX)


@pytest.fixture
def world(db):
    program = ProgramFactory()
    other_program = ProgramFactory(organization=program.organization)
    outsider_program = ProgramFactory()
    people = {role: member(program, role) for role in Role}
    people["other_program_mentee"] = member(other_program, Role.MENTEE)
    people["outsider"] = member(outsider_program, Role.ORGANIZATION_ADMIN)
    return program, people


def _url(name: str, program) -> str:
    route = next(r for n, r in _walk(get_resolver().url_patterns) if n == name)
    kwargs = {"organization": program.organization.slug, **MATRIX[name].extra_kwargs}
    if "<slug:program>" in route:
        kwargs["program"] = program.slug
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_log_in(client, world, name):
    program, _ = world
    url = _url(name, program)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_member_of_another_organization_gets_404(client, world, name):
    program, people = world
    client.force_login(people["outsider"])
    assert client.get(_url(name, program)).status_code == 404


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_unknown_organization_gets_404_like_a_foreign_one(client, world, name):
    program, people = world
    client.force_login(people[Role.MENTEE])
    url = _url(name, program).replace(f"/o/{program.organization.slug}/", "/o/no-such-org/")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.forbidden))
def test_wrong_role_gets_403(client, world, name):
    program, people = world
    client.force_login(people[MATRIX[name].forbidden])
    assert client.get(_url(name, program)).status_code == 403


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_right_role_gets_the_page(client, world, name):
    program, people = world
    client.force_login(people[MATRIX[name].allowed])
    assert client.get(_url(name, program)).status_code == 200


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_platform_staff_gets_the_page(client, world, name, django_user_model):
    program, _ = world
    staff = django_user_model.objects.create_user(email="staff@example.org", full_name="Staff", is_staff=True)
    client.force_login(staff)
    assert client.get(_url(name, program)).status_code == 200

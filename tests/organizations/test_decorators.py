"""``tenant_view``: a tenant page declares who may use it, whatever its route's converters.

This module is also the URLconf of its tests: tenant routes written with
``<str:...>``, bare ``<...>`` and a regular expression, beside the project's own.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path, reverse

from matching.views import participant
from organizations.decorators import TenantAccess, declared_access, tenant_view
from organizations.models import Role
from tests.factories import ProgramFactory, member
from tests.helpers import tenant_routes

pytestmark = pytest.mark.urls(__name__)


@tenant_view(perm="organizations.manage_organization")
def organization_page(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse(f"Organization: {request.organization.name}")


@tenant_view(perm="organizations.view_program")
def program_page(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse(f"Program: {request.program.name}")


def undeclared_page(request: HttpRequest, **kwargs) -> HttpResponse:
    return HttpResponse("Anyone in the organization")


test_routes = [
    path("str/<str:organization>/", organization_page, name="str_organization"),
    path("bare/<organization>/p/<program>/", program_page, name="bare_program"),
    re_path(r"^re/(?P<organization>[-\w]+)/p/(?P<program>[-\w]+)/$", program_page, name="regex_program"),
    path("undeclared/<str:organization>/", undeclared_page, name="undeclared"),
    path("loose/", organization_page, name="loose"),
]
urlpatterns = [*test_routes, path("", include("mentorship.urls"))]


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts", organization__name="Northwind")


def test_tenant_routes_are_found_whatever_the_converter():
    found = {route.name: "program" in route.parameters for route in tenant_routes(test_routes)}
    assert found == {"str_organization": False, "bare_program": True, "regex_program": True, "undeclared": False}


def test_the_walk_names_a_tenant_url_whose_view_declares_nothing():
    assert [route.name for route in tenant_routes() if declared_access(route.view) is None] == ["undeclared"]


def test_a_view_keeps_what_it_declared():
    assert declared_access(participant.pairing_end) == TenantAccess(
        perm="matching.end_pairing", obj=participant.pairing_of_url
    )
    assert declared_access(undeclared_page) is None


def test_a_str_converter_route_is_gated_like_a_slug_one(client, program):
    url = reverse("str_organization", args=[program.organization.slug])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    client.force_login(member(ProgramFactory(), Role.ORGANIZATION_ADMIN))
    assert client.get(url).status_code == 404
    client.force_login(member(program, Role.MENTEE))
    assert client.get(url).status_code == 403
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    assert client.get(url).content.decode() == "Organization: Northwind"


@pytest.mark.parametrize("name", ["bare_program", "regex_program"])
def test_bare_and_regex_routes_resolve_the_program(client, program, name):
    url = reverse(name, args=[program.organization.slug, program.slug])
    client.force_login(member(ProgramFactory(organization=program.organization), Role.MENTEE))
    assert client.get(url).status_code == 403
    client.force_login(member(program, Role.MENTEE))
    assert client.get(url).content.decode() == "Program: Career Starts"
    assert client.get(reverse(name, args=[program.organization.slug, "no-such-program"])).status_code == 404


def test_a_tenant_url_whose_view_declares_nothing_is_refused(client, program):
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    with pytest.raises(ImproperlyConfigured, match="undeclared declares no access"):
        client.get(reverse("undeclared", args=[program.organization.slug]))


def test_a_tenant_view_outside_a_tenant_url_is_refused(client, program):
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    with pytest.raises(ImproperlyConfigured, match="URL without an organization"):
        client.get(reverse("loose"))

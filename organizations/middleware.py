"""Resolve the tenant from the URL once, check membership, and scope every query.

A tenant URL is one whose resolved arguments hold ``organization`` (and, for a
program's pages, ``program``), whatever the route's converter. It sets
``request.organization`` and ``request.program``. A visitor who is not signed
in is sent to log in; someone with no role in the organization gets a 404,
whether or not it exists; within the organization, a program the person holds
no role in is a 403. The view's own declared permission (``tenant_view``) is
then checked by the view; a tenant view that declares none is refused here.

Everything the view then reads runs inside a django-scopes scope, so a query
that forgets the tenant is an error rather than a leak: on a program's pages
``scope(organization=..., program=...)``; on an organization's pages
``scope(organization=...)`` only, so a query on a program-owned model there
(questions, pairings, groups, ...) is a ScopeError until the page names the
programs it shows with ``scope(program=...)``. (django-scopes reads
``program=None`` as "no filter", which would let any member of the
organization see every program's rows.)
"""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled

from organizations.decorators import declared_access, tenant_denied
from organizations.models import Organization, Program, ReviewStatus, Role
from organizations.selectors import tenant_of_request, tenant_roles


class TenantMiddleware:
    """The checks run in ``process_view``, on the URL the handler has just resolved (no second resolving); the
    scope they choose lasts until the response is made, template rendering included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None
        request.program = None
        request._tenant_scope = None
        try:
            return self.get_response(request)
        finally:
            if request._tenant_scope is not None:
                request._tenant_scope.__exit__(None, None, None)
                request._tenant_scope = None

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match.namespaces and match.namespaces[0] == "admin":
            # Platform staff work across tenants in the Django admin.
            return self._enter(request, scopes_disabled())
        if "organization" not in view_kwargs:
            # No tenant: a query on a tenant-owned model here is a ScopeError.
            return self._enter(request, scope())
        if declared_access(view_func) is None:
            raise ImproperlyConfigured(f"The tenant page {match.view_name} declares no access: use @tenant_view.")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        program = view_kwargs.get("program")
        self._resolve_tenant(request, str(view_kwargs["organization"]), None if program is None else str(program))
        return self._enter(request, scope(**tenant_scope(request)))

    @staticmethod
    def _enter(request: HttpRequest, context) -> None:
        context.__enter__()
        request._tenant_scope = context

    def _resolve_tenant(self, request: HttpRequest, slug: str, program_slug: str | None) -> None:
        user = request.user
        organization, program = tenant_of_request(user, slug, program_slug)
        if organization is not None and (
            user.is_staff
            or (None, Role.ORGANIZATION_ADMIN) in (roles := tenant_roles(user, organization))
            or (program is None and roles)
            or (program is not None and any(pid == program.pk for pid, _ in roles))
        ):
            request.organization, request.program = organization, program
            return
        # Not found, or not allowed: the long way, which tells each case apart.
        organization = Organization.objects.filter(
            slug=slug, status=ReviewStatus.APPROVED, deleted_at__isnull=True
        ).first()
        if organization is None:
            raise Http404
        user = request.user
        roles = tenant_roles(user, organization)
        if not roles and not user.is_staff:
            tenant_denied(request, "not_a_member", organization=organization.slug)
            raise Http404
        request.organization = organization
        if program_slug is None:
            return
        with scope(organization=organization):
            program = Program.objects.filter(slug=program_slug).first()
        if program is None:
            raise Http404
        program.organization = organization
        request.program = program
        if not (
            user.is_staff or (None, Role.ORGANIZATION_ADMIN) in roles or any(pid == program.pk for pid, _ in roles)
        ):
            raise PermissionDenied


def tenant_scope(request: HttpRequest) -> dict[str, Organization | Program]:
    """The scope of a tenant page: its organization, and its program on a program's pages (see the module's note)."""
    if request.program is None:
        return {"organization": request.organization}
    return {"organization": request.organization, "program": request.program}

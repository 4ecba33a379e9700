"""How a tenant page declares who may use it: ``@tenant_view(perm=...)``, one way for every view.

The tenant middleware has already answered 404 to outsiders and sent anonymous
visitors to log in; the declared permission is the role check inside the
tenant (403). The middleware refuses to serve a tenant URL whose view declares
nothing, and ``tests/test_permission_matrix.py`` fails for one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse

from mentorship.security import client_ip, security_event

ObjectLoader = Callable[..., Model]


@dataclass(frozen=True)
class TenantAccess:
    """What a tenant view declared: a ``rules`` permission, and the object it is checked on."""

    perm: str
    obj: ObjectLoader | None = None

    def target(self, request: HttpRequest, **url_kwargs) -> Model:
        """The object the permission is checked on: the page's own object, or the request's program or organization."""
        if self.obj is not None:
            return self.obj(request, **url_kwargs)
        return request.program or request.organization


def tenant_view(*, perm: str, obj: ObjectLoader | None = None) -> Callable:
    """403 unless the person holds ``perm``; the declaration is kept on the view as ``tenant_access``.

    The permission is checked on the request's program (or, on an organization
    page, the organization). A page about one object of the program, open to
    whoever that object concerns, names a loader: ``obj(request, **url_kwargs)``
    returns the object (404 if it is not in the tenant) and ``perm`` takes it,
    e.g. ``@tenant_view(perm="matching.end_pairing", obj=pairing_of_url)``.
    """
    access = TenantAccess(perm=perm, obj=obj)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.organization is None:
                raise ImproperlyConfigured(f"{view.__qualname__} is a tenant view on a URL without an organization.")
            url_kwargs = {k: v for k, v in kwargs.items() if k not in ("organization", "program")}
            try:
                if not request.user.has_perm(access.perm, access.target(request, **url_kwargs)):
                    raise PermissionDenied
                return view(request, *args, **kwargs)
            except Http404:
                # The tenant's loaders (scoped) found no such object here: another organization's or another
                # program's id, or none at all. A security event, then the same 404.
                tenant_denied(request, "object_not_in_tenant", view=view.__qualname__)
                raise

        wrapped.tenant_access = access
        return wrapped

    return decorator


def tenant_denied(request: HttpRequest, reason: str, **fields) -> None:
    """The security event of a tenant page answered 404 (mentorship.security)."""
    organization = getattr(request, "organization", None)
    if organization is not None:
        fields.setdefault("organization", organization.slug)
    user = request.user.pk if request.user.is_authenticated else ""
    security_event("tenant_denied", reason=reason, user=user, path=request.path, ip=client_ip(request), **fields)


def declared_access(view: Callable) -> TenantAccess | None:
    """What ``view`` declared with ``tenant_view``, or None."""
    return getattr(view, "tenant_access", None)

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def tenant_permission_required(perm: str) -> Callable:
    """403 unless the person holds ``perm`` on the request's program (or organization).

    The tenant middleware has already answered 404 to outsiders and sent
    anonymous visitors to log in; this is the role check inside the tenant.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(perm, request.program or request.organization):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

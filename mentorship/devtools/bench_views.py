"""The web benchmark's two reference points (issue 9), mounted only with ``BENCH_VIEWS=true``.

``ceiling`` is the cheapest logged-in page: it goes through every middleware,
the session and the login like a real page, and renders nothing. ``bare`` is
the same kind of view with no middleware at all (``bench_wsgi`` serves it from
a handler without any), so ceiling / bare is what the stack itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_required
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.user.email, content_type="text/plain")


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("bare", content_type="text/plain")


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/bare/", bare, name="bench_bare"),
]

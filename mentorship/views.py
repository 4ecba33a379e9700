"""The site-wide error page that cannot rely on the rest of the site."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request: no user, session or database is touched, since any may be down."""
    return HttpResponseServerError(render_to_string("500.html"))

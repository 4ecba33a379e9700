"""The WSGI application of the web benchmark: the site, and ``/bench/bare/`` through no middleware.

Run only by ``manage.py bench_web`` (with ``BENCH_VIEWS=true``). Every other
path goes to the site's own application, unchanged.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
site = get_wsgi_application()


class BareHandler(WSGIHandler):
    """Django's handler with an empty middleware list: URL resolving, the view and the response only."""

    def load_middleware(self, is_async: bool = False) -> None:
        saved = settings.MIDDLEWARE
        settings.MIDDLEWARE = []
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = saved


bare = BareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/bench/bare/"):
        return bare(environ, start_response)
    return site(environ, start_response)

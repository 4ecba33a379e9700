"""Rate limits of the actions that email someone else, per person and per address (IP).

The numbers are settings (``RATE_LIMITS``, in allauth's syntax, e.g. ``"20/h/user,60/h/ip"``), merged into
allauth's ``ACCOUNT_RATE_LIMITS`` and counted by allauth's rate limiter in the cache (Redis with
``REDIS_URL``, so every web node counts together). Only POSTs count. Two ways to apply one:

- ``@rate_limited("booking")`` on a view whose POST is a button: past the limit, a 429 page in the site's
  layout says what happened and when to try again;
- ``limit_error(request, "session_request")`` in a view with a form: past the limit it returns the message to
  add to the form (``form.add_error(None, ...)``), so the page keeps what was typed.

When the cache itself is down these limits let the action through (and log ``rate_limit_unavailable``):
allauth's limiter refuses everything then, and a Redis outage must not stop people's work.
"""

from collections.abc import Callable
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.core import ratelimit
from allauth.core.internal.ratelimit import parse_rates
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from mentorship.security import client_ip, security_event


def _rates(action: str) -> str | None:
    return account_settings.RATE_LIMITS.get(action)


def _wait_minutes(action: str) -> int:
    """The longest period of the action's rates, in minutes: by then every limit has room again."""
    rates = parse_rates(_rates(action))
    return max(1, int(max((rate.duration for rate in rates), default=60) // 60))


def over_limit(request: HttpRequest, action: str) -> bool:
    """Count one ``action`` of this person and address; True when a limit is already reached (then not counted)."""
    if request.method != "POST" or not _rates(action):
        return False
    user = request.user if request.user.is_authenticated else None
    if not _cache_works():
        # Redis down: the limiter cannot count (nor lock) and refuses everything. These limits fail open, so
        # people keep working while it is down (tests/faults); the event says so.
        security_event("rate_limit_unavailable", action=action, user=user.pk if user else "", ip=client_ip(request))
        return False
    if ratelimit.consume(request, action=action, user=user):
        return False
    security_event("rate_limited", action=action, user=user.pk if user else "", ip=client_ip(request))
    return True


def _cache_works() -> bool:
    """Whether the cache answers (django-redis ignores its errors: a down Redis reads as a miss)."""
    probe = "mentorship:ratelimits:probe"
    cache.set(probe, 1, timeout=10)
    return cache.get(probe) == 1


def limit_message(action: str) -> str:
    minutes = _wait_minutes(action)
    return ngettext(
        "You have done this too many times in a short while, so it is paused to protect the people it emails. "
        "Try again in %(minutes)s minute.",
        "You have done this too many times in a short while, so it is paused to protect the people it emails. "
        "Try again in at most %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def limit_error(request: HttpRequest, action: str) -> str | None:
    """The form error to show when ``action`` is over its limit, else None (and the action is counted)."""
    return limit_message(action) if over_limit(request, action) else None


def too_many(request: HttpRequest, action: str) -> HttpResponse:
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    context = {"limit_message": limit_message(action), "back_url": back}
    return render(request, "429.html", context, status=429)


def rate_limited(action: str) -> Callable:
    """A view decorator: a POST past ``action``'s limit answers the 429 page instead of running the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if over_limit(request, action):
                return too_many(request, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

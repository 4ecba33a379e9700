"""What an app adds to the pages of the top layer (``mentorship.portal``), without the portal's templates
loading the app's template tags or the app importing the portal.

An app offers plain functions in its own ``panels.py`` that take the request and return a ``Panel`` (a
template and its context) or a list of ``Link``; ``mentorship.portal`` lists those functions, in order, for
each page it gathers. Imports so point one way: the portal imports the apps, the apps import only this module.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    """A piece of a page: ``template`` rendered with ``context`` (and the request). ``until``: the moment what it
    shows changes by itself, with no write to the program's rows (a session ends), for a page that keeps it."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    until: datetime | None = None


@dataclass(frozen=True)
class Link:
    """A link to one of an app's pages, with the words it shows."""

    label: str
    url: str


PanelProvider = Callable[[HttpRequest], Panel | None]
LinkProvider = Callable[[HttpRequest], list[Link]]


def program_url(request: HttpRequest, name: str) -> str:
    """``reverse(name)`` of a page of the request's program, kept once a process: the program navigation
    reverses about fifteen of them on every page of a program, 0.1 ms each (issue 9)."""
    return _program_url(name, request.organization.slug, request.program.slug, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _program_url(name: str, organization: str, program: str, prefix: str, urlconf) -> str:
    # The prefix and URLconf are part of the key: reverse reads them from the thread, not from the arguments.
    return reverse(name, args=[organization, program])


def words(translated: str, **values: Any) -> SafeString:
    """What ``{% blocktranslate with name=... %}`` gives, made in Python for a panel's rows (a tag a row was most of
    their time): ``translated`` (already through gettext, so that makemessages finds the words) with each value
    escaped, the words themselves as they are."""
    return mark_safe(translated % {name: conditional_escape(value) for name, value in values.items()})  # nosec B308 B703


def pk_urls(name: str, *args: Any) -> Callable[[int], str]:
    """``reverse(name, args=[*args, pk])`` for many pks, reversed once: the URL's last argument is an object's pk."""
    head, _sep, tail = reverse(name, args=[*args, 0]).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"

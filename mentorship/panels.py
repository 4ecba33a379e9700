"""What an app adds to the pages of the top layer (``mentorship.portal``), without the portal's templates
loading the app's template tags or the app importing the portal.

An app offers plain functions in its own ``panels.py`` that take the request and return a ``Panel`` (a
template and its context) or a list of ``Link``; ``mentorship.portal`` lists those functions, in order, for
each page it gathers. Imports so point one way: the portal imports the apps, the apps import only this module.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class Panel:
    """A piece of a page: ``template`` rendered with ``context`` (and the request)."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


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

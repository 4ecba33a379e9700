"""What an app adds to the pages of the top layer (``mentorship.portal``), without the portal's templates
loading the app's template tags or the app importing the portal.

An app offers plain functions in its own ``panels.py`` that take the request and return a ``Panel`` (a
template and its context) or a list of ``Link``; ``mentorship.portal`` lists those functions, in order, for
each page it gathers. Imports so point one way: the portal imports the apps, the apps import only this module.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


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

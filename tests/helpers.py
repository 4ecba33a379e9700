"""Helpers the tests share."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver


def count_queries(client: Client, url: str) -> int:
    """Queries of one GET of ``url`` in steady state: after a first GET has filled the caches."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def assert_constant_queries(client: Client, url: str, add_rows: Callable[[int], None], few: int = 2, many: int = 50):
    """The page at ``url`` runs as many queries with ``many`` rows as with ``few``.

    ``add_rows(n)`` adds n more of whatever the page lists.
    """
    add_rows(few)
    with_few = count_queries(client, url)
    add_rows(many - few)
    with_many = count_queries(client, url)
    assert with_many == with_few, f"{with_few} queries with {few} rows, {with_many} with {many}"
    return with_few


@dataclass(frozen=True)
class Route:
    """One named URL pattern of a URLconf, as the tenant tests see it."""

    name: str  # with its namespaces: "matching:builder"
    route: str  # the whole pattern, for messages
    parameters: frozenset[str]  # every named argument of the whole pattern, whatever its converter
    view: Callable

    @property
    def is_tenant(self) -> bool:
        """The tenant middleware's test: the resolved arguments name an organization."""
        return "organization" in self.parameters


def routes(patterns: list[URLPattern | URLResolver] | None = None) -> Iterator[Route]:
    """Every named URL pattern under ``patterns`` (the project's URLconf by default)."""
    yield from _walk(get_resolver().url_patterns if patterns is None else patterns, "", "", frozenset())


def _walk(patterns, route: str, namespace: str, parameters: frozenset[str]) -> Iterator[Route]:
    for pattern in patterns:
        # The compiled regex names every argument: <slug:x>, <x> and (?P<x>...) alike.
        here = parameters | set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner, here)
        elif pattern.name:
            yield Route(f"{namespace}{pattern.name}", route + str(pattern.pattern), here, pattern.callback)


def tenant_routes(patterns: list[URLPattern | URLResolver] | None = None) -> list[Route]:
    """The tenant pages under ``patterns``: those the tenant middleware resolves an organization for."""
    return [route for route in routes(patterns) if route.is_tenant]


def forget_kept() -> None:
    """Forget what pages keep in this process, as a new program stamp would (a test's writes are never committed,
    so its stamps never change): the ``fragments`` cache and ``mentorship.kept``'s own."""
    from django.core.cache import caches

    from mentorship.kept import clear_local

    caches["fragments"].clear()
    clear_local()

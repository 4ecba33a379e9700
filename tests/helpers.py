"""Helpers the tests share."""

from collections.abc import Callable

from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext


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

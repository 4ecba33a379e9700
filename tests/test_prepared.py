"""Prepared reads (mentorship.prepared): compiled once, they give the rows the queryset gives for every value,
with its select_related objects and annotations, and they refuse a queryset whose values do not reach the SQL."""

import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from mentorship.prepared import Prepared
from organizations.models import Membership, Program, Role
from tests.factories import ProgramFactory, member

pytestmark = pytest.mark.django_db(transaction=False)


def _programs(org_slug: str, min_id: int):
    with scopes_disabled():
        return (
            Program.objects.select_related("organization")
            .filter(organization__slug=org_slug, id__gte=min_id)
            .annotate(people=Count("memberships"))
            .order_by("slug")
        )


PROGRAMS = Prepared(_programs, org_slug=str, min_id=int)


def _described(programs):
    return [(p.pk, p.slug, p.organization.slug, p.organization.name, p.people) for p in programs]


def test_a_prepared_read_gives_what_the_queryset_gives_for_each_value():
    first, second = ProgramFactory(), ProgramFactory()
    third = ProgramFactory(organization=first.organization)
    member(first, Role.MENTEE)
    member(first, Role.MENTOR)
    member(third, Role.MENTEE)
    for org_slug, min_id in [
        (first.organization.slug, 0),
        (first.organization.slug, third.pk),
        (second.organization.slug, 0),
        ("nobody", 0),
    ]:
        expected = _described(_programs(org_slug, min_id))
        with CaptureQueriesContext(connection) as queries:
            found = PROGRAMS.fetch(org_slug=org_slug, min_id=min_id)
            described = _described(found)  # the organization came with the row: no query of its own
        assert described == expected
        assert len(queries) == 1
    rows = sorted([(first, 2), (third, 1)], key=lambda row: row[0].slug)
    assert _described(PROGRAMS.fetch(org_slug=first.organization.slug, min_id=0)) == [
        (p.pk, p.slug, p.organization.slug, p.organization.name, people) for p, people in rows
    ]


def test_a_prepared_read_runs_on_the_connection_of_the_thread_that_fetches():
    program = ProgramFactory()
    PROGRAMS.compile()  # compiled on this thread, fetched on another: each thread has its own connection
    found, failed = [], []

    def fetch():
        try:
            found.extend(PROGRAMS.fetch(org_slug=program.organization.slug, min_id=0))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            failed.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=fetch)
    thread.start()
    thread.join()
    # The other thread's connection does not see this test's uncommitted rows: it ran, on its own connection.
    assert failed == [] and found == []


def test_a_value_that_does_not_reach_the_sql_is_refused():
    def ignores_the_role(role: str):
        with scopes_disabled():
            return Membership.objects.all()

    with pytest.raises(ValueError, match="role"):
        Prepared(ignores_the_role, role=str).compile()

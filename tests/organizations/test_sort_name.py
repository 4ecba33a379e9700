"""Lists of people sort by the name copied onto each membership (``Membership.sort_name``, issue 9 point 4).

The copy follows the user's name, whichever way a membership is made and whenever the name changes; the lists
read a page of people in order from an index instead of sorting the program's whole users table.
"""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from matching import selectors as matching
from matching.models import Pairing
from mentorship.devtools.management.commands.bench_web import LARGE_TABLE_ROWS, _large_seq_scans
from mentorship.oversight import selectors as oversight
from mentorship.pairings import cycles
from mentorship.pairings.models import ProgramCycle
from organizations import selectors
from organizations.models import Membership, Program, Role
from tests.factories import MembershipFactory, ProgramFactory, UserFactory, member


def _names_on(client, url: str, names: list[str]) -> list[str]:
    """``names`` in the order the page shows them."""
    page = client.get(url).content.decode()
    return sorted((n for n in names if n in page), key=page.index)


def test_a_membership_takes_its_users_name_however_it_is_made(db):
    program = ProgramFactory()
    made = MembershipFactory(program=program, user=UserFactory(full_name="Ada Lovelace"))
    bulk_user = UserFactory(full_name="Blaise Pascal")
    [bulk] = Membership.objects.bulk_create(
        [Membership(organization=program.organization, program=program, user=bulk_user, role=Role.MENTOR)]
    )
    by_id = Membership.objects.create(
        organization=program.organization,
        program=program,
        user_id=UserFactory(full_name="Carl Gauss").pk,
        role=Role.MENTOR,
    )
    stored = dict(Membership.objects.filter(program=program).values_list("pk", "sort_name"))
    assert stored == {made.pk: "Ada Lovelace", bulk.pk: "Blaise Pascal", by_id.pk: "Carl Gauss"}


def test_renaming_a_person_moves_them_in_the_people_page(client, db, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Paula Admin")
    anna = member(program, Role.MENTEE, full_name="Anna Early")
    member(program, Role.MENTEE, full_name="Mia Middle")
    client.force_login(admin)
    url = reverse("organizations:program_people", args=[program.organization.slug, program.slug])
    assert _names_on(client, url, ["Anna Early", "Mia Middle"]) == ["Anna Early", "Mia Middle"]

    anna.full_name = "Zoe Late"
    with django_capture_on_commit_callbacks(execute=True):  # committed: the program's kept rows are read again
        anna.save()
    assert _names_on(client, url, ["Zoe Late", "Mia Middle"]) == ["Mia Middle", "Zoe Late"]

    anna.full_name = "Aaron First"
    with django_capture_on_commit_callbacks(execute=True):
        anna.save(update_fields=["full_name"])
    assert _names_on(client, url, ["Aaron First", "Mia Middle"]) == ["Aaron First", "Mia Middle"]
    # Every role of the person follows, in every organization.
    elsewhere = MembershipFactory(user=anna, program=ProgramFactory(), role=Role.MENTOR)
    anna.full_name = "Bea Again"
    anna.save()
    assert set(Membership.objects.filter(user=anna).values_list("sort_name", flat=True)) == {"Bea Again"}
    elsewhere.refresh_from_db()
    assert elsewhere.sort_name == "Bea Again"


def test_a_save_that_leaves_the_name_out_does_not_touch_the_memberships(db):
    person = member(ProgramFactory(), Role.MENTEE, full_name="Nora Name")
    with CaptureQueriesContext(connection) as captured:
        person.save(update_fields=["last_login"])
    assert len(captured.captured_queries) == 1  # the user's own UPDATE, nothing for the memberships


def test_the_migration_copies_every_users_name(db):
    program = ProgramFactory()
    member(program, Role.MENTEE, full_name="Olga Old")
    member(program, Role.MENTOR, full_name="Otto Older")
    Membership.objects.filter(program=program).update(sort_name="")  # as the rows were before the migration
    migration = importlib.import_module("organizations.migrations.0010_membership_sort_name")
    migration.copy_names(apps, None)
    assert sorted(Membership.objects.filter(program=program).values_list("sort_name", flat=True)) == [
        "Olga Old",
        "Otto Older",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_the_name_sorted_lists_read_a_page_in_order_from_an_index(db):
    """The index check of bench_web (``_large_seq_scans``) finds no sequential scan of a large table in the first
    page of any list sorted by name: people, one role of them, organization members, the pairing page by name,
    My mentees, a new cycle's returning people and its alumni. Before the sort name, each of them read and sorted
    the whole users table."""
    program = ProgramFactory()
    organization = program.organization
    users = User.objects.bulk_create(
        User(email=f"p{n}@example.org", full_name=f"Person {n:05d}") for n in range(LARGE_TABLE_ROWS + 500)
    )
    mentors, mentees = users[:500], users[500:]
    Membership.objects.bulk_create(
        [Membership(organization=organization, program=program, user=u, role=Role.MENTOR) for u in mentors]
        + [Membership(organization=organization, program=program, user=u, role=Role.MENTEE) for u in mentees]
    )
    mentor = Membership.objects.filter(program=program, role=Role.MENTOR).order_by("pk").first()
    paired = Membership.objects.filter(program=program, role=Role.MENTEE).order_by("pk")[:2]
    Pairing.objects.bulk_create(Pairing(program=program, mentor=mentor, mentee=m) for m in paired)
    following = Program.objects.create(
        organization=organization, slug="next", name="Next cycle", status=program.status, is_live=True
    )
    ProgramCycle.objects.create(program=following, previous=program, first=program)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lists = {
        "people": selectors.program_members(program),
        "people, mentors": selectors.program_members(program, role=Role.MENTOR),
        "organization members": selectors.organization_members(organization),
        "pairing by name": matching.unpaired_mentees_for_page(program, order="name"),
        "my mentees": oversight.followed_by(mentor),
        "returning people": cycles.returning_candidates(following),
        "alumni": cycles.alumni(following),
    }
    scans = {}
    for name, members in lists.items():
        with CaptureQueriesContext(connection) as captured:
            page = list(members[:25])
        assert page, name
        scans[name] = _large_seq_scans(captured.captured_queries[-1]["sql"])
    assert scans == {name: [] for name in lists}
    # And the order is the name's.
    people = [m.user.full_name for m in selectors.program_members(program, role=Role.MENTEE)[:3]]
    assert people == ["Person 00500", "Person 00501", "Person 00502"]

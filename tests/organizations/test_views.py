import re

from django.urls import reverse

from organizations.models import Membership, Role
from tests.factories import GroupFactory, MembershipFactory, ProgramFactory, member
from tests.helpers import assert_constant_queries


def test_program_people_lists_members_by_role(client, db):
    program = ProgramFactory()
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")
    member(program, Role.MENTOR, full_name="Mo Mentor")
    mentee = member(program, Role.MENTEE, full_name="Mia Mentee")
    mentee.memberships.get().groups.add(GroupFactory(program=program, name="Evening cohort"))
    member(ProgramFactory(organization=program.organization), Role.MENTEE, full_name="Elsewhere Person")
    client.force_login(admin)
    page = client.get(reverse("organizations:program_people", args=[program.organization.slug, program.slug]))
    text = page.content.decode()
    assert ["Ada Admin", "Mo Mentor", "Mia Mentee"] == sorted(["Ada Admin", "Mo Mentor", "Mia Mentee"], key=text.index)
    assert "Evening cohort" in text
    assert "Elsewhere Person" not in text


def test_program_people_runs_the_same_queries_for_few_and_many(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    group = GroupFactory(program=program)

    def add_rows(count: int) -> None:
        for _ in range(count):
            MembershipFactory(program=program, role=Role.MENTEE).groups.add(group)

    url = reverse("organizations:program_people", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, url, add_rows)


def test_program_people_pages_25_at_a_time_and_finds_by_name_email_and_role(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin"))
    for n in range(30):
        member(program, Role.MENTEE, full_name=f"Mentee {n:02d}")
    member(program, Role.MENTOR, full_name="Zed Mentor", email="zed@teach.example")
    url = reverse("organizations:program_people", args=[program.organization.slug, program.slug])

    first = client.get(url).content.decode()
    assert "32 people" in first and "Page 1 of 2" in first
    assert "Ada Admin" in first and "Zed Mentor" in first  # admins, then mentors, then mentees
    assert first.count("<td>Mentee ") == 23
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("<td>Mentee ") == 7 and "Ada Admin" not in second

    found = client.get(url, {"q": "teach.example"}).content.decode()
    assert "1 person" in found and "Zed Mentor" in found and "Mentee 01" not in found
    mentors = client.get(url, {"role": Role.MENTOR}).content.decode()
    assert "Zed Mentor" in mentors and "Mentee 01" not in mentors and "Ada Admin" not in mentors
    nobody = client.get(url, {"q": "no such person"}).content.decode()
    assert "Nobody matches." in nobody


def test_organization_members_page_and_search(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Org"))
    for n in range(26):
        member(program, Role.MENTOR, full_name=f"Mentor {n:02d}")
    url = reverse("organizations:members", args=[program.organization.slug])
    first = client.get(url).content.decode()
    assert "27 people" in first and "Page 1 of 2" in first
    assert "Mentor 25" not in first and "Olga Org" not in first  # by name: "Mentor 00".. first
    assert "Olga Org" in client.get(url, {"page": 2}).content.decode()
    assert "Mentor 07" in client.get(url, {"q": "tor 07"}).content.decode()


def test_organization_members_runs_the_same_queries_for_few_and_many(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))

    def add_rows(count: int) -> None:
        MembershipFactory.create_batch(count, program=program, role=Role.MENTOR)

    assert_constant_queries(client, reverse("organizations:members", args=[program.organization.slug]), add_rows)


def test_organization_page_runs_the_same_queries_for_few_and_many_programs(client, db):
    program = ProgramFactory()
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))

    def add_rows(count: int) -> None:
        for new_program in ProgramFactory.create_batch(count, organization=program.organization):
            MembershipFactory(program=new_program, role=Role.MENTEE)

    assert_constant_queries(client, reverse("organizations:detail", args=[program.organization.slug]), add_rows)


def test_organization_page_lists_programs_with_their_counts(client, db):
    program = ProgramFactory(name="Career Starts")
    MembershipFactory.create_batch(3, program=program, role=Role.MENTEE)
    MembershipFactory.create_batch(2, program=program, role=Role.MENTOR)
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    response = client.get(reverse("organizations:detail", args=[program.organization.slug]))
    assert "Career Starts" in response.content.decode()
    row = next(p for p in response.context["programs"] if p.pk == program.pk)
    assert (row.mentor_count, row.mentee_count) == (2, 3)


def test_organization_page_counts_a_new_mentee_and_a_removed_mentor_on_the_next_view(
    client, db, django_capture_on_commit_callbacks
):
    """The counts are kept under the program's stamp: a membership added or removed is counted at once."""
    program = ProgramFactory(name="Career Starts")
    MembershipFactory.create_batch(3, program=program, role=Role.MENTEE)
    mentors = MembershipFactory.create_batch(2, program=program, role=Role.MENTOR)
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    url = reverse("organizations:detail", args=[program.organization.slug])

    def counts() -> tuple[int, int]:
        page = client.get(url).content.decode()
        row = re.search(r"Career Starts</a></td>.*?<td>(\d+)</td>\s*<td>(\d+)</td>", page, re.S)
        return int(row.group(1)), int(row.group(2))

    assert counts() == (2, 3)
    assert counts() == (2, 3)  # kept
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a request's write is
        MembershipFactory(program=program, role=Role.MENTEE)
    assert counts() == (2, 4)
    with django_capture_on_commit_callbacks(execute=True):
        mentors[0].delete()
    assert counts() == (1, 4)


def test_organization_page_offers_onboarding_until_a_program_is_live(client, db):
    program = ProgramFactory(name="Career Starts", is_live=False)
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    url = reverse("organizations:detail", args=[program.organization.slug])
    assert "Sign up for onboarding" in client.get(url).content.decode()
    program.is_live = True
    program.save()
    page = client.get(url).content.decode()
    assert "Career Starts" in page
    assert "Sign up for onboarding" not in page and "Onboarding session" not in page


def test_a_query_outside_the_tenant_is_an_error_not_a_leak():
    import pytest
    from django_scopes import scope
    from django_scopes.exceptions import ScopeError

    from organizations.models import Program

    with scope(), pytest.raises(ScopeError):
        list(Program.objects.all())


def test_invitations_page_runs_the_same_queries_for_few_and_many(client, db):
    from organizations.services.invitations import invitation_issue

    program = ProgramFactory()
    admin = member(program, Role.ORGANIZATION_ADMIN)
    client.force_login(admin)
    counter = iter(range(1000))

    def add_rows(count: int) -> None:
        for _ in range(count):
            invitation_issue(
                organization=program.organization,
                program=program,
                email=f"p{next(counter)}@example.org",
                role=Role.MENTEE,
                invited_by=admin,
            )

    assert_constant_queries(client, reverse("organizations:invitations", args=[program.organization.slug]), add_rows)


def test_staff_review_page_runs_the_same_queries_for_few_and_many(client, db):
    from tests.factories import OrganizationFactory, UserFactory

    client.force_login(UserFactory(is_staff=True))

    def add_rows(count: int) -> None:
        for organization in OrganizationFactory.create_batch(count, status="pending"):
            ProgramFactory(organization=organization, status="pending")

    assert_constant_queries(client, reverse("staff:index"), add_rows)


def test_staff_onboarding_page_runs_the_same_queries_for_few_and_many(client, db):
    from datetime import timedelta

    from django.utils import timezone

    from organizations.models import OnboardingSignup, OnboardingSlot
    from tests.factories import OrganizationFactory, UserFactory

    client.force_login(UserFactory(is_staff=True))

    def add_rows(count: int) -> None:
        for _ in range(count):
            slot = OnboardingSlot.objects.create(starts_at=timezone.now() + timedelta(days=3))
            OnboardingSignup.objects.create(organization=OrganizationFactory(), slot=slot)

    assert_constant_queries(client, reverse("staff:onboarding_slots"), add_rows)


def test_people_page_shows_each_mentors_capacity_within_the_programs_maximum(client, db):
    program = ProgramFactory(default_capacity=2, max_capacity=3)
    admin = member(program, Role.PROGRAM_ADMIN)
    chose_many = member(program, Role.MENTOR, full_name="Max Many")
    member(program, Role.MENTOR, full_name="Dee Default")
    Membership.objects.filter(user=chose_many).update(capacity=5)  # chosen before the maximum was lowered to 3
    client.force_login(admin)
    page = client.get(reverse("organizations:program_people", args=[program.organization.slug, program.slug]))
    values = re.findall(r'name="capacity"[^>]*value="(\d+)"', page.content.decode())
    assert sorted(values) == ["2", "3"]

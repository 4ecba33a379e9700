"""The program navigation: what each role reaches from every page of a program, the current page marked."""

import re

import pytest
from django.urls import reverse

from matching.models import Pairing
from organizations.models import Role
from tests.factories import ProgramFactory, member


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts")


def nav_of(page: str) -> list[tuple[str, bool]]:
    """The program navigation's links as (label, is current)."""
    block = re.search(r'<nav class="program-nav".*?</nav>', page, re.S)
    if block is None:
        return []
    links = re.findall(r"<a [^>]*?(aria-current=\"page\")?>([^<]+)</a>", block.group(0))
    return [(label, bool(current)) for current, label in links]


def test_program_admin_reaches_every_management_page_with_the_current_one_marked(client, program):
    client.force_login(member(program, Role.PROGRAM_ADMIN))
    page = client.get(reverse("organizations:program_people", args=[program.organization.slug, program.slug]))
    assert nav_of(page.content.decode()) == [
        ("Overview", False),
        ("Questionnaire", False),
        ("Pairing", False),
        ("Mentorship", False),
        ("Requests", False),
        ("Activities", False),
        ("Pair activity", False),
        ("Session feedback", False),
        ("Program cycle", False),
        ("People", True),
        ("Invitations", False),
        ("Dashboard", False),
        ("Program settings", False),
    ]


def test_question_page_marks_the_questionnaire_builder(client, program, survey):
    client.force_login(member(survey.program, Role.PROGRAM_ADMIN))
    args = [survey.program.organization.slug, survey.program.slug, survey.language.pk]
    page = client.get(reverse("matching:question_edit", args=args)).content.decode()
    assert ("Questionnaire", True) in nav_of(page)


def test_mentee_reaches_their_own_steps_and_no_management_page(client, program):
    client.force_login(member(program, Role.MENTEE))
    page = client.get(program.get_absolute_url()).content.decode()
    assert nav_of(page) == [
        ("Overview", True),
        ("Your profile", False),
        ("Your answers", False),
        ("Recommended mentors", False),
        ("Mentorship", False),
        ("My Mentorship requests", False),
        ("Your follow-up", False),
    ]


def test_mentor_has_no_recommendations_link(client, program):
    client.force_login(member(program, Role.MENTOR))
    labels = [label for label, _ in nav_of(client.get(program.get_absolute_url()).content.decode())]
    assert labels == [
        "Overview",
        "Your profile",
        "Your answers",
        "Mentorship",
        "Session requests",
        "Mentees looking for a mentor",
        "My mentees",
    ]


def test_pages_outside_a_program_have_no_program_navigation(client, program):
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    assert nav_of(client.get(reverse("organizations:detail", args=[program.organization.slug])).content.decode()) == []
    assert nav_of(client.get(reverse("home")).content.decode()) == []


def test_step_bar_links_to_each_step(client, program):
    user = member(program, Role.MENTEE)
    client.force_login(user)
    page = client.get(reverse("matching:profile", args=[program.organization.slug, program.slug])).content.decode()
    steps = re.search(r'<ol class="steps".*?</ol>', page, re.S).group(0)
    base = f"/o/{program.organization.slug}/p/{program.slug}/"
    assert re.findall(r'href="([^"]+)"', steps) == [
        base + "profile/",
        base + "questionnaire/",
        base + "recommendations/",
    ]
    assert 'aria-current="step">Your profile' in steps


def test_paired_mentee_can_still_edit_their_answers(client, program):
    mentee = member(program, Role.MENTEE, full_name="Mia Mentee")
    mentor = member(program, Role.MENTOR, full_name="Nora Mentor")
    Pairing.objects.create(program=program, mentor=mentor.memberships.get(), mentee=mentee.memberships.get())
    client.force_login(mentee)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "Your mentor: Nora Mentor</h3>" in page
    questionnaire = reverse("matching:questionnaire", args=[program.organization.slug, program.slug])
    assert f'<a href="{questionnaire}">Edit your answers</a>' in page


def test_the_links_follow_a_new_role_and_a_flow_switched_on_with_no_other_write(client, program):
    """The links are kept by the program's row and the visitor's roles (mentorship.portal.context_processors):
    a role given or a flow switched on shows on the next page, with the current page marked on each."""
    program.mentee_requests_enabled = False
    program.save()
    mentor = member(program, Role.MENTOR)
    client.force_login(mentor)
    overview = reverse("portal:program", args=[program.organization.slug, program.slug])
    labels = [label for label, _current in nav_of(client.get(overview).content.decode())]
    assert "Session requests" not in labels and "People" not in labels
    program.mentee_requests_enabled = True
    program.save()
    labels = [label for label, _current in nav_of(client.get(overview).content.decode())]
    assert "Session requests" in labels and "People" not in labels
    mentor.memberships.create(organization=program.organization, program=program, role=Role.PROGRAM_ADMIN)
    people = reverse("organizations:program_people", args=[program.organization.slug, program.slug])
    links = nav_of(client.get(people).content.decode())
    assert ("People", True) in links and ("Overview", False) in links
    assert ("Overview", True) in nav_of(client.get(overview).content.decode())

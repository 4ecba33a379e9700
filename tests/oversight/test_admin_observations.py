"""Program admins see every observation of the program and add their own on a mentee (issue 13, point 3), with
a visibility: one kept to "the author and program admins only" is not shown to the mentee's mentors or to the
mentee; one shared with the mentee is."""

from datetime import date

import pytest

from mentorship.oversight.models import Observation
from mentorship.oversight.services import observation_add
from organizations.models import Membership, Role
from tests.factories import member
from tests.oversight.conftest import url
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def admin_membership(program, admin):
    return Membership.objects.get(user=admin, program=program, role=Role.PROGRAM_ADMIN)


def _add(client, program, mentee, **fields):
    data = {"observed_on": "2026-03-04", "text": "Speaks up more", "visibility": "private", **fields}
    return client.post(url(program, "oversight:observation_add", mentee.pk), data)


def test_an_admin_adds_an_observation_on_a_mentee(client, program, admin, admin_membership, activity, mentee):
    client.force_login(admin)
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    assert "Add an observation" in page and "Coding club" in page  # the mentee's activity can be chosen
    response = _add(client, program, mentee, activity=str(activity.pk), visibility="shared")
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert (observation.author, observation.mentee, observation.activity) == (admin_membership, mentee, activity)
    assert (observation.text, observation.visibility, observation.observed_on) == (
        "Speaks up more",
        "shared",
        date(2026, 3, 4),
    )
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    assert "Speaks up more" in page and "Ada Admin" in page and "Edit observation" in page
    listed = client.get(url(program, "oversight:observations")).content.decode()
    assert "Written by" in listed and "<td>Ada Admin</td>" in listed and "Speaks up more" in listed


def test_an_admin_may_tie_it_to_any_session_of_the_mentee(client, program, admin, mentor, mentee):
    other_mentor = member(program, Role.MENTOR).memberships.get()
    session = make_session(other_mentor, day=in_days(4), mentee=mentee)
    client.force_login(admin)
    assert _add(client, program, mentee, session=str(session.pk)).status_code == 302
    assert Observation.objects.get().session == session


def test_a_private_admin_observation_is_kept_from_mentors_and_the_mentee(
    client, program, admin, admin_membership, activity, mentor, mentee
):
    observation_add(
        author=admin_membership, mentee=mentee, observed_on=date(2026, 3, 4), text="Admin only", visibility="private"
    )
    observation_add(
        author=admin_membership, mentee=mentee, observed_on=date(2026, 3, 5), text="For Paul", visibility="shared"
    )
    observation_add(author=mentor, mentee=mentee, observed_on=date(2026, 3, 6), text="Mine", visibility="private")
    client.force_login(mentor.user)
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    assert "For Paul" in page and "Mine" in page and "Admin only" not in page
    my_mentees = client.get(url(program, "oversight:my_mentees")).content.decode()
    assert "<td>2</td>" in my_mentees  # the two observations the mentor may see
    private = Observation.objects.get(text="Admin only")
    assert client.get(url(program, "oversight:observation_edit", private.pk)).status_code == 403
    client.force_login(mentee.user)
    page = client.get(url(program, "oversight:my_follow_up")).content.decode()
    assert "For Paul" in page and "Admin only" not in page and "Mine" not in page
    client.force_login(admin)
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    assert "For Paul" in page and "Mine" in page and "Admin only" in page


def test_the_admin_form_keeps_what_was_typed_and_says_what_is_wrong(client, program, admin, activity, mentee):
    session = make_session(member(program, Role.MENTOR).memberships.get(), day=in_days(4), mentee=mentee)
    client.force_login(admin)
    response = _add(client, program, mentee, text="Half a thought", activity=str(activity.pk), session=str(session.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose an activity or a mentorship session, not both." in page and "Half a thought" in page
    assert 'class="error-summary"' in page
    assert not Observation.objects.exists()


def test_an_organization_admin_writes_in_their_organization_role(client, program, mentee):
    boss = member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Org")
    client.force_login(boss)
    assert _add(client, program, mentee).status_code == 302
    assert Observation.objects.get().author == Membership.objects.get(user=boss, role=Role.ORGANIZATION_ADMIN)


def test_a_mentor_who_does_not_follow_the_mentee_and_the_mentee_cannot_add(client, program, mentee):
    for user in (member(program, Role.MENTOR), mentee.user):
        client.force_login(user)
        assert _add(client, program, mentee).status_code == 403
    assert not Observation.objects.exists()

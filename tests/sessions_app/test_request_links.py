"""Every link the request emails carry, opened by GET or HEAD (as a mail scanner would), changes no row."""

from django.apps import apps
from django.core import mail
from django.test import Client

from organizations.models import Role
from sessions_app.services.requests import mentor_offer_create, session_request_create, session_request_decline
from tests.factories import member
from tests.test_links_are_safe import emailed_links


def snapshot() -> dict:
    models = [m for m in apps.get_models() if m._meta.app_label in {"sessions_app", "matching", "organizations"}]
    return {m._meta.label: sorted(map(repr, m._base_manager.values())) for m in models}


def test_request_and_offer_links_change_nothing(program, mentor, mentee, sent):
    second = member(program, Role.MENTOR, full_name="Second Mentor").memberships.get()
    with sent():
        session_request_create(mentee=mentee, mentor=mentor, message="Hello")
        declined = session_request_create(mentee=mentee, mentor=second, message="And you?")
        session_request_decline(request=declined, note="Not this month")
        mentor_offer_create(mentor=second, mentee=mentee, message="Let me help")
    assert len(mail.outbox) == 4  # two requests to mentors, a decline, an offer
    links = emailed_links()
    assert any("/session-requests/" in link for link in links)
    assert any("/my-requests/" in link for link in links)
    assert any("/mentors/" in link for link in links)
    visitors = [Client()]
    for person in (mentor.user, second.user, mentee.user):
        visitor = Client()
        visitor.force_login(person)
        visitors.append(visitor)
    before = snapshot()
    for visitor in visitors:
        for link in sorted(links):
            for method in (visitor.get, visitor.head):
                assert method(link).status_code < 500, link
    assert snapshot() == before

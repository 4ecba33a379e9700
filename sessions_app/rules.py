"""Permissions of sessions. ``obj`` is the Program, except where a permission names another object."""

import rules

from organizations.rules import can_manage_program, is_mentee, is_mentor, is_program_participant
from sessions_app.models import Booking, MentorshipSession


@rules.predicate
def is_session_mentor(user, session: MentorshipSession) -> bool:
    return user.is_authenticated and session.mentor.user_id == user.pk


@rules.predicate
def manages_session_program(user, session: MentorshipSession) -> bool:
    return can_manage_program.test(user, session.program)


@rules.predicate
def is_session_program_mentee(user, session: MentorshipSession) -> bool:
    return is_mentee.test(user, session.program)


@rules.predicate
def is_party_to_booking(user, booking: Booking) -> bool:
    return user.is_authenticated and user.pk in (booking.mentee.user_id, booking.session.mentor.user_id)


@rules.predicate
def manages_booking_program(user, booking: Booking) -> bool:
    return can_manage_program.test(user, booking.session.program)


rules.add_perm("sessions_app.view_mentorship", is_program_participant)
rules.add_perm("sessions_app.create_session", is_mentor | can_manage_program)
# ``obj`` is the session: its own mentor, or whoever manages its program.
rules.add_perm("sessions_app.edit_session", is_session_mentor | manages_session_program)
# ``obj`` is the session; its loader already answered 404 for a session the person may not see.
rules.add_perm("sessions_app.book_session", is_session_program_mentee)
# ``obj`` is the booking: its mentee, the session's mentor, or whoever manages the program.
rules.add_perm("sessions_app.cancel_booking", is_party_to_booking | manages_booking_program)


# Requests in both directions (F6). ``obj`` is the Program unless named.
@rules.predicate
def is_request_mentor(user, request) -> bool:
    return user.is_authenticated and request.mentor.user_id == user.pk


@rules.predicate
def is_offer_mentee(user, offer) -> bool:
    return user.is_authenticated and offer.mentee.user_id == user.pk


rules.add_perm("sessions_app.request_session", is_mentee)
rules.add_perm("sessions_app.view_session_requests", is_mentor)
# ``obj`` is the SessionRequest: only the mentor it was sent to answers it.
rules.add_perm("sessions_app.answer_session_request", is_request_mentor)
rules.add_perm("sessions_app.search_mentees", is_mentor)
rules.add_perm("sessions_app.view_mentorship_requests", is_mentee)
# ``obj`` is the MentorOffer: only the mentee it was sent to opens or dismisses it.
rules.add_perm("sessions_app.answer_mentor_offer", is_offer_mentee)

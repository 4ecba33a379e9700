"""Permissions of matching. ``obj`` is the Program, except where a permission names another object."""

import rules

from matching.models import Pairing
from organizations.rules import can_manage_program, is_mentee, is_mentor


@rules.predicate
def is_party_to_pairing(user, pairing: Pairing) -> bool:
    return user.is_authenticated and user.pk in (pairing.mentor.user_id, pairing.mentee.user_id)


@rules.predicate
def manages_pairing_program(user, pairing: Pairing) -> bool:
    return can_manage_program.test(user, pairing.program)


rules.add_perm("matching.answer_questionnaire", is_mentor | is_mentee)
rules.add_perm("matching.view_recommendations", is_mentee)
rules.add_perm("matching.select_mentors", is_mentee)
rules.add_perm("matching.manage_pairing", can_manage_program)
# ``obj`` is the Pairing: its mentor, its mentee, or whoever manages its program.
rules.add_perm("matching.end_pairing", is_party_to_pairing | manages_pairing_program)


@rules.predicate
def is_requests_mentor(user, mentor_request) -> bool:
    return user.is_authenticated and mentor_request.mentor.user_id == user.pk


rules.add_perm("matching.answer_requests", is_mentor)
# ``obj`` is the MentorRequest: only the mentor it was sent to.
rules.add_perm("matching.answer_request", is_requests_mentor)

"""Permissions of the life of a pairing. ``obj`` is the Program, except where a permission names another object."""

import rules

from matching.models import Pairing
from mentorship.pairings.models import Message
from organizations.rules import can_manage_program


@rules.predicate
def is_party_to_pairing(user, pairing: Pairing) -> bool:
    return user.is_authenticated and user.pk in (pairing.mentor.user_id, pairing.mentee.user_id)


@rules.predicate
def is_mentor_of_pairing(user, pairing: Pairing) -> bool:
    return user.is_authenticated and pairing.mentor.user_id == user.pk


@rules.predicate
def is_party_to_goal(user, goal) -> bool:
    return is_party_to_pairing.test(user, goal.agreement.pairing)


@rules.predicate
def is_mentee_of_pairing(user, pairing: Pairing) -> bool:
    return user.is_authenticated and pairing.mentee.user_id == user.pk


@rules.predicate
def is_respondent(user, request) -> bool:
    return user.is_authenticated and request.respondent.user_id == user.pk


@rules.predicate
def is_recipient_of_message(user, message: Message) -> bool:
    pairing = message.pairing
    return user.is_authenticated and message.author.user_id != user.pk and is_party_to_pairing.test(user, pairing)


# ``obj`` is the Pairing: only its mentor and its mentee, never the program's admins.
rules.add_perm("pairings.converse", is_party_to_pairing)
# ``obj`` is the Message: the person it was written to.
rules.add_perm("pairings.report_message", is_recipient_of_message)
# ``obj`` is the Pairing: its mentor signs the agreement off or asks for changes.
rules.add_perm("pairings.sign_agreement", is_mentor_of_pairing)
# ``obj`` is the Goal: either of the pair.
rules.add_perm("pairings.mark_goal", is_party_to_goal)
# ``obj`` is the FeedbackRequest: the person asked.
rules.add_perm("pairings.answer_feedback", is_respondent)
# ``obj`` is the Pairing: its mentee ends it as "not a good fit" and chooses again.
rules.add_perm("pairings.rematch", is_mentee_of_pairing)
# ``obj`` is the CycleSurvey: the person asked.
rules.add_perm("pairings.answer_survey", is_respondent)
# On the program: who sees which pairs talked and when, and the reported messages.
rules.add_perm("pairings.oversee", can_manage_program)

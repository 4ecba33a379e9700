"""Permissions of oversight. ``obj`` is the Program, except where a permission names another object.

Mentors oversee and follow up (seed 003): they see the activities they are assigned to and the mentees they
follow, and write observations; they never create or change activities, attendees or schedules. Program admins
see every observation of the program and write observations too.
"""

import rules
from django_scopes import scopes_disabled

from matching.models import Pairing, PairingStatus
from mentorship.oversight.models import Activity, Observation
from organizations.models import Membership, Role
from organizations.rules import can_manage_program, is_mentee, is_mentor
from sessions_app.models import MentorshipSession


def follows(user, mentee: Membership) -> bool:
    """Whether ``user`` mentors ``mentee``: an active pairing, or an activity of theirs the mentee attends."""
    if not user.is_authenticated or mentee.role != Role.MENTEE:
        return False
    with scopes_disabled():
        paired = Pairing.objects.filter(
            mentee=mentee, mentor__user=user, mentor__program_id=mentee.program_id, status=PairingStatus.ACTIVE
        ).exists()
        return (
            paired
            or Activity.objects.filter(
                program_id=mentee.program_id, mentees=mentee, mentors__user=user, archived=False
            ).exists()
        )


@rules.predicate
def manages_mentee_program(user, mentee: Membership) -> bool:
    return can_manage_program.test(user, mentee.program)


@rules.predicate
def follows_mentee(user, mentee: Membership) -> bool:
    return is_mentor.test(user, mentee.program) and follows(user, mentee)


@rules.predicate
def is_assigned_mentor(user, activity: Activity) -> bool:
    return user.is_authenticated and activity.mentors.filter(user=user).exists()


@rules.predicate
def manages_activity_program(user, activity: Activity) -> bool:
    return can_manage_program.test(user, activity.program)


@rules.predicate
def may_edit_observation(user, observation: Observation) -> bool:
    return observation.editable_by(user)


@rules.predicate
def is_session_mentor(user, session: MentorshipSession) -> bool:
    return user.is_authenticated and session.mentor.user_id == user.pk


@rules.predicate
def manages_session_program(user, session: MentorshipSession) -> bool:
    return can_manage_program.test(user, session.program)


rules.add_perm("oversight.manage_activities", can_manage_program)
# ``obj`` is the activity: whoever manages its program, or a mentor assigned to it (read-only).
rules.add_perm("oversight.view_activity", manages_activity_program | is_assigned_mentor)
rules.add_perm("oversight.view_my_mentees", is_mentor)
# ``obj`` is the mentee's membership.
rules.add_perm("oversight.follow_mentee", manages_mentee_program | follows_mentee)
# Mentors who follow the mentee, and whoever manages the program (issue 13: admins see all and may add).
rules.add_perm("oversight.add_observation", follows_mentee | manages_mentee_program)
# ``obj`` is the observation: its author, within 24 hours.
rules.add_perm("oversight.edit_observation", may_edit_observation)
rules.add_perm("oversight.view_own_follow_up", is_mentee)
# ``obj`` is the session: its mentor, or whoever manages its program.
rules.add_perm("oversight.record_session_attendance", is_session_mentor | manages_session_program)

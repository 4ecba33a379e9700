"""Permissions of matching. ``obj`` is the Program."""

import rules

from organizations.rules import can_manage_program, is_mentee, is_mentor

rules.add_perm("matching.answer_questionnaire", is_mentor | is_mentee)
rules.add_perm("matching.view_recommendations", is_mentee)
rules.add_perm("matching.manage_pairing", can_manage_program)

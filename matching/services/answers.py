"""Answers to the questionnaire, and a mentor's own capacity."""

from django.db import transaction
from django.db.models import F

from matching import matchmaking
from matching.models import Answer, Question
from matching.services.completion import completion_refresh
from matching.services.demand import demand_refresh_after_commit
from mentorship.stamps import bump_programs
from organizations.models import Membership, Program, Role


def bump_matching_version(program: Program) -> None:
    """The cached mentor side is rebuilt on next read: for bulk writes, which send no signals."""
    Program.objects.filter(pk=program.pk).update(matching_version=F("matching_version") + 1)
    bump_programs([program.pk])  # an update sends no signal


@transaction.atomic
def answers_save(*, membership: Membership, answers: dict[Question, object]) -> None:
    """Store a person's answers (None or empty clears one); recommendations follow at once.

    ``answers`` maps each question to its value as stored: option ids (a list)
    for choice questions, a number, or text. A mentor's change bumps the
    program's matching version, so the cached mentor side is rebuilt; a mentee's, after the commit, the
    stamp of the cached mentee side.
    """
    for question, value in answers.items():
        if value in (None, "", []):
            Answer.objects.filter(membership=membership, question=question).delete()
        else:
            Answer.objects.update_or_create(membership=membership, question=question, defaults={"value": value})
    completion_refresh(program_id=membership.program_id, membership_ids=[membership.pk])
    if membership.role == Role.MENTOR:
        bump_matching_version(membership.program)
    else:
        program_id = membership.program_id
        transaction.on_commit(lambda: matchmaking.mentee_answers_changed(program_id))
    demand_refresh_after_commit(program=membership.program)


@transaction.atomic
def capacity_set(*, membership: Membership, capacity: int | None) -> Membership:
    """Set a mentor's capacity (None: the program's default), within the program's maximum."""
    program = membership.program
    if capacity is not None and not 1 <= capacity <= program.max_capacity:
        raise ValueError(f"capacity must be between 1 and {program.max_capacity}")
    membership.capacity = capacity
    membership.save(update_fields=["capacity"])
    return membership

"""Whether each mentee and mentor has answered every required question asked of their role, kept on their
membership (``Membership.questionnaire_complete``) so that the program dashboard counts it without grouping
every answer of the program.

Answers send no signals (matching.signals), so every path that writes answers, questions or a member's role
calls ``completion_refresh``: the answer service and the answers' admin for one person, the questionnaire
services and the questions' signals for the whole program, bulk loaders (seed_demo, the benchmarks) after
their inserts. Deleting a membership deletes its flag with it.
"""

from collections.abc import Iterable

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django_scopes import scopes_disabled

from matching.models import Answer, Audience, Question
from mentorship.stamps import bump_programs
from organizations.models import Membership, Role

ROLES = (Role.MENTEE, Role.MENTOR)


def completion_refresh(*, program_id: int | None, membership_ids: Iterable[int] | None = None) -> int:
    """Recompute the flag of the program's mentees and mentors (or of ``membership_ids`` only, within the
    program): three statements, the required questions then one UPDATE per role whose answers are grouped
    once. Returns how many flags changed. Other roles' flags stay False."""
    if not program_id:
        return 0
    ids = None if membership_ids is None else list(membership_ids)
    updated = 0
    with scopes_disabled():
        required = list(Question.objects.filter(program_id=program_id, required=True).values_list("pk", "audience"))
        for role in ROLES:
            asked = [pk for pk, audience in required if audience in (Audience.BOTH, role)]
            people = Membership._base_manager.filter(program_id=program_id, role=role)
            answers = Answer.objects.filter(question_id__in=asked)
            if ids is not None:
                people, answers = people.filter(pk__in=ids), answers.filter(membership_id__in=ids)
            if not asked:
                updated += people.filter(questionnaire_complete=False).update(questionnaire_complete=True)
                continue
            done = (
                answers.order_by()
                .values("membership_id")
                .annotate(n=Count("pk"))
                .filter(n__gte=len(asked))
                .values("membership_id")
            )
            # Only the rows that change are written (a question edit at 10,000 members rewrites few).
            changed = people.filter(~Q(questionnaire_complete=ExpressionWrapper(Q(pk__in=done), BooleanField())))
            updated += changed.update(questionnaire_complete=ExpressionWrapper(Q(pk__in=done), BooleanField()))
    if updated:
        bump_programs([program_id])  # updates send no signal
    return updated

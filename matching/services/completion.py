"""Whether each mentee and mentor has answered every required question asked of their role, kept on their
membership (``Membership.questionnaire_complete``) so that the program dashboard counts it without grouping
every answer of the program.

Answers send no signals (matching.signals), so every path that writes answers, questions or a member's role
calls ``completion_refresh``: the answer service and the answers' admin for one person, the questionnaire
services and the questions' signals for the whole program, bulk loaders (seed_demo, the benchmarks) after
their inserts. Deleting a membership deletes its flag with it.
"""

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django_scopes import scopes_disabled

from matching.models import Answer, Audience, Question
from organizations.models import Membership, Role

ROLES = (Role.MENTEE, Role.MENTOR)


def _count(queryset, group: str) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def completion_refresh(*, program_id: int | None, membership_ids: Iterable[int] | None = None) -> int:
    """Recompute the flag of the program's mentees and mentors (or of ``membership_ids`` only, within the
    program) in one UPDATE; returns how many memberships were updated. Other roles' flags stay False."""
    if not program_id:
        return 0
    asked = Q(required=True) & (Q(audience=Audience.BOTH) | Q(audience=OuterRef("role")))
    with scopes_disabled():
        questions = _count(Question.objects.filter(asked, program_id=OuterRef("program_id")), "program_id")
        answered = _count(
            Answer.objects.filter(
                Q(question__required=True)
                & (Q(question__audience=Audience.BOTH) | Q(question__audience=OuterRef("role"))),
                membership_id=OuterRef("pk"),
                question__program_id=OuterRef("program_id"),
            ),
            "membership_id",
        )
        people = Membership._base_manager.filter(program_id=program_id, role__in=ROLES)
        if membership_ids is not None:
            people = people.filter(pk__in=list(membership_ids))
        return people.update(questionnaire_complete=GreaterThanOrEqual(answered, questions))

"""The next step a person has in a program, for the program page (seed 000's flow)."""

from django import template

from matching import selectors
from matching.models import PairingStatus
from organizations.models import Membership, Role

register = template.Library()


@register.inclusion_tag("matching/_next_step.html", takes_context=True)
def matching_next_step(context) -> dict:
    request = context["request"]
    program = request.program
    memberships = list(
        Membership.objects.filter(program=program, user=request.user, role__in=[Role.MENTOR, Role.MENTEE])
    )
    steps = []
    for membership in memberships:
        membership.program = program
        questionnaire = selectors.questionnaire_for(program)
        progress = selectors.progress_of(questionnaire, membership, selectors.answers_of(membership))
        pairings = selectors.pairings_for(program).filter(status=PairingStatus.ACTIVE)
        mine = list(pairings.filter(**{membership.role: membership}))
        steps.append({"membership": membership, "progress": progress, "pairings": mine})
    return {"request": request, "steps": steps, "can_pair": request.user.has_perm("matching.manage_pairing", program)}

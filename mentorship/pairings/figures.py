"""The dashboard's figures of the life of pairings (issue 16, point 6), for the oversight dashboard to show.

Plain reads returning plain values: the lead wires them into the program dashboard (issue 13) with its
tables and CSV. Each runs a fixed number of queries whatever the program's size. Never any text of a pair.
"""

import csv
import io
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils import timezone

from matching.models import Pairing, PairingStatus
from mentorship.pairings import selectors
from mentorship.pairings.models import Agreement, AgreementStatus, CycleSurvey, FeedbackRequest, Goal, Message
from mentorship.pairings.services import nps
from organizations.models import Program


@dataclass(frozen=True)
class PairingFigures:
    active_pairs: int
    pairs_talked: int  # active pairs with at least one message
    agreements_signed: int
    goals_total: int
    goals_done: int
    average_rating: float | None  # session feedback, out of 4
    feedback_answers: int
    needs_check_in: int
    nps: int | None = None  # the current cycle's end-of-program survey


def program_figures(program: Program) -> PairingFigures:
    active = Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
    talked = active.filter(pk__in=Message.objects.filter(program=program).values("pairing_id")).count()
    goals = Goal.objects.filter(program=program, agreement__status=AgreementStatus.SIGNED).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False))
    )
    ratings = FeedbackRequest.objects.filter(program=program, answered_at__isnull=False).aggregate(
        average=Avg("rating"), answers=Count("pk")
    )
    return PairingFigures(
        active_pairs=active.count(),
        pairs_talked=talked,
        agreements_signed=Agreement.objects.filter(program=program, status=AgreementStatus.SIGNED).count(),
        goals_total=goals["total"],
        goals_done=goals["done"],
        average_rating=round(ratings["average"], 2) if ratings["average"] is not None else None,
        feedback_answers=ratings["answers"],
        needs_check_in=len(needs_check_in_pairs(program)),
        nps=nps(
            list(
                CycleSurvey.objects.filter(
                    program=program, cycle_ends_on=program.cycle_ends_on, answered_at__isnull=False
                ).values_list("satisfaction", flat=True)
            )
        ),
    )


def needs_check_in_pairs(program: Program) -> list[Pairing]:
    """The program's active pairs that went quiet, quietest first (the "Needs check-in" table)."""
    now = timezone.now()
    pairings = selectors.with_last_activity(
        Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE).select_related(
            "mentor__user", "mentee__user"
        )
    ).order_by("last_activity")
    return [p for p in pairings if selectors.needs_check_in(p, now)]


def pairs_table(program: Program) -> list[dict]:
    """One row per pairing: who, whether and when they last talked, agreement and goals (no text)."""
    return [
        {
            "mentor": p.mentor.user.full_name,
            "mentee": p.mentee.user.full_name,
            "status": p.status,
            "messages": p.message_count,
            "last_message_at": p.last_message_at.isoformat() if p.last_message_at else "",
            "agreement": p.agreement_status or "",
            "goals_done": p.goals_done,
            "goals_total": p.goals_total,
            "last_activity": p.last_activity.isoformat(),
            "needs_check_in": selectors.needs_check_in(p),
        }
        for p in selectors.pairings_with_talk(program)
    ]


def pairs_csv(program: Program) -> str:
    rows = pairs_table(program)
    out = io.StringIO()
    fields = list(rows[0]) if rows else ["mentor", "mentee", "status"]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()

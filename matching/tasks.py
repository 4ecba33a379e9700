"""Background work of matching: thin tasks that take ids, load, and call a service.

Services queue these by name (``matching.queue``) after their transaction commits.
"""

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from matching.models import AutoPairRun, RunStatus
from matching.services.demand import demand_refresh
from matching.services.pairing import autopair_compute, autopair_confirm
from mentorship import stamps
from organizations.models import Program


@shared_task
def compute_autopair(run_id: int) -> None:
    with scopes_disabled():
        run = AutoPairRun.objects.select_related("program__organization").get(pk=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return  # already computed or decided: a redelivered task changes nothing
        autopair_compute(run=run)


@shared_task
def refresh_demand(program_id: int) -> None:
    with scopes_disabled():
        program = Program.objects.select_related("organization").get(pk=program_id)
        demand_refresh(program=program)


@shared_task
def confirm_autopair(run_id: int) -> None:
    with scopes_disabled():
        autopair_confirm(run=AutoPairRun.objects.get(pk=run_id))


@shared_task
def send_request_emails(kind: str, *ids: int) -> None:
    """Render and send the emails of ranked requests moved by a service or the sweep (ids of one kind)."""
    from matching import emails
    from matching.models import MentorRequest, RequestState
    from matching.services.requests import REMINDER, SENT, USED_UP

    with scopes_disabled():
        if kind in (SENT, REMINDER):
            with transaction.atomic():
                requests = MentorRequest.objects.select_related(
                    "program__organization", "mentor__user", "mentee__user"
                ).filter(pk__in=ids, state=RequestState.WAITING)
                if kind == SENT:  # a retried task, or the sweep's retry, writes nothing twice (keys too)
                    requests = requests.filter(mailed_at__isnull=True).select_for_update(of=("self",), skip_locked=True)
                requests = list(requests)
                for request in requests:
                    emails.request_sent(request, reminder=kind == REMINDER)
                if kind == SENT:
                    MentorRequest.objects.filter(pk__in=[r.pk for r in requests]).update(mailed_at=timezone.now())
                    stamps.bump_programs({r.program_id for r in requests})
        elif kind == USED_UP:
            _send_used_up(ids)


def _send_used_up(ids: tuple[int, ...]) -> None:
    """The mentee and the program admins are told, once per selection (a retried task or the sweep's finds
    it mailed, or locked by the other run)."""
    from matching import emails
    from matching.models import MentorSelection
    from organizations.models import Membership, Role

    with transaction.atomic():
        selections = list(
            MentorSelection.objects.select_related("program__organization", "mentee__user")
            .select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=ids, mailed_at__isnull=True)
        )
        admins: dict[int, list] = {}
        for m in Membership.objects.select_related("user").filter(
            program_id__in={s.program_id for s in selections}, role=Role.PROGRAM_ADMIN
        ):
            admins.setdefault(m.program_id, []).append(m.user)
        for selection in selections:
            emails.choices_used_up(selection, admins.get(selection.program_id, []))
        MentorSelection.objects.filter(pk__in=[s.pk for s in selections]).update(mailed_at=timezone.now())
        stamps.bump_programs({s.program_id for s in selections})


@shared_task
def expire_requests() -> None:
    """The beat entry: the ranked requests' sweep (``matching.services.requests.sweep``)."""
    from matching.services.requests import sweep

    sweep()


@shared_task
def send_select_mentors_emails(program_id: int) -> None:
    """Email "Select your mentors" to every mentee who may select now, for the program's current opening.

    One email per mentee per opening (the outbox key): a retried task, or a second click, sends nothing twice.
    """
    from matching.services.selection import invite_to_select, mentees_to_invite, opening_occasion, selection_is_open

    with scopes_disabled():
        program = Program.objects.select_related("organization").get(pk=program_id)
        if not selection_is_open(program):
            return
        occasion = opening_occasion(program)
        mentees = list(mentees_to_invite(program))
        for start in range(0, len(mentees), 200):
            with transaction.atomic():
                for mentee in mentees[start : start + 200]:
                    invite_to_select(program, mentee, occasion=occasion)

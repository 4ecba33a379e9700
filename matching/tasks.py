"""Background work of matching: thin tasks that take ids, load, and call a service.

Services queue these by name (``matching.queue``) after their transaction commits.
"""

from celery import shared_task
from django_scopes import scopes_disabled

from matching.models import AutoPairRun, RunStatus
from matching.services.demand import demand_refresh
from matching.services.pairing import autopair_compute, autopair_confirm
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

"""Background work of matching: thin tasks that take ids and call a service."""

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django_scopes import scopes_disabled

from matching.models import AutoPairRun, RunStatus
from matching.selectors import demand_key
from matching.services.pairing import autopair_compute, mentor_demand
from organizations.models import Program


@shared_task
def compute_autopair(run_id: int) -> None:
    with scopes_disabled():
        run = AutoPairRun.objects.select_related("program__organization").get(pk=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return  # already computed or decided: a redelivered task changes nothing
        try:
            autopair_compute(run=run)
        except Exception as error:
            AutoPairRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(error)[:2000])
            raise


def _queued_flag(program_id: int) -> str:
    return f"matching:demand-queued:{program_id}"


@shared_task
def refresh_demand(program_id: int) -> None:
    cache.delete(_queued_flag(program_id))
    with scopes_disabled():
        program = Program.objects.select_related("organization").get(pk=program_id)
        demand = mentor_demand(program)
    if demand is not None:
        cache.set(demand_key(program), demand, timeout=24 * 3600)


def queue_demand_refresh(program: Program) -> None:
    """Recount demand after this transaction commits; a burst of answers queues it once."""

    def queue() -> None:
        if cache.add(_queued_flag(program.pk), 1, timeout=60):
            refresh_demand.delay(program.pk)

    transaction.on_commit(queue)

"""The demand on each mentor, recounted in the background after answers or questions change.

Recommendations spread demand with it (see ``matchmaking.recommendations_for``). A flag in the cache
says a recount is already queued, so a burst of answers queues one.
"""

from django.core.cache import cache
from django.db import transaction

from matching import matchmaking
from matching.queue import REFRESH_DEMAND, enqueue
from mentorship import stamps
from organizations.models import Program


def _queued_flag(program_id: int) -> str:
    return f"matching:demand-queued:{program_id}"


def demand_refresh_after_commit(*, program: Program) -> None:
    """Recount the program's demand once this transaction commits; a burst of changes queues it once."""

    def queue() -> None:
        if cache.add(_queued_flag(program.pk), 1, timeout=60):
            enqueue(REFRESH_DEMAND, program.pk)

    transaction.on_commit(queue)


def demand_refresh(*, program: Program) -> None:
    """Recount the program's demand now and keep it for recommendations (what the queued task does)."""
    cache.delete(_queued_flag(program.pk))
    demand = matchmaking.mentor_demand(program)
    if demand is not None:
        matchmaking.remember_demand(program, demand)
        stamps.bump_programs([program.pk])  # recommendations show it: what was kept without it is stale

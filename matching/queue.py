"""Queue matching's background tasks by name, so that services need not import the tasks that call them.

Tasks import services (a task takes ids, loads, and calls a service); a service that queues a task names
it here instead of importing it, and imports keep pointing one way. ``MatchingConfig.ready`` imports
``matching.tasks``, so in every process a name finds the registered task, and ``task_always_eager`` (tests,
a laptop without a worker) still runs it in place, which Celery's ``send_task`` would not.
"""

from celery import current_app

COMPUTE_AUTOPAIR = "matching.tasks.compute_autopair"
REFRESH_DEMAND = "matching.tasks.refresh_demand"
CONFIRM_AUTOPAIR = "matching.tasks.confirm_autopair"


def enqueue(task_name: str, *args: int) -> None:
    """Queue the task ``task_name`` with ``args`` now; call it from ``transaction.on_commit``."""
    current_app.tasks[task_name].delay(*args)


SEND_REQUEST_EMAILS = "matching.tasks.send_request_emails"
SEND_SELECT_MENTORS_EMAILS = "matching.tasks.send_select_mentors_emails"

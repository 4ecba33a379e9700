"""Move on every mentor request whose deadline passed and send the reminders due (what the beat entry runs).

    python manage.py expire_requests

Safe to run twice at once and again after a crash: see ``matching.services.requests.sweep``.
"""

from django.core.management.base import BaseCommand

from matching.services.requests import sweep


class Command(BaseCommand):
    help = "Move expired mentor requests on to each mentee's next choice, and send due reminders."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options) -> None:
        result = sweep(batch_size=batch_size)
        self.stdout.write(
            f"programs={result.programs} moved_on={result.moved_on} reminded={result.reminded} "
            f"remailed={result.remailed}"
        )

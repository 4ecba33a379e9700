"""Auto-pair a program from the command line: the computation behind "Auto-pair all", then its approval.

    python manage.py autopair <organization-slug> <program-slug> [--dry-run]

The run is recorded like one started from the pairing page (an AutoPairRun with
its proposals), computed here rather than by the worker. With ``--dry-run`` the
preview is printed and then discarded, so no pairing is saved.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django_scopes import scope

from matching import matchmaking
from matching.models import AutoPairProposal, AutoPairRun, RunStatus
from matching.services.pairing import autopair_approve, autopair_compute, autopair_discard
from organizations.models import Organization, Program


class Command(BaseCommand):
    help = "Pair every unpaired mentee of a program with the best mentor with room (global optimum), and save it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="the organization's slug")
        parser.add_argument("program", help="the program's slug")
        parser.add_argument("--dry-run", action="store_true", help="compute and print the result; save no pairing")

    def handle(self, *args, organization: str, program: str, dry_run: bool, **options) -> None:
        tenant = Organization.objects.filter(slug=organization).first()
        if tenant is None:
            raise CommandError(f"No organization has the slug {organization!r}.")
        with scope(organization=tenant):
            found = Program.objects.filter(organization=tenant, slug=program).first()
            if found is None:
                slugs = ", ".join(Program.objects.filter(organization=tenant).values_list("slug", flat=True))
                raise CommandError(f"{tenant.name} has no program {program!r}. Its programs: {slugs or 'none'}.")
            found.organization = tenant
            with scope(organization=tenant, program=found):
                self._run(found, dry_run)

    def _run(self, program: Program, dry_run: bool) -> None:
        places = matchmaking.mentor_places(program)
        self.stdout.write(f"Auto-pairing {program.organization.name} / {program.name}")
        self.stdout.write(f"  Mentors:            {len(places.ids)} with {int(places.free.sum())} free places")
        run = self._compute(program)
        self._print_summary(run)
        if dry_run:
            autopair_discard(run=run)
            self.stdout.write(self.style.WARNING("Dry run: no pairing saved (the preview is discarded)."))
            return
        summary = autopair_approve(run=run, by=None)
        message = f"Saved {summary['saved']} pairings"
        if summary["skipped"]:
            message += f"; {summary['skipped']} skipped (the mentee or the mentor changed meanwhile)"
        self.stdout.write(self.style.SUCCESS(message + "."))

    def _compute(self, program: Program) -> AutoPairRun:
        unfinished = AutoPairRun.objects.filter(program=program, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        if unfinished.exists():
            self.stderr.write("Note: another auto-pairing of this program is queued or computing.")
        run = AutoPairRun.objects.create(program=program)
        run.program = program
        try:
            return autopair_compute(run=run)  # marks the run failed, as it does for the worker's task
        except Exception as error:
            raise CommandError(f"Auto-pairing failed: {error}") from error

    def _print_summary(self, run: AutoPairRun) -> None:
        summary = run.summary
        reasons = (
            AutoPairProposal.objects.filter(run=run, mentor__isnull=True)
            .values_list("unassigned_reason")
            .annotate(n=Count("pk"))
            .order_by("-n", "unassigned_reason")
        )
        lines = [
            f"  Mentees considered: {summary.get('mentees', 0)}",
            f"  Paired:             {summary.get('paired', 0)}",
            f"  Unassigned:         {summary.get('unassigned', 0)}",
            *(f"    {reason or 'no reason given'}: {n}" for reason, n in reasons),
            f"  Average score:      {summary.get('average', 0)}",
            f"  Total score:        {summary.get('total', 0)}{self._versus_greedy(summary)}",
            f"  Compute:            {summary.get('compute_s', 0)} s (the whole run: {summary.get('total_s', 0)} s)",
        ]
        self.stdout.write("\n".join(lines))

    def _versus_greedy(self, summary: dict) -> str:
        greedy = summary.get("greedy_total")
        if greedy is None:
            return ""
        gain = f", {100 * (summary['total'] - greedy) / greedy:+.1f}%" if greedy else ""
        return f" (greedy baseline: {greedy}{gain})"

"""Back up the whole platform's database to one file, with PostgreSQL's own tools.

    python manage.py backup_platform --output mentorship-2026-12-02.dump

The file is pg_dump's custom format (compressed, every table, sequence and
constraint; restorable table by table with pg_restore). Uploaded files live in
MEDIA_ROOT or the storage bucket and are backed up with it, not here.
"""

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mentorship.backups import libpq_environment, require_postgresql


class Command(BaseCommand):
    help = "Writes a pg_dump (custom format) of the platform's database to --output."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, output: str, **options):
        require_postgresql(connection)
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", output],
            env=libpq_environment(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        self.stdout.write(f"Backed up {connection.settings_dict['NAME']} to {output}")

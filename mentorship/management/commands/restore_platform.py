"""Restore a backup made by ``backup_platform`` into an empty database.

    createdb mentorship_restored
    DATABASE_URL=postgres://.../mentorship_restored python manage.py restore_platform --input file.dump

It refuses a database that already holds tables (restoring over live data would mix
two platforms); ``--into`` names another database on the same server instead of
DATABASE_URL's.
"""

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mentorship.backups import libpq_environment, require_postgresql, table_names


class Command(BaseCommand):
    help = "Restores a backup_platform file into an empty PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="a file written by backup_platform")
        parser.add_argument("--into", help="the database to restore into (default: DATABASE_URL's)")

    def handle(self, *args, input: str, into: str | None, **options):
        require_postgresql(connection)
        database = {**connection.settings_dict, "NAME": into or connection.settings_dict["NAME"]}
        if table_names(database):
            raise CommandError(f"{database['NAME']} is not empty: restore into a new database (createdb).")
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", database["NAME"], input],
            env=libpq_environment(database),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        self.stdout.write(f"Restored {input} into {database['NAME']} ({len(table_names(database))} tables)")

"""Fail when a string of the code has no French translation, or only a fuzzy one.

Runs ``makemessages`` (gettext's xgettext) over the project as a translator would,
reads the refreshed catalogue with Babel, then puts the committed catalogue back
untouched: the check never rewrites what is in git.
"""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORED = [".venv", ".venv/*", "tests/*", "var/*", "staticfiles/*", "node_modules/*"]


class Command(BaseCommand):
    help = "Lists the strings makemessages finds with no French translation or a fuzzy one; fails if any."

    def add_arguments(self, parser):
        parser.add_argument("--locale", default="fr")

    def handle(self, *args, locale: str, **options):
        catalogue = Path(settings.BASE_DIR) / "locale" / locale / "LC_MESSAGES" / "django.po"
        committed = catalogue.read_bytes()
        try:
            call_command("makemessages", locale=[locale], ignore_patterns=IGNORED, no_obsolete=True, verbosity=0)
            with catalogue.open("rb") as source:
                refreshed = read_po(source, locale=locale)
        finally:
            catalogue.write_bytes(committed)
        missing, fuzzy = [], []
        for message in refreshed:
            if not message.id:
                continue
            label = message.id if isinstance(message.id, str) else message.id[0]
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            if message.fuzzy:
                fuzzy.append(f"{label!r} ({where})")
            elif not (all(message.string) if isinstance(message.string, tuple) else message.string):
                missing.append(f"{label!r} ({where})")
        for line in missing:
            self.stdout.write(f"untranslated: {line}")
        for line in fuzzy:
            self.stdout.write(f"fuzzy: {line}")
        total = sum(1 for message in refreshed if message.id)
        summary = f"{total} strings, {len(missing)} untranslated, {len(fuzzy)} fuzzy ({locale})"
        if missing or fuzzy:
            raise CommandError(summary)
        self.stdout.write(summary)

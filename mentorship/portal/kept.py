"""The dashboards' figures, kept (issue 9): computed once per stamp of their programs, not on every view.

The figures are aggregates over every membership, pairing, answer, request and session of a program: some
150 ms at 10,000 mentees. They are kept in the shared cache under the program's stamp
(``mentorship.stamps``, read before the rows), so a committed write anywhere in the program gives the next
view fresh figures, and with what else they depend on: the period, the language of their words and the time
zone of their dates and times. The page's rendered figures are kept in each process (the "fragments" cache)
under the same key, and the links of the person's period beside it.

Some figures change with time alone (a pending invitation passes its date, a session ends, a pair goes
quiet, a mentee waits a day more): each table says when (``Table.changes_at``), and what is kept is used only
until the soonest of those moments. Nothing per person is kept: the dashboards show the same figures to
every program (or organization) admin, and the permission is checked before.

Without the shared cache (Redis down) the stamp is None: the figures are computed for the view and not kept.
"""

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from django.core.cache import cache, caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString

from mentorship import stamps
from mentorship.portal import dashboard
from mentorship.portal.charts import chart

# What is kept is used for at most this long, whatever the stamp: a new release's words and figures then show
# within the hour (a kept Table holds the words it was computed with). The layout of what is kept is in the key.
KEEP_SECONDS = 3600
LAYOUT = 1

T = TypeVar("T")


def keep(store, key: str | None, compute: Callable[[datetime], tuple[T, datetime | None]]) -> tuple[T, datetime | None]:
    """``compute(now)`` gives a value and the moment time alone changes it (None: never): kept in ``store``
    under ``key`` until that moment (at most KEEP_SECONDS); with no key (no stamp) computed and not kept."""
    now = timezone.now()
    if key is not None:
        found = store.get(key)
        if found is not None and (found[1] is None or now < found[1]):
            return found
    value, changes_at = compute(now)
    seconds = KEEP_SECONDS if changes_at is None else min(KEEP_SECONDS, int((changes_at - now).total_seconds()))
    if key is not None and seconds > 0:
        store.set(key, (value, changes_at), seconds)
    return value, changes_at


def _viewing() -> str:
    """What the words and dates of the figures depend on: the language and the time zone of the view."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def _program_key(program, period: dashboard.Period) -> str | None:
    stamp = stamps.program_stamp(program)  # before the rows are read
    if stamp is None:
        return None
    return f"dashboard:{LAYOUT}:program:{program.pk}:{stamp}:{period.start}:{period.end}:{_viewing()}"


def _program_tables(program, period: dashboard.Period, key: str | None):
    def compute(now: datetime):
        figures = dashboard.program_dashboard(program, period, now)
        return figures["tables"], figures["changes_at"]

    return keep(cache, key, compute)


def program_tables(program, period: dashboard.Period) -> list[dashboard.Table]:
    """The program dashboard's tables (the CSV exports)."""
    return _program_tables(program, period, _program_key(program, period))[0]


def program_figures(program, period: dashboard.Period, organization_slug: str, csv_query: str) -> SafeString:
    """The program dashboard's figures as the page shows them: each table with its chart and CSV link (the
    link carries ``csv_query``, the chosen period)."""
    key = _program_key(program, period)

    def render(_now: datetime):
        tables, changes_at = _program_tables(program, period, key)
        context = {
            "tables": [(table, chart(table), shown(table)) for table in tables],
            "organization_slug": organization_slug,
            "program_slug": program.slug,
            "csv_query": csv_query,
        }
        return render_to_string("portal/_dashboard_figures.html", context), changes_at  # a SafeString

    page_key = None if key is None else f"{key}:{organization_slug}:{csv_query}"
    return keep(caches["fragments"], page_key, render)[0]


def organization_table(organization, period: dashboard.Period) -> dashboard.Table:
    """The organization dashboard's table of its programs, kept under the stamps of all of them (their
    names and figures; a program added or removed is a new list of programs, so a new key)."""
    ids = dashboard.organization_program_ids(organization)
    found = stamps.program_stamps(ids)  # before the rows are read
    key = None
    if all(found.values()):
        programs = hashlib.sha256(",".join(f"{pk}.{found[pk]}" for pk in ids).encode()).hexdigest()
        key = f"dashboard:{LAYOUT}:organization:{organization.pk}:{period.start}:{period.end}:{_viewing()}:{programs}"

    def compute(now: datetime):
        table = dashboard.organization_dashboard(organization, period, now)
        return table, table.changes_at

    return keep(cache, key, compute)[0]


def shown(table: dashboard.Table) -> list[tuple[str, list[str]]]:
    """The table's cells as the page prints them, (first cell, the others) a row: formatted here once, where
    the template's conditions and filters on each cell were a good part of the page's time. A date is
    "3 Dec 2026", an empty figure a dash, anything else as the template prints it (localized numbers); the
    template escapes the text."""
    return [(_cell(row[0]), [_cell(cell) for cell in row[1:]]) for row in table.rows]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(localize(value))

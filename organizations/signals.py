"""Signals organizations sends, so that the apps above it add to its pages without it importing them."""

from dataclasses import dataclass, field

from django.dispatch import Signal

# Sent by the program's people page with ``program`` and ``mentors`` (the mentor memberships of the page).
# A receiver returns a ``PeopleColumn`` or None; the page shows each column, in one query per receiver. The page
# keeps its columns under the program's stamp: a column shows what the program's rows say, not the time of day.
people_columns = Signal()


@dataclass(frozen=True)
class PeopleColumn:
    """A column of the people page: its header, and each mentor's cell (membership pk -> text)."""

    header: str
    cells: dict[int, str] = field(default_factory=dict)

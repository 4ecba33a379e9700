"""Parts of a mentor's or mentee's matching pages, rendered once a program stamp and kept in this process (issue 9).

A person's recommendations, their selection or their requests are computed from many of the program's rows
(the mentors' answers and free places, pairings, declines, requests): 20 to 30 ms a view, the same on every
view until something in the program changes. ``kept_fragment`` keeps the rendered HTML in this process (never in
the shared cache: it holds people's names) under the program's stamp (``mentorship.stamps``: every
committed write to the program's rows gives it a new one), read *before* any row is, and the language of its
words. A fragment holds nothing of the request but what its key names: no CSRF token, no message, no time that
moves by itself. Without a stamp (the shared cache is down) it is rendered and not kept.
"""

from collections.abc import Callable
from typing import TypeVar

from django.utils import translation

from mentorship.kept import kept
from mentorship.stamps import program_stamp

T = TypeVar("T")


def kept_fragment(program, name: str, render: Callable[[], T]) -> T:
    """``render()``'s HTML (or the rows a page is made of: anything that pickles) for ``name``, which says whose
    it is and what else it depends on, kept in this process (``mentorship.kept``, not shared) under ``program``'s
    current stamp and the active language. Callers never change what they get."""
    stamp = program_stamp(program)  # before any row is read
    return kept(stamp, f"matching:{name}:{program.pk}:{translation.get_language()}", render, shared=False)

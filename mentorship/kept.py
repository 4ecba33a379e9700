"""What a page computes from a program's rows, kept under the program's stamp (issue 9).

``kept(program, name, compute)`` reads the program's stamp first, then the value kept under it, and computes
(and keeps) it only when there is none: a committed write anywhere in the program gives it a new stamp, so the
next view computes afresh. Without the shared cache (Redis down) there is no stamp: it computes without keeping.

What is kept must depend on the program's rows only (and on what ``name`` says: a role, a filter, the viewer's
pk when it is theirs), never on who looks at it unless ``name`` says who. Values are kept in this process
(the ``fragments`` cache): lists of thousands of people are not sent over the network on each view.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

from mentorship.stamps import program_stamp

T = TypeVar("T")

_MISSING = object()
KEPT_SECONDS = 3600


def kept(program, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``program``'s current stamp and ``name`` (which says what else it depends on)."""
    stamp = program_stamp(program)  # before the rows are read: a write after this gives a new stamp
    if stamp is None:
        return compute()
    store = caches["fragments"]
    key = f"kept:{getattr(program, 'pk', program)}:{stamp}:{name}"
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        store.set(key, value, timeout=KEPT_SECONDS)
    return value

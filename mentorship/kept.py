"""What a page computes from a program's rows, kept under the program's stamp (issue 9).

``kept_for(program, name, compute)`` does it under the program's stamp, in this process only.
``kept(stamp, key, compute)`` returns what ``compute()`` returned for the same key and stamp, from this
process or the shared cache, or computes it (and keeps it). The caller reads ``mentorship.stamps.program_stamp``
*before* any row it computes from, and names in ``key`` everything else the value depends on (the program,
the page, the filters, the language): a committed write to the program gives it a new stamp, so the next view
computes afresh. Without a stamp (the shared cache is down) nothing is kept.

Kept values are shared by every request of the process: callers never change them.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.utils import timezone

from mentorship.stamps import program_stamp

T = TypeVar("T")

# A stamp outlives a few hours of no writes; a value kept longer is simply computed again.
KEPT_SECONDS = 6 * 3600
LOCAL_ENTRIES = 512  # per-person fragments of a page (recommendations, requests) now kept too

_LOCAL: OrderedDict[str, object] = OrderedDict()
_MISSING = object()


def stamp_key(stamps: Iterable[str | None]) -> str | None:
    """One stamp for a value computed from several programs' rows (None when one of them has none)."""
    stamps = list(stamps)
    return None if any(s is None for s in stamps) else "+".join(stamps)


def kept(stamp: str | None, key: str, compute: Callable[[], T], *, shared: bool = True) -> T:
    """``compute()``'s value for ``key`` under ``stamp``: from this process, the shared cache, or computed now.

    ``shared=False`` keeps it in this process only: for rows (people's names and emails) that have no business
    in the shared cache, and that each process reads once a stamp anyway.
    """
    if stamp is None:
        return compute()
    full = f"kept:{key}:{stamp}"
    value = _LOCAL.get(full, _MISSING)
    if value is _MISSING:
        value = cache.get(full, _MISSING) if shared else _MISSING
        if value is _MISSING:
            value = compute()
            if shared:
                cache.set(full, value, timeout=KEPT_SECONDS)
    _LOCAL[full] = value
    _LOCAL.move_to_end(full)
    while len(_LOCAL) > LOCAL_ENTRIES:
        _LOCAL.popitem(last=False)
    return value


def kept_until(
    stamp: str | None, key: str, compute: Callable[[], tuple[T, datetime | None]], *, shared: bool = True
) -> T:
    """``kept`` for a value that also changes by itself at a moment no write marks (a session ends, an invitation
    lapses): ``compute()`` returns the value and that moment (None: none). Once the moment has passed, the value
    is computed again, kept under the key and that moment (each moment since the last write, in turn)."""
    value, until = kept(stamp, key, compute, shared=shared)
    now = timezone.now()
    while until is not None and until <= now:
        passed = until
        value, until = kept(stamp, f"{key}:after:{passed.isoformat()}", compute, shared=shared)
        if until is not None and until <= passed:
            break  # computed after ``passed``, yet true only until then (a clock that went back): shown as is
    return value


def clear_local() -> None:
    """Forget what this process keeps (tests: primary keys and stamps repeat across rolled-back tests)."""
    _LOCAL.clear()


def kept_count_page(stamp: str | None, key: str, rows, per_page: int, number: str | None) -> Page:
    """``Paginator(rows, per_page).get_page(number)``, its count (over the whole list) kept under ``stamp``."""
    paginator = Paginator(rows, per_page)
    # Paginator.count is a cached property: known, it is not counted again.
    paginator.__dict__["count"] = kept(stamp, f"count:{key}", rows.count)
    return paginator.get_page(number)


def kept_for(program, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process under ``program``'s current stamp (read first) and ``name``, which says
    what else it depends on (a role, a filter, the viewer's pk when it is theirs): lists of thousands of people,
    not sent over the network on each view."""
    program_id = getattr(program, "pk", program)
    return kept(program_stamp(program_id), f"{program_id}:{name}", compute, shared=False)

"""A mentor's capacity and free places: the one rule that pairing, auto-pairing, recommendations and forms use.

A mentor takes their own number of mentees at once, or else the program's default, and never more than
the program's maximum (which may have been lowered since they chose). Their free places are that capacity
minus their active pairings, never below zero. Callers count the active pairings in whatever query they
already make (one mentor, the mentors of an auto-pair run, every mentor of a program) and pass the number.
"""

from organizations.models import Program


def capacity_of(program: Program, capacity: int | None) -> int:
    """How many mentees a mentor with this capacity setting (``Membership.capacity``) takes at once.

    The rule itself is ``Program.mentor_capacity``, so that organizations' pages show the same number.
    """
    return program.mentor_capacity(capacity)


def free_places(program: Program, capacity: int | None, active: int) -> int:
    """How many more mentees a mentor with this capacity setting and ``active`` active pairings can take."""
    return max(capacity_of(program, capacity) - active, 0)

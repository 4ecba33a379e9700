"""Inside matching, imports point one way too: a request goes down once and comes back once.

models <- selectors <- reasons <- matchmaking (the seam to the engine) <- services <- tasks, forms, views.
Every import counts, also one inside a function.
"""

from pathlib import Path

import pytest

from tests.test_layers import ROOT, imported_modules, is_within

MATCHING = ROOT / "matching"
ABOVE_SERVICES = ("matching.tasks", "matching.views", "matching.forms", "matching.management")
FORBIDDEN = {
    "selectors.py": ("matching.matchmaking", "matching.reasons", "matching.services", *ABOVE_SERVICES),
    "capacity.py": ("matching.selectors", "matching.matchmaking", "matching.services", *ABOVE_SERVICES),
    "reasons.py": ("matching.matchmaking", "matching.services", *ABOVE_SERVICES),
    "matchmaking.py": ("matching.services", *ABOVE_SERVICES),
    "queue.py": ("matching.services", *ABOVE_SERVICES),
    "services": ABOVE_SERVICES,
}


def _modules(name: str) -> list[Path]:
    path = MATCHING / name
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_matching_module_imports_only_downwards(name):
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _modules(name)
        for module in imported_modules(path)
        if is_within(module, FORBIDDEN[name])
    )
    assert wrong == []


def test_only_the_seam_calls_the_engine():
    """Pages, services and tasks reach the engine through matching.matchmaking (reasons reads its Reason type).

    The vocabulary of question kinds and rules (matching.engine.specs) is shared with the models and the
    builder's checks, so that it is written once.
    """
    allowed = {MATCHING / "matchmaking.py", MATCHING / "reasons.py"}
    callers = sorted(
        str(path.relative_to(ROOT))
        for path in MATCHING.rglob("*.py")
        if path.relative_to(MATCHING).parts[0] not in ("engine.py", "engine") and path not in allowed
        for module in imported_modules(path)
        if is_within(module, ("matching.engine",)) and not is_within(module, ("matching.engine.specs",))
    )
    assert callers == []

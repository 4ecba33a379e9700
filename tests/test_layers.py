"""Imports point one way: accounts <- organizations <- matching, sessions_app <- mentorship.oversight
<- mentorship.portal, devtools.

``mentorship`` itself (settings, mail, panels) is the base every app may use; its ``portal`` and
``devtools`` sit on top and no app imports them. Every import counts, also one inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("mentorship.portal", "mentorship.devtools")
FORBIDDEN = {
    "accounts": ("organizations", "matching", "sessions_app", "mentorship.oversight", "mentorship.pairings", *TOP),
    "organizations": ("matching", "sessions_app", "mentorship.oversight", "mentorship.pairings", *TOP),
    "matching": ("mentorship.oversight", "mentorship.pairings", *TOP),
    "sessions_app": ("mentorship.oversight", "mentorship.pairings", *TOP),
    # Oversight reads pairings and sessions; the portal shows its figures.
    "mentorship.oversight": TOP,
    "mentorship.pairings": TOP,
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_within(name: str, packages: tuple[str, ...]) -> bool:
    """Whether module ``name`` is one of ``packages`` or inside one."""
    return any(name == f or name.startswith(f + ".") for f in packages)


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_downwards(app):
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in ROOT.joinpath(*app.split(".")).rglob("*.py")
        if "migrations" not in path.parts
        for name in imported_modules(path)
        if is_within(name, FORBIDDEN[app])
    )
    assert wrong == []


def test_templates_load_no_other_apps_tags():
    """A page extends another app's page only through panels (mentorship.panels), not its template tags."""
    loads = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        for line in path.read_text().splitlines()
        if "{% load" in line
        and any(tag in line for tag in ("matching_tags", "sessions_tags", "portal_tags", "oversight_tags"))
    )
    assert loads == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "upward.py"
    module.write_text("def f():\n    from matching.selectors import next_steps\n")
    assert any(is_within(name, FORBIDDEN["organizations"]) for name in imported_modules(module))

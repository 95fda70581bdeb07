"""The apps form layers: a module imports only its own app and the apps below it.

Lowest first: lib → core → accounts, calendars → catalog → cases → search → review → certificates →
notifications → supervision → portal → demo. Data goes up through subscriptions (a higher app
registers a handler with a lower one in its ``AppConfig.ready``), never through an import of a
higher app, so there is no import cycle between apps and no lazy import dodging one.

``onewindow/api/`` is shared glue (errors, schema, pagination, fields, request bodies…) that every
app's API module may use; so the glue itself imports only lib, core, accounts and calendars.
``api/urls.py`` and the top-level modules (``urls``, ``cli``, ``server``, ``settings``, ``wsgi``,
``testing``) are the wiring: they import whatever they plug together, and nothing imports them.

Every import statement counts, at module level or inside a function. Only imports under ``if
TYPE_CHECKING:`` are skipped: they exist for the type checker and never run. Tests and
migrations are not part of the layering (a test may set up any world it needs).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import onewindow

PACKAGE = Path(onewindow.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("lib",),
    ("core",),
    ("accounts", "calendars"),
    ("audit",),
    ("catalog",),
    ("lists", "sitehelp"),
    ("cases",),
    ("delegation",),
    ("search",),
    ("review",),
    ("certificates",),
    ("notifications",),
    ("ratings",),
    ("consult",),
    ("publicity", "agencies"),
    ("supervision",),
    ("stats",),
    ("bundles", "projects", "conduct"),
    ("queue",),
    ("appointments",),
    ("privacy",),
    ("portal",),
    ("demo", "backup"),
)
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# Glue in onewindow/api/ sits just above accounts and calendars.
GLUE_RANK = RANK["calendars"]
WIRING_MODULES = {"urls", "cli", "server", "settings", "wsgi", "testing", "env"}
API_WIRING = {"urls", "views", "apps"}  # api/urls.py plugs every app's urlpatterns together
SKIPPED_DIRS = {"tests", "migrations", "locale", "templates", "static"}


@dataclass(frozen=True)
class Import:
    relative: tuple[str, ...]  # the path inside the package, ("cases", "services", "intake.py")
    line: int
    target: str


def _owner(relative: tuple[str, ...]) -> str:
    """``cases`` for onewindow/cases/…, ``api`` for onewindow/api/…, the module name for a
    top-level module (onewindow/cli.py → ``cli``)."""
    parts = relative
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.ImportFrom) and node.module == "onewindow" and not node.level:
            found.extend((node.lineno, f"onewindow.{a.name}") for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def project_imports(package: Path) -> list[Import]:
    """Every import of a onewindow module by a onewindow module outside tests and migrations."""
    rows: list[Import] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).parts
        if SKIPPED_DIRS & set(relative[:-1]):
            continue
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "onewindow" and len(parts) > 1:
                rows.append(Import(relative, line, module))
    return rows


def _target_owner(module: str) -> str:
    return module.split(".")[1]


def _allowed(relative: tuple[str, ...], target_module: str) -> bool:
    owner, target = _owner(relative), _target_owner(target_module)
    if owner in WIRING_MODULES:
        return True
    if target in WIRING_MODULES:
        return target == "env"  # the list of settings is plain data, readable from anywhere
    if owner == "api":
        if len(relative) == 2 and relative[1].removesuffix(".py") in API_WIRING:
            return True
        return target == "api" or RANK.get(target, 99) <= GLUE_RANK
    if target == "api":
        return RANK[owner] >= RANK["accounts"]  # lib and core sit below the glue
    if owner == target:
        return True
    # Apps of the same layer (accounts, calendars) do not import each other either.
    return RANK[target] < RANK[owner]


def violations(package: Path = PACKAGE) -> list[str]:
    bad = []
    for row in project_imports(package):
        if not _allowed(row.relative, row.target):
            bad.append(f"onewindow/{'/'.join(row.relative)}:{row.line} imports {row.target}")
    return sorted(set(bad))


def test_every_app_is_placed_in_a_layer():
    apps = {
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in SKIPPED_DIRS
    }
    assert apps - {"api"} <= set(RANK), f"place these apps in LAYERS: {apps - {'api'} - set(RANK)}"


def test_no_module_imports_a_higher_layer():
    assert violations() == []


def test_the_check_catches_an_upward_import(tmp_path):
    """The test can fail: a planted upward import (cases → review) and a glue import of an app
    are both reported, a TYPE_CHECKING import is not (in a copy of the layout, so tests running
    in parallel never see the planted files)."""
    for app in ("cases", "api"):
        (tmp_path / app).mkdir()
    planted = tmp_path / "cases" / "planted.py"
    planted.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from onewindow.supervision.models import Card\n"
        "def f():\n"
        "    from onewindow.review.services import review_open\n",
        encoding="utf-8",
    )
    (tmp_path / "api" / "glue.py").write_text(
        "from onewindow.cases.models import Case\n", encoding="utf-8"
    )
    (tmp_path / "api" / "urls.py").write_text("from onewindow.cases import api\n", encoding="utf-8")
    found = violations(tmp_path)
    assert "onewindow/cases/planted.py:5 imports onewindow.review.services" in found
    assert "onewindow/api/glue.py:1 imports onewindow.cases.models" in found
    assert not any("supervision" in v or "urls.py" in v for v in found)


def test_from_package_import_module_counts_as_that_app():
    """``from onewindow import cli`` is an import of the wiring, caught like any other."""
    rows = _imports(ast.parse("from onewindow import cli\n"))
    assert (1, "onewindow.cli") in rows


# Where an import inside a function is the rule, not a way round a cycle: an AppConfig.ready
# (Django's place for start-up wiring) and the command-line modules, which are parsed before
# Django is set up and import what they run once ``setup_django`` has.
DEFERRED_IMPORTS_ALLOWED = ("apps.py", "cli.py", "server.py")


def deferred_imports(package: Path = PACKAGE) -> list[str]:
    """``path:line module`` of every import of a onewindow module inside a function body."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).parts
        if SKIPPED_DIRS & set(relative[:-1]) or relative[-1] in DEFERRED_IMPORTS_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for line, module in _imports(function):
                if module.startswith("onewindow."):
                    found.append(f"onewindow/{'/'.join(relative)}:{line} {module}")
    return sorted(set(found))


def test_no_import_hides_in_a_function():
    """No lazy import dodges a cycle: with the layers above there is none to dodge."""
    assert deferred_imports() == []


def test_the_deferred_import_check_can_fail(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "services.py").write_text(
        "def f():\n    from onewindow.cases.models import Case\n", encoding="utf-8"
    )
    (tmp_path / "cases" / "apps.py").write_text(
        "def ready():\n    from onewindow.cases import events\n", encoding="utf-8"
    )
    assert deferred_imports(tmp_path) == ["onewindow/cases/services.py:2 onewindow.cases.models"]

"""Every citation in the code resolves inside the repository (docs/README.md "How to cite").

The code cites the rules it enforces as ``docs/<path>.md §<id>[, §<id>…]`` (a range ``§B2–§B5``
names its two ends). This test fails when

- a file cites a document outside the repository (the domain-rules, product or style documents
  kept beside it) or an issue number instead of ``docs/``;
- a cited ``docs/`` file does not exist, or has no heading ``#… §<id> …`` for a cited id;
- a ``§`` appears in code other than inside such a citation (so every section reference names its
  file).

Scanned: ``onewindow/`` (not the translation catalogues, which the lead regenerates), ``bench/``,
``scripts/``, ``.ci/`` and the top-level ``README.md``, ``Makefile``, ``conftest.py`` and
``pyproject.toml``; the citations inside ``docs/`` itself are resolved too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
THIS = Path(__file__).resolve()

SCANNED_DIRS = ("onewindow", "bench", "scripts", ".ci")
SCANNED_FILES = ("README.md", "Makefile", "conftest.py", "pyproject.toml")
SKIPPED_DIRS = ("onewindow/locale",)
TEXT_SUFFIXES = {
    ".py", ".html", ".txt", ".css", ".js", ".toml", ".md", ".sh", ".cfg", ".ini", ".yml", ".yaml",
    ".csv", ".json",
}  # fmt: skip

SECTION_ID = r"§[A-Z]+\d*"
# docs/<path>.md, optionally in backticks, then optionally a chain of section ids.
CITATION = re.compile(
    rf"docs/(?P<path>[\w./-]+?\.md)`?(?P<chain>(?: {SECTION_ID}(?:(?:, |–| and ){SECTION_ID})*)?)"
)
HEADING = re.compile(rf"^#+ (?P<id>{SECTION_ID})\b", re.M)
# Written split so that this file does not cite what it forbids.
OUTSIDE = re.compile(
    "|".join(
        [
            "DOMAIN" + "-RULES",
            r"PRODUCT\.md",
            r"\bPRODUCT §",
            r"STYLE\.md",
            r"\bSTYLE\b",
            "shared" + "/",
            "[Ii]ssue" + " [0-9]",
        ]
    )
)


def scanned_files(root: Path) -> Iterator[Path]:
    for name in SCANNED_DIRS:
        top = root / name
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or "__pycache__" in path.parts or path.resolve() == THIS:
                continue
            if rel.startswith(SKIPPED_DIRS):
                continue
            if path.suffix in TEXT_SUFFIXES or (path.suffix == "" and ".ci" in path.parts):
                yield path
    for name in SCANNED_FILES:
        if (root / name).is_file():
            yield root / name


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def outside_citations(root: Path) -> list[str]:
    """``path:line: text`` of every citation of an outside document or an issue number."""
    found = []
    for path in scanned_files(root):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(read(path).splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def section_ids(doc: Path) -> set[str]:
    return set(HEADING.findall(read(doc)))


def broken_citations(root: Path, paths: list[Path]) -> list[str]:
    """Citations whose file or section does not exist, and § outside a citation."""
    problems = []
    ids: dict[Path, set[str]] = {}
    for path in paths:
        rel = path.relative_to(root).as_posix()
        text = read(path)
        for match in CITATION.finditer(text):
            where = f"{rel}:{text.count(chr(10), 0, match.start()) + 1}"
            doc = root / "docs" / match["path"]
            if not doc.is_file():
                problems.append(f"{where}: no such file docs/{match['path']}")
                continue
            known = ids.setdefault(doc, section_ids(doc))
            for ident in re.findall(SECTION_ID, match["chain"]):
                if ident not in known:
                    problems.append(f"{where}: docs/{match['path']} has no section {ident}")
        if not rel.startswith("docs/"):
            for line_no, line in enumerate(CITATION.sub("", text).splitlines(), start=1):
                if "§" in line:
                    problems.append(f"{rel}:{line_no}: § outside a docs/ citation: {line.strip()}")
    return problems


def docs_files(root: Path) -> list[Path]:
    return sorted((root / "docs").rglob("*.md"))


def test_no_citation_of_outside_documents_or_issues() -> None:
    assert outside_citations(ROOT) == []


def test_every_citation_resolves_to_a_docs_section() -> None:
    assert docs_files(ROOT), "docs/ is missing"
    assert broken_citations(ROOT, list(scanned_files(ROOT)) + docs_files(ROOT)) == []


def test_the_code_cites_docs() -> None:
    """Not vacuous: the repointed citations are there and are read by the check."""
    count = sum(len(CITATION.findall(read(p))) for p in scanned_files(ROOT))
    assert count > 300


# The planted tree's names are built, so no tool reading this file takes them for real citations.
MD = ".".join(("", "md"))  # the extension, built: no literal file name with it appears here
PLANTED = "docs/rules/planted" + MD
MISSING = "docs/rules/missing" + MD


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small repository with one docs file and one module citing it correctly."""
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / PLANTED).write_text("# Law\n\n## §B Group\n\n### §B3 Ten\n")
    (tmp_path / "onewindow").mkdir()
    good = f'"""Certificates ({PLANTED} §B3, §B)."""\n'
    (tmp_path / "onewindow" / "good.py").write_text(good)
    return tmp_path


def test_the_checks_pass_on_a_correct_tree(tree: Path) -> None:
    assert outside_citations(tree) == []
    assert broken_citations(tree, list(scanned_files(tree))) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"# {PLANTED} §B4: no such section\n", "has no section §B4"),
        (f"# {MISSING} §B3\n", f"no such file {MISSING}"),
        (f"# {PLANTED} §B3–§B9\n", "has no section §B9"),
        ("# the rule of §B3\n", "§ outside a docs/ citation"),
    ],
)
def test_a_planted_bad_citation_fails(tree: Path, text: str, expected: str) -> None:
    (tree / "onewindow" / "bad.py").write_text(text)
    problems = broken_citations(tree, list(scanned_files(tree)))
    assert len(problems) == 1 and expected in problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "# DOMAIN" + "-RULES B3\n",
        "# PRODUCT" + ".md §C6\n",
        "# (issue" + " 10 item 8)\n",
        "# Issue" + " 5\n",
    ],
)
def test_a_planted_outside_citation_fails(tree: Path, text: str) -> None:
    (tree / "onewindow" / "bad.py").write_text(text)
    assert len(outside_citations(tree)) == 1

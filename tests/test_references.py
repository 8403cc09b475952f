"""Every section citation resolves inside the repository, and no comment points at an issue.

A citation names its document, then the section: `zenodo-api.md` followed by the section
sign and `4.5` (a path before the name, `docs/reference/zenodo-api.md`, is allowed). Further
sections of the same document may follow in a list (`, `, ` and `, `/`, ranges `4.1-4.4`).
The section must be a heading of that document (`### 4.5 ...`, `## <sign>3 ...`) or a
numbered item under one (`3.7` = item 7 under heading 3). An external standard is cited by
name and version, from the short list below. docs/reference/README.md explains the form.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
SIGN = "\N{SECTION SIGN}"
OUTSIDE = "shared" + "/reference"  # the notes these documents replaced, outside the repository

# The only standards cited by section from outside the repository, each with its version.
STANDARDS = ("CommonMark 0.31.2", "RFC 9110", "Semantic Versioning 2.0.0", "APPNOTE.TXT 6.3.10")

SECTION = r"\d+(?:\.\d+)*"
ITEM = rf"{SIGN}{SECTION}(?:-{SECTION})?"
GROUP = rf"{ITEM}(?:(?:, | and | or | ?/ ?){ITEM})*"
CITATION = re.compile(
    r"(?:(?P<path>[\w./-]*/)?(?P<doc>[\w-]+\.md)|(?P<standard>"
    + "|".join(map(re.escape, STANDARDS))
    + rf")) (?P<group>{GROUP})"
)
BARE = re.compile(rf"(?P<group>{GROUP})")  # inside a reference document: its own section
LINK = re.compile(r"\[[^\]\n]*\]\((?P<target>[^)\s#]+)(?:#[^)\s]*)?\)")

CODE_DIRS = ("zenodo_action", "tests", "bench", "scripts")
CODE_FILES = ("Dockerfile", "action.yml", "entrypoint.py")
# A project issue, "issue" or "item" and its number, or a bare "#" and a number. Upstream
# references such as `zenodo/zenodo#2300` name their repository and are facts with a source.
ISSUE = re.compile(r"\b[Ii]ssues? \d+")
ISSUE_IN_COMMENT = re.compile(r"\b[Ii]ssues? \d+|^[#\s-]*items? \d+\b|(?<![\w/.-])#\d+\b")


def _text_files() -> list[Path]:
    paths = [ROOT / name for name in (*CODE_FILES, "README.md")]
    for folder in (*CODE_DIRS, "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                paths.append(path)
    texts = []
    for path in paths:
        try:
            path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary test data
        texts.append(path)
    return texts


def _numbers(document: Path) -> set[str]:
    """The section numbers of a document: its numbered headings, and `N.k` for item k of a
    numbered list under heading N."""
    numbers: set[str] = set()
    current = None
    for line in document.read_text(encoding="utf-8").splitlines():
        heading = re.match(rf"#+ {SIGN}?({SECTION})\.?(?:\s|$)", line)
        if heading:
            current = heading.group(1)
            numbers.add(current)
        elif line.startswith("#"):
            current = None
        elif current and (item := re.match(r"(\d+)\. ", line)):
            numbers.add(f"{current}.{item.group(1)}")
    return numbers


def _unresolved(doc: Path, group: str) -> list[str]:
    if not doc.is_file():
        return [f"no document {doc.relative_to(ROOT)}"]
    known = _numbers(doc)
    wanted = re.findall(SECTION, group)
    return [f"no {SIGN}{n} in {doc.relative_to(ROOT)}" for n in wanted if n not in known]


def _check_line(path: Path, line: str) -> list[str]:
    """What is wrong with the citations of one line."""
    problems: list[str] = []
    covered: set[int] = set()
    for match in CITATION.finditer(line):
        covered.update(range(match.start("group"), match.end("group")))
        if match.group("standard"):
            continue
        doc = REFERENCE / match.group("doc")
        given = match.group("path")
        places = {
            (base / (given or "") / match.group("doc")).resolve() for base in (ROOT, path.parent)
        }
        if given and doc.resolve() not in places:
            problems.append(f"{given}{match.group('doc')} is not in docs/reference/")
        problems += _unresolved(doc, match.group("group"))
    own = path.parent == REFERENCE and path.name != "README.md"
    if own and not line.startswith("#"):
        for match in BARE.finditer(line):
            if match.start() not in covered:
                covered.update(range(match.start(), match.end()))
                problems += _unresolved(path, match.group("group"))
    if own and line.startswith("#"):
        return problems  # a heading's own number
    for position, character in enumerate(line):
        if character == SIGN and position not in covered:
            problems.append(f"a {SIGN} that names no document: {line.strip()[:80]!r}")
            break
    return problems


def test_every_section_citation_names_a_document_and_a_section_that_exist() -> None:
    failures = []
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SIGN in line:
                for problem in _check_line(path, line):
                    failures.append(f"{path.relative_to(ROOT)}:{number}: {problem}")
    assert not failures, "\n".join(failures)


def test_links_in_readme_and_docs_resolve() -> None:
    failures = []
    markdown = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for path in markdown:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in LINK.finditer(line):
                target = match.group("target")
                if re.match(r"[a-z]+:", target):
                    continue  # a web address, not a file of this repository
                if not (path.parent / target).exists():
                    failures.append(f"{path.relative_to(ROOT)}:{number}: no file {target}")
    assert not failures, "\n".join(failures)


def _comments_and_strings(path: Path) -> list[tuple[int, str, str]]:
    """(line, "comment" or "string", text) of a Python file; every line of other files."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py" and not text.startswith("#!/usr/bin/env python"):
        return [(n, "comment", line) for n, line in enumerate(text.splitlines(), start=1)]
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], "comment", token.string))
        elif token.type == tokenize.STRING:
            for offset, line in enumerate(token.string.splitlines()):
                found.append((token.start[0] + offset, "string", line))
    return found


def test_no_comment_points_at_an_issue_number() -> None:
    failures = []
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or path.suffix not in (".py", "", ".sh", ".toml", ".yml"):
                continue
            if path == Path(__file__).resolve():
                continue  # its own examples of what it refuses
            try:
                places = _comments_and_strings(path)
            except (UnicodeDecodeError, tokenize.TokenError, SyntaxError):
                continue
            for number, kind, text in places:
                pattern = ISSUE_IN_COMMENT if kind == "comment" else ISSUE
                if pattern.search(text):
                    failures.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()[:90]}")
    for name in CODE_FILES:
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            if ISSUE.search(line):
                failures.append(f"{name}:{number}: {line.strip()[:90]}")
    assert not failures, "\n".join(failures)


def test_no_file_outside_the_repository_is_named_as_a_reference() -> None:
    failures = []
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OUTSIDE in line:
                failures.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:90]}")
    assert not failures, "\n".join(failures)


def test_the_checks_catch_what_they_are_for() -> None:
    """Each check fails on the mistake it guards against, so a pass means something."""
    here = ROOT / "zenodo_action" / "example.py"
    assert _check_line(here, f"# (zenodo-api.md {SIGN}4.5)") == []
    assert _check_line(here, f"# (zenodo-api.md {SIGN}2.2, {SIGN}11.4)") == []
    # a numbered item under a section's heading
    assert _check_line(here, f"# (invenio-records-api.md {SIGN}3.7)") == []
    assert _check_line(here, f"# (CommonMark 0.31.2 {SIGN}4.5)") == []
    assert _check_line(here, f"# bare ({SIGN}4.5)")  # no document
    assert _check_line(here, f"# (zenodo-api.md {SIGN}4.5, see {SIGN}2.2)")  # the second is bare
    assert _check_line(here, f"# (zenodo-api.md {SIGN}99.1)")  # no such section
    assert _check_line(here, f"# (invenio-records-api.md {SIGN}3.99)")  # no such item
    assert _check_line(here, f"# (nowhere.md {SIGN}1)")  # no such document
    assert _check_line(here, f"# (CommonMark {SIGN}4.5)")  # a standard without its version
    assert _check_line(here, f"# ({OUTSIDE}/zenodo-api.md {SIGN}4.5)")  # outside
    assert ISSUE_IN_COMMENT.search("# as issue 12 item 4 asked")
    assert ISSUE_IN_COMMENT.search("# --- item 4: any str passes ---")
    assert not ISSUE_IN_COMMENT.search("# (container.md §8 items 2-5)")
    assert ISSUE_IN_COMMENT.search("# fixed in #123")
    assert not ISSUE_IN_COMMENT.search("# zenodo/zenodo#2300 and octokit.js#967 say so")

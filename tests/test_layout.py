"""The rooms of the package stay apart (README "Project layout", shared DESIGN.md).

The Zenodo side and the metadata gate know nothing of GitHub, and the GitHub side knows
nothing of Zenodo: not directly, and not through a module in between. The metadata side is
entered through its face (`zenodo_action/metadata/__init__.py`) only, and the face holds
only what the rest uses. Only the front doors read the environment. Checked on the source
and on a fresh interpreter, so a stray import fails here instead of slowly blurring the
seams. And no function grows too branched to read in one look, and tests/README.md keeps
saying where each module is tested.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit
from radon.visitors import Function

import zenodo_action

PACKAGE = Path(zenodo_action.__file__).parent
TESTS = Path(__file__).parent
# A row of tests/README.md's map: | `zenodo_action/x.py` | `test_x.py`, ... |
MAP_ROW = re.compile(r"^\| `(zenodo_action/[^`]+\.py)` \|", re.M)
FRONT_DOORS = {"zenodo_action.cli", "zenodo_action.action"}
# room -> rooms it must not import, directly or through any other module
FORBIDDEN = {
    "zenodo_action.metadata": ("zenodo_action.github", "zenodo_action.zenodo"),
    "zenodo_action.zenodo": ("zenodo_action.github",),
    "zenodo_action.github": ("zenodo_action.zenodo",),
}


# rooms entered only through their package's face (its __init__.py)
FACED = ("zenodo_action.metadata",)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (function-level imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def in_room(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_no_module_of_a_room_imports_what_the_room_must_not_know(room):
    broken = [
        f"{name} imports {imported}"
        for name, path in modules().items()
        if in_room(name, room)
        for imported in imports_of(name, path)
        if any(in_room(imported, other) for other in FORBIDDEN[room])
    ]
    assert broken == []


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_importing_a_room_loads_nothing_it_must_not_know(room):
    """Transitively: a fresh interpreter imports every module of the room."""
    names = [name for name in modules() if in_room(name, room)]
    probe = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if any(in_room(m, other) for other in FORBIDDEN[room])] == []


@pytest.mark.parametrize("room", FACED)
def test_outside_a_faced_room_only_its_face_is_imported(room):
    inside = {name for name in modules() if in_room(name, room) and name != room}
    broken = [
        f"{name} imports {imported}"
        for name, path in modules().items()
        if not in_room(name, room)
        for imported in imports_of(name, path)
        if any(in_room(imported, module) for module in inside)
    ]
    assert broken == []


def names_taken_from(room: str, name: str, path: Path) -> set[str]:
    """The names a module takes from `room`'s face: imported from it, or read as an
    attribute of the module it is imported as (`metadata.read`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parent, _, last = room.rpartition(".")
    aliases, taken = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == room:
            taken.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == parent:
            aliases.update(a.asname or a.name for a in node.names if a.name == last)
        elif isinstance(node, ast.Import):
            aliases.update(a.asname for a in node.names if a.name == room and a.asname)
    for node in ast.walk(tree):
        is_attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        if is_attribute and node.value.id in aliases:
            taken.add(node.attr)
    return taken


@pytest.mark.parametrize("room", FACED)
def test_a_face_holds_only_what_the_rest_of_the_package_takes(room):
    face = importlib.import_module(room)
    taken: set[str] = set()
    for name, path in modules().items():
        if not in_room(name, room):
            taken |= names_taken_from(room, name, path)
    assert sorted(set(face.__all__) - taken) == []  # unused: drop them from the face
    assert sorted(taken - set(face.__all__)) == []  # taken, but not named in __all__


def test_the_face_checks_see_every_way_of_taking_a_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from zenodo_action import metadata\nfrom zenodo_action.metadata import Problem\n"
        "import zenodo_action.metadata as md\nmetadata.read(1)\nmd.doi_of('x')\n"
        "from zenodo_action.metadata.record import Record\n"
    )
    taken = names_taken_from("zenodo_action.metadata", "zenodo_action.sample", sample)
    assert taken == {"Problem", "read", "doi_of"}
    found = imports_of("zenodo_action.sample", sample)
    assert "zenodo_action.metadata.record" in found


def test_only_the_front_doors_read_the_environment():
    readers = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(name)
    assert set(readers) <= FRONT_DOORS, sorted(set(readers) - FRONT_DOORS)


def test_the_checks_see_imports_of_every_kind(tmp_path):
    """The parser the rules rely on finds absolute, relative and function-level imports."""
    path = PACKAGE / "zenodo" / "plan.py"
    found = imports_of("zenodo_action.zenodo.plan", path)
    assert "zenodo_action.zenodo.api" in found and "zenodo_action.metadata" in found
    sample = tmp_path / "sample.py"
    sample.write_text("from . import api\nfrom ..github import commands\ndef f():\n import x\n")
    found = imports_of("zenodo_action.zenodo.sample", sample)
    assert {"zenodo_action.zenodo.api", "zenodo_action.github.commands", "x"} <= found


def test_the_command_line_loads_no_http_stack_until_it_publishes():
    """`validate` (the pre-commit hook, pull-request runs) never sends a request: importing
    the CLI must not pay for requests/urllib3 (~40 ms) or GitHub's and write-back's modules."""
    probe = "import json, sys\nimport zenodo_action.cli\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(done.stdout))
    heavy = {"requests", "urllib3", "zenodo_action.http", "zenodo_action.writeback"}
    assert loaded & heavy == set()
    # nor what only a publish takes from the metadata face (its __getattr__)
    publish_only = {f"zenodo_action.metadata.{name}" for name in ("build", "echo", "rdm")}
    assert loaded & publish_only == set()


def test_no_function_is_rated_d_or_worse_by_radon():
    """More than 20 paths through one function (radon's rank D, and worse) is more than a
    reader holds in one look: split it along its own steps. Methods count; nested
    functions count into theirs, as `radon cc` rates them."""
    too_branched = [
        f"{name}.{block.fullname}: {cc_rank(block.complexity)} ({block.complexity})"
        for name, path in modules().items()
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if isinstance(block, Function) and cc_rank(block.complexity) >= "D"
    ]
    assert too_branched == []


def test_every_module_has_its_row_in_the_map_of_the_tests():
    """tests/README.md says where each module is tested: a new module gets its row there,
    a module that goes takes its row along."""
    rows = MAP_ROW.findall((TESTS / "README.md").read_text(encoding="utf-8"))
    package = [path.relative_to(PACKAGE.parent).as_posix() for path in modules().values()]
    assert sorted(set(package) - set(rows)) == [], "modules without a row in tests/README.md"
    assert sorted(set(rows) - set(package)) == [], "rows of tests/README.md for no module"
    assert len(rows) == len(set(rows)), "a module with two rows"


def test_the_map_of_the_tests_names_every_test_file_and_only_those():
    named = set(re.findall(r"`(test_\w+\.py)`", (TESTS / "README.md").read_text(encoding="utf-8")))
    existing = {path.name for path in TESTS.glob("test_*.py")}
    assert sorted(named - existing) == [], "tests/README.md names test files that do not exist"
    assert sorted(existing - named) == [], "test files tests/README.md does not place"

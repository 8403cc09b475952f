"""requirements.lock against pyproject.toml: the image installs exactly the lock, with
`--require-hashes --no-deps`, so the lock must satisfy every runtime requirement, pin and hash
every entry, and hold the whole dependency closure (a missing one is simply absent in the
image). No network: the closure is read from the installed distributions' metadata.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself requires tomli on 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCK = REPO_ROOT / "requirements.lock"
PYPROJECT = REPO_ROOT / "pyproject.toml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
# The release builds linux/amd64 and linux/arm64: a requirement counts if it applies to either.
MACHINES = ("x86_64", "aarch64")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})$")

Requires = Callable[[str], list[str] | None]


@dataclass(frozen=True)
class Entry:
    name: str
    requirement: Requirement
    hashes: tuple[str, ...]
    options: tuple[str, ...]  # anything after the requirement that is not a sha256 hash


def image_python_version(dockerfile: Path = DOCKERFILE) -> str:
    """`3.12.16` from `FROM python:3.12.16-slim-bookworm`: markers are judged for that."""
    match = re.search(r"^FROM\s+(?:\S*/)?python:(\d+\.\d+\.\d+)-", dockerfile.read_text(), re.M)
    assert match, "the Dockerfile's FROM is not a python:X.Y.Z-... tag"
    return match.group(1)


def target_environments(python: str) -> list[dict[str, str]]:
    major_minor = ".".join(python.split(".")[:2])
    common = {
        "implementation_name": "cpython",
        "implementation_version": python,
        "os_name": "posix",
        "platform_python_implementation": "CPython",
        "platform_system": "Linux",
        "python_full_version": python,
        "python_version": major_minor,
        "sys_platform": "linux",
        "extra": "",
    }
    return [{**common, "platform_machine": machine} for machine in MACHINES]


def applies(marker: Marker | None, environments: list[dict[str, str]]) -> bool:
    return marker is None or any(marker.evaluate(env) for env in environments)


def parse_lock(text: str) -> tuple[list[Entry], list[str]]:
    """The entries of a requirements file as uv/pip-compile write it (comments dropped), and
    the lines that are options, not requirements (`-e .`, `--index-url ...`)."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            logical.append(line)
    if pending.strip():
        logical.append(pending.strip())

    entries: list[Entry] = []
    stray: list[str] = []
    for line in logical:
        if line.startswith("-"):
            stray.append(line)
            continue
        spec, _, rest = line.partition(" --")
        rest = f"--{rest}" if rest else ""
        words = rest.split()
        hashes = tuple(m.group(1) for m in map(_HASH.match, words) if m)
        options = tuple(word for word in words if not _HASH.match(word))
        requirement = Requirement(spec.strip())
        entries.append(Entry(canonicalize_name(requirement.name), requirement, hashes, options))
    return entries, stray


def runtime_requirements(pyproject_text: str) -> list[Requirement]:
    return [Requirement(s) for s in tomllib.loads(pyproject_text)["project"]["dependencies"]]


def installed_requires(name: str) -> list[str] | None:
    """This environment's metadata of `name`, or None when it is not installed.

    It may be another version than the locked one (scripts/test installs the newest that
    pyproject allows); a package's own requirement names rarely change between releases,
    and a changed one shows up here as soon as the venv has that release.
    """
    try:
        return importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return None


def lock_problems(
    pyproject_text: str,
    lock_text: str,
    requires: Requires = installed_requires,
    python: str = "3.12.16",
) -> list[str]:
    """Every way the lock fails the image's `--require-hashes --no-deps` install."""
    environments = target_environments(python)
    problems: list[str] = []
    entries, stray = parse_lock(lock_text)
    problems += [f"not a pinned requirement: {line}" for line in stray]
    locked: dict[str, Entry] = {}
    for entry in entries:
        if entry.name in locked:
            problems.append(f"{entry.name}: locked twice")
        locked[entry.name] = entry
        specifiers = list(entry.requirement.specifier)
        if (
            len(specifiers) != 1
            or specifiers[0].operator not in ("==", "===")
            or (specifiers[0].version.endswith(".*"))
        ):
            problems.append(f"{entry.name}: not pinned to one version ({entry.requirement})")
        if entry.requirement.url or entry.requirement.extras:
            problems.append(f"{entry.name}: a URL or extras in the lock ({entry.requirement})")
        if not entry.hashes:
            problems.append(f"{entry.name}: no --hash=sha256:")
        if entry.options:
            problems.append(f"{entry.name}: unexpected {' '.join(entry.options)}")

    def version_of(entry: Entry) -> str:
        return next(iter(entry.requirement.specifier)).version

    # pyproject's own requirements: locked, at a version they accept.
    for requirement in runtime_requirements(pyproject_text):
        name = canonicalize_name(requirement.name)
        if not applies(requirement.marker, environments):
            continue
        if name not in locked:
            problems.append(f"{name}: required by pyproject.toml, missing from the lock")
        elif not requirement.specifier.contains(version_of(locked[name]), prereleases=True):
            problems.append(
                f"{name}: pyproject.toml asks {requirement.specifier}, "
                f"the lock has {version_of(locked[name])}"
            )

    # The closure: what each locked package needs on Linux/CPython is locked too, and the
    # lock holds nothing that nothing needs.
    reached: set[str] = set()
    queue = [r for r in runtime_requirements(pyproject_text) if applies(r.marker, environments)]
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        if name in reached:
            continue
        reached.add(name)
        own = requires(name)
        if own is None:
            problems.append(f"{name}: not installed here, so its requirements cannot be read")
            continue
        for text in own:
            needed = Requirement(text)
            if applies(needed.marker, environments):
                needed_name = canonicalize_name(needed.name)
                if needed_name not in locked:
                    problems.append(f"{needed_name}: required by {name}, missing from the lock")
                    continue  # its own requirements would only repeat the message
                if not needed.specifier.contains(version_of(locked[needed_name]), True):
                    problems.append(
                        f"{needed_name}: {name} asks {needed.specifier}, "
                        f"the lock has {version_of(locked[needed_name])}"
                    )
                queue.append(needed)
    for name in sorted(set(locked) - reached):
        problems.append(f"{name}: locked but required by nothing")
    return problems


# --- the real files ------------------------------------------------------------------------


def test_the_lock_agrees_with_pyproject_and_is_complete():
    problems = lock_problems(
        PYPROJECT.read_text(encoding="utf-8"),
        LOCK.read_text(encoding="utf-8"),
        python=image_python_version(),
    )
    assert problems == [], "regenerate the lock (README, Dependencies):\n" + "\n".join(problems)


def test_the_lock_holds_the_three_runtime_dependencies_and_their_binary_ones():
    names = {entry.name for entry in parse_lock(LOCK.read_text(encoding="utf-8"))[0]}
    assert {"requests", "pyyaml", "jsonschema", "rpds-py", "charset-normalizer"} <= names


def test_the_lock_header_says_how_to_regenerate_it():
    header = LOCK.read_text(encoding="utf-8").splitlines()[:2]
    command = header[1].lstrip("# ").strip()
    assert command.startswith("uv pip compile pyproject.toml ")
    assert "--generate-hashes" in command
    assert f"--python-version {'.'.join(image_python_version().split('.')[:2])}" in command
    assert "--output-file requirements.lock" in command
    assert command in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_dockerfile_installs_exactly_the_lock_then_the_package_without_resolving():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r /tmp/requirements.lock" in text
    assert "pip install --no-cache-dir --no-deps /tmp/src" in text
    assert "requirements.lock" in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8")


# --- the check itself bites ----------------------------------------------------------------

PYPROJECT_TEXT = """\
[project]
name = "x"
dependencies = ["requests>=2.28", "colorama; sys_platform == 'win32'"]
"""
HASH = "--hash=sha256:" + "ab" * 32
GOOD_LOCK = f"""\
# a header
requests==2.32.0 \\
    {HASH} \\
    {HASH.replace("ab", "cd")}
    # via x (pyproject.toml)
idna==3.7 \\
    {HASH}
    # via requests
typing-extensions==4.12.0 ; python_version < "3.13" \\
    {HASH}
"""
METADATA = {
    "requests": ["idna>=2.5", "PySocks!=1.5.7; extra == 'socks'", "typing-extensions"],
    "idna": [],
    "typing-extensions": ["pywin32; sys_platform == 'win32'"],
}


def check(lock: str, pyproject: str = PYPROJECT_TEXT) -> list[str]:
    return lock_problems(pyproject, lock, METADATA.get)


def test_a_complete_lock_has_no_problems_and_markers_are_judged_for_linux_312():
    assert check(GOOD_LOCK) == []
    entries, stray = parse_lock(GOOD_LOCK)
    assert stray == []
    assert [e.name for e in entries] == ["requests", "idna", "typing-extensions"]
    assert len(entries[0].hashes) == 2


@pytest.mark.parametrize(
    ("lock", "problem"),
    [
        (
            GOOD_LOCK.replace("requests==2.32.0", "requests==2.27.1"),
            "requests: pyproject.toml asks",
        ),
        (GOOD_LOCK.replace("idna==3.7", "idna>=3.7"), "idna: not pinned"),
        (GOOD_LOCK.replace("idna==3.7", "idna==3.*"), "idna: not pinned"),
        (GOOD_LOCK.replace(f"idna==3.7 \\\n    {HASH}", "idna==3.7"), "idna: no --hash"),
        (
            GOOD_LOCK.replace(f"{HASH}\n    # via requests", f"{HASH} --hash=md5:0"),
            "idna: unexpected",
        ),
        (GOOD_LOCK + "-e .\n", "not a pinned requirement: -e ."),
        (GOOD_LOCK.split("idna==")[0], "idna: required by requests, missing"),
        (GOOD_LOCK.replace("idna==3.7", "idna==2.0"), "idna: requests asks >=2.5"),
        (GOOD_LOCK + f"six==1.16.0 \\\n    {HASH}\n", "six: locked but required by nothing"),
        (GOOD_LOCK + f"idna==3.7 \\\n    {HASH}\n", "idna: locked twice"),
    ],
)
def test_a_broken_lock_is_reported(lock, problem):
    assert any(p.startswith(problem) for p in check(lock)), check(lock)


def test_a_requirement_missing_from_the_lock_is_reported():
    pyproject = PYPROJECT_TEXT.replace('"requests>=2.28"', '"requests>=2.28", "PyYAML>=6"')
    problem = "pyyaml: required by pyproject.toml, missing from the lock"
    assert problem in check(GOOD_LOCK, pyproject)


def test_a_package_whose_metadata_is_not_installed_is_reported():
    problems = lock_problems(PYPROJECT_TEXT, GOOD_LOCK, lambda name: None)
    assert "requests: not installed here, so its requirements cannot be read" in problems


def test_requirements_for_the_other_release_machine_count_too():
    metadata = {**METADATA, "idna": ["cffi; platform_machine == 'aarch64'"]}
    problems = lock_problems(PYPROJECT_TEXT, GOOD_LOCK, metadata.get)
    assert problems == ["cffi: required by idna, missing from the lock"]

"""The release's edit of action.yml, the release notes, and one repository name everywhere.

scripts/release_action_yml.py runs in .github/workflows/release.yml against a digest that
only exists once ghcr.io has the image; here it runs on copies of action.yml with made-up
digests (no registry is reachable from the tests).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import zenodo_action

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "0123456789abcdef" * 4
OTHER_DIGEST = "sha256:" + "f" * 64


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


script = load("release_action_yml")
changelog = load("changelog_section")
TARGET = f"docker://{script.DEFAULT_IMAGE}@{DIGEST}"


def run(action: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "release_action_yml.py"),
            "--action",
            str(action),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def action(tmp_path):
    copy = tmp_path / "action.yml"
    copy.write_bytes((ROOT / "action.yml").read_bytes())
    return copy


# --- the rewrite -------------------------------------------------------------------------


def test_the_real_action_yml_changes_in_its_image_line_only(action):
    before = action.read_bytes()
    assert before.count(b"\n  image: Dockerfile\n") == 1  # what main holds
    expected = before.replace(b"\n  image: Dockerfile\n", f"\n  image: {TARGET}\n".encode())

    done = run(action, "--digest", DIGEST)

    assert done.returncode == 0, done.stderr
    assert action.read_bytes() == expected
    assert "Dockerfile -> docker://" in done.stdout


def test_the_result_loads_as_the_same_action_but_for_runs_image(action):
    before = yaml.safe_load(action.read_text(encoding="utf-8"))
    assert run(action, "--digest", DIGEST).returncode == 0
    after = yaml.safe_load(action.read_text(encoding="utf-8"))

    assert after["runs"] == {"using": "docker", "image": TARGET}
    before["runs"]["image"] = TARGET
    assert after == before


def test_a_second_run_with_the_same_digest_is_a_no_op(action):
    assert run(action, "--digest", DIGEST).returncode == 0
    once = action.read_bytes()

    again = run(action, "--digest", DIGEST)

    assert again.returncode == 0, again.stderr
    assert action.read_bytes() == once
    assert "unchanged" in again.stdout


def test_a_release_commit_is_never_repointed_at_another_digest(action):
    assert run(action, "--digest", DIGEST).returncode == 0
    once = action.read_bytes()

    other = run(action, "--digest", OTHER_DIGEST)

    assert other.returncode == 1
    assert "already" in other.stderr
    assert action.read_bytes() == once


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # comments, quoting and the rest of the line survive; only the value changes
        (
            "runs:\n  using: docker\n  image: Dockerfile # built on main\n",
            f"runs:\n  using: docker\n  image: {TARGET} # built on main\n",
        ),
        (
            "runs:\n  using: 'docker'\n  image: 'Dockerfile'\n",
            f"runs:\n  using: 'docker'\n  image: '{TARGET}'\n",
        ),
        (
            'runs: {using: docker, image: "Dockerfile"}\n',
            f'runs: {{using: docker, image: "{TARGET}"}}\n',
        ),
        (
            "name: x\r\nruns:\r\n  image: Dockerfile\r\n  using: docker\r\n# end\r\n",
            f"name: x\r\nruns:\r\n  image: {TARGET}\r\n  using: docker\r\n# end\r\n",
        ),
        (
            "description: ünïcode ✓\nruns:\n    using: docker\n    image: ./build/Dockerfile\n",
            f"description: ünïcode ✓\nruns:\n    using: docker\n    image: {TARGET}\n",
        ),
    ],
)
def test_exact_bytes_of_other_layouts(tmp_path, before, after):
    path = tmp_path / "action.yml"
    path.write_bytes(before.encode("utf-8"))

    done = run(path, "--digest", DIGEST)

    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == after.encode("utf-8")


@pytest.mark.parametrize(
    "digest",
    [
        "",
        "sha256:" + "a" * 63,
        "sha256:" + "a" * 65,
        "sha256:" + "A" * 64,  # digests are lowercase hex
        "sha256:" + "g" * 64,
        "sha512:" + "a" * 128,
        "a" * 64,  # the algorithm is part of it
        "SHA256:" + "a" * 64,
        " sha256:" + "a" * 64,
        "sha256:" + "a" * 64 + "\n",
        "sha256:" + "a" * 64 + " # x",
    ],
)
def test_bad_digests_are_refused_and_nothing_is_written(action, digest):
    before = action.read_bytes()

    done = run(action, "--digest", digest)

    assert done.returncode == 1
    assert "digest" in done.stderr
    assert action.read_bytes() == before


@pytest.mark.parametrize(
    "image",
    [
        "zenodo-action",  # no registry: the runner would ask Docker Hub
        "zenodo-action/zenodo-action",
        "ghcr.io/Zenodo-Action/zenodo-action",  # registries want lowercase
        "ghcr.io/zenodo-action/zenodo-action:v1",  # a tag moves; the digest is the point
        f"ghcr.io/zenodo-action/zenodo-action@{DIGEST}",
        "docker://ghcr.io/zenodo-action/zenodo-action",
        "ghcr.io/zenodo-action/zenodo-action/",
        "ghcr.io//zenodo-action",
        "ghcr.io/zenodo-action/zenodo action",
        "ghcr.io/zenodo-action/zenodo-action\n",
        "ghcr.io/-x/zenodo-action",
    ],
)
def test_bad_image_names_are_refused(action, image):
    before = action.read_bytes()

    done = run(action, "--image", image, "--digest", DIGEST)

    assert done.returncode == 1
    assert "image" in done.stderr
    assert action.read_bytes() == before


@pytest.mark.parametrize(
    "image", ["ghcr.io/other/zenodo-action", "localhost:5000/a/b", "registry.example.org/x"]
)
def test_other_registries_and_names_are_accepted(action, image):
    done = run(action, "--image", image, "--digest", DIGEST)

    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(action.read_text())["runs"]["image"] == f"docker://{image}@{DIGEST}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("runs:\n  using: composite\n  steps: []\n", "not 'docker'"),
        ("runs:\n  using: node20\n  main: index.js\n", "not 'docker'"),
        ("runs:\n  image: Dockerfile\n", "not 'docker'"),
        ("name: no runs\n", "no runs"),
        ("runs:\n  using: docker\n", "runs.image"),
        ("runs:\n  using: docker\n  image: [Dockerfile]\n", "runs.image"),
        ("runs:\n  using: docker\n  image: >-\n    Dockerfile\n", "one line"),
        ("- a list\n", "not a mapping"),
        ("runs: [\n", "not YAML"),
    ],
)
def test_what_is_not_a_container_action_with_one_image_line_is_refused(tmp_path, text, message):
    path = tmp_path / "action.yml"
    path.write_text(text, encoding="utf-8")

    done = run(path, "--digest", DIGEST)

    assert done.returncode == 1
    assert message in done.stderr
    assert path.read_text(encoding="utf-8") == text


def test_a_missing_file_is_refused(tmp_path):
    done = run(tmp_path / "absent.yml", "--digest", DIGEST)

    assert done.returncode == 1
    assert "cannot read" in done.stderr


# --- the release notes -------------------------------------------------------------------

CHANGELOG = """# Changelog

## [Unreleased]

- next

## [1.2.0] - 2025-01-31

### Fixed

- a thing

## [1.1.0] - 2024-12-01

- older

[1.2.0]: https://example.org/compare/v1.1.0...v1.2.0
"""


def test_a_version_section_is_its_lines_up_to_the_next_heading():
    assert changelog.section(CHANGELOG, "1.2.0") == "### Fixed\n\n- a thing\n"
    assert changelog.section(CHANGELOG, "1.1.0") == "- older\n"


@pytest.mark.parametrize(
    ("version", "message"),
    [("1.3.0", "no '## [1.3.0]"), ("Unreleased", "no release date"), ("1.2", "no '## [1.2]")],
)
def test_a_version_without_a_dated_section_fails(version, message):
    with pytest.raises(changelog.MissingSectionError, match=re.escape(message)):
        changelog.section(CHANGELOG, version)


def test_an_empty_section_fails():
    with pytest.raises(changelog.MissingSectionError, match="empty"):
        changelog.section("## [1.0.0] - 2025-01-01\n\n## [0.9.0] - 2024-01-01\n- x\n", "1.0.0")


def test_the_changelog_of_this_repository_parses():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "## [Unreleased]" in text
    for match in re.finditer(r"^## \[(\d+\.\d+\.\d+)\]", text, re.MULTILINE):
        assert changelog.section(text, match[1])


# --- one repository name, versions that resolve --------------------------------------------

# No tomllib on Python 3.10; these two lines of pyproject.toml are simple enough.
PYPROJECT_TEXT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
VERSION = re.search(r'^version = "([^"]+)"$', PYPROJECT_TEXT, re.MULTILINE)[1]
REPOSITORY = re.search(
    r'^Repository = "https://github\.com/([^/"]+/[^/"]+)"$', PYPROJECT_TEXT, re.MULTILINE
)[1]
PYPROJECT_URLS = re.findall(r'^[A-Za-z ]+ = "(https://[^"]+)"$', PYPROJECT_TEXT, re.MULTILINE)
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOW_TEXT = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)


def test_the_version_is_one():
    assert zenodo_action.__version__ == VERSION


def names_in(text: str) -> set[str]:
    """Every owner/name this project is called by: GitHub URLs, uses:, images."""
    found = set(re.findall(r"github\.com/([\w.-]+/zenodo-action)\b", text))
    found |= set(re.findall(r"uses:\s*([\w.-]+/zenodo-action)@", text))
    found |= set(re.findall(r"ghcr\.io/([\w.-]+/zenodo-action)\b", text))
    return found


@pytest.mark.parametrize(
    "path",
    ["README.md", "pyproject.toml", ".github/workflows/release.yml", ".pre-commit-hooks.yaml"],
)
def test_one_repository_name_everywhere(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert names_in(text) == {REPOSITORY}
    assert "OWNER/zenodo-action" not in text


def test_the_release_workflow_script_and_package_use_that_name():
    assert WORKFLOW["env"]["IMAGE"] == f"ghcr.io/{REPOSITORY}" == script.DEFAULT_IMAGE
    assert WORKFLOW["jobs"]["check"]["if"] == f"github.repository == '{REPOSITORY}'"
    assert f"https://github.com/{REPOSITORY})" in zenodo_action.USER_AGENT
    assert len(PYPROJECT_URLS) >= 3
    for url in PYPROJECT_URLS:
        if "github.com" in url:
            assert url.startswith(f"https://github.com/{REPOSITORY}")


def test_the_readme_references_resolve_once_this_version_is_released():
    major = VERSION.split(".")[0]
    # The moving major tag only once it means something (semver: 0.x minors may break).
    allowed = {f"v{VERSION}"} | ({f"v{major}"} if major != "0" else set())
    uses = re.findall(rf"uses:\s*{re.escape(REPOSITORY)}@(\S+)", README)
    revs = re.findall(rf"repo: https://github\.com/{re.escape(REPOSITORY)}\n\s+rev: (\S+)", README)
    assert len(uses) >= 3
    assert set(uses) <= allowed
    assert revs == [f"v{VERSION}"]
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.findall(r"#\s+rev: (\S+)", hooks) == [f"v{VERSION}"]


def test_every_action_the_release_runs_is_pinned_by_commit():
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW_TEXT)
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref


def test_the_release_runs_no_expression_in_a_shell_and_asks_least_privilege():
    assert WORKFLOW["permissions"] == {}
    # PyYAML reads the key `on` as YAML 1.1's true.
    assert WORKFLOW[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    for name, job in WORKFLOW["jobs"].items():
        assert "permissions" in job, name
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), (name, step)
            if step.get("uses", "").startswith("actions/checkout@"):
                wants_push = name == "release"
                assert step["with"]["persist-credentials"] is wants_push, name
    writers = {
        (name, scope)
        for name, job in WORKFLOW["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    }
    assert writers == {
        ("image", "packages"),
        ("image", "id-token"),
        ("image", "attestations"),
        ("release", "contents"),
        ("pypi", "id-token"),
    }


def test_pypi_is_published_by_trusted_publishing_from_its_environment():
    job = WORKFLOW["jobs"]["pypi"]
    assert job["environment"]["name"] == "pypi"
    assert job["permissions"] == {"id-token": "write"}
    (publish,) = [s for s in job["steps"] if s.get("uses", "").startswith("pypa/")]
    assert "with" not in publish or "password" not in publish["with"]


def test_the_rewritten_action_yml_passes_githubs_action_schema(action):
    """The form GitHub reads at a release tag, checked like action.yml in scripts/test."""
    assert run(action, "--digest", DIGEST).returncode == 0
    checker = Path(sys.executable).parent / "check-jsonschema"

    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-actions", str(action)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr

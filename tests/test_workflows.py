"""The workflows users copy: the README shows exactly the files in
.github/workflows/, every workflow there and in the README passes zizmor and GitHub's schema,
third-party actions are pinned by commit with their version, no expression is pasted into a
script, and the scheduled sandbox run is opt-in and keeps its token to one step.

scripts/test runs check-jsonschema and zizmor over .github/workflows/ itself; here they
also check the README's copies, which no linter would otherwise read.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = ["zenodo-release.yml", "zenodo-validate.yml", "zenodo-dataset.yml"]

# In the files the action is this repository at the running commit; in the README, the
# reference a user writes (its owner and ref are the release process's business).
OUR_ACTION_HERE = re.compile(r"^(\s*-?\s*)uses: \$/ # in your repository: .*$")
OUR_ACTION_THERE = re.compile(r"^(\s*-?\s*)uses: [\w.-]+/zenodo-action@\S+$")
USES = re.compile(r"^\s*-?\s*uses:\s*(\S+)(.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s*# v\d+\.\d+\.\d+\b")


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def readme_yaml_blocks() -> list[str]:
    return [block.split("```", 1)[0] for block in README.split("```yaml\n")[1:]]


def readme_workflows() -> list[str]:
    """The README's complete workflows (with `on:` and `jobs:`), not its fragments."""
    return [
        block
        for block in readme_yaml_blocks()
        if isinstance(data := yaml.safe_load(block), dict)
        and "jobs" in data
        and True in data  # PyYAML reads the key `on` as True
    ]


def readme_copy_of(name: str) -> str:
    """The YAML block after the README's "This is [.github/workflows/<name>]" line."""
    marker = f"This is [.github/workflows/{name}]"
    assert README.count(marker) == 1, f"README does not show {name} once"
    after = README.split(marker, 1)[1]
    return after.split("```yaml\n", 1)[1].split("```", 1)[0]


def without_header(text: str) -> str:
    """The file without the comment block at its top (the README says that in prose)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def tool(name: str) -> str:
    """A linter from the test extra, installed beside this interpreter."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def every_text() -> list[tuple[str, str]]:
    return [(path.name, path.read_text(encoding="utf-8")) for path in workflow_files()] + [
        (f"README block {n}", block) for n, block in enumerate(readme_yaml_blocks())
    ]


# --- the README's copies ------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_readme_shows_each_example_workflow_as_it_is(name):
    file_lines = without_header((WORKFLOWS / name).read_text(encoding="utf-8")).splitlines()
    readme_lines = readme_copy_of(name).splitlines()
    assert len(readme_lines) == len(file_lines), f"README's {name} has other lines"
    ours = 0
    for number, (here, there) in enumerate(zip(file_lines, readme_lines, strict=True), 1):
        if (mine := OUR_ACTION_HERE.match(here)) and (theirs := OUR_ACTION_THERE.match(there)):
            assert mine.group(1) == theirs.group(1), f"{name}:{number}: indentation"
            ours += 1
        else:
            assert there == here, f"README's copy of {name}, line {number}"
    assert ours == 1, f"{name} uses the action once, as $/ here and by name in the README"


def test_the_readme_copies_are_found_where_the_readme_says():
    # Guards the test above: the copy it compares is the block right after the link.
    assert "name: Zenodo release\n" in readme_copy_of("zenodo-release.yml")
    assert "name: Zenodo metadata\n" in readme_copy_of("zenodo-validate.yml")
    assert "name: Zenodo dataset\n" in readme_copy_of("zenodo-dataset.yml")


# --- linters over the README's workflows ---------------------------------------------------


@pytest.fixture
def readme_workflow_dir(tmp_path) -> Path:
    """The README's complete workflows as files, our action as `$/`, as in this repository."""
    blocks = readme_workflows()
    assert len(blocks) >= 5, "the README's workflows were not found"
    directory = tmp_path / ".github" / "workflows"
    directory.mkdir(parents=True)
    for number, block in enumerate(blocks):
        lines = [OUR_ACTION_THERE.sub(r"\1uses: $/", line) for line in block.splitlines()]
        (directory / f"readme-{number}.yml").write_text("\n".join(lines) + "\n")
    return directory


def test_the_readme_workflows_have_no_zizmor_findings(readme_workflow_dir):
    run = subprocess.run(
        [tool("zizmor"), "--offline", "--quiet", "--color", "never", str(readme_workflow_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_readme_workflows_match_githubs_workflow_schema(readme_workflow_dir):
    files = sorted(str(path) for path in readme_workflow_dir.iterdir())
    command = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_zizmor_finds_what_the_readme_workflows_are_checked_for(readme_workflow_dir):
    # Without this, a zizmor that read nothing would pass the README test above.
    bad = readme_workflow_dir / "readme-0.yml"
    text = bad.read_text()
    kept = "        with:\n          persist-credentials: false\n"
    sha = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
    assert kept in text and sha in text
    bad.write_text(text.replace(kept, "", 1).replace(sha, "actions/checkout@v4"))
    run = subprocess.run(
        [tool("zizmor"), "--offline", "--color", "never", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "[artipacked]" in run.stdout and "[unpinned-uses]" in run.stdout, run.stdout


# --- rules over every workflow, in the repository and in the README ------------------------


@pytest.mark.parametrize(("where", "text"), every_text(), ids=[w for w, _ in every_text()])
def test_third_party_actions_are_pinned_by_commit_with_their_version(where, text):
    for line in text.splitlines():
        if not (use := USES.match(line)):
            continue
        ref, rest = use.groups()
        if ref.startswith(("./", "$/", "docker://")) or OUR_ACTION_THERE.match(line):
            continue
        assert PINNED.match(ref), f"{where}: {ref} is not pinned by a full commit SHA"
        assert VERSION_COMMENT.match(rest), f"{where}: {ref} lacks its '# vX.Y.Z' comment"


def run_scripts(workflow: dict) -> list[str]:
    jobs = workflow.get("jobs", {}) if isinstance(workflow, dict) else {}
    return [
        str(step["run"]) for job in jobs.values() for step in job.get("steps", []) if "run" in step
    ]


@pytest.mark.parametrize(("where", "text"), every_text(), ids=[w for w, _ in every_text()])
def test_no_expression_is_pasted_into_a_run_script(where, text):
    # An expression in a script is expanded into its source before the shell reads it
    # (template injection); values reach scripts through env: instead.
    data = yaml.safe_load(text)
    for script in run_scripts(data):
        assert "${{" not in script, f"{where}: {script!r}"


@pytest.mark.parametrize("name", [*EXAMPLES, "ci.yml", "sandbox-e2e.yml"])
def test_our_workflows_grant_least_privilege_and_keep_no_credentials(name):
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert workflow["permissions"] in ({}, {"contents": "read"}), name
    for job_name, job in workflow["jobs"].items():
        granted = job.get("permissions", workflow["permissions"])
        writes = {scope for scope, level in granted.items() if level == "write"}
        # Only the release example writes: the DOI badge in the release notes.
        assert writes <= ({"contents"} if name == "zenodo-release.yml" else set()), job_name
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{name}: {job_name}"


# --- the scheduled sandbox run -------------------------------------------------------------


def sandbox_workflow() -> dict:
    return yaml.safe_load((WORKFLOWS / "sandbox-e2e.yml").read_text(encoding="utf-8"))


def test_the_sandbox_run_is_daily_and_by_hand_and_opt_in():
    workflow = sandbox_workflow()
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    minute, hour, *every_day = schedule["cron"].split()
    assert every_day == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    [job] = workflow["jobs"].values()
    # Forks have neither the variable nor the secret: the job is skipped there.
    assert job["if"] == "vars.ZENODO_SANDBOX_CONCEPT != ''"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_only_the_sandbox_test_step_sees_the_token_and_it_must_not_skip_there():
    text = (WORKFLOWS / "sandbox-e2e.yml").read_text(encoding="utf-8")
    assert text.count("secrets.") == 1
    [job] = sandbox_workflow()["jobs"].values()
    [step] = [step for step in job["steps"] if "ZENODO_SANDBOX_TOKEN" in step.get("env", {})]
    assert step["env"]["ZENODO_SANDBOX_TOKEN"] == "${{ secrets.ZENODO_SANDBOX_TOKEN }}"
    assert step["env"]["ZENODO_SANDBOX_CONCEPT"] == "${{ vars.ZENODO_SANDBOX_CONCEPT }}"
    assert step["env"]["ZENODO_SANDBOX_REQUIRED"] == "1"
    command = step["run"].split()
    assert command[:3] == ["python", "-m", "pytest"]
    assert command[command.index("-m", 3) + 1] == "sandbox"
    assert command[-1] == "tests/test_sandbox_e2e.py"

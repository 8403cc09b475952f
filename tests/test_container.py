"""The action as GitHub runs it: action.yml's contract, the harness's runner rules, and the
real image built from the Dockerfile and run like the runner's `docker run` (podman here).

Tests marked `container` need scripts/container-setup; they skip without it, except under
scripts/test, which sets ZENODO_ACTION_REQUIRE_CONTAINER so they fail instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from tests import container_harness as harness
from tests.container_harness import EnvFileError, parse_env_file
from tests.test_checkout import POINTER as LFS_POINTER
from tests.test_checkout import REAL as LFS_REAL
from tests.test_checkout import git
from tests.test_lock import parse_lock

ACTION_YML = harness.REPO_ROOT / "action.yml"
# The interface issue 4 specifies.
ISSUE_INPUTS = {
    "token": None,
    "concept": None,
    "config": ".zenodo.yml",
    "files": None,
    "release-assets": "true",
    "source-archive": "zip",
    "mode": "auto",
    "publish": "true",
    "sandbox": None,
    "zenodo-url": None,
    "version": None,
    "dry-run": None,
    "github-token": "${{ github.token }}",
    "release-notes-badge": "true",
    # issue 9: metadata where users keep it
    "citation-file": None,
    "codemeta-file": None,
    "require-complete": "false",
    # issue 10: transfers
    "asset-wait": "120",
    "upload-workers": "4",
    # issue 11: the DOI back into the repository, missed releases back-filled
    "write-back": None,
    "readme-file": "README.md",
    "release-tag": None,
    # warnings as errors, in both modes
    "strict": "false",
    # Git LFS pointers are refused unless this opts out
    "allow-lfs-pointers": "false",
    # which API publishes: the deposit API, the records API, or asked
    "api": "auto",
}
ISSUE_OUTPUTS = {"doi", "doi-url", "concept-doi", "record-id", "record-url", "version"}
ISSUE_OUTPUTS |= {"badge", "status"}
ISSUE_OUTPUTS |= {"doi-reserved"}  # issue 11: a draft's doi is the one it reserved
ISSUE_OUTPUTS |= {"write-back-pull-request"}  # issue 11: the pull request it opened
BRANDING_COLORS = {"white", "black", "yellow", "blue", "green", "orange", "red", "purple"}
BRANDING_COLORS |= {"gray-dark"}

GITHUB_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
INVALID_CONFIG = """\
title: A tool
upload_type: softwar
creators:
  - name: Doe, Jane
"""


@pytest.fixture(scope="module")
def action_yml() -> dict:
    return yaml.safe_load(ACTION_YML.read_text(encoding="utf-8"))


# --- action.yml ---------------------------------------------------------------------------


def test_action_runs_the_dockerfile_without_args(action_yml):
    assert action_yml["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_action_declares_every_input_of_the_issue_with_its_default(action_yml):
    inputs = action_yml["inputs"]
    assert set(inputs) == set(ISSUE_INPUTS)
    for name, expected in ISSUE_INPUTS.items():
        if expected is not None:
            assert inputs[name]["default"] == expected, name


def test_action_input_defaults_are_strings_and_every_input_is_described(action_yml):
    for name, spec in action_yml["inputs"].items():
        assert len(spec["description"]) > 20, name
        assert isinstance(spec.get("default", ""), str), f"{name}: quote the default"
        # The runner never enforces `required` (§1.4); the entrypoint validates instead.
        assert spec.get("required", False) is False, name


def test_action_declares_every_output_of_the_issue(action_yml):
    outputs = action_yml["outputs"]
    assert set(outputs) == ISSUE_OUTPUTS
    assert all(len(spec["description"]) > 10 for spec in outputs.values())


def test_action_has_marketplace_metadata(action_yml):
    assert action_yml["name"] and action_yml["description"]
    assert action_yml["branding"]["color"] in BRANDING_COLORS
    assert action_yml["branding"]["icon"]


def test_inputs_reach_the_container_the_way_the_runner_names_them(action_yml):
    env = harness.input_environment(
        {"release-assets": "false", "my input": "x"},
        action_yml["inputs"],
        github_token=GITHUB_TOKEN,
    )
    assert env["INPUT_RELEASE-ASSETS"] == "false"  # hyphens kept
    assert env["INPUT_MY_INPUT"] == "x"  # only spaces become _
    assert env["INPUT_SOURCE-ARCHIVE"] == "zip"  # declared default
    assert env["INPUT_TOKEN"] == ""  # declared, no default: empty, not unset
    assert env["INPUT_GITHUB-TOKEN"] == GITHUB_TOKEN


# --- the runner's env-file grammar (§2.1) --------------------------------------------------


def test_env_file_reads_heredoc_and_plain_entries():
    text = "a=1=2\n\nb<<EOF\nline one\n\nline=three\nEOF\nc<<X\nX\n"
    assert parse_env_file(text) == {"a": "1=2", "b": "line one\n\nline=three", "c": ""}


def test_env_file_keeps_a_carriage_return_in_the_value():
    assert parse_env_file("a<<EOF\nx\r\nEOF\n") == {"a": "x\r"}
    with pytest.raises(EnvFileError, match="Matching delimiter not found"):
        parse_env_file("a<<EOF\r\nx\nEOF\n")


def test_env_file_accepts_a_final_delimiter_without_newline():
    assert parse_env_file("a<<EOF\nx\nEOF") == {"a": "x"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just text\n", "Invalid format"),
        ("=value\n", "Name must not be empty"),
        ("<<EOF\nx\nEOF\n", "Name must not be empty and delimiter"),
        ("a<<\nx\n\n", "Name must not be empty and delimiter"),
        ("a<<EOF\nx\n", "Matching delimiter not found 'EOF'"),
        ("a<<EOF\nx\nEOFx\n", "Matching delimiter not found"),
        ("a<<EOF\nx", "EOF marker missing new line"),
    ],
)
def test_env_file_refuses_what_the_runner_refuses(text, message):
    with pytest.raises(EnvFileError, match=message):
        parse_env_file(text)


def test_annotations_are_read_as_the_runner_reads_workflow_commands():
    stdout = "\n".join(
        [
            "  ::error file=.zenodo.yml,line=2::bad type",
            "::stop-commands::0f3c9a",
            "::error::injected by untrusted text",
            "::0f3c9a::",
            "::errors::not an error command",
            "::warning::a warning",
        ]
    )
    result = harness.RunResult(0, stdout, "::ERROR::on stderr", {}, {}, "")
    assert result.annotations("error") == [
        "::error file=.zenodo.yml,line=2::bad type",
        "::ERROR::on stderr",
    ]
    assert result.annotations("warning") == ["::warning::a warning"]


# --- the real image -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def action() -> harness.ActionContainer:
    return harness.action_container()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    return folder


def pull_request_event() -> dict:
    """A trimmed `pull_request.opened` payload from a fork, as the runner writes event.json."""
    repository = {
        "id": 186853002,
        "name": "Hello-World",
        "full_name": "Codertocat/Hello-World",
        "private": False,
        "html_url": "https://github.com/Codertocat/Hello-World",
        "default_branch": "main",
    }
    return {
        "action": "opened",
        "number": 2,
        "pull_request": {
            "number": 2,
            "state": "open",
            "title": "Update the metadata",
            "html_url": "https://github.com/Codertocat/Hello-World/pull/2",
            "head": {
                "ref": "changes",
                "sha": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                "repo": {**repository, "full_name": "forker/Hello-World"},
            },
            "base": {
                "ref": "main",
                "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
                "repo": repository,
            },
        },
        "repository": repository,
        "sender": {"login": "forker", "type": "User"},
    }


def files_in(folder: Path) -> set[Path]:
    return {path.relative_to(folder) for path in folder.rglob("*")}


@pytest.mark.container
def test_image_needs_no_path_workdir_or_user(action):
    config = action.podman(
        "image",
        "inspect",
        "--format",
        "{{json .Config.Entrypoint}}|{{.Config.WorkingDir}}|{{.Config.User}}",
        action.image,
    ).stdout.strip()
    entrypoint, workdir, user = config.split("|")
    interpreter = yaml.safe_load(entrypoint)[0]
    assert interpreter.startswith("/"), "the runner may pass any PATH"
    assert workdir in ("", "/"), "the runner mounts the workspace over WORKDIR"
    assert user in ("", "root", "0"), "the runner needs root to use the workspace"


@pytest.mark.container
def test_package_is_installed_system_wide_not_run_from_a_copy(action, workspace):
    probe = "import os, zenodo_action; print(zenodo_action.__file__, os.getcwd(), os.getuid())"
    result = action.run(
        workspace, entrypoint=["/usr/local/bin/python", "-I", "-c", probe], event_name="push"
    )
    assert result.exit_code == 0, result.stderr
    module, cwd, uid = result.stdout.split()
    assert "-packages/zenodo_action/" in module
    assert (cwd, uid) == (harness.WORKSPACE, "0")


@pytest.mark.container
def test_the_image_holds_exactly_the_locked_versions(action, workspace):
    probe = (
        "import json, importlib.metadata as m; "
        "print(json.dumps([[d.metadata['Name'], d.version] for d in m.distributions()]))"
    )
    result = action.run(
        workspace, entrypoint=["/usr/local/bin/python", "-I", "-c", probe], event_name="push"
    )
    assert result.exit_code == 0, result.stderr
    # Pairs, not a dict: the stand-in base has Debian's own dist-packages beside site-packages.
    installed = {
        (re.sub(r"[-_.]+", "-", name).lower(), version)
        for name, version in json.loads(result.stdout)
    }
    entries, _ = parse_lock((harness.REPO_ROOT / "requirements.lock").read_text("utf-8"))
    assert entries
    for entry in entries:
        [pin] = entry.requirement.specifier
        assert (entry.name, pin.version) in installed, f"{entry.name} is not the locked {pin}"
    assert any(name == "zenodo-action" for name, _ in installed)


@pytest.mark.container
def test_a_wrong_hash_in_the_lock_fails_the_build(action, tmp_path):
    """--require-hashes bites: the same context with one package's hashes replaced."""
    context = tmp_path / "context"
    context.mkdir()
    for name in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md", "entrypoint.py"):
        shutil.copy(harness.REPO_ROOT / name, context / name)
    shutil.copytree(
        harness.REPO_ROOT / "zenodo_action",
        context / "zenodo_action",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    lock = (harness.REPO_ROOT / "requirements.lock").read_text("utf-8")
    entry = next(e for e in parse_lock(lock)[0] if e.name == "idna")
    forged = hashlib.sha256(b"not the published idna").hexdigest()
    for digest in entry.hashes:
        lock = lock.replace(digest, forged)
    (context / "requirements.lock").write_text(lock, encoding="utf-8")

    with pytest.raises(RuntimeError, match=r"(?i)do not match the hashes"):
        harness.build_image(action.podman, context, tag="localhost/zenodo-action:forged-lock")


@pytest.mark.container
def test_pull_request_with_invalid_metadata_fails_with_an_annotation_on_its_line(action, workspace):
    (workspace / ".zenodo.yml").write_text(INVALID_CONFIG, encoding="utf-8")
    before = files_in(workspace)

    result = action.run(
        workspace,
        inputs={"mode": "auto"},
        event_name="pull_request",
        event=pull_request_event(),
        github_token=GITHUB_TOKEN,
    )

    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.outputs["status"] == "invalid"
    errors = result.annotations("error")
    assert any(
        line.startswith("::error file=.zenodo.yml,line=2,") and "upload_type" in line
        for line in errors
    ), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert files_in(workspace) == before, "the action must not write into the workspace"


@pytest.mark.container
def test_a_run_that_fails_on_an_input_leaves_a_summary_and_a_status(action, workspace):
    """Even before any input is read in full: the runner's summary and output files get
    what went wrong and what to set, so later steps and the run page have something."""
    result = action.run(
        workspace,
        inputs={"mode": "publish", "dry-run": "maybe"},
        event_name="workflow_dispatch",
        github_token=GITHUB_TOKEN,
    )
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.outputs == {"status": "failed"}
    assert result.summary.startswith("## :x: zenodo-action failed\n")
    assert "input 'dry-run' must be true or false, not 'maybe'" in result.summary
    assert "**What to do:** accepted: true" in result.summary


@pytest.mark.container
def test_pull_request_with_valid_metadata_passes_despite_a_hostile_environment(action, workspace):
    shutil.copy(harness.REPO_ROOT / ".zenodo.yml", workspace / ".zenodo.yml")
    # PR content is untrusted, and the workflow's PYTHONPATH reaches the container:
    # neither may replace the installed package.
    trap = workspace / "zenodo_action"
    trap.mkdir()
    (trap / "__init__.py").write_text("raise SystemExit('workspace code ran')\n")

    result = action.run(
        workspace,
        inputs={"mode": "auto"},
        event_name="pull_request",
        event=pull_request_event(),
        env={"PYTHONPATH": harness.WORKSPACE, "PYTHONHOME": "/nonexistent"},
        github_token=GITHUB_TOKEN,
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.outputs["status"] == "valid"
    assert result.annotations("error") == []
    assert "workspace code ran" not in result.stderr
    # The github-token is masked before anything else is printed, then never shown.
    first_line = result.stdout.splitlines()[0]
    assert first_line == f"::add-mask::{GITHUB_TOKEN}"
    rest = result.stdout.split("\n", 1)[1] + result.stderr + result.summary
    assert GITHUB_TOKEN not in rest + "".join(result.outputs.values())


def run_release(
    action, workspace, fake_github, fake_zenodo, repo, event, concept, *, checkout=False
) -> harness.RunResult:
    """The image publishing a release event against the fakes, as the runner starts it."""
    inputs = {
        "token": fake_zenodo.token,
        "concept": concept.concept_doi,
        "zenodo-url": fake_zenodo.url,
    }
    return action.run(
        workspace,
        inputs=inputs | ({"source-archive": "checkout"} if checkout else {}),
        event_name="release",
        event=event,
        env={
            "GITHUB_API_URL": fake_github.api_url,
            "GITHUB_SERVER_URL": fake_github.server_url,
            "GITHUB_REPOSITORY": repo.full_name,
        },
        github_token=GITHUB_TOKEN,
    )


@pytest.mark.container
def test_a_published_release_becomes_a_zenodo_version_from_inside_the_image(
    action, workspace, fake_github, fake_zenodo
):
    shutil.copy(harness.REPO_ROOT / "examples" / "software" / ".zenodo.yml", workspace)
    repo = fake_github.add_repo("octo-org/frobnicator", private=True)
    fake_github.add_token(GITHUB_TOKEN, "write")
    release = fake_github.add_release(repo, "v2.0.0", body="Faster.")
    fake_github.add_asset(release, "frob-2.0.0.whl", b"wheel bytes")
    concept = fake_zenodo.seed_concept(versions=[{"version": "v1.0.0"}])
    event = fake_github.release_event(repo, release)

    result = run_release(action, workspace, fake_github, fake_zenodo, repo, event, concept)

    assert result.exit_code == 0, result.stdout + result.stderr
    [_, new] = fake_zenodo.published_versions(concept.concept_id)
    assert new["version"] == "v2.0.0"
    assert set(new["files"]) == {"frob-2.0.0.whl", "frobnicator-v2.0.0.zip"}
    assert result.outputs["status"] == "published"
    assert result.outputs["doi"] == new["doi"]
    assert new["doi"] in result.summary
    assert release.body.count(result.outputs["badge"]) == 1
    storage = fake_github.requests_to("storage")
    assert storage and all("Authorization" not in r.headers for r in storage)
    everything = result.stdout + result.stderr + result.summary + "".join(result.outputs.values())
    for secret in (fake_zenodo.token, GITHUB_TOKEN):
        assert secret not in everything.replace(f"::add-mask::{secret}\n", "")
    assert files_in(workspace) == {Path(".zenodo.yml")}, "downloads stay out of the workspace"


@pytest.mark.container
def test_source_archive_checkout_reads_a_workspace_owned_by_another_user(
    action, workspace, fake_github, fake_zenodo
):
    """The runner mounts a checkout owned by its own user (1001), not the container's root:
    the archive is still built from it, with the Git LFS content and the submodule."""
    sub = workspace.parent / "vendored"
    sub.mkdir()
    git(sub, "init", "-q")
    (sub / "lib.c").write_text("int lib;\n")
    git(sub, "add", ".")
    git(sub, "commit", "-qm", "lib")
    shutil.copy(harness.REPO_ROOT / "examples" / "software" / ".zenodo.yml", workspace)
    (workspace / ".gitattributes").write_text("*.csv filter=lfs -text\n")
    (workspace / "table.csv").write_bytes(LFS_POINTER)
    git(workspace, "init", "-q")
    git(workspace, "submodule", "add", "-q", str(sub), "vendor/lib")
    git(workspace, "add", ".")
    git(workspace, "commit", "-qm", "release")
    git(workspace, "tag", "v2.0.0")
    (workspace / "table.csv").write_bytes(LFS_REAL)
    top = f"octo-org-frobnicator-{git(workspace, 'rev-parse', '--short=7', 'HEAD')}/"
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, 1001, 1001)
    repo = fake_github.add_repo("octo-org/frobnicator")
    fake_github.add_token(GITHUB_TOKEN, "write")
    release = fake_github.add_release(repo, "v2.0.0")
    concept = fake_zenodo.seed_concept(versions=[{"version": "v1.0.0"}])

    event = fake_github.release_event(repo, release)
    result = run_release(
        action, workspace, fake_github, fake_zenodo, repo, event, concept, checkout=True
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    [_, new] = fake_zenodo.published_versions(concept.concept_id)
    data = fake_zenodo.file_bytes(new["record_id"], "frobnicator-v2.0.0.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(top + "table.csv") == LFS_REAL
        assert archive.read(top + "vendor/lib/lib.c") == b"int lib;\n"
    assert fake_github.requests_to("api", "/zipball/") == []  # nothing downloaded


def _action_steps(workflow: dict) -> list[dict]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        # ./ or $/ (this repository) here, <owner>/zenodo-action@<ref> in the README
        if str(step.get("uses", "")).split("@")[0].endswith(("./", "$/", "/zenodo-action"))
    ]


def _readme_workflows() -> list[dict]:
    text = (harness.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]
    return [
        data for data in map(yaml.safe_load, blocks) if isinstance(data, dict) and "jobs" in data
    ]


@pytest.mark.parametrize(
    "name", ["ci.yml", "zenodo-release.yml", "zenodo-validate.yml", "zenodo-dataset.yml"]
)
def test_workflows_use_only_inputs_the_action_declares(action_yml, name):
    workflow = yaml.safe_load((harness.REPO_ROOT / ".github" / "workflows" / name).read_text())
    steps = _action_steps(workflow)
    assert steps, f"{name} does not use the action"
    for step in steps:
        assert set(step.get("with", {})) <= set(action_yml["inputs"]), name


def test_the_readme_workflows_use_only_inputs_the_action_declares(action_yml):
    steps = [step for workflow in _readme_workflows() for step in _action_steps(workflow)]
    assert len(steps) >= 3
    for step in steps:
        assert set(step.get("with", {})) <= set(action_yml["inputs"])


# --- the README's recipe for running the image by hand ------------------------------------


def readme_recipe(name: str) -> str:
    """The bash block right after `<!-- container-recipe: NAME -->` in the README."""
    text = (harness.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- container-recipe: {re.escape(name)} -->\n```bash\n(.*?)\n```", text, re.S
    )
    assert match, f"the README has no container recipe {name!r}"
    return match.group(1)


def test_the_readme_runs_the_image_as_the_runner_and_the_harness_do():
    """The by-hand `docker run` has the runner's shape (github-actions.md §1.2-1.4), as
    the harness does: the same working directory, mounts, path variables, input names."""
    script = readme_recipe("run").replace("\\\n", " ")
    [command] = [line for line in script.splitlines() if line.startswith("docker run ")]
    words = shlex.split(command)
    assert words[words.index("--workdir") + 1] == harness.WORKSPACE
    mounts = [words[i + 1].split(":")[-1] for i, word in enumerate(words) if word == "-v"]
    assert mounts == [harness.WORKSPACE, "/github/workflow", harness.FILE_COMMANDS]
    variables = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "-e")
    assert variables["GITHUB_EVENT_PATH"] == harness.EVENT_PATH
    assert variables["GITHUB_WORKSPACE"] == harness.WORKSPACE
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        assert variables[name].startswith(harness.FILE_COMMANDS + "/")
    declared = harness.input_environment({}, harness.declared_inputs())
    inputs = {name for name in variables if name.startswith("INPUT_")}
    assert inputs <= set(declared) and "INPUT_CITATION-FILE" in inputs  # hyphens kept
    runner = harness.runner_environment("pull_request", {}, {k: k for k in RUNNER_FILES})
    for name, value in variables.items():
        if name.startswith("GITHUB_") and name not in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
            assert runner.get(name) == value, name


RUNNER_FILES = ("output", "summary", "env", "state", "path")


@pytest.mark.container
def test_the_readme_podman_recipe_builds_and_runs_the_image(action, tmp_path):
    """The README's commands, run as written (the image tag aside), with podman here."""
    build = readme_recipe("build-podman")
    assert "\nimage=zenodo-action:local\n" in build
    build = build.replace("\nimage=zenodo-action:local\n", f"\nimage={harness.IMAGE_TAG}\n")
    checkout = tmp_path / "checkout"
    shutil.copytree(harness.REPO_ROOT / "examples" / "citation-and-zenodo", checkout)
    script = f"set -e\ncd {shlex.quote(str(harness.REPO_ROOT))}\n{build}\n"
    script += f"cd {shlex.quote(str(checkout))}\n{readme_recipe('run')}\n"
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=harness.BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    log = done.stdout
    assert "CITATION.cff: valid" in log and ".zenodo.yml: valid" in log
    assert "status<<ghadelimiter_" in log and "\nvalid\n" in log  # the output file
    assert ":white_check_mark: CITATION.cff: valid" in log  # the job summary

"""Build the action's image from the working tree and run it the way the Actions runner does.

The run copies the runner's `docker run` (reference github-actions.md §1.2-1.4): `--rm`,
`--workdir /github/workspace`, the workspace, file-command, workflow and home folders
mounted, every variable passed with `-e`, `INPUT_*` names with hyphens intact and empty
strings for declared inputs that have no default. Podman stands in for Docker
(docs/reference/container.md); scripts/container-setup prepares it and writes podman.env.

Use it from a test module:

    @pytest.fixture(scope="session")
    def action():
        return container_harness.action_container()  # skips or fails without podman

    result = action.run(workspace, inputs={"mode": "validate"}, event_name="pull_request")
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
# Overridable so that two checkouts on one machine (git worktrees) build side by side
# without running each other's image.
IMAGE_TAG = os.environ.get("ZENODO_ACTION_IMAGE_TAG") or "localhost/zenodo-action:test"


def dockerfile_base_image(dockerfile: Path = REPO_ROOT / "Dockerfile") -> str:
    """The first FROM's image as podman names it (scripts/container-setup tags the same)."""
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and words[0].upper() == "FROM":
            image = next(word for word in words[1:] if not word.startswith("--"))
            first = image.split("/", 1)[0]
            if "/" not in image:
                return f"docker.io/library/{image}"
            if "." not in first and ":" not in first and first != "localhost":
                return f"docker.io/{image}"
            return image
    raise ValueError(f"{dockerfile} has no FROM line")


BASE_IMAGE = dockerfile_base_image()
# Set by scripts/test: there a missing podman fails the container tests instead of skipping them.
REQUIRE_VARIABLE = "ZENODO_ACTION_REQUIRE_CONTAINER"
CACHE_VARIABLE = "ZENODO_ACTION_CACHE"
DEFAULT_CACHE = "/var/cache/zenodo-action"
# pypa's self-test sets this to prove the image never relies on the caller's PATH.
HOSTILE_PATH = "utter-nonsense"
BUILD_TIMEOUT = 600
RUN_TIMEOUT = 300

WORKSPACE = "/github/workspace"
FILE_COMMANDS = "/github/file_commands"
EVENT_PATH = "/github/workflow/event.json"
GITHUB_HOME = "/github/home"
RUNNER_TEMP = "/github/runner_temp"
_GITHUB_TOKEN_EXPRESSION = re.compile(r"^\$\{\{\s*github\.token\s*\}\}$")


class ContainerUnavailable(Exception):
    """Podman or the base image is not set up on this machine."""


class EnvFileError(ValueError):
    """An env file the runner would refuse, failing the step even after exit code 0."""


def parse_env_file(text: str) -> dict[str, str]:
    """Parse GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STATE with the runner's rules (github-actions.md §2.1).

    A port of the runner's `FileCommandManager` for Linux: lines split on `\\n` only,
    `NAME=VALUE` when `=` comes before `<<`, else a heredoc ending at a line exactly equal
    to the delimiter. Raises EnvFileError with the runner's message where it would fail
    the step; an empty name is refused too, where the runner would accept garbage.
    """
    lines = text.split("\n")
    pairs: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1 :]
            if not name:
                raise EnvFileError(f"Invalid format '{line}'. Name must not be empty")
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not name or not delimiter:
                raise EnvFileError("Name must not be empty and delimiter must not be empty")
            value, index = _read_heredoc(lines, index, delimiter)
        else:
            raise EnvFileError(f"Invalid format '{line}'")
        pairs[name] = value
    return pairs


def _read_heredoc(lines: list[str], index: int, delimiter: str) -> tuple[str, int]:
    """The value lines up to `delimiter`, and the index of the line after it."""
    value_lines: list[str] = []
    while True:
        at_end = index >= len(lines) or (index == len(lines) - 1 and lines[index] == "")
        if at_end:
            raise EnvFileError(f"Matching delimiter not found '{delimiter}'")
        current = lines[index]
        index += 1
        if current == delimiter:
            return "\n".join(value_lines), index
        if index == len(lines):  # the file's last line, with no newline after it
            raise EnvFileError("EOF marker missing new line")
        value_lines.append(current)


def declared_inputs(action_yml: Path = REPO_ROOT / "action.yml") -> dict[str, Any]:
    """The `inputs` of action.yml: id -> its declaration."""
    return yaml.safe_load(action_yml.read_text(encoding="utf-8")).get("inputs") or {}


def input_environment(
    given: Mapping[str, str], declared: Mapping[str, Any], *, github_token: str = ""
) -> dict[str, str]:
    """`INPUT_*` variables as the runner sets them (github-actions.md §1.4).

    Every declared input is set: the `with:` value, else its evaluated default, else "".
    Undeclared `with:` keys are passed too (the runner only warns). Only spaces become `_`.
    """
    values: dict[str, str] = {}
    for name, spec in declared.items():
        default = (spec or {}).get("default")
        values[name] = _evaluate_default(default, github_token) if default is not None else ""
    values.update(given)
    return {f"INPUT_{name.replace(' ', '_').upper()}": value for name, value in values.items()}


def _evaluate_default(default: object, github_token: str) -> str:
    text = str(default)
    if "${{" not in text:
        return text
    if _GITHUB_TOKEN_EXPRESSION.match(text):
        return github_token
    raise ValueError(f"the harness cannot evaluate the default {text!r}; add it here")


@dataclass(frozen=True)
class Podman:
    """A podman invocation with this project's private storage and containers.conf."""

    root: str
    runroot: str
    containers_conf: str

    @classmethod
    def from_env_file(cls, path: Path) -> Podman:
        settings = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        try:
            return cls(
                settings["PODMAN_ROOT"], settings["PODMAN_RUNROOT"], settings["CONTAINERS_CONF"]
            )
        except KeyError as missing:
            message = f"{path} lacks {missing}; rerun scripts/container-setup"
            raise ContainerUnavailable(message) from None

    def argv(self, *args: str) -> list[str]:
        return ["podman", "--root", self.root, "--runroot", self.runroot, *args]

    def __call__(
        self, *args: str, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            self.argv(*args),
            env={**os.environ, "CONTAINERS_CONF": self.containers_conf},
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            raise RuntimeError(
                f"podman {' '.join(args[:2])} failed ({completed.returncode}):\n"
                + _tail(completed.stdout + completed.stderr)
            )
        return completed


def find_podman() -> Podman:
    """The podman set up by scripts/container-setup; ContainerUnavailable says what is missing."""
    if shutil.which("podman") is None:
        raise ContainerUnavailable("podman is not installed; run scripts/container-setup")
    env_file = Path(os.environ.get(CACHE_VARIABLE) or DEFAULT_CACHE) / "podman.env"
    if not env_file.is_file():
        raise ContainerUnavailable(f"{env_file} is missing; run scripts/container-setup")
    podman = Podman.from_env_file(env_file)
    if podman("image", "exists", BASE_IMAGE, check=False).returncode != 0:
        raise ContainerUnavailable(f"{BASE_IMAGE} is not prepared; run scripts/container-setup")
    return podman


def build_image(podman: Podman, context: Path = REPO_ROOT, tag: str = IMAGE_TAG) -> str:
    """Build the real Dockerfile (layers cached by podman); returns the image id."""
    podman(
        "build",
        "--pull=never",
        "--network=host",  # the default bridge would add netavark iptables chains
        "--tag",
        tag,
        "--file",
        str(context / "Dockerfile"),
        str(context),
        timeout=BUILD_TIMEOUT,
    )
    podman("image", "prune", "--force")  # earlier builds' layers, now untagged
    return podman("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]  # GITHUB_OUTPUT, parsed as the runner does
    exported_env: dict[str, str]  # GITHUB_ENV, parsed likewise
    summary: str  # GITHUB_STEP_SUMMARY

    def annotations(self, level: str) -> list[str]:
        """The `::error ...::` (or warning/notice) lines the runner would turn into annotations."""
        return [
            line
            # the runner parses both (github-actions.md §1.2)
            for stream in (self.stdout, self.stderr)
            for line in workflow_commands(stream)
            if line[2:].split(" ", 1)[0].split("::", 1)[0].lower() == level
        ]


def workflow_commands(text: str) -> list[str]:
    """The lines the runner would act on as `::command` lines (github-actions.md §2.3).

    Leading whitespace is trimmed as the runner does, and everything between
    `::stop-commands::TOKEN` and `::TOKEN::` is plain text to it.
    """
    commands: list[str] = []
    stop_token: str | None = None
    for raw in text.splitlines():
        line = raw.lstrip()
        if stop_token is not None:
            if line == f"::{stop_token}::":
                stop_token = None
            continue
        if line.startswith("::stop-commands::"):
            stop_token = line[len("::stop-commands::") :]
        elif line.startswith("::"):
            commands.append(line)
    return commands


@dataclass
class ActionContainer:
    """The built image, and how to run it like the Actions runner."""

    podman: Podman
    image: str
    declared: dict[str, Any] = field(default_factory=declared_inputs)

    def run(
        self,
        workspace: Path,
        *,
        inputs: Mapping[str, str] | None = None,
        event_name: str = "push",
        event: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        mounts: Sequence[tuple[Path, str]] = (),
        github_token: str = "",
        entrypoint: Sequence[str] | None = None,
        timeout: float = RUN_TIMEOUT,
    ) -> RunResult:
        """Run the action once in `workspace` (a host folder, mounted at /github/workspace).

        `inputs` are `with:` values by input id; `env` adds or overrides variables (step
        env, fake API URLs); `mounts` are extra (host path, container path) pairs;
        `entrypoint` replaces the image's (first item) and passes the rest as arguments.
        Raises EnvFileError when GITHUB_OUTPUT or GITHUB_ENV is malformed.
        """
        with tempfile.TemporaryDirectory(prefix="zenodo-action-runner-") as temp:
            runner = _RunnerFolders.create(Path(temp), event or {})
            variables = {
                **runner_environment(event_name, event or {}, runner.file_names),
                **input_environment(inputs or {}, self.declared, github_token=github_token),
                **(env or {}),
            }
            argv = self._run_argv(workspace, runner, variables, mounts, entrypoint)
            completed = self._run(argv, timeout)
            return RunResult(
                exit_code=completed.returncode,
                stdout=completed.stdout,
                stderr=completed.stderr,
                outputs=parse_env_file(runner.read("output")),
                exported_env=parse_env_file(runner.read("env")),
                summary=runner.read("summary"),
            )

    def _run_argv(
        self,
        workspace: Path,
        runner: _RunnerFolders,
        variables: Mapping[str, str],
        mounts: Sequence[tuple[Path, str]],
        entrypoint: Sequence[str] | None,
    ) -> list[str]:
        argv = ["run", "--rm", "--name", f"zenodo-action-test-{uuid.uuid4().hex[:12]}"]
        argv += ["--workdir", WORKSPACE, "--network=host"]  # host: reach fakes on 127.0.0.1
        volumes = [(workspace, WORKSPACE), *runner.mounts(), *mounts]
        for host, inside in volumes:
            argv += ["--volume", f"{Path(host).resolve()}:{inside}"]
        for name, value in variables.items():
            argv += ["--env", f"{name}={value}"]
        if entrypoint:
            argv += ["--entrypoint", entrypoint[0]]
        argv.append(self.image)
        argv += list(entrypoint[1:]) if entrypoint else []
        return argv

    def _run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        name = argv[argv.index("--name") + 1]
        try:
            return self.podman(*argv, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            self.podman("rm", "--force", "--time", "0", name, check=False)
            raise


def runner_environment(
    event_name: str, event: Mapping[str, Any], file_names: Mapping[str, str]
) -> dict[str, str]:
    """The variables the runner sets for a container step, already path-translated
    (github-actions.md §1.2-1.3)."""
    repository = (event.get("repository") or {}).get("full_name") or "octo-org/octo-repo"
    return {
        "HOME": GITHUB_HOME,
        "PATH": HOSTILE_PATH,
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": WORKSPACE,
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": EVENT_PATH,
        "GITHUB_OUTPUT": f"{FILE_COMMANDS}/{file_names['output']}",
        "GITHUB_STEP_SUMMARY": f"{FILE_COMMANDS}/{file_names['summary']}",
        "GITHUB_ENV": f"{FILE_COMMANDS}/{file_names['env']}",
        "GITHUB_STATE": f"{FILE_COMMANDS}/{file_names['state']}",
        "GITHUB_PATH": f"{FILE_COMMANDS}/{file_names['path']}",
        "GITHUB_REPOSITORY": repository,
        "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
        "GITHUB_REF": _ref_of(event_name, event),
        "GITHUB_SHA": "ffac537e6cbbf934b08745a378932722df287a53",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_GRAPHQL_URL": "https://api.github.com/graphql",
        "GITHUB_RUN_ID": "1658821493",
        "GITHUB_RUN_NUMBER": "3",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_WORKFLOW": "zenodo",
        "GITHUB_JOB": "zenodo",
        "GITHUB_ACTION": "__self",
        # A host path: the action's checkout is not mounted into the container.
        "GITHUB_ACTION_PATH": "/home/runner/work/_actions/zenodo-action/zenodo-action/v1",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "GitHub Actions 2",
        "RUNNER_TEMP": RUNNER_TEMP,
        # PyPI's and other HTTPS traffic is intercepted on the CI machine (container.md §5).
        "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
    }


def _ref_of(event_name: str, event: Mapping[str, Any]) -> str:
    if event_name == "release":
        return f"refs/tags/{(event.get('release') or {}).get('tag_name', 'v1.0.0')}"
    if event_name.startswith("pull_request"):
        return f"refs/pull/{event.get('number', 1)}/merge"
    return "refs/heads/main"


@dataclass(frozen=True)
class _RunnerFolders:
    """RUNNER_TEMP's folders that the runner mounts into the container, with fresh files."""

    temp: Path
    file_names: dict[str, str]

    @classmethod
    def create(cls, temp: Path, event: Mapping[str, Any]) -> _RunnerFolders:
        for folder in ("_runner_file_commands", "_github_workflow", "_github_home"):
            (temp / folder).mkdir()
        prefixes = {"output": "set_output", "summary": "step_summary", "env": "set_env"}
        prefixes |= {"state": "save_state", "path": "add_path"}
        names = {kind: f"{prefix}_{uuid.uuid4()}" for kind, prefix in prefixes.items()}
        for name in names.values():
            (temp / "_runner_file_commands" / name).touch()
        (temp / "_github_workflow" / "event.json").write_text(json.dumps(event), "utf-8")
        return cls(temp, names)

    def mounts(self) -> list[tuple[Path, str]]:
        return [
            (self.temp, RUNNER_TEMP),
            (self.temp / "_github_home", GITHUB_HOME),
            (self.temp / "_github_workflow", "/github/workflow"),
            (self.temp / "_runner_file_commands", FILE_COMMANDS),
        ]

    def read(self, kind: str) -> str:
        return (self.temp / "_runner_file_commands" / self.file_names[kind]).read_text("utf-8")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


@functools.cache
def _built_container() -> ActionContainer | Exception:
    """Built once per session; a failure is kept too, so a broken build fails fast after."""
    try:
        podman = find_podman()
        return ActionContainer(podman, build_image(podman))
    except (ContainerUnavailable, RuntimeError, subprocess.TimeoutExpired) as error:
        return error


def action_container() -> ActionContainer:
    """The image built from the working tree; skips without podman, fails under scripts/test.

    Build errors always fail: a broken Dockerfile must never look like a skipped test.
    """
    built = _built_container()
    if isinstance(built, ContainerUnavailable):
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"{built} ({REQUIRE_VARIABLE} is set)", pytrace=False)
        pytest.skip(str(built))
    if isinstance(built, Exception):
        pytest.fail(f"building the image failed: {built}", pytrace=False)
    return built

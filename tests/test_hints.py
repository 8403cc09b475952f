"""Every hint names what the user typed: a flag on the command line, an input under the runner.

Each case below makes one hint happen through both front doors, `zenodo-action` (cli.main)
and the Action (action.main with the runner's environment), from the same neutral settings,
and reads what each user reads: the command's stderr, the Action's annotations and job
summary. A case names the words each door must say; under the runner no `--flag` may appear
at all, on the command line no input.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import container_harness as harness
from zenodo_action import action, cli, naming
from zenodo_action.naming import COMMAND_LINE, RUNNER, per_door, setting

CONFIG = "title: Frobnicator\nupload_type: software\ncreators:\n  - name: Doe, Jane\nlicense: MIT\n"
DECLARED = harness.declared_inputs()
GITHUB_TOKEN = "ghs_hintsTestTokenValue000000001"


@dataclass
class Said:
    """What a user of one front door reads after the run."""

    code: int
    text: str  # stderr of the command; the Action's log with annotations unescaped
    summary: str = ""

    def mentions_a_flag(self) -> bool:
        return re.search(r"(?<![\w-])--[a-z]", self.text + self.summary) is not None

    def mentions_an_input(self) -> bool:
        return re.search(r"`[a-z-]+:|the `[a-z-]+` input|input '", self.text) is not None


class Doors:
    """Runs one neutral set of settings through either front door, in one workspace."""

    def __init__(
        self, tmp_path: Path, monkeypatch, capfd, zenodo, github, httpserver, clients
    ) -> None:
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.capfd = capfd
        self.zenodo = zenodo
        self.github = github
        self.httpserver = httpserver  # a server of no known kind, for the cases that need one
        self.clients = clients  # conftest.QuickClients
        self.repo = github.add_repo("octo-org/frobnicator")
        github.add_token(GITHUB_TOKEN, "write")

    def write(self, name: str, text: str = CONFIG) -> Path:
        path = self.workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def run(self, door: str, command: str, given: Mapping[str, str], **event: Any) -> Said:
        self._clean_environment()
        self.monkeypatch.chdir(self.workspace)
        if door == "command_line":
            return self._command_line(command, dict(given))
        return self._runner(command, dict(given), **event)

    def _clean_environment(self) -> None:
        for name in list(os.environ):
            if name.startswith(("INPUT_", "GITHUB_", "ZENODO_")) or name == "CI":
                self.monkeypatch.delenv(name)

    def _command_line(self, command: str, given: dict[str, str]) -> Said:
        argv = [command]
        self.monkeypatch.setenv("ZENODO_TOKEN", given.pop("token", self.zenodo.token))
        if "github-token" in given:
            self.monkeypatch.setenv("GITHUB_TOKEN", given.pop("github-token"))
        for key, value in given.items():
            if (key, value) == ("sandbox", "true"):
                argv.append("--sandbox")
            elif key == "files":
                argv += ["--files", *value.split("\n")]
            else:
                argv += [f"--{key}", value]
        self.capfd.readouterr()
        code = cli.main(argv, client_factory=self.clients)
        out, err = self.capfd.readouterr()
        return Said(code, err + out)

    def _runner(self, command: str, given: dict[str, str], **event: Any) -> Said:
        folder = self.tmp_path / f"runner-{len(list(self.tmp_path.iterdir()))}"
        folder.mkdir()
        event_path = folder / "event.json"
        event_path.write_text(json.dumps(event.get("payload", {"inputs": {}})))
        (folder / "output").touch()
        (folder / "summary").touch()
        if command == "validate":
            given.setdefault("mode", "validate")
        else:
            given.setdefault("token", self.zenodo.token)
        env = {
            **self.github.runner_env(self.repo, event_path, event.get("name", "workflow_dispatch")),
            **harness.input_environment(given, DECLARED, github_token=GITHUB_TOKEN),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(folder / "output"),
            "GITHUB_STEP_SUMMARY": str(folder / "summary"),
            "GITHUB_ACTIONS": "true",
        }
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.capfd.readouterr()
        code = action.main(client_factory=self.clients)
        out, err = self.capfd.readouterr()
        text = "\n".join(_unescaped(line) for line in (out + err).splitlines())
        return Said(code, text, (folder / "summary").read_text())


def _unescaped(line: str) -> str:
    """An annotation's message as the run page shows it."""
    if not line.startswith("::"):
        return line
    return line.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%25", "%")


@pytest.fixture
def doors(tmp_path, monkeypatch, capfd, fake_zenodo, fake_github, fast_retries, httpserver):
    return Doors(tmp_path, monkeypatch, capfd, fake_zenodo, fake_github, httpserver, fast_retries)


@dataclass(frozen=True)
class Case:
    """One hint: how to make it happen, and what each door must say."""

    make: Callable[[Doors, str], Said]
    command_line: str | None  # None: this door cannot reach it (see the case's comment)
    runner: str | None


def _missing_source(setting_name: str) -> Callable[[Doors, str], Said]:
    def make(doors: Doors, door: str) -> Said:
        doors.write(".zenodo.yml")
        return doors.run(door, "validate", {setting_name: "docs/missing.txt"})

    return make


def _empty_workspace(doors: Doors, door: str) -> Said:
    return doors.run(door, "validate", {})


def _yaml_spelling(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yaml")
    return doors.run(door, "validate", {})


def _concept_elsewhere(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml")
    doors.write("dist/a.txt", "a")
    given = {"concept": "https://sandbox.zenodo.org/records/12", "files": "dist/*"}
    return doors.run(door, "publish", given)


def _plain_http(doors: Doors, door: str) -> Said:
    given = {"zenodo-url": "http://zenodo.example.org", "files": "dist/*"}
    return doors.run(door, "publish", given)


def _malformed_concept(doors: Doors, door: str) -> Said:
    return doors.run(door, "publish", {"concept": "zenodo", "files": "dist/*"})


def _sandbox_concept(doors: Doors, door: str) -> Said:
    return doors.run(door, "publish", {"concept": "10.5072/zenodo.12", "files": "dist/*"})


def _unreadable_answer(doors: Doors, door: str) -> Said:
    doors.zenodo.inject("GET", r"^/api/deposit/depositions$", "not_json", times=99)
    return _publish(doors, door, version="1.0", api="deposit")  # auto would ask the other API


def _sandbox_and_url(doors: Doors, door: str) -> Said:
    given = {"sandbox": "true", "zenodo-url": "https://zenodo.example.org", "files": "x"}
    return doors.run(door, "publish", given)


def _publish(doors: Doors, door: str, **given: str) -> Said:
    doors.write(".zenodo.yml")
    doors.write("dist/a.txt", "a")
    return doors.run(door, "publish", {"zenodo-url": doors.zenodo.url, "files": "dist/*", **given})


def _unknown_concept(doors: Doors, door: str) -> Said:
    return _publish(doors, door, concept="424242")


def _title_taken(doors: Doors, door: str) -> Said:
    doors.zenodo.seed_concept(versions=[{"version": "1.0", "metadata": {"title": "Frobnicator"}}])
    return _publish(doors, door, version="2.0")


def _new_concept(doors: Doors, door: str) -> Said:
    return _publish(doors, door, version="1.0")


def _bad_token(doors: Doors, door: str) -> Said:
    concept = doors.zenodo.seed_concept(versions=[{"version": "1.0"}])
    return _publish(doors, door, concept=concept.concept_doi, token="not-a-valid-token-123")


def _outside_files(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml")
    (doors.tmp_path / "elsewhere.txt").write_text("x")
    return doors.run(door, "publish", {"zenodo-url": doors.zenodo.url, "files": "../*.txt"})


def _not_zenodo(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml")
    doors.write("dist/a.txt", "a")
    # a server that answers 404 to Zenodo's deposit API, as a plain InvenioRDM does
    doors.httpserver.expect_request(re.compile(".*")).respond_with_json({}, status=404)
    url = doors.httpserver.url_for("").rstrip("/")
    return doors.run(door, "publish", {"zenodo-url": url, "files": "dist/*", "concept": "1"})


def _private_release(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml")
    doors.repo.private = True
    given = {"release-tag": "v1.0.0", "github-token": "", "zenodo-url": doors.zenodo.url}
    if door == "command_line":
        given |= {"repository": doors.repo.full_name, "github-api-url": doors.github.api_url}
    return doors.run(door, "publish", given)


def _nothing_to_publish(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml")
    release = doors.github.add_release(doors.repo, "v1.0.0")
    given = {"zenodo-url": doors.zenodo.url, "source-archive": "none"}
    if door == "command_line":
        given |= {"release-tag": "v1.0.0", "github-token": GITHUB_TOKEN}
        given |= {"repository": doors.repo.full_name, "github-api-url": doors.github.api_url}
        return doors.run(door, "publish", given)
    payload = doors.github.release_event(doors.repo, release)
    return doors.run(door, "publish", given, name="release", payload=payload)


def _files_in_metadata(doors: Doors, door: str) -> Said:
    doors.write(".zenodo.yml", CONFIG + "files: [dist/a.whl]\n")
    return doors.run(door, "validate", {})


CASES = {
    "a .zenodo.yml that names files": Case(
        _files_in_metadata,
        "the files to publish are named by --files, not by this file",
        "the files to publish are named by the `files` input, not by this file",
    ),
    "citation-file names a missing file": Case(
        _missing_source("citation-file"),
        "hint: check --citation-file docs/missing.txt: a relative path is read from the "
        "current directory",
        "hint: check `citation-file: docs/missing.txt`: a relative path is read from the workspace",
    ),
    "codemeta-file names a missing file": Case(
        _missing_source("codemeta-file"),
        "hint: check --codemeta-file docs/missing.txt",
        "hint: check `codemeta-file: docs/missing.txt`",
    ),
    "config names a missing file": Case(
        _missing_source("config"),
        "hint: check --config docs/missing.txt",
        "hint: check `config: docs/missing.txt`",
    ),
    "no metadata at all": Case(
        _empty_workspace,
        "or name the file with --config PATH",
        "or name the file with `config: PATH` (and check that an actions/checkout step runs "
        "before this one)",
    ),
    "a .zenodo.yaml": Case(
        _yaml_spelling,
        "rename it to .zenodo.yml, or name it with --config .zenodo.yaml",
        "rename it to .zenodo.yml, or name it with `config: .zenodo.yaml`",
    ),
    "a concept URL of another instance": Case(
        _concept_elsewhere,
        "but this run publishes to zenodo.org; use --sandbox or --zenodo-url to match",
        "but this run publishes to zenodo.org; use `sandbox: true` or the `zenodo-url` input "
        "to match",
    ),
    "a plain-http Zenodo URL": Case(
        _plain_http,
        "error: --zenodo-url 'http://zenodo.example.org' uses plain http",
        "the `zenodo-url` input 'http://zenodo.example.org' uses plain http",
    ),
    "a sandbox concept on zenodo.org": Case(
        _sandbox_concept,
        "hint: publish to the instance that minted it: --sandbox for sandbox.zenodo.org, "
        "--zenodo-url for another one",
        "hint: publish to the instance that minted it: `sandbox: true` for "
        "sandbox.zenodo.org, the `zenodo-url` input for another one",
    ),
    "an answer Zenodo would not give, to a read": Case(
        _unreadable_answer,
        "hint: nothing was changed; run again, and if it persists, check --zenodo-url",
        "hint: nothing was changed; run again, and if it persists, check the `zenodo-url` input",
    ),
    "a malformed concept": Case(
        _malformed_concept,
        "error: --concept 'zenodo' is not a Zenodo concept DOI",
        "the `concept` input 'zenodo' is not a Zenodo concept DOI",
    ),
    # argparse refuses --sandbox with --zenodo-url before any hint of ours
    "sandbox and a Zenodo URL together": Case(
        _sandbox_and_url, None, "give either `sandbox: true` or the `zenodo-url` input, not both"
    ),
    "a concept Zenodo does not have": Case(
        _unknown_concept,
        "hint: check --concept 424242, and that the run publishes where it lives: --sandbox "
        "for sandbox.zenodo.org, --zenodo-url for another instance",
        "hint: check `concept: 424242`, and that the run publishes where it lives: "
        "`sandbox: true` for sandbox.zenodo.org, the `zenodo-url` input for another instance",
    ),
    "a record of this title exists, and no concept is given": Case(
        _title_taken,
        "hint: to add a version to it, use --concept 10.5281/zenodo.10000",
        "hint: to add a version to it, use `concept: 10.5281/zenodo.10000`",
    ),
    "a new concept to pin": Case(
        _new_concept,
        "Pin it so later runs add versions to it: --concept 10.5281/zenodo.10000.",
        "Pin it so later runs add versions to it: `concept: 10.5281/zenodo.10000`.",
    ),
    "a token Zenodo refuses": Case(
        _bad_token,
        "hint: set ZENODO_TOKEN to a personal access token of your account on this instance",
        "hint: set the `token` input to a personal access token of your account on this instance",
    ),
    "files outside the workspace": Case(
        _outside_files,
        "hint: copy the files into the working directory first, or pass --allow-outside-root "
        "to publish files from outside it on purpose",
        "hint: copy the files into the workspace in an earlier step",
    ),
    "a server without Zenodo's deposit API": Case(
        _not_zenodo,
        "hint: --zenodo-url must be the base address of Zenodo or an InvenioRDM repository",
        "hint: the `zenodo-url` input must be the base address of Zenodo or an InvenioRDM",
    ),
    "a private repository's release without a GitHub token": Case(
        _private_release,
        "a private repository needs a token in GITHUB_TOKEN that may read it",
        "a private repository needs a token in the `github-token` input that may read it",
    ),
    "a release with nothing to publish": Case(
        _nothing_to_publish,
        "error: nothing to publish: --files names no file, the release gives no asset and "
        "--source-archive none\nhint: name the files with --files 'dist/*' (one or more globs)",
        "nothing to publish: the `files` input names no file, the release gives no asset and "
        "`source-archive: none`\nhint: name the files with `files: dist/*` (one glob per line)",
    ),
}


REACHED = [
    (name, door)
    for name, case in sorted(CASES.items())
    for door, expected in (("command_line", case.command_line), ("runner", case.runner))
    if expected is not None  # None: that door cannot reach the hint (see the case)
]


@pytest.mark.parametrize(("name", "door"), REACHED)
def test_each_hint_names_what_the_user_of_each_door_typed(doors, name, door):
    case = CASES[name]
    expected = case.command_line if door == "command_line" else case.runner
    assert expected is not None
    said = case.make(doors, door)
    assert said.code != 0 or name == "a new concept to pin", said.text
    assert expected in said.text, said.text
    assert "\ue000" not in said.text + said.summary  # every neutral name was spelt
    if door == "runner":
        assert not said.mentions_a_flag(), said.text + said.summary
    else:
        assert not said.mentions_an_input(), said.text


# --- the vocabulary, and the rule that hints go through it -------------------------------


def test_each_door_spells_a_setting_its_own_way():
    text = f"use {setting('concept', '10.5281/zenodo.1')} or {setting('files', 'dist/*')}"
    assert COMMAND_LINE.spell(text) == "use --concept 10.5281/zenodo.1 or --files 'dist/*'"
    assert RUNNER.spell(text) == "use `concept: 10.5281/zenodo.1` or `files: dist/*`"
    switches = " ".join(setting(*pair) for pair in [("sandbox", "true"), ("publish", "false")])
    assert COMMAND_LINE.spell(switches) == "--sandbox --draft"
    assert RUNNER.spell(switches) == "`sandbox: true` `publish: false`"
    assert COMMAND_LINE.spell(setting("token")) == "ZENODO_TOKEN"
    assert RUNNER.spell(setting("token")) == "the `token` input"
    words = per_door(command_line="a", runner="b")
    assert (COMMAND_LINE.spell(words), RUNNER.spell(words)) == ("a", "b")


def test_text_from_users_is_left_as_it_is():
    odd = "a \ue000{not json}\ue001 b \ue000[1]\ue001 \ue001\ue000"
    assert COMMAND_LINE.spell(odd) == odd and RUNNER.spell(odd) == odd


def _package_calls(function: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(Path(naming.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function:
                found.append((path.name, node))
    return found


def test_every_setting_a_hint_names_exists_at_both_doors():
    """An Action input of that name, and a flag (or variable) of the command line."""
    parser_flags = {
        option
        for action_ in cli.build_parser()._subparsers._group_actions[0].choices.values()  # type: ignore[union-attr]
        for argument in action_._actions
        for option in argument.option_strings
    }
    keys = {
        node.args[0].value
        for _, node in _package_calls("setting")
        if isinstance(node.args[0], ast.Constant)
    }
    assert {"config", "concept", "files", "token", "zenodo-url"} <= keys
    for key in keys:
        assert key in DECLARED, f"{key} is no input of action.yml"
        spelt = COMMAND_LINE.name(key, "true" if key == "sandbox" else None)
        assert spelt in parser_flags or spelt.isupper(), f"{key}: {spelt} is no flag"


# Modules that speak for one front door only, and may name its flags or inputs directly.
ONE_DOOR = {
    "cli.py",  # the command line
    "settings.py",  # each front door's own constructor (from_args, from_runner)
    "action.py",  # the Action
    "inputs.py",  # the runner's INPUT_* variables
    "naming.py",  # the spelling itself
    "writeback.py",  # the pull request's body: only the Action opens pull requests
    "gitlab.py",  # GitLab CI runs the command line: its reports name its flags (--dotenv)
}


def test_no_shared_module_names_a_flag_or_an_input_outside_the_vocabulary():
    wrong = []
    for path in sorted(Path(naming.__file__).parent.rglob("*.py")):
        if path.name in ONE_DOOR:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {id(node) for node in _docstrings(tree)}
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "per_door":
                skipped |= {id(node) for node in ast.walk(call)}
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in skipped and _names_a_setting(node.value):
                wrong.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    assert wrong == []


def _docstrings(tree: ast.AST) -> list[ast.AST]:
    kinds = (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)
    return [
        node.body[0].value
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    ]


def _names_a_setting(text: str) -> bool:
    return bool(re.search(r"(^|[\s(`'])--[a-z]|\binput\b", text))

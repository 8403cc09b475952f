"""GitLab CI: the Code Quality report of `validate --format gitlab`, the dotenv report of
`publish --dotenv`, and the job template users copy (docs/gitlab-ci.yml).

The report is checked against a JSON Schema written from GitLab's documented format
(https://docs.gitlab.com/ci/testing/code_quality/, "Code Quality report format"); the
dotenv file is read back the way GitLab's parser reads it
(app/services/ci/parse_dotenv_artifact_service.rb)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import zenodo_action
from zenodo_action import gitlab
from zenodo_action.cli import build_parser, main
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ActionError, UsageError
from zenodo_action.metadata.problems import Problem
from zenodo_action.result import PublishResult

from .test_publish import Project

TEMPLATE = Path(__file__).parent.parent / "docs" / "gitlab-ci.yml"

# GitLab: "The Code Quality report artifact must be a JSON array of objects" with a
# description, a check_name, a fingerprint (unique), a severity (info, minor, major,
# critical or blocker), location.path (relative to the repository) and a line:
# location.lines.begin or location.positions.begin.line.
CODE_QUALITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {
                        "type": "string",
                        "minLength": 1,
                        "not": {"pattern": r"^(/|\./|[A-Za-z]:)|\\"},
                    },
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {"type": "integer", "minimum": 1},
                            "end": {"type": "integer", "minimum": 1},
                        },
                    },
                    "positions": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {
                                "type": "object",
                                "required": ["line"],
                                "properties": {"line": {"type": "integer", "minimum": 1}},
                            }
                        },
                    },
                },
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}

INVALID = """\
title: Frobnicator
upload_type: softwre
description: <p>Frobnicates.</p>
creators:
  - name: Doe, Jane
    orcid: 1234
  - name: Roe, Richard
    orcid: 5678
license: MIT
keywords: [widgets]
"""


def run_validate(*args: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def parse_dotenv(text: str) -> dict[str, str]:
    """GitLab's reading: every line `KEY=VALUE` split at the first `=`, both sides
    stripped; a line without `=` (an empty one too) rejects the whole artifact; keys
    are letters, digits and `_`."""
    variables = {}
    for line in text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"):
        match = re.match(r"^(.*?)=(.*)$", line)
        assert match, f"GitLab rejects the artifact at {line!r}"
        key, value = (part.strip(" \t\n\v\f\r\0") for part in match.groups())
        assert re.fullmatch(r"[A-Za-z0-9_]+", key), key
        variables[key] = value
    return variables


# --- validate --format gitlab -------------------------------------------------------


@pytest.fixture
def invalid_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / ".zenodo.yml").write_text(INVALID)
    return tmp_path


def test_the_report_follows_gitlabs_format_and_the_text_goes_to_stderr(invalid_project, capsys):
    code, out, err = run_validate("--format", "gitlab", capsys=capsys)
    assert code == EXIT_FAILURE
    issues = json.loads(out)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert len(issues) >= 3
    # the human-readable lines, and the verdict, are in the log
    assert ".zenodo.yml:2:14: error: upload_type:" in err
    assert ".zenodo.yml: invalid, " in err


def test_each_problem_is_one_issue_on_its_line_with_its_severity(invalid_project, capsys):
    _, json_out, _ = run_validate("--format", "json", capsys=capsys)
    problems = json.loads(json_out)["problems"]
    _, out, _ = run_validate("--format", "gitlab", capsys=capsys)
    issues = json.loads(out)
    assert len(issues) == len(problems)
    severities = {"error": "major", "warning": "minor", "notice": "info"}
    for problem, issue in zip(problems, issues, strict=True):
        assert issue["location"] == {"path": ".zenodo.yml", "lines": {"begin": problem["line"]}}
        assert issue["severity"] == severities[problem["severity"]]
        assert problem["message"] in issue["description"]
        assert issue["check_name"] == f"zenodo-action/{problem['code']}"
    upload_type = next(i for i in issues if i["description"].startswith("upload_type:"))
    assert upload_type["location"]["lines"]["begin"] == 2
    assert upload_type["severity"] == "major"


def test_fingerprints_are_unique_and_the_same_on_the_next_run(invalid_project, capsys):
    first = json.loads(run_validate("--format", "gitlab", capsys=capsys)[1])
    second = json.loads(run_validate("--format", "gitlab", capsys=capsys)[1])
    prints = [issue["fingerprint"] for issue in first]
    assert len(set(prints)) == len(prints)
    assert prints == [issue["fingerprint"] for issue in second]


def test_a_problem_that_moves_down_keeps_its_fingerprint(invalid_project, capsys):
    """GitLab compares the branch's report with the target's by fingerprint: a problem
    that only moved is neither fixed nor new."""
    before = json.loads(run_validate("--format", "gitlab", capsys=capsys)[1])
    (invalid_project / ".zenodo.yml").write_text("# a comment\n\n" + INVALID)
    after = json.loads(run_validate("--format", "gitlab", capsys=capsys)[1])
    moved = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in after}
    for issue in before:
        if issue["location"]["lines"]["begin"] > 1:
            assert moved[issue["fingerprint"]] == issue["location"]["lines"]["begin"] + 2


def test_codeclimate_is_the_same_report(invalid_project, capsys):
    gitlab_out = run_validate("--format", "gitlab", capsys=capsys)[1]
    assert run_validate("--format", "codeclimate", capsys=capsys)[1] == gitlab_out


def test_strict_makes_warnings_major(invalid_project, capsys):
    fixed = INVALID.replace("softwre", "software").replace("Roe, Richard", "Richard Roe")
    (invalid_project / ".zenodo.yml").write_text(fixed)
    normal = json.loads(run_validate("--format", "gitlab", capsys=capsys)[1])
    strict = json.loads(run_validate("--format", "gitlab", "--strict", capsys=capsys)[1])
    warned = [i["fingerprint"] for i in normal if i["severity"] == "minor"]
    assert warned, "the file should have warnings"
    assert {i["fingerprint"]: i["severity"] for i in strict if i["fingerprint"] in warned} == {
        key: "major" for key in warned
    }


def test_a_valid_file_is_an_empty_report_and_exit_0(invalid_project, capsys):
    (invalid_project / ".zenodo.yml").write_text(
        INVALID.replace("softwre", "software")
        .replace("    orcid: 1234\n", "")
        .replace("    orcid: 5678\n", "")
    )
    code, out, _ = run_validate("--format", "gitlab", "--require-complete", capsys=capsys)
    assert code == EXIT_OK
    assert json.loads(out) == []


def test_paths_are_relative_to_ci_project_dir(invalid_project, capsys, monkeypatch):
    """The job may run in a subdirectory, or name the file by an absolute path: GitLab
    wants the path from the repository's root."""
    sub = invalid_project / "meta"
    sub.mkdir()
    (sub / ".zenodo.yml").write_text(INVALID)
    monkeypatch.setenv("CI_PROJECT_DIR", str(invalid_project))
    _, out, _ = run_validate(
        "--format", "gitlab", "--config", str(sub / ".zenodo.yml"), capsys=capsys
    )
    issues = json.loads(out)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert {i["location"]["path"] for i in issues} == {"meta/.zenodo.yml"}
    monkeypatch.chdir(sub)
    _, out, _ = run_validate("--format", "gitlab", capsys=capsys)
    assert {i["location"]["path"] for i in json.loads(out)} == {"meta/.zenodo.yml"}


def test_a_syntax_error_is_an_issue_on_its_line(invalid_project, capsys):
    (invalid_project / ".zenodo.yml").write_text("title: Frobnicator\ncreators: [\n")
    code, out, _ = run_validate("--format", "gitlab", capsys=capsys)
    [issue] = json.loads(out)
    assert code == EXIT_FAILURE
    assert issue["severity"] == "major" and issue["check_name"] == "zenodo-action/syntax"
    assert issue["location"]["lines"]["begin"] == 3


def test_a_run_that_cannot_validate_reports_why_instead_of_nothing(tmp_path, monkeypatch, capsys):
    """No metadata at all: an empty array would say "no problems" in the merge request."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_validate("--format", "gitlab", capsys=capsys)
    assert code == EXIT_USAGE
    [issue] = json.loads(out)
    jsonschema.validate([issue], CODE_QUALITY_SCHEMA)
    assert issue["severity"] == "critical"
    assert "no metadata" in issue["description"] and "no metadata" in err
    # the hint names the command line's flag, as the job's script wrote it
    assert "name the file with --config PATH" in issue["description"]
    assert "\ue000" not in out


def test_the_same_words_twice_still_get_two_fingerprints():
    twice = [Problem("warning", "keywords", "duplicate", line=3, code="dup")] * 2
    issues = gitlab.code_quality_issues({Path("a.yml"): twice}, Path.cwd())
    assert len({i["fingerprint"] for i in issues}) == 2


def test_a_whole_file_problem_begins_at_line_1():
    [issue] = gitlab.code_quality_issues({Path("a.yml"): [Problem("error", "", "empty")]})
    assert issue["location"]["lines"] == {"begin": 1}
    assert issue["check_name"] == "zenodo-action"


def test_under_the_actions_runner_the_report_holds_no_workflow_command(
    invalid_project, capsys, monkeypatch
):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (invalid_project / ".zenodo.yml").write_text(INVALID.replace("softwre", "'##[error]x'"))
    _, out, _ = run_validate("--format", "gitlab", capsys=capsys)
    assert "##[" not in out
    assert any("##[error]x" in i["description"] for i in json.loads(out))


# --- publish --dotenv -----------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    return Project(tmp_path, capsys, fake_zenodo, fast_retries)


def test_publish_writes_the_result_as_a_dotenv_report(project):
    project.file("tool-1.0.zip", b"one")
    code, result, _ = project.publish("--files", "dist/*", "--version", "1.0", "--dotenv", "z.env")
    assert code == EXIT_OK and result is not None
    text = (project.root / "z.env").read_text(encoding="utf-8")
    assert text.endswith("\n") and "\n\n" not in text
    variables = parse_dotenv(text)
    assert variables == {
        "ZENODO_DOI": result["doi"],
        "ZENODO_DOI_URL": f"https://doi.org/{result['doi']}",
        "ZENODO_CONCEPT_DOI": result["concept_doi"],
        "ZENODO_RECORD_ID": str(result["record_id"]),
        "ZENODO_RECORD_URL": result["record_url"],
        "ZENODO_VERSION": "1.0",
        "ZENODO_BADGE": result["badge"],
        "ZENODO_STATUS": "published",
        "ZENODO_DOI_RESERVED": "false",
    }
    assert len(text.encode()) < gitlab.DOTENV_SIZE_LIMIT


def test_a_rerun_and_a_draft_say_so(project):
    project.file("tool-1.0.zip", b"one")
    _, first, _ = project.publish("--files", "dist/*", "--version", "1.0")
    assert first is not None
    project.publish("--files", "dist/*", "--version", "1.0", "--dotenv", "z.env")
    assert parse_dotenv((project.root / "z.env").read_text())["ZENODO_STATUS"] == "unchanged"
    project.file("tool-2.0.zip", b"two")
    code, result, _ = project.publish(
        *("--files", "dist/*", "--version", "2.0", "--draft", "--dotenv", "z.env"),
        *("--concept", first["concept_doi"]),
    )
    variables = parse_dotenv((project.root / "z.env").read_text())
    assert code == EXIT_OK and result is not None
    assert variables["ZENODO_STATUS"] == "draft"
    assert variables["ZENODO_DOI_RESERVED"] == "true"
    assert variables["ZENODO_DOI"] == result["doi"]


def test_an_equals_sign_and_quotes_reach_later_jobs_as_written(project):
    project.file("tool.zip", b"one")
    version = "1.0=rc1 \"quoted\" 'x'"
    code, _, _ = project.publish("--files", "dist/*", "--version", version, "--dotenv", "z.env")
    assert code == EXIT_OK
    assert parse_dotenv((project.root / "z.env").read_text())["ZENODO_VERSION"] == version


def test_a_value_with_a_line_break_is_left_out_not_written(project):
    """A newline would end the value and start a line of its own: here one that would
    set ZENODO_DOI for every later job."""
    project.file("tool.zip", b"one")
    version = "1.0\nZENODO_DOI=10.1234/evil"
    code, result, err = project.publish(
        "--files", "dist/*", "--version", version, "--dotenv", "z.env"
    )
    assert code == EXIT_OK and result is not None
    variables = parse_dotenv((project.root / "z.env").read_text())
    assert "ZENODO_VERSION" not in variables
    assert variables["ZENODO_DOI"] == result["doi"]
    assert "warning: ZENODO_VERSION is left out of the dotenv report z.env" in err


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("a\rb", "line break"),
        ("a\u2028b", "line break"),
        ("a\x00b", "control"),
        (" 1.0", "blanks"),
        ("1.0 ", "blanks"),
        ("1.0\t", "control"),
        ("v$HOME", "$"),
    ],
)
def test_values_gitlab_would_change_are_refused(value, why):
    reason = gitlab.dotenv_refusal(value)
    assert reason is not None and why in reason
    text, refused = gitlab.render_dotenv({"A": "ok", "B": value})
    assert parse_dotenv(text) == {"A": "ok"} and list(refused) == ["B"]


def test_the_report_stays_under_gitlabs_size_limit():
    text, refused = gitlab.render_dotenv({"SHORT": "x", "LONG": "y" * 6000})
    assert parse_dotenv(text) == {"SHORT": "x"} and "LONG" in refused
    assert len(text.encode()) < gitlab.DOTENV_SIZE_LIMIT


def test_every_output_is_a_dotenv_variable():
    result = PublishResult(
        "planned", None, None, None, None, "1.0", None, (), new_concept=False, reason=None
    )
    variables = gitlab.dotenv_variables(result)
    assert variables["ZENODO_DOI"] == "" and variables["ZENODO_STATUS"] == "planned"
    assert len(variables) == len(result.outputs())
    assert parse_dotenv(gitlab.render_dotenv(variables)[0]) == variables


def test_a_dotenv_path_that_cannot_be_written_stops_the_run_before_zenodo(project):
    project.file("tool.zip", b"one")
    code, _, err = project.publish("--files", "dist/*", "--dotenv", "missing/z.env")
    assert code == EXIT_USAGE and "its directory does not exist" in err
    code, _, err = project.publish("--files", "dist/*", "--dotenv", "dist")
    assert code == EXIT_USAGE and "not a file name" in err
    assert project.fake.concept_ids() == []


def _link_to_a_deep_folder(root: Path, outside: Path) -> None:
    (outside / "deep").mkdir()
    (root / "vendor").symlink_to(outside / "deep")


@pytest.mark.parametrize(
    ("setup", "given", "said"),
    [
        # a committed link to somewhere else: the report would overwrite that file
        (lambda root, out: (root / "z.env").symlink_to(out / "victim"), "z.env", "is a link"),
        (lambda root, out: (root / "z.env").symlink_to(root / "dist"), "z.env", "is a link"),
        (lambda root, out: None, "{out}/z.env", "outside the project directory"),
        (lambda root, out: None, "../z.env", "outside the project directory"),
        # a linked folder that leads out of the project
        (lambda root, out: (root / "reports").symlink_to(out), "reports/z.env", "outside"),
        # `..` after a linked folder: the kernel takes the link first, then its parent
        (_link_to_a_deep_folder, "vendor/../z.env", "outside the project directory"),
        (_link_to_a_deep_folder, "vendor/..", "not a file name"),
        (lambda root, out: os.mkfifo(root / "z.env"), "z.env", "not a regular file"),
    ],
)
def test_dotenv_writes_only_a_regular_file_inside_the_project(
    project, tmp_path, setup, given, said
):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "victim").write_text("keep me\n")
    project.file("tool.zip", b"one")
    setup(project.root, outside)

    code, _, err = project.publish("--files", "dist/*", "--dotenv", given.format(out=outside))

    assert code == EXIT_USAGE and said in err
    assert project.fake.concept_ids() == []
    assert (outside / "victim").read_text() == "keep me\n" and not (outside / "z.env").exists()


def test_dotenv_inside_a_linked_folder_of_the_project_and_in_ci_project_dir(project, monkeypatch):
    (project.root / "build").mkdir()
    (project.root / "reports").symlink_to(project.root / "build")
    project.file("tool.zip", b"one")
    monkeypatch.setenv("CI_PROJECT_DIR", str(project.root))

    code, result, _ = project.publish("--files", "dist/*", "--dotenv", "reports/z.env")

    assert code == EXIT_OK and result is not None
    assert (
        parse_dotenv((project.root / "build" / "z.env").read_text())["ZENODO_DOI"] == result["doi"]
    )


def test_dotenv_with_dot_dot_after_a_plain_folder_is_written_in_the_project(project):
    (project.root / "build").mkdir()
    project.file("tool.zip", b"one")

    code, result, _ = project.publish("--files", "dist/*", "--dotenv", "build/../z.env")

    assert code == EXIT_OK and result is not None
    assert parse_dotenv((project.root / "z.env").read_text())["ZENODO_DOI"] == result["doi"]


def test_a_link_put_in_place_after_the_check_is_not_followed(tmp_path):
    (tmp_path / "victim").write_text("keep me\n")
    target = tmp_path / "z.env"
    reporter = gitlab.GitLabReporter(_Quiet(), dotenv=target, project_dir=tmp_path)
    result = PublishResult(
        "published", "10.5281/zenodo.2", "10.5281/zenodo.1", 2, None, "1", None, (), False, None
    )
    target.symlink_to(tmp_path / "victim")  # between the settings' check and the write

    with pytest.raises(ActionError, match=r"could not write the dotenv report.*is a link"):
        reporter.result(result, {}, {})

    assert (tmp_path / "victim").read_text() == "keep me\n"


def test_the_write_itself_never_follows_a_final_link(tmp_path, monkeypatch):
    from zenodo_action import confined

    (tmp_path / "victim").write_text("keep me\n")
    (tmp_path / "z.env").symlink_to(tmp_path / "victim")
    monkeypatch.setattr(confined, "check_regular_file", lambda *args: None)  # the race lost

    with pytest.raises(OSError):
        confined.write_regular_file(tmp_path / "z.env", tmp_path, "X=1\n", "--dotenv")

    assert (tmp_path / "victim").read_text() == "keep me\n"


def test_a_write_failure_after_publishing_is_an_error_with_a_hint(tmp_path):
    reporter = gitlab.GitLabReporter(_Quiet(), dotenv=tmp_path / "gone" / "z.env")
    result = PublishResult(
        "published", "10.5281/zenodo.2", "10.5281/zenodo.1", 2, None, "1", None, (), False, None
    )
    with pytest.raises(ActionError, match="could not write") as raised:
        reporter.result(result, {}, {})
    assert not isinstance(raised.value, UsageError)
    assert "re-running" in str(raised.value)


class _Quiet:
    """A reporter that shows nothing (the terminal's part is not under test here)."""

    def problems(self, found):
        pass

    def plan(self, text):
        pass

    def result(self, result, metadata, origins):
        pass

    def output(self, name, value):
        pass

    def note(self, level, message, *, title):
        pass

    def error(self, error):
        pass


# --- the job template ----------------------------------------------------------------

FAKE_CI = {"CI_COMMIT_TAG": "2.0.0", "ZENODO_CONCEPT": "", "ZENODO_ACTION_VERSION": "0"}


def template() -> dict:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def commands_of(job: dict) -> list[tuple[list[str], str | None]]:
    """The job's zenodo-action command lines as argv (after the shell's expansion of
    the CI variables above), and the file their stdout is redirected to."""
    found = []
    for line in job["script"]:
        expanded = re.sub(
            r"\$\{(\w+)(?::-[^}]*)?\}|\$(\w+)",
            lambda m: FAKE_CI[m.group(1) or m.group(2)],
            line,
        )
        words = shlex.split(expanded)
        if words[:1] != ["zenodo-action"]:
            continue
        redirected = words[words.index(">") + 1] if ">" in words else None
        found.append((words[1 : words.index(">")] if redirected else words[1:], redirected))
    return found


def test_the_template_is_gitlab_yaml_with_the_two_jobs():
    jobs = template()
    validate, publish = jobs["zenodo-validate"], jobs["zenodo-publish"]
    assert validate["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert publish["rules"] == [{"if": "$CI_COMMIT_TAG"}]
    base = jobs[".zenodo-action"]
    assert validate["extends"] == publish["extends"] == ".zenodo-action"
    assert base["image"].startswith("python:3.12")
    assert any("zenodo-action==${ZENODO_ACTION_VERSION}" in c for c in base["before_script"])
    # the token is a masked CI/CD variable of the project, never written in the file
    for variables in [jobs["variables"], *(job.get("variables", {}) for job in jobs.values())]:
        assert "ZENODO_TOKEN" not in variables


def test_the_template_is_valid_gitlab_ci_configuration():
    """Against GitLab's own CI schema, as vendored in check-jsonschema (a test extra)."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci"]
    done = subprocess.run(
        [*command, str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_template_installs_this_release():
    assert template()["variables"]["ZENODO_ACTION_VERSION"] == zenodo_action.__version__


def test_the_template_commands_parse_with_the_clis_flags():
    parser = build_parser()
    jobs = template()
    [(validate, report)] = commands_of(jobs["zenodo-validate"])
    args = parser.parse_args(validate)
    assert args.command == "validate" and args.format == "gitlab"
    assert report == jobs["zenodo-validate"]["artifacts"]["reports"]["codequality"]
    assert jobs["zenodo-validate"]["artifacts"]["when"] == "always"
    [(publish, _)] = commands_of(jobs["zenodo-publish"])
    args = parser.parse_args(publish)
    assert args.command == "publish" and args.version == "2.0.0"
    assert args.dotenv == jobs["zenodo-publish"]["artifacts"]["reports"]["dotenv"]


def test_the_templates_validate_job_writes_its_report(invalid_project, capsys):
    [(argv, report)] = commands_of(template()["zenodo-validate"])
    code, out, _ = run_validate(*argv[1:], capsys=capsys)
    assert code == EXIT_FAILURE
    jsonschema.validate(json.loads(out), CODE_QUALITY_SCHEMA)
    assert report == "gl-code-quality-report.json"


def test_the_templates_publish_job_publishes_the_tag(project):
    [(argv, _)] = commands_of(template()["zenodo-publish"])
    project.file("tool-2.0.0.zip", b"two")
    project.capsys.readouterr()
    code = project.main([*argv, "--zenodo-url", project.fake.url])
    err = project.capsys.readouterr().err
    assert code == EXIT_OK, err
    report = template()["zenodo-publish"]["artifacts"]["reports"]["dotenv"]
    variables = parse_dotenv((project.root / report).read_text())
    assert variables["ZENODO_VERSION"] == "2.0.0"
    assert variables["ZENODO_STATUS"] == "published"
    [concept] = project.fake.concept_ids()
    assert variables["ZENODO_CONCEPT_DOI"] == f"10.5281/zenodo.{concept}"

"""The run context from `GITHUB_*` variables and a realistic event payload."""

from __future__ import annotations

import json

import pytest

from zenodo_action.errors import UsageError
from zenodo_action.github.event import Release, check_url, load_context


@pytest.fixture
def repo(fake_github):
    return fake_github.add_repo("octo-org/hello-world", private=True, default_branch="trunk")


def release_env(fake_github, repo, tmp_path, **release_options):
    release = fake_github.add_release(repo, "v1.2.0", **release_options)
    event = fake_github.write_release_event(tmp_path / "event.json", repo, release)
    env = fake_github.runner_env(repo, event)
    env.update(
        GITHUB_WORKSPACE=str(tmp_path / "ws"),
        GITHUB_REF="refs/tags/v1.2.0",
        GITHUB_RUN_ID="42",
    )
    return env, release


def test_release_event_is_read_from_the_payload(fake_github, repo, tmp_path):
    env, release = release_env(fake_github, repo, tmp_path, name="Version 1.2", body="* fixed")
    context = load_context(env)
    assert context.event_action == "published"
    assert context.api_url == fake_github.api_url
    assert context.repository.full_name == "octo-org/hello-world"
    assert context.repository.default_branch == "trunk"
    got = context.release
    assert got.id == release.id
    assert got.tag_name == "v1.2.0"
    assert got.title == "Version 1.2"
    assert got.notes == "* fixed"
    assert got.published_date == "2024-05-15"
    assert got.html_url == "https://github.com/octo-org/hello-world/releases/tag/v1.2.0"
    assert context.tag == "v1.2.0"
    assert str(context.workspace).endswith("ws")
    assert context.run_url == "https://github.com/octo-org/hello-world/actions/runs/42"


def test_null_name_and_body_are_tolerated(fake_github, repo, tmp_path):
    # The GHES payload examples carry null for both (github-actions.md §3.2).
    env, _ = release_env(fake_github, repo, tmp_path, name=None, body=None)
    release = load_context(env).release
    assert release.name is None and release.body is None
    assert release.title == "v1.2.0"
    assert release.notes == ""


def test_empty_name_falls_back_to_the_tag(fake_github, repo, tmp_path):
    env, _ = release_env(fake_github, repo, tmp_path, name="  ", body="")
    assert load_context(env).release.title == "v1.2.0"


def test_api_url_with_a_path_prefix_is_kept(tmp_path):
    # GitHub Enterprise Server: https://ghe.example/api/v3 (never a hard-coded host).
    env = {
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        "GITHUB_SERVER_URL": "https://ghe.example.com",
        "GITHUB_REF": "refs/heads/main",
    }
    context = load_context(env)
    assert context.api_url == "https://ghe.example.com/api/v3"
    assert context.tag is None
    assert context.release is None
    assert context.repository.html_url == "https://ghe.example.com/o/r"


def test_tag_push_gives_the_tag(tmp_path):
    env = {
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REF": "refs/tags/data-2024.05",
    }
    assert load_context(env).tag == "data-2024.05"


def test_fields_the_action_does_not_use_cannot_fail_a_run(fake_github, repo, tmp_path):
    """A release's other fields (dates, flags, URLs) are GitHub's business: an odd value
    there is no reason to stop a publish, so they are not read at all."""
    env, _ = release_env(fake_github, repo, tmp_path)
    odd = {"created_at": "May", "prerelease": "yes", "target_commitish": 7, "zipball_url": []}
    release = {"id": 17, "tag_name": "v1", "html_url": "u", **odd}
    (tmp_path / "event.json").write_text(json.dumps({"action": "published", "release": release}))
    got = load_context(env).release
    assert (got.id, got.tag_name, got.draft, got.published_at) == (17, "v1", False, None)


@pytest.mark.parametrize(
    "missing", ["GITHUB_EVENT_NAME", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_SERVER_URL"]
)
def test_missing_runner_variable_is_named(fake_github, repo, tmp_path, missing):
    env, _ = release_env(fake_github, repo, tmp_path)
    env[missing] = ""
    with pytest.raises(UsageError, match=f"{missing} is not set"):
        load_context(env)


def test_release_event_needs_a_payload(fake_github, repo, tmp_path):
    env, _ = release_env(fake_github, repo, tmp_path)
    del env["GITHUB_EVENT_PATH"]
    with pytest.raises(UsageError, match="GITHUB_EVENT_PATH is not set"):
        load_context(env)
    env["GITHUB_EVENT_PATH"] = str(tmp_path / "nope.json")
    with pytest.raises(UsageError, match=r"cannot read the event payload .*nope\.json"):
        load_context(env)


def test_malformed_payload_json_reports_line_and_column(fake_github, repo, tmp_path):
    env, _ = release_env(fake_github, repo, tmp_path)
    (tmp_path / "event.json").write_text('{\n  "release": {\n    "id": 1,,\n  }\n}')
    with pytest.raises(UsageError) as caught:
        load_context(env)
    assert "is not valid JSON" in caught.value.message
    assert caught.value.line == 3
    assert caught.value.file.endswith("event.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe garbage", "is not UTF-8 text"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"action": "published"}', "release must be a JSON object"),
        (b'{"release": {"id": "17", "tag_name": "v1", "html_url": "u"}}', "release.id must be"),
        (b'{"release": {"id": 17, "html_url": "u"}}', "release.tag_name must be"),
        (
            b'{"release": {"id": 17, "tag_name": "v1", "html_url": "u", "draft": "no"}}',
            "release.draft must be true or false",
        ),
        (
            b'{"release": {"id": 1, "tag_name": "v", "html_url": "u", "published_at": "May"}}',
            "release.published_at must be an ISO 8601 time",
        ),
    ],
)
def test_malformed_release_payload_is_a_usage_error(fake_github, repo, tmp_path, content, message):
    env, _ = release_env(fake_github, repo, tmp_path)
    (tmp_path / "event.json").write_bytes(content)
    with pytest.raises(UsageError, match=message):
        load_context(env)


def test_repository_must_be_owner_slash_name(fake_github, repo, tmp_path):
    env, _ = release_env(fake_github, repo, tmp_path)
    env["GITHUB_REPOSITORY"] = "../etc"
    with pytest.raises(UsageError, match="owner/name"):
        load_context(env)


def test_plain_http_is_only_for_this_machine():
    assert check_url("http://127.0.0.1:8080/", "X") == "http://127.0.0.1:8080"
    assert check_url("http://localhost:1", "X") == "http://localhost:1"
    assert check_url("http://[::1]:1", "X") == "http://[::1]:1"
    with pytest.raises(UsageError, match=r"plain http to api\.example\.com"):
        check_url("http://api.example.com", "GITHUB_API_URL")
    with pytest.raises(UsageError, match="must be an http"):
        check_url("ftp://x", "GITHUB_API_URL")


def test_release_from_the_api_shape(fake_github, repo):
    release = fake_github.add_release(repo, "v2", draft=True)
    parsed = Release.from_json(fake_github.release_json(repo, release))
    assert parsed.draft is True
    assert parsed.published_at is None
    assert parsed.published_date is None

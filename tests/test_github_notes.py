"""Release notes: rendering them to HTML and appending the DOI badge once."""

from __future__ import annotations

import logging
import re
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zenodo_action.github import releases
from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.github.releases import RELEASE_BODY_LIMIT, plain_markdown_to_html
from zenodo_action.http import RetryPolicy

WRITE_TOKEN = "ghs_WriteToken_abcdefghijklmnop"
READ_TOKEN = "ghs_ReadOnlyToken_qrstuvwxyz0123"
DOI = "10.5281/zenodo.1234567"
MARKER = f"<!-- zenodo-action: {DOI} -->"
BADGE = f"[![DOI](https://zenodo.org/badge/DOI/{DOI}.svg)](https://doi.org/{DOI}) {MARKER}"


@pytest.fixture
def repo(fake_github):
    fake_github.add_token(WRITE_TOKEN, "write")
    fake_github.add_token(READ_TOKEN, "read")
    return fake_github.add_repo("octo-org/hello-world")


def client_for(fake_github, repo, token=WRITE_TOKEN, **options):
    return GitHubClient(fake_github.api_url, repo.full_name, token, sleep=lambda _: None, **options)


# -- rendering ------------------------------------------------------------------


def test_notes_are_rendered_by_github_as_gfm(fake_github, repo):
    html = releases.render_markdown(client_for(fake_github, repo), "**Fixed** a bug.\n\nThanks!")
    assert html == "<p><strong>Fixed</strong> a bug.</p>\n<p>Thanks!</p>\n"
    [sent] = fake_github.requests_to("api", "/markdown")
    assert sent.json() == {
        "text": "**Fixed** a bug.\n\nThanks!",
        "mode": "gfm",
        "context": "octo-org/hello-world",
    }


def test_empty_notes_need_no_request(fake_github, repo):
    assert releases.render_markdown(client_for(fake_github, repo), "  \n") == ""
    assert fake_github.requests == []


@pytest.mark.parametrize("status", [403, 404, 422, 500])
def test_refused_rendering_falls_back_to_a_safe_local_one(fake_github, repo, caplog, status):
    fake_github.markdown_status = status
    with caplog.at_level(logging.WARNING, logger="zenodo_action.github"):
        html = releases.render_markdown(client_for(fake_github, repo), "a <b>tag</b>\nline two")
    assert html == "<p>a &lt;b&gt;tag&lt;/b&gt;<br>\nline two</p>"
    assert f"GitHub did not render the release notes ({status})" in caplog.text


def test_unreachable_api_falls_back_too():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    client = GitHubClient(
        f"http://127.0.0.1:{port}",
        "o/r",
        None,
        policy=RetryPolicy(max_attempts=2),
        sleep=lambda _: None,
    )
    assert releases.render_markdown(client, "see https://example.org") == (
        '<p>see <a href="https://example.org">https://example.org</a></p>'
    )


def test_local_rendering_keeps_paragraphs_and_links():
    text = "Intro [docs](https://ex.org/a?b=1&c=2).\r\n\r\n\r\nMore\nlines"
    assert plain_markdown_to_html(text) == (
        '<p>Intro <a href="https://ex.org/a?b=1&amp;c=2">docs</a>.</p>\n<p>More<br>\nlines</p>'
    )


def test_local_rendering_links_only_web_urls():
    html = plain_markdown_to_html("[x](javascript:alert(1)) and \"https://a.b/?q='1'\"")
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html)[0]
    assert '<a href="javascript' not in html


@given(st.text(max_size=300))
def test_local_rendering_never_passes_markup_through(text):
    html = plain_markdown_to_html(text)
    without_own_tags = re.sub(r'</?p>|<br>|<a href="[^"<>]*">|</a>', "", html)
    assert "<" not in without_own_tags and ">" not in without_own_tags


# -- appending the badge ---------------------------------------------------------


def test_badge_is_appended_once(fake_github, repo):
    release = fake_github.add_release(repo, "v1", body="Notes.\n\n")
    client = client_for(fake_github, repo)
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "appended"
    assert release.body == f"Notes.\n\n{BADGE}"
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "already-present"
    assert release.body == f"Notes.\n\n{BADGE}"
    [patch] = [r for r in fake_github.requests if r.method == "PATCH"]
    assert patch.json() == {"body": f"Notes.\n\n{BADGE}"}  # only the field we change


@pytest.mark.parametrize("body", [None, "", "   "])
def test_badge_becomes_the_notes_of_a_release_without_any(fake_github, repo, body):
    release = fake_github.add_release(repo, "v1", body=body)
    assert releases.append_to_release_notes(
        client_for(fake_github, repo), release.id, MARKER, BADGE
    ) == ("appended")
    assert release.body == BADGE


def test_the_current_notes_are_read_not_the_events_copy(fake_github, repo):
    # A re-run reuses the original payload; someone may have edited the notes since.
    release = fake_github.add_release(repo, "v1", body="old")
    release.body = f"edited by hand\n\n{BADGE}"
    client = client_for(fake_github, repo)
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "already-present"
    assert not [r for r in fake_github.requests if r.method == "PATCH"]


def test_missing_write_permission_is_reported_not_raised(fake_github, repo):
    release = fake_github.add_release(repo, "v1", body="Notes.")
    client = client_for(fake_github, repo, token=READ_TOKEN)
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "no-permission"
    assert release.body == "Notes."
    patch = [r for r in fake_github.requests if r.method == "PATCH"]
    assert len(patch) == 1  # a 403 is not retried


def test_notes_over_githubs_limit_are_left_alone(fake_github, repo):
    release = fake_github.add_release(repo, "v1", body="x" * (RELEASE_BODY_LIMIT - 10))
    client = client_for(fake_github, repo)
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "too-long"
    assert not [r for r in fake_github.requests if r.method == "PATCH"]
    assert len(release.body) == RELEASE_BODY_LIMIT - 10


def test_notes_just_under_the_limit_are_appended(fake_github, repo):
    room = RELEASE_BODY_LIMIT - len(BADGE) - 2
    release = fake_github.add_release(repo, "v1", body="y" * room)
    client = client_for(fake_github, repo)
    assert releases.append_to_release_notes(client, release.id, MARKER, BADGE) == "appended"
    assert len(release.body) == RELEASE_BODY_LIMIT


def test_marker_must_be_part_of_the_text(fake_github, repo):
    release = fake_github.add_release(repo, "v1")
    with pytest.raises(ValueError, match="marker"):
        releases.append_to_release_notes(client_for(fake_github, repo), release.id, MARKER, "badge")


def test_rate_limit_while_editing_is_not_mistaken_for_permission(fake_github, repo):
    release = fake_github.add_release(repo, "v1", body="Notes.")
    client = client_for(fake_github, repo, policy=RetryPolicy(max_attempts=1))
    fake_github.rate_limit_next(times=3, status=403)
    with pytest.raises(GitHubError, match="rate limit"):
        releases.append_to_release_notes(client, release.id, MARKER, BADGE)


def test_server_messages_cannot_inject_workflow_commands(fake_github, repo):
    release = fake_github.add_release(repo, "v1")
    fake_github.fail_next(
        418,
        path="/releases/",
        body={"message": "oops\n::error::injected\n##[group]x"},
    )
    with pytest.raises(GitHubError) as caught:
        releases.get_release(client_for(fake_github, repo), release.id)
    text = str(caught.value)
    assert "\n::" not in text and "##[" not in text
    assert "oops ::error::injected ## [group]x" in text

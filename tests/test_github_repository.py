"""Repository metadata (licence, contributors) against the fake GitHub, and the fake's
contract for those endpoints (reference github-rest.md §1, §3, §6)."""

from __future__ import annotations

import base64
import dataclasses
import logging

import pytest
import requests

from tests.fakes.github import FakeGitHub
from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.github.repository import Contributor, contributors, repository_license
from zenodo_action.http import RetryPolicy
from zenodo_action.naming import RUNNER

TOKEN = "ghs_FakeInstallationToken0123456789"
QUICK = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def token(fake_github):
    return fake_github.add_token(TOKEN, "read")


@pytest.fixture
def repo(fake_github):
    return fake_github.add_repo("octo-org/hello-world", private=True)


@pytest.fixture
def client(fake_github, repo, token, sleeps):
    return GitHubClient(fake_github.api_url, repo.full_name, token, sleep=sleeps.append)


def quick_client(fake_github, repo, token=TOKEN):
    return GitHubClient(
        fake_github.api_url, repo.full_name, token, policy=QUICK, sleep=lambda _: None
    )


def raw(fake: FakeGitHub, path: str, token: str | None = TOKEN, **params) -> requests.Response:
    """A plain request to the fake, as GitHub's docs show them."""
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(f"{fake.api_url}{path}", headers=headers, params=params, timeout=10)


def logins(found: list[Contributor]) -> list[str]:
    return [c.login for c in found]


# -- licence ------------------------------------------------------------------------


def test_a_detected_licence_is_its_spdx_id(fake_github, client, repo):
    fake_github.set_license(repo, "Apache-2.0")
    assert repository_license(client) == "Apache-2.0"
    [sent] = fake_github.requests_to("api")
    assert sent.path == "/repos/octo-org/hello-world/license"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"


def test_an_unrecognised_licence_file_counts_as_none(fake_github, client, repo):
    fake_github.set_license(repo, "NOASSERTION", text="All rights reserved, sort of.\n")
    assert raw(fake_github, "/repos/octo-org/hello-world/license").status_code == 200
    assert repository_license(client) is None


def test_no_licence_file_is_none_once_the_repository_is_seen(fake_github, client, repo):
    assert repository_license(client) is None
    paths = [r.path for r in fake_github.requests_to("api")]
    assert paths == ["/repos/octo-org/hello-world/license", "/repos/octo-org/hello-world"]


def test_a_removed_licence_is_none_again(fake_github, client, repo):
    fake_github.set_license(repo, "MIT")
    assert repository_license(client) == "MIT"
    fake_github.set_license(repo, None)
    assert "LICENSE" not in repo.files
    assert repository_license(client) is None


def test_private_repository_without_a_token_is_an_error_not_no_licence(fake_github, repo):
    fake_github.set_license(repo, "MIT")
    anonymous = GitHubClient(fake_github.api_url, repo.full_name, None)
    with pytest.raises(GitHubError) as caught:
        repository_license(anonymous)
    assert caught.value.status == 404
    hint = RUNNER.spell(caught.value.hint or "")
    assert "private repository needs a token in the `github-token` input" in hint
    assert all("Authorization" not in r.headers for r in fake_github.requests)


def test_public_repository_licence_needs_no_token(fake_github):
    public = fake_github.add_repo("octo-org/open")
    fake_github.set_license(public, "MIT")
    anonymous = GitHubClient(fake_github.api_url, public.full_name, None)
    assert repository_license(anonymous) == "MIT"


@pytest.mark.parametrize(
    "licence",
    [None, {"key": "x", "name": "X", "spdx_id": None, "url": None, "node_id": "N"}, "MIT"],
)
def test_a_null_licence_or_spdx_id_is_none(fake_github, client, repo, licence):
    body = {"name": "LICENSE", "path": "LICENSE", "license": licence}
    fake_github.fail_next(200, path="/license$", body=body)
    assert repository_license(client) is None


def test_a_bad_token_is_an_error_for_the_licence(fake_github, repo):
    wrong = GitHubClient(fake_github.api_url, repo.full_name, "ghp_NotAKnownToken123456789")
    with pytest.raises(GitHubError) as caught:
        repository_license(wrong)
    assert caught.value.status == 401


def test_a_failing_licence_endpoint_is_an_error_not_none(fake_github, repo, token):
    fake_github.set_license(repo, "MIT")
    fake_github.fail_next(502, times=2, path="/license$")
    with pytest.raises(GitHubError) as caught:
        repository_license(quick_client(fake_github, repo))
    assert caught.value.status == 502


# -- contributors -------------------------------------------------------------------


def test_users_only_most_commits_first_named_from_their_profiles(fake_github, client, repo):
    fake_github.add_contributor(repo, "bob", 30)
    fake_github.add_contributor(repo, "dependabot[bot]", 70, type="Bot")
    fake_github.add_contributor(repo, "alice", 50, name="Alice Liddell", company="@acme")
    fake_github.add_contributor(repo, "carol", 10, name="Carol C.")
    fake_github.add_anonymous_contributor(repo, "Anne Nymous", "anne@example.org", 99)
    found = contributors(client)
    assert found == [
        Contributor("alice", "Alice Liddell", "@acme", 50),
        Contributor("bob", None, None, 30),
        Contributor("carol", "Carol C.", None, 10),
    ]
    [listing] = fake_github.requests_to("api", "/contributors")
    assert "anon" not in listing.query
    profiles = [r.path for r in fake_github.requests_to("api", "/users/")]
    assert profiles == ["/users/alice", "/users/bob", "/users/carol"]  # never the bot's


def test_bot_logins_are_left_out_whatever_their_type(fake_github, client, repo):
    fake_github.add_contributor(repo, "renovate[bot]", 40)  # listed as a User
    fake_github.add_contributor(repo, "Some-App[BOT]", 35)
    fake_github.add_contributor(repo, "botanist", 20)  # a person whose name starts with "bot"
    assert logins(contributors(client)) == ["botanist"]


def test_at_most_limit_users_and_only_their_profiles(fake_github, client, repo):
    for number, login in enumerate(["a", "b", "c", "d", "e"]):
        fake_github.add_contributor(repo, login, 100 - number)
    assert logins(contributors(client, limit=2)) == ["a", "b"]
    assert len(fake_github.requests_to("api", "/users/")) == 2


def test_a_zero_limit_asks_nothing(fake_github, client, repo):
    fake_github.add_contributor(repo, "a", 1)
    assert contributors(client, limit=0) == []
    assert fake_github.requests == []


def test_the_default_limit_is_zenodos_thirty(fake_github, client, repo):
    for number in range(35):
        fake_github.add_contributor(repo, f"user{number}", 100 - number)
    assert logins(contributors(client)) == [f"user{n}" for n in range(30)]


def test_an_unknown_profile_keeps_the_login_without_a_name(fake_github, client, repo):
    fake_github.add_contributor(repo, "ghosted", 12, name="Was Here", profile=False)
    fake_github.add_contributor(repo, "present", 3, name="Still Here")
    assert contributors(client) == [
        Contributor("ghosted", None, None, 12),
        Contributor("present", "Still Here", None, 3),
    ]


def test_blank_profile_fields_count_as_unset(fake_github, client, repo):
    fake_github.add_contributor(repo, "blank", 5, name="   ", company="")
    assert contributors(client) == [Contributor("blank", None, None, 5)]


def test_a_failing_profile_is_an_error_not_a_missing_name(fake_github, repo, token):
    fake_github.add_contributor(repo, "alice", 5, name="Alice")
    fake_github.fail_next(500, times=2, path="^/users/alice$")
    with pytest.raises(GitHubError) as caught:
        contributors(quick_client(fake_github, repo))
    assert caught.value.status == 500


def test_more_than_a_page_is_read_only_as_far_as_the_limit(fake_github, client, repo):
    for number in range(230):
        fake_github.add_contributor(repo, f"dev{number:03}", 1000 - number)
    found = contributors(client, limit=150)
    assert logins(found) == [f"dev{n:03}" for n in range(150)]
    assert [c.contributions for c in found] == sorted(
        (c.contributions for c in found), reverse=True
    )
    pages = fake_github.requests_to("api", "/contributors")
    assert len(pages) == 2  # 100 + 50 of the second page; the third is never asked for
    assert pages[0].query == {"per_page": "100"}
    assert pages[1].path.startswith("/repositories/")  # the Link header, followed verbatim
    assert pages[1].query == {"per_page": "100", "page": "2"}
    assert len(fake_github.requests_to("api", "/users/")) == 150


def test_a_limit_within_the_first_page_reads_one_page(fake_github, client, repo):
    for number in range(230):
        fake_github.add_contributor(repo, f"dev{number:03}", 1000 - number)
    assert len(contributors(client, limit=30)) == 30
    assert len(fake_github.requests_to("api", "/contributors")) == 1


def test_bots_on_the_first_pages_do_not_take_a_users_place(fake_github, client, repo):
    fake_github.max_page_size = 2  # force small pages
    fake_github.add_contributor(repo, "dependabot[bot]", 100, type="Bot")
    fake_github.add_contributor(repo, "github-actions[bot]", 90, type="Bot")
    for number, login in enumerate(["a", "b", "c", "d"]):
        fake_github.add_contributor(repo, login, 80 - number)
    assert logins(contributors(client, limit=2)) == ["a", "b"]
    assert len(fake_github.requests_to("api", "/contributors")) == 2  # not the third page


def test_all_pages_are_read_when_there_are_fewer_users_than_the_limit(fake_github, client, repo):
    fake_github.max_page_size = 2
    for number in range(5):
        fake_github.add_contributor(repo, f"u{number}", 10 - number)
    assert logins(contributors(client, limit=30)) == [f"u{n}" for n in range(5)]
    assert len(fake_github.requests_to("api", "/contributors")) == 3


def test_an_empty_repository_has_no_contributors(fake_github, client, repo):
    fake_github.make_empty(repo)
    assert contributors(client) == []
    assert len(fake_github.requests_to("api")) == 1  # the 204 is not retried


def test_a_repository_too_large_to_list_has_no_contributors(fake_github, client, repo, caplog):
    fake_github.add_contributor(repo, "alice", 5)
    fake_github.contributors_too_large(repo)
    with caplog.at_level(logging.WARNING):
        assert contributors(client) == []
    assert "too large" in caplog.text
    assert fake_github.requests_to("api", "/users/") == []


def test_another_403_on_contributors_is_an_error(fake_github, client, repo):
    fake_github.add_contributor(repo, "alice", 5)
    body = {"message": "Resource not accessible by integration", "status": "403"}
    fake_github.fail_next(403, path="/contributors$", body=body)
    with pytest.raises(GitHubError) as caught:
        contributors(client)
    assert caught.value.status == 403
    assert "lacks a permission" in caught.value.hint


def test_private_repository_contributors_need_a_token(fake_github, repo):
    fake_github.add_contributor(repo, "alice", 5)
    anonymous = GitHubClient(fake_github.api_url, repo.full_name, None)
    with pytest.raises(GitHubError) as caught:
        contributors(anonymous)
    assert caught.value.status == 404


def test_a_secondary_rate_limit_is_waited_out(fake_github, client, repo, sleeps):
    fake_github.add_contributor(repo, "alice", 5, name="Alice")
    fake_github.rate_limit_next(status=429, retry_after=7)
    assert contributors(client) == [Contributor("alice", "Alice", None, 5)]
    assert sleeps == [7.0]
    assert len(fake_github.requests_to("api", "/contributors")) == 2


def test_a_rate_limited_profile_is_retried_not_dropped(fake_github, client, repo, sleeps):
    fake_github.add_contributor(repo, "alice", 5, name="Alice")
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    fake_github.fail_next(403, path="^/users/alice$", headers={"retry-after": "2"}, body=body)
    assert contributors(client) == [Contributor("alice", "Alice", None, 5)]
    assert sleeps == [2.0]
    assert len(fake_github.requests_to("api", "/users/alice")) == 2


def test_an_exhausted_rate_limit_is_an_error(fake_github, repo, token):
    fake_github.add_contributor(repo, "alice", 5)
    fake_github.rate_limit_next(times=5, status=403)
    with pytest.raises(GitHubError) as caught:
        contributors(quick_client(fake_github, repo))
    assert "rate limit is exhausted" in str(caught.value)


def test_contributor_is_frozen():
    person = Contributor("alice", "Alice", None, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.name = "Bob"  # type: ignore[misc]


# -- the token stays on the API host ------------------------------------------------


def test_a_next_page_on_another_host_is_refused_without_sending_the_token(
    fake_github, client, repo
):
    elsewhere = f"{fake_github.storage_url}/repositories/{repo.id}/contributors?page=2"
    row = {"login": "alice", "id": 1, "type": "User", "contributions": 5}
    fake_github.fail_next(
        200, path="/contributors$", headers={"Link": f'<{elsewhere}>; rel="next"'}, body=[row]
    )
    with pytest.raises(GitHubError, match="next page is on another host"):
        contributors(client, limit=10)
    assert fake_github.requests_to("storage") == []


def test_profile_urls_in_the_listing_are_not_followed(fake_github, client, repo):
    row = {
        "login": "alice",
        "id": 1,
        "type": "User",
        "contributions": 5,
        "url": f"{fake_github.storage_url}/users/alice",  # a URL GitHub would never give
    }
    fake_github.add_user("alice", "Alice")
    fake_github.fail_next(200, path="/contributors$", body=[row])
    assert contributors(client) == [Contributor("alice", "Alice", None, 5)]
    assert fake_github.requests_to("storage") == []


def test_every_request_goes_to_the_api_host_with_the_token(fake_github, client, repo):
    fake_github.set_license(repo, "MIT")
    fake_github.add_contributor(repo, "alice", 5, name="Alice")
    fake_github.add_contributor(repo, "bob", 4, profile=False)
    repository_license(client)
    contributors(client)
    assert fake_github.requests_to("storage") == []
    sent = fake_github.requests_to("api")
    assert len(sent) == 4
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in sent)


def test_github_enterprise_paths_keep_the_api_prefix():
    fake = FakeGitHub(prefix="/api/v3").start()
    try:
        fake.add_token(TOKEN)
        enterprise = fake.add_repo("octo-org/hello-world", private=True)
        fake.set_license(enterprise, "MIT")
        fake.add_contributor(enterprise, "alice", 5, name="Alice")
        client = GitHubClient(fake.api_url, enterprise.full_name, TOKEN)
        assert repository_license(client) == "MIT"
        assert contributors(client) == [Contributor("alice", "Alice", None, 5)]
        assert all(r.path.startswith("/api/v3/") for r in fake.requests)
        fake.check()
    finally:
        fake.stop()


# -- the fake's contract (github-rest.md §6) ---------------------------------------


def test_fake_repository_carries_description_and_licence(fake_github, repo, token):
    repo.description = "Says hello."
    data = raw(fake_github, "/repos/octo-org/hello-world").json()
    assert data["description"] == "Says hello."
    assert data["license"] is None
    assert data["private"] is True and data["visibility"] == "private"
    assert data["default_branch"] == "main"
    fake_github.set_license(repo, "MIT")
    assert raw(fake_github, "/repos/octo-org/hello-world").json()["license"] == {
        "key": "mit",
        "name": "MIT License",
        "spdx_id": "MIT",
        "url": f"{fake_github.api_url}/licenses/mit",
        "node_id": "MDc6TGljZW5zZW1pdA==",
    }
    event = fake_github.release_event(repo, fake_github.add_release(repo, "v1"))
    assert event["repository"]["license"]["spdx_id"] == "MIT"


def test_fake_licence_file_fields_and_noassertion(fake_github, repo, token):
    fake_github.set_license(repo, "NOASSERTION", text="hello\n")
    data = raw(fake_github, "/repos/octo-org/hello-world/license").json()
    assert data["license"] == {
        "key": "other",
        "name": "Other",
        "spdx_id": "NOASSERTION",
        "url": None,
        "node_id": "MDc6TGljZW5zZTA=",
    }
    assert data["path"] == "LICENSE" and data["type"] == "file" and data["size"] == 6
    assert data["sha"] == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    assert base64.b64decode(data["content"]) == b"hello\n"
    long = "x" * 200
    fake_github.set_license(repo, "MIT", path="LICENSE.md", text=long)
    data = raw(fake_github, "/repos/octo-org/hello-world/license").json()
    lines = data["content"].split("\n")
    assert max(len(line) for line in lines) == 60 and data["content"].endswith("\n")
    assert base64.b64decode(data["content"]).decode() == long
    assert data["name"] == "LICENSE.md" and "LICENSE" not in repo.files


def test_fake_licence_404_has_githubs_error_body(fake_github, repo, token):
    answer = raw(fake_github, "/repos/octo-org/hello-world/license")
    assert answer.status_code == 404
    body = answer.json()
    assert body["message"] == "Not Found" and body["status"] == "404"
    assert body["documentation_url"].startswith("https://docs.github.com/")


def test_fake_private_repository_metadata_is_invisible_without_a_token(fake_github, repo):
    fake_github.set_license(repo, "MIT")
    fake_github.add_contributor(repo, "alice", 5)
    for path in ("", "/license", "/contributors"):
        assert raw(fake_github, f"/repos/octo-org/hello-world{path}", None).status_code == 404
    assert raw(fake_github, f"/repositories/{repo.id}/contributors", None).status_code == 404
    assert raw(fake_github, "/users/alice", None).status_code == 200  # profiles are public


def test_fake_contributors_rows_anon_and_sorting(fake_github, repo, token):
    fake_github.add_contributor(repo, "octocat", 32)
    fake_github.add_contributor(repo, "dependabot[bot]", 7, type="Bot")
    fake_github.add_anonymous_contributor(repo, "First Last", "first@example.org", 109)
    listed = raw(fake_github, "/repos/octo-org/hello-world/contributors").json()
    assert [(r["login"], r["type"], r["contributions"]) for r in listed] == [
        ("octocat", "User", 32),
        ("dependabot[bot]", "Bot", 7),
    ]
    assert "name" not in listed[0]  # a User row carries no real name (§3.3)
    assert listed[1]["url"].endswith("/users/dependabot%5Bbot%5D")
    for anon in ("1", "true"):
        with_anon = raw(fake_github, "/repos/octo-org/hello-world/contributors", anon=anon).json()
        assert with_anon[0] == {
            "email": "first@example.org",
            "name": "First Last",
            "type": "Anonymous",
            "contributions": 109,
        }
        assert len(with_anon) == 3


def test_fake_contributors_paginate_with_a_capped_per_page(fake_github, repo, token):
    for number in range(250):
        fake_github.add_contributor(repo, f"dev{number}", 1000 - number)
    first = raw(fake_github, "/repos/octo-org/hello-world/contributors")
    assert len(first.json()) == 30  # the default per_page
    capped = raw(fake_github, "/repos/octo-org/hello-world/contributors", per_page=500, anon=1)
    assert len(capped.json()) == 100
    assert capped.links["next"]["url"] == (
        f"{fake_github.api_url}/repositories/{repo.id}/contributors?per_page=100&anon=1&page=2"
    )
    assert capped.links["last"]["url"].endswith("page=3")
    last = raw(fake_github, capped.links["last"]["url"].removeprefix(fake_github.api_url))
    assert len(last.json()) == 50 and "next" not in last.links
    assert last.links["prev"]["url"].endswith("page=2")
    assert last.json()[0]["login"] == "dev200"
    fake_github.max_page_size = 1000  # so one page holds them all
    whole = raw(fake_github, "/repos/octo-org/hello-world/contributors", per_page=300)
    assert "Link" not in whole.headers  # one page: no Link at all (§1.3)


def test_fake_contributors_of_an_empty_repository_is_204_without_a_body(fake_github, repo, token):
    fake_github.make_empty(repo)
    answer = raw(fake_github, "/repos/octo-org/hello-world/contributors")
    assert answer.status_code == 204 and answer.content == b""
    with pytest.raises(ValueError):
        fake_github.add_contributor(repo, "alice", 1)


def test_fake_contributors_too_large_is_githubs_403(fake_github, repo, token):
    fake_github.contributors_too_large(repo)
    answer = raw(fake_github, "/repos/octo-org/hello-world/contributors")
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        "The history or contributor list is too large to list contributors for this "
        "repository via the API."
    )
    assert answer.json()["status"] == "403"
    assert answer.headers["x-ratelimit-remaining"] != "0"  # not a rate limit


def test_fake_users_may_have_no_name_and_unknown_ones_are_404(fake_github):
    fake_github.add_user("octocat", None, "@github")
    data = raw(fake_github, "/users/octocat", None).json()
    assert data["name"] is None and data["company"] == "@github"
    assert data["login"] == "octocat" and data["type"] == "User" and isinstance(data["id"], int)
    assert raw(fake_github, "/users/OctoCat", None).json()["login"] == "octocat"
    missing = raw(fake_github, "/users/nobody", None)
    assert missing.status_code == 404 and missing.json()["status"] == "404"


def test_fake_trailing_slashes_and_unknown_api_versions_are_refused(fake_github, repo, token):
    fake_github.add_contributor(repo, "alice", 1)
    for path in (
        "/repos/octo-org/hello-world/",
        "/repos/octo-org/hello-world/contributors/",
        "/users/alice/",
    ):
        assert raw(fake_github, path).status_code == 404
    headers = {"X-GitHub-Api-Version": "2020-01-01", "Authorization": f"Bearer {TOKEN}"}
    answer = requests.get(f"{fake_github.api_url}/users/alice", headers=headers, timeout=10)
    assert answer.status_code == 400 and answer.json()["status"] == "400"
    headers["X-GitHub-Api-Version"] = "2026-03-10"
    supported = requests.get(f"{fake_github.api_url}/users/alice", headers=headers, timeout=10)
    assert supported.status_code == 200

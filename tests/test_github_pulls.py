"""`github/pulls.propose` against the fake GitHub: the re-run-safe sequence of
github-rest.md §4.12, and what it does when GitHub answers otherwise."""

from __future__ import annotations

import pytest

from zenodo_action.github import pulls
from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.http import RetryPolicy

TOKEN = "ghs_PullsTestTokenValue000000000001"
PROPOSAL = pulls.Proposal(
    branch="zenodo-doi/v1.2.0", title="Cite v1.2.0", body="from a test", message="Cite v1.2.0"
)


def shout(path: str, text: str) -> str:
    return text.upper()


def propose(client, paths, edit, proposal=PROPOSAL, **options) -> pulls.PullOutcome:
    """read_base, `edit` each file found, propose what changed: a caller's sequence."""
    base = pulls.read_base(client, paths, options.pop("default_branch", None))
    propose.base = base
    changes = {f.real_path: edit(f.path, f.text) for f in base.files.values()}
    changes = {path: text for path, text in changes.items() if text != base_text(base, path)}
    return pulls.propose(client, base, changes, proposal, **options)


def base_text(base: pulls.Base, real_path: str) -> str:
    return next(f.text for f in base.files.values() if f.real_path == real_path)


@pytest.fixture
def github(fake_github):
    fake_github.add_token(TOKEN)
    return fake_github


def client_for(github, repo) -> GitHubClient:
    policy = RetryPolicy(base_delay=0.01, max_delay=0.05, total_wait=1, read_timeout=2)
    return GitHubClient(github.api_url, repo.full_name, TOKEN, policy=policy, sleep=lambda _: None)


def test_one_commit_on_its_own_branch_and_one_pull_request(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n", "b/c.txt": b"c\n", "x": b"x"})
    base = github.ref_sha(repo, "heads/main")

    outcome = propose(client_for(github, repo), ["a.txt", "b/c.txt", "gone"], shout, PROPOSAL)

    assert outcome.status == "opened" and outcome.changed == ("a.txt", "b/c.txt")
    assert propose.base.absent == ["gone"]
    assert github.files_at(repo, PROPOSAL.branch) == {"a.txt": b"A\n", "b/c.txt": b"C\n", "x": b"x"}
    assert github.ref_sha(repo, "heads/main") == base  # never the default branch
    [pull] = github.pulls_of(repo)
    assert (pull.head, pull.base, pull.title) == (PROPOSAL.branch, "main", "Cite v1.2.0")
    assert outcome.url and outcome.url.endswith(f"/pull/{pull.number}")
    listings = [r for r in github.requests_to("api", "/pulls") if r.method == "GET"]
    assert [r.query["state"] for r in listings] == ["open", "closed"]  # none was declined
    for listing in listings:
        # with the owner (github-rest.md §4.11)
        assert listing.query["head"] == f"octo:{PROPOSAL.branch}"


def test_nothing_to_change_sends_no_write(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"A\n"})

    outcome = propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)

    assert outcome.status == "nothing-to-change" and github.pulls_of(repo) == []
    assert {r.method for r in github.requests_to("api")} == {"GET"}


def test_the_branch_is_rebuilt_on_a_moved_default_branch_and_the_pull_request_updated(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    client = client_for(github, repo)
    propose(client, ["a.txt"], shout, PROPOSAL)
    github.push(repo, "main", {"other.txt": b"meanwhile\n"})

    again = propose(client, ["a.txt"], shout, PROPOSAL)

    assert again.status == "updated"
    assert github.files_at(repo, PROPOSAL.branch)["other.txt"] == b"meanwhile\n"
    [commit] = github.commits_between(repo, "main", PROPOSAL.branch)
    assert list(github.commit(repo, commit).parents) == [github.ref_sha(repo, "heads/main")]
    assert len(github.pulls_of(repo)) == 1


def test_a_pull_request_opened_meanwhile_is_updated_not_duplicated(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    client = client_for(github, repo)
    propose(client, ["a.txt"], shout, PROPOSAL)
    # The listing misses the open pull request (a race with another run): the create
    # answers "already exists" (github-rest.md §4.11), and the pull request found then is updated.
    github.fail_next(200, method="GET", path="/pulls$", body=[])
    github.push(repo, "main", {"other.txt": b"x\n"})

    again = propose(client, ["a.txt"], shout, PROPOSAL)

    assert again.status == "updated" and len(github.pulls_of(repo)) == 1
    creates = [r for r in github.requests_to("api", "/pulls") if r.method == "POST"]
    assert len(creates) == 2  # the second one answered 422 "already exists"


def test_an_empty_repository_is_named(github):
    repo = github.add_repo("octo/empty", empty=True)
    with pytest.raises(GitHubError, match="octo/empty is empty"):
        propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)


def test_the_default_branch_is_read_when_not_given(github):
    repo = github.add_repo("octo/hello", default_branch="trunk", files={"a.txt": b"a\n"})

    outcome = propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)

    assert outcome.status == "opened" and github.pulls_of(repo)[0].base == "trunk"


def test_a_token_without_contents_write_is_not_allowed_and_names_it(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    github.add_token(TOKEN, "read", pull_requests="write")

    with pytest.raises(pulls.NotAllowed) as raised:
        propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)

    assert "contents: write" in raised.value.needs and github.pulls_of(repo) == []


def test_a_server_error_on_a_git_write_is_retried(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    github.fail_next(502, method="POST", path="/git/trees$")

    outcome = propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)

    assert outcome.status == "opened"
    assert len([r for r in github.requests_to("api", "/git/trees") if r.method == "POST"]) == 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/git/trees$", ["not", "an", "object"]),
        ("POST", "/git/commits$", {"message": "no sha"}),
        ("GET", "/git/commits/", {"tree": "not an object"}),
        ("GET", "/git/ref/heads/main$", {"object": None}),
    ],
)
def test_an_unexpected_answer_is_a_clear_error_not_a_crash(github, method, path, body):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    github.fail_next(201 if method == "POST" else 200, method=method, path=path, body=body)

    with pytest.raises(GitHubError, match="GitHub answered"):
        propose(client_for(github, repo), ["a.txt"], shout, PROPOSAL)


def test_a_secondary_rate_limit_without_retry_after_waits_a_minute_and_retries(fake_github):
    fake_github.add_token(TOKEN)
    repo = fake_github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    waits: list[float] = []
    policy = RetryPolicy(base_delay=0.01, max_delay=300, total_wait=600, read_timeout=2)
    client = GitHubClient(
        fake_github.api_url, repo.full_name, TOKEN, policy=policy, sleep=waits.append
    )
    # Seen in practice with neither Retry-After nor a zero remaining count (github-rest.md §2.4).
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    fake_github.fail_next(403, method="POST", path="/pulls$", body={"message": message})

    outcome = propose(client, ["a.txt"], shout, PROPOSAL)

    assert outcome.status == "opened" and waits == [60.0]


# -- links, large files, other people's commits (docs/reference/github-writeback.md) ------


def test_a_linked_file_is_edited_at_its_target_and_the_link_stays_a_link(github):
    repo = github.add_repo("octo/hello", files={"docs/CITATION.cff": b"cff\n", "x": b"x"})
    github.push(repo, "main", {}, links={"CITATION.cff": "docs/CITATION.cff"})
    github.push(repo, "main", {"run.sh": b"echo\n"}, modes={"run.sh": "100755"})

    outcome = propose(client_for(github, repo), ["CITATION.cff", "run.sh"], shout)

    assert outcome.status == "opened" and outcome.changed == ("docs/CITATION.cff", "run.sh")
    files, modes = github.files_at(repo, PROPOSAL.branch), github.modes_at(repo, PROPOSAL.branch)
    assert files["docs/CITATION.cff"] == b"CFF\n" and files["CITATION.cff"] == b"docs/CITATION.cff"
    assert modes["CITATION.cff"] == "120000" and modes["run.sh"] == "100755"
    assert propose.base.files["CITATION.cff"].real_path == "docs/CITATION.cff"


@pytest.mark.parametrize(
    ("links", "said"),
    [
        ({"CITATION.cff": "../elsewhere/CITATION.cff"}, "leads out of the repository"),
        ({"CITATION.cff": "/etc/passwd"}, "leads out of the repository"),
        ({"CITATION.cff": "a", "a": "CITATION.cff"}, "is a loop of links"),
        ({"CITATION.cff": "CITATION.cff"}, "is a loop of links"),
        # a folder where the file should be, named with or without a trailing slash
        ({"CITATION.cff": "docs"}, "is a folder, not a file"),
        ({"CITATION.cff": "docs/"}, "is a folder, not a file"),
        ({"CITATION.cff": "docs/./"}, "is a folder, not a file"),
        # a trailing slash on a file names no file (as POSIX paths, as git)
        ({"CITATION.cff": "docs/CITATION.cff/"}, "a link ending in `/`, to a file"),
    ],
)
def test_a_link_naming_no_file_inside_skips_that_file_only(github, links, said):
    repo = github.add_repo(
        "octo/hello", files={"README.md": b"readme\n", "docs/CITATION.cff": b"cff\n"}
    )
    github.push(repo, "main", {}, links=links)

    outcome = propose(client_for(github, repo), ["CITATION.cff", "README.md"], shout)

    assert said in propose.base.unreadable["CITATION.cff"]
    assert outcome.status == "opened" and outcome.changed == ("README.md",)


def test_a_link_to_a_folder_with_a_slash_goes_on_to_the_file_below_it(github):
    repo = github.add_repo("octo/hello", files={"docs/CITATION.cff": b"cff\n"})
    github.push(repo, "main", {}, links={"meta": "docs/", "CITATION.cff": "meta/CITATION.cff"})

    outcome = propose(client_for(github, repo), ["CITATION.cff"], shout)

    assert outcome.changed == ("docs/CITATION.cff",)


def test_a_link_through_a_linked_folder_is_followed(github):
    repo = github.add_repo("octo/hello", files={"documentation/CITATION.cff": b"cff\n"})
    github.push(
        repo,
        "main",
        {},
        links={"docs": "documentation", "CITATION.cff": "docs/../docs/CITATION.cff"},
    )

    outcome = propose(client_for(github, repo), ["CITATION.cff"], shout)

    assert outcome.changed == ("documentation/CITATION.cff",)


def test_a_file_over_the_contents_api_limit_is_read_and_proposed(github):
    big = b"# Readme\n" + b"x" * 2_000_000 + b"\n"
    repo = github.add_repo("octo/hello", files={"README.md": big, "a.txt": b"a\n"})

    outcome = propose(client_for(github, repo), ["README.md", "a.txt"], shout)

    assert outcome.changed == ("README.md", "a.txt")
    assert github.files_at(repo, PROPOSAL.branch)["README.md"] == big.upper()
    assert not github.requests_to("api", "/contents/")


def test_a_file_that_is_not_utf8_is_skipped_and_the_others_proposed(github):
    repo = github.add_repo("octo/hello", files={"CITATION.cff": b"\xff\xfe", "a.txt": b"a\n"})

    outcome = propose(client_for(github, repo), ["CITATION.cff", "a.txt"], shout)

    assert propose.base.unreadable == {
        "CITATION.cff": "CITATION.cff on the default branch is not UTF-8 text"
    }
    assert outcome.changed == ("a.txt",)


def test_a_commit_is_marked_with_the_tree_it_holds(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    propose(client_for(github, repo), ["a.txt"], shout)

    [sha] = github.commits_between(repo, "main", PROPOSAL.branch)
    commit = github.commit(repo, sha)
    assert commit.message.endswith(f"\n\n{pulls.OWN_COMMIT_TRAILER}: {commit.tree}\n")


@pytest.mark.parametrize(
    "theirs",
    [
        lambda github, repo: github.push(repo, PROPOSAL.branch, {"a.txt": b"Fixed by hand\n"}),
        # our commit amended: our message, but no longer our tree
        lambda github, repo: github.amend(repo, PROPOSAL.branch, {"a.txt": b"Amended\n"}),
    ],
)
def test_a_branch_with_someone_elses_commit_is_left_alone_with_its_pull_request(github, theirs):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    client = client_for(github, repo)
    propose(client, ["a.txt"], shout)
    theirs(github, repo)
    github.push(repo, "main", {"other.txt": b"meanwhile\n"})  # so the branch would be rebuilt
    tip = github.ref_sha(repo, f"heads/{PROPOSAL.branch}")
    [pull] = github.pulls_of(repo)
    pull.title = "Edited by the maintainer"
    github.requests.clear()

    again = propose(client, ["a.txt"], shout)

    assert again.status == "left-alone" and again.url and again.url.endswith("/pull/1")
    assert again.foreign and f"{tip[:7]} by octo" in again.foreign
    assert github.ref_sha(repo, f"heads/{PROPOSAL.branch}") == tip
    assert pull.title == "Edited by the maintainer"
    writes = [
        r for r in github.requests if r.method in ("PATCH", "POST") and "/git/trees" not in r.path
    ]
    assert writes == []


def test_a_branch_whose_commit_was_merged_is_moved(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n", "b.txt": b"b\n"})
    client = client_for(github, repo)
    propose(client, ["a.txt"], shout)
    [pull] = github.pulls_of(repo)
    github.merge_pull(repo, pull.number)

    again = propose(client, ["a.txt", "b.txt"], shout)

    assert again.status == "opened" and again.changed == ("b.txt",)
    [commit] = github.commits_between(repo, "main", PROPOSAL.branch)
    assert github.commit(repo, commit).parents == (github.ref_sha(repo, "heads/main"),)


def test_a_branch_with_no_history_in_common_is_left_alone(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    orphan = github.orphan(repo, PROPOSAL.branch, {"a.txt": b"mine\n"})

    outcome = propose(client_for(github, repo), ["a.txt"], shout)

    assert outcome.status == "left-alone" and "no history shared with main" in outcome.foreign[0]
    assert github.ref_sha(repo, f"heads/{PROPOSAL.branch}") == orphan


def test_a_proposal_closed_as_superseded_is_proposed_again_but_a_declined_one_is_not(github):
    repo = github.add_repo("octo/hello", files={"a.txt": b"a\n"})
    client = client_for(github, repo)
    other = pulls.Proposal("zenodo-doi/v2", "Cite v2", "newer", "Cite v2")
    propose(client, ["a.txt"], shout)
    [older] = pulls.open_proposals(client, "main", "zenodo-doi/")
    newer = propose(client, ["a.txt"], lambda path, text: text + "!", other, supersede=[older])
    assert newer.superseded == (older.url,)
    assert pulls.SUPERSEDED_MARK in github.pulls_of(repo)[0].body
    assert github.pulls_of(repo)[0].state == "closed"

    again = propose(client, ["a.txt"], shout)

    assert again.status == "opened" and len(github.pulls_of(repo)) == 3
    github.pulls_of(repo)[2].state = "closed"  # now a maintainer says no
    assert propose(client, ["a.txt"], shout).status == "declined"

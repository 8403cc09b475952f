"""The fake GitHub's git database, contents and pulls endpoints: the contract a
write-back by pull request relies on (reference github-rest.md §1, §2, §4, §6)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.github import (
    ACTIONS_MAY_NOT_CREATE_PULLS,
    CONTENTS_API_LIMIT,
    MUST_SUPPLY_SHA_OR_CONTENT,
    NOT_ACCESSIBLE,
    NOT_ACCESSIBLE_BY_PAT,
    FakeGitHub,
    FakeRepo,
)

TOKEN = "ghs_ActionsToken"  # GITHUB_TOKEN with contents and pull-requests: write
FILES = {"README.md": b"# Hello\n", "docs/guide.md": b"Read me first.\n"}


class Api:
    """Plain requests to /repos/{o}/{r}/..., as GitHub's docs show them."""

    def __init__(self, fake: FakeGitHub, repo: FakeRepo, token: str | None = TOKEN) -> None:
        self.base = f"{fake.api_url}/repos/{repo.full_name}"
        self.headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.base}/{path}",
            json=body,
            params=params,
            headers={**self.headers, **(headers or {})},
            timeout=10,
        )

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self(method, path, body, **params)
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def repo(fake_github: FakeGitHub) -> FakeRepo:
    fake_github.add_token(TOKEN)
    return fake_github.add_repo("octo/hello", files=dict(FILES))


@pytest.fixture
def api(fake_github: FakeGitHub, repo: FakeRepo) -> Api:
    return Api(fake_github, repo)


def head(fake: FakeGitHub, repo: FakeRepo, branch: str = "main") -> str:
    sha = fake.ref_sha(repo, f"heads/{branch}")
    assert sha is not None
    return sha


def commit_on(api: Api, parent: str, files: dict[str, str], message: str = "Change\n") -> str:
    """A commit on top of `parent` that writes `files`, through the API."""
    base_tree = api.ok("GET", f"git/commits/{parent}")["tree"]["sha"]
    tree = api.ok("POST", "git/trees", {"base_tree": base_tree, "tree": blobs(files)})["sha"]
    commit = {"message": message, "tree": tree, "parents": [parent]}
    return str(api.ok("POST", "git/commits", commit)["sha"])


def branch(api: Api, name: str, sha: str) -> None:
    api.ok("POST", "git/refs", {"ref": f"refs/heads/{name}", "sha": sha})


# -- real object ids (github-rest.md §4.6) ---------------------------------------------------------


class Git:
    """The real `git`, in a scratch repository, isolated from any user config, with
    fixed author and committer identities and dates."""

    def __init__(self, home: Path) -> None:
        self.work = home / "work"
        self.work.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.env |= {
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Ada",
            "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_AUTHOR_DATE": "1700000000 +0200",
            "GIT_COMMITTER_NAME": "Bot",
            "GIT_COMMITTER_EMAIL": "bot@example.org",
            "GIT_COMMITTER_DATE": "1700000100 +0000",
        }
        self("init", "-q")

    def __call__(self, *args: str, stdin: bytes = b"") -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.work,
            env=self.env,
            input=stdin,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def add(self, files: dict[str, bytes]) -> str:
        """Stage `files` and return the tree `git write-tree` makes of them."""
        for path, data in files.items():
            (self.work / path).parent.mkdir(parents=True, exist_ok=True)
            (self.work / path).write_bytes(data)
        self("add", "-A")
        return self("write-tree")


@pytest.fixture
def git(tmp_path: Path) -> Git:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return Git(tmp_path)


# Names that sort differently as files and as directories: "a-b" < "a.md" < "a/" < "a0".
NESTED = {
    "a0.txt": b"zero\n",
    "a/b/c.md": b"deep\n",
    "a/x.md": b"x\n",
    "a.md": b"dot\n",
    "a-b.txt": b"dash\n",
    "README.md": b"# Hello\n",
}
# The dates of Git's identities: 1700000000 at +0200 and 1700000100.
PEOPLE = {
    "author": {"name": "Ada", "email": "ada@example.org", "date": "2023-11-15T00:13:20+02:00"},
    "committer": {"name": "Bot", "email": "bot@example.org", "date": "2023-11-14T22:15:00Z"},
}


def blobs(files: Mapping[str, str | bytes]) -> list[dict[str, str]]:
    """`tree[]` entries that write `files` as text."""
    return [
        {"path": path, "mode": "100644", "type": "blob", "content": _text(data)}
        for path, data in files.items()
    ]


def _text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode()


def test_blob_sha_is_git_hash_object(api, git):
    text = "Grüße, and a NUL \x00 too\n".encode()
    created = api("POST", "git/blobs", {"content": text.decode()})
    assert created.status_code == 201
    assert created.json()["sha"] == git("hash-object", "--stdin", stdin=text)
    as_base64 = {"content": base64.b64encode(b"\xff\xfe").decode(), "encoding": "base64"}
    expected = git("hash-object", "--stdin", stdin=b"\xff\xfe")
    assert api.ok("POST", "git/blobs", as_base64)["sha"] == expected


def test_nested_tree_sha_is_git_write_tree(api, git):
    tree = api.ok("POST", "git/trees", {"tree": blobs(NESTED)})
    assert tree["sha"] == git.add(NESTED)
    assert [e["path"] for e in tree["tree"]] == ["README.md", "a-b.txt", "a.md", "a", "a0.txt"]
    assert [e["mode"] for e in tree["tree"] if e["type"] == "tree"] == ["040000"]  # not 40000


def test_commit_sha_is_git_commit_tree(api, git):
    tree = git.add({"a/b/c.md": b"deep\n"})
    parent = git("commit-tree", tree, "-m", "root")
    expected = git("commit-tree", tree, "-p", parent, "-m", "Update metadata")
    assert api.ok("POST", "git/trees", {"tree": blobs({"a/b/c.md": b"deep\n"})})["sha"] == tree
    root = api.ok("POST", "git/commits", {"message": "root\n", "tree": tree, **PEOPLE})
    assert root["sha"] == parent  # `commit-tree -m x` stores "x\n"
    body = {"message": "Update metadata\n", "tree": tree, "parents": [parent], **PEOPLE}
    made = api("POST", "git/commits", body)
    assert made.status_code == 201
    assert made.json()["sha"] == expected
    assert made.json()["parents"][0]["sha"] == parent
    assert made.json()["author"]["date"] == "2023-11-14T22:13:20Z"


def test_the_initial_commit_holds_the_repository_files(fake_github, repo, api, git):
    commit = api.ok("GET", f"git/commits/{head(fake_github, repo)}")
    assert commit["tree"]["sha"] == git.add(FILES)
    assert commit["parents"] == []
    assert fake_github.files_at(repo, "main") == FILES


# -- trees (github-rest.md §4.7, §4.8) -------------------------------------------------------------


def test_unchanged_content_gives_back_the_base_tree(fake_github, repo, api):
    base_tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]

    def tree_with(guide: str) -> str:
        entries = blobs({"docs/guide.md": guide})
        return str(api.ok("POST", "git/trees", {"base_tree": base_tree, "tree": entries})["sha"])

    # the no-op check of github-rest.md §4.7 works
    assert tree_with("Read me first.\n") == base_tree
    assert tree_with("Read me second.\n") != base_tree


def test_tree_entries_overwrite_add_and_delete_by_path(fake_github, repo, api):
    base_tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    entries = [
        {"path": "docs/new.md", "mode": "100644", "type": "blob", "content": "new\n"},
        {"path": "README.md", "mode": "100644", "type": "blob", "sha": None},
    ]
    tree = api.ok("POST", "git/trees", {"base_tree": base_tree, "tree": entries})
    assert [e["path"] for e in tree["tree"]] == ["docs"]  # the top level only
    assert fake_github.files_at(repo, tree["sha"]) == {
        "docs/guide.md": b"Read me first.\n",
        "docs/new.md": b"new\n",
    }


def test_without_base_tree_only_the_given_entries_remain(fake_github, repo, api):
    tree = api.ok("POST", "git/trees", {"tree": blobs({"CITATION.cff": "cff\n"})})
    assert fake_github.files_at(repo, tree["sha"]) == {"CITATION.cff": b"cff\n"}


@pytest.mark.parametrize(
    "entry",
    [
        {"path": "README.md", "mode": "100644", "type": "blob"},  # the "sha" key dropped
        {"path": "README.md", "mode": "100644", "type": "blob", "sha": None, "content": "x"},
    ],
)
def test_a_tree_entry_needs_exactly_one_of_sha_and_content(fake_github, repo, api, entry):
    base_tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    refused = api("POST", "git/trees", {"base_tree": base_tree, "tree": [entry]})
    assert refused.status_code == 422
    assert refused.json()["message"] == MUST_SUPPLY_SHA_OR_CONTENT
    assert refused.json()["status"] == "422"


def test_deleting_an_absent_path_is_refused(fake_github, repo, api):
    base_tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    gone = [{"path": "codemeta.json", "mode": "100644", "type": "blob", "sha": None}]
    assert api("POST", "git/trees", {"base_tree": base_tree, "tree": gone}).status_code == 422


@pytest.mark.parametrize("value", ["1", "0", "false", ""])
def test_any_recursive_value_recurses(fake_github, repo, api, value):
    tree = api.ok("GET", "git/trees/main", recursive=value)["tree"]
    assert [(e["path"], e["mode"]) for e in tree] == [
        ("README.md", "100644"),
        ("docs", "040000"),
        ("docs/guide.md", "100644"),
    ]


def test_without_recursive_a_tree_is_flat(fake_github, repo, api):
    tree_sha = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    listing = api.ok("GET", f"git/trees/{tree_sha}")
    assert [e["path"] for e in listing["tree"]] == ["README.md", "docs"]
    assert listing["truncated"] is False


# -- refs (github-rest.md §4.1-4.4) ----------------------------------------------------------------


def test_get_ref_is_a_git_ref_and_404_when_missing(fake_github, repo, api):
    ref = api.ok("GET", "git/ref/heads/main")
    assert ref["ref"] == "refs/heads/main"
    assert ref["object"] == {
        "type": "commit",
        "sha": head(fake_github, repo),
        "url": f"{api.base}/git/commits/{head(fake_github, repo)}",
    }
    missing = api("GET", "git/ref/heads/zenodo/metadata")
    assert missing.status_code == 404 and missing.json()["status"] == "404"
    assert api("GET", "git/ref/refs/heads/main").status_code == 404  # no "refs/" in the path


def test_a_branch_with_a_slash_is_found_literally_and_percent_encoded(fake_github, repo, api):
    branch(api, "zenodo/metadata", head(fake_github, repo))
    assert api.ok("GET", "git/ref/heads/zenodo/metadata")["ref"] == "refs/heads/zenodo/metadata"
    assert api.ok("GET", "git/ref/heads/zenodo%2Fmetadata")["ref"] == "refs/heads/zenodo/metadata"


def test_an_empty_repository_answers_409(fake_github):
    fake_github.add_token(TOKEN)
    empty = fake_github.add_repo("octo/empty", empty=True)
    api = Api(fake_github, empty)
    for answer in (api("GET", "git/ref/heads/main"), api("POST", "git/blobs", {"content": "x"})):
        assert answer.status_code == 409
        assert answer.json()["message"] == "Git Repository is empty."
        assert answer.json()["status"] == "409"
    assert api("GET", "contents/README.md").status_code == 404


def test_create_ref_refuses_existing_malformed_and_unknown(fake_github, repo, api):
    sha = head(fake_github, repo)
    created = api("POST", "git/refs", {"ref": "refs/heads/feature", "sha": sha})
    assert created.status_code == 201 and created.json()["object"]["sha"] == sha
    again = api("POST", "git/refs", {"ref": "refs/heads/feature", "sha": sha})
    assert (again.status_code, again.json()["message"]) == (422, "Reference already exists")
    for bad in ("heads/feature2", "refs/feature2", "refs/heads/a..b"):
        assert api("POST", "git/refs", {"ref": bad, "sha": sha}).status_code == 422, bad
    unknown = api("POST", "git/refs", {"ref": "refs/heads/x", "sha": "0" * 40})
    assert (unknown.status_code, unknown.json()["message"]) == (422, "Object does not exist")
    assert fake_github.ref_sha(repo, "heads/x") is None


def test_update_ref_must_fast_forward_unless_forced(fake_github, repo, api):
    base = head(fake_github, repo)
    first = commit_on(api, base, {"a.md": "1\n"})
    branch(api, "feature", first)
    second = commit_on(api, first, {"a.md": "2\n"})
    assert api.ok("PATCH", "git/refs/heads/feature", {"sha": second})["object"]["sha"] == second
    rebuilt = commit_on(api, base, {"a.md": "3\n"})  # does not descend from `second`
    refused = api("PATCH", "git/refs/heads/feature", {"sha": rebuilt})
    assert (refused.status_code, refused.json()["message"]) == (422, "Update is not a fast forward")
    assert fake_github.ref_sha(repo, "heads/feature") == second
    forced = api("PATCH", "git/refs/heads/feature", {"sha": rebuilt, "force": True})
    assert forced.status_code == 200
    assert fake_github.ref_sha(repo, "refs/heads/feature") == rebuilt


def test_update_and_delete_of_a_missing_ref_say_it_does_not_exist(fake_github, repo, api):
    sha = head(fake_github, repo)
    # github-rest.md §4.3: no "refs/"
    for path in ("git/refs/heads/nope", "git/refs/refs/heads/main"):
        answer = api("PATCH", path, {"sha": sha, "force": True})
        assert (answer.status_code, answer.json()["message"]) == (422, "Reference does not exist")
    branch(api, "gone", sha)
    deleted = api("DELETE", "git/refs/heads/gone")
    assert deleted.status_code == 204 and deleted.content == b""
    again = api("DELETE", "git/refs/heads/gone")
    assert (again.status_code, again.json()["message"]) == (422, "Reference does not exist")


# -- commits (github-rest.md §4.5, §4.9) -----------------------------------------------------------


def test_a_commit_by_the_actions_token_is_verified_and_by_a_pat_is_not(fake_github, repo, api):
    fake_github.add_token("github_pat_X", kind="pat")
    tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    body = {"message": "m\n", "tree": tree, "parents": [head(fake_github, repo)]}
    by_bot = api.ok("POST", "git/commits", body)
    assert by_bot["verification"]["verified"] is True
    assert by_bot["author"]["name"] == "github-actions[bot]"
    pat = Api(fake_github, repo, "github_pat_X")
    by_pat = pat.ok("POST", "git/commits", {**body, "message": "p\n"})["verification"]
    assert (by_pat["verified"], by_pat["reason"]) == (False, "unsigned")
    got = api.ok("GET", f"git/commits/{by_bot['sha']}")
    assert got["tree"]["sha"] == tree
    assert got["html_url"].endswith(f"/octo/hello/commit/{by_bot['sha']}")
    assert api("GET", f"git/commits/{'1' * 40}").status_code == 404


def test_a_commit_needs_an_existing_tree_and_parents(fake_github, repo, api):
    tree = api.ok("GET", f"git/commits/{head(fake_github, repo)}")["tree"]["sha"]
    assert api("POST", "git/commits", {"message": "m", "tree": "2" * 40}).status_code == 422
    orphan = {"message": "m", "tree": tree, "parents": [tree]}  # a tree is no parent
    assert api("POST", "git/commits", orphan).status_code == 422


# -- contents (github-rest.md §4.10) ---------------------------------------------------------------


def test_contents_is_base64_wrapped_every_60_characters(fake_github, repo, api, git):
    text = b"cff-version: 1.2.0\nmessage: If you use this software, cite it.\ntitle: Hello\n"
    fake_github.push(repo, "main", {"CITATION.cff": text})
    got = api.ok("GET", "contents/CITATION.cff")
    lines = got["content"].split("\n")
    assert [len(line) for line in lines[:-1]] == [60, len(lines[1])] and lines[-1] == ""
    assert base64.b64decode(got["content"]) == text
    assert (got["type"], got["encoding"], got["path"]) == ("file", "base64", "CITATION.cff")
    assert got["size"] == len(text)
    assert got["sha"] == git("hash-object", "--stdin", stdin=text)


def test_contents_at_a_branch_a_tag_and_a_sha(fake_github, repo, api):
    old = head(fake_github, repo)
    fake_github.add_release(repo, "v1.0")  # a published release has its tag
    fake_github.push(repo, "main", {"README.md": b"# Hello again\n"})
    fake_github.push(repo, "topic", {"README.md": b"# Topic\n"})

    def readme(ref: str | None) -> bytes:
        params = {"ref": ref} if ref else {}
        return base64.b64decode(api.ok("GET", "contents/README.md", **params)["content"])

    assert readme(None) == b"# Hello again\n"  # the default branch
    assert readme("topic") == b"# Topic\n"
    assert readme("v1.0") == readme(old) == b"# Hello\n"
    assert api("GET", "contents/README.md", ref="nope").status_code == 404


def test_contents_404_for_absent_and_403_too_large(fake_github, repo, api):
    assert api("GET", "contents/codemeta.json").status_code == 404
    assert api.ok("GET", "contents/docs%2Fguide.md")["path"] == "docs/guide.md"
    limit = CONTENTS_API_LIMIT  # 1,000,000 bytes: "1 MB" read strictly
    fake_github.push(repo, "main", {"big.bin": b"x" * (limit + 1), "ok.bin": b"y" * limit})
    assert api("GET", "contents/ok.bin").status_code == 200
    big = api("GET", "contents/big.bin")
    assert big.status_code == 403
    assert big.json()["errors"] == [{"resource": "Blob", "field": "data", "code": "too_large"}]
    assert big.json()["message"].startswith("This API returns blobs up to 1 MB in size.")
    raw = api("GET", "contents/big.bin", headers={"Accept": "application/vnd.github.raw+json"})
    assert raw.status_code == 200 and len(raw.content) == CONTENTS_API_LIMIT + 1


# -- links, large blobs, comparisons (docs/reference/github-writeback.md) -----------------


def test_a_link_is_a_120000_entry_whose_blob_is_its_target_as_git_makes_it(
    fake_github, repo, api, git
):
    fake_github.push(
        repo, "main", {"docs/CITATION.cff": b"cff\n"}, links={"CITATION.cff": "docs/CITATION.cff"}
    )
    tree = api.ok("GET", f"git/trees/{head(fake_github, repo)}")
    [entry] = [e for e in tree["tree"] if e["path"] == "CITATION.cff"]
    assert (entry["mode"], entry["type"]) == ("120000", "blob")
    assert entry["sha"] == git("hash-object", "--stdin", stdin=b"docs/CITATION.cff")
    git.add({"docs/CITATION.cff": b"cff\n", **FILES})
    os.symlink("docs/CITATION.cff", git.work / "CITATION.cff")
    git("add", "-A")
    assert tree["sha"] == git("write-tree")


def test_contents_of_a_link_to_a_file_is_the_file_and_of_any_other_link_the_link(
    fake_github, repo, api
):
    links = {"CITATION.cff": "docs/guide.md", "up": "../outside.md", "dir": "docs"}
    fake_github.push(repo, "main", {}, links=links)

    followed = api.ok("GET", "contents/CITATION.cff")
    assert followed["type"] == "file"
    assert base64.b64decode(followed["content"]) == FILES["docs/guide.md"]
    for path, target in (("up", "../outside.md"), ("dir", "docs")):
        link = api.ok("GET", f"contents/{path}")
        assert (link["type"], link["target"], link["path"]) == ("symlink", target, path)
        assert "content" not in link


def test_a_blob_above_the_contents_limit_is_served_as_json_and_raw(fake_github, repo, api):
    data = b"z" * (CONTENTS_API_LIMIT * 2)
    fake_github.push(repo, "main", {"README.md": data})
    sha = next(
        e["sha"] for e in api.ok("GET", "git/trees/main")["tree"] if e["path"] == "README.md"
    )

    blob = api.ok("GET", f"git/blobs/{sha}")
    raw = api("GET", f"git/blobs/{sha}", headers={"Accept": "application/vnd.github.raw+json"})

    assert (blob["encoding"], blob["size"], base64.b64decode(blob["content"])) == (
        "base64",
        len(data),
        data,
    )
    assert raw.status_code == 200 and raw.content == data


def test_compare_lists_the_commits_of_the_head_that_the_base_lacks(fake_github, repo, api):
    base = head(fake_github, repo)
    first = fake_github.push(repo, "topic", {"a.md": b"a\n"}, "First\n")
    second = fake_github.push(repo, "topic", {"b.md": b"b\n"}, "Second\n\nTrailer: x\n")

    ahead = api.ok("GET", f"compare/{base}...topic")
    assert (ahead["status"], ahead["ahead_by"], ahead["behind_by"]) == ("ahead", 2, 0)
    assert [c["sha"] for c in ahead["commits"]] == [first, second]  # oldest first
    listed = ahead["commits"][1]
    assert listed["commit"]["message"] == "Second\n\nTrailer: x\n"
    assert listed["commit"]["tree"]["sha"] == fake_github.commit(repo, second).tree
    assert [p["sha"] for p in listed["parents"]] == [first]
    assert ahead["merge_base_commit"]["sha"] == base

    fake_github.push(repo, "main", {"c.md": b"c\n"})
    diverged = api.ok("GET", "compare/main...topic")
    assert (diverged["status"], diverged["ahead_by"], diverged["behind_by"]) == ("diverged", 2, 1)
    behind = api.ok("GET", "compare/topic...main")
    assert (behind["status"], behind["ahead_by"]) == ("diverged", 1)
    same = api.ok("GET", "compare/topic...topic")
    assert (same["status"], same["ahead_by"], same["commits"]) == ("identical", 0, [])
    assert api("GET", "compare/main...nope").status_code == 404


def test_compare_lists_at_most_250_commits_the_newest_last(fake_github, repo, api):
    base = head(fake_github, repo)
    shas = [fake_github.push(repo, "long", {"n.md": f"{n}\n".encode()}) for n in range(260)]

    answer = api.ok("GET", f"compare/{base}...long")

    assert answer["ahead_by"] == 260 and len(answer["commits"]) == 250
    assert [c["sha"] for c in answer["commits"]] == shas[-250:]


# -- pull requests (github-rest.md §4.11) ----------------------------------------------------------


def open_pull(
    fake: FakeGitHub, repo: FakeRepo, api: Api, name: str, **extra: Any
) -> dict[str, Any]:
    branch(api, name, commit_on(api, head(fake, repo), {f"{name}.md": "x\n"}))
    body = {"head": name, "base": "main", "title": f"About {name}", **extra}
    created = api("POST", "pulls", body)
    assert created.status_code == 201, created.text
    return created.json()


def test_a_created_pull_request_has_the_fields_clients_use(fake_github, repo, api):
    pull = open_pull(fake_github, repo, api, "zenodo/metadata", body="Why", draft=True)
    assert pull["number"] == 1 and pull["state"] == "open" and pull["draft"] is True
    assert pull["merged"] is False and pull["body"] == "Why"
    assert pull["head"]["label"] == "octo:zenodo/metadata"
    assert pull["head"]["sha"] == fake_github.ref_sha(repo, "heads/zenodo/metadata")
    assert pull["head"]["repo"]["full_name"] == "octo/hello"
    assert pull["base"] == {**pull["base"], "ref": "main", "sha": head(fake_github, repo)}
    assert pull["user"] == {"login": "github-actions[bot]", "type": "Bot"}
    assert pull["html_url"].endswith("/octo/hello/pull/1")
    assert api.ok("GET", "pulls/1")["title"] == "About zenodo/metadata"
    assert api("GET", "pulls/9").status_code == 404


def test_list_filters_on_owner_and_branch_and_ignores_a_bare_head(fake_github, repo, api):
    open_pull(fake_github, repo, api, "one")
    open_pull(fake_github, repo, api, "two")

    def numbers(**query: str) -> list[int]:
        return [pull["number"] for pull in api.ok("GET", "pulls", **query)]

    assert numbers(head="octo:two") == [2]
    assert numbers(head="OCTO:two") == [2]
    assert numbers(head="someone-else:two") == []
    assert numbers(head="two") == [2, 1]  # no "owner:": ignored, everything comes back
    assert numbers(head="octo:two", base="develop") == []
    assert "merged" not in api.ok("GET", "pulls")[0]  # only the full object has it


def test_list_shows_open_by_default_and_paginates(fake_github, repo, api):
    for name in ("a", "b", "c"):
        open_pull(fake_github, repo, api, name)
    api.ok("PATCH", "pulls/1", {"state": "closed"})
    assert [p["number"] for p in api.ok("GET", "pulls")] == [3, 2]
    assert [p["number"] for p in api.ok("GET", "pulls", state="closed")] == [1]
    page = api("GET", "pulls", state="all", per_page=2)
    assert [p["number"] for p in page.json()] == [3, 2]
    following = page.links["next"]["url"]
    assert "state=all" in following and "/repositories/" in following
    rest = requests.get(following, headers=api.headers, timeout=10).json()
    assert [p["number"] for p in rest] == [1]


def test_a_second_open_pull_for_the_same_head_is_refused(fake_github, repo, api):
    open_pull(fake_github, repo, api, "zenodo/metadata")
    again = api("POST", "pulls", {"head": "zenodo/metadata", "base": "main", "title": "t"})
    assert again.status_code == 422
    assert again.json()["message"] == "Validation Failed"
    [error] = again.json()["errors"]
    assert error["message"] == "A pull request already exists for octo:zenodo/metadata."
    # a closed PR does not count (github-rest.md §4.12)
    api.ok("PATCH", "pulls/1", {"state": "closed"})
    with_owner = {"head": "octo:zenodo/metadata", "base": "main", "title": "t"}
    assert api("POST", "pulls", with_owner).status_code == 201


def test_no_commits_between_base_and_head_is_refused(fake_github, repo, api):
    branch(api, "same", head(fake_github, repo))
    refused = api("POST", "pulls", {"head": "same", "base": "main", "title": "t"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == "No commits between main and same"


def test_a_missing_head_branch_is_an_invalid_head(fake_github, repo, api):
    refused = api("POST", "pulls", {"head": "nope", "base": "main", "title": "t"})
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error == {"resource": "PullRequest", "field": "head", "code": "invalid"}


def test_patch_updates_title_and_body_and_the_head_follows_its_branch(fake_github, repo, api):
    pull = open_pull(fake_github, repo, api, "feature")
    moved = commit_on(api, pull["head"]["sha"], {"b.md": "b\n"})
    api.ok("PATCH", "git/refs/heads/feature", {"sha": moved})
    updated = api.ok("PATCH", "pulls/1", {"title": "New", "body": "Text"})
    assert (updated["title"], updated["body"], updated["head"]["sha"]) == ("New", "Text", moved)
    assert api("PATCH", "pulls/7", {"title": "x"}).status_code == 404


def test_merging_moves_the_default_branch_and_its_files(fake_github, repo, api):
    pull = open_pull(fake_github, repo, api, "feature")
    archive_files = repo.files
    assert fake_github.merge_pull(repo, 1) == pull["head"]["sha"]  # a fast forward
    assert archive_files["feature.md"] == b"x\n"  # the same dict, now the new tree
    assert api.ok("GET", "pulls/1")["merged"] is True
    assert fake_github.pulls_of(repo)[0].state == "closed"
    assert fake_github.commits_between(repo, "main", "feature") == []


def test_merging_after_the_base_moved_makes_a_merge_commit(fake_github, repo, api):
    open_pull(fake_github, repo, api, "feature")
    fake_github.push(repo, "main", {"other.md": b"o\n"})
    merged = fake_github.merge_pull(repo, 1)
    assert len(fake_github.commit(repo, merged).parents) == 2
    assert {"feature.md", "other.md", "README.md"} <= set(repo.files)


def test_editing_repo_files_is_a_push_to_the_default_branch(fake_github, repo, api):
    before = head(fake_github, repo)
    fake_github.set_license(repo, "MIT")
    after = head(fake_github, repo)
    assert after != before and fake_github.commit(repo, after).parents == (before,)
    assert api.ok("GET", "contents/LICENSE")["size"] > 0


# -- permissions (github-rest.md §1.2, §2.1, §2.2) -------------------------------------------------


GIT_WRITES = [
    ("POST", "git/blobs", {"content": "x"}),
    ("POST", "git/trees", {"tree": []}),
    ("POST", "git/commits", {"message": "m", "tree": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"}),
    ("POST", "git/refs", {"ref": "refs/heads/x", "sha": "0" * 40}),
    ("PATCH", "git/refs/heads/main", {"sha": "0" * 40, "force": True}),
    ("DELETE", "git/refs/heads/main", None),
]


@pytest.mark.parametrize(("method", "path", "body"), GIT_WRITES)
def test_git_writes_need_contents_write(fake_github, repo, method, path, body):
    fake_github.add_token("ghs_read", "read", pull_requests="write")
    denied = Api(fake_github, repo, "ghs_read")(method, path, body)
    assert denied.status_code == 403
    assert denied.json()["message"] == NOT_ACCESSIBLE and denied.json()["status"] == "403"
    assert denied.headers["X-Accepted-GitHub-Permissions"] == "contents=write"


def test_reads_need_only_contents_read_and_public_ones_no_token(fake_github, repo):
    fake_github.add_token("ghs_read", "read", pull_requests="none")
    for token in ("ghs_read", None):
        reader = Api(fake_github, repo, token)
        assert reader("GET", "git/ref/heads/main").status_code == 200
        assert reader("GET", "contents/README.md").status_code == 200
    anonymous = Api(fake_github, repo, None)
    assert anonymous("GET", "pulls").status_code == 200
    assert anonymous("POST", "git/blobs", {"content": "x"}).status_code == 401
    private = fake_github.add_repo("octo/secret", private=True)
    assert Api(fake_github, private, None)("GET", "git/ref/heads/main").status_code == 404


def test_pulls_need_the_pull_requests_scope(fake_github, repo, api):
    fake_github.add_token("ghs_none", "write", pull_requests="none")
    fake_github.add_token("ghs_pr_read", "write", pull_requests="read")
    fake_github.add_token("github_pat_read", "write", pull_requests="read", kind="pat")
    branch(api, "feature", commit_on(api, head(fake_github, repo), {"f.md": "f\n"}))
    listing = Api(fake_github, repo, "ghs_none")("GET", "pulls")
    assert listing.status_code == 403
    assert listing.headers["X-Accepted-GitHub-Permissions"] == "pull_requests=read"
    body = {"head": "feature", "base": "main", "title": "t"}
    reader = Api(fake_github, repo, "ghs_pr_read")
    assert reader("GET", "pulls").status_code == 200
    cases = [("ghs_pr_read", NOT_ACCESSIBLE), ("github_pat_read", NOT_ACCESSIBLE_BY_PAT)]
    for token, message in cases:
        denied = Api(fake_github, repo, token)("POST", "pulls", body)
        assert (denied.status_code, denied.json()["message"]) == (403, message)
        assert denied.headers["X-Accepted-GitHub-Permissions"] == "pull_requests=write"
    api.ok("POST", "pulls", body)
    assert reader("PATCH", "pulls/1", {"title": "x"}).status_code == 403
    assert fake_github.pulls_of(repo)[0].title == "t"


def test_the_actions_toggle_blocks_only_the_actions_token_after_the_branch_is_pushed(
    fake_github, repo, api
):
    repo.actions_may_create_pulls = False
    pushed = commit_on(api, head(fake_github, repo), {"CITATION.cff": "c\n"})
    branch(api, "zenodo/metadata", pushed)
    body = {"head": "zenodo/metadata", "base": "main", "title": "t"}
    blocked = api("POST", "pulls", body)
    assert blocked.status_code == 403
    assert blocked.json()["message"] == ACTIONS_MAY_NOT_CREATE_PULLS
    assert fake_github.pulls_of(repo) == []
    assert fake_github.files_at(repo, "zenodo/metadata")["CITATION.cff"] == b"c\n"  # kept
    fake_github.add_token("github_pat_X", kind="pat")
    by_pat = Api(fake_github, repo, "github_pat_X")("POST", "pulls", body)
    assert by_pat.status_code == 201
    assert by_pat.json()["user"]["type"] == "User"


# -- the re-run-safe sequence of github-rest.md §4.12, end to end ----------------------------------


def write_back(api: Api, files: dict[str, str], owner: str = "octo") -> str:
    """github-rest.md §4.12, step by step, as the Action would do it. Returns what happened."""
    default = requests.get(api.base, headers=api.headers, timeout=10).json()["default_branch"]
    base = api("GET", f"git/ref/heads/{default}")
    if base.status_code == 409:
        return "empty repository"
    base_sha = base.json()["object"]["sha"]
    base_tree = api.ok("GET", f"git/commits/{base_sha}")["tree"]["sha"]
    for path in files:  # what is there now: a 404 means absent
        assert api("GET", f"contents/{path}", ref=base_sha).status_code in (200, 404)
    tree = api.ok("POST", "git/trees", {"base_tree": base_tree, "tree": blobs(files)})["sha"]
    if tree == base_tree:
        return "nothing to do"
    commit = {"message": "Update Zenodo metadata\n", "tree": tree, "parents": [base_sha]}
    sha = api.ok("POST", "git/commits", commit)["sha"]
    name = "zenodo/metadata"
    pushed = False
    if api("GET", f"git/ref/heads/{name}").status_code == 404:
        created = api("POST", "git/refs", {"ref": f"refs/heads/{name}", "sha": sha})
        pushed = created.status_code == 201  # 422 "Reference already exists": a race
    if not pushed:
        api.ok("PATCH", f"git/refs/heads/{name}", {"sha": sha, "force": True})
    found = api.ok("GET", "pulls", head=f"{owner}:{name}", base=default, state="open")
    found = [p for p in found if p["head"]["ref"] == name]
    text = {"title": "Zenodo metadata", "body": "Generated."}
    if found:
        api.ok("PATCH", f"pulls/{found[0]['number']}", text)
        return f"updated #{found[0]['number']}"
    created = api("POST", "pulls", {"head": name, "base": default, **text})
    if created.status_code == 403 and "not permitted" in created.json()["message"]:
        return "branch pushed, PR not permitted"
    assert created.status_code == 201, created.text
    return f"opened #{created.json()['number']}"


def test_the_write_back_sequence_is_safe_to_run_again(fake_github, repo, api):
    assert write_back(api, {"CITATION.cff": "v1\n"}) == "opened #1"
    first = fake_github.ref_sha(repo, "heads/zenodo/metadata")
    assert write_back(api, {"CITATION.cff": "v1\n"}) == "updated #1"  # same content, same branch
    fake_github.push(repo, "main", {"README.md": b"# Moved on\n"})  # the default branch moves
    assert write_back(api, {"CITATION.cff": "v2\n", "codemeta.json": "{}\n"}) == "updated #1"
    second = fake_github.ref_sha(repo, "heads/zenodo/metadata")
    assert second != first and not fake_github.commits_between(repo, "zenodo/metadata", "main")
    assert fake_github.files_at(repo, "zenodo/metadata")["README.md"] == b"# Moved on\n"
    assert [(p.number, p.state) for p in fake_github.pulls_of(repo)] == [(1, "open")]
    fake_github.merge_pull(repo, 1)
    assert repo.files["CITATION.cff"] == b"v2\n"
    assert write_back(api, {"CITATION.cff": "v2\n", "codemeta.json": "{}\n"}) == "nothing to do"


def test_the_write_back_sequence_survives_a_branch_created_meanwhile(fake_github, repo, api):
    assert write_back(api, {"CITATION.cff": "v1\n"}) == "opened #1"
    fake_github.fail_next(404, method="GET", path="/git/ref/heads/zenodo/metadata")  # stale
    assert write_back(api, {"CITATION.cff": "v2\n"}) == "updated #1"
    posted = [r for r in fake_github.requests_to("api", "/git/refs") if r.method == "POST"]
    assert len(posted) == 2  # the second got "Reference already exists", then PATCHed
    assert fake_github.files_at(repo, "zenodo/metadata")["CITATION.cff"] == b"v2\n"


def test_the_write_back_sequence_when_actions_may_not_open_pulls(fake_github, repo, api):
    repo.actions_may_create_pulls = False
    assert write_back(api, {"CITATION.cff": "v1\n"}) == "branch pushed, PR not permitted"
    assert fake_github.files_at(repo, "zenodo/metadata")["CITATION.cff"] == b"v1\n"


def test_the_write_back_sequence_stops_on_an_empty_repository(fake_github):
    fake_github.add_token(TOKEN)
    empty = fake_github.add_repo("octo/empty", empty=True)
    assert write_back(Api(fake_github, empty), {"CITATION.cff": "v1\n"}) == "empty repository"

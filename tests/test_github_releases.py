"""The releases client against the fake GitHub: listing, the asset race, downloads."""

from __future__ import annotations

import hashlib
import logging
import tarfile
import threading
import zipfile
from dataclasses import replace
from functools import partial
from urllib.parse import urlsplit

import pytest

from zenodo_action import archive_scan
from zenodo_action.errors import ActionError
from zenodo_action.github import releases
from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.github.releases import Asset, AssetsNotReady, archive_name, make_download_dir
from zenodo_action.http import RetryPolicy
from zenodo_action.naming import COMMAND_LINE, RUNNER

TOKEN = "ghs_FakeInstallationToken0123456789"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def token(fake_github):
    return fake_github.add_token(TOKEN, "write")


@pytest.fixture
def repo(fake_github):
    return fake_github.add_repo("octo-org/hello-world", private=True)


@pytest.fixture
def release(fake_github, repo):
    return fake_github.add_release(repo, "v1.0.0", name="One", body="First release.")


@pytest.fixture
def client(fake_github, repo, token, sleeps):
    return GitHubClient(fake_github.api_url, repo.full_name, token, sleep=sleeps.append)


@pytest.fixture
def downloads(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir(mode=0o700)
    return folder


def payload(size: int, seed: int = 7) -> bytes:
    return bytes((seed + i * 31) % 256 for i in range(size))


# -- releases and listing ------------------------------------------------------


def test_get_release_by_id(client, release):
    by_id = releases.get_release(client, release.id)
    assert by_id.id == release.id and by_id.tag_name == "v1.0.0"
    assert by_id.title == "One" and by_id.notes == "First release."


def test_requests_carry_githubs_api_headers(client, release, fake_github):
    releases.get_release(client, release.id)
    sent = fake_github.requests_to("api")[-1].headers
    assert sent["Accept"] == "application/vnd.github+json"
    assert sent["X-Github-Api-Version"] == "2022-11-28"
    assert sent["Authorization"] == f"Bearer {TOKEN}"
    assert sent["User-Agent"].startswith("zenodo-action/")


def test_missing_release_explains_private_repositories(client):
    with pytest.raises(GitHubError) as caught:
        releases.get_release(client, 999999)
    assert caught.value.status == 404
    hint = RUNNER.spell(caught.value.hint or "")
    assert "private repository needs a token in the `github-token` input" in hint
    assert "needs a token in GITHUB_TOKEN" in COMMAND_LINE.spell(caught.value.hint or "")


def test_private_repository_is_invisible_without_a_token(fake_github, repo, release):
    anonymous = GitHubClient(fake_github.api_url, repo.full_name, None)
    with pytest.raises(GitHubError, match="answered 404"):
        releases.get_release(anonymous, release.id)


def test_public_repository_works_without_a_token(fake_github, downloads):
    public = fake_github.add_repo("octo-org/open", private=False)
    release = fake_github.add_release(public, "v3")
    fake_github.add_asset(release, "data.csv", b"a,b\n1,2\n")
    anonymous = GitHubClient(fake_github.api_url, public.full_name, None)
    [asset] = releases.list_assets(anonymous, release.id)
    assert releases.download_asset(anonymous, asset, downloads).path.read_bytes() == b"a,b\n1,2\n"
    assert all("Authorization" not in r.headers for r in fake_github.requests)


def test_draft_release_needs_push_access(fake_github, repo):
    draft = fake_github.add_release(repo, "v2.0.0-draft", draft=True)
    fake_github.add_token("ghs_readonly_token_123", "read")
    reader = GitHubClient(fake_github.api_url, repo.full_name, "ghs_readonly_token_123")
    with pytest.raises(GitHubError, match="answered 404"):
        releases.get_release(reader, draft.id)
    writer = GitHubClient(fake_github.api_url, repo.full_name, TOKEN)
    fake_github.add_token(TOKEN)
    assert releases.get_release(writer, draft.id).draft is True


def test_assets_are_listed_across_pages(fake_github, client, release):
    fake_github.max_page_size = 2  # GitHub allows 100; force several pages
    names = [f"part-{i}.bin" for i in range(7)]
    for name in names:
        fake_github.add_asset(release, name, name.encode())
    assets = releases.list_assets(client, release.id)
    assert [a.name for a in assets] == names
    listed = fake_github.requests_to("api", "/assets")
    assert len(listed) == 4
    assert listed[0].query == {"per_page": "100"}
    # Later pages follow the Link header verbatim (GitHub's /repositories/{id} form).
    assert [r.query.get("page") for r in listed[1:]] == ["2", "3", "4"]
    assert all(r.path.startswith("/repositories/") for r in listed[1:])
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in listed)


def test_assets_still_uploading_are_listed_as_such(fake_github, client, release):
    fake_github.add_asset(release, "done.zip", b"ok")
    fake_github.add_asset(release, "stuck.zip", b"..", state="open")
    listed = releases.list_assets(client, release.id)
    assert [(a.name, a.uploaded) for a in listed] == [("done.zip", True), ("stuck.zip", False)]


def test_asset_fields_are_read(fake_github, client, release):
    fake_github.add_asset(release, "a.txt", b"hello", content_type="text/plain")
    [asset] = releases.list_assets(client, release.id)
    assert asset.size == 5
    assert asset.content_type == "text/plain"
    assert asset.digest == "sha256:" + hashlib.sha256(b"hello").hexdigest()
    assert asset.url.startswith(fake_github.api_url + "/repos/")


# -- the published-before-uploaded race (github-actions.md §3.3) ---------------


def test_an_asset_not_listed_yet_is_not_waited_for(fake_github, client, release):
    """Nothing tells an upload that has not started from an asset that never comes."""
    fake_github.add_asset(release, "late.whl", b"wheel", hidden_for_polls=2)
    waits = []
    assets = releases.wait_for_assets(
        client, release.id, timeout=60, poll_interval=5, sleep=waits.append
    )
    assert assets == [] and waits == []


def test_waits_while_an_asset_is_still_uploading(fake_github, client, release):
    fake_github.add_asset(release, "ready.txt", b"r")
    fake_github.add_asset(release, "big.tar", b"b" * 100, open_for_polls=3)
    waits = []
    assets = releases.wait_for_assets(
        client, release.id, timeout=60, poll_interval=2, sleep=waits.append
    )
    assert [a.name for a in assets] == ["ready.txt", "big.tar"]
    assert waits == [2, 2, 2]


def test_no_wait_without_assets(fake_github, client, release):
    waits = []
    assert releases.wait_for_assets(client, release.id, sleep=waits.append) == []
    assert waits == []


def test_waiting_is_bounded_and_an_asset_never_uploaded_stops_the_run(fake_github, client, release):
    fake_github.add_asset(release, "ok.txt", b"ok")
    fake_github.add_asset(release, "never.bin", b"n", state="open")
    waits = []
    with pytest.raises(AssetsNotReady) as caught:
        releases.wait_for_assets(
            client, release.id, timeout=25, poll_interval=10, sleep=waits.append
        )
    assert waits == [10, 10, 5]  # never more than the timeout in total
    assert caught.value.names == ("never.bin",)
    assert "still uploading after 25s: never.bin" in str(caught.value)
    assert "asset-wait" in (caught.value.hint or "")


def test_a_zero_timeout_never_waits(fake_github, client, release):
    fake_github.add_asset(release, "never.bin", b"n", state="open")
    waits = []
    with pytest.raises(AssetsNotReady, match=r"after 0s: never\.bin"):
        releases.wait_for_assets(client, release.id, timeout=0, sleep=waits.append)
    assert waits == []


# -- downloads ------------------------------------------------------------------


def test_download_follows_the_redirect_without_the_token(fake_github, client, release, downloads):
    content = payload(300_000)
    fake_github.add_asset(release, "model.bin", content)
    [asset] = releases.list_assets(client, release.id)
    path = releases.download_asset(client, asset, downloads).path
    assert path == downloads.resolve() / "model.bin"
    assert path.read_bytes() == content
    api_hop = fake_github.requests_to("api", "/releases/assets/")[-1]
    assert api_hop.headers["Accept"] == "application/octet-stream"
    assert api_hop.headers["Authorization"] == f"Bearer {TOKEN}"
    [storage_hop] = fake_github.requests_to("storage")
    assert "Authorization" not in storage_hop.headers
    assert "X-Github-Api-Version" not in storage_hop.headers  # GitHub's headers stay there
    assert storage_hop.query["X-Amz-Signature"]


def test_a_direct_200_download_also_works(fake_github, client, release, downloads):
    fake_github.direct_downloads = True
    fake_github.add_asset(release, "small.txt", b"tiny")
    [asset] = releases.list_assets(client, release.id)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == b"tiny"
    assert fake_github.requests_to("storage") == []


def test_a_broken_connection_restarts_the_download(fake_github, client, release, downloads):
    content = payload(200_000)
    fake_github.add_asset(release, "data.nc", content)
    [asset] = releases.list_assets(client, release.id)
    fake_github.break_next_downloads(1)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == content
    # Restarted from the API: a fresh pre-signed URL, since the old one may expire.
    assert len(fake_github.requests_to("api", "/releases/assets/")) == 2
    assert len(fake_github.requests_to("storage")) == 2
    assert [p.name for p in downloads.iterdir()] == ["data.nc"]


def test_an_expired_signature_restarts_from_the_api(fake_github, client, release, downloads):
    fake_github.add_asset(release, "x.bin", b"xyz")
    [asset] = releases.list_assets(client, release.id)
    fake_github.expire_next_signatures(1)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == b"xyz"
    assert len(fake_github.requests_to("api", "/releases/assets/")) == 2


@pytest.mark.parametrize(
    ("served", "served_type", "message"),
    [
        (b"z" * 64, None, "sha256 differs from the digest"),
        (b"short", None, "received 5 bytes, GitHub lists 64"),
        (b"y" * 200, None, "more than the 64 bytes listed"),
        (b"<html><body>Unicorn!</body></html>", "text/html", "HTML page instead"),
    ],
)
def test_a_wrong_download_is_rejected_and_removed(
    fake_github, client, release, downloads, served, served_type, message
):
    fake_github.add_asset(release, "a.bin", b"a" * 64, served=served, served_type=served_type)
    [asset] = releases.list_assets(client, release.id)
    with pytest.raises(GitHubError, match=message) as caught:
        releases.download_asset(client, asset, downloads)
    assert "release asset a.bin" in str(caught.value)
    assert list(downloads.iterdir()) == []
    assert len(fake_github.requests_to("storage")) == 3  # retried, in case it was passing


def test_an_html_asset_may_be_html(fake_github, client, release, downloads):
    page = b"<html>docs</html>"
    fake_github.add_asset(
        release, "index.html", page, content_type="text/html", served_type="text/html"
    )
    [asset] = releases.list_assets(client, release.id)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == page


def test_transient_api_errors_are_retried(fake_github, client, release, downloads, sleeps):
    fake_github.add_asset(release, "f.txt", b"f")
    fake_github.fail_next(502, path="/assets$")
    fake_github.fail_next(500, path="/releases/assets/")
    [asset] = releases.list_assets(client, release.id)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == b"f"
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "name", ["../escape.txt", "/etc/passwd", "..", ".", "dir/file", "a\\b", "nul\x00byte", ""]
)
def test_asset_names_cannot_leave_the_download_folder(client, fake_github, downloads, name):
    asset = Asset(
        id=1,
        name=name,
        url=f"{fake_github.api_url}/repos/octo-org/hello-world/releases/assets/1",
        size=1,
        state="uploaded",
    )
    before = sorted(p.name for p in downloads.parent.iterdir())
    with pytest.raises(ActionError, match="refusing to download release asset"):
        releases.download_asset(client, asset, downloads)
    assert sorted(p.name for p in downloads.parent.iterdir()) == before
    assert list(downloads.iterdir()) == []
    assert fake_github.requests == []  # refused before asking anyone


def test_odd_but_safe_names_are_downloaded(fake_github, client, release, downloads):
    names = ["v1..2.tar.gz", "Ünïcode name (1).zip", "..hidden"]
    for name in names:
        fake_github.add_asset(release, name, name.encode())
    for asset in releases.list_assets(client, release.id):
        assert (
            releases.download_asset(client, asset, downloads).path.read_bytes()
            == asset.name.encode()
        )
    assert sorted(p.name for p in downloads.iterdir()) == sorted(names)


def test_downloads_never_go_to_the_workspace(fake_github, repo, token, tmp_path):
    workspace = tmp_path / "workspace"
    (workspace / "sub").mkdir(parents=True)
    client = GitHubClient(fake_github.api_url, repo.full_name, token, workspace=workspace)
    asset = Asset(id=1, name="a", url=fake_github.api_url + "/x", size=1, state="uploaded")
    with pytest.raises(ActionError, match="into the workspace"):
        releases.download_asset(client, asset, workspace / "sub")


def test_a_second_file_of_the_same_name_is_refused(fake_github, client, release, downloads):
    fake_github.add_asset(release, "hello-world-v1.0.0.zip", b"PK fake")
    [asset] = releases.list_assets(client, release.id)
    releases.download_asset(client, asset, downloads)
    with pytest.raises(ActionError, match="already there"):
        releases.download_source_archive(client, "v1.0.0", "zip", downloads)


def test_private_download_folder_is_private():
    folder = make_download_dir()
    try:
        assert folder.stat().st_mode & 0o777 == 0o700
    finally:
        folder.rmdir()


def test_a_redirect_to_plain_http_elsewhere_is_refused(fake_github, client, release, downloads):
    fake_github.add_asset(release, "f.txt", b"f")
    [asset] = releases.list_assets(client, release.id)
    fake_github.fail_next(302, path="/releases/assets/", headers={"Location": "http://evil.test/f"})
    with pytest.raises(
        GitHubError, match=r"refusing to send GET to http://evil\.test/f: it is plain"
    ):
        releases.download_asset(client, asset, downloads)
    assert list(downloads.iterdir()) == []


# -- source archives ------------------------------------------------------------


def test_zip_source_archive(fake_github, client, release, downloads):
    path = releases.download_source_archive(client, "v1.0.0", "zip", downloads)[0].path
    assert path.name == "hello-world-v1.0.0.zip"
    with zipfile.ZipFile(path) as archive:
        [member] = archive.namelist()
    assert member.startswith("octo-org-hello-world-") and member.endswith("/README.md")
    api_hop = fake_github.requests_to("api", "/zipball/")[0]
    assert api_hop.headers["Authorization"] == f"Bearer {TOKEN}"
    assert all("Authorization" not in r.headers for r in fake_github.requests_to("storage"))


def test_tar_gz_source_archive(fake_github, client, release, downloads):
    path = releases.download_source_archive(client, "v1.0.0", "tar.gz", downloads)[0].path
    assert path.name == "hello-world-v1.0.0.tar.gz"
    with tarfile.open(path) as archive:
        assert archive.getnames()[0].endswith("/README.md")


def test_tag_with_a_slash_gives_a_flat_name(fake_github, client, repo, downloads):
    fake_github.add_release(repo, "release/2.0")
    path = releases.download_source_archive(client, "release/2.0", "zip", downloads)[0].path
    assert path.name == "hello-world-release-2.0.zip"
    assert path.parent == downloads.resolve()
    assert fake_github.requests_to("api", "/zipball/")[0].path.endswith("/zipball/release/2.0")


def test_archive_name_can_be_chosen(client, release, downloads):
    path = releases.download_source_archive(client, "v1.0.0", "zip", downloads, name="source.zip")[
        0
    ].path
    assert path.name == "source.zip"
    with pytest.raises(ActionError, match="contains '/'"):
        releases.download_source_archive(client, "v1.0.0", "zip", downloads, name="../source.zip")


def test_archive_of_an_unknown_tag_is_a_clear_error(client, release, downloads):
    with pytest.raises(GitHubError, match=r"zip source archive of tag v9.*answered 404"):
        releases.download_source_archive(client, "v9", "zip", downloads)


def test_archive_name_matches_the_webhook_without_the_owner():
    assert archive_name("octo-org/hello-world", "v1.2", "zip") == "hello-world-v1.2.zip"
    assert archive_name("o/r", "a\\b/c", "tar.gz") == "r-a-b-c.tar.gz"


# -- rate limits (github-actions.md §4.3) ----------------------------------------


def test_secondary_rate_limit_waits_as_told(fake_github, client, release, sleeps):
    fake_github.rate_limit_next(status=429, retry_after=7)
    assert releases.get_release(client, release.id).tag_name == "v1.0.0"
    assert sleeps == [7.0]


def test_exhausted_primary_rate_limit_is_reported_as_such(fake_github, repo, token, release):
    quick = RetryPolicy(max_attempts=2, max_delay=0.0)
    client = GitHubClient(
        fake_github.api_url, repo.full_name, token, policy=quick, sleep=lambda _: None
    )
    fake_github.rate_limit_next(times=5, status=403)
    with pytest.raises(GitHubError) as caught:
        releases.get_release(client, release.id)
    assert "rate limit is exhausted" in str(caught.value)
    assert "1,000 requests an hour" in caught.value.hint


# -- tokens never leak ----------------------------------------------------------


def test_bad_token_error_leaks_nothing(fake_github, repo, release, capfd, caplog):
    fake_github.echo_credentials = True  # the error body repeats the Authorization header
    wrong = "ghp_WrongTokenThatMustNotLeak12345"
    client = GitHubClient(fake_github.api_url, repo.full_name, wrong, sleep=lambda _: None)
    with caplog.at_level(logging.DEBUG), pytest.raises(GitHubError) as caught:
        releases.get_release(client, release.id)
    error = caught.value
    assert error.status == 401
    assert "not a valid token" in error.hint
    out, err = capfd.readouterr()
    for text in (str(error), repr(error.args), out, err, caplog.text):
        assert wrong not in text


def test_storage_error_reporting_leaks_no_signed_url(fake_github, client, release, downloads):
    fake_github.add_asset(release, "f.txt", b"f")
    [asset] = releases.list_assets(client, release.id)
    fake_github.expire_next_signatures(3)
    with pytest.raises(GitHubError) as caught:
        releases.download_asset(client, asset, downloads)
    signatures = [r.query["X-Amz-Signature"] for r in fake_github.requests_to("storage")]
    assert len(signatures) == 3
    assert "storage host answered 403" in str(caught.value)
    assert not any(signature in str(caught.value) for signature in signatures)


def test_no_failure_path_leaks_the_token(fake_github, repo, release, downloads, capfd, caplog):
    """Every call, failing in its own way, with servers that echo the token back."""
    fake_github.add_token(TOKEN, "read")  # read-only: the PATCH is refused too
    fake_github.echo_credentials = True
    fake_github.markdown_status = 500
    fake_github.add_asset(release, "f.txt", b"f")
    quick = RetryPolicy(max_attempts=2)
    client = GitHubClient(
        fake_github.api_url, repo.full_name, TOKEN, policy=quick, sleep=lambda _: None
    )
    [asset] = releases.list_assets(client, release.id)
    fake_github.expire_next_signatures(5)
    echo = {"message": f"denied for Authorization: Bearer {TOKEN}"}
    failures = []
    with caplog.at_level(logging.DEBUG):
        for call in (
            lambda: releases.download_asset(client, asset, downloads),
            lambda: releases.get_release(client, 424242),
            lambda: (
                fake_github.fail_next(500, times=2, body=echo) or releases.list_assets(client, 1)
            ),
            lambda: (
                fake_github.fail_next(409, body=echo) or releases.get_release(client, release.id)
            ),
        ):
            with pytest.raises(ActionError) as caught:
                call()
            failures.append(caught.value)
        outcome = releases.append_to_release_notes(client, release.id, "m", "badge m")
        rendered = releases.render_markdown(client, "notes")
    assert outcome == "no-permission"
    assert rendered == "<p>notes</p>"
    assert str(failures[-1]).endswith("Bearer ***")  # the echoed token, masked
    out, err = capfd.readouterr()
    texts = [out, err, caplog.text] + [f"{e}\n{e.hint}\n{e.args}" for e in failures]
    assert not [text for text in texts if TOKEN in text]


def test_netrc_credentials_never_reach_the_storage_host(
    fake_github, client, release, downloads, tmp_path, monkeypatch
):
    # requests adds ~/.netrc logins on its own; a runner's HOME may hold one.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.2 login someone password hunter2secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    fake_github.add_asset(release, "f.txt", b"content")
    [asset] = releases.list_assets(client, release.id)
    assert releases.download_asset(client, asset, downloads).path.read_bytes() == b"content"
    assert all("Authorization" not in r.headers for r in fake_github.requests_to("storage"))


def test_an_asset_url_with_two_readings_is_refused_before_any_request(
    fake_github, client, release, downloads
):
    """Issue 12 item 1: `http://OTHER\\@GITHUB/...` passes a urlsplit origin check as GitHub's
    host while urllib3 sends it, with the token, to OTHER."""
    fake_github.add_asset(release, "f.txt", b"f")
    [asset] = releases.list_assets(client, release.id)
    api = urlsplit(fake_github.api_url)
    hostile = replace(asset, url=f"http://127.0.0.2:9\\@{api.netloc}{urlsplit(asset.url).path}")
    with pytest.raises(GitHubError, match=r"could not download release asset f\.txt: refusing"):
        releases.download_asset(client, hostile, downloads)
    assert list(downloads.iterdir()) == []


POINTER = (
    b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"4d" * 32 + b"\nsize 12345\n"
)


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_the_source_archive_is_scanned_for_lfs_pointers(client, repo, release, downloads, fmt):
    repo.files["data/table.csv"] = POINTER
    repo.files["data/notes.md"] = b"version https://git-lfs.github.com/spec/v1 is a URL\n"
    file, pointers = releases.download_source_archive(
        client, "v1.0.0", fmt, downloads, scan=partial(archive_scan.scanner, fmt)
    )
    assert file.path.is_file()
    assert len(pointers) == 1 and pointers[0].endswith("/data/table.csv")


def test_a_source_archive_that_cannot_be_read_is_downloaded_again(
    fake_github, client, release, downloads
):
    feeds, closed = [], []

    class Broken:
        def feed(self, chunk):
            feeds.append(len(chunk))

        def finish(self, path):
            raise archive_scan.ArchiveError("the gzip stream ends early (truncated)")

        def close(self):
            closed.append(True)

    with pytest.raises(GitHubError, match="cannot be read: the gzip stream ends early"):
        releases.download_source_archive(client, "v1.0.0", "tar.gz", downloads, scan=Broken)
    assert len(fake_github.requests_to("api", "/tarball/")) == 3  # RetryPolicy.transfer_attempts
    assert closed == [True] * 3  # one scanner per attempt, each closed
    assert not list(downloads.iterdir())  # nothing half-written is left


def test_a_connection_broken_during_the_scan_restarts_and_leaves_no_thread(
    fake_github, client, repo, release, downloads
):
    repo.files["data/table.csv"] = POINTER
    repo.files["data/big.bin"] = payload(3_000_000)  # several chunks, inflated in the scan thread
    before = threading.active_count()
    fake_github.break_next_downloads(1)
    file, pointers = releases.download_source_archive(
        client, "v1.0.0", "tar.gz", downloads, scan=partial(archive_scan.scanner, "tar.gz")
    )
    assert len(fake_github.requests_to("api", "/tarball/")) == 2
    assert len(pointers) == 1 and pointers[0].endswith("/data/table.csv")
    with tarfile.open(file.path) as archive:
        assert any(name.endswith("/data/big.bin") for name in archive.getnames())
    assert threading.active_count() == before

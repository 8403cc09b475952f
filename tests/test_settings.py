"""Settings: its two front doors (the command line, the runner), and parsing what a user
types as concept, Zenodo URL and publication date."""

import pytest

from zenodo_action import naming
from zenodo_action.cli import build_parser
from zenodo_action.errors import UsageError
from zenodo_action.naming import COMMAND_LINE
from zenodo_action.settings import (
    SANDBOX_URL,
    ZENODO_URL,
    Settings,
    api_choice,
    concept_ref,
    publication_date,
    zenodo_url,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("123", 123),
        (" 123 ", 123),
        ("10.5281/zenodo.123", 123),
        ("doi:10.5281/zenodo.123", 123),
        ("https://doi.org/10.5281/zenodo.123", 123),
        ("http://dx.doi.org/10.5281/zenodo.123", 123),
        ("https://doi.org/10.5281%2Fzenodo.123", 123),
        ("https://zenodo.org/records/456", 456),
        ("https://zenodo.org/record/456", 456),
        ("https://zenodo.org/records/456/files/x.zip?download=1", 456),
        ("https://zenodo.org/uploads/456", 456),
        ("https://zenodo.org/deposit/456", 456),
        ("https://zenodo.org/api/records/456", 456),
    ],
)
def test_concept_forms(given, expected):
    assert concept_ref(given, ZENODO_URL).id == expected


def test_no_concept_means_a_new_one():
    assert concept_ref(None, ZENODO_URL) is None
    assert concept_ref("  ", ZENODO_URL) is None


@pytest.mark.parametrize(
    ("given", "base", "message"),
    [
        ("10.5072/zenodo.5", ZENODO_URL, "belong to sandbox.zenodo.org"),
        ("10.5281/zenodo.5", SANDBOX_URL, "belong to zenodo.org"),
        ("https://sandbox.zenodo.org/records/5", ZENODO_URL, "points at sandbox.zenodo.org"),
        ("10.1234/abc", ZENODO_URL, "has DOI prefix 10.1234, but https://zenodo.org mints"),
        ("10.5281/abcde-12345", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("abcde-12345", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("https://zenodo.org/records/12abc", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("zenodo", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("https://example.org/foo/5", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("-5", ZENODO_URL, "is not a Zenodo concept DOI"),
    ],
)
def test_bad_concepts_are_usage_errors(given, base, message):
    with pytest.raises(UsageError, match=message) as raised:
        concept_ref(given, base)
    assert raised.value.exit_code == 2


def test_custom_instance_accepts_its_own_records():
    assert concept_ref("https://rdm.example.org/records/9", "https://rdm.example.org").id == 9


RDM = "https://data.example.edu"


@pytest.mark.parametrize(
    ("given", "expected_id", "expected_doi"),
    [
        # InvenioRDM's ids are base32 groups: the whole segment, never a leading number
        (f"{RDM}/records/8x4k2-abcde", "8x4k2-abcde", None),
        (f"{RDM}/records/8X4K2-ABCDE/", "8x4k2-abcde", None),
        (f"{RDM}/records/12abc", "12abc", None),
        (f"{RDM}/records/8x4k2-abcde/files/a.zip?download=1", "8x4k2-abcde", None),
        (f"{RDM}/uploads/8x4k2-abcde", "8x4k2-abcde", None),
        (f"{RDM}/api/records/8x4k2-abcde/versions/latest", "8x4k2-abcde", None),
        ("8x4k2-abcde", "8x4k2-abcde", None),
        ("123", 123, None),
        # a DOI that does not name its record is looked up on the instance
        ("10.22002/8x4k2-abcde", None, "10.22002/8x4k2-abcde"),
        ("https://doi.org/10.71775/kth.x1y2z-34567", None, "10.71775/kth.x1y2z-34567"),
        # Zenodo's DOIs name their record on any instance (Zenodo's records API included)
        ("10.5281/zenodo.77", 77, "10.5281/zenodo.77"),
    ],
)
def test_invenio_concept_forms(given, expected_id, expected_doi):
    ref = concept_ref(given, RDM)
    assert (ref.id, ref.doi) == (expected_id, expected_doi)


@pytest.mark.parametrize(
    "given",
    [
        "https://data.example.edu/records/8x4k2_abcde",
        "https://data.example.edu/records/-abc",
        "https://data.example.edu/collections/8x4k2-abcde",
        "v1.2.3",
        "8x4k2-abcde/x",
    ],
)
def test_bad_invenio_concepts_are_usage_errors(given):
    with pytest.raises(UsageError, match=r"is not a DOI .*, a record id"):
        concept_ref(given, RDM)


def test_the_deposit_api_needs_zenodo_forms_on_any_host():
    with pytest.raises(UsageError, match="is not a Zenodo concept DOI"):
        concept_ref("10.22002/8x4k2-abcde", RDM, "deposit")
    with pytest.raises(UsageError, match="is not a Zenodo concept DOI"):
        concept_ref("8x4k2-abcde", RDM, "deposit")
    assert concept_ref("10.5281/zenodo.77", RDM, "deposit").id == 77


def test_another_instances_record_url_is_refused():
    with pytest.raises(UsageError, match=r"points at other\.example\.org"):
        concept_ref("https://other.example.org/records/8x4k2-abcde", RDM)


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, "auto"), ("", "auto"), ("records", "records"), (" Deposit ", "deposit")],
)
def test_api_choice(given, expected):
    assert api_choice(given, "--api") == expected


def test_an_unknown_api_is_a_usage_error():
    with pytest.raises(UsageError, match="input 'api' must be one of auto, deposit, records"):
        api_choice("rest", "input 'api'")


@pytest.mark.parametrize(
    ("given", "sandbox", "expected"),
    [
        (None, False, "https://zenodo.org"),
        (None, True, "https://sandbox.zenodo.org"),
        ("https://zenodo.org/", False, "https://zenodo.org"),
        ("https://rdm.example.org/prefix/", False, "https://rdm.example.org/prefix"),
        ("http://127.0.0.1:8080", False, "http://127.0.0.1:8080"),
        ("http://localhost:5000", False, "http://localhost:5000"),
        ("http://[::1]:5000", False, "http://[::1]:5000"),
    ],
)
def test_zenodo_urls(given, sandbox, expected):
    assert zenodo_url(given, sandbox=sandbox) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("http://zenodo.org", "plain http"),
        ("http://10.0.0.5", "plain http"),
        ("ftp://zenodo.org", "not an http"),
        ("zenodo.org", "not an http"),
        ("https://user:pw@zenodo.org", "without credentials"),
        ("https://zenodo.org/?access_token=x", "without credentials"),
    ],
)
def test_bad_zenodo_urls(given, message):
    with pytest.raises(UsageError, match=message):
        zenodo_url(given)


def test_sandbox_and_url_together_are_refused():
    with pytest.raises(UsageError) as raised:
        zenodo_url("https://zenodo.org", sandbox=True)
    assert "either --sandbox or --zenodo-url" in COMMAND_LINE.spell(str(raised.value))
    said = naming.RUNNER.spell(str(raised.value))
    assert "either `sandbox: true` or the `zenodo-url` input" in said


def test_publication_dates():
    assert publication_date("2024-05-31") == "2024-05-31"
    assert publication_date("") is None
    with pytest.raises(UsageError, match="not a date like"):
        publication_date("2024-05-31T10:00:00")
    with pytest.raises(UsageError, match="not a date like"):
        publication_date("31.05.2024")


# --- the two front doors ------------------------------------------------------------------

RUNNER = {
    "GITHUB_EVENT_NAME": "workflow_dispatch",
    "GITHUB_REPOSITORY": "octo-org/frobnicator",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_API_URL": "https://api.github.com",
    "GITHUB_REF": "refs/tags/v2.0",
}


def runner(tmp_path, **inputs: str) -> dict[str, str]:
    """The runner's variables: inputs keep their hyphens, unset inputs are empty strings."""
    env = {**RUNNER, "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out")}
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    return env


def test_the_runner_front_door_parses_every_input(tmp_path):
    settings = Settings.from_runner(
        runner(
            tmp_path,
            token="zenodo-token",
            concept="10.5072/zenodo.77",
            sandbox="true",
            publish="false",
            **{"dry-run": "true", "source-archive": "none", "release-notes-badge": "false"},
            **{"upload-workers": "8", "asset-wait": "30"},
            files="dist/*\n# a comment\ndata/*.csv",
            config=".zenodo.yml",
        )
    )
    assert settings.mode == "publish" and settings.root == tmp_path
    assert settings.metadata_files.zenodo is None  # the default reads every file present
    assert settings.files == ("dist/*", "data/*.csv")
    assert settings.release.source_archive is None and not settings.release.notes_badge
    assert settings.release.asset_wait == 30.0
    assert settings.runner.output == str(tmp_path / "out") and settings.runner.summary is None
    publish = settings.publish
    assert publish is not None and publish.zenodo_url == SANDBOX_URL
    assert publish.concept is not None and publish.concept.id == 77
    assert publish.version == "v2.0"  # the pushed tag, as no version input was given
    assert publish.draft and publish.dry_run and publish.upload_workers == 8
    assert "zenodo-token" not in repr(settings)


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        ({"mode": "check"}, "input 'mode'"),
        ({"publish": "yes"}, "input 'publish'"),
        ({"dry-run": "maybe"}, "input 'dry-run'"),
        ({"sandbox": "1"}, "input 'sandbox'"),
        ({"release-assets": "no"}, "input 'release-assets'"),
        ({"release-notes-badge": "on"}, "input 'release-notes-badge'"),
        ({"source-archive": "7z"}, "input 'source-archive'"),
        ({"upload-workers": "0"}, "input 'upload-workers' must be a whole number from 1 to 16"),
        ({"upload-workers": "4.5"}, "input 'upload-workers'"),
        ({"asset-wait": "-1"}, "input 'asset-wait'"),
        ({"zenodo-url": "http://zenodo.org"}, "zenodo-url"),
        ({"zenodo-url": "https://zenodo.org", "sandbox": "true"}, "`sandbox: true`"),
        ({"concept": "zenodo"}, "the `concept` input 'zenodo'"),
        ({"api": "rest"}, "input 'api'"),
        ({"api": "deposit", "zenodo-url": "https://rdm.example.org", "concept": "ab-12"}, "ab-12"),
    ],
)
@pytest.mark.parametrize("mode", ["validate", "publish"])
def test_a_bad_input_fails_at_the_front_door_with_its_name(tmp_path, inputs, named, mode):
    """Whatever the mode: a typo in an input another event would use fails on every run."""
    env = runner(tmp_path, token="zenodo-token", mode=mode)
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    with pytest.raises(UsageError) as raised:
        Settings.from_runner(env)
    said = naming.RUNNER.spell(str(raised.value))
    assert named in said and raised.value.exit_code == 2
    assert "--" not in said  # the runner's user set inputs, not flags


@pytest.mark.parametrize("tag", [".", "..", "v1/..", "../releases", "./v1"])
def test_a_release_tag_of_dots_is_refused_as_a_tag_at_both_front_doors(tmp_path, tag):
    env = runner(tmp_path, token="zenodo-token", **{"release-tag": tag})
    with pytest.raises(UsageError, match=r"input 'release-tag' .* is not a tag name"):
        Settings.from_runner(env)
    args = build_parser().parse_args(
        ["publish", "--release-tag", tag, "--repository", "octo-org/frobnicator"]
    )
    with pytest.raises(UsageError, match=r"--release-tag .* is not a tag name"):
        Settings.from_args(args, {"ZENODO_TOKEN": "zenodo-token"})


def test_validate_mode_needs_no_token_and_no_run_context(tmp_path):
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_WORKSPACE": str(tmp_path)}
    settings = Settings.from_runner(env)
    assert settings.mode == "validate" and settings.publish is None and settings.context is None


def test_publish_mode_without_a_token_names_the_input(tmp_path):
    with pytest.raises(UsageError, match="input 'token' is empty") as raised:
        Settings.from_runner(runner(tmp_path))
    assert "secrets.ZENODO_TOKEN" in raised.value.hint


def test_the_underscore_spelling_of_an_input_works_too(tmp_path):
    env = runner(tmp_path, token="zenodo-token")
    env["INPUT_DRY_RUN"] = "true"
    assert Settings.from_runner(env).publish.dry_run


def test_the_command_line_front_door_builds_the_same_publish_settings(tmp_path):
    from zenodo_action.cli import build_parser

    flags = "publish --files dist/* --sandbox --concept 10.5072/zenodo.77 --version v2.0"
    args = build_parser().parse_args(
        [*flags.split(), "--draft", "--dry-run", "--json", "--upload-workers", "2"]
    )
    from_cli = Settings.from_args(args, {"ZENODO_TOKEN": "zenodo-token"})
    env = runner(tmp_path, token="zenodo-token", sandbox="true", concept="10.5072/zenodo.77")
    env.update({"INPUT_PUBLISH": "false", "INPUT_DRY-RUN": "true", "INPUT_VERSION": "v2.0"})
    env["INPUT_UPLOAD-WORKERS"] = "2"
    assert from_cli.publish == Settings.from_runner(env).publish
    assert from_cli.files == ("dist/*",) and from_cli.output_format == "json"


def test_the_command_line_reads_the_token_only_from_its_variable():
    from zenodo_action.cli import build_parser

    args = build_parser().parse_args(["publish", "--files", "x"])
    with pytest.raises(UsageError, match="ZENODO_TOKEN"):
        Settings.from_args(args, {"INPUT_TOKEN": "zenodo-token"})


def test_both_front_doors_read_the_api_and_an_invenio_concept(tmp_path):
    from zenodo_action.cli import build_parser

    flags = ["publish", "--files", "x", "--zenodo-url", RDM, "--api", "records"]
    args = build_parser().parse_args([*flags, "--concept", f"{RDM}/records/8x4k2-abcde"])
    from_cli = Settings.from_args(args, {"ZENODO_TOKEN": "rdm-token"}).publish
    env = runner(tmp_path, token="rdm-token", api="records", concept="8x4k2-abcde")
    env["INPUT_ZENODO-URL"] = RDM
    from_runner = Settings.from_runner(env).publish
    assert from_cli.api == from_runner.api == "records"
    assert from_cli.concept.id == from_runner.concept.id == "8x4k2-abcde"

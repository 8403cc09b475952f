"""The metadata side's front (metadata/checked.py): one call reads and checks the files for a
run, and the record it returns answers what validate, convert and publish ask of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.test_metadata_record import CFF as CITATION
from zenodo_action import metadata
from zenodo_action.errors import UsageError
from zenodo_action.metadata import Context, MetadataPaths

CFF = CITATION + "date-released: 2024-05-01\n"
TODAY = date(2025, 6, 1)


def read(root: Path, context: Context, **options) -> metadata.CheckedRecord:
    return metadata.read(MetadataPaths(), root, context, **options)


def codes(record: metadata.CheckedRecord) -> set[tuple[str, str, str, int | None]]:
    return {
        (path.name, p.severity, p.code, p.line)
        for path, problems in record.problems.items()
        for p in problems
    }


class Release:
    """A release as `read` asks it: which fields were asked for, and its answer."""

    def __init__(self, **fields) -> None:
        self.fields_given = fields
        self.asked: list[frozenset[str]] = []

    def __call__(self, missing: frozenset[str]) -> dict:
        self.asked.append(missing)
        return {key: value for key, value in self.fields_given.items() if key in missing}


# --- problems, counts, the strict view --------------------------------------------------


def test_problems_come_per_file_with_their_count(tmp_path):
    (tmp_path / ".zenodo.yml").write_text("title: Tides\nupload_type: sofware\n")
    record = read(tmp_path, Context("gate", today=TODAY))
    assert record.invalid and record.errors == 1
    assert record.files_with_errors == [tmp_path / ".zenodo.yml"]
    [error] = [p for p in record.problems[tmp_path / ".zenodo.yml"] if p.severity == "error"]
    assert (error.path, error.line) == ("upload_type", 2)


def test_strict_turns_the_warnings_into_errors_and_leaves_the_notices(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF.replace("license: MIT\n", ""))
    lenient = read(tmp_path, Context("gate", today=TODAY))
    strict = read(tmp_path, Context("gate", strict=True, today=TODAY))
    warnings = {c for c in codes(lenient) if c[1] == "warning"}
    assert warnings and not lenient.invalid
    assert strict.errors == len(warnings) + lenient.errors
    notices = {c for c in codes(lenient) if c[1] == "notice"}
    assert notices == {c for c in codes(strict) if c[1] == "notice"}


def test_no_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no metadata"):
        read(tmp_path, Context("gate"))


# --- a release fills what no file sets -----------------------------------------------------


def test_the_release_is_asked_only_for_what_no_file_sets(tmp_path):
    (tmp_path / ".zenodo.yml").write_text("title: Tides\n")
    release = Release(title="o/r: v1", upload_type="software", license="MIT")
    record = read(tmp_path, Context("release", "o/r"), fill=release)
    asked = frozenset({"upload_type", "creators", "license", "description"})
    assert release.asked == [asked]
    assert record.data["title"] == "Tides"  # the file's
    assert record.data["upload_type"] == "software" and record.data["license"] == "MIT"
    assert record.origins()["upload_type"] == "the release"
    assert record.origins()["title"] == ".zenodo.yml"


def test_a_broken_file_costs_the_release_no_question(tmp_path):
    (tmp_path / ".zenodo.yml").write_text("title: Tides\nupload_type: sofware\n")
    release = Release(description="<p>notes</p>")
    record = read(tmp_path, Context("release", "o/r"), fill=release)
    assert release.asked == [] and record.invalid


def test_a_release_run_with_a_complete_file_asks_nothing(tmp_path):
    (tmp_path / ".zenodo.yml").write_text(
        "title: T\nupload_type: software\ncreators: [{name: 'Doe, Jane'}]\n"
        "license: MIT\ndescription: D\n"
    )
    release = Release()
    read(tmp_path, Context("release"), fill=release)
    assert release.asked == []


def test_what_a_release_fills_is_described_for_the_fields_no_file_sets(tmp_path):
    (tmp_path / ".zenodo.yml").write_text("description: D\n")
    record = read(tmp_path, Context("gate", "octo/tides"))
    fills = record.release_fills()
    assert set(fills) == {"title", "upload_type", "creators"}
    assert "'octo/tides: <release name or tag>'" in fills["title"]


# --- the stale CITATION.cff, by the one leading-"v" rule ------------------------------------


@pytest.mark.parametrize("tag", ["1.0.0", "v1.0.0", "V1.0.0"])
def test_a_citation_whose_version_is_the_tags_but_for_a_v_is_not_stale(tmp_path, tag):
    (tmp_path / "CITATION.cff").write_text(CFF)
    context = Context("release", version=tag, publication_date="2024-05-01")
    assert not {c for c in codes(read(tmp_path, context)) if c[2] == "stale-citation"}


def test_a_stale_citation_is_warned_about_on_the_lines_of_its_own_keys(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF)
    context = Context("release", version="v1.1.0", publication_date="2024-06-01")
    record = read(tmp_path, context)
    stale = [p for p in record.problems[tmp_path / "CITATION.cff"] if p.code == "stale-citation"]
    assert [(p.severity, p.path, p.line) for p in stale] == [
        ("warning", "version", 8),
        ("warning", "date-released", 10),
    ]
    assert "get the stale date-released: update it" in stale[1].message


def test_a_stale_citation_the_write_back_updates_is_a_notice(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF)
    rewritten = frozenset({(tmp_path / "CITATION.cff").absolute()})
    context = Context("release", version="2.0", rewritten=rewritten)
    [stale] = [
        p
        for p in read(tmp_path, context).problems[tmp_path / "CITATION.cff"]
        if p.code == "stale-citation"
    ]
    assert stale.severity == "notice" and "(Zenodo gets that)" in stale.message


def test_only_a_release_checks_for_a_stale_citation(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF)
    for kind in ("gate", "dataset"):
        record = read(tmp_path, Context(kind, version="9.9"))
        assert not {c for c in codes(record) if c[2] == "stale-citation"}


# --- what publish asks: the metadata to send, origins, where to annotate --------------------


def test_the_metadata_to_send_has_the_runs_version_and_says_where_each_field_came_from(
    tmp_path,
):
    (tmp_path / "CITATION.cff").write_text(CFF)
    (tmp_path / ".zenodo.yml").write_text("upload_type: software\n")
    record = read(tmp_path, Context("dataset", version="2.0"))
    link = {"identifier": "https://example.org/x", "relation": "isSupplementTo"}
    sent = record.zenodo_metadata([link])
    assert sent["version"] == "2.0" and sent["publication_date"] == "2024-05-01"
    assert link in sent["related_identifiers"]
    origins = record.origins(sent)
    assert origins["version"] == "the run"  # given by the run, over the file's
    assert origins["title"] == "CITATION.cff"
    assert origins["upload_type"] == ".zenodo.yml"
    assert origins["related_identifiers"] == "the run"  # added by it
    assert list(origins) == list(sent)


def test_a_field_the_server_refuses_is_located_in_the_file_that_holds_it(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF)
    (tmp_path / ".zenodo.yml").write_text("upload_type: software\n")
    record = read(tmp_path, Context("dataset"))
    cff = str(tmp_path / "CITATION.cff")
    assert record.locate("metadata.creators.0.name") == (cff, 5, 19)
    assert record.locate("metadata.resource_type") == (str(tmp_path / ".zenodo.yml"), 1, 14)
    assert record.locate("files.enabled") == (None, None, None)  # the whole record

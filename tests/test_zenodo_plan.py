"""The planner (zenodo/plan.py) on snapshots built in memory: every decision, no server."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import deposition, local, remote
from zenodo_action.errors import ActionError
from zenodo_action.naming import COMMAND_LINE, RUNNER
from zenodo_action.zenodo.api import ConceptRef
from zenodo_action.zenodo.plan import (
    TAKEOVER_AFTER,
    UNCLAIMED_TAKEOVER_AFTER,
    PublishRequest,
    Snapshot,
    decide,
    diff_files,
    judge_draft,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
CONCEPT = ConceptRef(10, "10.5281/zenodo.10")
V1 = deposition(id=11, metadata={"version": "1.0", "title": "Tool"})
V2 = deposition(id=12, metadata={"version": "1.1", "title": "Tool"})  # a.zip, md5 abc


def request(version: str | None = "2.0", files=(("a.zip", "new"),), **extra) -> PublishRequest:
    metadata = {"title": "Tool", **({"version": version} if version else {})}
    return PublishRequest(
        metadata=metadata,
        files=tuple(local(name, md5, 2000) for name, md5 in files),
        concept=extra.pop("concept", CONCEPT),
        **extra,
    )


def draft(version: str | None, idle: float | None, **fields) -> dict:
    modified = None if idle is None else (NOW - dt.timedelta(seconds=idle)).isoformat()
    return deposition(
        id=fields.pop("id", 13),
        state="unsubmitted",
        submitted=False,
        doi=None,
        metadata={"title": "Tool", **({"version": version} if version else {})},
        modified=modified,
        **fields,
    )


def snapshot(*depositions, latest=V2) -> Snapshot:
    return Snapshot(10, (V1, V2, *depositions), latest)


# --- decide -------------------------------------------------------------------------------


def test_a_published_version_of_the_same_string_makes_nothing_to_do():
    plan = decide(snapshot(), request("1.0"))
    assert plan.action == "unchanged" and plan.match == V1
    assert plan.reason == "version 1.0 is already published as 10.5281/zenodo.12"


def test_the_latest_from_the_database_counts_even_when_the_index_lags():
    newest = deposition(id=14, metadata={"version": "1.2", "title": "Tool"})
    plan = decide(Snapshot(10, (V1, V2), newest), request("1.2"))
    assert plan.action == "unchanged" and plan.match == newest


def test_the_same_files_as_the_latest_make_nothing_to_do():
    plan = decide(snapshot(), request("2.0", files=(("a.zip", "abc"),)))
    assert plan.action == "unchanged" and plan.match == V2
    assert "identical to the latest version" in plan.reason


def test_a_new_version_keeps_deletes_and_uploads_against_the_latest():
    files = (("a.zip", "abc"), ("b.zip", "new"))
    latest = deposition(
        id=12,
        files=[
            {"id": "1", "filename": "a.zip", "filesize": 2000, "checksum": "abc"},
            {"id": "2", "filename": "old.zip", "filesize": 5, "checksum": "old"},
        ],
    )
    plan = decide(Snapshot(10, (V1, latest), latest), request("2.0", files=files))
    assert plan.action == "new-version" and plan.draft is None and plan.latest == latest
    assert [f.name for f in plan.changes.keep] == ["a.zip"]
    assert [f.name for f in plan.changes.delete] == ["old.zip"]
    assert [f.name for f in plan.changes.upload] == ["b.zip"]
    assert plan.changes.replace == ()
    assert "version: '1.1' -> '2.0'" in plan.metadata_changes


def test_a_pending_draft_is_continued_and_its_files_are_the_base():
    pending = draft("2.0", 30, files=[{"id": "9", "filename": "a.zip", "checksum": "new"}])
    plan = decide(snapshot(pending), request("2.0"))
    assert plan.action == "new-version" and plan.draft == pending
    assert [f.name for f in plan.changes.keep] == ["a.zip"] and not plan.changes.upload


def test_of_two_pending_drafts_the_newest_is_continued():
    older, newer = draft("2.0", 30, id=13), draft("2.0", 30, id=15)
    assert decide(snapshot(newer, older), request()).draft == newer


def test_a_concept_without_a_published_version_gets_its_first():
    plan = decide(Snapshot(10, (), None), request())
    assert plan.action == "new-concept" and plan.concept_id == 10


# --- a first version (no concept given) ----------------------------------------------------


def first(*depositions) -> Snapshot:
    return Snapshot(None, depositions)


def test_a_first_version_already_published_under_its_title_is_found():
    plan = decide(first(V1, V2), request("1.1", concept=None))
    assert plan.action == "unchanged" and plan.match == V2


def test_without_a_version_string_the_same_files_find_it():
    plan = decide(first(V2), request(None, files=(("a.zip", "abc"),), concept=None))
    assert plan.action == "unchanged" and plan.match == V2


def test_another_version_under_the_same_title_would_start_a_second_record():
    with pytest.raises(ActionError, match="already exists") as raised:
        decide(first(V2), request("2.0", concept=None))
    hint = raised.value.hint or ""
    assert "use --concept 10.5281/zenodo.10" in COMMAND_LINE.spell(hint)
    assert "use `concept: 10.5281/zenodo.10`" in RUNNER.spell(hint)


def test_a_first_draft_of_the_same_title_wins_over_a_blank_one():
    titled = draft("2.0", 30, id=20, conceptdoi=None)
    blank = deposition(
        id=21,
        state="unsubmitted",
        submitted=False,
        doi=None,
        conceptdoi=None,
        metadata={},
        files=[],
    )
    assert decide(first(titled, blank), request(concept=None)).draft == titled
    assert decide(first(blank), request(concept=None)).draft == blank


def test_nothing_found_means_a_new_concept_from_scratch():
    plan = decide(first(), request(concept=None))
    assert plan.action == "new-concept" and plan.draft is None and plan.concept_id is None
    assert [f.name for f in plan.changes.upload] == ["a.zip"]


# --- judging a pending draft ---------------------------------------------------------------


def test_a_draft_of_this_version_is_this_runs_own():
    judged = judge_draft(draft("2.0", 5), request("2.0"), NOW)
    assert judged.verdict == "ours"


def test_a_fresh_draft_of_another_version_belongs_to_a_live_run():
    judged = judge_draft(draft("2.1", 5 * 60), request("2.0"), NOW)
    assert judged.verdict == "refuse"
    assert judged.idle == 300 and judged.window == TAKEOVER_AFTER


def test_a_stale_draft_of_another_version_is_taken_over():
    judged = judge_draft(draft("2.1", TAKEOVER_AFTER + 1), request("2.0"), NOW)
    assert judged.verdict == "take-over"


def test_an_unclaimed_draft_is_taken_over_sooner():
    assert judge_draft(draft(None, 30), request(), NOW).verdict == "refuse"
    judged = judge_draft(draft(None, UNCLAIMED_TAKEOVER_AFTER + 1), request(), NOW)
    assert judged.verdict == "take-over" and judged.window == UNCLAIMED_TAKEOVER_AFTER


def test_an_unclaimed_draft_this_run_asked_for_is_its_own():
    assert judge_draft(draft(None, 1), request(), NOW, asked_for=True).verdict == "asked-for"
    # a claimed one is not, whoever asked
    assert judge_draft(draft("2.1", 1), request(), NOW, asked_for=True).verdict == "refuse"


def test_a_draft_of_unknown_age_is_taken_over():
    assert judge_draft(draft("2.1", None), request(), NOW).verdict == "take-over"


def test_diff_files_keeps_identical_overwrites_changed_deletes_gone_uploads_new():
    changes = diff_files(
        [remote("same", "1"), remote("changed", "2"), remote("gone", "3")],
        [local("same", "1"), local("changed", "9"), local("new", "4")],
    )
    assert [r.name for r in changes.keep] == ["same"]
    # a PUT to an existing key replaces it (§2.6): no delete before the upload
    assert [r.name for r in changes.delete] == ["gone"]
    assert [r.name for r in changes.replace] == ["changed"]
    assert [f.name for f in changes.upload] == ["changed", "new"]


def test_a_version_published_without_its_v_is_found_by_the_tag():
    request = PublishRequest(metadata={"version": "v1.0"}, files=(local("new.zip", "fff"),))
    decided = decide(Snapshot(10, (V1, V2), V2), request)
    assert decided.action == "unchanged" and decided.match == V1  # by version, not files

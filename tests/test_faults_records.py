"""The fault-injection matrix of tests/test_faults.py, run through InvenioRDM's records API
against the fake InvenioRDM: every request of a publish under every fault, end to end.

Each case drives `zenodo-action publish` (the CLI, `api: auto`, so its questions about which
API the instance serves are steps too: each is the run's first search through that API) with
one fault at one request; a failed run
runs again with the fault gone. Either way the server must end as one clean run leaves it:
one new version with the right version string and exactly the requested files, no draft
left, earlier versions untouched, the same outputs, and the token in nothing printed.

Every case writes one row of docs/faults-records.md from what it observed; the last test
checks that the committed file equals this run's table, and
`ZENODO_ACTION_UPDATE_FAULT_TABLE=1 .venv/bin/python -m pytest tests/test_faults_records.py`
rewrites it.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.fakes.invenio import ENDPOINTS
from tests.test_faults import (
    CONFIG,
    FILES,
    KIND_TEXT,
    KINDS,
    MODE_TEXT,
    POLICY,
    READ_TIMEOUT,
    RERUN_DELAY,
    UPDATE_ENV,
    Harness,
    Run,
    _cell,
    _outcome,
)
from zenodo_action import secrets

TABLE = Path(__file__).resolve().parent.parent / "docs" / "faults-records.md"
# The deposit matrix's metadata, and the publisher a DOI needs on another instance
# (docs/reference/invenio-records-api.md §6.3).
CONFIG_RECORDS = CONFIG + "imprint_publisher: ACME Press\n"


@dataclass(frozen=True)
class Step:
    """One request of a publish through the records API: an ENDPOINTS entry, which
    occurrence of it, and for an upload's requests, which file's."""

    label: str
    endpoint: str
    skip: int = 0
    path: str = "next"
    file: str | None = None

    @property
    def request(self) -> tuple[str, str]:
        method, pattern = ENDPOINTS[self.endpoint]
        if self.file:
            pattern = pattern.replace("/files/[^/]+", "/files/" + re.escape(self.file))
        return method, pattern

    @property
    def idempotent(self) -> bool:
        return self.endpoint not in ("create", "publish")

    @property
    def write(self) -> bool:
        return ENDPOINTS[self.endpoint][0] != "GET"


# Every request of a clean publish of 2.0 (keep.txt linked, old.txt deleted, big.bin and
# data.csv initialised, sent and committed side by side), in the order it sends them.
NEXT_STEPS = (
    Step("list of depositions: auto's question to the deposit API (404 here)", "deposit_probe"),
    Step("list: the record with the concept DOI (auto's question to the records API)", "list"),
    Step("latest: versions/latest (its redirect names the id)", "latest"),
    Step("list: the concept's records", "list", skip=1),
    Step("read: the latest version", "record"),
    Step("vocabulary: the first id checked", "vocabulary"),
    Step("newversion", "newversion"),
    Step("import: link 1.1's files", "import"),
    Step("update: metadata PUT (the claim)", "update"),
    Step("reserve: the DOI", "reserve"),
    Step("delete_file: 1.1's old.txt", "delete_file"),
    Step("init: the first file", "init"),
    Step("upload: big.bin", "upload", file="big.bin"),
    Step("commit: big.bin", "commit", file="big.bin"),
    Step("upload: data.csv", "upload", file="data.csv"),
    Step("read: the draft before publishing", "read_draft"),
    Step("publish", "publish"),
    Step("read: the record after publishing", "record", skip=1),
)
FIRST_STEPS = (
    Step("list: the account's records (auto's question to the records API)", "list", path="first"),
    Step("create", "create", path="first"),
    Step("update: metadata PUT (the claim)", "update", path="first"),
    Step("upload: big.bin", "upload", path="first", file="big.bin"),
    Step("publish", "publish", path="first"),
)
LATE_BY = {
    "create": (1, 4),
    "newversion": (1, 2),
    "update": (1, 2),
    "upload": (1, 2),
    "commit": (1, 2),
    "publish": (1, 2, 3),
}


@dataclass(frozen=True)
class Case:
    step: Step
    kind: str
    mode: str
    late_by: int = 0

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.step.label.lower()).strip("-")
        late = f"-{self.late_by}" if self.late_by else ""
        return f"{self.step.path}-{slug}-{self.kind}-{self.mode}{late}"

    @property
    def times(self) -> int:
        return {"refused": 2, "lost": 1, "late": 1, "outage": 1000}[self.mode]


def _cases() -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for step in (*NEXT_STEPS, FIRST_STEPS[1]):
        if step.endpoint in seen:
            continue
        seen.add(step.endpoint)
        extra = ["reset_mid_upload"] if step.endpoint == "upload" else []
        cases += [Case(step, kind, "refused") for kind in (*KINDS, *extra)]
    first_writes = [
        s
        for s in (*NEXT_STEPS, *FIRST_STEPS)
        if s.write and s.skip == 0 and (s.path == "next" or s.endpoint == "create")
    ]
    for step in first_writes:
        cases += [Case(step, kind, "lost") for kind in ("500", "504", "reset", "timeout")]
    for step in first_writes:
        cases += [Case(step, "late", "late", n) for n in LATE_BY.get(step.endpoint, ())]
    for step in (*NEXT_STEPS, *FIRST_STEPS):
        kinds = ("500", "reset") if step.idempotent else ("429", "500", "reset")
        cases += [Case(step, kind, "outage") for kind in kinds]
    return cases


CASES = _cases()
SPECIALS = {
    "504 but published": "publish: the server publishes, the gateway answers 504",
    "new version asked twice": "newversion: 500 after making the draft; the repeat answers "
    "with the same draft (one per concept)",
    "broken upload loses its file": "upload: the connection breaks mid-body, which drops the "
    "file's entry; the retry finds it gone (404) and initialises it again",
    "pending file of an interrupted run": "run 1 stops after sending big.bin, before its "
    "commit (commit outage); run 2 commits what it sends again",
    "bad token": "every request that needs the token answers 403 Permission denied.",
    "error body echoes the token (400)": "update: 400 whose message and field error repeat "
    "the request's URL and Authorization header",
}
OBSERVED: dict[str, tuple[str, ...]] = {}
OBSERVED_SPECIAL: dict[str, str] = {}


class RecordsHarness(Harness):
    """test_faults' harness on the fake InvenioRDM, through `api: auto`."""

    def __init__(self, root: Path, fake, capsys, caplog, clients) -> None:
        super().__init__(root, fake, capsys, caplog, clients)
        (root / ".zenodo.yml").write_text(CONFIG_RECORDS)

    def args(self, version: str | None = None) -> list[str]:
        concept = ["--concept", self.concept.concept_doi] if self.concept else []
        return [*concept, "--files", "dist/*", "--version", version or self.version]


@pytest.fixture
def harness(tmp_path, monkeypatch, capsys, caplog, fake_invenio, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_invenio.token)
    caplog.set_level(logging.INFO, logger="zenodo_action")
    fake_invenio.slow_seconds = READ_TIMEOUT * 3
    clients = replace(fast_retries, policy=POLICY)
    return RecordsHarness(tmp_path, fake_invenio, capsys, caplog, clients)


def _normalised(text: str) -> str:
    # Record ids (a half of one may be all digits, which test_faults' _outcome made {id})
    group = r"(?:\b[0-9a-hjkmnp-tv-z]{5}\b|\{id\})"
    text = re.sub(rf"{group}-{group}", "{id}", text)
    # Both files are initialised side by side: which one's failure is told first varies.
    pattern = r"upload (?:big\.bin|data\.csv): POST (/api/records/\S+/draft/files)\b"
    text = re.sub(pattern, r"upload {a file}: POST \1", text)
    return re.sub(r"changed \d+ s ago", "changed {n} s ago", text)


def _result(run: Run, step: Step | None = None) -> str:
    return _normalised(_outcome(run, step))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault(harness, case: Case):
    fake = harness.fake
    if case.step.path == "next":
        harness.seed()
    harness.write_files()
    method, pattern = case.step.request
    fault = fake.inject(
        method,
        pattern,
        case.kind,
        times=case.times,
        when="after" if case.mode == "lost" else "before",
        skip=case.step.skip,
        late_by=case.late_by or 1,
    )
    first = harness.run()
    assert fault.fired > 0, "the fault never struck: the step list is out of date"
    outcome = _result(first, case.step)
    final = first
    if first.code != 0:
        assert case.mode == "outage" or not case.step.idempotent, first.err
        fake.clear_faults()
        harness.later()
        final = harness.run()
        assert final.code == 0, final.err
        outcome += f"; re-run {final.result['status']}"
    elif case.step.idempotent and case.mode == "refused":
        assert first.retries(case.step) == 2
    if case.kind == "reset_mid_upload":  # a broken send drops the entry: 404, then anew (§5.3)
        size = len(FILES["big.bin"])
        sent = [
            (r.body_size, r.status) for r in fake.requests if r.path.endswith("/big.bin/content")
        ]
        assert sent[-1] == (size, 200), sent
        assert all(0 < n < size or status == 404 for n, status in sent[:-1]), sent
    state = harness.assert_one_clean_publish(final)
    when = (
        MODE_TEXT.get(case.mode)
        or f"1x, timed out; acted before the run's {case.late_by}. next request"
    )
    OBSERVED[case.id] = (
        case.step.path,
        case.step.label,
        KIND_TEXT[case.kind],
        when,
        str(fault.fired),
        outcome,
        state,
    )


# --- Special cases -------------------------------------------------------------------------


def test_504_but_published(harness):
    harness.seed()
    harness.write_files()
    harness.fake.inject(*ENDPOINTS["publish"], "504", when="after")
    run = harness.run()
    assert run.code == 0 and harness.fake.count(*ENDPOINTS["publish"]) == 1
    state = harness.assert_one_clean_publish(run)
    OBSERVED_SPECIAL["504 but published"] = f"{_result(run)}, 1 publish request; {state}"


def test_new_version_asked_twice_answers_the_same_draft(harness):
    fake = harness.fake
    harness.seed()
    harness.write_files()
    fake.inject(*ENDPOINTS["newversion"], "500", when="after")
    run = harness.run()
    assert run.code == 0, run.err
    statuses = [r.status for r in fake.requests if re.search(ENDPOINTS["newversion"][1], r.path)]
    assert statuses == [500, 201]
    state = harness.assert_one_clean_publish(run)
    OBSERVED_SPECIAL["new version asked twice"] = (
        f"{_result(run)}, newversion answered {statuses}; {state}"
    )


def test_a_broken_upload_loses_its_file_and_is_initialised_again(harness):
    fake = harness.fake
    harness.seed()
    harness.write_files()
    fake.inject(*Step("u", "upload", file="big.bin").request, "reset_mid_upload")
    run = harness.run()
    assert run.code == 0, run.err
    content = [r.status for r in fake.requests if r.path.endswith("/big.bin/content")]
    inits = fake.count(*ENDPOINTS["init"])
    assert content[-2:] == [404, 200] and inits == 3  # two files, big.bin twice
    state = harness.assert_one_clean_publish(run)
    OBSERVED_SPECIAL["broken upload loses its file"] = (
        f"{_result(run)}, big.bin's sends answered {content}, {inits} initialisations; {state}"
    )


def test_a_pending_file_of_an_interrupted_run_is_finished(harness):
    fake = harness.fake
    harness.seed()
    harness.write_files()
    fake.inject(*Step("c", "commit", file="big.bin").request, "500", times=1000)
    first = harness.run()
    assert first.code == 1
    [draft] = fake.pending_drafts(harness.concept.concept_id)
    assert "big.bin" in draft["pending_files"]
    fake.clear_faults()
    harness.later()
    final = harness.run()
    assert final.code == 0, final.err
    state = harness.assert_one_clean_publish(final)
    OBSERVED_SPECIAL["pending file of an interrupted run"] = (
        f"run 1 {_result(first)}; run 2 {_result(final)}; {state}"
    )


def test_a_bad_token_fails_before_any_write(harness, monkeypatch):
    harness.seed()
    harness.write_files()
    bad = "not-the-token-0123456789"
    secrets.register(bad)
    monkeypatch.setenv("ZENODO_TOKEN", bad)
    run = harness.run()
    assert run.code == 1 and bad not in run.out + run.err + run.log
    statuses = [(r.method, r.path, r.status) for r in harness.fake.requests]
    assert statuses == [  # (a DOI concept: its latest version is asked only once it is found)
        ("GET", "/api/deposit/depositions", 404),
        ("GET", "/api/user/records", 403),
    ]
    OBSERVED_SPECIAL["bad token"] = f"{_result(run)}, after 2 requests and no retry"


def test_an_error_echoing_the_token_is_redacted(harness):
    fake = harness.fake
    harness.seed()
    harness.write_files()
    fake.inject(*ENDPOINTS["update"], "echo_400", times=1000)
    first = harness.run()
    assert first.code == 1 and "Authorization: Bearer ***" in first.err
    fake.clear_faults()
    harness.later()
    final = harness.run()
    state = harness.assert_one_clean_publish(final)
    OBSERVED_SPECIAL["error body echoes the token (400)"] = (
        f"failed, the echoed header printed as `Bearer ***`; re-run {final.result['status']}; "
        f"{state}"
    )


# --- The table -----------------------------------------------------------------------------


def render_table() -> str:
    lines = [
        "# Fault-injection results: the records API",
        "",
        "<!-- Generated by tests/test_faults_records.py from the cases it ran and what it",
        "     observed. Do not edit: run `ZENODO_ACTION_UPDATE_FAULT_TABLE=1 .venv/bin/python -m",
        "     pytest tests/test_faults_records.py`; the test fails when this file differs. -->",
        "",
        "Each case runs `zenodo-action publish` (`api: auto`) against the fake InvenioRDM",
        "(`tests/fakes/invenio.py`) with one fault injected at one request: the matrix of",
        "docs/faults.md, on the records API. Path `next` publishes version 2.0 of a concept",
        "that has 1.0 and 1.1 (linking keep.txt, deleting old.txt, initialising, sending and",
        "committing big.bin and data.csv side by side); path `first` publishes version 1.0 of a",
        f"new concept. When a run fails, it runs again with the fault gone, {RERUN_DELAY} s later.",
        "",
        "Every row passed the checks of docs/faults.md: exactly one new version with the",
        "requested version string, exactly the requested files with matching md5s and bytes,",
        "no draft left, earlier versions unchanged, the printed DOI, concept DOI, record id and",
        "files equal to the server's; and the token in no output or log line of any run.",
        f"Runs use {POLICY.max_attempts} attempts per request and a {POLICY.read_timeout} s read",
        "timeout.",
        "",
        f"## Matrix: {len(CASES)} cases",
        "",
        "| path | step | fault | when | struck | first run | final state |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in OBSERVED[case.id]) + " |" for case in CASES]
    lines += ["", f"## Special cases: {len(SPECIALS)}", "", "| case | what happens | outcome |"]
    lines += ["|---|---|---|"]
    lines += [
        f"| {_cell(name)} | {_cell(setup)} | {_cell(OBSERVED_SPECIAL[name])} |"
        for name, setup in SPECIALS.items()
    ]
    return "\n".join(lines) + "\n"


def test_the_fault_table_is_up_to_date():
    missing = [c.id for c in CASES if c.id not in OBSERVED]
    missing += [name for name in SPECIALS if name not in OBSERVED_SPECIAL]
    if missing:
        pytest.skip(f"{len(missing)} cases did not run or failed, e.g. {missing[0]}")
    table = render_table()
    if os.environ.get(UPDATE_ENV):
        TABLE.write_text(table)
    assert TABLE.exists(), f"docs/faults-records.md is missing: run with {UPDATE_ENV}=1"
    assert TABLE.read_text() == table, (
        f"docs/faults-records.md differs from what the tests observed: rerun with {UPDATE_ENV}=1"
    )

"""One real end-to-end run against sandbox.zenodo.org (issue 13), through the command line.

Every other test talks to the fakes in tests/fakes/; this one finds out whether they still
answer as Zenodo does. The scenario, with a version string no run used before:

1. `publish --draft`: a draft with a reserved DOI (`doi_reserved`, the sandbox's 10.5072/);
2. `publish` of that version: the same record published with exactly that DOI;
3. `publish` again: `unchanged`, the same DOI.

It runs on the real sandbox only with a token (`ZENODO_SANDBOX_TOKEN`) and a concept the
maintainers made there once (`ZENODO_SANDBOX_CONCEPT`); without the token it is skipped, so
the normal suite never reaches the network. The scheduled workflow
.github/workflows/sandbox-e2e.yml sets both, and `ZENODO_SANDBOX_REQUIRED=1`, which turns
the skip into a failure there. The same scenario runs against the fake sandbox in every
suite, so its own code is known to work before the first scheduled run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from pathlib import Path

import pytest

from zenodo_action.cli import main

SANDBOX_PREFIX = "10.5072/"

CONFIG = """\
title: zenodo-action end-to-end test
upload_type: software
description: <p>Published daily by zenodo-action's scheduled test against the sandbox.</p>
creators:
  - name: zenodo-action contributors
license: MIT
"""


class Scenario:
    """The CLI's publish in a working directory, against one server and concept."""

    def __init__(self, root: Path, capsys, where: list[str], concept: str, clients=None) -> None:
        self.capsys = capsys
        self.clients = clients  # None: the real client, with its real retries
        self.where = where
        self.concept = concept
        # Unique per run: the sandbox keeps every version, and a version string it has seen
        # would make the first run `unchanged`. The random part separates two runs a second apart.
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.version = f"e2e-{stamp}-{secrets.token_hex(3)}"
        self.data = f"zenodo-action end-to-end test, version {self.version}\n".encode()
        (root / ".zenodo.yml").write_text(CONFIG)
        (root / "dist").mkdir()
        (root / "dist" / f"{self.version}.txt").write_bytes(self.data)

    def publish(self, *flags: str) -> dict:
        """Run publish with --json; return its result. The token never appears in output."""
        self.capsys.readouterr()
        args = ["--concept", self.concept, "--files", "dist/*", "--version", self.version]
        argv = ["publish", *self.where, "--json", *args, *flags]
        code = main(argv, client_factory=self.clients)
        out, err = self.capsys.readouterr()
        # Not `assert token not in ...`: a failing assert would print both operands.
        leaked = os.environ["ZENODO_TOKEN"] in out + err
        assert not leaked, "the token was printed"
        assert code == 0, err
        return json.loads(out)


def run_scenario(scenario: Scenario) -> None:
    draft = scenario.publish("--draft")
    assert draft["status"] == "draft", draft
    assert draft["doi_reserved"] is True
    assert draft["version"] == scenario.version
    reserved = draft["doi"]
    assert reserved.startswith(SANDBOX_PREFIX), reserved
    assert reserved == f"{SANDBOX_PREFIX}zenodo.{draft['record_id']}"
    assert draft["concept_doi"].startswith(SANDBOX_PREFIX), draft["concept_doi"]

    published = scenario.publish()
    assert published["status"] == "published", published
    assert published["doi"] == reserved, "publishing the draft minted another DOI"
    assert published["doi_reserved"] is False
    assert published["record_id"] == draft["record_id"]
    assert published["concept_doi"] == draft["concept_doi"]
    assert published["version"] == scenario.version
    [stored] = published["files"]
    assert stored == {
        "name": f"{scenario.version}.txt",
        "size": len(scenario.data),
        "md5": hashlib.md5(scenario.data).hexdigest(),
    }

    again = scenario.publish()
    assert again["status"] == "unchanged", again
    assert again["doi"] == reserved
    assert again["doi_reserved"] is False
    assert again["record_id"] == draft["record_id"]


@pytest.mark.sandbox
def test_a_draft_its_publish_and_a_rerun_on_the_real_sandbox(tmp_path, monkeypatch, capsys):
    token = os.environ.get("ZENODO_SANDBOX_TOKEN", "")
    concept = os.environ.get("ZENODO_SANDBOX_CONCEPT", "")
    required = os.environ.get("ZENODO_SANDBOX_REQUIRED") == "1"
    if not token:
        reason = "ZENODO_SANDBOX_TOKEN is not set (the sandbox run is opt-in; see the README)"
        if required:
            pytest.fail(reason)
        pytest.skip(reason)
    if not concept:
        pytest.fail(
            "ZENODO_SANDBOX_TOKEN is set but ZENODO_SANDBOX_CONCEPT is not: make a concept on "
            "the sandbox once (zenodo-action publish --sandbox) and set its concept DOI"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", token)
    del token  # out of the frame's locals, in case a traceback shows them
    run_scenario(Scenario(tmp_path, capsys, ["--sandbox"], concept))


def test_the_scenario_passes_against_the_fake_sandbox(
    tmp_path, monkeypatch, capsys, fake_zenodo_sandbox, fast_retries
):
    fake = fake_zenodo_sandbox
    concept = fake.seed_concept(versions=[{"version": "e2e-seed"}])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake.token)
    where = ["--zenodo-url", fake.url]
    scenario = Scenario(tmp_path, capsys, where, concept.concept_doi, fast_retries)
    run_scenario(scenario)
    [_, published] = fake.published_versions(concept.concept_id)
    assert published["version"] == scenario.version
    assert published["doi"].startswith(SANDBOX_PREFIX)

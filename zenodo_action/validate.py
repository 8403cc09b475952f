"""`validate`, whichever front door: check the metadata offline and report what was found.

Every metadata file present is checked (CITATION.cff, codemeta.json, .zenodo.yml), and the
record they make together. No token, no network: this is what pull requests from forks
run. It cannot know whether a release or another run will publish the record, so fields a
release fills in are notices here, unless the user asks for a complete file.
"""

from __future__ import annotations

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK
from zenodo_action.reporter import Reporter
from zenodo_action.settings import ValidateSettings


def run(settings: ValidateSettings, reporter: Reporter) -> int:
    """Problems to the reporter, status `valid` or `invalid`; exit 1 on errors. A file
    that is not there or cannot be read is a bad input, not invalid metadata: its
    UsageError ends the run with status `failed`, as the outputs' contract says."""
    context = metadata.Context(
        "gate",
        repository=settings.repository,
        require_complete=settings.require_complete,
        strict=settings.strict,
    )
    record = metadata.read(settings.metadata_files, settings.root, context)
    reporter.problems(record.problems)
    reporter.output("status", "invalid" if record.invalid else "valid")
    return EXIT_FAILURE if record.invalid else EXIT_OK

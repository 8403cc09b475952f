"""`validate`, whichever front door: check the metadata offline and report what was found.

Every metadata file present is checked (CITATION.cff, codemeta.json, .zenodo.yml), and the
record they make together. No token, no network: this is what pull requests from forks
run. It cannot know whether a release or another run will publish the record, so fields a
release fills in are notices here, unless the user asks for a complete file.
"""

from __future__ import annotations

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, UsageError
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    """Problems to the reporter, status `valid` or `invalid`; exit 1 on errors."""
    context = metadata.Context(
        "gate",
        repository=settings.repository,
        require_complete=settings.require_complete,
        strict=settings.strict,
    )
    try:
        record = metadata.read(settings.metadata_files, settings.root, context)
    except UsageError:
        reporter.output("status", "invalid")
        raise
    reporter.problems(record.problems)
    reporter.output("status", "invalid" if record.invalid else "valid")
    return EXIT_FAILURE if record.invalid else EXIT_OK

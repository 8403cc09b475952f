"""`validate`, whichever front door: check the metadata offline and report what was found.

Every source present is checked (CITATION.cff, codemeta.json, .zenodo.yml), and the
record they make together. No token, no network: this is what pull requests from forks
run. It cannot know whether a release or another run will publish the record, so fields a
release fills in are notices here, unless the user asks for a complete file.
"""

from __future__ import annotations

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, UsageError
from zenodo_action.metadata import record as files
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    """Problems to the reporter, status `valid` or `invalid`; exit 1 on errors."""
    try:
        found_files = files.find(settings.metadata_files, settings.root)
        loaded = files.load(found_files)
    except UsageError:
        reporter.output("status", "invalid")
        raise
    context = files.Context(
        "gate", repository=settings.repository, require_complete=settings.require_complete
    )
    found = files.problems_by_file(files.Record.merge(loaded), context)
    if settings.strict:
        found = {path: metadata.as_errors(problems) for path, problems in found.items()}
    reporter.problems(found)
    invalid = files.errors_in(found) > 0
    reporter.output("status", "invalid" if invalid else "valid")
    return EXIT_FAILURE if invalid else EXIT_OK

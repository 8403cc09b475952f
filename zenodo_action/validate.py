"""`validate`, whichever front door: check the metadata offline and report what was found.

Every source present is checked (CITATION.cff, codemeta.json, .zenodo.yml), and the
record they make together. No token, no network: this is what pull requests from forks
run. It cannot know whether a release or another run will publish the record, so fields a
release fills in are notices here, unless the user asks for a complete file.
"""

from __future__ import annotations

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, UsageError
from zenodo_action.metadata import sources
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    """Problems to the reporter, status `valid` or `invalid`; exit 1 on errors."""
    try:
        found_files = sources.find(settings.sources, settings.root)
        loaded = sources.load(found_files)
    except UsageError:
        reporter.output("status", "invalid")
        raise
    context = sources.Context(
        "gate", repository=settings.repository, require_complete=settings.require_complete
    )
    found = sources.problems_by_file(sources.Record.merge(loaded), context)
    if settings.strict:
        found = {path: metadata.as_errors(problems) for path, problems in found.items()}
    reporter.problems(found)
    invalid = sources.errors_in(found) > 0
    reporter.output("status", "invalid" if invalid else "valid")
    return EXIT_FAILURE if invalid else EXIT_OK

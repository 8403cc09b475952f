"""`validate`, whichever front door: check the metadata offline and report what was found.

No token, no network: this is what pull requests from forks run.
"""

from __future__ import annotations

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, UsageError
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    """Problems to the reporter, status `valid` or `invalid`; exit 1 on errors."""
    try:
        path = metadata.find_config(settings.config, settings.root)
        config = metadata.load_config(path)
    except UsageError:
        reporter.output("status", "invalid")
        raise
    problems = metadata.validate(config)
    if settings.strict:
        problems = metadata.as_errors(problems)
    reporter.problems(problems, path)
    invalid = any(p.severity == metadata.ERROR for p in problems)
    reporter.output("status", "invalid" if invalid else "valid")
    return EXIT_FAILURE if invalid else EXIT_OK

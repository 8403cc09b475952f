"""The command line: argparse and one small function per subcommand.

No logic lives here beyond wiring flags to the package's functions and turning
errors into exit codes (errors.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from zenodo_action import __version__, metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError, UsageError
from zenodo_action.github import commands
from zenodo_action.secrets import guard_std_streams


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zenodo-action",
        description="Validate .zenodo.yml and publish files as a new version on Zenodo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = subcommands.add_parser("validate", help="check .zenodo.yml offline, no token needed")
    validate.add_argument(
        "--config", metavar="PATH", help="default: .zenodo.yml, else .zenodo.json"
    )
    validate.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text lines (default), GitHub annotations + job summary, or JSON",
    )
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=run_validate)

    schema = subcommands.add_parser("schema", help="print the JSON Schema of .zenodo.yml")
    schema.set_defaults(run=run_schema)
    add_publish_parser(subcommands)
    return parser


def add_publish_parser(subcommands) -> None:
    publish = subcommands.add_parser(
        "publish",
        help="publish files as the next version of a Zenodo concept (token in ZENODO_TOKEN)",
        description="Publish files as the next version of a Zenodo concept. The token is read "
        "from the ZENODO_TOKEN environment variable only. Re-running with the same inputs "
        "never creates a second version.",
    )
    publish.add_argument("--config", metavar="PATH", help="default: .zenodo.yml, else .zenodo.json")
    publish.add_argument(
        "--concept",
        metavar="ID",
        help="concept DOI, record id or record URL; omit to start a new concept",
    )
    publish.add_argument(
        "--files",
        metavar="GLOB",
        nargs="+",
        action="extend",
        required=True,
        help="files to publish (globs; ** allowed)",
    )
    publish.add_argument("--version", help="version string (default: the file's)")
    publish.add_argument(
        "--publication-date", metavar="YYYY-MM-DD", help="default: the file's, else today (UTC)"
    )
    where = publish.add_mutually_exclusive_group()
    where.add_argument("--zenodo-url", metavar="URL", help="default: https://zenodo.org")
    where.add_argument("--sandbox", action="store_true", help="use https://sandbox.zenodo.org")
    publish.add_argument("--draft", action="store_true", help="prepare the draft, do not publish")
    publish.add_argument(
        "--dry-run", action="store_true", help="show what would happen; change nothing"
    )
    publish.add_argument("--json", action="store_true", help="print the result as one JSON object")
    publish.set_defaults(run=run_publish)


def run_validate(args: argparse.Namespace) -> int:
    try:
        path = metadata.find_config(args.config)
        config = metadata.load_config(path)
    except UsageError as error:
        if args.format == "github":
            commands.emit(commands.annotation("error", str(error), title="Zenodo metadata"))
        raise
    problems = metadata.validate(config)
    if args.strict:
        problems = metadata.as_errors(problems)
    render = {
        "text": metadata.render_text,
        "json": metadata.render_json,
        "github": metadata.render_github,
    }[args.format]
    output = render(problems, path)
    if args.format == "text" and os.environ.get("GITHUB_ACTIONS") == "true":
        output = commands.untrusted(output)  # the file's values must not become commands
    sys.stdout.write(output)
    return EXIT_FAILURE if any(p.severity == metadata.ERROR for p in problems) else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(metadata.schema(), indent=2) + "\n")
    return EXIT_OK


def run_publish(args: argparse.Namespace) -> int:
    # Imported here: requests and the Zenodo client add ~130 ms that validate never needs.
    from zenodo_action import files, logs, publish, report, settings

    logs.setup()
    token = (os.environ.get("ZENODO_TOKEN") or "").strip()
    if not token:
        raise UsageError("set the ZENODO_TOKEN environment variable to a Zenodo access token")
    base = settings.zenodo_url(args.zenodo_url, sandbox=args.sandbox)
    run_settings = settings.PublishSettings(
        zenodo_url=base,
        token=token,
        concept=settings.concept_ref(args.concept, base),
        version=args.version,
        publication_date=settings.publication_date(args.publication_date),
        draft=args.draft,
        dry_run=args.dry_run,
    )
    try:
        config, _ = publish.valid_config(metadata.find_config(args.config))
    except publish.InvalidMetadata as error:
        sys.stderr.write(metadata.render_text(error.problems, error.config.path))
        raise
    request = publish.prepare(run_settings, config, files.collect(args.files, Path.cwd()))
    done = publish.run(run_settings, config, request, publish.client_for(run_settings))
    if args.dry_run:
        print(report.render_plan(done.plan, request), file=sys.stderr)
    print(json.dumps(done.result, indent=2) if args.json else report.render_result(done.result))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    guard_std_streams()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ActionError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: say so in one line, traceback only on request
        if os.environ.get("ZENODO_ACTION_DEBUG"):
            raise
        print(
            f"internal error: {type(error).__name__}: {error}\n"
            "This is a bug in zenodo-action; set ZENODO_ACTION_DEBUG=1 for details.",
            file=sys.stderr,
        )
        return EXIT_FAILURE

"""The command line: argparse and one small function per subcommand.

No logic lives here beyond wiring: flags become `Settings` (settings.py), results go to
a reporter, and errors are reported once and become exit codes (errors.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from zenodo_action import __version__, metadata, process
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError
from zenodo_action.github import commands
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.gitlab import GitLabReporter
from zenodo_action.naming import COMMAND_LINE
from zenodo_action.reporter import Reporter, TerminalReporter
from zenodo_action.secrets import guard_std_streams
from zenodo_action.settings import MOST_UPLOAD_WORKERS, UPLOAD_WORKERS, Settings, under_runner

if TYPE_CHECKING:  # publish is imported only by a publish (see run_publish)
    from zenodo_action.publish import ClientFactory


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors repeat the values given: under the runner they are fenced
    like every other line the CLI prints, so a value holding `::error::` (after a line
    break) or `##[error]` is no workflow command. Subcommands' parsers are of this class."""

    def _print_message(self, message: str, file: Any = None) -> None:  # typeshed: a writer
        if message and under_runner(os.environ):
            message = commands.untrusted(message.rstrip("\n")) + "\n"
        super()._print_message(message, file)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zenodo-action",
        description="Validate a repository's Zenodo metadata (CITATION.cff, codemeta.json, "
        ".zenodo.yml) and publish files as a new version on Zenodo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = subcommands.add_parser(
        "validate", help="check the metadata offline (CITATION.cff, codemeta.json, .zenodo.yml)"
    )
    add_source_flags(validate)
    validate.add_argument(
        "--format",
        choices=("text", "github", "json", "gitlab", "codeclimate"),
        default="text",
        help="text lines (default), GitHub annotations + job summary, JSON, or a GitLab "
        "Code Quality report on stdout (gitlab, alias codeclimate; the text goes to stderr)",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors (what Zenodo accepts but the files' own formats do not)",
    )
    validate.add_argument(
        "--require-complete",
        action="store_true",
        help="fields a release fills in (title, upload_type, creators) must be in the files",
    )
    validate.set_defaults(run=run_validate)

    convert = subcommands.add_parser(
        "convert", help="print the merged metadata that would be sent, with each field's source"
    )
    add_source_flags(convert)
    convert.add_argument(
        "--format",
        choices=("yaml", "json"),
        default="yaml",
        help="YAML with each field's source as a comment (default), or a .zenodo.json on "
        "stdout with the sources on stderr",
    )
    convert.set_defaults(run=run_convert)

    schema = subcommands.add_parser("schema", help="print the JSON Schema of .zenodo.yml")
    schema.set_defaults(run=run_schema)
    add_publish_parser(subcommands)
    return parser


def add_source_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="the .zenodo.yml/.zenodo.json to read (then it is read alone, unless the two "
        "flags below name more); default: every source present in the current directory",
    )
    parser.add_argument(
        "--citation-file", metavar="PATH", help="default: CITATION.cff; 'none' ignores it"
    )
    parser.add_argument(
        "--codemeta-file", metavar="PATH", help="default: codemeta.json; 'none' ignores it"
    )


def add_publish_parser(subcommands: argparse._SubParsersAction[Any]) -> None:
    publish = subcommands.add_parser(
        "publish",
        help="publish files as the next version of a Zenodo concept (token in ZENODO_TOKEN)",
        description="Publish files as the next version of a Zenodo concept. The token is read "
        "from the ZENODO_TOKEN environment variable only. Re-running with the same inputs "
        "never creates a second version.",
    )
    add_source_flags(publish)
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
        help="files to publish (globs; ** allowed); with --release-tag, added to the release's",
    )
    publish.add_argument(
        "--allow-outside-root",
        action="store_true",
        help="let --files name files outside the working directory (absolute, ../, or "
        "symlinks out); never anything in .git/",
    )
    publish.add_argument(
        "--allow-lfs-pointers",
        action="store_true",
        help="archive Git LFS pointer files as they are, with a warning, instead of "
        "refusing them (the default: a pointer is not the data it stands for)",
    )
    publish.add_argument("--version", help="version string (default: the file's)")
    publish.add_argument(
        "--publication-date", metavar="YYYY-MM-DD", help="default: the file's, else today (UTC)"
    )
    where = publish.add_mutually_exclusive_group()
    where.add_argument(
        "--zenodo-url",
        metavar="URL",
        help="the instance: Zenodo or any InvenioRDM (default: https://zenodo.org)",
    )
    where.add_argument("--sandbox", action="store_true", help="use https://sandbox.zenodo.org")
    publish.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings in the metadata as errors: nothing is sent while there are any",
    )
    publish.add_argument(
        "--api",
        choices=("auto", "deposit", "records"),
        help="Zenodo's deposit API, InvenioRDM's records API (any InvenioRDM, Zenodo too), "
        "or auto (default): the deposit API where the instance answers for it",
    )
    publish.add_argument("--draft", action="store_true", help="prepare the draft, do not publish")
    publish.add_argument(
        "--dry-run", action="store_true", help="show what would happen; change nothing"
    )
    publish.add_argument(
        "--upload-workers",
        metavar="N",
        help=f"files uploaded at a time, 1 to {MOST_UPLOAD_WORKERS} (default: {UPLOAD_WORKERS})",
    )
    publish.add_argument("--json", action="store_true", help="print the result as one JSON object")
    publish.add_argument(
        "--dotenv",
        metavar="FILE",
        help="also write the result to FILE as KEY=VALUE lines (ZENODO_DOI, ...), for "
        "GitLab's `artifacts: reports: dotenv:`",
    )
    add_release_flags(publish)
    add_write_back_flags(publish)


def add_write_back_flags(parser: argparse.ArgumentParser) -> None:
    """The DOI into the working tree's files after publishing (the Action opens a PR)."""
    parser.add_argument(
        "--write-back",
        metavar="WHAT",
        help="after publishing (or a --draft, with its reserved DOI), write the DOI into "
        "these files of the working tree: citation, codemeta, readme (comma-separated) or all",
    )
    parser.add_argument(
        "--readme-file",
        metavar="PATH",
        help="the file whose <!-- zenodo-badge --> markers get the badge (default: README.md)",
    )


def add_release_flags(parser: argparse.ArgumentParser) -> None:
    """Back-fill: publish a GitHub release (its assets, source archive, date and notes) as
    the release event would have; GITHUB_TOKEN is read for private repositories."""
    parser.add_argument(
        "--release-tag", metavar="TAG", help="publish the GitHub release with this tag"
    )
    parser.add_argument(
        "--repository", metavar="OWNER/NAME", help="its repository (default: GITHUB_REPOSITORY)"
    )
    parser.add_argument(
        "--github-api-url",
        metavar="URL",
        help="GitHub's REST API (default: GITHUB_API_URL, else https://api.github.com)",
    )
    parser.add_argument(
        "--source-archive",
        choices=("zip", "tar.gz", "checkout", "checkout-tar.gz", "none"),
        help="with --release-tag: the tag's source archive to publish too: GitHub's (zip, "
        "the default, or tar.gz), one built from the working tree, which must be at the "
        "tag (checkout: zip, checkout-tar.gz), or none",
    )
    parser.add_argument(
        "--no-release-assets",
        action="store_true",
        help="with --release-tag: leave the release's assets out",
    )


def run_validate(settings: Settings, reporter: Reporter) -> int:
    from zenodo_action import validate

    return validate.run(settings, reporter)


def run_convert(settings: Settings, reporter: Reporter) -> int:
    from zenodo_action import convert

    return convert.run(settings, reporter)


def run_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(metadata.schema(), indent=2) + "\n")
    return EXIT_OK


def run_publish(
    settings: Settings, reporter: Reporter, client_factory: ClientFactory | None = None
) -> int:
    # Imported here: requests and the Zenodo client add ~130 ms that validate never needs;
    # write-back and back-fill (GitHub's modules) only where asked for.
    from zenodo_action import logs, publish

    logs.setup(guard=commands.untrusted if settings.fenced else str)
    if settings.write_back.enabled:
        from zenodo_action import writeback

        writeback.check_targets(settings, reporter)  # its problems stop the run before Zenodo
    if settings.release_tag:
        from zenodo_action import github_release

        done = github_release.publish_tagged_release(settings, reporter, client_factory)
    else:
        done = publish.publish(settings, reporter, client_factory=client_factory)
    if settings.write_back.enabled:
        writeback.write_to_tree(settings, done, reporter)
    return EXIT_OK


def reporter_for(settings: Settings) -> Reporter:
    """Annotations and the job summary for `--format github`; else the terminal, with
    GitLab's reports beside it for `--format gitlab` and `--dotenv`."""
    if settings.output_format == "github":
        return GitHubReporter(settings.runner, title="Zenodo metadata", vocabulary=COMMAND_LINE)
    code_quality = settings.output_format == "gitlab"
    shown = terminal(
        settings.fenced,
        output_format="json" if settings.output_format == "json" else "text",
        # the Code Quality report is the result on stdout: the text lines go to stderr
        problems_are_results=settings.mode == "validate" and not code_quality,
    )
    if not code_quality and settings.dotenv is None:
        return shown
    return GitLabReporter(
        shown,
        code_quality=code_quality,
        dotenv=settings.dotenv,
        project_dir=settings.project_dir,
        guard_json=commands.inert_json if settings.fenced else str,
    )


def terminal(
    fenced: bool,
    *,
    output_format: Literal["text", "json"] = "text",
    problems_are_results: bool = False,
) -> TerminalReporter:
    """The terminal's reporter; under the Actions runner (`fenced`), every line it prints
    is guarded against workflow commands: text fenced, JSON made inert."""
    if not fenced:
        return TerminalReporter(
            output_format=output_format, problems_are_results=problems_are_results
        )
    return TerminalReporter(
        output_format=output_format,
        problems_are_results=problems_are_results,
        guard=commands.untrusted,
        guard_json=commands.inert_json,
    )


def console() -> NoReturn:
    """The `zenodo-action` command and `python -m zenodo_action`."""
    process.end(main())


def main(argv: Sequence[str] | None = None, *, client_factory: ClientFactory | None = None) -> int:
    """`client_factory`: how a publish makes its API client (the default: `publish.client_for`)."""
    guard_std_streams()
    args = build_parser().parse_args(argv)
    if args.command == "schema":
        return run_schema(args)
    # Before the settings are read, an error can already name a flag's value or a file.
    reporter: Reporter = terminal(under_runner(os.environ))
    try:
        settings = Settings.from_args(args, os.environ)
        reporter = reporter_for(settings)
        if args.command == "publish":  # the one that talks to a repository's API
            return run_publish(settings, reporter, client_factory)
        return int(args.run(settings, reporter))
    except ActionError as error:
        reporter.error(error)
        return error.exit_code
    except KeyboardInterrupt:
        reporter.note("error", "interrupted", title="zenodo-action")
        return 130
    except Exception as error:  # a bug: say so in one line, traceback only on request
        if os.environ.get("ZENODO_ACTION_DEBUG"):
            raise
        message = (
            f"internal error: {type(error).__name__}: {error}\n"
            "This is a bug in zenodo-action; set ZENODO_ACTION_DEBUG=1 for details."
        )
        reporter.note("error", message, title="zenodo-action")
        return EXIT_FAILURE

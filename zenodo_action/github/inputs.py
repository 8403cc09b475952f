"""Action inputs, read the way the Actions runner passes them to a container.

The runner sets `INPUT_<name upper-cased, spaces to _>` and keeps hyphens, so
`release-assets` arrives as `INPUT_RELEASE-ASSETS` (reference
github-actions.md §1.4). Tools such as nektos/act or hand-written `docker run -e` lines often use
underscores instead, so that spelling is accepted as a fallback (as pypa does).
A declared input with no value arrives as an empty string: that means unset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zenodo_action import secrets
from zenodo_action.errors import UsageError
from zenodo_action.github.commands import add_mask

TRUE_WORDS = frozenset({"true", "True", "TRUE"})
FALSE_WORDS = frozenset({"false", "False", "FALSE"})


def input_variable_names(name: str) -> list[str]:
    """The environment variables that may carry input `name`, preferred first."""
    runner_name = "INPUT_" + name.replace(" ", "_").upper()
    fallback = runner_name.replace("-", "_")
    return [runner_name] if fallback == runner_name else [runner_name, fallback]


def get_input(name: str, default: str | None = None, *, environ: Mapping[str, str]) -> str | None:
    """The trimmed value of an input, or `default` when it is unset or blank."""
    for variable in input_variable_names(name):
        value = environ.get(variable, "").strip()
        if value:
            return value
    return default


def get_secret(name: str, *, environ: Mapping[str, str]) -> str | None:
    """An input that holds a credential: masked in the log and redacted everywhere.

    Call this before anything else is printed, so no line can carry it unmasked.
    """
    value = get_input(name, environ=environ)
    if value:
        secrets.register(value)
        add_mask(value)
    return value


def get_bool(name: str, default: bool, *, environ: Mapping[str, str]) -> bool:
    """A YAML 1.2 core-schema boolean, as the toolkit's getBooleanInput accepts."""
    value = get_input(name, environ=environ)
    if value is None:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise UsageError(
        f"input '{name}' must be true or false, not {_shown(value)}",
        hint="accepted: true, True, TRUE, false, False, FALSE",
    )


def get_choice(
    name: str,
    choices: Iterable[str],
    default: str,
    *,
    environ: Mapping[str, str],
) -> str:
    """One of a fixed set of words (compared case-sensitively, as written in action.yml)."""
    allowed = list(choices)
    value = get_input(name, environ=environ)
    if value is None:
        return default
    if value not in allowed:
        raise UsageError(
            f"input '{name}' must be one of {', '.join(allowed)}, not {_shown(value)}",
        )
    return value


def get_multiline(name: str, *, environ: Mapping[str, str]) -> list[str]:
    """The non-empty lines of an input, each trimmed; lines starting with `#` are comments.

    A YAML block scalar (`files: |`) gives one entry per line, which is how
    several globs are written in a workflow.
    """
    value = get_input(name, environ=environ)
    if value is None:
        return []
    lines = (line.strip() for line in value.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _shown(value: str) -> str:
    """A user's value quoted for an error message, kept to one short line."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text).replace("##[", "## [")  # the runner reads `##[` anywhere in a line

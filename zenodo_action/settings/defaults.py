"""Every input of action.yml and its default, written once.

The runner fills an input a step does not set with action.yml's `default:` before the
container starts (docs/reference/github-actions.md §1.4); a run started without it
(`docker run -e`, nektos/act, the tests) gets the same value from this table, and the
command line's flags that share an input's name take their defaults from it too.
tests/test_settings.py checks that action.yml declares exactly these inputs, each with
exactly this default.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Input name -> its default as action.yml writes it; None: the input has no default.
# `${{ ... }}` is an expression only the runner can fill: the code never reads it.
INPUT_DEFAULTS: Mapping[str, str | None] = MappingProxyType(
    {
        "token": None,
        "concept": None,
        "config": ".zenodo.yml",
        "citation-file": None,
        "codemeta-file": None,
        "require-complete": "false",
        "strict": "false",
        "files": None,
        "allow-lfs-pointers": "false",
        "release-assets": "true",
        "asset-wait": "120",
        # enough to hide Zenodo's latency per request on a runner's 2 cores; more only
        # adds threads (parallelism adds no requests, so no rate-limit cost)
        "upload-workers": "4",
        "source-archive": "zip",
        "mode": "auto",
        "publish": "true",
        "sandbox": "false",
        "zenodo-url": None,
        "api": "auto",
        "version": None,
        "dry-run": "false",
        "github-token": "${{ github.token }}",
        "release-notes-badge": "true",
        "write-back": "",
        "readme-file": "README.md",
        "release-tag": None,
    }
)


def default(name: str) -> str:
    """The default of an input that has one (KeyError for a name that is no input)."""
    value = INPUT_DEFAULTS[name]
    if value is None:
        raise KeyError(f"{name!r} has no default in action.yml")
    return value


def default_flag(name: str) -> bool:
    """The default of a true-or-false input."""
    value = default(name)
    if value not in ("true", "false"):
        raise KeyError(f"{name!r} is not true or false by default")
    return value == "true"

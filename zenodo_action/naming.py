"""Settings named in messages, in the words of the front door the user came through.

A hint that asks the user to change a setting names it by a neutral key, the Action
input's name (`setting("concept", doi)`), wherever it is made: in settings/values.py, the
metadata gate, the Zenodo side. The run's reporter spells it the way the user wrote it
(`Vocabulary.spell`): `--concept 10.5281/zenodo.1` on the command line, `concept:
10.5281/zenodo.1` under the Actions runner. So no module below the front doors needs to
know which one it runs behind, and no hint names a flag to an Action user or an input to
someone at a shell. `per_door` holds the rare words that differ otherwise (advice about a
flag the Action has no input for).

The neutral form is a marker in the text: JSON between two private-use characters, which
no message of ours contains. Text from users passes through untouched; a marker forged
in it would only be spelt like ours.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Literal

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}")

Door = Literal["command_line", "runner"]

# The command line's words where they are not `--<input name>`: variables for the
# tokens, and the flags that stand for an input's true or false.
_ENVIRONMENT = {"token": "ZENODO_TOKEN", "github-token": "GITHUB_TOKEN"}
_SWITCHES: dict[tuple[str, str | None], str] = {
    ("sandbox", "true"): "--sandbox",
    ("dry-run", "true"): "--dry-run",
    ("require-complete", "true"): "--require-complete",
    ("publish", "false"): "--draft",
    ("release-assets", "false"): "--no-release-assets",
    ("allow-lfs-pointers", "true"): "--allow-lfs-pointers",
}


def setting(key: str, value: str | None = None) -> str:
    """The setting `key` (an Action input's name), set to `value` when one is given."""
    return _marker({"setting": key, "value": value})


def per_door(*, command_line: str, runner: str) -> str:
    """Words that differ between the front doors, beyond a setting's name."""
    return _marker({"command_line": command_line, "runner": runner})


def _marker(payload: dict[str, str | None]) -> str:
    # ensure_ascii: a private-use character inside a value cannot end the marker early
    return _OPEN + json.dumps(payload, ensure_ascii=True) + _CLOSE


@dataclass(frozen=True)
class Vocabulary:
    """How one front door names settings."""

    door: Door

    def spell(self, text: str) -> str:
        """`text` with every setting named as this front door's users write it."""
        if _OPEN not in text:
            return text
        return _MARKER.sub(self._spelt, text)

    def name(self, key: str, value: str | None = None) -> str:
        if self.door == "runner":
            return f"`{key}: {value}`" if value is not None else f"the `{key}` input"
        if key in _ENVIRONMENT:
            return _ENVIRONMENT[key] if value is None else f"{_ENVIRONMENT[key]}={value}"
        if (key, value) in _SWITCHES:
            return _SWITCHES[key, value]
        return f"--{key}" if value is None else f"--{key} {shlex.quote(value)}"

    def _spelt(self, match: re.Match[str]) -> str:
        try:
            payload = json.loads(match.group(1))
        except ValueError:
            return match.group(0)
        if not isinstance(payload, dict):
            return match.group(0)
        if "setting" in payload:
            value = payload.get("value")
            return self.name(str(payload["setting"]), None if value is None else str(value))
        return str(payload.get(self.door, ""))


COMMAND_LINE = Vocabulary("command_line")
RUNNER = Vocabulary("runner")

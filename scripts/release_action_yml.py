#!/usr/bin/env python3
"""Point action.yml at the prebuilt image: the one step of a release that edits the action.

On main, action.yml says `image: Dockerfile`, so `uses: ./` builds the image from source.
The release workflow (.github/workflows/release.yml) pushes the image to ghcr.io and runs

    python3 scripts/release_action_yml.py --digest sha256:<64 hex>

which rewrites `runs.image` to `docker://ghcr.io/zenodo-action/zenodo-action@sha256:<...>`
for the release commit that the tag `vX.Y.Z` and the major tag then name (README
"Releasing"). Only the characters of that one value change: comments, key order, quoting
and line endings stay byte for byte, since users read this file on the Marketplace and a
re-dumped YAML would lose its comments. Running it again with the same digest changes
nothing; anything else it does not expect is refused with exit code 1, before writing.

The image is named by digest, never by tag, so `@vX.Y.Z` runs the same bytes forever.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_IMAGE = "ghcr.io/zenodo-action/zenodo-action"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# The distribution spec's grammar for a name, with a registry host in front (a bare
# "library/python" would make the runner ask Docker Hub, which is never what we push to).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})+|localhost)"
IMAGE = re.compile(rf"{_HOST}(?::[0-9]+)?(?:/{_COMPONENT})+")
PREFIX = "docker://"


class RefusedError(Exception):
    """The inputs or action.yml are not what a release expects; nothing was written."""


@dataclass(frozen=True)
class Rewrite:
    text: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def reference(image: str, digest: str) -> str:
    """`docker://IMAGE@DIGEST`, after checking both parts."""
    if not DIGEST.fullmatch(digest):
        raise RefusedError(f"digest {digest!r} is not sha256: followed by 64 lowercase hex digits")
    if not IMAGE.fullmatch(image) or len(image) > 255:
        raise RefusedError(
            f"image {image!r} is not REGISTRY/REPOSITORY (lowercase, no tag, no digest), "
            "e.g. ghcr.io/owner/zenodo-action"
        )
    return f"{PREFIX}{image}@{digest}"


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def rewrite(text: str, target: str) -> Rewrite:
    """The text with runs.image set to target; only that scalar's characters change."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise RefusedError(f"action.yml is not YAML: {error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise RefusedError("action.yml is not a mapping")
    runs = _value(root, "runs")
    if not isinstance(runs, yaml.MappingNode):
        raise RefusedError("action.yml has no runs mapping")
    using = _value(runs, "using")
    if not isinstance(using, yaml.ScalarNode) or using.value != "docker":
        found = using.value if isinstance(using, yaml.ScalarNode) else None
        raise RefusedError(f"runs.using is {found!r}, not 'docker': not a container action")
    image = _value(runs, "image")
    if not isinstance(image, yaml.ScalarNode) or not image.value:
        raise RefusedError("runs.image is missing or not a plain string")
    if image.style not in (None, "'", '"') or image.start_mark.line != image.end_mark.line:
        raise RefusedError("runs.image spans lines or is a block scalar; write it on one line")
    if image.value == target:
        return Rewrite(text, image.value, target)
    if image.value.startswith(PREFIX):
        # A release commit is made from a source commit (image: Dockerfile), never from
        # another release: re-pointing a published digest would change what a tag runs.
        raise RefusedError(
            f"runs.image is already {image.value!r}; a release starts from a commit whose "
            "action.yml builds the Dockerfile"
        )
    quote = image.style or ""
    start, end = image.start_mark.index, image.end_mark.index
    new_text = f"{text[:start]}{quote}{target}{quote}{text[end:]}"
    _check(text, new_text, target)
    return Rewrite(new_text, image.value, target)


def _check(old_text: str, new_text: str, target: str) -> None:
    """The edited file loads as the same action, but for runs.image."""
    before: Any = yaml.safe_load(old_text)
    after: Any = yaml.safe_load(new_text)
    if after["runs"]["image"] != target:
        raise RefusedError("internal: the edited action.yml does not read back the image")
    before["runs"]["image"] = target
    if before != after:
        raise RefusedError("internal: the edit changed more than runs.image")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--digest", required=True, help="the pushed image's sha256:... digest")
    parser.add_argument(
        "--image", default=DEFAULT_IMAGE, help=f"registry/repository (default {DEFAULT_IMAGE})"
    )
    parser.add_argument("--action", type=Path, default=Path("action.yml"), help="the file")
    args = parser.parse_args(argv)
    try:
        target = reference(args.image, args.digest)
        try:
            raw = args.action.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RefusedError(f"cannot read {args.action}: {error}") from None
        result = rewrite(text, target)
    except RefusedError as error:
        print(f"release_action_yml: refused: {error}", file=sys.stderr)
        return 1
    if result.changed:
        args.action.write_bytes(result.text.encode("utf-8"))
        print(f"{args.action}: runs.image {result.old} -> {result.new}")
    else:
        print(f"{args.action}: runs.image is already {result.new}; unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())

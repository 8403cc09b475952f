#!/usr/bin/env python3
"""Print one version's section of CHANGELOG.md: the release notes of `vX.Y.Z`.

    python3 scripts/changelog_section.py 1.2.0 > notes.md

The release workflow runs it before it builds anything, so a tag whose version has no
`## [X.Y.Z] - YYYY-MM-DD` heading in CHANGELOG.md (Keep a Changelog) fails at once, before
an image or a tag exists, instead of publishing a release that says nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$")


class MissingSectionError(Exception):
    pass


def section(text: str, version: str) -> str:
    """The lines under `## [version] - date`, up to the next `## ` heading, trimmed."""
    lines = text.splitlines()
    start = None
    for number, line in enumerate(lines):
        match = HEADING.match(line)
        if match and match["version"] == version:
            if not match["date"]:
                raise MissingSectionError(f"## [{version}] has no release date (- YYYY-MM-DD)")
            start = number + 1
            break
    if start is None:
        raise MissingSectionError(f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section")
    end = next((n for n in range(start, len(lines)) if lines[n].startswith("## ")), len(lines))
    # Link reference definitions ([1.2.0]: https://...) belong to the file, not the notes.
    body = [line for line in lines[start:end] if not re.match(r"^\[[^\]]+\]: ", line)]
    notes = "\n".join(body).strip()
    if not notes:
        raise MissingSectionError(f"## [{version}] in CHANGELOG.md is empty")
    return notes + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print one version's CHANGELOG.md section.")
    parser.add_argument("version", help="X.Y.Z, without the tag's v")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(section(args.changelog.read_text(encoding="utf-8"), args.version))
    except (OSError, MissingSectionError) as error:
        print(f"changelog_section: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

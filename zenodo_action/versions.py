"""Which of two releases is the newer: the order a write-back must never go against; and
the one rule for a leading "v" that every part of the tool follows.

**The leading "v"**: `v1.2` and `V1.2` are the version `1.2`, a "v" directly before a digit
being a tag's habit, not part of the version (`bare`, `same_version`). Zenodo's GitHub
webhook names a version by its tag (`v1.2.0`) unless .zenodo.json sets one (`1.2.0`)
(zenodo-api.md §11.1), so the planner finds a version whichever spelling a run asks for,
the stale-citation check does not call `1.2` stale against the release `V1.2`, and the
write-back keeps each file's own habit (`leading_v`). A "v" before anything else is text:
`version-2` stays as it is.

Pure functions, no I/O. A version is compared in the first of these orders that reads
both sides (a leading "v" or "V" before a digit is ignored everywhere):

1. **PEP 440** (https://peps.python.org/pep-0440/): `1.2`, `1.2.0` and `1.2.0.0` are the
   same release; `1.3.dev1 < 1.3a1 < 1.3b2 < 1.3rc1 < 1.3 < 1.3.post1`; the spellings PEP 440
   normalises are read too (`1.3-alpha.1`, `1.3.RC1`, `1.3-1` = a post-release); an epoch
   (`1!2.0`) sorts first. A local label (`+ubuntu1`) is not compared: `1.3+a` equals `1.3`.
   An ISO date (`2024-05-02`) is read as the release `2024.5.2`, so dates order among
   themselves and with calendar versions (`2024.05`).
2. **Semantic Versioning 2.0.0** (https://semver.org/ §11), for what PEP 440 cannot read:
   `1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta.11 < 1.0.0`; numeric
   identifiers compare as numbers, others as text; build metadata (`+sha.5114f85`) is
   ignored.
3. Otherwise the two versions **cannot be compared** (`None`): a tag such as `nightly` or
   `release-two`, or one side in each scheme. Equal text is always equal.

`is_older` then falls back to the release dates (ISO `YYYY-MM-DD`); when those are
unknown too, a release is not taken as older.

Why our own comparator and not `packaging`: the write-back needs one question answered
(is this release older than that one?) for semantic versions, PEP 440 versions and dates
alike, and must never fail on a tag that is none of them; `packaging.version` parses PEP
440 only, and would be a fourth runtime dependency (README "Dependencies"). The tests check
this module's PEP 440 order against `packaging`'s on generated versions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PEP440 = re.compile(
    r"""
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>\d+)?)?
    (?:-(?P<post_implicit>\d+)|[-_.]?(?:post|rev|r)[-_.]?(?P<post_n>\d+)?(?P<post>))?
    (?:[-_.]?dev[-_.]?(?P<dev_n>\d+)?(?P<dev>))?
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PHASES = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_SEMVER = re.compile(
    r"(?P<release>\d+(?:\.\d+)*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)

_Key = tuple[object, ...]


def leading_v(version: str) -> str:
    """The version's leading "v" or "V" (before a digit), else ""."""
    before_digit = version[:1] in ("v", "V") and "0" <= version[1:2] <= "9"
    return version[0] if before_digit else ""


def bare(version: str) -> str:
    """The version without its leading "v": `v1.2` -> `1.2`; `version-2` is left alone."""
    return version[len(leading_v(version)) :]


def same_version(a: str | None, b: str | None) -> bool:
    """The same version, with or without a leading "v"; an unknown version is none."""
    if not a or not b:
        return False
    return a == b or bare(a) == bare(b)


@dataclass(frozen=True)
class Release:
    """What a release, a file or a pull request says it is: any part may be unknown."""

    version: str | None
    date: str | None  # YYYY-MM-DD


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1 as `a` is older than, the same as or newer than `b`; None when the two
    cannot be put in one order (see the module's docstring)."""
    a, b = bare(a.strip()), bare(b.strip())
    if a.casefold() == b.casefold():
        return 0
    for key in (_pep440_key, _semver_key):
        ka, kb = key(a), key(b)
        if ka is not None and kb is not None:
            return (ka > kb) - (ka < kb)
    return None


def compare_dates(a: str | None, b: str | None) -> int | None:
    """-1, 0, 1 for two ISO dates (a time after the date is ignored); None if either is
    missing or not a date."""
    da, db = _date(a), _date(b)
    if da is None or db is None:
        return None
    return (da > db) - (da < db)


def is_older(this: Release, than: Release) -> bool:
    """`this` comes before `than`: by version when both versions are known and in one
    order (equal versions are not older, whatever their dates), else by date."""
    if this.version is not None and than.version is not None:
        order = compare(this.version, than.version)
        if order is not None:
            return order < 0
    return compare_dates(this.date, than.date) == -1


def _date(text: str | None) -> datetime.date | None:
    match = _ISO_DATE.match(text.strip()) if text else None
    if match is None:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _release(numbers: str) -> tuple[int, ...]:
    """The release numbers without trailing zeros: 1.2.0 is 1.2."""
    parts = [int(part) for part in numbers.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _pep440_key(version: str) -> _Key | None:
    date = _ISO_DATE.fullmatch(version)
    if date is not None:
        version = ".".join(date.groups())
    match = _PEP440.fullmatch(version)
    if match is None:
        return None
    parts = match.groupdict()
    pre: tuple[int, int]
    post: tuple[int, ...]
    if parts["pre"] is not None:
        pre = (_PHASES[parts["pre"].lower()], int(parts["pre_n"] or 0))
    elif parts["dev"] is not None and parts["post"] is None and not parts["post_implicit"]:
        pre = (-1, 0)  # 1.3.dev1 comes before 1.3a1
    else:
        pre = (3, 0)  # a final release comes after its pre-releases
    if parts["post_implicit"]:
        post = (int(parts["post_implicit"]),)
    elif parts["post"] is not None:
        post = (int(parts["post_n"] or 0),)
    else:
        post = ()  # no post-release comes before any
    dev = (0, int(parts["dev_n"] or 0)) if parts["dev"] is not None else (1, 0)
    return (int(parts["epoch"] or 0), _release(parts["release"]), pre, post, dev)


def _semver_key(version: str) -> _Key | None:
    match = _SEMVER.fullmatch(version)
    if match is None:
        return None
    pre = match.group("pre")
    if pre is None:
        return (_release(match.group("release")), (1,))
    # Numeric identifiers sort below alphanumeric ones, and numerically among themselves.
    identifiers = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (_release(match.group("release")), (0, identifiers))

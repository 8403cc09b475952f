"""Offline vocabularies: the packaged schema, Zenodo's license ids, and names people use
for fields by mistake.

The closed vocabularies (upload types, relations, roles, ...) live in schema.json only;
this module reads them from there.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from zenodo_action.naming import setting


def _load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = _load("schema.json")
    return loaded


def schema_copy() -> dict[str, Any]:
    """A copy callers may change without affecting validation."""
    copied: dict[str, Any] = json.loads(json.dumps(schema()))
    return copied


@lru_cache(maxsize=1)
def _licenses() -> dict[str, Any]:
    """Zenodo's licence data as scripts/update-zenodo-licenses extracts it (its source is
    named in the file; docs/reference/zenodo-deposit-rules.md §2)."""
    loaded: dict[str, Any] = _load("data/licenses.json")
    return loaded


@lru_cache(maxsize=1)
def license_ids() -> frozenset[str]:
    """Lower-cased license ids Zenodo accepts: SPDX ids and legacy Zenodo ids, with the
    aliases its legacy API applies (`cc-by` -> CC-BY-4.0), and the two legacy ids it stores
    as a free-text licence."""
    return frozenset(_licenses()["accepted"]) | frozenset(_licenses()["free_text"])


def is_known_license(license_id: str) -> bool:
    """Whether Zenodo accepts the id: case-insensitive and stripped, as its legacy API
    compares, except the free-text ids, which it looks up exactly as written."""
    return license_id.strip().lower() in _licenses()["accepted"] or (
        license_id in _licenses()["free_text"]
    )


def license_echo(license_id: str) -> str | None:
    """What Zenodo's legacy JSON answers with for a licence sent as `license_id`: the
    legacy id of the one it stores (`MIT` -> `mit-license`, `CC0-1.0` -> `cc-zero`), or
    None when it answers with none (a free-text licence) or refuses the id."""
    found = _licenses()["accepted"].get(license_id.strip().lower())
    return str(found[1]) if found else None


def license_of_url(url: str) -> str | None:
    """The id of a licence Zenodo's vocabulary lists under this URL, or None."""
    return _licenses_by_url().get(_url_key(url))


@lru_cache(maxsize=1)
def _licenses_by_url() -> dict[str, str]:
    return {_url_key(url): str(found) for url, found in _licenses()["urls"].items()}


def _url_key(url: str) -> str:
    """A URL without what does not tell licences apart: scheme, `www.`, a trailing `/`."""
    text = re.sub(r"^https?://(?:www\.)?", "", url.strip(), flags=re.IGNORECASE)
    return text.rstrip("/").lower()


@lru_cache(maxsize=1)
def _languages() -> tuple[dict[str, str], frozenset[str]]:
    """Zenodo's language codes (scripts/update-languages; zenodo-deposit-rules.md §4)."""
    data = _load("data/languages.json")
    return dict(data["two_letter"]), frozenset(data["three_letter"].split())


def language_id(code: str) -> str | None:
    """The id Zenodo stores for a language code (a 2-letter one becomes its 3-letter
    code), or None when its vocabulary has none. pycountry finds a 2-letter code in any
    letter case; a 3-letter one is the vocabulary's id, as written (zenodo-deposit-rules.md §4)."""
    two_letter, three_letter = _languages()
    if len(code) == 2:
        return two_letter.get(code.lower())
    return code if code in three_letter else None


# Licence names people write for an SPDX id (OSI's names, old spellings); spelling alone
# would not find them. `GPLv3` and the like are left to the family rule below, which offers
# both the -only and the -or-later id, since the name does not say which was meant.
LICENSE_SYNONYMS = {
    "bsd+patent": "bsd-2-clause-patent",
    "bsd-2-clause+patent": "bsd-2-clause-patent",
    "apache2": "apache-2.0",
    "apache 2.0": "apache-2.0",
    "new bsd": "bsd-3-clause",
    "simplified bsd": "bsd-2-clause",
}

# The licences research software and data most often carry, the most used first: when a
# name only says the family (`GPL3`, `BSD`, `LGPL`), these members are offered before its
# rarer ones (`BSD-4-Clause`, `GPL-1.0-only`).
_COMMON_LICENSES = (
    "mit",
    "apache-2.0",
    "gpl-3.0-only",
    "gpl-3.0-or-later",
    "gpl-2.0-only",
    "gpl-2.0-or-later",
    "bsd-3-clause",
    "bsd-2-clause",
    "lgpl-3.0-only",
    "lgpl-3.0-or-later",
    "lgpl-2.1-only",
    "lgpl-2.1-or-later",
    "agpl-3.0-only",
    "agpl-3.0-or-later",
    "mpl-2.0",
    "epl-2.0",
    "eupl-1.2",
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "cc0-1.0",
    "unlicense",
    "bsl-1.0",
    "isc",
)
_OFFERED = 3  # licences offered at most for one unknown id
_SPELLING_CUTOFF = 0.8  # difflib ratio: `Apachee-2.0` 0.95; `Not-A-Licence`/`ntp-license` 0.75
_LETTERS = re.compile(r"[a-z][a-z +-]*")
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def stored_license(license_id: str) -> str | None:
    """The licence Zenodo stores for an id it accepts, as SPDX spells it (`cc-by` ->
    `CC-BY-4.0`, `apache2.0` -> `Apache-2.0`); None for an id it refuses."""
    found = _licenses()["accepted"].get(license_id.strip().lower())
    return spdx_case(str(found[0])) if found else None


def is_spdx_license(license_id: str) -> bool:
    """Whether the id is on SPDX's list (the one CFF's `license` takes), in any case."""
    return license_id.strip().lower() in _spdx_spellings()


def similar_licenses(license_id: str, *, spdx_only: bool = False) -> list[str]:
    """The licences someone writing `license_id` most likely meant, one spelling of each as
    SPDX spells it, and only ids the field takes (`spdx_only`: SPDX's list, as CFF's); none
    when nothing is close. A name (`MIT License`, `new BSD`) gives its id; a family with or
    without a version (`GPL3`, `BSD`) its members, the common ones first; else a near
    spelling."""
    wanted = license_id.strip().lower()
    named = stored_license(LICENSE_SYNONYMS.get(wanted) or wanted)
    by_name = stored_license(license_from_name(wanted) or "")
    offered = [named] if named else _family_members(wanted)
    offered = offered or ([by_name] if by_name else _near_spellings(wanted))
    return [found for found in offered if not spdx_only or is_spdx_license(found)][:_OFFERED]


def _family_members(wanted: str) -> list[str]:
    """`gpl3` -> GPL-3.0-only, GPL-3.0-or-later; `bsd` -> BSD-3-Clause, BSD-2-Clause: the
    accepted licences of the same family (the letters before the version) and version
    (as far as it is written), the common ones only when there are any."""
    family, version = _family_of(wanted)
    if not family:
        return []
    members = [
        stored
        for stored in _stored_licenses()
        if _family_of(stored.lower())[0] == family
        and _same_version(version, _family_of(stored.lower())[1])
    ]
    common = [spdx_case(known) for known in _COMMON_LICENSES if spdx_case(known) in members]
    return common or sorted(members, reverse=True)  # the newest version first


def _family_of(text: str) -> tuple[str, str]:
    """`gpl-3.0-only` -> (gpl, 3.0); `GPLv3` -> (gpl, 3); `cc-by-sa-4.0` -> (ccbysa, 4.0);
    `0bsd` -> ('', '')."""
    letters = _LETTERS.match(text)
    if letters is None:
        return "", ""
    family = re.sub(r"[^a-z]", "", letters.group(0))
    version = _VERSION.match(text, letters.end())
    if version and family.endswith("v") and len(family) > 1:
        family = family[:-1]  # GPLv3
    return family, version.group(0) if version else ""


def _same_version(written: str, stored: str) -> bool:
    """`3` is 3.0's version, `2` both 2.0's and 2.1's; no version written, any."""
    parts = written.split(".") if written else []
    return stored.split(".")[: len(parts)] == parts


def _near_spellings(wanted: str) -> list[str]:
    close = difflib.get_close_matches(wanted, license_ids(), n=_OFFERED, cutoff=_SPELLING_CUTOFF)
    offered: list[str] = []
    for found in close:
        stored = stored_license(found)
        if stored and stored not in offered:
            offered.append(stored)
    return offered


@lru_cache(maxsize=1)
def _stored_licenses() -> tuple[str, ...]:
    """Every licence Zenodo stores, once, as SPDX spells it."""
    stored = {spdx_case(str(found[0])) for found in _licenses()["accepted"].values()}
    return tuple(sorted(stored))


# A licence's name as its text and GitHub show it ("MIT License", "Apache License 2.0",
# "GNU General Public License v3.0"): the family's words become its id's stem, the words
# every name carries go, and what is left, hyphenated, is usually the SPDX id.
_LICENSE_FAMILIES = (
    ("gnu affero general public", "agpl"),
    ("gnu lesser general public", "lgpl"),
    ("gnu library general public", "lgpl"),
    ("gnu general public", "gpl"),
    ("mozilla public", "mpl"),
    ("eclipse public", "epl"),
    ("european union public", "eupl"),
    ("boost software", "bsl"),
    ("academic free", "afl"),
    ("creative commons attribution-sharealike", "cc-by-sa"),
    ("creative commons attribution sharealike", "cc-by-sa"),
    ("creative commons attribution", "cc-by"),
    ("creative commons zero", "cc0"),
)
_LICENSE_NOISE = re.compile(
    r"\b(?:the|license|licence|version|international|universal|simplified|new or revised)\b"
)


def license_from_name(name: str) -> str | None:
    """The known id a licence's name stands for (`MIT License` -> `mit`), or None."""
    text = " ".join(re.sub(r'[,()"]', " ", name.lower()).split())
    for words, stem in _LICENSE_FAMILIES:
        text = text.replace(words, stem)
    text = re.sub(r"\bv(?=[0-9])", "", text)  # v3.0 -> 3.0
    text = _LICENSE_NOISE.sub(" ", text).replace("or later", "or-later")
    base = "-".join(text.split())
    for candidate in (base, f"{base}-only", f"{base}.0"):
        if base and candidate in license_ids():
            return candidate
    return None


@lru_cache(maxsize=1)
def _spdx_spellings() -> dict[str, str]:
    """Lower-cased SPDX id -> as SPDX writes it, from the CFF schema's licence list."""
    listed = _load("data/cff-1.2.0.schema.json")["definitions"]["license-enum"]["enum"]
    return {spdx.lower(): spdx for spdx in listed}


def spdx_case(license_id: str) -> str:
    """`apache-2.0` -> `Apache-2.0`; a legacy Zenodo id (`cc-zero`) stays as it is."""
    return _spdx_spellings().get(license_id.lower(), license_id)


# Keys people write for a field that has another name in Zenodo's metadata. Zenodo drops
# unknown keys without a word, so each of these would silently lose data.
KEY_SYNONYMS = {
    "abstract": "description",
    "summary": "description",
    "author": "creators",
    "authors": "creators",
    "creator": "creators",
    "contributor": "contributors",
    "funding": "grants",
    "funders": "grants",
    "funder": "grants",
    "grant": "grants",
    "tags": "keywords",
    "tag": "keywords",
    "keyword": "keywords",
    "licence": "license",
    "licenses": "license",
    "licences": "license",
    "type": "upload_type",
    "resource_type": "upload_type",
    "date": "publication_date",
    "release_date": "publication_date",
    "date_published": "publication_date",
    "published": "publication_date",
    "access": "access_right",
    "access_rights": "access_right",
    "embargo": "embargo_date",
    "community": "communities",
    "reference": "references",
    "related": "related_identifiers",
    "related_identifier": "related_identifiers",
    "relations": "related_identifiers",
    "identifiers": "related_identifiers",
    "note": "notes",
    "methods": "method",
    "methodology": "method",
    "subject": "subjects",
    "location": "locations",
    "supervisors": "thesis_supervisors",
    "publisher": "imprint_publisher",
    "university": "thesis_university",
    "lang": "language",
    # inside creators / contributors
    "affiliations": "affiliation",
    "orcid_id": "orcid",
    "orcidid": "orcid",
    "role": "type",
    "given_name": "name",
    "family_name": "name",
    "given-names": "name",
    "family-names": "name",
    # inside related_identifiers
    "relation_type": "relation",
    "relationtype": "relation",
    "id": "identifier",
}

# Keys that come from Zenodo's responses or other formats rather than from a typo.
KEY_EXPLANATIONS = {
    "metadata": "put the fields inside 'metadata:' at the top level of the file",
    "conceptdoi": "Zenodo assigns the concept DOI; remove it",
    "conceptrecid": "Zenodo assigns the concept record id; remove it",
    "files": f"the files to publish are named by {setting('files')}, not by this file; remove it",
    "cff-version": "this looks like CITATION.cff content; .zenodo.yml uses Zenodo's field names",
}


def suggest_key(key: str, allowed: list[str]) -> str | None:
    """The allowed key someone writing `key` most likely meant, or None."""
    lowered = key.strip().lower().replace("-", "_")
    if lowered in allowed and lowered != key:
        return lowered
    synonym = KEY_SYNONYMS.get(lowered) or KEY_SYNONYMS.get(key.strip().lower())
    if synonym in allowed:
        return synonym
    close = difflib.get_close_matches(lowered, allowed, n=1, cutoff=0.75)
    return close[0] if close else None

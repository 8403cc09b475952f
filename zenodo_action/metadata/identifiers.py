"""Identifiers as people write them and as Zenodo stores them: ORCID iDs, DOIs, SPDX ids.

Zenodo repairs an ORCID before checking it (`idutils.normalize_orcid`: the URL prefix,
spaces and every hyphen go, the 16 characters are regrouped in fours; zenodo-api.md
§11.1), so `0000-0002-1825-0097 ` and `0000000218250097` are stored as valid iDs while
`A0000-0002-2432-8946` stays invalid. The gate follows the same rule: what Zenodo repairs
is a warning showing the stored form, what it cannot repair is an error.
"""

from __future__ import annotations

import re
from datetime import date

ORCID_URL = re.compile(r"^https?://(?:www\.)?orcid\.org/", re.IGNORECASE)
_ORCID = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.[0-9]{4,9}/\S+)$", re.IGNORECASE)
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
ZENODO_DOI_PREFIXES = ("10.5281/zenodo.", "10.5072/zenodo.")  # production, sandbox
_SPDX_URL = re.compile(r"^https?://spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 over the 15 digits, checked against the last character."""
    digits = orcid.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def stored_orcid(value: str) -> str | None:
    """The iD Zenodo stores for an ORCID as written, or None when it would refuse it.

    Stricter than idutils in one way: a value that is not exactly 16 characters once the
    spaces and hyphens are gone is refused, where idutils would cut it to 16 and might
    store someone else's iD.
    """
    compact = ORCID_URL.sub("", value.strip()).replace("-", "").replace(" ", "")
    if len(compact) != 16:
        return None
    grouped = "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    return grouped if _ORCID.match(grouped) and orcid_checksum_ok(grouped) else None


def bare_orcid(value: str) -> str:
    """An ORCID without its URL prefix (what a .zenodo.json holds)."""
    return ORCID_URL.sub("", value.strip())


def doi_of(value: str) -> str | None:
    """`10.1234/abc` from a DOI written bare, as `doi:` or as a doi.org URL; else None."""
    match = _DOI.match(value.strip())
    return match.group(1) if match else None


# The canonical URLs of common licences, which codemeta files give instead of an id
# (the same URLs zenodo-rdm's licence vocabulary lists for these ids).
_LICENSE_URLS = (
    (
        re.compile(r"^https?://(?:www\.)?apache\.org/licenses/LICENSE-2\.0(?:\.html|\.txt)?/?$"),
        "Apache-2.0",
    ),
    (
        re.compile(
            r"^https?://(?:www\.)?opensource\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.php)?/?$"
        ),
        None,
    ),
    (
        re.compile(
            r"^https?://(?:www\.)?gnu\.org/licenses/((?:a|l)?gpl)-([0-9]+(?:\.[0-9]+)?)"
            r"(?:\.en)?(?:\.html|\.txt)?/?$"
        ),
        "gnu",
    ),
    (
        re.compile(
            r"^https?://creativecommons\.org/licenses/([a-z-]+)/([0-9.]+)/?(?:legalcode)?/?$"
        ),
        "cc",
    ),
    (
        re.compile(r"^https?://creativecommons\.org/publicdomain/zero/1\.0/?(?:legalcode)?/?$"),
        "CC0-1.0",
    ),
)


def spdx_of(value: str) -> str:
    """An SPDX id from an id, an spdx.org licence URL, or a licence's canonical URL
    (codemeta writes URLs); anything else as written, for the validator to judge."""
    text = value.strip()
    match = _SPDX_URL.match(text)
    if match:
        return match.group(1)
    for pattern, spdx in _LICENSE_URLS:
        found = pattern.match(text)
        if found is None:
            continue
        if spdx == "gnu":
            version = found.group(2) if "." in found.group(2) else f"{found.group(2)}.0"
            return f"{found.group(1).upper()}-{version}"
        if spdx == "cc":
            return f"CC-{found.group(1).upper()}-{found.group(2)}"
        return spdx or found.group(1)
    return text


def web_url(url: str) -> str:
    """A repository URL as a browser opens it: `git+https://host/o/r.git` -> `https://host/o/r`."""
    text = url.strip().removeprefix("git+")
    return text.removesuffix(".git") if text.startswith(("https://", "http://")) else text


def is_zenodo_doi(doi: str) -> bool:
    """A DOI Zenodo minted: a version or the concept of a record there."""
    return doi.lower().startswith(ZENODO_DOI_PREFIXES)


def real_date(text: str) -> date | None:
    """The day a YYYY-MM-DD text names, or None when it is not one or does not exist."""
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None

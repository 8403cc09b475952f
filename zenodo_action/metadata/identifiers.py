"""Identifiers as people write them and as Zenodo stores them: ORCID iDs, DOIs, SPDX ids.

Zenodo repairs an ORCID before checking it (idutils: an `http(s)://orcid.org/` prefix,
spaces and every hyphen go, the 16 characters are regrouped in fours), so
`0000-0002-1825-0097 ` and `0000000218250097` are stored as valid iDs while
`A0000-0002-2432-8946` stays invalid; a valid iD also lies in the blocks ORCID issues
(docs/reference/zenodo-deposit-rules.md §4). The gate follows the same rule: what Zenodo
repairs is a warning showing the stored form, what it cannot repair is an error.
"""

from __future__ import annotations

import re
from datetime import date

ORCID_URL = re.compile(r"^https?://orcid\.org/")  # the prefixes idutils removes, as spelt
_ORCID = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]$")
ANY_ORCID_URL = re.compile(r"^https?://(?:www\.)?orcid\.org/", re.IGNORECASE)
# The ISNI blocks ORCID iDs are issued from (the first 15 digits as a number).
_ORCID_BLOCKS = ((15_000_000, 35_000_000), (900_000_000_000, 900_100_000_000))
_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.[0-9]{4,9}/\S+)$", re.IGNORECASE)
DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")  # the shape of a date in every file read
ZENODO_DOI_PREFIXES = ("10.5281/zenodo.", "10.5072/zenodo.")  # production, sandbox
_SPDX_URL = re.compile(r"^https?://spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 over the 15 digits, checked against the last character."""
    digits = orcid.replace("-", "").upper()
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def in_orcid_blocks(orcid: str) -> bool:
    """Whether an iD with a right checksum is one ORCID can have issued."""
    number = int(orcid.replace("-", "")[:15])
    return any(low <= number <= high for low, high in _ORCID_BLOCKS)


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
    valid = _ORCID.match(grouped) and orcid_checksum_ok(grouped) and in_orcid_blocks(grouped)
    return grouped if valid else None


def read_orcid(value: str) -> str | None:
    """The iD an ORCID in CITATION.cff or codemeta.json names, as this tool sends it:
    what Zenodo would store, also from a `www.orcid.org` URL (the bare iD is sent)."""
    return stored_orcid(ANY_ORCID_URL.sub("", value.strip()))


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
            r"(?:-standalone)?(?:\.en)?(?:\.html|\.txt)?/?$"
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
    (
        re.compile(r"^https?://(?:www\.)?choosealicense\.com/licenses/([A-Za-z0-9.+-]+?)/?$"),
        None,
    ),
)


def spdx_of(value: str) -> str:
    """An SPDX id from an id, a licence URL of spdx.org, opensource.org or
    choosealicense.com, or a URL Zenodo's licence vocabulary lists (codemeta writes URLs);
    anything else as written, for the validator to judge."""
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
    from zenodo_action.metadata.vocabularies import license_of_url

    return license_of_url(text) or text


def web_url(url: str) -> str:
    """A repository URL as a browser opens it: `git+https://host/o/r.git` and
    `git@host:o/r.git` -> `https://host/o/r`."""
    text = url.strip().removeprefix("git+")
    scp = _SCP_LIKE.match(text)
    if scp:
        text = f"https://{scp.group(1)}/{scp.group(2)}"
    return text.removesuffix(".git") if text.startswith(("https://", "http://")) else text


_SCP_LIKE = re.compile(r"^git@([A-Za-z0-9.-]+):(?!//)(\S+)$")


# --- related identifiers: the scheme Zenodo detects (docs/reference/zenodo-deposit-rules.md §3)

SWH_ARCHIVE = "https://archive.softwareheritage.org/"
_SWHID = re.compile(r"^swh:1:(?:cnt|dir|rel|rev|snp):[0-9a-f]{40}(?:;\S*)?$")
_DOI_FORMS = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d+(?:\.\d+)*/.+)$", re.IGNORECASE
)
_HANDLE_FORMS = re.compile(
    r"^(?:hdl:\s*|(?:https?://)?hdl\.handle\.net/)?([^/.]+(?:\.[^/.]+)*/.*)$", re.IGNORECASE
)
_ARXIV = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?)$", re.IGNORECASE)
# before 2007: archive, an optional subject class (dropped when stored), number
_OLD_ARXIV = re.compile(r"^(?:arxiv:)?([a-z-]+)(?:\.[a-z]{2})?(/\d{4}\d+(?:v\d+)?)$", re.IGNORECASE)
_PMID = re.compile(r"^(?:pmid:|https?://pubmed\.ncbi\.nlm\.nih\.gov/)?(\d+)/?$", re.IGNORECASE)
# Schemes Zenodo takes that need no "/" (a value with one is at least a handle to it):
# a URN, ISBN/ISSN/ISNI/EAN numbers, a Wikidata item, an RRID, a CSTR, an ADS bibcode.
_NO_SLASH_SCHEMES = (
    re.compile(r"^urn:\S", re.IGNORECASE),
    re.compile(r"^[0-9Xx -]+$"),
    re.compile(r"^(?:wikidata:\s*)?Q\d+$", re.IGNORECASE),
    re.compile(r"^(?:rrid:)?[A-Za-z]+_[A-Za-z0-9_-]+$", re.IGNORECASE),
    re.compile(r"^(?:cstr:)?(?:[A-Za-z0-9_-]+\.){3}[A-Za-z0-9_-]+$", re.IGNORECASE),
    re.compile(r"^(?:ads:)?\d{4}[A-Za-z]\S{13}[A-Za-z.:]$", re.IGNORECASE),
)


def swh_archive_url(identifier: str) -> str | None:
    """The Software Heritage archive's page of a SWHID (`swh:1:dir:…`, qualifiers and all),
    which Zenodo stores as a URL: it recognises no scheme in the bare SWHID."""
    text = identifier.strip()
    return SWH_ARCHIVE + text if _SWHID.match(text) else None


def has_zenodo_scheme(identifier: str) -> bool:
    """Whether Zenodo recognises a scheme it allows in a related identifier, which it
    refuses with "No valid scheme recognized for identifier." otherwise. idutils finds a
    handle in anything holding a "/" (a URL, a DOI, `owner/repo`); without one, only the
    forms above count, and a SWHID never."""
    text = identifier.strip()
    if not text or text.lower().startswith("swh:"):
        return False
    if "/" in text or _ARXIV.match(text) or _PMID.match(text):
        return True
    return any(pattern.match(text) for pattern in _NO_SLASH_SCHEMES)


def stored_identifier(identifier: str) -> str:
    """A related identifier as Zenodo stores it: a DOI, handle, arXiv id or PubMed id
    without its prefix or resolver (`https://doi.org/10.1/x` -> `10.1/x`), anything
    else (a URL) as written."""
    text = identifier.strip()
    for pattern, form in ((_DOI_FORMS, "{}"), (_ARXIV, "arXiv:{}"), (_PMID, "{}")):
        found = pattern.match(text)
        if found:
            return form.format(found.group(1))
    found = _OLD_ARXIV.match(text)
    if found:
        return f"arXiv:{found.group(1)}{found.group(2)}"
    found = _HANDLE_FORMS.match(text)
    if found and text.lower().startswith(
        ("hdl:", "http://hdl.handle.net/", "https://hdl.handle.net/")
    ):
        return found.group(1)
    return text


def is_zenodo_doi(doi: str) -> bool:
    """A DOI Zenodo minted: a version or the concept of a record there."""
    return doi.lower().startswith(ZENODO_DOI_PREFIXES)


def real_date(text: str) -> date | None:
    """The day a YYYY-MM-DD text names, or None when it is not one or does not exist."""
    match = DATE.match(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None

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
# a DOI's prefix may be subdivided (`10.1000.10/…`: the DOI handbook, idutils)
DOI_NAME = r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+"
_DOI = re.compile(rf"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?({DOI_NAME})$", re.IGNORECASE)
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
    """A repository URL as a browser opens it: `git+https://host/o/r.git`,
    `git@host:o/r.git` and `host/o/r` -> `https://host/o/r`."""
    text = url.strip().removeprefix("git+")
    scp = _SCP_LIKE.match(text)
    if scp:
        text = f"https://{scp.group(1)}/{scp.group(2)}"
    text = full_url(text) or text
    return text.removesuffix(".git") if text.startswith(("https://", "http://")) else text


_SCP_LIKE = re.compile(r"^git@([A-Za-z0-9.-]+):(?!//)(\S+)$")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S")
# a host name (letters in its last label, so no DOI prefix), then a port and a path
_BARE_HOST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:[/?#]\S*)?$")


def full_url(text: str) -> str | None:
    """A URL as written when it has a scheme, `https://` put before a host written
    without one (`github.com/o/r`, `www.example.org`); None for anything else. Zenodo
    would store a bare host with a path as a handle (a link to hdl.handle.net) and refuse
    one without a path (zenodo-deposit-rules.md §3)."""
    value = text.strip()
    if _HAS_SCHEME.match(value):
        return value
    return f"https://{value}" if _BARE_HOST.match(value) else None


# --- related identifiers: the scheme Zenodo detects (docs/reference/zenodo-deposit-rules.md §3)

SWH_ARCHIVE = "https://archive.softwareheritage.org/"
_SWHID = re.compile(r"^(swh:1:(?:cnt|dir|rel|rev|snp):[0-9a-f]{40})(;\S*)?$", re.IGNORECASE)
_DOI_FORMS = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d+(?:\.\d+)*/.+)$", re.IGNORECASE
)
_HANDLE_FORMS = re.compile(
    r"^(?:hdl:\s*|(?:https?://)?hdl\.handle\.net/)?([^/.]+(?:\.[^/.]+)*/.*)$", re.IGNORECASE
)
_ARXIV = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?)$", re.IGNORECASE)
# before 2007: archive, an optional subject class (dropped when stored), number
_OLD_ARXIV = re.compile(r"^(?:arxiv:)?([a-z-]+)(?:\.[a-z]{2})?(/\d{4}\d+(?:v\d+)?)$", re.IGNORECASE)
_WIKIDATA = re.compile(r"^wikidata:\s*(Q\d+)$", re.IGNORECASE)
_PMID = re.compile(r"^(?:pmid:|https?://pubmed\.ncbi\.nlm\.nih\.gov/)?(\d+)/?$", re.IGNORECASE)
# Schemes Zenodo takes that need no "/" (a value with one is at least a handle to it):
# a URN, a Wikidata item, an RRID, a CSTR, an ADS bibcode; numbers are `_NUMBER_SCHEMES`.
_NO_SLASH_SCHEMES = (
    re.compile(r"^urn:\S", re.IGNORECASE),
    re.compile(r"^(?:wikidata:\s*)?Q\d+$", re.IGNORECASE),
    re.compile(r"^(?:rrid:)?[A-Za-z]+_[A-Za-z0-9_-]+$", re.IGNORECASE),
    re.compile(r"^(?:cstr:)?(?:[A-Za-z0-9_-]+\.){3}[A-Za-z0-9_-]+$", re.IGNORECASE),
    re.compile(r"^(?:ads:)?\d{4}[A-Za-z]\S{13}[A-Za-z.:]$", re.IGNORECASE),
)


def swh_archive_url(identifier: str) -> str | None:
    """The Software Heritage archive's page of a SWHID (`swh:1:dir:…`, qualifiers and all),
    which Zenodo stores as a URL: it recognises no scheme in the bare SWHID."""
    found = _SWHID.match(identifier.strip())
    if found is None:
        return None
    # the hash is hexadecimal: an upper-case one (the CFF schema allows it) names the same
    return SWH_ARCHIVE + found.group(1).lower() + (found.group(2) or "")


def has_zenodo_scheme(identifier: str) -> bool:
    """Whether Zenodo recognises a scheme it allows in a related identifier, which it
    refuses with "No valid scheme recognized for identifier." otherwise. idutils finds a
    handle in anything holding a "/" (a URL, a DOI, `owner/repo`); without one, only the
    forms above count, numbers only with a right check digit, and a SWHID never. Zenodo
    detects the scheme in the identifier as sent, spaces around it included."""
    text = identifier.strip()
    if not text or text.lower().startswith("swh:"):
        return False
    if "/" in text or _ARXIV.match(identifier):
        return True
    if _PMID.match(identifier) and not identifier.isdigit():
        return True  # `pmid:123`; bare digits are numbers, below
    if number_scheme(identifier) is not None:
        return True
    return any(pattern.match(identifier) for pattern in _NO_SLASH_SCHEMES)


# --- numbers with a check digit, as idutils (and isbnlib) read them (zenodo-deposit-rules.md §3)

_ISBN_LIKE = re.compile(r"^(?:ISBN(?:-1[03])?:?\s*)?[0-9Xx -]+$", re.IGNORECASE)
_NUMBER_LIKE = re.compile(r"^[0-9Xx -]+$")


def isbn13(value: str) -> str | None:
    """The ISBN-13 (digits only) of a valid ISBN-10 or ISBN-13 written with hyphens or
    spaces, `ISBN` before it or not; None when a check digit is wrong."""
    if not _ISBN_LIKE.match(value):
        return None
    digits = "".join(c for c in value if c in "0123456789Xx")
    digits = digits[:-1] + "X" if digits.endswith("x") else digits
    if "x" in digits or digits.find("X") not in (9, -1) or set(digits) <= {"0", "X"}:
        return None
    if len(digits) == 10 and _isbn10_check(digits[:9]) == digits[9]:
        digits = "978" + digits[:9]
        return digits + _ean_check(digits)
    if len(digits) == 13 and digits[:3] in ("978", "979") and "X" not in digits:
        return digits if _ean_check(digits[:12]) == digits[12] else None
    return None


def is_number_like(value: str) -> bool:
    """Digits with hyphens, spaces or an X, `ISBN` before them or not: a number whose
    scheme is told by its check digit."""
    return bool(_ISBN_LIKE.match(value.strip())) and any(c.isdigit() for c in value)


def _isbn10_check(nine: str) -> str:
    remainder = (11 - sum((10 - i) * int(d) for i, d in enumerate(nine)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def _ean_check(twelve: str) -> str:
    """The check digit of an EAN-13 (and so of an ISBN-13): weights 1 and 3."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return str((10 - total % 10) % 10)


def issn_ok(compact: str) -> bool:
    """8 characters, weights 8 to 1, X counting 10 wherever it stands (as idutils
    counts it): a multiple of 11."""
    if len(compact) != 8 or not set(compact) <= set("0123456789X"):
        return False
    values = [10 if c == "X" else int(c) for c in compact]
    return sum((8 - i) * v for i, v in enumerate(values)) % 11 == 0


def ean13_ok(compact: str) -> bool:
    """13 digits whose last is their EAN check digit (weights 1 and 3)."""
    return len(compact) == 13 and compact.isdigit() and _ean_check(compact[:12]) == compact[12]


def _isni_ok(compact: str) -> bool:
    """16 characters, ISO 7064 MOD 11-2 (as an ORCID iD, which is an ISNI)."""
    return len(compact) == 16 and "X" not in compact[:-1] and orcid_checksum_ok(compact)


def _istc_ok(compact: str) -> bool:
    """16 hexadecimal digits whose last is the weighted sum (11, 9, 3, 1) modulo 16."""
    if len(compact) != 16 or "X" in compact:
        return False
    total = sum(int(c, 16) * (11, 9, 3, 1)[i % 4] for i, c in enumerate(compact[:-1]))
    return f"{total % 16:X}" == compact[-1]


def number_scheme(value: str) -> str | None:
    """The scheme Zenodo detects in a number written with digits, hyphens, spaces and X
    (in idutils' order: isbn, issn, isni, istc, then a PubMed id, which is any run of
    digits unless it is an EAN-8); None when none of its check digits is right (a GND or
    an EAN-8, which Zenodo does not allow, or nothing). Spaces around it count, as for
    Zenodo: `12345 ` is no PubMed id."""
    if isbn13(value):
        return "isbn"
    if not _NUMBER_LIKE.match(value):
        return None
    compact = value.replace("-", "").replace(" ", "").upper()
    for scheme, check in (("issn", issn_ok), ("isni", _isni_ok), ("istc", _istc_ok)):
        if check(compact):
            return scheme
    if value.isdigit() and len(value) == 8 and _ean8_ok(value):
        return None  # an EAN-8 (not allowed) hides the PubMed reading
    return "pmid" if value.isdigit() else None


def _ean8_ok(digits: str) -> bool:
    total = sum(int(d) * (1 if i % 2 else 3) for i, d in enumerate(digits[:7]))
    return str((10 - total % 10) % 10) == digits[7]


_GND = re.compile(
    r"^(?:gnd:|GND:|https?://d-nb\.info/gnd/|d-nb\.info/gnd/)?"
    r"(1[012]?\d{7}[0-9X]|[47]\d{6}-\d|[1-9]\d{0,7}-[0-9X]|3\d{7}[0-9X])$"
)


def stored_gnd(value: str) -> str | None:
    """The GND number Zenodo stores (and answers with) for a person's `gnd`, or None when
    it matches no GND form, which Zenodo's deserializer fails on with an internal error.
    Stricter than idutils in one way: trailing text it would cut off is refused."""
    found = _GND.match(value.strip())
    return found.group(1) if found else None


def stored_identifier(identifier: str) -> str:
    """A related identifier as Zenodo stores it: a DOI, handle, arXiv id or PubMed id
    without its prefix or resolver (`https://doi.org/10.1/x` -> `10.1/x`), an ISSN as
    `NNNN-NNNN`, a Wikidata item as `Q…`, anything else (a URL) as written. An ISBN is
    given as its ISBN-13's digits: Zenodo hyphenates it by the ISBN agencies' ranges,
    which a comparison need not know (both sides pass through here)."""
    text = identifier.strip()
    scheme = number_scheme(text)
    if scheme == "isbn":
        return isbn13(text) or text
    if scheme == "issn":
        compact = text.replace("-", "").replace(" ", "").upper()
        return f"{compact[:4]}-{compact[4:]}"
    wikidata = _WIKIDATA.match(text)
    if wikidata:
        return wikidata.group(1)
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

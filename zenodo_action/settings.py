"""What a publish run needs, parsed and checked once: the Zenodo URL, the concept, the token.

Both front ends (cli.py and action.py) build a `PublishSettings` here, so a flag
and an action input are held to the same rules.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from zenodo_action.errors import UsageError

ZENODO_URL = "https://zenodo.org"
SANDBOX_URL = "https://sandbox.zenodo.org"
# Zenodo mints 10.5281/zenodo.N in production and 10.5072/zenodo.N on the sandbox.
KNOWN_PREFIXES = {"zenodo.org": "10.5281", "sandbox.zenodo.org": "10.5072"}

_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9})/zenodo\.(\d+)$", re.I)
_RECORD_URL_PATH = re.compile(
    r"^/(?:records?|deposit|uploads|api/records|api/deposit/depositions)/(\d+)"
)


@dataclass(frozen=True)
class ConceptRef:
    """A concept DOI, a record id of any version, or a record URL, reduced to a number."""

    id: int
    given: str


@dataclass(frozen=True)
class PublishSettings:
    zenodo_url: str
    token: str = field(repr=False)
    concept: ConceptRef | None = None
    version: str | None = None
    publication_date: str | None = None
    draft: bool = False
    dry_run: bool = False
    takeover_after: float = 600.0  # seconds before another run's idle draft counts as abandoned

    @property
    def api_url(self) -> str:
        return f"{self.zenodo_url}/api"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def zenodo_url(url: str | None, *, sandbox: bool = False) -> str:
    """Check the Zenodo (or InvenioRDM) base URL; plain http only on loopback."""
    if not url:
        return SANDBOX_URL if sandbox else ZENODO_URL
    if sandbox:
        raise UsageError("give either --sandbox or --zenodo-url, not both")
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"zenodo-url {url!r} is not an http(s) URL such as {ZENODO_URL}")
    if parts.scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"zenodo-url {url!r} uses plain http: the token would travel unencrypted; "
            "use https (plain http is allowed only on loopback addresses)"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError("zenodo-url must be a bare base URL, without credentials, query or #")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def concept_ref(given: str | None, base_url: str) -> ConceptRef | None:
    """Parse `--concept`: a DOI, a doi.org URL, a record id or a record URL."""
    if given is None or not given.strip():
        return None
    text = unquote(given.strip())
    if text.isdigit():
        return ConceptRef(int(text), given)
    doi = _DOI.match(text)
    if doi:
        _check_prefix(doi.group(1), base_url, given)
        return ConceptRef(int(doi.group(2)), given)
    parts = urlsplit(text)
    record = _RECORD_URL_PATH.match(parts.path)
    if parts.scheme in ("http", "https") and record:
        _check_host(parts.hostname or "", base_url, given)
        return ConceptRef(int(record.group(1)), given)
    raise UsageError(
        f"concept {given!r} is not a Zenodo concept DOI (10.5281/zenodo.123), "
        "a record id (123) or a record URL (https://zenodo.org/records/123)"
    )


def _check_prefix(prefix: str, base_url: str, given: str) -> None:
    expected = KNOWN_PREFIXES.get(urlsplit(base_url).hostname or "")
    if expected and prefix != expected:
        other = next(host for host, p in KNOWN_PREFIXES.items() if p != expected)
        hint = (
            f" (DOIs with {prefix} belong to {other})" if prefix in KNOWN_PREFIXES.values() else ""
        )
        raise UsageError(
            f"concept {given!r} has DOI prefix {prefix}, but {base_url} mints {expected}{hint}"
        )


def _check_host(host: str, base_url: str, given: str) -> None:
    expected = urlsplit(base_url).hostname or ""
    if host.lower() != expected.lower():
        raise UsageError(
            f"concept URL {given!r} points at {host}, but this run publishes to {expected}; "
            "pass --sandbox or --zenodo-url to match"
        )


def publication_date(given: str | None) -> str | None:
    """A YYYY-MM-DD date (Zenodo rejects date-times, zenodo-api.md §4.3)."""
    if given is None or not given.strip():
        return None
    try:
        return dt.date.fromisoformat(given.strip()).isoformat()
    except ValueError:
        raise UsageError(f"publication date {given!r} is not a date like 2024-05-31") from None

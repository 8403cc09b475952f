"""The one rule for where a request may go, and the one notion of a URL's origin.

Used for every URL a user or a runner gives (the Zenodo URL, GitHub's API URL), every URL
taken from a server's reply and every redirect followed, so the rules cannot drift apart
between the two API clients.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure(url: str) -> Literal["not-http", "plain-http"] | None:
    """Why a request must not go to `url`, or None: only https, or plain http to this
    machine (the tests' servers), may carry a token or fetch what gets published."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return "not-http"
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return "plain-http"
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: two URLs with the
    same origin may share credentials (RFC 6454). Read by urllib3's parser, the one the
    transport connects with, so the token goes where the connection goes; an unparsable
    URL has no host."""
    from urllib3.exceptions import LocationParseError  # here: validate never imports urllib3
    from urllib3.util import parse_url

    try:
        parts = parse_url(url)
    except LocationParseError:
        return ("", "", None)
    scheme = (parts.scheme or "").lower()
    return (
        scheme,
        (parts.host or "").strip("[]").lower(),
        parts.port or DEFAULT_PORTS.get(scheme),
    )


def ambiguous(url: str) -> str | None:
    """Why `url` could name one host to our checks and another to the transport, or None.

    `urlsplit` (which `origin` once used) and urllib3 (which connects) read some URLs
    differently: in `http://OTHER\\@ZENODO/` urlsplit sees the host ZENODO, urllib3 OTHER,
    and a token checked against one would go to the other. Such URLs come only from a hostile or
    broken server, so they are refused rather than guessed at.
    """
    if _CONTROL_OR_SPACE.search(url):
        return "it contains whitespace or control characters"
    if "\\" in url:
        return "it contains a backslash"
    from urllib3.exceptions import LocationParseError  # here: validate never imports urllib3
    from urllib3.util import parse_url

    try:
        split = urlsplit(url)
        parsed = parse_url(url)
        split_port = split.port
    except (ValueError, LocationParseError):
        return "it cannot be parsed"
    if "@" in split.netloc or parsed.auth:
        return "it carries a user name or password (user@host)"
    if "%" in split.netloc:
        return "its host is percent-encoded"
    host = (parsed.host or "").strip("[]").lower()
    if (split.scheme, (split.hostname or "").lower(), split_port) != (
        (parsed.scheme or "").lower(),
        host,
        parsed.port,
    ):
        return "its scheme, host or port can be read in two ways"
    return None

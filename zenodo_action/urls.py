"""The one rule for where a request may go, and the one notion of a URL's origin.

Used for every URL a user or a runner gives (the Zenodo URL, GitHub's API URL) and for
every redirect followed, so the rules cannot drift apart between the two API clients.
"""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


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
    same origin may share credentials (RFC 6454)."""
    parts = urlsplit(url)
    return (
        parts.scheme,
        (parts.hostname or "").lower(),
        parts.port or DEFAULT_PORTS.get(parts.scheme),
    )

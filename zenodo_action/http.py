"""The one place HTTP requests are sent: User-Agent, timeouts, retries and auth scoping.

Both API clients (Zenodo and GitHub) send through `HttpClient.send`. It decides,
once for the whole program:

- which responses are retried: 429, 500, 502, 503, 504 and connection errors,
  with exponential backoff and full jitter, honouring `Retry-After` and
  `X-RateLimit-Reset`, within a bounded total wait;
- that non-idempotent requests (Zenodo's newversion and publish) are never sent
  twice unless the server provably did not act (429, or no connection made);
  otherwise `OutcomeUnknown` tells the caller to read the state back;
- that the token goes only to the configured host, in the Authorization header.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from zenodo_action import USER_AGENT
from zenodo_action.errors import ActionError
from zenodo_action.files import CHUNK
from zenodo_action.logs import printable
from zenodo_action.secrets import redact
from zenodo_action.urls import origin

log = logging.getLogger("zenodo_action.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SECONDARY_LIMIT = "secondary rate limit"  # in GitHub's message, any case
SECONDARY_LIMIT_WAIT = 60.0  # seconds; GitHub: "wait at least one minute", then back off


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. The defaults suit a release job."""

    max_attempts: int = 8
    base_delay: float = 1.0  # seconds before the first retry, doubled each time
    max_delay: float = 120.0  # never wait longer than this for one retry
    total_wait: float = 900.0  # give up once this much time was spent waiting
    connect_timeout: float = 15.0
    read_timeout: float = 120.0
    upload_rate: float = 5e6  # bytes/s assumed when scaling an upload's read timeout

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: a random wait up to base * 2**(attempt-1), capped."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * rand())

    def server_delay(self, response: requests.Response | None, now: float) -> float | None:
        """The wait the server asked for, if it said one.

        Zenodo sends Retry-After on every response, where it only counts down the
        rate-limit window (zenodo-api.md §4.5); it means "retry then" only on a
        rate limit or a 503. Any other failure gets the usual backoff.
        """
        if response is None or not (is_rate_limited(response) or response.status_code == 503):
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            seconds = _parse_retry_after(retry_after, now)
            if seconds is not None:
                return min(self.max_delay, seconds)
        if is_rate_limited(response):
            # The reset time counts only when the count ran out: GitHub sends it on every
            # answer, its secondary limit included (github-rest.md §2.4, steps 2 and 3).
            reset = response.headers.get("X-RateLimit-Reset")
            spent = response.headers.get("X-RateLimit-Remaining") in (None, "0")
            if reset and reset.strip().isdigit() and spent:
                return min(self.max_delay, max(0.0, int(reset) - now))
            if _secondary_limit(response):  # "wait at least one minute" (§2.4)
                return min(self.max_delay, SECONDARY_LIMIT_WAIT)
        return None

    def timeout_for(self, upload_size: int = 0) -> tuple[float, float]:
        """(connect, read) timeouts; an upload may take as long as its size needs."""
        return (self.connect_timeout, self.read_timeout + upload_size / self.upload_rate)


def is_rate_limited(response: requests.Response) -> bool:
    """429, or GitHub's 403 with no requests left, a Retry-After, or a message about its
    secondary limit (github-actions.md §4.3, github-rest.md §2.4)."""
    if response.status_code == 429:
        return True
    headers = response.headers
    return response.status_code == 403 and (
        headers.get("X-RateLimit-Remaining") == "0"
        or "Retry-After" in headers
        or _secondary_limit(response)
    )


def _secondary_limit(response: requests.Response) -> bool:
    """GitHub's secondary limit, often answered with neither Retry-After nor a zero
    remaining count, only this message (github-rest.md §2.4)."""
    return response.status_code in (403, 429) and SECONDARY_LIMIT in response.text[:2000].lower()


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class Body(Protocol):
    """An upload's body, opened afresh for every attempt: read in blocks, then closed."""

    def read(self, amount: int = -1) -> bytes: ...

    def close(self) -> None: ...


class _BigBlockAdapter(HTTPAdapter):
    """Sends request bodies in 1 MiB blocks (urllib3's default is 16 KiB): fewer syscalls."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, blocksize=CHUNK, **kwargs)


class HttpError(ActionError):
    """A request that ended in an unexpected status after any retries."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status: int | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(redact(message), hint=hint)
        self.method = method
        self.url = redact(url)
        self.status = status
        self.body = body


class OutcomeUnknown(HttpError):
    """A non-idempotent request failed in a way that may have taken effect.

    The caller must read the state back before doing anything else.
    """


def describe_url(url: str) -> str:
    """The URL without its query string: queries may carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def body_of(response: requests.Response) -> Any:
    """The JSON body, or the (short) text when it is not JSON; secrets masked either way.

    Servers echo request details in error bodies, so the text is scrubbed before parsing.
    """
    text = redact(response.text)
    try:
        return json.loads(text)
    except ValueError:
        return text[:500]


def server_message(body: Any, *, limit: int = 300) -> str:
    """What an error body says (its `message`, else all of it), as one safe line."""
    if isinstance(body, dict) and body.get("message"):
        body = body["message"]
    text = body if isinstance(body, str) else json.dumps(body) if body else ""
    return printable(text, limit=limit)


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request provably did not reach the server."""
    return isinstance(error, requests.ConnectTimeout) or (
        isinstance(error, requests.ConnectionError) and "NewConnectionError" in repr(error.args)
    )


class HttpClient:
    """A requests session bound to one API host and one token."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        rate_limited_403: bool = True,
        connections: int = 4,
    ) -> None:
        """`rate_limited_403`: whether a 403 with Retry-After may be a rate limit. GitHub's
        are (github-actions.md §4.3); Zenodo limits with 429 only, and sends Retry-After on
        every answer, its 403 "Permission denied." included (zenodo-api.md §4.5)."""
        self.base_url = base_url.rstrip("/")
        self.rate_limited_403 = rate_limited_403
        self.auth_origin = origin(self.base_url)
        self.token = token
        self.policy = policy or RetryPolicy()
        self.sleep = time.sleep if sleep is None else sleep
        self.clock = clock
        self.session = requests.Session()
        # A no-op auth stops requests from replacing our header with ~/.netrc logins.
        self.session.auth = lambda request: request
        adapter = _BigBlockAdapter(pool_maxsize=connections)  # one per parallel upload
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})

    def url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"

    def send(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        expected: Iterable[int] = (200,),
        body: Callable[[], Body] | None = None,
        upload_size: int = 0,
        transient: Callable[[requests.Response], bool] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request, retrying what is safe to retry, and check its status.

        `body`, when given, is called afresh for every attempt so that an upload
        that broke off restarts from the first byte of a newly opened file. `transient`
        marks other answers of an idempotent request as worth retrying (an API's own
        "please try again", say).
        """
        url = self.url(path)
        expected = set(expected)
        kwargs["headers"] = self._headers_for(url, kwargs.get("headers"))
        kwargs.setdefault("timeout", self.policy.timeout_for(upload_size))
        waited = 0.0
        for attempt in range(1, self.policy.max_attempts + 1):
            response, error = self._attempt(method, url, body, kwargs)
            if response is not None and response.status_code in expected:
                return response
            retryable, reason = self._classify(response, error, idempotent)
            if response is not None and idempotent and transient and transient(response):
                retryable, reason = True, f"{response.status_code} (transient)"
            if not retryable:
                raise self._failure(method, url, response, error, idempotent)
            delay = self.policy.server_delay(response, self.clock())
            if delay is None:
                delay = self.policy.backoff(attempt)
            if attempt == self.policy.max_attempts or waited + delay > self.policy.total_wait:
                raise self._failure(method, url, response, error, idempotent, gave_up=True)
            log.warning(
                "retry %d/%d in %.1fs: %s %s -> %s",
                attempt,
                self.policy.max_attempts - 1,
                delay,
                method,
                describe_url(url),
                reason,
            )
            self.sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers_for(self, url: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token and origin(url) == self.auth_origin:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _attempt(
        self, method: str, url: str, body: Callable[[], Body] | None, kwargs: dict[str, Any]
    ) -> tuple[requests.Response | None, requests.RequestException | None]:
        stream = body() if body else None
        try:
            return self.session.request(method, url, data=stream, **kwargs), None
        except requests.RequestException as error:
            return None, error
        finally:
            if stream is not None:
                stream.close()

    def _classify(
        self,
        response: requests.Response | None,
        error: requests.RequestException | None,
        idempotent: bool,
    ) -> tuple[bool, str]:
        if error is not None or response is None:
            reason = type(error).__name__
            return (idempotent or (error is not None and _never_sent(error))), reason
        status = response.status_code
        if is_rate_limited(response) and (status == 429 or self.rate_limited_403):
            return True, f"{status} rate limited"  # the limiter answers before the handler runs
        return (idempotent and status in RETRY_STATUSES), str(status)

    def _failure(
        self,
        method: str,
        url: str,
        response: requests.Response | None,
        error: requests.RequestException | None,
        idempotent: bool,
        gave_up: bool = False,
    ) -> HttpError:
        where = f"{method} {describe_url(url)}"
        unknown = not idempotent and (
            (error is not None and not _never_sent(error))
            or (response is not None and response.status_code in RETRY_STATUSES - {429})
        )
        kind = OutcomeUnknown if unknown else HttpError
        if error is not None or response is None:
            what = f"could not reach the server ({type(error).__name__})"
            return kind(f"{where}: {what}", method=method, url=url)
        suffix = " (gave up retrying)" if gave_up else ""
        return kind(
            f"{where} answered {response.status_code}{suffix}",
            method=method,
            url=url,
            status=response.status_code,
            body=body_of(response),
        )

"""The one place HTTP requests are sent: User-Agent, timeouts, retries and auth scoping.

Both API clients (Zenodo and GitHub) send through `HttpClient.send`, and GitHub's
release files are fetched through `HttpClient.download`. One loop retries and one loop
follows redirects, deciding once for the whole program:

- which responses are retried: 429, 500, 502, 503, 504 and connection errors,
  with exponential backoff and full jitter, honouring `Retry-After` and
  `X-RateLimit-Reset`, within a bounded total wait;
- that non-idempotent requests (Zenodo's newversion and publish) are never sent
  twice unless the server provably did not act (429, or no connection made);
  otherwise `OutcomeUnknown` tells the caller to read the state back;
- that the token goes only to the configured host, in the Authorization header, as
  urllib3 (which connects) reads the host, and not after a redirect led elsewhere; URLs
  from a server's reply or a redirect that two parsers could read as different hosts
  are refused (`urls.ambiguous`);
- that a download that broke off or arrived wrong starts again from its first URL, so
  that a pre-signed storage URL it is redirected to is signed afresh;
- that every exchange ends by a deadline (connect to last byte, its share of an
  upload's size included), however slowly a server trickles;
- that causes on this side (DNS, TLS, a token a header cannot carry) fail at once as
  `LocalFailure`, and a refused connection gets a few quick tries, not the server
  trouble policy.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from zenodo_action import USER_AGENT
from zenodo_action.errors import ActionError
from zenodo_action.files import CHUNK
from zenodo_action.logs import printable
from zenodo_action.secrets import redact
from zenodo_action.urls import ambiguous, insecure, origin

log = logging.getLogger("zenodo_action.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SECONDARY_LIMIT = "secondary rate limit"  # in GitHub's message, any case
SECONDARY_LIMIT_WAIT = 60.0  # seconds; GitHub: "wait at least one minute", then back off
# 301, 302 and 303 are followed by GET and HEAD only: for another method, clients send a
# GET instead, which would look like success while nothing was changed.
SAME_METHOD_REDIRECTS = (307, 308)  # repeat the method and its body (RFC 9110 §15.4)
MAX_REDIRECTS = 5
# What a storage host answers to a pre-signed URL that expired (they last minutes) or that
# it refuses: the download starts again from its first URL, which signs a fresh one.
REFUSED_SIGNATURE = frozenset({400, 401, 403, 404})
_TOKEN_CHARACTERS = re.compile(r"[\x21-\x7e]+")  # printable ASCII: what a token can be


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
    deadline: float = 300.0  # seconds one exchange may take, plus its size's share
    min_rate: float = 250e3  # bytes/s a transfer must average to stay within its deadline
    refused_attempts: int = 3  # a refused connection: a server restarting, or nobody there
    refused_delay: float = 1.0  # seconds, times the number of refusals so far
    transfer_attempts: int = 3  # starts of a download that breaks off or arrives wrong

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

    def deadline_for(self, size: int = 0) -> float:
        """Seconds one exchange may take in all. The timeouts count per socket operation,
        so a server sending a byte a second would otherwise hold a request open forever."""
        return self.deadline + size / self.min_rate


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


class _Watchdog:
    """Ends an exchange at its deadline by shutting down the sockets it uses: a blocked
    send or read returns at once, whatever the per-operation timeouts (issue 12 item 5).

    The connections an exchange uses adopt it (in `connect` and `request`, in the sending
    thread); one a later exchange took over from the pool is left alone.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.due = time.monotonic() + seconds
        self.fired = False
        self._done = False
        self._lock = threading.Lock()
        self._sockets: list[tuple[HTTPConnection, socket.socket]] = []

    def __enter__(self) -> _Watchdog:
        _ACTIVE.watch = self
        _DEADLINES.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _DEADLINES.remove(self)  # before taking our lock: the clock fires holding its own
        with self._lock:
            self._done = True
        _ACTIVE.watch = None

    def adopt(self, connection: HTTPConnection) -> None:
        """Note the connection and its socket now: http.client drops `sock` from a
        connection that will close while its response is still being read."""
        with self._lock:
            connection.watched_by = self  # type: ignore[attr-defined]
            if connection.sock is not None:
                self._sockets.append((connection, connection.sock))

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for connection, sock in self._sockets:
                if getattr(connection, "watched_by", None) is self:
                    with contextlib.suppress(OSError):
                        # The plain socket's shutdown: SSLSocket's would drop its TLS state
                        # under the reading thread's feet.
                        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Clock:
    """One thread fires every exchange's watchdog at its deadline: a timer thread per
    exchange cost ~0.2 ms of thread start and wake-up each, a tenth of a loopback request
    (measured with bench/bench_transfers.py's 100 small files)."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._watches: set[_Watchdog] = set()
        self._thread: threading.Thread | None = None

    def add(self, watch: _Watchdog) -> None:
        with self._wake:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()

    def remove(self, watch: _Watchdog) -> None:
        with self._wake:
            self._watches.discard(watch)

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for watch in [w for w in self._watches if w.due <= now]:
                    self._watches.discard(watch)
                    watch._fire()
                due = min((w.due for w in self._watches), default=None)
                self._wake.wait(None if due is None else max(0.0, due - now))


_DEADLINES = _Clock()
_ACTIVE = threading.local()  # the sending thread's current _Watchdog


def _adopt(connection: HTTPConnection) -> None:
    watch = getattr(_ACTIVE, "watch", None)
    if watch is not None:
        watch.adopt(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _adopt(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _adopt(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """The same watch over TLS: the methods above run first, then HTTPSConnection's."""


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _BigBlockAdapter(HTTPAdapter):
    """Sends request bodies in 1 MiB blocks (urllib3's default is 16 KiB): fewer syscalls;
    its connections can be ended by a `_Watchdog`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, blocksize=CHUNK, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


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


class LocalFailure(HttpError):
    """A request that failed for a cause on this side or at a host that is not there: a
    name that does not resolve, TLS, a refused connection, a header that cannot be sent,
    a refused URL. Not the server's trouble: a later run fails the same way until the
    cause is fixed, so it is not retried as such."""


class UnsafeURL(LocalFailure):
    """A URL from a server's reply or a redirect that could reach another host than it
    shows, or leave https; nothing was sent to it."""


class TransferFailed(HttpError):
    """A download that broke off or arrived wrong every time it was started."""


class BrokenTransfer(Exception):
    """Raised by a download's reader (`HttpClient.download`): the bytes broke off or are
    not the ones announced, so starting again from the first URL may succeed."""


class DeadlineExceeded(requests.exceptions.Timeout):
    """An exchange that outlived its deadline (`RetryPolicy.deadline_for`)."""

    def __init__(self, seconds: float, upload_size: int = 0) -> None:
        what = (
            f"the upload of {upload_size} bytes and the answer to it"
            if upload_size
            else "the answer"
        )
        super().__init__(f"{what} took longer than {seconds:.1f} s (the server was too slow)")
        self.seconds = seconds


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


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps: requests -> urllib3 (`reason`) -> socket and ssl."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = (current.__cause__, current.__context__, getattr(current, "reason", None))
        todo += [e for e in (*wrapped, *current.args) if isinstance(e, BaseException)]


def _refused(error: BaseException) -> bool:
    return any(isinstance(cause, ConnectionRefusedError) for cause in _causes(error))


def _local_trouble(error: BaseException, host: str) -> tuple[str, str | None] | None:
    """(what happened, hint) when a failure's cause is on this side: retrying cannot help."""
    causes = list(_causes(error))
    if any(isinstance(c, (socket.gaierror, NameResolutionError)) for c in causes):
        hint = "check the host name in the URL, and that this machine can resolve names"
        return f"the host name {host} does not resolve", hint
    tls = [c for c in causes if isinstance(c, ssl.SSLError)]
    # An EOF inside TLS is a connection that broke off: transient, like a reset.
    if tls and not any(isinstance(c, (ssl.SSLEOFError, ssl.SSLZeroReturnError)) for c in tls):
        detail = getattr(tls[0], "verify_message", None) or getattr(tls[0], "reason", None)
        hint = (
            "check the URL's scheme and port; behind a proxy that intercepts TLS, point "
            "REQUESTS_CA_BUNDLE at its certificate"
        )
        return f"TLS with {host} failed ({printable(str(detail or tls[0]))})", hint
    if isinstance(error, (requests.exceptions.InvalidHeader, UnicodeError)):
        return "a header of the request holds characters a header cannot carry", None
    bad_url = (
        requests.exceptions.InvalidURL,
        requests.exceptions.InvalidSchema,
        requests.exceptions.MissingSchema,
    )
    if isinstance(error, bad_url):
        return "the URL cannot be requested", None
    return None


def _shown(url: str) -> str:
    """A URL for a message: no query, no control characters, secrets masked."""
    try:
        return printable(describe_url(url), limit=200)
    except ValueError:
        return printable(url.split("?", 1)[0], limit=200)


_INSECURE = {
    "not-http": "it is not an http(s) URL",
    "plain-http": "it is plain http to another machine",
}


def refuse_unsafe(method: str, url: str, *, from_reply: bool) -> None:
    """Raise UnsafeURL for a URL that could reach another host than it shows, or (taken from
    a server's reply or a redirect) is neither https nor loopback."""
    problem = ambiguous(url)
    if problem is None and from_reply:
        kind = insecure(url)
        problem = _INSECURE[kind] if kind else None
    if problem is not None:
        raise UnsafeURL(
            f"refusing to send {method} to {_shown(url)}: {problem}",
            method=method,
            url=url,
            hint="nothing was sent there; a server's reply or redirect named that URL, "
            "which a sound server does not do",
        )


def _bound_stream(response: requests.Response, ends_at: float, seconds: float) -> None:
    """Make the caller's reads of a streamed body end at `ends_at` (monotonic): read1
    returns what arrived, so a trickle cannot hold one read open for a whole block."""
    raw = response.raw

    def stream(amount: int | None = CHUNK, decode_content: bool | None = None) -> Iterator[bytes]:
        while True:
            if time.monotonic() > ends_at:
                raise DeadlineExceeded(seconds)
            data = raw.read1(amount, decode_content=decode_content)
            if not data:
                return
            yield data

    raw.stream = stream  # type: ignore[method-assign]


def _declared_length(response: requests.Response) -> int:
    try:
        return max(0, int(response.headers.get("Content-Length") or 0))
    except ValueError:
        return 0


class _NoRedirects(requests.Session):
    """A session that follows no redirect: `HttpClient._exchange` follows them, under its
    own rules. Told not to follow one, requests would still build the request it leads to
    (checking and looking up ~/.netrc for a URL that is any text a server sent)."""

    def resolve_redirects(
        self,
        resp: requests.Response,
        req: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool = True,
        cert: Any = None,
        proxies: Any = None,
        yield_requests: bool = False,
        **adapter_kwargs: Any,
    ) -> Iterator[Any]:
        return iter(())


T = TypeVar("T")


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
        """`headers`: the API's own, sent with the token (see `_exchange`).
        `rate_limited_403`: whether a 403 with Retry-After may be a rate limit. GitHub's
        are (github-actions.md §4.3); Zenodo limits with 429 only, and sends Retry-After on
        every answer, its 403 "Permission denied." included (zenodo-api.md §4.5)."""
        self.base_url = base_url.rstrip("/")
        self.rate_limited_403 = rate_limited_403
        self.auth_origin = origin(self.base_url)
        self.token = token
        self.api_headers = dict(headers or {})
        self.policy = policy or RetryPolicy()
        self.sleep = time.sleep if sleep is None else sleep
        self.clock = clock
        self.session = _NoRedirects()
        # A no-op auth stops requests from replacing our header with ~/.netrc logins.
        self.session.auth = lambda request: request
        adapter = _BigBlockAdapter(pool_maxsize=connections)  # one per parallel upload
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT

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
        "please try again", say). `allow_redirects=False` makes a redirect the answer.
        """
        exchange = _Exchange(
            method,
            self._checked_url(method, path),
            set(expected),
            idempotent,
            body=body,
            upload_size=upload_size,
            headers=kwargs.pop("headers", None),
            transient=transient,
            follow=kwargs.pop("allow_redirects", True),
        )
        kwargs.setdefault("timeout", self.policy.timeout_for(upload_size))
        return self._run(exchange, kwargs, _as_is)

    def download(
        self,
        path: str,
        receive: Callable[[requests.Response], T],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """GET a file and hand the answer, streamed, to `receive`, which reads and checks
        it and raises BrokenTransfer when the bytes broke off or are not the ones announced.

        The download then starts again from `path`, so that a server redirecting to a
        pre-signed storage URL signs a fresh one; so it does when the storage host refuses
        its URL (`REFUSED_SIGNATURE`). At most `policy.transfer_attempts` starts in all;
        other failures are retried as for any GET.
        """
        exchange = _Exchange(
            "GET", self._checked_url("GET", path), {200}, True, headers=headers, restartable=True
        )
        kwargs = {"stream": True, "timeout": self.policy.timeout_for()}
        return self._run(exchange, kwargs, partial(_read_and_close, receive))

    def _checked_url(self, method: str, path: str) -> str:
        url = self.url(path)
        refuse_unsafe(method, url, from_reply="://" in path)  # absolute: from a reply
        self._check_token(method, url)
        return url

    def _run(
        self,
        exchange: _Exchange,
        kwargs: dict[str, Any],
        receive: Callable[[requests.Response], T],
    ) -> T:
        """The one retry loop: an attempt (redirects followed), its status checked, the
        answer handed to `receive`; else a wait and another attempt, while one is allowed."""
        method, url = exchange.method, exchange.url
        waited = 0.0
        for attempt in range(1, self.policy.max_attempts + 1):
            response, error = self._exchange(exchange, kwargs)
            if response is not None and response.status_code in exchange.expected:
                try:
                    return receive(response)
                except BrokenTransfer as broken:
                    retry = self._after_broken(exchange, str(broken))
            else:
                retry = self._after_failure(exchange, attempt, response, error)
            if attempt == self.policy.max_attempts or waited + retry.delay > self.policy.total_wait:
                failure = retry.failure
                raise failure or self._failure(
                    method, url, response, error, exchange.idempotent, gave_up=True
                )
            if response is not None:
                response.close()  # a streamed answer holds its connection until closed
            log.warning(
                "retry %d/%d in %.1fs: %s %s -> %s",
                attempt,
                self.policy.max_attempts - 1,
                retry.delay,
                method,
                describe_url(url),
                retry.reason,
            )
            self.sleep(retry.delay)
            waited += retry.delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _after_failure(
        self,
        exchange: _Exchange,
        attempt: int,
        response: requests.Response | None,
        error: requests.RequestException | None,
    ) -> _Retry:
        """The wait before the next attempt after an unexpected answer or none; raises
        when there is to be no other attempt."""
        if error is not None and _refused(error):
            exchange.refused += 1
            return _Retry(self._after_refusal(exchange, exchange.refused), "connection refused")
        if response is not None and self._refused_signature(exchange, response):
            response.close()
            return self._after_broken(exchange, f"the storage host answered {response.status_code}")
        return _Retry(*self._retry_delay(exchange, attempt, response, error))

    def _refused_signature(self, exchange: _Exchange, response: requests.Response) -> bool:
        """A download's storage host (another host a redirect led to) refused its URL."""
        return (
            exchange.restartable
            and bool(response.history)
            and response.status_code in REFUSED_SIGNATURE
            and origin(response.url) != self.auth_origin
        )

    def _after_broken(self, exchange: _Exchange, problem: str) -> _Retry:
        """A download to start again, unless it broke as often as it may."""
        exchange.broken += 1
        starts = exchange.broken
        failure = TransferFailed(
            f"{problem} ({starts} attempt{'s' * (starts != 1)})",
            method=exchange.method,
            url=exchange.url,
        )
        if starts >= self.policy.transfer_attempts:
            raise failure
        return _Retry(self.policy.backoff(starts), problem, failure)

    def _check_token(self, method: str, url: str) -> None:
        """A token a header cannot carry fails here, before anything is sent: requests would
        refuse a line break (after retries), http.client raise UnicodeEncodeError."""
        if not self.token or origin(url) != self.auth_origin:
            return
        if not _TOKEN_CHARACTERS.fullmatch(self.token):
            raise LocalFailure(
                f"the token for {self.auth_origin[1]} holds characters an HTTP header "
                "cannot carry (a space, a line break, a control or non-ASCII character); "
                "nothing was sent",
                method=method,
                url=url,
                hint="set the token again, copied without surrounding spaces or line breaks",
            )

    def _after_refusal(self, exchange: _Exchange, refused: int) -> float:
        """A refused connection gets a few quick tries (a server restarting), then a
        message about it; it never reached the server, so it is safe for any method."""
        if refused < self.policy.refused_attempts:
            return self.policy.refused_delay * refused
        host = origin(exchange.url)[1]
        raise LocalFailure(
            f"{exchange.method} {describe_url(exchange.url)}: {host} refused the connection "
            f"({refused} attempts)",
            method=exchange.method,
            url=exchange.url,
            hint="check the host and port of the URL, and that the server is running there",
        )

    def _retry_delay(
        self,
        exchange: _Exchange,
        attempt: int,
        response: requests.Response | None,
        error: requests.RequestException | None,
    ) -> tuple[float, str]:
        """How long to wait before the next attempt, or raise when there is none."""
        method, url = exchange.method, exchange.url
        local = _local_trouble(error, origin(url)[1]) if error is not None else None
        if local is not None:
            what, hint = local
            raise LocalFailure(f"{method} {_shown(url)}: {what}", method=method, url=url, hint=hint)
        retryable, reason = self._classify(response, error, exchange.idempotent)
        transient = exchange.transient
        if response is not None and exchange.idempotent and transient and transient(response):
            retryable, reason = True, f"{response.status_code} (transient)"
        if not retryable:
            raise self._failure(method, url, response, error, exchange.idempotent)
        delay = self.policy.server_delay(response, self.clock())
        return (self.policy.backoff(attempt) if delay is None else delay), reason

    def _headers_for(self, extra: Mapping[str, str] | None, ours: bool) -> dict[str, str]:
        """The request's own headers; the API's and the token only where they belong."""
        if not ours:
            return dict(extra or {})
        headers = {**self.api_headers, **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _exchange(
        self, exchange: _Exchange, kwargs: dict[str, Any]
    ) -> tuple[requests.Response | None, requests.RequestException | None]:
        """One attempt, and the one place redirects are followed (requests follows none).

        Each Location is checked like any URL from a reply. A 307 or 308 repeats the
        method, its body opened afresh (requests would re-send the spent stream and
        stall). The token and the API's headers go with a hop only while every URL so far
        is at the token's origin as urllib3 reads it (requests compares urlparse's hosts,
        which can differ): once a redirect led away, to a storage host with a pre-signed
        URL say, nothing of ours follows, wherever the next one leads.
        """
        url, ours = exchange.url, True
        history: list[requests.Response] = []
        for _hop in range(MAX_REDIRECTS + 1):
            ours = ours and origin(url) == self.auth_origin
            headers = self._headers_for(exchange.headers, ours)
            response, error = self._attempt(exchange, url, {**kwargs, "headers": headers})
            location = None if response is None else self._location(exchange, response)
            if response is None or location is None:
                if response is not None:
                    response.history = history
                return response, error
            response.close()
            history.append(response)
            url = urljoin(response.url, location)
            refuse_unsafe(exchange.method, url, from_reply=True)
        raise HttpError(
            f"{exchange.method} {describe_url(exchange.url)}: more than {MAX_REDIRECTS} redirects",
            method=exchange.method,
            url=exchange.url,
        )

    def _location(self, exchange: _Exchange, response: requests.Response) -> str | None:
        """Where a redirect leads, when it is to be followed."""
        if not exchange.follow or response.status_code in exchange.expected:
            return None
        if response.status_code not in SAME_METHOD_REDIRECTS and exchange.method not in (
            "GET",
            "HEAD",
        ):
            return None
        return self.session.get_redirect_target(response)

    def _attempt(
        self, exchange: _Exchange, url: str, kwargs: dict[str, Any]
    ) -> tuple[requests.Response | None, requests.RequestException | None]:
        """Send once, within the exchange's deadline; read the body unless streamed."""
        limit = self.policy.deadline_for(exchange.upload_size)
        started = time.monotonic()
        stream = exchange.body() if exchange.body else None
        try:
            with _Watchdog(limit) as watch:
                response = self.session.request(
                    exchange.method, url, data=stream, allow_redirects=False, **kwargs
                )
        except requests.RequestException as error:
            return None, (DeadlineExceeded(limit, exchange.upload_size) if watch.fired else error)
        except UnicodeError as error:  # http.client encodes header values as Latin-1
            return None, requests.exceptions.InvalidHeader(str(error))
        finally:
            if stream is not None:
                stream.close()
        if watch.fired:  # a body cut short by the watchdog can look complete
            response.close()
            return None, DeadlineExceeded(limit, exchange.upload_size)
        if kwargs.get("stream"):
            limit += _declared_length(response) / self.policy.min_rate
            _bound_stream(response, started + limit, limit)
        return response, None

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
            if isinstance(error, DeadlineExceeded):
                what = str(error)
            else:
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


@dataclass
class _Exchange:
    """What one `send` or `download` asks for, the same for every attempt, and the count of
    the attempts that fail in ways with budgets of their own."""

    method: str
    url: str
    expected: set[int]
    idempotent: bool
    body: Callable[[], Body] | None = None
    upload_size: int = 0
    headers: Mapping[str, str] | None = None
    transient: Callable[[requests.Response], bool] | None = None
    follow: bool = True  # follow redirects; else a redirect is the answer
    restartable: bool = False  # a download: started again when it breaks
    refused: int = field(default=0, init=False)  # connections refused so far
    broken: int = field(default=0, init=False)  # downloads that broke so far


@dataclass(frozen=True)
class _Retry:
    """Another attempt: after how long, why (for the log), and what to raise if none is
    left (None: the failure the last answer makes)."""

    delay: float
    reason: str
    failure: HttpError | None = None


def _as_is(response: requests.Response) -> requests.Response:
    return response


def _read_and_close(receive: Callable[[requests.Response], T], response: requests.Response) -> T:
    with response:
        return receive(response)

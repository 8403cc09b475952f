"""The one retry policy: what is retried, how long it waits, where the token goes."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import threading
import time

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from zenodo_action import USER_AGENT
from zenodo_action.http import (
    BrokenTransfer,
    HttpClient,
    HttpError,
    LocalFailure,
    OutcomeUnknown,
    RetryPolicy,
    TransferFailed,
    UnsafeURL,
)
from zenodo_action.zenodo.errors import explain

TOKEN = "s3cr3t-token-value"


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(server: HTTPServer, sleeps: Sleeps, **policy) -> HttpClient:
    return HttpClient(
        server.url_for("/api"),
        TOKEN,
        policy=RetryPolicy(read_timeout=5, **policy),
        sleep=sleeps,
        clock=lambda: 1_000_000.0,
    )


def respond_in_turn(server: HTTPServer, uri: str, responses: list[Response], method="GET"):
    """Serve the responses one after the other; record the requests."""
    seen = []

    def handler(request):
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    server.expect_request(uri, method=method).respond_with_handler(handler)
    return seen


def test_idempotent_request_is_retried_on_5xx_and_logs_one_line_per_retry(httpserver, caplog):
    sleeps = Sleeps()
    seen = respond_in_turn(
        httpserver, "/api/x", [Response("", 502), Response("", 504), Response("{}", 200)]
    )
    with caplog.at_level(logging.WARNING, logger="zenodo_action.http"):
        response = client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert response.status_code == 200
    assert len(seen) == 3
    assert len(sleeps) == 2
    retries = [r.getMessage() for r in caplog.records]
    assert len(retries) == 2
    assert retries[0].startswith("retry 1/7 in ") and retries[0].endswith(
        "GET " + httpserver.url_for("/api/x") + " -> 502"
    )


def test_backoff_grows_and_is_capped(httpserver):
    policy = RetryPolicy(base_delay=1, max_delay=5)
    waits = [policy.backoff(attempt, rand=lambda: 1.0) for attempt in range(1, 6)]
    assert waits == [1, 2, 4, 5, 5]
    assert policy.backoff(3, rand=lambda: 0.5) == 2


def test_retry_after_is_honoured(httpserver):
    sleeps = Sleeps()
    respond_in_turn(
        httpserver,
        "/api/x",
        [Response("", 503, headers={"Retry-After": "7"}), Response("{}", 200)],
    )
    client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert sleeps == [7.0]


def test_rate_limit_reset_is_honoured_when_no_retry_after(httpserver):
    sleeps = Sleeps()
    limited = Response(
        '{"status": 429, "message": "100 per 1 minute"}',
        429,
        headers={"X-RateLimit-Reset": str(1_000_000 + 12)},
    )
    respond_in_turn(httpserver, "/api/x", [limited, Response("{}", 200)])
    client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert sleeps == [12.0]


def test_non_idempotent_request_is_not_repeated_after_a_5xx(httpserver):
    sleeps = Sleeps()
    seen = respond_in_turn(httpserver, "/api/publish", [Response("", 504)], method="POST")
    with pytest.raises(OutcomeUnknown) as raised:
        client(httpserver, sleeps).send("POST", "publish", idempotent=False, expected=(202,))
    assert len(seen) == 1
    assert raised.value.status == 504
    assert sleeps == []


def test_non_idempotent_request_is_retried_after_429(httpserver):
    sleeps = Sleeps()
    seen = respond_in_turn(
        httpserver,
        "/api/publish",
        [Response("", 429, headers={"Retry-After": "1"}), Response("{}", 202)],
        method="POST",
    )
    response = client(httpserver, sleeps).send("POST", "publish", idempotent=False, expected=(202,))
    assert response.status_code == 202
    assert len(seen) == 2
    assert sleeps == [1.0]


def test_a_4xx_is_not_retried_and_becomes_an_http_error(httpserver):
    sleeps = Sleeps()
    respond_in_turn(httpserver, "/api/x", [Response('{"message": "nope"}', 400)])
    with pytest.raises(HttpError) as raised:
        client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert not isinstance(raised.value, OutcomeUnknown)
    assert raised.value.status == 400
    assert raised.value.body == {"message": "nope"}
    assert sleeps == []


def test_total_wait_is_bounded(httpserver):
    sleeps = Sleeps()
    respond_in_turn(httpserver, "/api/x", [Response("", 503, headers={"Retry-After": "30"})])
    with pytest.raises(HttpError, match="gave up retrying"):
        client(httpserver, sleeps, total_wait=70).send("GET", "x", idempotent=True)
    assert sleeps == [30.0, 30.0]


def test_attempts_are_bounded(httpserver):
    sleeps = Sleeps()
    seen = respond_in_turn(httpserver, "/api/x", [Response("", 500)])
    with pytest.raises(HttpError):
        client(httpserver, sleeps, max_attempts=3, base_delay=0.01).send(
            "GET", "x", idempotent=True
        )
    assert len(seen) == 3


def test_token_goes_in_the_header_to_the_api_host_only(httpserver):
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        seen_api = respond_in_turn(httpserver, "/api/x", [Response("{}", 200)])
        seen_other = respond_in_turn(other, "/elsewhere", [Response("{}", 200)])
        http = client(httpserver, Sleeps())
        http.send("GET", "x", idempotent=True)
        http.send("GET", other.url_for("/elsewhere"), idempotent=True)
    finally:
        other.stop()
    assert seen_api[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in seen_api[0].query_string.decode()
    assert seen_api[0].headers["User-Agent"] == USER_AGENT
    assert "Authorization" not in seen_other[0].headers


def test_redirect_to_another_host_drops_the_token(httpserver):
    other = HTTPServer(host="127.0.0.2", port=0)
    other.start()
    try:
        seen_other = respond_in_turn(other, "/blob", [Response("bytes", 200)])
        redirect = Response("", 302, headers={"Location": other.url_for("/blob")})
        respond_in_turn(httpserver, "/api/asset", [redirect])
        response = client(httpserver, Sleeps()).send("GET", "asset", idempotent=True)
    finally:
        other.stop()
    assert response.content == b"bytes"
    assert "Authorization" not in seen_other[0].headers


def test_upload_body_is_reopened_for_every_attempt(httpserver):
    bodies = []

    def handler(request):
        bodies.append(request.get_data())
        return Response("", 503) if len(bodies) == 1 else Response("{}", 201)

    httpserver.expect_request("/api/bucket/f", method="PUT").respond_with_handler(handler)
    opened = []

    def fresh():
        opened.append(io.BytesIO(b"payload"))
        return opened[-1]

    client(httpserver, Sleeps()).send(
        "PUT", "bucket/f", idempotent=True, expected=(201,), body=fresh, upload_size=7
    )
    assert bodies == [b"payload", b"payload"]
    assert len(opened) == 2 and all(stream.closed for stream in opened)


def test_connection_refused_gets_a_few_quick_tries_then_names_the_host():
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    http = HttpClient(
        f"http://127.0.0.1:{port}/api",
        TOKEN,
        policy=RetryPolicy(refused_attempts=3, refused_delay=0.5),
        sleep=sleeps,
    )
    with pytest.raises(LocalFailure) as raised:
        http.send("POST", "publish", idempotent=False, expected=(202,))
    assert not isinstance(raised.value, OutcomeUnknown)  # provably never sent
    assert sleeps == [0.5, 1.0]  # three attempts, small waits, even for a POST
    assert "127.0.0.1 refused the connection (3 attempts)" in raised.value.message
    explained = str(explain(raised.value, doing="publish draft 1"))
    assert explained.startswith("could not publish draft 1: POST")
    assert "Zenodo is having trouble" not in explained


def test_errors_never_carry_the_token(httpserver):
    from zenodo_action import secrets

    secrets.register(TOKEN)
    echo = Response(f'{{"message": "bad token {TOKEN}"}}', 400)
    respond_in_turn(httpserver, "/api/x", [echo])
    with pytest.raises(HttpError) as raised:
        client(httpserver, Sleeps()).send("GET", f"x?access_token={TOKEN}", idempotent=True)
    text = f"{raised.value} {raised.value.url} {raised.value.body}"
    assert TOKEN not in text


def test_upload_timeout_grows_with_the_file_size():
    policy = RetryPolicy(connect_timeout=10, read_timeout=60, upload_rate=1e6)
    assert policy.timeout_for(0) == (10, 60)
    assert policy.timeout_for(30_000_000) == (10, 90)


def test_github_primary_rate_limit_403_waits_until_reset(httpserver):
    sleeps = Sleeps()
    limited = Response(
        '{"message": "API rate limit exceeded"}',
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(1_000_000 + 40)},
    )
    seen = respond_in_turn(httpserver, "/api/x", [limited, Response("{}", 200)])
    client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert len(seen) == 2
    assert sleeps == [40.0]


def test_a_plain_403_is_not_retried(httpserver):
    sleeps = Sleeps()
    respond_in_turn(httpserver, "/api/x", [Response('{"message": "Permission denied."}', 403)])
    with pytest.raises(HttpError) as raised:
        client(httpserver, sleeps).send("GET", "x", idempotent=True)
    assert raised.value.status == 403 and sleeps == []


def test_netrc_logins_never_replace_the_token(httpserver, tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    seen = respond_in_turn(httpserver, "/api/x", [Response("{}", 200)])
    client(httpserver, Sleeps()).send("GET", "x", idempotent=True)
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_retry_after_on_a_500_is_zenodos_rate_window_not_a_wait(httpserver):
    sleeps = Sleeps()
    failing = Response("", 500, headers={"Retry-After": "60", "X-RateLimit-Reset": "1000060"})
    respond_in_turn(httpserver, "/api/x", [failing, Response("{}", 200)])
    client(httpserver, sleeps, base_delay=1, max_delay=5).send("GET", "x", idempotent=True)
    assert len(sleeps) == 1 and sleeps[0] <= 1.0


# --- Issue 12 item 1: the token never reaches a host a URL only pretends not to be ----------


@pytest.fixture
def two_hosts():
    """The API host (127.0.0.1, owner of the token) and another host (127.0.0.2), each on
    its own port, recording every request that reaches it."""
    servers, seen = [], {}
    for host in ("127.0.0.1", "127.0.0.2"):
        server = HTTPServer(host=host, port=0, threaded=True)
        server.start()
        servers.append(server)
        seen[host] = []
    try:
        yield servers[0], servers[1], seen
    finally:
        for server in servers:
            server.stop()


def record_all(server: HTTPServer, seen: list, response: Response | None = None) -> None:
    def handler(request):
        seen.append((request.method, request.path, dict(request.headers), request.get_data()))
        return response or Response("{}", 201 if request.method == "PUT" else 200)

    server.expect_request(re.compile(".*")).respond_with_handler(handler)


def api_client(server: HTTPServer, sleeps=None, **policy) -> HttpClient:
    return HttpClient(
        f"http://{server.host}:{server.port}/api",
        TOKEN,
        policy=RetryPolicy(read_timeout=5, **policy),
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


SHAPES = [  # {o}: the other host:port, {z}: the API's; each connects to {o} or nowhere
    "http://{o}\\\\@{z}/api/x",
    "HTTP://{o}\\\\@{z}/api/x",
    "http://{o}/\\\\@{z}/api/x",
    "http://{o}\\\\.{z}/api/x",
    "http://user@{z}/api/x",
    "http://{z}@{o}/api/x",
    "http://{o}@{z}/api/x",
    "http://{o}%40{z}/api/x",
    "http://127.0.0.2%40{z}/api/x",
    "http://{o}\\t@{z}/api/x",
    "http://{o}\\n@{z}/api/x",
    "http://{o} @{z}/api/x",
    "http://[::1]:{port}\\\\@{z}/api/x",
]


def _shape(shape: str, api: HTTPServer, other: HTTPServer) -> str:
    text = shape.encode().decode("unicode_escape")
    return text.format(o=f"127.0.0.2:{other.port}", z=f"127.0.0.1:{api.port}", port=other.port)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_url_with_two_readings_is_refused_and_nothing_is_sent(two_hosts, shape):
    api, other, seen = two_hosts
    record_all(api, seen["127.0.0.1"])
    record_all(other, seen["127.0.0.2"])
    url = _shape(shape, api, other)
    with pytest.raises(UnsafeURL) as raised:
        api_client(api).send("GET", url, idempotent=True)
    assert seen == {"127.0.0.1": [], "127.0.0.2": []}
    assert raised.value.message.startswith("refusing to send GET to ")
    assert "\n" not in raised.value.message and "\t" not in raised.value.message
    explained = str(explain(raised.value, doing="read record 1"))
    assert explained.startswith("could not read record 1: refusing to send GET")
    assert "Zenodo is having trouble" not in explained


@pytest.mark.parametrize("shape", [s for s in SHAPES if "\\n" not in s])
def test_a_redirect_with_two_readings_is_refused(two_hosts, shape):
    """The API host is a raw server here: werkzeug would quote the Location it sends."""
    _, other, seen = two_hosts
    record_all(other, seen["127.0.0.2"])
    heads: list[bytes] = []

    def redirect(conn, stop):
        heads.append(conn.recv(65536))
        port = conn.getsockname()[1]
        location = _shape(shape, HTTPServer(host="127.0.0.1", port=port), other)
        conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: " + location.encode() + b"\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )

    with raw_server(redirect) as port:
        http = HttpClient(f"http://127.0.0.1:{port}/api", TOKEN, sleep=Sleeps())
        with pytest.raises(UnsafeURL, match="refusing to send GET to "):
            http.send("GET", "go", idempotent=True)
    assert seen["127.0.0.2"] == []
    assert len(heads) == 1 and heads[0].startswith(b"GET /api/go ")  # no second request


def test_the_token_follows_the_transports_reading_of_the_host(two_hosts):
    api, other, seen = two_hosts
    record_all(api, seen["127.0.0.1"])
    record_all(other, seen["127.0.0.2"])
    http = api_client(api)
    http.send("GET", f"HTTP://127.0.0.1:{api.port}/api/upper", idempotent=True)
    http.send("GET", f"http://127.0.0.2:{other.port}/api/other", idempotent=True)
    ((_, path, headers, _),) = seen["127.0.0.1"]
    assert path == "/api/upper" and headers["Authorization"] == f"Bearer {TOKEN}"
    ((_, path, headers, _),) = seen["127.0.0.2"]
    assert path == "/api/other" and "Authorization" not in headers


def test_a_redirect_to_plain_http_elsewhere_is_refused(two_hosts):
    api, _, _ = two_hosts
    api.expect_request("/api/go").respond_with_response(
        Response("", 302, headers={"Location": "http://zenodo.example/api/x"})
    )
    with pytest.raises(UnsafeURL, match="plain http to another machine"):
        api_client(api).send("GET", "go", idempotent=True)


# --- Issue 12 item 10: a redirected upload is sent again from its first byte ----------------


def _payload_opener(opened: list):
    def fresh():
        opened.append(io.BytesIO(b"payload" * 1000))
        return opened[-1]

    return fresh


def test_a_307_of_an_upload_resends_a_fresh_body_with_the_token_to_its_origin(two_hosts):
    api, _, seen = two_hosts
    api.expect_request("/api/bucket/f", method="PUT").respond_with_response(
        Response("", 307, headers={"Location": "/api/moved/f"})
    )
    record_all(api, seen["127.0.0.1"])
    opened: list = []
    started = time.monotonic()
    response = api_client(api).send(
        "PUT",
        "bucket/f",
        idempotent=True,
        expected=(201,),
        body=_payload_opener(opened),
        upload_size=7000,
    )
    assert response.status_code == 201 and time.monotonic() - started < 5  # no stall
    ((method, path, headers, data),) = seen["127.0.0.1"]
    assert (method, path, data) == ("PUT", "/api/moved/f", b"payload" * 1000)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert len(opened) == 2 and all(stream.closed for stream in opened)


def test_a_308_of_an_upload_to_another_host_goes_without_the_token(two_hosts):
    api, other, seen = two_hosts
    api.expect_request("/api/bucket/f", method="PUT").respond_with_response(
        Response("", 308, headers={"Location": f"http://127.0.0.2:{other.port}/f"})
    )
    record_all(other, seen["127.0.0.2"])
    api_client(api).send(
        "PUT", "bucket/f", idempotent=True, expected=(201,), body=_payload_opener([])
    )
    ((method, path, headers, data),) = seen["127.0.0.2"]
    assert (method, path, data) == ("PUT", "/f", b"payload" * 1000)
    assert "Authorization" not in headers


def test_a_307_of_an_upload_to_a_url_with_two_readings_is_refused(two_hosts):
    api, other, seen = two_hosts
    location = f"http://127.0.0.2:{other.port}\\@127.0.0.1:{api.port}/api/moved/f"
    api.expect_request("/api/bucket/f", method="PUT").respond_with_response(
        Response("", 307, headers={"Location": location})
    )
    record_all(api, seen["127.0.0.1"])
    record_all(other, seen["127.0.0.2"])
    with pytest.raises(UnsafeURL):
        api_client(api).send(
            "PUT", "bucket/f", idempotent=True, expected=(201,), body=_payload_opener([])
        )
    assert seen == {"127.0.0.1": [], "127.0.0.2": []}


# --- Redirects and downloads: one loop follows, one loop retries ------------------------


def route(server: HTTPServer, seen: list, answers: dict[str, list[Response]]) -> None:
    """Serve each path's answers one after the other (the last one again and again), and
    200 elsewhere; record (path, headers) of every request."""
    counts: dict[str, int] = {}

    def handler(request):
        seen.append((request.path, dict(request.headers)))
        given = answers.get(request.path, [Response("{}", 200)])
        counts[request.path] = counts.get(request.path, 0) + 1
        return given[min(counts[request.path], len(given)) - 1]

    server.expect_request(re.compile(".*")).respond_with_handler(handler)


def moved(to: str, status: int = 302) -> Response:
    return Response("", status, headers={"Location": to})


def test_a_redirect_within_the_api_keeps_the_token(two_hosts):
    api, _, seen = two_hosts
    route(api, seen["127.0.0.1"], {"/api/old": [moved("/api/new", 301)]})
    assert api_client(api).send("GET", "old", idempotent=True).status_code == 200
    assert [(path, headers["Authorization"]) for path, headers in seen["127.0.0.1"]] == [
        ("/api/old", f"Bearer {TOKEN}"),
        ("/api/new", f"Bearer {TOKEN}"),
    ]


def test_once_a_redirect_leaves_the_api_nothing_of_ours_follows(two_hosts):
    """API -> another host -> back to the API: neither the token nor the API's own headers
    go to the other host, nor back to the API's host further down the chain."""
    api, other, seen = two_hosts
    route(api, seen["127.0.0.1"], {"/api/start": [moved(f"http://127.0.0.2:{other.port}/hop")]})
    route(other, seen["127.0.0.2"], {"/hop": [moved(f"http://127.0.0.1:{api.port}/api/end")]})
    http = HttpClient(
        f"http://127.0.0.1:{api.port}/api", TOKEN, headers={"X-Api-Version": "7"}, sleep=Sleeps()
    )
    assert http.send("GET", "start", idempotent=True).status_code == 200
    assert [path for path, _ in seen["127.0.0.1"]] == ["/api/start", "/api/end"]
    [(_, start), (_, end)] = seen["127.0.0.1"]
    [(_, hop)] = seen["127.0.0.2"]
    assert start["Authorization"] == f"Bearer {TOKEN}" and start["X-Api-Version"] == "7"
    for headers in (hop, end):
        assert "Authorization" not in headers and "X-Api-Version" not in headers
        assert headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_of_a_change_is_not_turned_into_a_get(two_hosts, status):
    """Following it would send a GET to the new place, whose 200 looks like success while
    nothing was changed; only 307 and 308 repeat the method."""
    api, _, seen = two_hosts
    route(api, seen["127.0.0.1"], {"/api/x": [moved("/api/elsewhere", status)]})
    with pytest.raises(HttpError) as raised:
        api_client(api).send("PATCH", "x", idempotent=True, json={"body": "new"})
    assert raised.value.status == status
    assert [path for path, _ in seen["127.0.0.1"]] == ["/api/x"]


def test_a_redirect_loop_ends_with_a_message_and_is_not_retried(two_hosts):
    api, _, seen = two_hosts
    route(api, seen["127.0.0.1"], {"/api/loop": [moved("/api/loop")]})
    sleeps = Sleeps()
    with pytest.raises(HttpError, match=r"GET .*/api/loop: more than 5 redirects"):
        api_client(api, sleeps).send("GET", "loop", idempotent=True)
    assert len(seen["127.0.0.1"]) == 6 and sleeps == []


def test_a_download_that_arrives_wrong_starts_again_from_its_first_url(two_hosts):
    api, other, seen = two_hosts
    signed = f"http://127.0.0.2:{other.port}/signed"
    route(api, seen["127.0.0.1"], {"/api/file": [moved(signed)]})
    served = [Response(b"wrong"), Response(b"wrong"), Response(b"right")]
    route(other, seen["127.0.0.2"], {"/signed": served})
    received = []

    def receive(response):
        received.append(response.content)
        if received[-1] != b"right":
            raise BrokenTransfer("the bytes are not the ones announced")
        return received[-1]

    sleeps = Sleeps()
    assert api_client(api, sleeps).download("file", receive) == b"right"
    assert received == [b"wrong", b"wrong", b"right"] and len(sleeps) == 2
    assert [path for path, _ in seen["127.0.0.1"]] == ["/api/file"] * 3  # signed afresh


def test_a_download_that_breaks_every_time_gives_up_after_its_attempts(two_hosts):
    api, _, seen = two_hosts
    route(api, seen["127.0.0.1"], {})

    def receive(response):
        raise BrokenTransfer("the connection broke off")

    with pytest.raises(TransferFailed, match=r"^the connection broke off \(3 attempts\)$"):
        api_client(api, transfer_attempts=3).download("file", receive)
    assert len(seen["127.0.0.1"]) == 3


def test_a_storage_host_refusing_its_url_restarts_the_download_the_api_refusing_does_not(
    two_hosts,
):
    api, other, seen = two_hosts
    signed = f"http://127.0.0.2:{other.port}/signed"
    route(api, seen["127.0.0.1"], {"/api/file": [moved(signed)], "/api/gone": [Response("", 404)]})
    route(other, seen["127.0.0.2"], {"/signed": [Response("expired", 403), Response(b"ok")]})
    http = api_client(api)
    assert http.download("file", lambda response: response.content) == b"ok"
    with pytest.raises(HttpError) as raised:
        http.download("gone", lambda response: response.content)
    assert raised.value.status == 404 and not isinstance(raised.value, TransferFailed)
    paths = [path for path, _ in seen["127.0.0.1"]]
    assert paths == ["/api/file", "/api/file", "/api/gone"]


# --- Issue 12 item 5: every exchange ends by a deadline ----------------------------------


def trickle(request):
    def body():
        for _ in range(100):
            time.sleep(0.2)
            yield b"x"

    return Response(body(), headers={"Content-Length": "100"})


@pytest.fixture
def slow_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    seen: list = []

    def handler(request):
        seen.append(request.method)
        return trickle(request)

    server.expect_request(re.compile("/api/slow.*")).respond_with_handler(handler)
    try:
        yield server, seen
    finally:
        server.stop()


def test_a_trickled_answer_ends_at_the_deadline_and_an_idempotent_request_retries(
    slow_server,
):
    server, seen = slow_server
    sleeps = Sleeps()
    http = api_client(server, sleeps, deadline=1.0, max_attempts=2, base_delay=0.01)
    started = time.monotonic()
    with pytest.raises(HttpError) as raised:
        http.send("GET", "slow?secret=1", idempotent=True)
    assert time.monotonic() - started < 4  # two attempts of about a second
    assert seen == ["GET", "GET"] and len(sleeps) == 1
    message = raised.value.message
    assert message == (
        f"GET http://127.0.0.1:{server.port}/api/slow: the answer took longer than 1.0 s "
        "(the server was too slow)"
    )


def test_a_trickled_answer_to_a_publish_is_not_repeated(slow_server):
    server, seen = slow_server
    sleeps = Sleeps()
    with pytest.raises(OutcomeUnknown, match=r"took longer than 1\.0 s"):
        api_client(server, sleeps, deadline=1.0).send(
            "POST", "slow", idempotent=False, expected=(202,)
        )
    assert seen == ["POST"] and sleeps == []


def test_a_streamed_download_that_trickles_ends_at_its_deadline(slow_server):
    server, _ = slow_server
    http = api_client(server, deadline=1.0, min_rate=1000.0)  # 100 bytes: +0.1 s
    response = http.send("GET", "slow", idempotent=True, stream=True)
    started = time.monotonic()
    with pytest.raises(requests.RequestException, match=r"longer than 1\.1 s"):
        b"".join(response.iter_content(1024))
    assert time.monotonic() - started < 2


@contextlib.contextmanager
def raw_server(handle):
    """A loopback TCP server whose connections `handle(conn)` serves, each in a thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_quietly, args=(handle, conn, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def _quietly(handle, conn, stop):
    with conn, contextlib.suppress(OSError):
        handle(conn, stop)


def test_trickled_headers_end_at_the_deadline():
    def headers_forever(conn, stop):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.is_set():
            conn.sendall(b"x")
            time.sleep(0.2)

    with raw_server(headers_forever) as port:
        http = HttpClient(
            f"http://127.0.0.1:{port}/api",
            TOKEN,
            policy=RetryPolicy(deadline=1.0, read_timeout=5, max_attempts=1),
        )
        started = time.monotonic()
        with pytest.raises(HttpError, match=r"the answer took longer than 1\.0 s"):
            http.send("GET", "x", idempotent=True)
    assert time.monotonic() - started < 3


def test_an_upload_the_server_reads_a_byte_at_a_time_ends_at_the_deadline():
    def slow_reader(conn, stop):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        while not stop.is_set() and conn.recv(1):
            time.sleep(0.2)

    size = 8 * 1024 * 1024
    with raw_server(slow_reader) as port:
        http = HttpClient(
            f"http://127.0.0.1:{port}/api",
            TOKEN,
            policy=RetryPolicy(
                deadline=1.0, min_rate=1e12, connect_timeout=10, read_timeout=10, max_attempts=1
            ),
        )
        started = time.monotonic()
        with pytest.raises(HttpError) as raised:
            http.send(
                "PUT",
                "bucket/f",
                idempotent=True,
                expected=(201,),
                body=lambda: io.BytesIO(bytes(size)),
                upload_size=size,
            )
    assert time.monotonic() - started < 4
    assert raised.value.message.endswith(
        f"/api/bucket/f: the upload of {size} bytes and the answer to it took longer than "
        "1.0 s (the server was too slow)"
    )


def test_the_deadline_grows_with_the_size():
    policy = RetryPolicy(deadline=300, min_rate=250e3)
    assert policy.deadline_for(0) == 300
    assert policy.deadline_for(1_000_000_000) == 300 + 4000


# --- Issue 12 item 8: causes on this side fail at once and say so --------------------------


def test_a_name_that_does_not_resolve_fails_at_once():
    sleeps = Sleeps()
    http = HttpClient("https://zenodo-action-test.invalid/api", TOKEN, sleep=sleeps)
    with pytest.raises(LocalFailure) as raised:
        http.send("GET", "deposit/depositions", idempotent=True)
    assert sleeps == []
    assert "the host name zenodo-action-test.invalid does not resolve" in raised.value.message
    assert "resolve names" in (raised.value.hint or "")


def test_tls_to_a_plain_http_server_fails_at_once(httpserver):
    seen = respond_in_turn(httpserver, "/api/x", [Response("{}", 200)])
    sleeps = Sleeps()
    http = HttpClient(f"https://127.0.0.1:{httpserver.port}/api", TOKEN, sleep=sleeps)
    with pytest.raises(LocalFailure) as raised:
        http.send("GET", "x", idempotent=True)
    assert sleeps == [] and seen == []
    assert f"GET https://127.0.0.1:{httpserver.port}/api/x: TLS with 127.0.0.1 failed (" in (
        raised.value.message
    )
    explained = str(explain(raised.value, doing="list your depositions"))
    assert "Zenodo is having trouble" not in explained and "REQUESTS_CA_BUNDLE" in explained


@pytest.mark.parametrize("token", ["abc\\ndef", "abcdef\\n", "abc\\r\\ndef", "abcdéf", " abc"])
def test_a_token_a_header_cannot_carry_fails_at_once_without_being_printed(httpserver, token):
    token = token.encode().decode("unicode_escape") if "\\" in token else token
    seen = respond_in_turn(httpserver, "/api/x", [Response("{}", 200)])
    sleeps = Sleeps()
    http = HttpClient(httpserver.url_for("/api"), token, sleep=sleeps)
    with pytest.raises(LocalFailure) as raised:
        http.send("GET", "x", idempotent=True)
    assert sleeps == [] and seen == []
    text = str(raised.value)
    assert "token for localhost holds characters an HTTP header cannot carry" in text
    assert token.strip() not in text


def test_a_header_value_http_cannot_encode_is_a_local_failure(httpserver):
    seen = respond_in_turn(httpserver, "/api/x", [Response("{}", 200)])
    sleeps = Sleeps()
    with pytest.raises(LocalFailure, match="a header of the request holds characters"):
        client(httpserver, sleeps).send(
            "GET", "x", idempotent=True, headers={"X-Name": "\u0101\u0100"}
        )
    assert sleeps == [] and seen == []


def test_server_trouble_keeps_the_retry_policy_and_its_wording(httpserver):
    sleeps = Sleeps()
    respond_in_turn(httpserver, "/api/x", [Response("", 503)])
    with pytest.raises(HttpError) as raised:
        client(httpserver, sleeps, max_attempts=3, base_delay=0.01).send(
            "GET", "x", idempotent=True
        )
    assert not isinstance(raised.value, LocalFailure) and len(sleeps) == 2
    assert "Zenodo is having trouble" in str(explain(raised.value, doing="read record 1"))

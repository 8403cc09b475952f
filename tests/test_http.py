"""The one retry policy: what is retried, how long it waits, where the token goes."""

from __future__ import annotations

import io
import logging
import socket

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from zenodo_action import USER_AGENT
from zenodo_action.http import HttpClient, HttpError, OutcomeUnknown, RetryPolicy

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


def test_connection_refused_is_retried_even_when_not_idempotent():
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    http = HttpClient(
        f"http://127.0.0.1:{port}/api",
        TOKEN,
        policy=RetryPolicy(max_attempts=3, base_delay=0.01),
        sleep=sleeps,
    )
    with pytest.raises(HttpError) as raised:
        http.send("POST", "publish", idempotent=False, expected=(202,))
    assert not isinstance(raised.value, OutcomeUnknown)  # provably never sent
    assert len(sleeps) == 2
    assert "could not reach the server" in raised.value.message


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

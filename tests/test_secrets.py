"""The secret registry, `redact`, and the stream guard around stdout/stderr."""

from __future__ import annotations

import io
import sys
from urllib.parse import quote, quote_plus

from zenodo_action import secrets
from zenodo_action.secrets import MASK, RedactingStream, guard_std_streams, redact, register


class _FakeTerminal(io.StringIO):
    """A text stream that records flushes and claims to be a terminal."""

    def __init__(self, *, tty: bool) -> None:
        super().__init__()
        self.flushes = 0
        self._tty = tty

    def flush(self) -> None:
        self.flushes += 1
        super().flush()

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:
        return "latin-1"


def test_a_registered_secret_is_masked_everywhere_in_the_text():
    register("tok-1234567890")
    assert redact("a tok-1234567890 b tok-1234567890") == f"a {MASK} b {MASK}"


def test_text_without_secrets_is_left_alone():
    register("tok-1234567890")
    assert redact("nothing secret here: tok-12345") == "nothing secret here: tok-12345"


def test_none_and_empty_values_are_not_registered():
    register(None)
    register("")
    assert redact("some text") == "some text"


def test_values_shorter_than_four_characters_are_not_registered():
    register("abc")
    register("the")
    assert redact("abc the thesis") == "abc the thesis"


def test_a_four_character_value_is_registered():
    register("abcd")
    assert redact("xabcdx") == f"x{MASK}x"


def test_url_quoted_forms_of_a_secret_are_masked_too():
    token = "a b/c+d=e&f"
    register(token)
    quoted, plus_quoted = quote(token, safe=""), quote_plus(token)
    assert quoted != token and plus_quoted != token and quoted != plus_quoted
    text = f"raw={token} quoted={quoted} plus={plus_quoted}"
    assert redact(text) == f"raw={MASK} quoted={MASK} plus={MASK}"


def test_a_server_echo_of_the_token_in_a_query_string_is_masked():
    register("s3cr3t/t0ken+value")
    url = "https://zenodo.org/api/records?access_token=s3cr3t%2Ft0ken%2Bvalue&page=2"
    assert redact(url) == f"https://zenodo.org/api/records?access_token={MASK}&page=2"


def test_a_secret_that_contains_another_is_masked_whole():
    register("abcd")
    register("xyz-abcd-xyz")
    assert redact("[xyz-abcd-xyz] [abcd]") == f"[{MASK}] [{MASK}]"


def test_forget_all_empties_the_registry():
    register("tok-1234567890")
    secrets.forget_all()
    assert redact("tok-1234567890") == "tok-1234567890"


def test_the_redacting_stream_masks_on_write_and_returns_the_original_length():
    register("tok-1234567890")
    inner = io.StringIO()
    stream = RedactingStream(inner)
    text = "token is tok-1234567890\n"
    assert stream.write(text) == len(text)
    assert inner.getvalue() == f"token is {MASK}\n"


def test_the_redacting_stream_uses_the_registry_at_write_time():
    inner = io.StringIO()
    stream = RedactingStream(inner)
    stream.write("before: tok-1234567890\n")
    register("tok-1234567890")
    stream.write("after: tok-1234567890\n")
    assert inner.getvalue() == f"before: tok-1234567890\nafter: {MASK}\n"


def test_print_through_the_redacting_stream_masks_secrets():
    register("tok-1234567890")
    inner = io.StringIO()
    print("the token", "tok-1234567890", file=RedactingStream(inner))
    assert inner.getvalue() == f"the token {MASK}\n"


def test_the_redacting_stream_passes_flush_isatty_and_encoding_through():
    tty = _FakeTerminal(tty=True)
    stream = RedactingStream(tty)
    stream.flush()
    stream.flush()
    assert tty.flushes == 2
    assert stream.isatty() is True
    assert stream.encoding == "latin-1"
    assert RedactingStream(_FakeTerminal(tty=False)).isatty() is False


def test_the_redacting_stream_defaults_to_utf8_when_the_inner_stream_has_no_encoding():
    class Bare:
        def write(self, text: str) -> int:
            return len(text)

    assert RedactingStream(Bare()).encoding == "utf-8"


def test_guard_std_streams_wraps_stdout_and_stderr(monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    register("tok-1234567890")

    guard_std_streams()
    print("out tok-1234567890")
    print("err tok-1234567890", file=sys.stderr)

    assert isinstance(sys.stdout, RedactingStream)
    assert isinstance(sys.stderr, RedactingStream)
    assert out.getvalue() == f"out {MASK}\n"
    assert err.getvalue() == f"err {MASK}\n"


def test_guard_std_streams_twice_does_not_wrap_again(monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)

    guard_std_streams()
    first_out, first_err = sys.stdout, sys.stderr
    guard_std_streams()

    assert sys.stdout is first_out
    assert sys.stderr is first_err
    register("tok-1234567890")
    sys.stdout.write("tok-1234567890")
    assert out.getvalue() == MASK

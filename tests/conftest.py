"""Shared test set-up: every module in tests/fakes/ is a pytest plugin, so its fixtures
(real HTTP servers on loopback) are available to all tests."""

import logging
import pkgutil
from pathlib import Path

import pytest

from zenodo_action import secrets

# What others build on first (the fake Zenodo on Zenodo's metadata rules, the fake
# InvenioRDM on the fake Zenodo): a plugin imported by another before its own turn is not
# assert-rewritten.
_FIRST = ("tests.fakes.legacy_metadata", "tests.fakes.zenodo")
pytest_plugins = sorted(
    (
        f"tests.fakes.{module.name}"
        for module in pkgutil.iter_modules([str(Path(__file__).parent / "fakes")])
    ),
    key=lambda name: _FIRST.index(name) if name in _FIRST else len(_FIRST),
)

# Without a handler of its own, werkzeug (under the fakes) attaches one to whatever
# sys.stderr is at its first request: a test's capture stream, closed by the next test.
logging.getLogger("werkzeug").addHandler(logging.NullHandler())


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    """Each test starts with no registered secrets, as a new process would."""
    secrets.forget_all()
    yield
    secrets.forget_all()


@pytest.fixture
def fast_retries(monkeypatch):
    """Short timeouts and no real waiting, so fault tests run in seconds.

    Returns the list of waits the run asked for (retries and index polling).
    """
    from zenodo_action import publish
    from zenodo_action.http import RetryPolicy

    waits: list[float] = []
    policy = RetryPolicy(
        base_delay=0.01, max_delay=2, total_wait=30, connect_timeout=2, read_timeout=1.0
    )

    real_client_for = publish.client_for

    def client_for(settings, policy_=None, sleep=None):
        return real_client_for(settings, policy_ or policy, sleep or waits.append)

    monkeypatch.setattr(publish, "client_for", client_for)
    return waits


def pytest_configure(config: pytest.Config) -> None:
    # Registered here, beside the fixtures, so `-m sandbox` is known (and typo-safe) without
    # pyproject; tests/test_sandbox_e2e.py skips it unless ZENODO_SANDBOX_TOKEN is set.
    config.addinivalue_line(
        "markers", "sandbox: talks to the real sandbox.zenodo.org; needs ZENODO_SANDBOX_TOKEN"
    )

"""Shared test set-up: every module in tests/fakes/ is a pytest plugin, so its fixtures
(real HTTP servers on loopback) are available to all tests."""

import logging
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from zenodo_action import secrets
from zenodo_action.http import RetryPolicy
from zenodo_action.settings import PublishSettings
from zenodo_action.zenodo.api import DepositAPI

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


@dataclass
class QuickClients:
    """How the tests' publishes make their API client (`client_factory=`): short timeouts,
    and every wait the run asks for (retries, index polling) recorded in `waits`, never
    slept, so fault tests run in seconds."""

    policy: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            base_delay=0.01, max_delay=2, total_wait=30, connect_timeout=2, read_timeout=1.0
        )
    )
    waits: list[float] = field(default_factory=list)
    made_for: list[PublishSettings] = field(default_factory=list)  # one per client made

    def __call__(self, settings: PublishSettings) -> DepositAPI:
        from zenodo_action import publish

        self.made_for.append(settings)
        return publish.client_for(settings, self.policy, self.waits.append)


@pytest.fixture
def fast_retries() -> QuickClients:
    """The client factory to hand to `main(..., client_factory=)` and `publish.publish`."""
    return QuickClients()


def pytest_configure(config: pytest.Config) -> None:
    # Registered here, beside the fixtures, so `-m sandbox` is known (and typo-safe) without
    # pyproject; tests/test_sandbox_e2e.py skips it unless ZENODO_SANDBOX_TOKEN is set.
    config.addinivalue_line(
        "markers", "sandbox: talks to the real sandbox.zenodo.org; needs ZENODO_SANDBOX_TOKEN"
    )

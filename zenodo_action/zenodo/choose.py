"""Which API a run publishes through: the one place that chooses the client.

`api: auto` asks the instance, never its host name (docs/reference/invenio-records-api.md
§13): Zenodo's deposit API where `GET /api/deposit/depositions` answers as it does, the
records API where `GET /api/user/records` answers as InvenioRDM's does. The answer costs
one request on Zenodo and two elsewhere; `api: deposit` or `api: records` skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from zenodo_action.errors import ActionError
from zenodo_action.http import HttpClient, HttpError, LocalFailure, RetryPolicy, server_message
from zenodo_action.zenodo.api import KNOWN_PREFIXES, ApiChoice, DepositAPI
from zenodo_action.zenodo.client import ZenodoClient
from zenodo_action.zenodo.records import RecordsClient

# The answers a probe reads (§13.1, §13.2).
DEPOSIT_PROBE = "deposit/depositions"
RECORDS_PROBE = "user/records"


def client_for(
    base_url: str,
    token: str,
    api: ApiChoice,
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    connections: int = 4,
) -> DepositAPI:
    """The client of `api` ("auto": of the API the instance answers for)."""
    options: dict[str, Any] = {"policy": policy, "sleep": sleep, "connections": connections}
    if api == "deposit":
        return ZenodoClient(base_url, token, **options)
    zenodo = urlsplit(base_url).hostname in KNOWN_PREFIXES
    if api == "records":
        return RecordsClient(base_url, token, zenodo=zenodo, **options)
    host = urlsplit(base_url).netloc
    deposit = ZenodoClient(base_url, token, **options)
    found = _probe(deposit.http, DEPOSIT_PROBE, list, host=host)
    if found == "yes":
        return deposit
    records = RecordsClient(base_url, token, zenodo=zenodo, **options)
    answered = found if _refused(found) else _probe(records.http, RECORDS_PROBE, dict, host=host)
    if answered == "yes":
        return records
    if _refused(answered):
        asked = DEPOSIT_PROBE if _refused(found) else RECORDS_PROBE
        raise ActionError(
            f"{host} refused the token: GET /api/{asked} answered "
            f"{answered.removeprefix('refused: ')}",
            hint="set the token to a personal access token of your account on this instance "
            "(Zenodo: with the deposit:write and deposit:actions scopes; sandbox tokens do not "
            "work on zenodo.org and vice versa)",
        )
    raise ActionError(
        f"{host} answers neither as Zenodo's deposit API (GET /api/{DEPOSIT_PROBE}: {found}) "
        f"nor as InvenioRDM's records API (GET /api/{RECORDS_PROBE}: {answered})",
        hint="zenodo-url must be the base address of Zenodo or an InvenioRDM repository "
        "(e.g. https://zenodo.org, https://data.caltech.edu), without a path after it",
    )


def _probe(http: HttpClient, path: str, shape: type, *, host: str) -> str:
    """ "yes" when the answer has the API's shape (§13); "refused (403 …)" when the API is
    there but refuses the token; else what came instead, for the message. A server in
    trouble, or one that cannot be reached, stops the run: nothing can be told then."""
    try:
        response = http.send("GET", path, idempotent=True, params={"size": 1, "page": 1})
    except LocalFailure:
        raise
    except HttpError as error:
        if error.status in (401, 403) and _is_json_error(error.body):
            return f"refused: {error.status} {server_message(error.body)}"
        if error.status is None or error.status >= 500:
            raise ActionError(
                f"could not tell which API {host} serves: {error.message}",
                hint="the instance is having trouble: run again later, or set api (deposit "
                "or records) to skip the question",
            ) from None
        return f"{error.status} {server_message(error.body, limit=80)}"
    return "yes" if _shaped(response, shape) else "an answer of another shape"


def _refused(answer: str) -> bool:
    return answer.startswith("refused")


def _is_json_error(body: Any) -> bool:
    return isinstance(body, Mapping) and "status" in body and "message" in body


def _shaped(response: requests.Response, shape: type) -> bool:
    """Zenodo's deposit list is a JSON list; the records search an object with `hits`."""
    try:
        data = response.json()
    except ValueError:
        return False
    if shape is list:
        return isinstance(data, list)
    return isinstance(data, dict) and "hits" in data

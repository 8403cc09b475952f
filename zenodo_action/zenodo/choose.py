"""Which API a run publishes through: the one place that chooses the client.

`api: auto` asks the instance, never its host name (docs/reference/invenio-records-api.md
§13): Zenodo's deposit API where its list of depositions answers as Zenodo's does, the
records API where the user's records answer as InvenioRDM's do. Each question is the first
search the run would send anyway through that API, and its answer is handed to the chosen
client for that search: on Zenodo, auto costs no request; elsewhere, one (the deposit
list's 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import requests

from zenodo_action.errors import ActionError
from zenodo_action.http import HttpError, LocalFailure, RetryPolicy, server_message
from zenodo_action.naming import setting
from zenodo_action.zenodo.api import KNOWN_PREFIXES, ApiChoice, ConceptRef, DepositAPI, RecordId
from zenodo_action.zenodo.client import ZenodoClient
from zenodo_action.zenodo.records import RecordsClient
from zenodo_action.zenodo.session import ApiSession


def client_for(
    base_url: str,
    token: str,
    api: ApiChoice,
    *,
    concept: ConceptRef | None = None,
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
    records = RecordsClient(base_url, token, zenodo=zenodo, **options)
    concept_id = concept.id if concept else None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="latest") as pool:
        # Both APIs read the concept's latest version alike: asked beside the questions,
        # as a run asks it beside its first search (deposit.observe).
        latest = None if concept_id is None else pool.submit(deposit.latest_response, concept_id)
        found = _ask(deposit, concept, list, host=host)
        if found == "yes":
            return _with_latest(deposit, concept_id, latest)
        answered = found if _refused(found) else _ask(records, concept, dict, host=host)
        if answered == "yes":
            return _with_latest(records, concept_id, latest)
    if _refused(answered):
        asked = deposit.first_search(concept)[0] if _refused(found) else "user/records"
        raise ActionError(
            f"{host} refused the token: GET /api/{asked} answered "
            f"{answered.removeprefix('refused: ')}",
            hint=f"set {setting('token')} to a personal access token of your account on this "
            "instance (Zenodo: with the deposit:write and deposit:actions scopes; sandbox "
            "tokens do not work on zenodo.org and vice versa)",
        )
    raise ActionError(
        f"{host} answers neither as Zenodo's deposit API (GET /api/deposit/depositions: {found}) "
        f"nor as InvenioRDM's records API (GET /api/user/records: {answered})",
        hint=f"{setting('zenodo-url')} must be the base address of Zenodo or an InvenioRDM "
        "repository "
        "(e.g. https://zenodo.org, https://data.caltech.edu), without a path after it",
    )


def _ask(client: ApiSession, concept: ConceptRef | None, shape: type, *, host: str) -> str:
    """Send the client's first search: "yes" when the answer has the API's shape (§13; the
    client keeps it for that search); "refused: 403 …" when the API is there but refuses
    the token; else what came instead, for the message. A server in trouble, or one that
    cannot be reached, stops the run: nothing can be told then."""
    path, params = client.first_search(concept)
    try:
        response = client.http.send("GET", path, idempotent=True, params=params)
    except LocalFailure:
        raise
    except HttpError as error:
        if error.status in (401, 403) and _is_json_error(error.body):
            return f"refused: {error.status} {server_message(error.body)}"
        if error.status is None or error.status >= 500:
            raise ActionError(
                f"could not tell which API {host} serves: {error.message}",
                hint="the instance is having trouble: run again later, or set "
                f"{setting('api', 'deposit')} or {setting('api', 'records')} to skip the question",
            ) from None
        return f"{error.status} {server_message(error.body, limit=80)}"
    try:
        answer = response.json()
    except ValueError:
        return "an answer of another shape"
    if not _shaped(answer, shape):
        return "an answer of another shape"
    client.prime(path, params, answer)
    return "yes"


def _with_latest(
    client: ZenodoClient | RecordsClient,
    concept_id: RecordId | None,
    latest: Future[requests.Response] | None,
) -> ZenodoClient | RecordsClient:
    if concept_id is not None and latest is not None:
        client.prime_latest(concept_id, latest)
    return client


def _refused(answer: str) -> bool:
    return answer.startswith("refused")


def _is_json_error(body: Any) -> bool:
    return isinstance(body, Mapping) and "status" in body and "message" in body


def _shaped(answer: Any, shape: type) -> bool:
    """Zenodo's deposit list is a JSON list; the records search an object with `hits`."""
    if shape is list:
        return isinstance(answer, list)
    return isinstance(answer, dict) and "hits" in answer

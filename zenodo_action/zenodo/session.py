"""What both API clients do alike: JSON answers read once, the server's clock, and the
patient look-ups in a search index that lags behind the database (zenodo-api.md §2.3,
docs/reference/invenio-records-api.md §8.2)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

import requests

from zenodo_action.http import HttpClient, RetryPolicy
from zenodo_action.polling import poll
from zenodo_action.zenodo.api import ConceptRef, Deposition, RecordId, UnexpectedAnswer
from zenodo_action.zenodo.plan import newest

log = logging.getLogger("zenodo_action.zenodo")

INDEX_PATIENCE = (2.0, 4.0, 8.0, 16.0, 30.0)  # waits for the search index to show a draft


class ApiSession:
    """One API of one instance, with one token; subclasses list its depositions."""

    http: HttpClient
    server_time: dt.datetime | None = None  # from the last response's Date header
    # The answer to the question which API the instance serves (zenodo/choose.py), when
    # that question was this client's first search: (path, params, answer), used once.
    _primed: tuple[str, dict[str, Any], Any] | None = None
    # ... and the latest-version request it sent beside it, for that concept: (id, answer)
    _primed_latest: tuple[RecordId, Future[requests.Response]] | None = None

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        connections: int = 4,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Both APIs live under `/api`, and both limit with 429 only: a 403 is never a
        rate limit, though it carries Retry-After (zenodo-api.md §4.5)."""
        self.http = HttpClient(
            f"{base_url}/api",
            token,
            policy=policy,
            sleep=sleep,
            rate_limited_403=False,
            connections=connections,
            headers=headers,
        )

    def first_search(self, concept: ConceptRef | None) -> tuple[str, dict[str, Any]]:
        """The path and parameters of the first search a run for `concept` sends."""
        raise NotImplementedError

    def prime(self, path: str, params: dict[str, Any], answer: Any) -> None:
        self._primed = (path, dict(params), answer)

    def prime_latest(self, concept_id: RecordId, answer: Future[requests.Response]) -> None:
        self._primed_latest = (concept_id, answer)

    def latest_response(self, concept_id: RecordId) -> requests.Response:
        """`GET records/{id}/versions/latest` (the same on both APIs), not followed: its
        redirect names the latest version (zenodo-api.md §3.1, docs/reference/
        invenio-records-api.md §4.4). A primed answer for this concept is taken once;
        an HttpError (404, 410: no such concept) is the caller's to read."""
        primed, self._primed_latest = self._primed_latest, None
        if primed is not None and primed[0] == concept_id:
            response = primed[1].result()
        else:
            response = self.http.send(
                "GET",
                f"records/{concept_id}/versions/latest",
                idempotent=True,
                expected=(200, 301, 302, 303, 307, 308),
                allow_redirects=False,
            )
        self._note_server_time(response.headers.get("Date"))
        return response

    def _searched(self, path: str, params: dict[str, Any], *, step: str) -> Any:
        """One page of a search: the primed answer if it is this very request, else sent."""
        primed, self._primed = self._primed, None
        if primed is not None and primed[:2] == (path, params):
            return primed[2]
        return self._json("GET", path, step=step, idempotent=True, params=params)

    def _json(self, method: str, path: str, *, step: str, idempotent: bool, **kwargs: Any) -> Any:
        """The JSON body of a successful answer; UnexpectedAnswer when it is not JSON."""
        response = self.http.send(method, path, idempotent=idempotent, **kwargs)
        self._note_server_time(response.headers.get("Date"))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise UnexpectedAnswer(step, "an answer that is not JSON") from None

    def _note_server_time(self, header: str | None) -> None:
        if header:
            with contextlib.suppress(TypeError, ValueError):
                self.server_time = email.utils.parsedate_to_datetime(header)

    def now(self) -> dt.datetime:
        return self.server_time or dt.datetime.now(dt.timezone.utc)

    def concept_depositions(self, concept_id: RecordId) -> list[Deposition]:
        raise NotImplementedError

    def all_depositions(self) -> list[Deposition]:
        raise NotImplementedError

    def find_pending_draft(self, concept_id: RecordId, *, expected: bool) -> Deposition | None:
        """Poll the search index, which may lag behind a just-created draft."""

        def announce(wait: float, _: Deposition | None) -> None:
            log.info("waiting %.0f s for the search index", wait)

        def look() -> Deposition | None:
            return newest([d for d in self.concept_depositions(concept_id) if d.is_new_draft])

        waits = INDEX_PATIENCE if expected else INDEX_PATIENCE[:2]
        return poll(look, _found, waits, self.http.sleep, announce=announce)

    def find_blank_first_draft(self) -> Deposition | None:
        def look() -> Deposition | None:
            drafts = [d for d in self.all_depositions() if d.is_new_draft and not d.concept_doi]
            return newest([d for d in drafts if d.is_blank])

        return poll(look, _found, INDEX_PATIENCE[:3], self.http.sleep)


def timestamp(value: Any) -> dt.datetime | None:
    """An answer's ISO time (UTC when it names no zone); None when there is none."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _found(draft: Deposition | None) -> bool:
    return draft is not None

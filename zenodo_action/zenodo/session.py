"""What both API clients do alike: JSON answers read once, the server's clock, and the
patient look-ups in a search index that lags behind the database (zenodo-api.md §2.3,
docs/reference/invenio-records-api.md §8.2)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
from typing import Any

from zenodo_action.http import HttpClient
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

    def first_search(self, concept: ConceptRef | None) -> tuple[str, dict[str, Any]]:
        """The path and parameters of the first search a run for `concept` sends."""
        raise NotImplementedError

    def prime(self, path: str, params: dict[str, Any], answer: Any) -> None:
        self._primed = (path, dict(params), answer)

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


def _found(draft: Deposition | None) -> bool:
    return draft is not None

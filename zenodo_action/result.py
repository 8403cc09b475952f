"""What a publish run ended with: one typed result that every view is rendered from.

`--json`, the Action's outputs, the job summary and the text report all read a
`PublishResult`; the names of its JSON fields and outputs are part of the documented
interface (README: "The command line", "Outputs") and must not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["published", "draft", "unchanged", "planned"]


@dataclass(frozen=True)
class FileEntry:
    name: str
    size: int
    md5: str


@dataclass(frozen=True)
class PublishResult:
    status: Status
    doi: str | None  # the version's DOI (a draft's: reserved, see doi_reserved); None: dry run
    concept_doi: str | None
    record_id: int | str | None  # a number on Zenodo, a string (8x4k2-abcde) on InvenioRDM
    record_url: str | None
    version: str | None
    badge: str | None
    files: tuple[FileEntry, ...]
    new_concept: bool  # this run created a new concept
    reason: str | None  # why nothing was published (unchanged)
    # `doi` is only reserved: the draft's, which publishing it will mint (status draft)
    doi_reserved: bool = False

    @property
    def doi_url(self) -> str | None:
        return doi_url(self.doi)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict[str, Any]:
        """The `--json` object, fields in their documented order (new ones go last)."""
        return {
            "status": self.status,
            "doi": self.doi,
            "doi_url": self.doi_url,
            "concept_doi": self.concept_doi,
            "record_id": self.record_id,
            "record_url": self.record_url,
            "version": self.version,
            "badge": self.badge,
            "files": [{"name": f.name, "size": f.size, "md5": f.md5} for f in self.files],
            "new_concept": self.new_concept,
            "reason": self.reason,
            "doi_reserved": self.doi_reserved,
        }

    def outputs(self) -> dict[str, str]:
        """The Action's step outputs (action.yml), empty strings for what is unknown."""
        values = {
            "doi": self.doi,
            "doi-url": self.doi_url,
            "concept-doi": self.concept_doi,
            "record-id": self.record_id,
            "record-url": self.record_url,
            "version": self.version,
            "badge": self.badge,
            "status": self.status,
            "doi-reserved": "true" if self.doi_reserved else "false",
        }
        return {name: "" if value is None else str(value) for name, value in values.items()}


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def badge(doi: str | None, zenodo_url: str) -> str | None:
    """The Markdown DOI badge Zenodo serves for a DOI."""
    if not doi:
        return None
    return f"[![DOI]({zenodo_url}/badge/DOI/{doi}.svg)]({doi_url(doi)})"

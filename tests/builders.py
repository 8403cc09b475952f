"""Records and files for tests of pure functions (planner, results, reports): no server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zenodo_action.files import LocalFile
from zenodo_action.zenodo.api import Deposition, RemoteFile
from zenodo_action.zenodo.client import parse_deposition


def local(name: str, md5: str, size: int = 3) -> LocalFile:
    return LocalFile(name, Path(name), size, md5)


def remote(name: str, md5: str, size: int = 3) -> RemoteFile:
    return RemoteFile(f"id-{name}", name, size, md5)


def deposition(**fields: Any) -> Deposition:
    """A deposition as Zenodo's legacy API returns it: published version 1.1 by default."""
    data = {
        "id": 12,
        "conceptrecid": "10",
        "state": "done",
        "submitted": True,
        "doi": "10.5281/zenodo.12",
        "conceptdoi": "10.5281/zenodo.10",
        "metadata": {"version": "1.1", "title": "Tool"},
        "files": [{"id": "f", "filename": "a.zip", "filesize": 2000, "checksum": "abc"}],
        "links": {"html": "https://zenodo.org/deposit/12"},
    }
    data.update(fields)
    return parse_deposition(data)

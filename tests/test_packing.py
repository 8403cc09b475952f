"""Reproducible archives (docs/reference/git-lfs-and-archives.md §4): what `packing`
writes, read back by Python's zipfile and tarfile, and what it refuses."""

from __future__ import annotations

import pytest

from zenodo_action import packing
from zenodo_action.errors import UsageError


def test_a_file_gone_since_it_was_listed_is_named(tmp_path):
    with pytest.raises(UsageError, match=r"gone\.csv: cannot read file"):
        packing.file_member("results/gone.csv", tmp_path / "gone.csv")

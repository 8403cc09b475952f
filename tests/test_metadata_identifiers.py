"""Identifiers as written and as Zenodo stores them (metadata/identifiers.py)."""

from __future__ import annotations

from datetime import date

import pytest

from zenodo_action.metadata import identifiers, vocabularies


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0002-1252-8772 ", "0000-0002-1252-8772"),  # pybids
        (" 0000-0003-4510-2468", "0000-0003-4510-2468"),  # pyAFQ
        ("0000-0002-10257956", "0000-0002-1025-7956"),
        ("0000000218250097", "0000-0002-1825-0097"),
        ("0000 0002 1825 0097", "0000-0002-1825-0097"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("A0000-0002-2432-8946", None),  # ndcube: not repairable
        ("0000-0002-1825-0098", None),  # checksum
        ("0000-0002-1825-00971", None),  # 17 characters: idutils would cut it, we refuse
        ("https://orcid.org/000-0003-4617-3188", None),  # pyiron
        ("", None),
    ],
)
def test_stored_orcid_repairs_as_zenodo_does(written, stored):
    assert identifiers.stored_orcid(written) == stored


@pytest.mark.parametrize(
    ("written", "spdx"),
    [
        ("MIT", "MIT"),
        ("https://spdx.org/licenses/Apache-2.0", "Apache-2.0"),
        ("http://spdx.org/licenses/BSD-3-Clause.html", "BSD-3-Clause"),
        ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),  # cff-converter-python
        ("https://opensource.org/licenses/MIT", "MIT"),
        ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0"),
        ("https://www.gnu.org/licenses/lgpl-2.1.html", "LGPL-2.1"),
        ("http://www.gnu.org/licenses/agpl-3.0.en.html", "AGPL-3.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://example.org/my-licence", "https://example.org/my-licence"),
        ("https://choosealicense.com/licenses/gpl-3.0/", "gpl-3.0"),
        ("https://spdx.org/licenses/MIT.json", "MIT"),
        ("https://www.gnu.org/licenses/gpl-3.0-standalone.html", "GPL-3.0"),
        # only Zenodo's licence vocabulary lists this one
        ("http://landley.net/toybox/license.html", "0bsd"),
    ],
)
def test_licence_urls_become_ids_zenodo_knows(written, spdx):
    assert identifiers.spdx_of(written) == spdx
    if not spdx.startswith("https://"):
        assert vocabularies.is_known_license(spdx)


def test_repository_urls_as_a_browser_opens_them():
    assert identifiers.web_url("git+https://github.com/o/r.git") == "https://github.com/o/r"
    assert identifiers.web_url("https://github.com/o/r") == "https://github.com/o/r"
    # git's scp-like form names the same page (Zenodo would store it as a "handle")
    assert identifiers.web_url("git@github.com:o/r.git") == "https://github.com/o/r"
    assert identifiers.web_url("ssh://git@github.com/o/r.git") == "ssh://git@github.com/o/r.git"


def test_dois_and_dates():
    assert identifiers.doi_of("https://doi.org/10.1000/x") == "10.1000/x"
    assert identifiers.doi_of("doi: 10.1000/x") == "10.1000/x"
    assert identifiers.doi_of("not a doi") is None
    assert identifiers.is_zenodo_doi("10.5281/zenodo.1") and identifiers.is_zenodo_doi(
        "10.5072/ZENODO.2"
    )
    assert not identifiers.is_zenodo_doi("10.21105/joss.01234")
    assert identifiers.real_date("2024-02-29") == date(2024, 2, 29)
    assert identifiers.real_date("2023-02-29") is None
    assert identifiers.real_date("2024-5-7") is None

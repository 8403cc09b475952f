"""versions.py: the order of releases a write-back never goes against."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from zenodo_action.versions import (
    Release,
    bare,
    compare,
    compare_dates,
    is_older,
    leading_v,
    same_version,
)

ORDERED = [
    # PEP 440, as its examples order them
    ["1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1.dev1"],
    ["1.0.post1", "1.1", "1.10", "2!0.1"],
    # Semantic Versioning 2.0.0 §11, its own list
    ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2"],
    ["1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"],
    # dates and calendar versions
    ["2023-12-31", "2024-01-02", "2024.01.10", "2024.2"],
]


@pytest.mark.parametrize("chain", ORDERED)
def test_each_list_is_in_order(chain):
    for older, newer in itertools.pairwise(chain):
        assert compare(older, newer) == -1, (older, newer)
        assert compare(newer, older) == 1, (newer, older)


# The one leading-"v" rule: the planner, the stale-citation check, the write-back's edits
# and read-back, and `compare` all follow it.
@pytest.mark.parametrize(
    ("version", "prefix", "without"),
    [
        ("v1.2.0", "v", "1.2.0"),
        ("V1.2", "V", "1.2"),  # either case
        ("1.2", "", "1.2"),
        ("version-2", "", "version-2"),  # only a "v" before a digit is dropped
        ("v", "", "v"),
        ("vv1", "", "vv1"),  # one "v" at most, and only the first character
        ("v\u00b2", "", "v\u00b2"),  # an ASCII digit: a superscript two is no version
        ("1.0.dev1", "", "1.0.dev1"),  # a "v" later in the version is the version's
        ("", "", ""),
    ],
)
def test_a_leading_v_before_a_digit_is_no_part_of_the_version(version, prefix, without):
    assert leading_v(version) == prefix
    assert bare(version) == without


@pytest.mark.parametrize(
    ("published", "wanted", "same"),
    [
        ("v1.2.0", "v1.2.0", True),
        ("1.2.0", "v1.2.0", True),  # the webhook's version from .zenodo.json vs the tag
        ("V2", "2", True),
        ("1.2", "V1.2", True),
        ("v1.2.0", "1.2.1", False),
        ("v1.2.0", "1.2", False),  # the rule is about the "v" only: 1.2.0 is no 1.2 here
        ("version-2", "ersion-2", False),
        ("1.0.dev1", "1.0.de1", False),
        (None, "1.0", False),
        ("1.0", None, False),
        ("", "", False),
    ],
)
def test_same_version_ignores_only_a_leading_v(published, wanted, same):
    assert same_version(published, wanted) is same


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("v1.2.0", "1.2.0"),
        ("V1.2", "1.2.0"),
        ("1.2.0+build.5", "1.2.0"),  # semver build metadata, PEP 440 local label
        ("1.0.0-alpha.1", "1.0.0a1"),  # one normalised spelling
        ("nightly", "NIGHTLY"),  # text that parses nowhere is still equal to itself
    ],
)
def test_spellings_of_one_version_are_equal(a, b):
    assert compare(a, b) == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("nightly", "1.0"),
        ("release-two", "release-three"),
        ("1.0.0-alpha.beta", "1.0.post1"),  # one only in semver, the other only in PEP 440
    ],
)
def test_versions_in_no_common_order_cannot_be_compared(a, b):
    assert compare(a, b) is None


def test_a_pep_440_post_release_spelled_like_a_semver_pre_release_is_a_post_release():
    assert compare("1.0-1", "1.0") == 1  # PEP 440 is tried first: documented


def test_is_older_decides_by_version_first_then_by_date():
    assert is_older(Release("1.4.3", "2025-01-01"), Release("2.0.0", "2024-06-01"))
    assert not is_older(Release("2.0.0", "2024-06-01"), Release("1.4.3", "2025-01-01"))
    assert not is_older(Release("1.2.0", "2024-01-01"), Release("v1.2.0", "2024-06-01"))
    assert is_older(Release("nightly", "2024-01-01"), Release("1.0", "2024-06-01"))
    assert not is_older(Release("nightly", None), Release("1.0", "2024-06-01"))
    assert not is_older(Release(None, None), Release("1.0", None))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2024-05-01", "2024-05-02", -1),
        ("2024-05-02T10:00:00Z", "2024-05-02", 0),
        ("2024-02-30", "2024-05-02", None),
        (None, "2024-05-02", None),
    ],
)
def test_dates_compare_as_days(a, b, expected):
    assert compare_dates(a, b) == expected


_pep440 = st.builds(
    lambda release, pre, post, dev: release + pre + post + dev,
    st.lists(st.integers(0, 12), min_size=1, max_size=4).map(lambda p: ".".join(map(str, p))),
    st.sampled_from(["", "a1", "b2", "rc1", "a0", "-alpha.3", ".RC2", "c1"]),
    st.sampled_from(["", ".post1", ".post0", "-2", "post3"]),
    st.sampled_from(["", ".dev0", ".dev4", "dev1"]),
)


@given(_pep440, _pep440)
def test_the_pep_440_order_is_packaging_s(a, b):
    expected = (Version(a) > Version(b)) - (Version(a) < Version(b))
    assert compare(a, b) == expected

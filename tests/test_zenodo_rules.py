"""The gate, the dry-run plan's echo and the fake Zenodo agree, each from its own source.

The validator's tables (metadata/data/licenses.json, schema.json) and the plan's echo rules
(metadata/echo.py) are this project's reading of Zenodo's code; the fake
(tests/fakes/legacy_metadata.py) follows Zenodo with Zenodo's own libraries (idutils,
bleach, ftfy) and its own copy of Zenodo's licence pairs. Where they disagree, one of them
misreads Zenodo (docs/reference/zenodo-deposit-rules.md), and a test here fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import idutils
import pytest

from tests.fakes import legacy_metadata as zenodo
from zenodo_action.metadata import cff, identifiers, markup, vocabularies
from zenodo_action.metadata.codemeta import links as codemeta_links
from zenodo_action.metadata.echo import echoed

ROOT = Path(__file__).resolve().parent.parent
CFF_LICENCES = json.loads((ROOT / "zenodo_action/metadata/data/cff-1.2.0.schema.json").read_text())[
    "definitions"
]["license-enum"]["enum"]


# --- licences ------------------------------------------------------------------------------


def test_every_licence_the_gate_accepts_zenodo_stores_and_echoes_as_the_plan_expects():
    table = vocabularies._licenses()["accepted"]
    assert len(table) > 500
    for written, (stored, echo) in table.items():
        assert zenodo.legacy_to_rdm(written) == stored, written
        assert zenodo.rdm_to_legacy(stored) == echo, written
        assert vocabularies.license_echo(written.upper()) == echo


@pytest.mark.parametrize("licence", CFF_LICENCES)
def test_an_spdx_licence_is_accepted_exactly_when_zenodo_takes_it(licence):
    takes = zenodo.legacy_to_rdm(licence) is not None
    assert vocabularies.is_known_license(licence) is takes


def test_the_15_ids_zenodo_added_in_2023_and_2024_are_accepted():
    added = [
        "agpl-1.0",
        "bsd-2-clause-freebsd",
        "bsd-2-clause-netbsd",
        "gfdl-1.1",
        "gfdl-1.2",
        "gfdl-1.3",
        "gpl-1.0",
        "gpl-1.0+",
        "gpl-2.0+",
        "gpl-3.0+",
        "lgpl-2.0",
        "lgpl-2.0+",
        "lgpl-2.1+",
        "lgpl-3.0+",
        "standardml-nj",
    ]
    for licence in added:
        assert vocabularies.is_known_license(licence) and zenodo.legacy_to_rdm(licence)


# --- related identifiers -------------------------------------------------------------------

IDENTIFIERS = [
    # what real CITATION.cff, codemeta.json and .zenodo.json files hold
    "10.5281/zenodo.1234567",
    "https://doi.org/10.1093/mnras/stab1234",
    "http://dx.doi.org/10.1016/J.CPC.2020.107",
    "doi:10.1000/xyz",
    "https://github.com/astropy/astropy",
    "https://github.com/o/r/tree/v1.0.0",
    "https://archive.softwareheritage.org/swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
    "swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
    "swh:1:rev:309cf2674ee7a0749978cf8265ab91a60aea0f7d;origin=https://github.com/x/y",
    "arXiv:2101.00001",
    "2101.00001v2",
    "hep-th/9901001",
    "hdl:11234/1-3105",
    "https://hdl.handle.net/11234/1-3105",
    "PMID:31234567",
    "978-3-16-148410-0",
    "urn:nbn:de:bvb:19-146642",
    "Q42",
    "RRID:SCR_012345",
    "ascl:1801.012",
    "PMC1234567",
    "www.example.org",
    "example.com",
    "my-package",
    "v1.2.0",
    "git@github.com:o/r.git",
    "ftp://ftp.example.org/pub/data",
    "mailto:someone@example.org",
    "o/r",
    "",
]


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_the_gate_finds_a_scheme_exactly_where_zenodo_does(identifier):
    scheme = zenodo.detected_scheme(identifier)
    assert identifiers.has_zenodo_scheme(identifier) is (scheme is not None)


@pytest.mark.parametrize("identifier", [i for i in IDENTIFIERS if zenodo.detected_scheme(i)])
def test_the_plan_expects_the_identifier_zenodo_stores(identifier):
    scheme = zenodo.detected_scheme(identifier)
    assert identifiers.stored_identifier(identifier) == idutils.normalize_pid(identifier, scheme)


def test_a_swhid_is_sent_as_the_archive_url_zenodo_stores():
    swhid = "swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2;lines=9-15"
    url = identifiers.swh_archive_url(swhid)
    assert url and zenodo.detected_scheme(url) == "url"
    assert idutils.normalize_pid(url, "url") == url


# --- vocabularies --------------------------------------------------------------------------


def test_related_resource_types_are_zenodo_s():
    schema = vocabularies.schema()["$defs"]["relatedIdentifier"]["properties"]
    assert set(schema["resource_type"]["enum"]) == zenodo.RESOURCE_TYPES
    mapped = set(cff._RESOURCE_TYPES.values()) | set(codemeta_links.RESOURCE_TYPES.values())
    assert mapped <= zenodo.RESOURCE_TYPES


def test_relations_and_roles_are_zenodo_s():
    defs = vocabularies.schema()["$defs"]
    relations = {r.lower() for r in defs["relatedIdentifier"]["properties"]["relation"]["enum"]}
    assert relations == set(zenodo.RELATIONS) | {"isalternateidentifier"}
    roles = {r.lower() for r in defs["contributor"]["properties"]["type"]["enum"]}
    assert roles == set(zenodo.ROLES)


def test_record_types_are_zenodo_s():
    properties = vocabularies.schema()["properties"]
    upload_types = set(properties["upload_type"]["enum"])
    subtypes = {
        f"{kind}-{sub}"
        for kind in ("publication", "image")
        for sub in properties[f"{kind}_type"]["enum"]
    }
    assert upload_types | subtypes == zenodo.RESOURCE_TYPES - {"software-computationalnotebook"} | {
        "publication-thesis"
    }  # the record's thesis is renamed by Zenodo, the related's not


@pytest.mark.parametrize("code", ["en", "de", "es", "ja", "zh", "eng", "deu", "xq", "xqz", "tlh"])
def test_the_gate_reads_a_language_as_zenodo_does(code):
    try:
        stored = zenodo.normalize_metadata({"language": code})["language"]
    except zenodo.ApiError:  # "Invalid value <code>.": not in the vocabulary
        stored = None
    assert vocabularies.language_id(code) == stored


# --- ORCIDs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
        "0000 0002 1825 0097",
        "0000000218250097",
        "0000-0002-1694-233x",
        "0000-0002-1825-0098",  # checksum
        "0000-0000-0000-0000",  # outside ORCID's blocks
        "0009-0000-0000-0000",
        "https://www.orcid.org/0000-0002-1825-0097",  # idutils strips no www
        "HTTPS://ORCID.ORG/0000-0002-1825-0097",
        "A0000-0002-2432-8946",
    ],
)
def test_the_gate_stores_an_orcid_as_zenodo_does(orcid):
    repaired = idutils.normalize_orcid(orcid)
    zenodo_stores = repaired if idutils.is_orcid(repaired) else None
    assert identifiers.stored_orcid(orcid) == zenodo_stores


def test_the_gate_is_stricter_only_where_zenodo_would_cut_an_orcid():
    # 17 characters: idutils keeps the first 16, which may be someone else's iD
    long = "0000-0002-1825-00975"
    assert idutils.is_orcid(idutils.normalize_orcid(long))
    assert identifiers.stored_orcid(long) is None


# --- HTML ------------------------------------------------------------------------------------

HTML = [
    "<p>Plain.</p>",
    'See <a href="https://x.example/?a=1&b=2" title="the &quot;docs&quot;">docs</a>.',
    '<a href="javascript:alert(1)" onclick="x">x</a>',
    '<a href="/relative">r</a> <a href="mailto:a@b.example">m</a> <a href="ftp://x">f</a>',
    "<b>unclosed",
    "</b>stray",
    '<p class="lead" id="x">p</p><br/><br>',
    "<img src=x alt=y>tail",
    "<!-- c -->text",
    "x < y > z & w",
    "<h6>h6</h6><hr>",
    "<ul><li>a</li><li>b</li></ul>",
    "<p>a</p>\n\n<p>b</p>",
    "<em>a</em> <strong>b</strong> <code>c</code> <sup>1</sup>",
]


@pytest.mark.parametrize("text", HTML)
def test_the_plan_expects_the_html_zenodo_stores(text):
    assert markup.as_zenodo_stores(text) == zenodo.sanitized_html(text)


@pytest.mark.parametrize("text", [*HTML, "Uses <script>x</script> & <https://x.example>."])
def test_an_abstract_as_sent_is_stored_unchanged(text):
    sent = markup.paragraphs(text)  # always HTML with a tag: Zenodo keeps its escapes
    assert zenodo.sanitized_html(zenodo.sanitized_text(sent)) == sent


@pytest.mark.parametrize(
    "text", ["A &lt;b&gt;bold&lt;/b&gt; claim", "&lt;img src=x&gt;", "a &amp; b"]
)
def test_escaped_markup_without_a_tag_is_unescaped_by_zenodo(text):
    stored = zenodo.sanitized_html(zenodo.sanitized_text(text))
    assert markup.as_zenodo_stores(text) == stored


# --- the echo as a whole ---------------------------------------------------------------------

RICH = {
    "title": "Frobnicator: “fast” widgets",
    "upload_type": "publication",
    "publication_type": "thesis",
    "description": '<p>Frobnicates <a href="https://f.example" onclick="x()">widgets</a>.</p>',
    "creators": [
        {"name": "Doe,Jane", "affiliation": "ACME", "orcid": "0000 0002 1825 0097"},
        {"name": "The Frob Team"},
    ],
    "contributors": [{"name": "Roe, Rick", "type": "projectmember"}],
    "license": "BSD-2-Clause",
    "keywords": ["widgets", "frobs"],
    "notes": "See the <b>manual</b><img src=m.png>.",
    "access_right": "closed",
    "related_identifiers": [
        {"identifier": "https://doi.org/10.1234/FROB", "relation": "isdocumentedby"},
        {"identifier": "10.5281/zenodo.1", "relation": "isAlternateIdentifier"},
        {"identifier": "arXiv:2101.00001", "relation": "cites", "resource_type": "software"},
    ],
    "version": "1.0",
    "publication_date": "2024-05-15",
}


def pruned(metadata: dict) -> dict:
    return {
        k: [{a: b for a, b in i.items() if b is not None} if isinstance(i, dict) else i for i in v]
        if isinstance(v, list)
        else v
        for k, v in metadata.items()
        if v not in (None, "", [], {})
    }


def test_the_plan_echoes_a_request_as_the_fake_stores_it():
    stored = zenodo.visible(zenodo.normalize_metadata(json.loads(json.dumps(RICH))))
    expected = {
        **stored,
        "related_identifiers": [
            {k: v for k, v in item.items() if k != "scheme"}
            for item in stored["related_identifiers"]
        ],
    }
    assert pruned(echoed(RICH)) == pruned(expected)
    assert echoed(echoed(RICH)) == echoed(RICH)


def test_echoing_a_request_leaves_it_as_it_is():
    request = {**json.loads(json.dumps(RICH)), "grants": [{"id": "283595"}]}
    request["dates"] = [{"start": "2020", "type": "Collected"}]
    sent = json.loads(json.dumps(request))
    echoed(request)
    assert request == sent

"""CITATION.cff as a source (metadata/cff.py): its checks, on the exact line, and its
mapping to Zenodo's fields, value by value."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenodo_action.metadata import cff
from zenodo_action.metadata.loader import load_config

HEAD = """\
cff-version: 1.2.0
message: Please cite it.
title: Tide tools
authors:
  - family-names: Doe
    given-names: Jane
"""  # lines 1-6; a case's own lines start at 7


def load(tmp_path, text: str):
    path = tmp_path / "CITATION.cff"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def problems(tmp_path, text: str) -> set[tuple]:
    return {(p.severity, p.path, p.line, p.code) for p in cff.check(load(tmp_path, text))}


def mapped(tmp_path, text: str) -> dict:
    return cff.to_zenodo(load(tmp_path, text)).data


# --- checks ----------------------------------------------------------------------------------


def test_a_good_file_has_no_problems(tmp_path):
    assert problems(tmp_path, HEAD) == set()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    given-name: J\n", {("error", "authors[0].given-name", 7, "cff-unknown-key")}),
        ("date-released: 2021-7-18\n", {("error", "date-released", 7, "cff-pattern")}),
        ("date-released: 2021-02-30\n", {("error", "date-released", 7, "date-invalid")}),
        ("license: BSD+Patent\n", {("error", "license", 7, "cff-enum")}),
        # Zenodo reads a bare iD (the webhook's is_orcid, the deposit's normalize_orcid)
        (
            "    orcid: 0000-0002-1825-0097\n",
            {("warning", "authors[0].orcid", 7, "orcid-repaired")},
        ),
        ("    orcid: 0000-0002-1825-0098\n", {("error", "authors[0].orcid", 7, "orcid-checksum")}),
        # a valid checksum outside the blocks ORCID issues: idutils refuses it
        ("    orcid: 0000-0000-0000-0000\n", {("error", "authors[0].orcid", 7, "orcid-checksum")}),
        (
            "    orcid: https://orcid.org/0000-0002-1825-0098\n",
            {("error", "authors[0].orcid", 7, "orcid-checksum")},
        ),
        (
            "    orcid: 'https://orcid.org/0000-0002-1825-0097 '\n",
            {("warning", "authors[0].orcid", 7, "orcid-repaired")},
        ),
        # Zenodo's own CFF reader takes the given names as the name: worth fixing, not fatal
        ("  - given-names: Anon\n", {("warning", "authors[1]", 7, "given-names-only")}),
        ("  - alias: anon\n", {("error", "authors[1]", 7, "author-name")}),
        # an empty ORCID is not sent (caltechlibrary's files have them)
        ('    orcid: ""\n', {("warning", "authors[0].orcid", 7, "cff-pattern")}),
        # keys no Zenodo field comes from: Zenodo never reads them
        ("contributors:\n  - name: X\n", {("warning", "contributors", 7, "cff-unknown-key")}),
        ("journal: Nature\n", {("warning", "journal", 7, "cff-unknown-key")}),
        (
            "preferred-citation:\n  type: article\n  title: T\n  authors: [{name: X}]\n"
            "  doi: 10.1234/x\n  jurnal: J\n",
            {("warning", "preferred-citation.jurnal", 12, "cff-unknown-key")},
        ),
        ("type: software-code\n", {("warning", "type", 7, "cff-enum")}),
        # a misspelt key whose value the record would lack
        ("licence: MIT\n", {("error", "licence", 7, "cff-unknown-key")}),
        # what the schema refuses but reaches Zenodo as meant
        (
            "repository-code: git+https://github.com/o/r.git\n",
            {("warning", "repository-code", 7, "cff-pattern")},
        ),
        ("doi: https://doi.org/10.1234/x\n", {("warning", "doi", 7, "cff-pattern")}),
        ("license: cc-zero\n", {("warning", "license", 7, "cff-enum")}),  # a legacy id
        ("license: https://spdx.org/licenses/MIT\n", {("warning", "license", 7, "cff-enum")}),
        ("keywords: [tides, 2024]\n", {("warning", "keywords[1]", 7, "cff-type")}),
        ("repository-code: ssh://x\n", {("warning", "repository-code", 7, "cff-pattern")}),
    ],
)
def test_problems_are_found_on_their_line(tmp_path, extra, expected):
    assert problems(tmp_path, HEAD + extra) == expected


def test_messages_name_the_fix(tmp_path):
    text = HEAD + "    given-name: J\nlicense: BSD+Patent\n"
    messages = {p.path: p.message for p in cff.check(load(tmp_path, text))}
    assert "did you mean 'given-names'?" in messages["authors[0].given-name"]
    assert "did you mean BSD-2-Clause-Patent?" in messages["license"]


def test_missing_required_keys_are_named(tmp_path):
    found = {(p.path, p.code) for p in cff.check(load(tmp_path, "cff-version: 1.2.0\n"))}
    assert {("authors", "required"), ("title", "required"), ("message", "required")} <= found


def test_an_older_cff_version_is_checked_as_1_2_with_a_warning(tmp_path):
    text = HEAD.replace("1.2.0", "1.1.0")
    assert problems(tmp_path, text) == {("warning", "cff-version", 1, "cff-version")}


def test_cff_1_3_keys_are_accepted_in_a_1_3_file(tmp_path):
    text = (
        HEAD.replace("1.2.0", "1.3.0")
        + "contributors:\n  - name: ACME\n    ror: https://ror.org/x\n"
    )
    assert problems(tmp_path, text) == {("notice", "cff-version", 1, "cff-version")}


def test_a_yaml_problem_is_reported_as_the_loader_reports_it(tmp_path):
    found = problems(tmp_path, HEAD + "title: again\n")
    assert ("error", "title", 7, "duplicate-key") in found


# --- mapping -------------------------------------------------------------------------------


def test_people_become_creators_as_zenodo_shows_them(tmp_path):
    text = HEAD + (
        "    orcid: https://orcid.org/0000-0002-1825-0097\n"
        "    affiliation: University of Example\n"
        "  - family-names: Beethoven\n"
        "    name-particle: van\n"
        "    name-suffix: Jr.\n"
        "    given-names: Ludwig\n"
        "  - name: The Tide Team\n"
        "  - family-names: Solo\n"
    )
    assert mapped(tmp_path, text)["creators"] == [
        {
            "name": "Doe, Jane",
            "affiliation": "University of Example",
            "orcid": "0000-0002-1825-0097",
        },
        {"name": "van Beethoven Jr., Ludwig"},
        {"name": "The Tide Team"},
        {"name": "Solo"},
    ]


def test_a_repairable_orcid_is_sent_as_zenodo_stores_it(tmp_path):
    text = HEAD + "    orcid: 'https://orcid.org/0000 0002 1825 0097'\n"
    assert mapped(tmp_path, text)["creators"][0]["orcid"] == "0000-0002-1825-0097"


def test_the_simple_fields(tmp_path):
    text = HEAD + (
        "abstract: |\n  A <b>first</b> paragraph\n  on two lines.\n\n  A second.\n"
        "keywords: [tides, 42]\n"
        "version: 1.10\n"
        "date-released: '2024-05-31'\n"
        "type: dataset\n"
        "license: MIT\n"
    )
    data = mapped(tmp_path, text)
    assert data["title"] == "Tide tools"
    assert data["description"] == ("<p>A <b>first</b> paragraph on two lines.</p><p>A second.</p>")
    assert data["keywords"] == ["tides", "42"]
    assert data["version"] == "1.10"  # as written, not the number YAML reads
    assert data["publication_date"] == "2024-05-31"
    assert data["upload_type"] == "dataset"
    assert data["license"] == "MIT"


def test_without_a_type_a_cff_is_software(tmp_path):
    assert mapped(tmp_path, HEAD)["upload_type"] == "software"


def test_several_licences_take_the_first_and_say_so(tmp_path):
    result = cff.to_zenodo(load(tmp_path, HEAD + "license: [Apache-2.0, MIT]\n"))
    assert result.data["license"] == "Apache-2.0"
    [notice] = result.problems
    assert notice.severity == "notice" and notice.line == 7
    assert "'Apache-2.0' (the first) is used, not 'MIT'" in notice.message


def test_identifiers_and_references_become_related_identifiers(tmp_path):
    text = HEAD + (
        "doi: 10.5281/zenodo.123456\n"  # 7
        "identifiers:\n"
        "  - type: doi\n"
        "    value: 10.1234/elsewhere\n"  # 10
        "  - type: swh\n"
        "    value: swh:1:dir:0123456789abcdef0123456789abcdef01234567\n"  # 12
        "  - type: other\n"
        "    value: an internal id\n"
        "repository-code: https://github.com/o/r\n"  # 15
        "references:\n"
        "  - type: article\n"
        "    title: With a DOI\n"
        "    authors: [{name: X}]\n"
        "    doi: 10.1000/ref\n"  # 20
        "  - type: book\n"
        "    title: Without one\n"
        "    authors: [{name: Y}]\n"
        "preferred-citation:\n"
        "  type: article\n"
        "  title: The paper\n"
        "  authors: [{name: Z}]\n"
        "  identifiers:\n"
        "    - type: doi\n"
        "      value: https://doi.org/10.1000/paper\n"  # 30
    )
    result = cff.to_zenodo(load(tmp_path, text))
    assert result.data["related_identifiers"] == [
        {"identifier": "10.5281/zenodo.123456", "relation": "isVersionOf"},
        {"identifier": "10.1234/elsewhere", "relation": "isSupplementTo"},
        {
            "identifier": "https://archive.softwareheritage.org/"
            "swh:1:dir:0123456789abcdef0123456789abcdef01234567",
            "relation": "isIdenticalTo",
        },
        {
            "identifier": "https://github.com/o/r",
            "relation": "isSupplementTo",
            "resource_type": "software",
        },
        {
            "identifier": "10.1000/ref",
            "relation": "references",
            "resource_type": "publication-article",
        },
        {
            "identifier": "10.1000/paper",
            "relation": "isDocumentedBy",
            "resource_type": "publication-article",
        },
    ]
    assert "doi" not in result.data  # never the record's own DOI: Zenodo mints that
    config = load(tmp_path, text)
    lines = [config.position(result.origin(f"related_identifiers[{i}]") or "")[0] for i in range(6)]
    assert lines == [7, 10, 12, 15, 20, 30]


def test_contact_becomes_contact_person_contributors(tmp_path):
    text = HEAD + "contact:\n  - family-names: Doe\n    given-names: Jane\n    email: j@x\n"
    assert mapped(tmp_path, text)["contributors"] == [
        {"name": "Doe, Jane", "type": "ContactPerson"}
    ]


def test_origins_point_at_the_cff_lines(tmp_path):
    text = HEAD + "    orcid: https://orcid.org/0000-0002-1825-0097\n  - name: Team\nlicense: MIT\n"
    config = load(tmp_path, text)
    result = cff.to_zenodo(config)
    assert config.position(result.origin("creators[0].orcid") or "") == (7, 12)
    assert config.position(result.origin("creators[0].name") or "") == (5, 19)
    assert config.position(result.origin("creators[1].name") or "") == (8, 11)
    assert config.position(result.origin("license") or "") == (9, 10)
    assert config.position(result.origin("title") or "") == (3, 8)


def test_an_unusable_file_maps_to_nothing(tmp_path):
    assert mapped(tmp_path, "- just\n- a list\n") == {}


# --- never a crash ----------------------------------------------------------------------------

_keys = st.sampled_from(
    [
        "title",
        "authors",
        "family-names",
        "given-names",
        "name",
        "orcid",
        "license",
        "doi",
        "identifiers",
        "type",
        "value",
        "references",
        "keywords",
        "version",
        "abstract",
        "date-released",
        "contact",
        "preferred-citation",
        "repository-code",
        "cff-version",
    ]
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=25,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=st.dictionaries(_keys, _values, max_size=8))
def test_any_document_is_checked_and_mapped_without_a_crash(tmp_path, document):
    import yaml

    path = tmp_path / "CITATION.cff"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    config = load_config(path)
    assert isinstance(cff.check(config), list)
    result = cff.to_zenodo(config)
    for key in result.data:
        assert result.origin(key) is not None


# --- found on real files (issue 9's corpus) ----------------------------------------------------


def test_every_unknown_key_of_an_entry_is_reported(tmp_path):
    text = HEAD + (
        "references:\n  - type: article\n    title: T\n    authors: [{name: X}]\n"
        "    eprint: '1234'\n    archive-prefix: arXiv\n    primary-class: cs\n"
    )
    found = {p.path for p in cff.check(load(tmp_path, text)) if p.code == "cff-unknown-key"}
    assert found == {
        "references[0].eprint",
        "references[0].archive-prefix",
        "references[0].primary-class",
    }


def test_an_object_field_gets_no_advice_to_quote_it(tmp_path):
    text = HEAD + (
        "references:\n  - type: article\n    title: T\n    authors: [{name: X}]\n"
        "    publisher: The Open Journal\n"
    )
    [problem] = [p for p in cff.check(load(tmp_path, text)) if p.path.endswith("publisher")]
    assert "must be object, not text" in problem.message and "quotes" not in problem.message


@pytest.mark.parametrize("empty", ["abstract:\n", "abstract: ~\n", "abstract: null\n"])
def test_yaml_null_is_called_null_not_a_number(tmp_path, empty):
    [problem] = [p for p in cff.check(load(tmp_path, HEAD + empty)) if p.path == "abstract"]
    assert "not null" in problem.message and "number" not in problem.message


def test_a_repeated_author_is_named(tmp_path):
    text = HEAD + "  - family-names: Roe\n  - family-names: Doe\n    given-names: Jane\n"
    [problem] = cff.check(load(tmp_path, text))
    assert problem.code == "cff-uniqueItems" and "entry 3 repeats entry 1" in problem.message


def test_a_git_url_links_to_the_repository_page(tmp_path):
    text = HEAD + "repository-code: git+https://github.com/o/r.git\n"
    [link] = mapped(tmp_path, text)["related_identifiers"]
    assert link["identifier"] == "https://github.com/o/r"


def test_a_paper_named_twice_is_linked_once_as_what_documents_the_software(tmp_path):
    text = HEAD + (
        "identifiers:\n  - type: doi\n    value: 10.21105/joss.03900\n"
        "preferred-citation:\n  type: article\n  title: P\n  authors: [{name: X}]\n"
        "  doi: 10.21105/joss.03900\n"
    )
    assert mapped(tmp_path, text)["related_identifiers"] == [
        {
            "identifier": "10.21105/joss.03900",
            "relation": "isDocumentedBy",
            "resource_type": "publication-article",
        }
    ]


def test_an_author_with_given_names_only_is_kept_as_zenodo_keeps_it(tmp_path):
    text = HEAD + "  - given-names: JegouA\n  - alias: nobody\n"
    assert [c["name"] for c in mapped(tmp_path, text)["creators"]] == ["Doe, Jane", "JegouA"]


@pytest.mark.parametrize(
    ("abstract", "description"),
    [
        # what Zenodo keeps stays: a link, emphasis (attributes it keeps too)
        (
            'See <a href="https://tides.example/docs" onclick="x()">the docs</a>.',
            '<p>See <a href="https://tides.example/docs">the docs</a>.</p>',
        ),
        # a link Zenodo would not keep loses its target, as there
        ('<a href="javascript:alert(1)">x</a>', "<p><a>x</a></p>"),
        # everything else is shown as the text it is, never removed
        (
            "Uses <script>x</script> & a<b.",
            "<p>Uses &lt;script&gt;x&lt;/script&gt; &amp; a&lt;b.</p>",
        ),
        ("Tides <https://tides.example>", "<p>Tides &lt;https://tides.example&gt;</p>"),
        ("an <img src=x> here", "<p>an &lt;img src=x&gt; here</p>"),
        # an abstract written as HTML is taken whole, blank lines and all
        (
            "<ul>\n  <li>one</li>\n\n  <li>two</li>\n</ul>",
            "<ul>\n  <li>one</li>\n\n  <li>two</li>\n</ul>",
        ),
        # an unclosed tag is closed, as Zenodo's sanitiser does
        ("A <b>bold claim.", "<p>A <b>bold claim.</b></p>"),
    ],
)
def test_html_in_the_abstract_is_kept_the_way_zenodo_keeps_it(tmp_path, abstract, description):
    text = HEAD + "abstract: " + json.dumps(abstract) + "\n"
    assert mapped(tmp_path, text)["description"] == description

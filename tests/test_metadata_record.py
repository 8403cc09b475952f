"""The metadata files and the record they make (metadata/record.py): which files are read,
which one wins per field, and in which file each problem is reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zenodo_action.errors import EXIT_USAGE, UsageError
from zenodo_action.metadata.record import (
    Context,
    MetadataPaths,
    Record,
    find,
    load,
    problems_by_file,
    release_file,
)

CFF = """\
cff-version: 1.2.0
message: Please cite it.
title: Tide tools
authors:
  - family-names: Doe
    given-names: Jane
license: MIT
version: 1.0.0
abstract: Tools for tides.
"""
ZENODO = """\
communities:
  - identifier: zenodo
grants:
  - id: 10.13039/501100000780::283595
"""
TODAY = date(2025, 6, 1)


def write(root: Path, **files: str) -> None:
    names = {"cff": "CITATION.cff", "zenodo": ".zenodo.yml", "json": ".zenodo.json"}
    for key, text in files.items():
        (root / names.get(key, key)).write_text(text, encoding="utf-8")


def record(root: Path, spec: MetadataPaths | None = None) -> Record:
    return Record.merge(load(find(spec or MetadataPaths(), root)))


def found(root: Path, context: Context | None = None, spec: MetadataPaths | None = None):
    by_file = problems_by_file(record(root, spec), context or Context())
    return {
        (path.name, p.severity, p.path, p.line, p.code)
        for path, problems in by_file.items()
        for p in problems
    }


# --- finding the files -----------------------------------------------------------------------


def test_every_source_present_is_read_in_precedence_order(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO)
    (tmp_path / "codemeta.json").write_text('{"name": "x"}')
    kinds = [kind for kind, _ in find(MetadataPaths(), tmp_path)]
    assert kinds == ["citation", "codemeta", "zenodo"]


def test_the_default_prefers_yml_then_json(tmp_path):
    write(tmp_path, json="{}")
    assert find(MetadataPaths(), tmp_path) == [("zenodo", tmp_path / ".zenodo.json")]
    write(tmp_path, zenodo="title: x\n")
    assert find(MetadataPaths(), tmp_path) == [("zenodo", tmp_path / ".zenodo.yml")]


def test_an_explicit_config_is_read_alone_unless_more_are_named(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "meta.yml").write_text("title: x\n")
    alone = find(MetadataPaths("data/meta.yml"), tmp_path)
    assert alone == [("zenodo", tmp_path / "data" / "meta.yml")]
    both = find(MetadataPaths("data/meta.yml", citation="CITATION.cff"), tmp_path)
    assert [kind for kind, _ in both] == ["citation", "zenodo"]


def test_none_ignores_a_source(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO)
    assert [k for k, _ in find(MetadataPaths(citation="none"), tmp_path)] == ["zenodo"]


def test_a_config_named_citation_cff_is_read_as_cff(tmp_path):
    write(tmp_path, cff=CFF)
    assert find(MetadataPaths("CITATION.cff"), tmp_path) == [
        ("citation", tmp_path / "CITATION.cff")
    ]


def test_nothing_at_all_names_the_three_files(tmp_path):
    with pytest.raises(UsageError) as raised:
        find(MetadataPaths(), tmp_path)
    assert raised.value.exit_code == EXIT_USAGE
    for name in (".zenodo.yml", "CITATION.cff", "codemeta.json"):
        assert name in str(raised.value)


def test_a_yaml_extension_is_pointed_out(tmp_path):
    (tmp_path / ".zenodo.yaml").write_text("title: x\n")
    with pytest.raises(UsageError, match=r"rename it to \.zenodo\.yml"):
        find(MetadataPaths(), tmp_path)


def test_a_named_file_that_is_missing_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        find(MetadataPaths(citation="CITE.cff"), tmp_path)


# --- precedence ------------------------------------------------------------------------------


def test_zenodo_yml_adds_what_the_cff_cannot_say(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO)
    merged = record(tmp_path)
    assert merged.data["title"] == "Tide tools"
    assert merged.data["communities"] == [{"identifier": "zenodo"}]
    assert merged.origins()["title"] == "CITATION.cff"
    assert merged.origins()["grants"] == ".zenodo.yml"


def test_a_field_in_zenodo_yml_replaces_the_cffs_whole(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO + "creators:\n  - name: Roe, Rick\n")
    assert record(tmp_path).data["creators"] == [{"name": "Roe, Rick"}]


def test_codemeta_sits_between_the_two(tmp_path):
    write(tmp_path, cff=CFF, zenodo="communities: [{identifier: zenodo}]\n")
    (tmp_path / "codemeta.json").write_text('{"name": "From codemeta", "version": "2.0"}')
    merged = record(tmp_path)
    assert merged.data["title"] == "From codemeta"
    assert merged.origins()["title"] == "codemeta.json"
    assert merged.origins()["creators"] == "CITATION.cff"


def test_the_release_is_the_last_source(tmp_path):
    write(tmp_path, cff=CFF)
    loaded = load(find(MetadataPaths(), tmp_path))
    fill = release_file({"title": "o/r: v1", "upload_type": "software", "keywords": ["x"]})
    merged = Record.merge([*loaded, fill])
    assert merged.data["title"] == "Tide tools"  # a file always wins
    assert merged.data["keywords"] == ["x"]
    assert merged.origins()["keywords"] == "the release"


# --- where problems are reported ---------------------------------------------------------


def test_a_merged_problem_lands_on_the_cff_line_that_holds_the_field(tmp_path):
    # CFF's schema knows Nunit, Zenodo does not: only the merged check finds it
    write(tmp_path, cff=CFF.replace("license: MIT", "license: Nunit"), zenodo=ZENODO)
    assert ("CITATION.cff", "error", "license", 7, "license-unknown") in found(tmp_path)


def test_a_problem_of_zenodo_yml_stays_there(tmp_path):
    write(tmp_path, cff=CFF, zenodo=ZENODO + "access_right: secret\n")
    problems = found(tmp_path)
    assert (".zenodo.yml", "error", "access_right", 5, "vocabulary") in problems


def test_a_field_missing_everywhere_is_reported_where_it_would_live(tmp_path):
    write(tmp_path, cff=CFF.replace("title: Tide tools\n", ""), zenodo=ZENODO)
    problems = found(tmp_path, Context("dataset"))
    # the CFF schema's rule warns; the record lacks it, which a run without a release refuses
    assert ("CITATION.cff", "warning", "title", None, "required") not in problems
    assert any(f[:4] == ("CITATION.cff", "warning", "title", 1) for f in problems)
    assert ("CITATION.cff", "error", "title", 1, "required") in problems
    (tmp_path / "CITATION.cff").unlink()
    problems = found(tmp_path)
    assert (".zenodo.yml", "notice", "title", 1, "release-fills") in problems


# --- what matters on Zenodo (docs/reference/zenodo-deposit-rules.md §1) -------------------


def test_a_cff_error_in_a_field_a_more_specific_file_gives_is_a_warning(tmp_path):
    # Zenodo's webhook reads .zenodo.json alone there; this tool takes creators from it
    alias_only = CFF.replace("  - family-names: Doe\n    given-names: Jane\n", "  - alias: jd\n")
    json_creators = '{"creators": [{"name": "Doe, Jane"}]}'
    write(tmp_path, cff=alias_only, json=json_creators)
    assert ("CITATION.cff", "warning", "authors[0]", 5, "author-name") in found(tmp_path)
    by_file = problems_by_file(record(tmp_path), Context())
    [moot] = [p for p in by_file[tmp_path / "CITATION.cff"] if p.code == "author-name"]
    assert moot.message.endswith("not used: creators comes from .zenodo.json")
    (tmp_path / ".zenodo.json").unlink()
    assert ("CITATION.cff", "error", "authors[0]", 5, "author-name") in found(tmp_path)


def test_authors_only_under_preferred_citation_is_no_error(tmp_path):
    # the webhook falls back to the repository owner; a release lists its contributors
    text = CFF.replace("authors:\n  - family-names: Doe\n    given-names: Jane\n", "")
    text += "preferred-citation:\n  type: article\n  title: T\n  authors:\n    - name: X\n"
    write(tmp_path, cff=text)
    problems = found(tmp_path, Context("gate"))
    assert not [f for f in problems if f[1] == "error"]
    assert ("CITATION.cff", "warning", "authors", 1, "required") in problems
    assert ("CITATION.cff", "notice", "creators", 1, "release-fills") in problems


def codemeta(licence: str) -> str:
    return (
        '{"@context": "https://w3id.org/codemeta/3.0", "@type": "SoftwareSourceCode",\n'
        f' "name": "Tide tools", "license": "{licence}"}}\n'
    )


def test_a_codemeta_licence_zenodo_cannot_use_falls_back_to_the_cff(tmp_path):
    write(tmp_path, cff=CFF, **{"codemeta.json": codemeta("https://example.org/LICENSE")})
    merged = record(tmp_path)
    assert merged.data["license"] == "MIT"
    assert merged.origins()["license"] == "CITATION.cff"
    by_file = problems_by_file(merged, Context())
    [warned] = by_file[tmp_path / "codemeta.json"]
    assert (warned.severity, warned.path, warned.line) == ("warning", "license", 2)
    assert warned.message.endswith("license comes from CITATION.cff instead")
    # with no other file naming one, Zenodo would record its default: an error, unless
    # a release gives the repository's licence (the gate cannot know which run it is)
    write(tmp_path, cff=CFF.replace("license: MIT\n", ""))
    problems = found(tmp_path, Context("dataset"))
    assert ("codemeta.json", "error", "license", 2, "license-unknown") in problems
    assert not [f for f in problems if f[4] == "default-license"]
    assert ("codemeta.json", "warning", "license", 2, "license-unknown") in found(tmp_path)
    filled = Record.merge([*record(tmp_path).files, release_file({"license": "BSD-3-Clause"})])
    by_file = problems_by_file(filled, Context("release"))
    [warned] = [p for p in by_file[tmp_path / "codemeta.json"] if p.code == "license-unknown"]
    assert warned.severity == "warning" and warned.message.endswith(
        "comes from the release instead"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://spdx.org/licenses/GPL-3.0-or-later.html", "GPL-3.0-or-later"),
        ("https://spdx.org/licenses/MIT.json", "MIT"),
        ("https://opensource.org/licenses/BSD-3-Clause", "BSD-3-Clause"),
        ("https://choosealicense.com/licenses/mpl-2.0/", "mpl-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
        # a URL only Zenodo's licence vocabulary lists
        ("http://www.affero.org/oagpl.html", None),
        ("https://www.gnu.org/licenses/gpl-3.0-standalone.html", "GPL-3.0"),
    ],
)
def test_common_licence_urls_are_understood(tmp_path, url, expected):
    write(tmp_path, **{"codemeta.json": codemeta(url)})
    merged = record(tmp_path)
    assert merged.data.get("license") == expected


def test_the_gate_makes_release_filled_fields_notices(tmp_path):
    write(tmp_path, zenodo="description: Tides.\nlicense: MIT\n")
    gate = found(tmp_path, Context("gate", repository="octo/tides"))
    assert {f[2] for f in gate if f[1] == "notice"} == {"title", "upload_type", "creators"}
    assert not [f for f in gate if f[1] == "error"]
    messages = problems_by_file(record(tmp_path), Context("gate", "octo/tides"))
    title = next(p for p in messages[tmp_path / ".zenodo.yml"] if p.path == "title")
    assert "'octo/tides: <release name or tag>'" in title.message


def test_require_complete_and_dataset_runs_keep_them_errors(tmp_path):
    write(tmp_path, zenodo="description: Tides.\nlicense: MIT\n")
    for context in (Context("gate", require_complete=True), Context("dataset")):
        errors = {f[2] for f in found(tmp_path, context) if f[1] == "error"}
        assert errors == {"title", "upload_type", "creators"}


def test_a_version_in_the_cff_is_no_hard_coded_version_warning(tmp_path):
    write(tmp_path, cff=CFF)
    assert not [f for f in found(tmp_path) if f[4] == "hard-coded-version"]
    write(tmp_path, zenodo="version: 1.0\n")
    (tmp_path / "CITATION.cff").unlink()
    assert any(f[4] == "hard-coded-version" for f in found(tmp_path))


def test_the_default_licence_warning_says_what_happens_in_each_run(tmp_path):
    write(tmp_path, cff=CFF.replace("license: MIT\n", ""))
    merged = record(tmp_path)
    gate = problems_by_file(merged, Context("gate"))[tmp_path / "CITATION.cff"]
    dataset = problems_by_file(merged, Context("dataset"))[tmp_path / "CITATION.cff"]
    [gate_warning] = [p for p in gate if p.code == "default-license"]
    [dataset_warning] = [p for p in dataset if p.code == "default-license"]
    assert "a release takes the repository's licence" in gate_warning.message
    assert dataset_warning.message.startswith("no license: Zenodo will record CC-BY-4.0")


def test_an_unreadable_file_is_reported_without_noise_from_the_merge(tmp_path):
    write(tmp_path, cff="title: [unclosed\n", zenodo=ZENODO)
    problems = found(tmp_path)
    assert {f[0] for f in problems} == {"CITATION.cff"}
    assert all(f[4] == "syntax" for f in problems)


def test_a_note_about_a_field_another_file_sets_is_dropped(tmp_path):
    write(tmp_path, cff=CFF.replace("license: MIT", "license: [MIT, Apache-2.0]"))
    assert any(f[4] == "several-licenses" for f in found(tmp_path))
    write(tmp_path, zenodo="license: MIT\n")
    assert not any(f[4] == "several-licenses" for f in found(tmp_path))


def test_a_note_about_a_contributor_follows_the_contributors(tmp_path):
    """A maintainer's dropped affiliation matters where the contributors come from the
    codemeta.json, whichever file gives the creators."""
    maintainer = '{"familyName": "Doe", "affiliation": ["First Lab", "Second Lab"]}'
    (tmp_path / "codemeta.json").write_text(f'{{"name": "x", "maintainer": {maintainer}}}')
    write(tmp_path, zenodo="creators: [{name: Roe}]\n")
    assert ("codemeta.json", "notice", "maintainer", 1, "several-affiliations") in found(tmp_path)
    write(tmp_path, zenodo="contributors: [{name: Roe, type: Other}]\n")
    assert not any(f[4] == "several-affiliations" for f in found(tmp_path))


def test_an_invalid_cff_orcid_is_reported_once(tmp_path):
    cff_text = CFF.replace(
        "    given-names: Jane\n",
        "    given-names: Jane\n    orcid: https://orcid.org/000-0003-4617-3188\n",
    )
    write(tmp_path, cff=cff_text)
    orcid = [f for f in found(tmp_path) if "orcid" in f[2]]
    assert orcid == [("CITATION.cff", "error", "authors[0].orcid", 7, "cff-pattern")]


def test_names_built_from_a_cff_get_no_name_form_warning(tmp_path):
    write(
        tmp_path,
        cff=CFF.replace(
            "license: MIT\n", "  - family-names: Rajul\n  - name: PyMC Devs\nlicense: MIT\n"
        ),
    )
    assert not [f for f in found(tmp_path) if f[4] == "name-format"]
    write(tmp_path, zenodo="creators:\n  - name: Jane Doe\n")
    assert [f[:3] for f in found(tmp_path) if f[4] == "name-format"] == [
        (".zenodo.yml", "warning", "creators[0].name")
    ]


def test_a_missing_description_is_a_notice_at_the_gate_and_a_warning_elsewhere(tmp_path):
    write(tmp_path, cff=CFF.replace("abstract: Tools for tides.\n", ""))
    gate = [f for f in found(tmp_path) if f[2] == "description"]
    dataset = [f for f in found(tmp_path, Context("dataset")) if f[2] == "description"]
    assert gate == [("CITATION.cff", "notice", "description", 1, "release-fills")]
    assert dataset == [("CITATION.cff", "warning", "description", 1, "missing-description")]


def test_a_field_another_makes_required_is_annotated_where_that_one_is_written(tmp_path):
    """embargo_date, required by `access_right: embargoed` in .zenodo.yml, on that line,
    in that file, though the rest of the record comes from CITATION.cff."""
    write(tmp_path, cff=CFF, zenodo=ZENODO + "access_right: embargoed\n")
    assert (".zenodo.yml", "error", "embargo_date", 5, "required") in found(tmp_path)

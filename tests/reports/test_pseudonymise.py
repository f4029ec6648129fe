"""Pseudonymisation: names and places replaced in one pass, whole words, any case."""

from __future__ import annotations

import pytest

from qualcode.errors import InvalidInput
from qualcode.reports.pack import (
    Attribution,
    ChapterPack,
    CodeEvidence,
    Cover,
    EvidenceBase,
    FrameworkLine,
    PackQuote,
    ReportData,
    SectionPack,
)
from qualcode.reports.pseudonymise import Pseudonymiser, parse_rules, pseudonymise_report

RULES = parse_rules(
    [
        {"find": "Avonbury", "replace": "[Authority A]"},
        {"find": "Avonbury County Council", "replace": "[Authority A council]"},
        {"find": "Ann", "replace": "[Chief Executive]"},
        {"find": "[Authority A]", "replace": "never applied twice"},
    ]
)


def test_pseudonymiser_replaces_whole_names_longest_first_in_one_pass():
    p = Pseudonymiser(RULES)
    assert (
        p("Ann said Avonbury County Council's plan was ANN's.")
        == "[Chief Executive] said [Authority A council]'s plan was [Chief Executive]'s."
    )
    assert (
        p("Annual targets in avonbury-lpsa-coordinator")
        == "Annual targets in [Authority A]-lpsa-coordinator"
    )
    assert p("In Avonbury.") == "In [Authority A]."
    assert Pseudonymiser([])("Ann") == "Ann"
    assert not Pseudonymiser([])


def test_pseudonym_rules_are_checked():
    with pytest.raises(InvalidInput, match="pseudonym 2: the name to find is empty"):
        parse_rules([{"find": "A", "replace": "B"}, {"find": " ", "replace": "C"}])
    with pytest.raises(InvalidInput, match="listed twice"):
        parse_rules([{"find": "Ann", "replace": "B"}, {"find": "ann", "replace": "C"}])


def test_pseudonymise_report_reaches_quotes_attributions_and_case_labels():
    quote = PackQuote(
        "Ann runs Avonbury.",
        Attribution("Avonbury", "chief executive", "avonbury-ceo", 4, "Ann"),
        note="Ann is candid",
    )
    code = CodeEvidence(
        "Barriers/Staff",
        "Staff",
        "Definition naming Ann stays",
        "",
        "",
        EvidenceBase(1, 1, ("Avonbury",), ("Castlebridge",)),
        pinned=[quote],
        selection=[quote],
        framework=[FrameworkLine("Avonbury", "Ann leads", 1)],
        frequency=[("Avonbury", 1), ("Castlebridge", 0)],
    )
    data = ReportData(
        Cover("P", None, "2005-01-01", ("Ruth",), None, 3),
        [ChapterPack("4", "Implementation", [SectionPack("4.1", "Barriers", [code], [quote])])],
    )
    out = pseudonymise_report(data, Pseudonymiser(RULES))
    done = out.chapters[0].sections[0]
    for q in [*done.codes[0].quotes, *done.other_pins]:
        assert q.text == "[Chief Executive] runs [Authority A]."
        assert q.note == "[Chief Executive] is candid"
        assert q.attribution == Attribution(
            "[Authority A]", "chief executive", "[Authority A]-ceo", 4, "[Chief Executive]"
        )
    assert done.codes[0].base.cases == ("[Authority A]",)
    assert done.codes[0].frequency == [("[Authority A]", 1), ("Castlebridge", 0)]
    assert done.codes[0].framework == [FrameworkLine("[Authority A]", "[Chief Executive] leads", 1)]
    assert done.codes[0].definition == "Definition naming Ann stays"
    assert out.cover.pseudonymised
    assert not data.cover.pseudonymised
    assert data.chapters[0].sections[0].codes[0].pinned[0].text == "Ann runs Avonbury."

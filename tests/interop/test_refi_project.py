"""``.qdpx`` export: valid against Project.xsd, faithful round trip, reproducible bytes."""

from __future__ import annotations

import copy
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from qualcode import __version__
from qualcode.errors import InvalidInput
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.interop.refi_qda import read_qdpx, write_qdpx
from qualcode.interop.snapshot import (
    CaseRec,
    CodingRec,
    NoteRec,
    ProjectSnapshot,
    SelectionRec,
    SetRec,
    SourceRec,
    UserRec,
    VariableRec,
)

XSD = Path(__file__).parent.parent / "data" / "refi" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}

ANA, BEN = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
TURNOVER, LEADERSHIP = (
    "c0000000-0000-4000-8000-000000000011",
    "c0000000-0000-4000-8000-000000000012",
)
DOC1, DOC2 = "d0000000-0000-4000-8000-000000000001", "d0000000-0000-4000-8000-000000000002"
TEXT1 = (
    "Interviewer: How did the agreement go? 🙂\n"
    "Chief executive: Frankly, staff turnover hurt us – we lost our lead in month three.\n"
    "Interviewer: And the council’s leadership?\n"
    "Chief executive: Strong. The leader chaired every board 👍🏽 meeting."
)
TEXT2 = "Partner: Nothing changed for us, café talk aside.\n"


def span(text: str, quote: str) -> tuple[int, int, str]:
    start = text.index(quote)
    return start, start + len(quote), quote


def lpsa_snapshot() -> ProjectSnapshot:
    codebook = CodebookSpec(
        codes=[
            CodeSpec(
                name="Barriers",
                guid="c0000000-0000-4000-8000-000000000010",
                codable=False,
                children=[
                    CodeSpec(
                        name="Staff turnover",
                        guid=TURNOVER,
                        color="#D62728",
                        kind="barrier",
                        definition="Key staff leave.",
                        keywords=["turnover", "lost our lead"],
                        chapter="5",
                        section="5.2",
                    )
                ],
            ),
            CodeSpec(name="Leadership", guid=LEADERSHIP, kind="enabler", color="#2CA02C"),
        ],
        chapters=[
            ChapterSpec(
                "5", "Delivery", [SectionSpec("5.2", "Barriers", ["Barriers/Staff turnover"])]
            )
        ],
    )
    variables = [
        VariableRec("e0000000-0000-4000-8000-000000000001", "Authority type", "Text"),
        VariableRec(
            "e0000000-0000-4000-8000-000000000002", "Tranche", "Integer", "Fieldwork tranche"
        ),
        VariableRec("e0000000-0000-4000-8000-000000000003", "Reward grant", "Float"),
        VariableRec("e0000000-0000-4000-8000-000000000004", "Signed", "Date"),
        VariableRec("e0000000-0000-4000-8000-000000000005", "Stretch met", "Boolean"),
        VariableRec("e0000000-0000-4000-8000-000000000006", "Interviewed at", "DateTime"),
    ]
    v = [var.guid for var in variables]
    turnover_start, turnover_end, turnover_quote = span(TEXT1, "staff turnover hurt us")
    lead_start, lead_end, lead_quote = span(TEXT1, "The leader chaired every board 👍🏽 meeting.")
    selections = [
        SelectionRec(
            guid="f0000000-0000-4000-8000-000000000001",
            source_guid=DOC1,
            start=turnover_start,
            end=turnover_end,
            text=turnover_quote,
            creating_user=ANA,
            codings=[CodingRec("b0000000-0000-4000-8000-000000000001", TURNOVER, ANA)],
            description="Compare with tranche 2.",
        ),
        SelectionRec(
            guid="f0000000-0000-4000-8000-000000000002",
            source_guid=DOC1,
            start=turnover_start,
            end=turnover_end,
            text=turnover_quote,
            creating_user=BEN,
            codings=[CodingRec("b0000000-0000-4000-8000-000000000002", TURNOVER, BEN)],
        ),
        SelectionRec(
            guid="f0000000-0000-4000-8000-000000000003",
            source_guid=DOC1,
            start=lead_start,
            end=lead_end,
            text=lead_quote,
            creating_user=ANA,
            codings=[
                CodingRec("b0000000-0000-4000-8000-000000000003", LEADERSHIP, ANA),
                CodingRec("b0000000-0000-4000-8000-000000000004", TURNOVER, ANA),
            ],
            notes=["90000000-0000-4000-8000-000000000003"],
        ),
    ]
    notes = [
        NoteRec(
            "90000000-0000-4000-8000-000000000001", "Project memo", "Tranche 1 done.\nNext: 2.", ANA
        ),
        NoteRec(
            "90000000-0000-4000-8000-000000000002", "Code memo", "Tighten this.", BEN, [TURNOVER]
        ),
        NoteRec(
            "90000000-0000-4000-8000-000000000003",
            "Quote memo",
            "Good for the summary.",
            ANA,
            ["f0000000-0000-4000-8000-000000000003"],
        ),
        NoteRec("90000000-0000-4000-8000-000000000004", "Doc memo", "Audio was poor.", BEN, [DOC2]),
        NoteRec(
            "90000000-0000-4000-8000-000000000005",
            "Case memo",
            "Unitary authority, new CEO.",
            ANA,
            ["ca000000-0000-4000-8000-000000000001"],
        ),
        NoteRec(
            "90000000-0000-4000-8000-000000000006",
            "Coding memo",
            "Borderline.",
            BEN,
            ["b0000000-0000-4000-8000-000000000002"],
        ),
    ]
    return ProjectSnapshot(
        name="LPSA interim",
        description="National evaluation of Local PSAs, tranche 1.",
        origin=f"qualcode {__version__}",
        users=[UserRec(ANA, "Ana Fieldworker"), UserRec(BEN, "Ben Fieldworker")],
        codebook=codebook,
        sources=[
            SourceRec(
                DOC1, "Authority A – chief executive", TEXT1, {v[3]: date(2005, 3, 1), v[4]: True}
            ),
            SourceRec(
                DOC2,
                "Authority A – partner",
                TEXT2,
                {v[5]: datetime(2005, 3, 2, 14, 30, tzinfo=UTC)},
                "Phone interview",
            ),
        ],
        selections=selections,
        variables=variables,
        cases=[
            CaseRec(
                "ca000000-0000-4000-8000-000000000001",
                "Authority A",
                "A unitary authority",
                {v[0]: "Unitary", v[1]: 1, v[2]: 750000.5, v[3]: date(2003, 4, 1)},
                [DOC1, DOC2],
            )
        ],
        notes=notes,
        sets=[
            SetRec(
                "5e000000-0000-4000-8000-000000000001",
                "Key evidence",
                [TURNOVER, DOC1, "90000000-0000-4000-8000-000000000003"],
                "For the steering group",
            )
        ],
    )


@pytest.fixture
def snapshot() -> ProjectSnapshot:
    return lpsa_snapshot()


def qde(path: Path) -> etree._ElementTree:
    with zipfile.ZipFile(path) as archive:
        return etree.ElementTree(etree.fromstring(archive.read("project.qde")))


def test_refi_project_export_is_valid_against_the_schema(tmp_path: Path, snapshot: ProjectSnapshot):
    path = tmp_path / "lpsa.qdpx"
    write_qdpx(snapshot, path)
    tree = qde(path)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(tree)
    root = tree.getroot()
    assert root.get("origin") == f"qualcode {__version__}"
    assert root.get("basePath") is None
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "project.qde",
            f"sources/{DOC1}.txt",
            f"sources/{DOC2}.txt",
        ]
        data = archive.read(f"sources/{DOC1}.txt")
    assert data == TEXT1.encode("utf-8")  # UTF-8, "\n", no BOM
    source = root.find("q:Sources/q:TextSource", NS)
    assert source.get("plainTextPath") == f"internal://{DOC1}.txt"
    # offsets are code points: the second quote starts after an emoji and a skin-tone emoji
    last = source.findall("q:PlainTextSelection", NS)[-1]
    start = int(last.get("startPosition"))
    assert (
        TEXT1[start : int(last.get("endPosition"))]
        == "The leader chaired every board 👍🏽 meeting."
    )


def test_refi_project_one_selection_per_coder_with_the_coder_on_the_coding(
    tmp_path: Path, snapshot: ProjectSnapshot
):
    path = tmp_path / "lpsa.qdpx"
    write_qdpx(snapshot, path)
    selections = qde(path).getroot().findall("q:Sources/q:TextSource/q:PlainTextSelection", NS)
    same_span = [
        s for s in selections if s.get("startPosition") == selections[0].get("startPosition")
    ]
    coders = [s.find("q:Coding", NS).get("creatingUser") for s in same_span]
    assert coders == [ANA, BEN]
    assert [s.get("creatingUser") for s in same_span] == [ANA, BEN]


def test_refi_project_round_trip_is_equal(tmp_path: Path, snapshot: ProjectSnapshot):
    path = tmp_path / "lpsa.qdpx"
    original = copy.deepcopy(snapshot)
    write_qdpx(snapshot, path)
    assert snapshot == original  # the writer does not touch its input
    back = read_qdpx(path)
    assert back == snapshot
    assert back.report.skipped == []
    assert back.report.counts["coding"] == 4
    assert back.report.counts["selection"] == 3


def test_refi_project_export_is_reproducible(tmp_path: Path, snapshot: ProjectSnapshot):
    write_qdpx(snapshot, tmp_path / "one.qdpx")
    write_qdpx(read_qdpx(tmp_path / "one.qdpx"), tmp_path / "two.qdpx")
    assert (tmp_path / "one.qdpx").read_bytes() == (tmp_path / "two.qdpx").read_bytes()


def test_refi_project_selection_coded_by_two_coders_is_split(
    tmp_path: Path, snapshot: ProjectSnapshot
):
    both = snapshot.selections[0]
    both.codings.append(CodingRec("b0000000-0000-4000-8000-000000000099", LEADERSHIP, BEN))
    write_qdpx(snapshot, tmp_path / "split.qdpx")
    back = read_qdpx(tmp_path / "split.qdpx")
    at_span = [s for s in back.selections if (s.start, s.end) == (both.start, both.end)]
    layers = sorted((s.creating_user, sorted(c.code_guid for c in s.codings)) for s in at_span)
    assert layers == sorted([(ANA, [TURNOVER]), (BEN, [LEADERSHIP]), (BEN, [TURNOVER])])
    assert [s.description for s in at_span if s.guid == both.guid] == ["Compare with tranche 2."]


def test_refi_project_minimal_snapshot_omits_empty_containers(tmp_path: Path):
    path = tmp_path / "bare.qdpx"
    write_qdpx(ProjectSnapshot(name="Bare"), path)
    tree = qde(path)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(tree)
    assert len(tree.getroot()) == 0
    assert read_qdpx(path) == ProjectSnapshot(name="Bare", origin=f"qualcode {__version__}")


def test_refi_project_non_guid_identifiers_export_as_valid_stable_guids(tmp_path: Path):
    snap = ProjectSnapshot(
        name="Ids",
        codebook=CodebookSpec(codes=[CodeSpec(name="A", guid="c001")]),
        sources=[SourceRec("doc-1", "One", "Some text")],
        selections=[SelectionRec("s1", "doc-1", 0, 4, "Some", None, [CodingRec("k1", "c001")])],
    )
    write_qdpx(snap, tmp_path / "ids.qdpx")
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(qde(tmp_path / "ids.qdpx"))
    back = read_qdpx(tmp_path / "ids.qdpx")
    assert back.selections[0].codings[0].code_guid == back.codebook.codes[0].guid
    assert back.sources[0].text[back.selections[0].start : back.selections[0].end] == "Some"


def test_refi_project_inconsistent_snapshots_are_refused(tmp_path: Path, snapshot: ProjectSnapshot):
    bad_quote = copy.deepcopy(snapshot)
    bad_quote.selections[0].text = "something else"
    with pytest.raises(ValueError, match="does not hold the quoted text"):
        write_qdpx(bad_quote, tmp_path / "x.qdpx")
    bad_value = copy.deepcopy(snapshot)
    bad_value.cases[0].variables[bad_value.variables[1].guid] = "n/a"
    with pytest.raises(InvalidInput, match="Tranche = 'n/a'"):
        write_qdpx(bad_value, tmp_path / "x.qdpx")
    assert not (tmp_path / "x.qdpx").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_refi_project_long_quote_across_lines_is_named_by_its_start_and_round_trips(
    tmp_path: Path,
):
    text = "Q: " + "word " * 40 + "\nA: " + "an answer  with   odd spacing\n" * 8
    quote = text[3:-1]
    snap = ProjectSnapshot(
        name="Long",
        origin=f"qualcode {__version__}",
        codebook=CodebookSpec(codes=[CodeSpec(name="A", guid=TURNOVER)]),
        sources=[SourceRec(DOC1, "One", text)],
        selections=[
            SelectionRec(
                "f0000000-0000-4000-8000-0000000000aa",
                DOC1,
                3,
                len(text) - 1,
                quote,
                ANA,
                [CodingRec("b0000000-0000-4000-8000-0000000000aa", TURNOVER, ANA)],
            )
        ],
        users=[UserRec(ANA, "Ana")],
    )
    path = tmp_path / "long.qdpx"
    write_qdpx(snap, path)
    name = qde(path).getroot().find("q:Sources/q:TextSource/q:PlainTextSelection", NS).get("name")
    assert name.endswith("…")
    assert len(name) <= 101
    assert quote.startswith(name[:-1])
    back = read_qdpx(path)
    assert back == snap
    assert back.report.skipped == []

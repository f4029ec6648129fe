"""The Word evidence pack, reopened with python-docx: headings, quotes, attribution, counts,
the frequency chart; and a pack gathered from a real database, quote by quote against the
transcript text (or its pseudonymised form)."""

from __future__ import annotations

import io

import docx
from factories import make_code, make_coding, make_document, make_project, make_user

from qualcode.models import Document
from qualcode.reports.docx_report import render_bytes, write_report
from qualcode.reports.pack import (
    AgreementSummary,
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
from qualcode.services import chapters
from qualcode.services.reports import gather_report, set_pseudonyms

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pack() -> ReportData:
    pinned = PackQuote(
        "The champion left.\nNobody handed over.",
        Attribution("Avonbury", "LPSA coordinator", "avonbury-coordinator", 12),
        coding_id=1,
        note="Lead with this",
        flag="the transcript was corrected",
    )
    chosen = PackQuote("Turnover again.", Attribution("Castlebridge", None, "cb-finance", 3))
    turnover = CodeEvidence(
        "Barriers/Turnover",
        "Turnover",
        "Staff leaving without handover.",
        "Any role.",
        "",
        EvidenceBase(7, 4, ("Avonbury", "Castlebridge"), ("Eastwick",)),
        pinned=[pinned],
        selection=[chosen],
        framework=[
            FrameworkLine("Avonbury", "Chronic after 2003", 5),
            FrameworkLine("Eastwick", "", 0),
        ],
        frequency=[("Avonbury", 5), ("Castlebridge", 2), ("Eastwick", 0)],
        agreement="Krippendorff's alpha 0.71",
    )
    empty = CodeEvidence(
        "Barriers/Data", "Data", "", "", "", EvidenceBase(0, 0, (), ("A",)), frequency=[("A", 0)]
    )
    cover = Cover(
        "LPSA sample",
        "v1.0",
        "2005-06-01",
        ("Ruth Okafor", "Daniel Hughes"),
        AgreementSummary(("Ruth Okafor", "Daniel Hughes"), 6, 82, 0.28, 0.19, 0.996),
        per_case=3,
    )
    return ReportData(
        cover,
        [
            ChapterPack(
                "4",
                "Implementation",
                [
                    SectionPack("4.1", "Barriers to improvement", [turnover, empty]),
                    SectionPack("4.2", "Enablers", [], [chosen]),
                ],
            )
        ],
    )


def _paragraphs(document, style):
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_docx_report_uses_word_styles_for_headings_quotes_and_attribution():
    steps = []
    document = docx.Document(
        io.BytesIO(render_bytes(_pack(), progress=lambda d, t: steps.append((d, t))))
    )
    assert _paragraphs(document, "Title") == ["Evidence pack"]
    assert _paragraphs(document, "Heading 1") == ["4 Implementation"]
    assert _paragraphs(document, "Heading 2") == ["4.1 Barriers to improvement", "4.2 Enablers"]
    assert _paragraphs(document, "Heading 3") == ["Turnover", "Data", "Further pinned quotes"]
    assert _paragraphs(document, "Heading 4") == [
        "Pinned quotes",
        "Selected quotes",
        "Framework matrix",
    ]
    assert _paragraphs(document, "Quote") == [
        "The champion left.\nNobody handed over.",
        "Turnover again.",
        "Turnover again.",
    ]
    assert _paragraphs(document, "Quote Attribution") == [
        "— Avonbury, LPSA coordinator (avonbury-coordinator, para. 12)",
        "— Castlebridge (cb-finance, para. 3)",
        "— Castlebridge (cb-finance, para. 3)",
    ]
    assert _paragraphs(document, "Author Note") == [
        "Check: the transcript was corrected",
        "Note: Lead with this",
    ]
    assert "Definition: Staff leaving without handover." in [p.text for p in document.paragraphs]
    assert steps == [(1, 2), (2, 2)]


def test_docx_report_tables_hold_the_cover_counts_and_framework_row():
    document = docx.Document(io.BytesIO(render_bytes(_pack())))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    cover = dict(tables[0])
    assert cover["Project"] == "LPSA sample"
    assert cover["Codebook version"] == "v1.0"
    assert cover["Date"] == "2005-06-01"
    assert cover["Coders"] == "Ruth Okafor, Daniel Hughes"
    assert cover["Agreement"].startswith("Ruth Okafor and Daniel Hughes double-coded 6 documents")
    assert cover["Quotes in this pack"] == "3"
    assert cover["Pseudonymised"] == "no"
    base = dict(tables[1])
    assert base == {
        "Coded segments": "7",
        "Documents": "4",
        "Cases": "2 of 3: Avonbury, Castlebridge",
        "Cases without": "Eastwick",
        "Agreement": "Krippendorff's alpha 0.71",
    }
    assert tables[2] == [["Case", "Summary", "Segments"], ["Avonbury", "Chronic after 2003", "5"]]
    assert dict(tables[3])["Coded segments"] == "0"


def test_docx_report_embeds_a_chart_for_each_code_with_evidence():
    document = docx.Document(io.BytesIO(render_bytes(_pack())))
    assert len(document.inline_shapes) == 1
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 1
    assert images[0].blob.startswith(PNG_SIGNATURE)
    assert "Coded segments of Turnover by case." in _paragraphs(document, "Caption")


def test_docx_report_quotes_equal_the_transcripts_or_their_pseudonymised_form(session, tmp_path):
    owner = make_user(session, "ruth")
    project = make_project(session, "docx", owner=owner, title="Docx pack")
    code = make_code(session, project, "Staff turnover", definition="People leaving.")
    answers = {
        "Avonbury": "At Avonbury the champion left and nobody at Avonbury handed over.",
        "Castlebridge": "Castlebridge lost two target owners in a year — 😬 — to turnover.",
    }
    for case, answer in answers.items():
        doc = make_document(
            session,
            project,
            title=f"{case.lower()}-coordinator",
            case=case,
            turns=[("Interviewer", "What got in the way?"), ("Sam", answer)],
        )
        make_coding(session, doc, code, owner, quote=answer)
    chapter = chapters.add_chapter(
        session, project, number="4", title="Implementation", user_id=None
    )
    chapters.add_section(
        session, chapter, number="4.1", title="Barriers", code_ids=[code.id], user_id=None
    )
    set_pseudonyms(
        session, project, [{"find": "Avonbury", "replace": "[Authority A]"}], user_id=None
    )
    session.commit()

    for pseudonymise in (False, True):
        data = gather_report(session, project, chapter="4", pseudonymise=pseudonymise)
        path = tmp_path / f"pack-{pseudonymise}.docx"
        write_report(data, path)
        document = docx.Document(str(path))
        quotes = _paragraphs(document, "Quote")
        expected = []
        for quote in data.quotes:
            text = session.get(Document, quote.document_id).text[quote.start : quote.end]
            expected.append(text.replace("Avonbury", "[Authority A]") if pseudonymise else text)
        assert quotes == expected
        assert len(quotes) == 2
        attributions = _paragraphs(document, "Quote Attribution")
        case, title = (
            ("[Authority A]", "[Authority A]-coordinator")
            if pseudonymise
            else ("Avonbury", "avonbury-coordinator")
        )
        assert attributions[0] == f"— {case} ({title}, para. 2)"
        counts = dict([c.text for c in row.cells] for row in document.tables[1].rows)
        assert counts["Coded segments"] == "2"
        assert counts["Documents"] == "2"
        assert counts["Cases"] == f"2 of 2: {case}, Castlebridge"
        assert len(document.inline_shapes) == 1
        assert ("Avonbury" in "\n".join(p.text for p in document.paragraphs)) is not pseudonymise

"""Importing REFI-QDA projects into the database: files written the way NVivo, MAXQDA,
ATLAS.ti and QualCoder write them land every quote on exactly the right text; bad files are
refused with nothing written; what cannot be carried over is reported with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_code, make_project, make_user
from interop.test_refi_import_tools import (
    AT_SOURCE,
    ATLAS_TEXT,
    BOM,
    MAXQDA_TEXT,
    MQ_SOURCE,
    NV_MEMO,
    NV_SOURCE,
    NVIVO_TEXT,
    QC_OLD_TEXT,
    QC_TEXT,
    atlas_qde,
    make_qdpx,
    maxqda_qde,
    nvivo_qde,
    qualcoder_qde,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.snapshot import (
    CodingRec,
    ProjectSnapshot,
    SelectionRec,
    SourceRec,
    UserRec,
)
from qualcode.models import (
    AttributeDef,
    Case,
    Code,
    Coding,
    Document,
    Memo,
    Origin,
    Project,
    User,
)
from qualcode.services import documents as document_service
from qualcode.services.interchange import import_qdpx_file, import_snapshot, new_project_from_qdpx
from qualcode.services.users import authenticate


def codings(session: Session, project: Project) -> list[tuple[str, str, str]]:
    """(quote, code name, coder) of every coding, checking the offset invariant on the way."""
    rows = session.execute(
        select(Coding, Code.name, User.display_name)
        .join(Document, Coding.document_id == Document.id)
        .join(Code, Coding.code_id == Code.id)
        .join(User, Coding.coder_id == User.id)
        .where(Document.project_id == project.id)
        .order_by(Document.id, Coding.start, User.display_name)
    ).all()
    out = []
    for coding, code, coder in rows:
        assert coding.document.text[coding.start : coding.end] == coding.quote
        assert coding.origin is Origin.IMPORT
        out.append((coding.quote, code, coder))
    return out


def memos(session: Session, project: Project) -> dict[str, Memo]:
    rows = session.scalars(select(Memo).where(Memo.project_id == project.id)).all()
    return {memo.title: memo for memo in rows}


@pytest.fixture
def lead(session: Session) -> User:
    return make_user(session, "lead", display_name="Lead Author")


def test_interchange_nvivo_quotes_coders_case_and_link_memo(session, lead, tmp_path: Path):
    files = {
        f"sources/{NV_SOURCE}.txt": (BOM + NVIVO_TEXT).encode("utf-8"),
        f"sources/{NV_MEMO}.txt": (BOM + "Check HR records.\r\nAsk the CEO.").encode("utf-8"),
    }
    path = make_qdpx(tmp_path / "nvivo.qdpx", "project.qde", nvivo_qde(), files)
    project = make_project(session, "lpsa", owner=lead)
    result = import_qdpx_file(session, project, path, user_id=lead.id)
    assert codings(session, project) == [
        ("staff turnover 😬 was the killer", "Staff turnover", "Ana"),
        ("staff turnover 😬 was the killer", "Staff turnover", "Ben"),
        ("The PCT came on board – eventually 🎉🎉", "Partnership", "Ana"),
    ]
    doc = session.scalars(select(Document).where(Document.project_id == project.id)).one()
    assert (doc.guid, doc.source_type, doc.title) == (NV_SOURCE.lower(), "qdpx", "Authority A CEO")
    assert doc.text == NVIVO_TEXT.replace("\r\n", "\n")
    assert [t.speaker for t in doc.turns][:2] == ["Interviewer", "Chief Exec"]
    assert doc.text[doc.turns[1].start : doc.turns[1].end].startswith("Honestly")
    assert doc.case is not None
    assert doc.case.name == "Authority A"
    by_case, _ = document_service.attribute_map(session, project)
    assert by_case[doc.case.id] == {"Authority type": "Unitary"}
    memo = memos(session, project)["Turnover memo"]
    assert (memo.text, memo.document_id, memo.author.display_name) == (
        "Check HR records.\nAsk the CEO.",
        doc.id,
        "Ana",
    )
    ana = session.scalars(select(User).where(User.display_name == "Ana")).one()
    assert ana.password_hash is None
    assert authenticate(session, ana.username, "") is None
    assert result.imported["sources"] == 1
    assert result.imported["codings"] == 3
    assert result.imported["users"] == 2
    assert result.imported["members"] == 2
    assert result.report.skipped == []


def test_interchange_maxqda_document_variables_comments_and_sets(session, lead, tmp_path):
    files = {f"Sources/{MQ_SOURCE}.txt": (BOM + MAXQDA_TEXT).encode("utf-8")}
    path = make_qdpx(tmp_path / "maxqda.qdpx", "project.qde", maxqda_qde(), files)
    project = make_project(session, "lpsa", owner=lead)
    result = import_qdpx_file(session, project, path, user_id=lead.id)
    assert codings(session, project) == [
        ("the stretch on truancy paid for two posts", "Reward grant", "Chris")
    ]
    doc = session.scalars(select(Document).where(Document.project_id == project.id)).one()
    _, by_doc = document_service.attribute_map(session, project)
    assert by_doc[doc.id] == {"Interviewee role": "Head of education", "Tranche": "2",
                              "Recorded": "yes", "Date": "2005-06-14"}  # fmt: skip
    types = {
        a.name: (a.scope.value, a.type.value, a.choices)
        for a in session.scalars(select(AttributeDef).where(AttributeDef.project_id == project.id))
    }
    assert types["Tranche"] == ("document", "number", [])
    assert types["Recorded"] == ("document", "choice", ["yes", "no"])
    assert types["Date"] == ("document", "date", [])
    found = memos(session, project)
    coding = session.scalars(select(Coding)).one()
    # a comment on a coded selection is a memo on the coding; on a bare selection, on its span
    comments = session.scalars(select(Memo).where(Memo.title == "Comment").order_by(Memo.id))
    on_coding, on_span = comments.all()
    assert (on_coding.text, on_coding.coding_id) == ("Quote for chapter 6.", coding.id)
    assert (on_span.text, on_span.quote) == (
        "Leading question?",
        "Was the reward grant worth it? 🤔",
    )
    assert doc.text[on_span.start : on_span.end] == on_span.quote
    reward = session.scalars(select(Code).where(Code.name == "Reward grant")).one()
    assert found["Code memo"].code_id == reward.id
    assert reward.definition == "Spending of the reward grant."
    assert reward.color == "#2CA02C"
    assert found["Document memo"].document_id == doc.id
    [skipped] = result.report.skipped
    assert (skipped.kind, skipped.item) == ("set", "Education")
    assert "sets are not carried over" in skipped.reason


def test_interchange_atlas_ti_crlf_quote_and_unattributed_codings(session, tmp_path):
    files = {"sources/A7A50000-0000-4000-8000-000000000001.txt": ATLAS_TEXT.encode("utf-8")}
    path = make_qdpx(tmp_path / "atlas.qdpx", "LPSA Evaluation.qde", atlas_qde(), files)
    project = make_project(session, "lpsa")
    result = import_qdpx_file(session, project, path, user_id=None)  # no importing user
    assert codings(session, project) == [
        (
            "Joint commissioning with the PCT 🤝 meant we\nfinally pooled budgets, and the "
            "police came to every theme group meeting after the second year.",
            "Partnership working",
            "Imported",
        ),
        ("Nothing else, really.", "Partnership working", "Imported"),
    ]
    imported = session.scalars(select(User).where(User.username == "imported")).one()
    assert imported.is_system
    enablers = session.scalars(select(Code).where(Code.name == "Enablers")).one()
    assert not enablers.codable
    doc = session.scalars(select(Document)).one()
    assert doc.guid == AT_SOURCE.strip("{}").lower()
    [skipped] = result.report.skipped
    assert skipped.kind == "selection"
    assert "does not match its name" in skipped.reason


def test_interchange_qualcoder_utf16_and_case_with_two_sources(session, lead, tmp_path):
    files = {
        "sources/d0c00000-0000-4000-8000-0000000000d1.txt": QC_TEXT.encode("utf-8"),
        "sources/d0c00000-0000-4000-8000-0000000000d2.txt": QC_OLD_TEXT.encode("utf-8"),
    }
    path = make_qdpx(tmp_path / "qc.qdpx", "project.qde", qualcoder_qde(), files)
    project = make_project(session, "lpsa", owner=lead)
    import_qdpx_file(session, project, path, user_id=lead.id)
    assert [quote for quote, _, _ in codings(session, project)] == [
        "were too ambitious",
        "the money helped 💷 a lot",
        "a lot",
        "were agreed late",
    ]
    case = session.scalars(select(Case).where(Case.project_id == project.id)).one()
    docs = session.scalars(select(Document).order_by(Document.id)).all()
    assert [d.case_id for d in docs] == [case.id, case.id]
    description = memos(session, project)["Description"]
    assert (description.kind, description.text, description.document_id) == (
        "description",
        "Transcribed by agency.",
        docs[0].id,
    )


TRAILING = "Interviewer: Why?  \r\nChief Exec:\tStaff turnover.\t \r\nInterviewer: And?\x0c"


def test_interchange_trailing_spaces_are_dropped_and_selections_move_with_them(session, tmp_path):
    start = TRAILING.index("Staff turnover.")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="MAXQDA 2022">
  <CodeBook><Codes><Code guid="c1" name="Turnover" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="s1" name="CEO" plainTextPath="internal://s1.txt">
    <PlainTextSelection guid="p1" startPosition="{start}" endPosition="{start + 15}">
      <Coding guid="k1"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="p2" startPosition="{start}" endPosition="{len(TRAILING)}">
      <Coding guid="k2"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>
  </TextSource></Sources>
</Project>"""
    path = make_qdpx(tmp_path / "t.qdpx", "project.qde", qde, {"sources/s1.txt": TRAILING.encode()})
    project = make_project(session, "lpsa")
    result = import_qdpx_file(session, project, path, user_id=make_user(session).id)
    doc = session.scalars(select(Document)).one()
    assert doc.text == "Interviewer: Why?\nChief Exec:\tStaff turnover.\nInterviewer: And?\n"
    assert [quote for quote, _, _ in codings(session, project)] == [
        "Staff turnover.",
        "Staff turnover.\nInterviewer: And?",  # the form feed became a line break
    ]
    assert any("trailing spaces" in message for message in result.report.messages)
    assert session.scalars(select(Coding.guid).order_by(Coding.id)).all() == ["k1", "k2"]


def _snapshot(text: str = "Interviewer: Hello there.\nR: Fine.") -> ProjectSnapshot:
    snapshot = ProjectSnapshot(name="p", users=[UserRec("u1", "Ana")])
    snapshot.codebook.codes = [make_spec("Greeting", "g1")]
    snapshot.sources = [SourceRec("s1", "Interview", text)]
    return snapshot


def make_spec(name: str, guid: str, **fields):  # type: ignore[no-untyped-def]
    from qualcode.interop.codebook_spec import CodeSpec

    return CodeSpec(name=name, guid=guid, **fields)


def test_interchange_bad_selections_and_unknown_codes_are_skipped_with_reasons(session):
    snapshot = _snapshot()
    text = snapshot.sources[0].text
    snapshot.selections = [
        SelectionRec("a", "s1", 13, 18, "Hello", codings=[CodingRec("k1", "g1", "u1")]),
        SelectionRec("b", "s1", 40, 90, "", codings=[CodingRec("k2", "g1", "u1")]),
        SelectionRec("c", "s1", 0, 5, "Howdy", codings=[CodingRec("k3", "g1", "u1")]),
        SelectionRec("d", "s1", 13, 18, "Hello", codings=[CodingRec("k4", "nope", "u1")]),
        SelectionRec("e", "s1", 25, 26, "\n", codings=[CodingRec("k5", "g1", "u1")]),
    ]
    assert text[13:18] == "Hello"
    project = make_project(session, "lpsa")
    result = import_snapshot(session, project, snapshot, user_id=None)
    assert codings(session, project) == [("Hello", "Greeting", "Ana")]
    reasons = [(s.kind, s.item, s.reason) for s in result.report.skipped]
    assert reasons == [
        ("selection", "Interview [40, 90)", "it lies outside its source's text"),
        ("selection", "Interview [0, 5)", "its quote differs from its source's text"),
        ("coding", "Interview [13, 18)", "it refers to an unknown code nope"),
        ("coding", "Interview [25, 26)", "the selection holds only white space"),
    ]


def test_interchange_reader_skips_reach_the_report(session, tmp_path):
    qde = """<Project xmlns="urn:QDA-XML:project:1.0" name="p">
  <CodeBook><Codes><Code guid="c1" name="A" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="s1" name="S"><PlainTextContent>Short text.</PlainTextContent>
    <PlainTextSelection guid="p1" startPosition="3" endPosition="400">
      <Coding guid="k1"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="p2" startPosition="0" endPosition="5">
      <Coding guid="k2"><CodeRef targetGUID="c9"/></Coding></PlainTextSelection>
  </TextSource>
  <PictureSource guid="s2" name="Map" path="internal://s2.png"/></Sources>
</Project>"""
    path = make_qdpx(tmp_path / "p.qdpx", "project.qde", qde, {})
    result = import_qdpx_file(session, make_project(session, "lpsa"), path, user_id=None)
    kinds = {(s.kind, s.item): s.reason for s in result.report.skipped}
    assert "outside the text" in kinds[("selection", "S [3, 400)")]
    assert kinds[("coding", "S [0, 5)")] == "it refers to an unknown code c9"
    assert kinds[("source", "Map")] == "pictures are not supported"
    assert result.report.skipped_counts() == {"selection": 2, "coding": 1, "source": 1}
    assert session.scalar(select(func.count()).select_from(Coding)) == 0


def _nvivo(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    files = {f"sources/{NV_SOURCE}.txt": NVIVO_TEXT.encode(), **(extra or {})}
    return make_qdpx(tmp_path / "nvivo.qdpx", "project.qde", nvivo_qde(), files)


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Project, User, Code, Document, Coding, Memo, Case)
    )


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"../evil.txt": b"x"}, "climbs out of the archive"),
        ({"sources/bomb.txt": b"\0" * (20 * 1024 * 1024)}, "zip bomb"),
    ],
    ids=["dotdot", "bomb"],
)
def test_interchange_unsafe_archives_write_nothing(session, tmp_path, extra, reason):
    make_project(session, "lpsa")
    session.commit()
    before = _counts(session)
    upload = tmp_path / "in"
    upload.mkdir()
    path = _nvivo(upload, extra)
    with pytest.raises(InvalidImport, match=reason):
        new_project_from_qdpx(session, path, slug="copy")
    session.rollback()
    assert _counts(session) == before
    assert [p.name for p in upload.iterdir()] == ["nvivo.qdpx"]
    assert not list(tmp_path.parent.rglob("evil.txt"))


def test_interchange_xxe_is_refused(session, tmp_path):
    qde = nvivo_qde().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    path = make_qdpx(tmp_path / "x.qdpx", "project.qde", qde, {})
    project = make_project(session, "lpsa")
    with pytest.raises(InvalidImport, match="DOCTYPE with entity declarations"):
        import_qdpx_file(session, project, path, user_id=None)


def test_interchange_a_failure_half_way_leaves_nothing(session):
    """The import is one transaction: a code the database refuses aborts all of it."""
    snapshot = _snapshot()
    snapshot.codebook.codes.append(make_spec("Bad colour", "b1", color="#12345"))
    project = make_project(session, "lpsa")
    session.commit()
    before = _counts(session)
    with pytest.raises(InvalidInput, match="invalid colour"):
        import_snapshot(session, project, snapshot, user_id=None)
    session.rollback()
    assert _counts(session) == before


def test_interchange_reimporting_the_same_file_adds_nothing(session, lead, tmp_path):
    path = _nvivo(tmp_path, {f"sources/{NV_MEMO}.txt": b"Memo text."})
    project = make_project(session, "lpsa", owner=lead)
    import_qdpx_file(session, project, path, user_id=lead.id)
    before = _counts(session)
    again = import_qdpx_file(session, project, path, user_id=lead.id)
    assert _counts(session) == before
    assert again.imported == {
        "codes merged": 3, "sources matched": 1, "variable values": 1,
        "codings already present": 3, "notes already present": 1,
    }  # fmt: skip


def test_interchange_second_project_gets_fresh_guids(session, lead, tmp_path):
    path = _nvivo(tmp_path)
    first, _ = new_project_from_qdpx(session, path, owner=lead)
    second, result = new_project_from_qdpx(session, path, owner=lead)
    assert (first.slug, second.slug) == ("nvivo", "nvivo-2")
    assert codings(session, second) == codings(session, first)
    docs = session.scalars(select(Document).order_by(Document.id)).all()
    assert docs[0].guid == NV_SOURCE.lower()
    assert docs[1].guid != docs[0].guid
    assert any("GUIDs were already used" in m for m in result.report.messages)
    assert result.imported.get("users", 0) == 0  # the same people, matched by GUID


def test_interchange_merges_codes_by_path_and_renames_duplicate_siblings(session, lead):
    project = make_project(session, "lpsa", owner=lead)
    existing = make_code(session, project, "Greeting")
    snapshot = _snapshot()
    snapshot.codebook.codes = [
        make_spec("Greeting", "g1"),
        make_spec("Other", "o1", children=[make_spec("X", "x1"), make_spec("x", "x2")]),
        make_spec("A/B", "ab", active=False),
    ]
    text = snapshot.sources[0].text
    snapshot.selections = [
        SelectionRec("a", "s1", 13, 18, "Hello", codings=[CodingRec(f"k{n}", guid, "u1")])
        for n, guid in enumerate(["g1", "x2", "ab"])
    ]
    assert text[13:18] == "Hello"
    result = import_snapshot(session, project, snapshot, user_id=lead.id)
    assert sorted(code for _, code, _ in codings(session, project)) == ["A-B", "Greeting", "x (2)"]
    assert session.scalars(select(Coding.code_id).where(Coding.guid == "k0")).one() == existing.id
    renamed = session.scalars(select(Code).where(Code.guid == "x2")).one()
    assert renamed.name == "x (2)"
    assert not session.scalars(select(Code).where(Code.name == "A-B")).one().active
    assert "code 'Other/x' renamed 'x (2)'" in result.report.messages


def test_interchange_matches_an_existing_account_by_user_name(session, lead):
    ana = make_user(session, "ana", display_name="Ana Lopez")
    snapshot = _snapshot()
    snapshot.users = [UserRec("u1", "ANA")]
    snapshot.selections = [
        SelectionRec("a", "s1", 13, 18, "Hello", codings=[CodingRec("k1", "g1", "u1")])
    ]
    project = make_project(session, "lpsa", owner=lead)
    result = import_snapshot(session, project, snapshot, user_id=lead.id)
    assert codings(session, project) == [("Hello", "Greeting", "Ana Lopez")]
    assert ana.guid != "u1"  # an existing account keeps its own GUID
    assert "user ANA: matched the existing account ana by name" in result.report.messages


def test_interchange_document_in_two_cases_stays_in_the_first(session):
    from qualcode.interop.snapshot import CaseRec

    snapshot = _snapshot()
    snapshot.cases = [CaseRec("c1", "Avonbury", source_guids=["s1"]),
                      CaseRec("c2", "Castlebridge", source_guids=["s1"])]  # fmt: skip
    project = make_project(session, "lpsa")
    result = import_snapshot(session, project, snapshot, user_id=None)
    doc = session.scalars(select(Document)).one()
    assert doc.case is not None
    assert doc.case.name == "Avonbury"
    [clash] = result.report.skipped
    assert (clash.kind, clash.item) == ("case source", "Castlebridge: Interview")
    assert clash.reason == "the document stays in its first case, Avonbury"


def test_interchange_guids_longer_than_the_column_are_replaced(session):
    snapshot = _snapshot()
    snapshot.sources[0].guid = "s" * 80
    project = make_project(session, "lpsa")
    import_snapshot(session, project, snapshot, user_id=None)
    doc = session.scalars(select(Document)).one()
    assert len(doc.guid) == 36

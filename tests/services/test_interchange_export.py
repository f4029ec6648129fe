"""Exporting a project as REFI-QDA: valid against the standard's schema, stable GUIDs, every
coder's codings, memos on every kind of item, typed variables; and the round trip on the demo
project gives the same project back."""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from factories import transcript_from_turns as turns_text
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.db import make_engine, migrate
from qualcode.db.engine import make_sessionmaker
from qualcode.interop.refi_qda import read_qdpx, write_qdpx
from qualcode.interop.snapshot import ProjectSnapshot
from qualcode.models import Case, Memo, Project
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services.interchange import new_project_from_qdpx
from qualcode.services.interchange_export import export_snapshot
from qualcode.services.memos import create_memo
from qualcode.text.spans import Span

SCHEMA = Path(__file__).parents[1] / "data" / "refi" / "Project.xsd"


def assert_valid(path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    with zipfile.ZipFile(path) as archive:
        qde = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(qde), schema.error_log


@pytest.fixture
def project(session: Session) -> Project:
    """Two coders on one document, memos on everything, attributes of every type."""
    ana = make_user(session, "ana", display_name="Ana Ruiz")
    ben = make_user(session, "ben")
    project = make_project(session, "lpsa", title="LPSA", owner=ana, description="Sample.")
    project_service.add_member(session, project, ben, "coder")
    doc = make_document(session, project, title="CEO", case="Avonbury")
    make_document(session, project, title="Officer")
    barriers = make_code(session, project, "Barriers", color="#AA0000", kind="barrier",
                         definition="What got in the way.", keywords=["turnover"])  # fmt: skip
    turnover = make_code(session, project, "Staff turnover", parent=barriers)
    coding = make_coding(session, doc, turnover, ana, quote="staff turnover")
    make_coding(session, doc, turnover, ben, quote="staff turnover")
    make_coding(session, doc, barriers, ben, quote="staff turnover")
    case = session.scalars(select(Case)).one()
    values = {
        ("authority type", "case", "choice", ("county", "unitary")): "county",
        ("batch", "case", "number", ()): "2",
        ("score", "document", "number", ()): "2.5",
        ("interviewed", "document", "date", ()): "2005-06-14",
        ("recorded", "document", "choice", ("yes", "no")): "yes",
        ("role", "document", "text", ()): "chief executive",
        ("tranche", "document", "number", ()): "n/a",
    }
    for (name, scope, kind, choices), value in values.items():
        attr = document_service.define_attribute(session, project, name, scope, kind,
                                                 choices=choices)  # fmt: skip
        document_service.set_attribute(session, attr, case if scope == "case" else doc, value)
    memo_at = {"Project memo": {}, "Code memo": {"code_id": turnover.id},
               "Document memo": {"document_id": doc.id}, "Case memo": {"case_id": case.id},
               "Coding memo": {"coding_id": coding.id},
               "Span memo": {"document_id": doc.id, "span": Span(0, 11)}}  # fmt: skip
    for title, anchor in memo_at.items():
        create_memo(session, project, author_id=ana.id, text=f"{title} text", title=title,
                    **anchor)  # fmt: skip
    create_memo(session, project, author_id=ben.id, text="Long untitled memo " * 10)
    create_memo(session, project, author_id=ben.id, text="tighten it", kind="definition_proposal",
                code_id=turnover.id)  # fmt: skip
    session.flush()
    return project


def test_interchange_export_is_valid_and_carries_everything(session, project, tmp_path):
    snapshot = export_snapshot(session, project)
    path = tmp_path / "lpsa.qdpx"
    write_qdpx(snapshot, path)
    assert_valid(path)
    assert [user.name for user in snapshot.users] == ["Ana Ruiz", "ben"]
    users = {user.guid: user.name for user in snapshot.users}
    by_coder = [
        (sel.text, users[sel.creating_user or ""], len(sel.codings)) for sel in snapshot.selections
    ]
    assert by_coder == [
        ("staff turnover", "Ana Ruiz", 1),  # one selection per coder and span
        ("staff turnover", "ben", 2),
        ("Interviewer", "Ana Ruiz", 0),  # the span memo's selection
    ]
    variables = {var.name: var for var in snapshot.variables}
    assert variables["batch"].type == "Integer"
    assert variables["score"].type == "Float"
    assert variables["recorded"].type == "Boolean"
    assert variables["interviewed"].type == "Date"
    assert variables["authority type"].description == "Choices:\n- county\n- unitary"
    ceo = next(source for source in snapshot.sources if source.name == "CEO")
    named = {variables_by_guid(snapshot)[k]: v for k, v in ceo.variables.items()}
    assert named == {"score": 2.5, "interviewed": date(2005, 6, 14), "recorded": True,
                     "role": "chief executive"}  # fmt: skip
    [bad] = [s for s in snapshot.report.skipped if s.kind == "variable value"]
    assert (bad.item, bad.reason) == ("CEO: tranche", "'n/a' is not a number")
    notes = {note.name: note for note in snapshot.notes}
    untitled = "Long untitled memo Long untitled memo Long untitled memo Lon…"
    assert set(notes) == {"Project memo", "Code memo", "Document memo", "Case memo",
                          "Coding memo", "Span memo", untitled}  # fmt: skip
    assert notes["Project memo"].targets == []
    assert notes["Case memo"].targets == [snapshot.cases[0].guid]
    assert notes["Document memo"].targets == [ceo.guid]
    assert [s.kind for s in snapshot.report.skipped].count("memo") == 1  # the proposal
    read = read_qdpx(path)
    assert {n.name: n.targets for n in read.notes} == {n.name: n.targets for n in snapshot.notes}


def variables_by_guid(snapshot: ProjectSnapshot) -> dict[str, str]:
    return {var.guid: var.name for var in snapshot.variables}


def test_interchange_export_guids_are_stable(session, project, tmp_path):
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_qdpx(export_snapshot(session, project), first)
    write_qdpx(export_snapshot(session, project), second)
    assert first.read_bytes() == second.read_bytes()
    doc = document_service.find_by_title(session, project, "CEO")
    assert doc is not None
    assert doc.guid in {source.guid for source in export_snapshot(session, project).sources}


def test_interchange_export_leaves_out_older_versions(session, project):
    old = document_service.find_by_title(session, project, "Officer")
    assert old is not None
    document_service.add_document(session, project, turns_text([("R", "New text.")]),
                                  title="Officer", previous=old)  # fmt: skip
    author = session.scalars(select(Memo.author_id)).first()
    create_memo(session, project, author_id=author, text="on the old one", title="Old",
                document_id=old.id)  # fmt: skip
    snapshot = export_snapshot(session, project)
    assert [s.text for s in snapshot.sources if s.name == "Officer"] == ["R: New text."]
    kinds = {(s.kind, s.item) for s in snapshot.report.skipped}
    assert ("document version", "Officer (version 1)") in kinds
    assert ("memo", "Old") in kinds


# -- the round trip ---------------------------------------------------------------------------


def _canonical(snapshot: ProjectSnapshot) -> Any:
    """The snapshot with every GUID replaced by what the object is (its name, path, span...)."""
    key: dict[str, str] = {user.guid: f"user {user.name}" for user in snapshot.users}
    key.update(
        (code.guid or "", "code " + "/".join(path)) for path, code in snapshot.codebook.walk()
    )
    key.update((s.guid, f"source {s.name}") for s in snapshot.sources)
    key.update((c.guid, f"case {c.name}") for c in snapshot.cases)
    key.update((v.guid, f"variable {n} {v.name}") for n, v in enumerate(snapshot.variables))
    key.update((n.guid, f"note {n.name} {n.text}") for n in snapshot.notes)
    for sel in snapshot.selections:
        where = (
            f"{key[sel.source_guid]} [{sel.start}, {sel.end}) {key.get(sel.creating_user or '')}"
        )
        key[sel.guid] = f"selection {where}"
        key.update((c.guid, f"coding {where} {key[c.code_guid]}") for c in sel.codings)

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return key.get(value, value)
        if isinstance(value, dict):
            return {swap(k): swap(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        return value

    content = dataclasses.asdict(snapshot)
    content.pop("report")  # how the snapshot was made, not what it holds
    return swap(content)


def _add_memos(factory) -> None:  # type: ignore[no-untyped-def]
    with factory.begin() as session:
        project = project_service.get_by_slug(session, "lpsa")
        doc = document_service.list_documents(session, project)[0]
        case = document_service.list_cases(session, project)[0]
        from qualcode.models import Code, Coding, User

        author = session.scalars(select(User).where(User.username == "pshah")).one()
        code = session.scalars(select(Code).where(Code.project_id == project.id)).first()
        coding = session.scalars(select(Coding).where(Coding.document_id == doc.id)).first()
        assert code is not None
        assert coding is not None
        anchors = [
            {},
            {"code_id": code.id},
            {"document_id": doc.id},
            {"case_id": case.id},
            {"coding_id": coding.id},
            {"document_id": doc.id, "span": Span(0, 40)},
        ]
        for n, anchor in enumerate(anchors):
            create_memo(session, project, author_id=author.id, text=f"Memo {n}\nsecond line",
                        title=f"Memo {n}", **anchor)  # fmt: skip
        create_memo(session, project, author_id=author.id, text="Told by phone.",
                    title="Description", kind="description", document_id=doc.id)  # fmt: skip
        project.description = project.description  # unchanged: carried by Project/Description


@pytest.mark.slow
def test_interchange_round_trip_of_the_demo_project(engine, tmp_path):
    from qualcode.services.demo import build_demo

    factory = make_sessionmaker(engine)
    build_demo(factory)
    _add_memos(factory)
    with factory() as session:
        original = export_snapshot(session, project_service.get_by_slug(session, "lpsa"))
    assert len(original.sources) >= 24
    assert len(original.notes) == 6
    exported = tmp_path / "lpsa.qdpx"
    write_qdpx(original, exported)
    assert_valid(exported)

    # into a fresh database: every GUID is kept, so the export is the same file
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate.upgrade(fresh)
    fresh_factory = make_sessionmaker(fresh)
    with fresh_factory.begin() as session:
        project, result = new_project_from_qdpx(session, exported)
        assert project.slug == "lpsa"
        assert result.report.skipped == []
    with fresh_factory() as session:
        again = export_snapshot(session, project_service.get_by_slug(session, "lpsa"))
    fresh.dispose()
    assert again == original
    write_qdpx(again, tmp_path / "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == exported.read_bytes()

    # into a new project of the same database: GUIDs already taken are replaced, nothing else
    with factory.begin() as session:
        new_project_from_qdpx(session, exported, slug="lpsa-copy")
    with factory() as session:
        copy = export_snapshot(session, project_service.get_by_slug(session, "lpsa-copy"))
        memos = session.scalars(select(Memo).where(Memo.kind == "description")).all()
    assert {s.guid for s in copy.sources}.isdisjoint(s.guid for s in original.sources)
    assert [u.guid for u in copy.users] == [u.guid for u in original.users]  # same people
    assert _canonical(copy) == _canonical(original)
    assert len(memos) == 2

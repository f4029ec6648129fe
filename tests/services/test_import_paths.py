"""The bulk import's store: new documents go in with Core, corrections and new cases through
the ORM path, in the same per-file transaction; every outcome is counted on the job."""

from __future__ import annotations

from pathlib import Path

from factories import make_project, make_user
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from qualcode.db.engine import make_sessionmaker
from qualcode.models import Case, Document, Event, ImportJob, Project, Turn
from qualcode.services.importing import import_paths
from qualcode.text.normalize import word_count
from qualcode.text.transcript import Transcript


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _interview(n: int) -> list[str]:
    return [
        f"Interviewer: What changed in area {n} after the agreement was signed?",
        f"Jo Bloggs: The stretch target for area {n} made partners talk to each other.",
        "Interviewer: And the reward grant?",
        f"Jo Bloggs: It paid for a coordinator, case {n}, which was the real enabler.",
    ]


def _setup(engine: Engine) -> tuple[int, int]:
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        user = make_user(session)
        project = make_project(session, owner=user)
        return project.id, user.id


def test_new_documents_are_stored_whole_with_counts_labels_and_events(engine, tmp_path):
    project_id, user_id = _setup(engine)
    factory = make_sessionmaker(engine)
    paths = [_write(tmp_path / "in", f"site-{n}.txt", _interview(n)) for n in range(3)]

    summary = import_paths(factory, project_id, paths, user_id=user_id, workers=2)

    assert [r.status for r in summary.results] == ["imported"] * 3
    with factory() as session:
        docs = session.scalars(select(Document).order_by(Document.title)).all()
        assert [d.title for d in docs] == ["site-0", "site-1", "site-2"]
        for doc, result in zip(docs, summary.results, strict=True):
            assert result.document_id == doc.id
            assert doc.word_count == word_count(doc.text) == result.words > 0
            turns = session.scalars(
                select(Turn).where(Turn.document_id == doc.id).order_by(Turn.index)
            ).all()
            assert [t.index for t in turns] == [0, 1, 2, 3]
            assert doc.turn_count == 4
            assert doc.text[turns[1].start : turns[1].end].startswith("The stretch target")
            assert [t.is_interviewer for t in turns] == [True, False, True, False]
            assert doc.imported_by_id == user_id
            assert doc.version == 1
            assert doc.is_current
        events = session.scalars(select(Event).where(Event.action == "document.imported")).all()
        assert sorted(e.entity_id for e in events) == sorted(d.id for d in docs)
        assert all(e.user_id == user_id and e.project_id == project_id for e in events)
        project = session.get(Project, project_id)
        assert project is not None
        assert "Interviewer" in project.settings["interviewer_labels"]
        job = session.scalars(select(ImportJob)).one()
        assert (job.done, job.total, job.status) == (3, 3, "finished")


def test_corrections_duplicates_new_cases_and_refusals_in_one_batch(engine, tmp_path):
    project_id, user_id = _setup(engine)
    factory = make_sessionmaker(engine)
    first = [_write(tmp_path / "v1", f"site-{n}.txt", _interview(n)) for n in range(2)]
    import_paths(factory, project_id, first, user_id=user_id, case="North")

    corrected = _interview(0)
    corrected[1] = corrected[1].replace("partners", "the partners")
    batch = [
        _write(tmp_path / "v2", "a-site-0.txt", _interview(1)),  # the text of site-1: a duplicate
        _write(tmp_path / "v2", "site-0.txt", corrected),  # a corrected version of site-0
        _write(tmp_path / "v2", "site-9.txt", _interview(9)),  # new, in an existing case
        _write(tmp_path / "v2", "z-empty.txt", []),  # refused by the reader
    ]
    summary = import_paths(factory, project_id, batch, user_id=user_id, case="North")
    duplicate, correction, new, empty = summary.results

    assert duplicate.status == "skipped"
    assert "site-1" in (duplicate.reason or "")
    assert (correction.status, correction.version, correction.title) == ("imported", 2, "site-0")
    assert new.status == "imported"
    assert new.version == 1
    assert empty.status == "failed"
    assert empty.reason
    with factory() as session:
        versions = session.scalars(
            select(Document).where(Document.title == "site-0").order_by(Document.version)
        ).all()
        assert [(d.version, d.is_current) for d in versions] == [(1, False), (2, True)]
        assert versions[1].previous_version_id == versions[0].id
        cases = session.scalars(select(Case)).all()
        assert [c.name for c in cases] == ["North"]
        site9 = session.get(Document, new.document_id)
        assert site9 is not None
        assert site9.case_id == cases[0].id
        assert session.scalar(select(func.count()).select_from(Document)) == 4
        job = session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        assert job is not None
        assert (job.done, job.total) == (4, 4)
        assert [r["path"] for r in job.results] == [str(batch[3])]


def test_a_document_the_store_refuses_leaves_no_rows(engine, tmp_path, monkeypatch):
    """A refusal after parsing (here: text that is not normalised) rolls the file back whole."""
    import qualcode.ingest.batch as batch

    project_id, user_id = _setup(engine)
    factory = make_sessionmaker(engine)
    paths = [_write(tmp_path / "in", f"site-{n}.txt", _interview(n)) for n in range(2)]
    real = batch._received

    def spoil_second(sent):  # type: ignore[no-untyped-def]
        transcript = real(sent)
        if isinstance(transcript, Transcript) and "area 1" in transcript.text:
            transcript.text = transcript.text.replace("\n", "\r\n")
        return transcript

    monkeypatch.setattr(batch, "_received", spoil_second)
    summary = import_paths(factory, project_id, paths, user_id=user_id, workers=1)

    assert [r.status for r in summary.results] == ["imported", "failed"]
    assert "not normalised" in (summary.results[1].reason or "")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(func.count()).select_from(Turn)) == 4
        imported = session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "document.imported")
        )
        assert imported == 1

"""The demo's suggestions: a fitted model, the first fieldworker's open suggestions on three
documents, and the machine's own layer there for the agreement page."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.db.engine import make_sessionmaker
from qualcode.models import Coding, Project, Suggestion, SuggestionStatus, User
from qualcode.services.agreement import machine_model
from qualcode.services.demo import build_demo
from qualcode.services.demo_suggestions import seed_suggestions


@pytest.mark.slow
def test_demo_suggestions_are_seeded_for_the_first_fieldworker(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))
    factory = make_sessionmaker(engine)
    built = build_demo(
        factory,
        passwords={"pshah": "lead-pass-1", "rokafor": "coder-pass-1", "dhughes": "coder-pass-2"},
    )
    stored = seed_suggestions(factory, built.project_id)
    assert stored > 0
    with Session(engine) as session:
        rokafor = session.scalars(select(User).where(User.username == "rokafor")).one()
        rows = session.scalars(select(Suggestion)).all()
        mine = [s for s in rows if s.for_user_id == rokafor.id]
        machine = [s for s in rows if s.for_user_id is None]
        assert len(mine) == stored
        assert {s.status for s in mine} == {SuggestionStatus.OPEN}
        assert len({s.document_id for s in mine}) == 3
        assert {s.document_id for s in machine} == {s.document_id for s in mine}
        assert len({s.model_version for s in rows}) == 1
        coded = {
            (c.document_id, c.code_id, c.start, c.end)
            for c in session.scalars(select(Coding).where(Coding.coder_id == rokafor.id))
        }
        assert not [s for s in mine if (s.document_id, s.code_id, s.start, s.end) in coded]
        project = session.get(Project, built.project_id)
        model = machine_model(session, project)
        assert model is not None
        assert model.version == rows[0].model_version
        assert model.threshold == project.settings["suggestion_threshold"]

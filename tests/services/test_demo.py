"""The whole sample-study build is a test: every quote anchors, both coders' layers exist."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.db.engine import make_sessionmaker
from qualcode.models import Assignment, Case, Code, Coding, Document, Project, Turn, User
from qualcode.services.demo import build_demo, data_dir


@pytest.mark.slow
def test_demo_builds_the_sample_study_and_rebuilds(engine):
    factory = make_sessionmaker(engine)
    result = build_demo(
        factory,
        passwords={"pshah": "lead-pass-1", "rokafor": "coder-pass-1", "dhughes": "coder-pass-2"},
    )
    transcripts = [
        p for p in data_dir("interviews").iterdir() if p.suffix in {".docx", ".txt", ".vtt"}
    ]
    assert result.documents == len(transcripts) >= 24
    assert set(result.codings) == {"rokafor", "dhughes"}
    with Session(engine) as s:
        for coding in s.scalars(select(Coding)):
            assert coding.document.text[coding.start : coding.end] == coding.quote
        assert s.scalar(select(func.count(func.distinct(Document.case_id)))) == 7
        coders = dict(
            s.execute(
                select(User.username, func.count(func.distinct(Coding.document_id)))
                .join(Coding, Coding.coder_id == User.id)
                .group_by(User.username)
            ).all()
        )
        assert coders["rokafor"] == result.documents
        assert coders["dhughes"] == 6
        blind = s.scalars(select(Assignment).where(Assignment.blind.is_(True))).all()
        assert len(blind) == 12
        assert {a.status.value for a in blind} == {"done"}
        # coded evidence spread: most codes are supported in two or more cases
        per_code = dict(
            s.execute(
                select(Code.name, func.count(func.distinct(Case.id)))
                .join(Coding, Coding.code_id == Code.id)
                .join(Document, Coding.document_id == Document.id)
                .join(Case, Document.case_id == Case.id)
                .group_by(Code.name)
            ).all()
        )
        codable = s.scalar(
            select(func.count()).select_from(Code).where(Code.parent_id.is_not(None))
        )
        assert sum(n >= 2 for n in per_code.values()) >= codable * 0.6
        assert (
            s.scalar(select(func.count()).select_from(Turn).where(Turn.is_interviewer.is_(True)))
            > 300
        )
    again = build_demo(factory)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1
        assert s.scalar(select(func.count()).select_from(Document)) == again.documents

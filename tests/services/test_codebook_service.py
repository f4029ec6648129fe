"""The codebook tree's rules: merges and splits keep every coding, moves refuse cycles, names
are unique among siblings, edits are optimistically locked, deactivated codes keep their codings."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qualcode.errors import Conflict, InvalidInput
from qualcode.models import ChapterOutline, ChapterSection, Code, Coding, Event, Memo
from qualcode.services import codebook as codebook_service

TURNS = [
    ("Interviewer", "What held the targets back?"),
    ("Ann Lee", "Staff turnover was the worst of it. Nobody handed anything over."),
    ("Interviewer", "And the money?"),
    ("Ann Lee", "The pump priming grant came late, and the reward grant felt far off."),
]


def evidence(session: Session) -> set[tuple[int, int, int, int]]:
    """Every coded piece of evidence: (document, coder, start, end), whatever the code."""
    rows = session.execute(select(Coding.document_id, Coding.coder_id, Coding.start, Coding.end))
    return {tuple(row) for row in rows}  # type: ignore[misc]


def codings_of(session: Session, code: Code) -> int:
    return (
        session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id == code.id))
        or 0
    )


@pytest.fixture
def world(session):
    lead = make_user(session, "lead")
    project = make_project(session, "lpsa", owner=lead)
    doc = make_document(session, project, turns=TURNS)
    return {
        "session": session,
        "lead": lead,
        "other": make_user(session, "ben"),
        "project": project,
        "doc": doc,
    }


def test_codebook_merge_moves_every_coding_child_memo_and_section(world):
    s, lead, ben, project, doc = (world[k] for k in ("session", "lead", "other", "project", "doc"))
    barriers = make_code(s, project, "Barriers")
    source = make_code(s, project, "Turnover", parent=barriers)
    target = make_code(s, project, "Staff turnover", parent=barriers)
    child = make_code(s, project, "No handover", parent=source)
    make_coding(s, doc, source, lead, quote="Staff turnover was the worst of it.")
    make_coding(s, doc, source, ben, quote="Staff turnover was the worst of it.")
    make_coding(s, doc, source, ben, quote="Nobody handed anything over.")
    make_coding(s, doc, target, lead, quote="Staff turnover was the worst of it.")  # same as above
    make_coding(s, doc, child, lead, quote="Nobody handed anything over.")
    memo = Memo(project_id=project.id, author_id=lead.id, text="turnover memo", code_id=source.id)
    chapter = ChapterOutline(project_id=project.id, number="4", title="Implementation")
    s.add_all([memo, chapter])
    s.flush()
    section = ChapterSection(chapter_id=chapter.id, number="4.1", title="Barriers")
    section.codes = [source]
    s.add(section)
    s.flush()
    before = evidence(s)
    preview = codebook_service.merge_preview(s, source, target)
    assert preview == {
        "codings": 3,
        "moved": 2,
        "duplicates": 1,
        "children": 1,
        "suggestions": 0,
        "memos": 1,
    }

    moved = codebook_service.merge_codes(s, source, target, user_id=lead.id)
    s.commit()
    s.expire_all()

    assert moved == 2
    assert evidence(s) == before  # not one piece of coded evidence lost
    assert codings_of(s, target) == 3
    assert codings_of(s, child) == 1
    assert s.get(Code, source.id) is None
    assert s.get(Code, child.id).parent_id == target.id  # the sub-code is re-parented, not lost
    assert s.get(Memo, memo.id).code_id == target.id
    assert [c.id for c in s.get(ChapterSection, section.id).codes] == [target.id]
    event = s.scalars(select(Event).where(Event.action == "code.merged")).one()
    assert event.detail["codings_moved"] == 2
    assert event.detail["duplicates_dropped"] == 1


def test_codebook_merge_refuses_descendants_self_and_clashing_children(world):
    s, project = world["session"], world["project"]
    parent = make_code(s, project, "Barriers")
    child = make_code(s, project, "Turnover", parent=parent)
    other = make_code(s, project, "Enablers")
    make_code(s, project, "Focus", parent=parent)
    make_code(s, project, "focus", parent=other)
    with pytest.raises(Conflict, match="descendants"):
        codebook_service.merge_codes(s, parent, child, user_id=None)
    with pytest.raises(Conflict, match="two different codes"):
        codebook_service.merge_codes(s, parent, parent, user_id=None)
    with pytest.raises(Conflict, match="sub-code named Focus"):
        codebook_service.merge_preview(s, parent, other)


def test_codebook_split_moves_only_the_chosen_codings(world):
    s, lead, ben, project, doc = (world[k] for k in ("session", "lead", "other", "project", "doc"))
    money = make_code(s, project, "Funding", color="#1A7F37", kind="enabler")
    quotes = [
        "The pump priming grant came late",
        "the reward grant felt far off.",
        "And the money?",
    ]
    codings = [make_coding(s, doc, money, coder, quote=q) for q in quotes for coder in (lead, ben)]
    before = evidence(s)
    chosen = [c.id for c in codings if "reward" in c.quote]

    new = codebook_service.split_code(s, money, "Reward grant", chosen, user_id=lead.id)
    s.commit()

    assert evidence(s) == before
    assert codings_of(s, new) == 2
    assert codings_of(s, money) == 4
    assert {c.quote for c in s.scalars(select(Coding).where(Coding.code_id == new.id))} == {
        "the reward grant felt far off."
    }
    assert new.parent_id == money.parent_id
    assert new.color == "#1A7F37"
    assert new.kind.value == "enabler"


def test_codebook_split_refuses_foreign_codings_before_changing_anything(world):
    s, lead, project, doc = world["session"], world["lead"], world["project"], world["doc"]
    a, b = make_code(s, project, "A"), make_code(s, project, "B")
    mine = make_coding(s, doc, a, lead, quote="And the money?")
    theirs = make_coding(s, doc, b, lead, quote="And the money?")
    codes_before = len(codebook_service.all_codes(s, project.id))
    with pytest.raises(Conflict, match="must be a coding of A"):
        codebook_service.split_code(s, a, "A2", [mine.id, theirs.id], user_id=None)
    with pytest.raises(InvalidInput, match="choose which codings"):
        codebook_service.split_code(s, a, "A2", [], user_id=None)
    assert len(codebook_service.all_codes(s, project.id)) == codes_before
    assert s.get(Coding, theirs.id).code_id == b.id


def test_codebook_move_refuses_cycles_and_appends_at_the_end(world):
    s, project = world["session"], world["project"]
    top = make_code(s, project, "Barriers")
    mid = make_code(s, project, "Organisational", parent=top)
    leaf = make_code(s, project, "Turnover", parent=mid)
    other = make_code(s, project, "Enablers")
    make_code(s, project, "Focus", parent=other)
    with pytest.raises(Conflict, match="under itself or one of its descendants"):
        codebook_service.move_code(s, top, leaf, user_id=None)
    with pytest.raises(Conflict, match="under itself"):
        codebook_service.move_code(s, mid, mid, user_id=None)

    codebook_service.move_code(s, leaf, other, user_id=None)
    rows = codebook_service.tree(s, project.id)
    assert [r.path for r in rows] == [
        "Barriers",
        "Barriers/Organisational",
        "Enablers",
        "Enablers/Focus",
        "Enablers/Turnover",
    ]
    codebook_service.move_code(s, leaf, None, user_id=None)
    assert codebook_service.code_path(s, leaf) == "Turnover"
    assert s.scalars(select(Event.action).where(Event.action == "code.moved")).all() == [
        "code.moved",
        "code.moved",
    ]


def test_codebook_duplicate_names_under_one_parent_are_refused(world):
    s, project = world["session"], world["project"]
    barriers = make_code(s, project, "Barriers")
    enablers = make_code(s, project, "Enablers")
    make_code(s, project, "Partnership", parent=barriers)
    with pytest.raises(Conflict, match="already exists"):
        make_code(s, project, "partnership ", parent=barriers)
    elsewhere = make_code(s, project, "Partnership", parent=enablers)  # another parent: fine
    with pytest.raises(Conflict, match="already exists"):
        codebook_service.move_code(s, elsewhere, barriers, user_id=None)
    focus = make_code(s, project, "Focus", parent=barriers)
    with pytest.raises(Conflict, match="already exists"):
        codebook_service.update_code(s, focus, user_id=None, name="PARTNERSHIP")
    with pytest.raises(InvalidInput, match="cannot contain '/'"):
        make_code(s, project, "A/B")


def test_codebook_edit_with_a_stale_lock_version_is_a_conflict(world):
    s, project = world["session"], world["project"]
    code = make_code(s, project, "Turnover", definition="Staff leave.")
    loaded = code.lock_version
    codebook_service.update_code(
        s,
        code,
        user_id=None,
        lock_version=loaded,
        definition="Key staff leave during the agreement.",
    )
    assert code.lock_version == loaded + 1
    with pytest.raises(Conflict, match="changed by someone else"):
        codebook_service.update_code(
            s, code, user_id=None, lock_version=loaded, definition="An older edit"
        )
    assert code.definition == "Key staff leave during the agreement."


def test_codebook_concurrent_sessions_cannot_overwrite_each_other(engine, world):
    s, project = world["session"], world["project"]
    code = make_code(s, project, "Turnover")
    s.commit()
    with Session(engine, expire_on_commit=False) as bob:
        theirs = bob.get(Code, code.id)
        bob.commit()  # Bob has the code open in his editor; nothing of his is saved yet
        with Session(engine) as alice:
            mine = alice.get(Code, code.id)
            codebook_service.update_code(
                alice,
                mine,
                user_id=None,
                lock_version=mine.lock_version,
                definition="Alice's definition",
            )
            alice.commit()
        with pytest.raises((Conflict, StaleDataError)):
            codebook_service.update_code(
                bob,
                theirs,
                user_id=None,
                lock_version=theirs.lock_version,
                definition="Bob's definition",
            )
        bob.rollback()
    s.expire_all()
    assert s.get(Code, code.id).definition == "Alice's definition"


def test_codebook_deactivated_code_keeps_codings_but_cannot_be_applied(world):
    s, lead, project, doc = world["session"], world["lead"], world["project"], world["doc"]
    code = make_code(s, project, "Turnover")
    make_coding(s, doc, code, lead, quote="Staff turnover was the worst of it.")
    codebook_service.update_code(s, code, user_id=lead.id, active=False)
    assert codings_of(s, code) == 1
    with pytest.raises(Conflict, match="deactivated"):
        make_coding(s, doc, code, lead, quote="Nobody handed anything over.")
    codebook_service.update_code(s, code, user_id=lead.id, active=True)
    make_coding(s, doc, code, lead, quote="Nobody handed anything over.")
    assert codings_of(s, code) == 2
    changes = s.scalars(select(Event).where(Event.action == "code.changed")).all()
    assert [e.detail["after"] for e in changes] == [{"active": False}, {"active": True}]


def test_codebook_used_code_cannot_be_deleted(world):
    s, lead, project, doc = world["session"], world["lead"], world["project"], world["doc"]
    parent = make_code(s, project, "Barriers")
    child = make_code(s, project, "Turnover", parent=parent)
    make_coding(s, doc, child, lead, quote="Staff turnover was the worst of it.")
    with pytest.raises(Conflict, match="has 1 codings"):
        codebook_service.delete_code(s, parent, user_id=None)
    unused = make_code(s, project, "Spare")
    codebook_service.delete_code(s, unused, user_id=None)
    assert s.get(Code, unused.id) is None


def test_codebook_tree_counts_codings_with_sub_codes(world):
    s, lead, ben, project, doc = (world[k] for k in ("session", "lead", "other", "project", "doc"))
    top = make_code(s, project, "Enablers", codable=False)
    grant = make_code(s, project, "Grants", parent=top)
    pump = make_code(s, project, "Pump priming", parent=grant)
    make_coding(s, doc, grant, lead, quote="the reward grant felt far off.")
    make_coding(s, doc, pump, lead, quote="The pump priming grant came late")
    make_coding(s, doc, pump, ben, quote="The pump priming grant came late")
    rows = {r.path: r for r in codebook_service.tree(s, project.id)}
    assert (rows["Enablers"].codings, rows["Enablers"].codings_with_children) == (0, 3)
    assert (rows["Enablers/Grants"].codings, rows["Enablers/Grants"].codings_with_children) == (
        1,
        3,
    )
    assert rows["Enablers/Grants/Pump priming"].depth == 2
    assert rows["Enablers"].codable is False


def test_codebook_move_to_a_position_reorders_the_siblings(world):
    s, project = world["session"], world["project"]
    top = make_code(s, project, "Barriers")
    a, b, c = (make_code(s, project, name, parent=top) for name in ("Alpha", "Beta", "Gamma"))
    other = make_code(s, project, "Enablers")
    s.commit()
    versions = {code.id: code.lock_version for code in (a, b, c)}

    codebook_service.move_code(s, c, top, user_id=None, position=0)  # same parent, to the top
    s.commit()
    assert [r.name for r in codebook_service.tree(s, project.id) if r.parent_id == top.id] == [
        "Gamma",
        "Alpha",
        "Beta",
    ]
    s.refresh(a)
    s.refresh(b)
    assert (a.lock_version, b.lock_version) == (versions[a.id], versions[b.id])  # not bumped
    assert sorted(x.position for x in (a, b, c)) == [0, 1, 2]

    codebook_service.move_code(s, a, other, user_id=None, position=99)  # past the end: last
    codebook_service.move_code(s, b, None, user_id=None, position=1)  # between the top levels
    s.commit()
    assert [r.path for r in codebook_service.tree(s, project.id)] == [
        "Barriers",
        "Barriers/Gamma",
        "Beta",
        "Enablers",
        "Enablers/Alpha",
    ]
    with pytest.raises(InvalidInput, match="position"):
        codebook_service.move_code(s, b, None, user_id=None, position=-1)

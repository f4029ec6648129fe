"""The workbench's JSON API for codings, the codebook, the document and progress, called the
way a script calls it (a personal token); offsets sent in UTF-16 units or code points."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.models import Assignment, AssignmentStatus, Coding, Role, User
from qualcode.services import assignments
from qualcode.services import users as user_service

_cached_hash = functools.cache(user_service.hash_password)
EMOJI_TURNS = [
    ("Interviewer", "Any barriers? 😀 Tell me."),
    ("Jane Smith", "Staff 👩🏽‍💼 turnover, honestly. The q̃ champion left."),
]


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


class Api:
    """The test client with a user's personal token (no CSRF needed, as for scripts)."""

    def __init__(self, client, session, user: User) -> None:
        _, token = user_service.create_token(session, user, "tests")
        session.commit()
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["json"] = body
        return getattr(self.client, method)(f"/api/p/lpsa{path}", **kwargs)


@pytest.fixture
def lpsa(session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    coder = member(session, project, Role.CODER, "cora")
    document = make_document(session, project, turns=EMOJI_TURNS)
    barriers = make_code(session, project, "Barriers", codable=False, color="#AA0000")
    turnover = make_code(
        session,
        project,
        "Staff turnover",
        parent=barriers,
        color="#CC6600",
        definition="Key people leaving",
        inclusion="Named staff leaving",
    )
    funding = make_code(session, project, "Funding", color="#0066CC")
    session.commit()
    return {
        "owner": owner,
        "project": project,
        "coder": coder,
        "doc": document,
        "heading": barriers,
        "code": turnover,
        "funding": funding,
    }


@pytest.fixture
def cora(client, session, lpsa):
    return Api(client, session, lpsa["coder"])


def utf16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def test_coding_api_utf16_offsets_after_emoji_are_stored_as_code_points(cora, lpsa):
    text = lpsa["doc"].text
    start = text.index("turnover")
    body = {
        "code_id": lpsa["code"].id,
        "start16": utf16(text, start),
        "end16": utf16(text, start + len("turnover")),
    }
    # 😀 is one astral character; 👩🏽‍💼 holds three (woman, skin tone, briefcase) and a ZWJ
    assert body["start16"] == start + 4
    coding = cora("post", f"/documents/{lpsa['doc'].id}/codings", body).get_json()
    assert (coding["start"], coding["end"], coding["quote"]) == (start, start + 8, "turnover")
    assert text[coding["start"] : coding["end"]] == coding["quote"]


def test_coding_api_code_points_and_combining_accents(cora, lpsa):
    text = lpsa["doc"].text
    start = text.index("q̃ champion")
    response = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start": start, "end": start + 2},
    )
    assert response.status_code == 201
    assert response.get_json()["quote"] == "q̃"  # the base letter and its accent, two code points


def test_coding_api_refuses_an_offset_inside_a_surrogate_pair(cora, lpsa):
    text = lpsa["doc"].text
    inside = utf16(text, text.index("😀")) + 1
    response = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start16": inside, "end16": inside + 5},
    )
    assert response.status_code == 400
    assert "surrogate pair" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"start": 0, "end": 10_000}, "outside the text"),
        ({"start16": 0, "end16": 10_000}, "outside the text"),
        ({"start": 5, "end": 2}, "invalid span"),
        ({"start16": 5, "end16": 2}, "after end16"),
        ({"start": "0", "end": 4}, "start must be a whole number"),
        ({"start": True, "end": 4}, "start must be a whole number"),
        ({"end": 4}, "start is required"),
        ({"start": 0, "end": 4, "origin": "adjudication"}, "cannot be set"),
        ({"start": 0, "end": 4, "origin": "magic"}, "unknown origin"),
    ],
)
def test_coding_api_refuses_bad_spans_with_a_clear_message(cora, lpsa, body, message):
    response = cora(
        "post", f"/documents/{lpsa['doc'].id}/codings", {"code_id": lpsa["code"].id, **body}
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_coding_api_refuses_a_body_that_is_not_an_object(client, cora, lpsa):
    response = client.post(
        f"/api/p/lpsa/documents/{lpsa['doc'].id}/codings",
        data="[1, 2",
        headers={**cora.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]


def test_coding_api_trims_white_space_and_refuses_blank_selections(cora, lpsa):
    text = lpsa["doc"].text
    start = text.index(" turnover,")
    coding = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start": start, "end": start + 10},
    ).get_json()
    assert coding["quote"] == "turnover,"
    blank = text.index(" 😀")
    response = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start": blank, "end": blank + 1},
    )
    assert response.status_code == 400
    assert "white space" in response.get_json()["error"]


def test_coding_api_a_coding_may_span_turns_and_quotes_the_label_between(cora, lpsa):
    text = lpsa["doc"].text
    start, end = text.index("Tell me."), text.index(" turnover")
    coding = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start": start, "end": end},
    ).get_json()
    assert coding["quote"] == "Tell me.\nJane Smith: Staff 👩🏽‍💼"


def test_coding_api_applying_twice_returns_the_same_coding(cora, lpsa):
    body = {"code_id": lpsa["code"].id, "start": 0, "end": 11}
    first = cora("post", f"/documents/{lpsa['doc'].id}/codings", body).get_json()
    second = cora("post", f"/documents/{lpsa['doc'].id}/codings", body).get_json()
    assert first["id"] == second["id"]


def test_coding_api_refuses_headings_and_other_projects_codes(cora, lpsa, session):
    other = make_project(session, "other", owner=lpsa["owner"])
    elsewhere = make_code(session, other, "Elsewhere")
    session.commit()
    url = f"/documents/{lpsa['doc'].id}/codings"
    heading = cora("post", url, {"code_id": lpsa["heading"].id, "start": 0, "end": 11})
    assert heading.status_code == 409
    assert "heading" in heading.get_json()["error"]
    assert cora("post", url, {"code_id": elsewhere.id, "start": 0, "end": 11}).status_code == 404
    assert cora("post", url, {"code_id": 9999, "start": 0, "end": 11}).status_code == 404


def test_coding_api_recode_widen_narrow_and_uncode(cora, lpsa, session):
    text = lpsa["doc"].text
    start = text.index("turnover")
    coding = cora(
        "post",
        f"/documents/{lpsa['doc'].id}/codings",
        {"code_id": lpsa["code"].id, "start": start, "end": start + 8},
    ).get_json()
    recoded = cora("patch", f"/codings/{coding['id']}", {"code_id": lpsa["funding"].id})
    assert recoded.get_json()["code_id"] == lpsa["funding"].id
    wider = text.index("Staff 👩")
    widened = cora(
        "patch",
        f"/codings/{coding['id']}",
        {"start16": utf16(text, wider), "end16": utf16(text, start + 8)},
    ).get_json()
    assert widened["quote"] == "Staff 👩🏽‍💼 turnover"
    assert cora("patch", f"/codings/{coding['id']}", {}).status_code == 400
    removed = cora("delete", f"/codings/{coding['id']}").get_json()
    # what undo needs to put it back
    assert {k: removed[k] for k in ("removed", "code_id", "start", "end", "origin")} == {
        "removed": coding["id"],
        "code_id": lpsa["funding"].id,
        "start": wider,
        "end": start + 8,
        "origin": "manual",
    }
    assert session.get(Coding, coding["id"]) is None
    session.commit()
    assert cora("get", f"/codings/{coding['id']}").status_code == 404


def test_coding_api_coders_change_only_their_own_codings_leads_any(client, cora, lpsa, session):
    other = member(session, lpsa["project"], Role.CODER, "cole")
    theirs = make_coding(session, lpsa["doc"], lpsa["code"], other, quote="champion")
    session.commit()
    assert cora("patch", f"/codings/{theirs.id}", {"start": 0, "end": 11}).status_code == 403
    assert cora("delete", f"/codings/{theirs.id}").status_code == 403
    olive = Api(client, session, lpsa["owner"])
    assert (
        olive("patch", f"/codings/{theirs.id}", {"code_id": lpsa["funding"].id}).status_code == 200
    )
    assert olive("delete", f"/codings/{theirs.id}").status_code == 200


def test_coding_api_lists_codings_with_coder_origin_and_date(client, cora, lpsa, session):
    other = member(session, lpsa["project"], Role.CODER, "cole")
    make_coding(session, lpsa["doc"], lpsa["code"], other, quote="champion")
    make_coding(session, lpsa["doc"], lpsa["funding"], lpsa["coder"], quote="Staff")
    session.commit()
    everyone = cora("get", f"/documents/{lpsa['doc'].id}/codings").get_json()
    assert [c["coder"] for c in everyone["codings"]] == ["cora", "cole"]  # by start offset
    assert everyone["blind"] is False
    assert {u["username"] for u in everyone["coders"]} == {"cora", "cole"}
    first = everyone["codings"][0]
    assert first["origin"] == "manual"
    assert first["created"].endswith("Z")
    assert first == cora("get", f"/codings/{first['id']}").get_json()  # one shape everywhere
    mine = cora("get", f"/documents/{lpsa['doc'].id}/codings?coder=me").get_json()
    assert [c["coder"] for c in mine["codings"]] == ["cora"]
    theirs = cora("get", f"/documents/{lpsa['doc'].id}/codings?coder={other.id}").get_json()
    assert [c["coder"] for c in theirs["codings"]] == ["cole"]
    assert cora("get", f"/documents/{lpsa['doc'].id}/codings?coder=bob").status_code == 404


def test_coding_api_codebook_is_a_tree_with_counts_and_criteria(cora, lpsa, session):
    make_coding(session, lpsa["doc"], lpsa["code"], lpsa["coder"], quote="turnover")
    session.commit()
    codes = cora("get", "/codebook").get_json()["codes"]
    assert [c["path"] for c in codes] == ["Barriers", "Barriers/Staff turnover", "Funding"]
    turnover = codes[1]
    assert turnover["count"] == 1
    assert turnover["parent_id"] == lpsa["heading"].id
    assert turnover["inclusion"] == "Named staff leaving"
    assert codes[0]["codable"] is False


def test_coding_api_document_with_turns(cora, lpsa):
    doc = cora("get", f"/documents/{lpsa['doc'].id}").get_json()
    assert doc["text"] == lpsa["doc"].text
    assert [(t["speaker"], t["is_interviewer"]) for t in doc["turns"]] == [
        ("Interviewer", True),
        ("Jane Smith", False),
    ]
    turn = doc["turns"][1]
    assert doc["text"][turn["start"] : turn["end"]].startswith("Staff")
    assert "text" not in cora("get", f"/documents/{lpsa['doc'].id}?text=0").get_json()


def test_coding_api_coding_marks_the_assignment_in_progress_then_done(cora, lpsa, session):
    doc_id = lpsa["doc"].id
    assignments.assign(session, lpsa["doc"], lpsa["coder"])
    session.commit()
    cora(
        "post", f"/documents/{doc_id}/codings", {"code_id": lpsa["code"].id, "start": 0, "end": 11}
    )
    session.expire_all()
    row = assignments.get_assignment(session, doc_id, lpsa["coder"].id)
    assert isinstance(row, Assignment)
    assert row.status is AssignmentStatus.IN_PROGRESS
    session.commit()  # end the read: SQLite writers (and the app) start BEGIN IMMEDIATE
    done = cora("post", f"/documents/{doc_id}/done", {"done": True}).get_json()
    assert done["status"] == "done"
    assert done["done_at"]
    reopened = cora("post", f"/documents/{doc_id}/done", {"done": False}).get_json()
    assert reopened["status"] == "in_progress"
    assert cora("post", f"/documents/{doc_id}/done", {"done": "yes"}).status_code == 400


def test_coding_api_leads_assign_coders_blind(client, cora, lpsa, session):
    olive = Api(client, session, lpsa["owner"])
    url = f"/documents/{lpsa['doc'].id}/assignments"
    made = olive("post", url, {"coder": "cora", "purpose": "double-code", "blind": True})
    assert made.status_code == 201
    assert (made.get_json()["purpose"], made.get_json()["blind"]) == ("double-code", True)
    assert olive("post", url, {"coder": "nobody"}).status_code == 404
    assert olive("post", url, {"coder": "cora", "purpose": "triple"}).status_code == 400
    listed = cora("get", url).get_json()["assignments"]
    assert [(a["coder"], a["blind"]) for a in listed] == [("cora", True)]

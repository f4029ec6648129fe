"""The codebook editor's page, JSON API, uploads and downloads, through the Flask test client."""

from __future__ import annotations

import io

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login, post_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.interop.codebook_files import read_codebook
from qualcode.models import Code, CodebookVersion, Coding, Event, Memo, Role

API = "/api/p/lpsa/codebook"
TURNS = [
    ("Interviewer", "What got in the way?"),
    ("Ann Lee", "Staff turnover. The champion left and nobody handed over the target."),
    ("Ann Lee", "The reward grant kept members interested, and the pump priming money helped."),
]


@pytest.fixture
def world(session):
    owner = make_user(session, "owner")
    project = make_project(session, "lpsa", title="LPSA evaluation", owner=owner)
    users = {
        role: member(session, project, role, f"{role.value}-user")
        for role in (Role.LEAD, Role.CODER, Role.VIEWER)
    }
    doc = make_document(session, project, turns=TURNS)
    barriers = make_code(session, project, "Barriers", kind="barrier", color="#9B1B1B")
    turnover = make_code(
        session, project, "Turnover", parent=barriers, kind="barrier", definition="Staff leave."
    )
    churn = make_code(session, project, "Churn", parent=barriers)
    money = make_code(session, project, "Money")
    coder = users[Role.CODER]
    make_coding(session, doc, turnover, coder, quote="Staff turnover.")
    make_coding(session, doc, churn, coder, quote="The champion left")
    make_coding(session, doc, churn, owner, quote="nobody handed over the target")
    for quote in ("The reward grant kept members interested", "the pump priming money helped"):
        make_coding(session, doc, money, coder, quote=quote)
    session.commit()
    return {
        "users": users,
        "codes": {"barriers": barriers, "turnover": turnover, "churn": churn, "money": money},
    }


def signed_in(app, role: Role):
    client = app.test_client()
    return client, login(client, f"{role.value}-user")


def coding_total(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Coding)) or 0


def test_codebook_page_shows_the_tree_with_counts_to_a_viewer(app, world):
    client, _ = signed_in(app, Role.VIEWER)
    html = client.get("/p/lpsa/codebook").get_data(as_text=True)
    assert "Turnover" in html
    assert "Churn" in html
    assert "Money" in html
    assert 'data-can-edit="false"' in html
    assert "Import</button>" not in html
    assert "Freeze this version" not in html
    assert "/p/lpsa/codebook/export/qdc" in html
    assert 'style="' not in html
    assert "<script>" not in html
    tree = client.get(f"{API}/tree").get_json()
    rows = {r["path"]: r for r in tree["codes"]}
    assert (rows["Barriers"]["codings"], rows["Barriers"]["codings_with_children"]) == (0, 3)
    assert rows["Barriers/Churn"]["codings"] == 2
    assert tree["can_edit"] is False
    assert rows["Barriers/Turnover"]["definition"] == "Staff leave."


def test_codebook_lead_sees_the_editing_controls(app, world):
    client, _ = signed_in(app, Role.LEAD)
    html = client.get("/p/lpsa/codebook").get_data(as_text=True)
    assert 'data-can-edit="true"' in html
    assert "Freeze this version" in html
    assert 'enctype="multipart/form-data"' in html


def test_codebook_coder_may_not_edit(app, world):
    client, token = signed_in(app, Role.CODER)
    code_id = world["codes"]["turnover"].id
    assert client.get(f"{API}/codes/{code_id}").status_code == 200
    response = post_json(
        client,
        f"{API}/codes/{code_id}",
        token,
        {"lock_version": 1, "name": "Mine now"},
        method="patch",
    )
    assert response.status_code == 403
    assert post_json(client, f"{API}/codes", token, {"name": "New"}).status_code == 403


def test_codebook_edit_every_field_and_the_stale_edit_conflict(app, world, engine):
    client, token = signed_in(app, Role.LEAD)
    code_id = world["codes"]["turnover"].id
    loaded = client.get(f"{API}/codes/{code_id}").get_json()
    fields = {
        "name": "Staff turnover",
        "color": "#D62728",
        "kind": "barrier",
        "definition": "Key staff leave and nobody picks the target up.",
        "inclusion": "The departure slowed delivery.",
        "exclusion": "Routine restructuring.",
        "typical_example": "We lost our lead in month three.",
        "atypical_example": "The new lead was better.",
        "keywords": ["turnover", "left"],
        "chapter": "4",
        "section": "4.1",
        "active": True,
        "codable": True,
    }
    response = post_json(
        client,
        f"{API}/codes/{code_id}",
        token,
        {"lock_version": loaded["lock_version"], **fields},
        method="patch",
    )
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert {k: saved[k] for k in fields} == fields
    assert saved["lock_version"] == loaded["lock_version"] + 1
    assert saved["path"] == "Barriers/Staff turnover"

    stale = post_json(
        client,
        f"{API}/codes/{code_id}",
        token,
        {"lock_version": loaded["lock_version"], "definition": "Overwrite!"},
        method="patch",
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_json()["error"]
    with Session(engine) as s:
        assert s.get(Code, code_id).definition == fields["definition"]
    missing = post_json(client, f"{API}/codes/{code_id}", token, {"name": "X"}, method="patch")
    assert missing.status_code == 400
    assert "lock_version" in missing.get_json()["error"]
    bad = post_json(
        client,
        f"{API}/codes/{code_id}",
        token,
        {"lock_version": saved["lock_version"], "color": "red"},
        method="patch",
    )
    assert bad.status_code == 400
    assert "invalid colour" in bad.get_json()["error"]


def test_codebook_create_move_and_refused_cycle(app, world, engine):
    client, token = signed_in(app, Role.LEAD)
    codes = world["codes"]
    created = post_json(
        client,
        f"{API}/codes",
        token,
        {"name": "No development funding", "parent_id": codes["barriers"].id, "kind": "barrier"},
    )
    assert created.status_code == 201
    new = created.get_json()
    assert new["path"] == "Barriers/No development funding"
    duplicate = post_json(
        client,
        f"{API}/codes",
        token,
        {"name": "no development funding", "parent_id": codes["barriers"].id},
    )
    assert duplicate.status_code == 409

    moved = post_json(
        client, f"{API}/codes/{new['id']}/move", token, {"parent_id": codes["money"].id}
    )
    assert moved.get_json()["path"] == "Money/No development funding"
    cycle = post_json(
        client,
        f"{API}/codes/{codes['barriers'].id}/move",
        token,
        {"parent_id": codes["turnover"].id},
    )
    assert cycle.status_code == 409
    assert "descendants" in cycle.get_json()["error"]
    top = post_json(client, f"{API}/codes/{new['id']}/move", token, {"parent_id": None})
    assert top.get_json()["path"] == "No development funding"
    for bad in (-1, "first", 1.5, True):
        refused = post_json(
            client, f"{API}/codes/{new['id']}/move", token, {"parent_id": None, "position": bad}
        )
        assert refused.status_code == 400
        assert "position must be a whole number" in refused.get_json()["error"]
    first = post_json(
        client, f"{API}/codes/{new['id']}/move", token, {"parent_id": None, "position": 0}
    )
    assert first.status_code == 200
    tree = client.get(f"{API}/tree").get_json()["codes"]
    assert [c["name"] for c in tree if c["parent_id"] is None][0] == "No development funding"
    with Session(engine) as s:
        assert s.scalars(select(Event.action).where(Event.action == "code.moved")).all() == [
            "code.moved",
            "code.moved",
            "code.moved",
        ]


def test_codebook_merge_preview_then_merge_keeps_every_coding(app, world, engine):
    client, token = signed_in(app, Role.LEAD)
    churn, turnover = world["codes"]["churn"], world["codes"]["turnover"]
    before = coding_total(engine)
    preview = client.get(f"{API}/codes/{churn.id}/merge-preview?into={turnover.id}").get_json()
    assert (preview["moved"], preview["duplicates"], preview["target"]) == (2, 0, "Turnover")
    result = post_json(client, f"{API}/codes/{churn.id}/merge", token, {"into": turnover.id})
    assert result.status_code == 200
    assert result.get_json()["moved"] == 2
    assert result.get_json()["target"]["codings"] == 3
    assert coding_total(engine) == before
    assert client.get(f"{API}/codes/{churn.id}").status_code == 404


def test_codebook_split_moves_the_chosen_codings(app, world, engine):
    client, token = signed_in(app, Role.LEAD)
    money = world["codes"]["money"]
    codings = client.get(f"{API}/codes/{money.id}/codings").get_json()["codings"]
    assert [c["quote"] for c in codings] == [
        "The reward grant kept members interested",
        "the pump priming money helped",
    ]
    result = post_json(
        client,
        f"{API}/codes/{money.id}/split",
        token,
        {"name": "Reward grant", "coding_ids": [codings[0]["id"]]},
    )
    assert result.status_code == 201
    assert result.get_json()["code"]["codings"] == 1
    assert result.get_json()["moved"] == 1
    assert client.get(f"{API}/codes/{money.id}").get_json()["codings"] == 1
    empty = post_json(
        client, f"{API}/codes/{money.id}/split", token, {"name": "Nothing", "coding_ids": []}
    )
    assert empty.status_code == 400
    assert coding_total(engine) == 5


def test_codebook_deactivate_through_the_api(app, world):
    client, token = signed_in(app, Role.LEAD)
    code = client.get(f"{API}/codes/{world['codes']['money'].id}").get_json()
    response = post_json(
        client,
        f"{API}/codes/{code['id']}",
        token,
        {"lock_version": code["lock_version"], "active": False},
        method="patch",
    )
    assert response.get_json()["active"] is False
    assert response.get_json()["codings"] == 2


def test_codebook_definition_proposals_accept_and_dismiss(app, world, session, engine):
    turnover, money = world["codes"]["turnover"], world["codes"]["money"]
    coder = world["users"][Role.CODER]
    first = Memo(
        project_id=turnover.project_id,
        author_id=coder.id,
        kind="definition_proposal",
        title="From disagreement in Marchshire",
        code_id=turnover.id,
        text="Key staff leave during the agreement and nobody picks up their target.",
    )
    second = Memo(
        project_id=money.project_id,
        author_id=coder.id,
        kind="definition_proposal",
        text="Any money.",
        code_id=money.id,
    )
    session.add_all([first, second])
    session.commit()
    client, token = signed_in(app, Role.LEAD)
    tree = {r["name"]: r for r in client.get(f"{API}/tree").get_json()["codes"]}
    assert tree["Turnover"]["proposals"] == 1
    detail = client.get(f"{API}/codes/{turnover.id}").get_json()
    assert [p["title"] for p in detail["proposals"]] == ["From disagreement in Marchshire"]

    accepted = post_json(
        client,
        f"{API}/proposals/{first.id}/accept",
        token,
        {"lock_version": detail["lock_version"]},
    )
    assert accepted.status_code == 200
    assert accepted.get_json()["definition"] == first.text
    assert accepted.get_json()["proposals"] == []
    again = post_json(client, f"{API}/proposals/{first.id}/accept", token)
    assert again.status_code == 409
    assert "already accepted" in again.get_json()["error"]

    dismissed = post_json(client, f"{API}/proposals/{second.id}/dismiss", token)
    assert dismissed.get_json()["definition"] == ""
    with Session(engine) as s:
        assert s.get(Memo, second.id).kind == "definition_dismissed"
        actions = s.scalars(select(Event.action).where(Event.action.like("proposal.%"))).all()
        assert actions == ["proposal.accepted", "proposal.dismissed"]


def test_codebook_import_upload_is_all_or_nothing_and_shows_the_line(app, world, engine):
    client, token = signed_in(app, Role.LEAD)
    bad = (
        "path,definition,color\nEnablers,Helps,#1A7F37\nEnablers/Focus,Few targets,#00AA00\n"
        "Enablers/Champion,A named person,green\n"
    )
    response = client.post(
        "/p/lpsa/codebook/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "team codebook.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "line 4" in html
    assert "team codebook.csv" in html
    assert "/tmp" not in html
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 4

    good = bad.replace(",green", ",#2DA44E").encode("cp1252")
    response = client.post(
        "/p/lpsa/codebook/import",
        data={"csrf_token": token, "file": (io.BytesIO(good), "codebook.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "3 codes created, 0 updated" in html
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 7


def test_codebook_import_refuses_big_files_word_and_xml_bombs(app, world, engine):
    app.config["CODEBOOK_UPLOAD_MAX_BYTES"] = 1000
    client, token = signed_in(app, Role.LEAD)

    def upload(data: bytes, name: str) -> str:
        return client.post(
            "/p/lpsa/codebook/import",
            data={"csrf_token": token, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(as_text=True)

    assert "larger than" in upload(b"path\n" + b"x" * 2000, "big.csv")
    assert "Word codebooks are for reading" in upload(b"PK", "codebook.docx")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        b'<Codes><Code guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c01" name="&lol2;" '
        b'isCodable="true"/></Codes></CodeBook>'
    )
    assert "Nothing was imported" in upload(bomb, "bomb.qdc")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Code)) == 4


@pytest.mark.parametrize("fmt", ["yaml", "json", "qdc", "csv", "xlsx", "docx"])
def test_codebook_export_downloads_every_format(app, world, tmp_path, fmt):
    client, _ = signed_in(app, Role.VIEWER)
    response = client.get(f"/p/lpsa/codebook/export/{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=lpsa-codebook.{fmt}"
    assert response.headers["X-Codebook-Version"].startswith("an unfrozen working copy")
    if fmt != "docx":
        path = tmp_path / f"download.{fmt}"
        path.write_bytes(response.data)
        assert read_codebook(path).paths() == [
            "Barriers",
            "Barriers/Turnover",
            "Barriers/Churn",
            "Money",
        ]
    assert client.get("/p/lpsa/codebook/export/exe").status_code == 404


def test_codebook_freeze_and_download_a_version(app, world, engine, tmp_path):
    client, token = signed_in(app, Role.LEAD)
    response = client.post(
        "/p/lpsa/codebook/versions",
        data={"csrf_token": token, "name": "v1.0", "note": "agreed after calibration round 2"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Froze codebook version v1.0" in html
    assert "agreed after calibration round 2" in html
    again = client.post(
        "/p/lpsa/codebook/versions",
        data={"csrf_token": token, "name": "v1.0"},
        follow_redirects=True,
    )
    assert "already has a codebook version named v1.0" in again.get_data(as_text=True)

    code = client.get(f"{API}/codes/{world['codes']['money'].id}").get_json()
    post_json(
        client,
        f"{API}/codes/{code['id']}",
        token,
        {"lock_version": code["lock_version"], "name": "Funding"},
        method="patch",
    )
    current = client.get("/p/lpsa/codebook/export/yaml")
    assert current.headers["X-Codebook-Version"] == "v1.0 with changes made since it was frozen"
    with Session(engine) as s:
        version_id = s.scalars(select(CodebookVersion.id)).one()
    frozen = client.get(f"/p/lpsa/codebook/versions/{version_id}/export/yaml")
    assert frozen.headers["Content-Disposition"].endswith("lpsa-codebook-v1.0.yaml")
    path = tmp_path / "v1.yaml"
    path.write_bytes(frozen.data)
    spec = read_codebook(path)
    assert spec.version == "v1.0"
    assert "Money" in spec.paths()
    assert "Funding" not in spec.paths()

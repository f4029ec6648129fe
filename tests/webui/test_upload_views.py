"""Transcript upload over the Flask client: one file per request, the CLI's result as JSON,
broken and oversized files refused with their reason, CSRF and roles enforced."""

from __future__ import annotations

import io

import pytest
from cli.test_import_cli import broken_files, docx_bytes, interview, txt_bytes, vtt_bytes
from factories import make_code, make_coding, make_project, make_user, member
from helpers import login
from sqlalchemy import func, select

from qualcode.models import Coding, Document, Event, Role, Turn

URL = "/api/p/lpsa/documents/import"


@pytest.fixture
def world(session):
    lead = make_user(session, "lead")
    project = make_project(session, "lpsa", owner=lead)
    member(session, project, Role.CODER, "coder")
    member(session, project, Role.VIEWER, "viewer")
    make_user(session, "stranger")
    session.commit()
    return project


def send(client, token, data: bytes, name: str, **fields):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": token} if token else {}
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), name), **fields},
        headers={**headers, "Accept": "application/json"},
        content_type="multipart/form-data",
    )


def documents(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh snapshot: the requests wrote in their own transactions
    return session.scalar(select(func.count()).select_from(Document)) or 0


def test_upload_views_page_for_coders_only(client, world):
    login(client, "coder")
    page = client.get("/p/lpsa/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="upload-files"' in html
    assert "webkitdirectory" in html
    assert 'data-endpoint="/api/p/lpsa/documents/import"' in html
    assert 'id="upload-sheet"' not in html  # the sheet needs the lead role
    assert "js/upload.js" in html
    viewer = client.application.test_client()
    login(viewer, "viewer")
    assert viewer.get("/p/lpsa/import").status_code == 403
    lead = client.application.test_client()
    login(lead, "lead")
    assert 'id="upload-sheet"' in lead.get("/p/lpsa/import").get_data(as_text=True)


def test_upload_views_imports_a_transcript(client, session, world):
    token = login(client, "coder")
    response = send(client, token, docx_bytes(interview(1)), "Jane Smith.docx",
                    path="fieldwork/Jane Smith.docx", case="Northshire")  # fmt: skip
    assert response.status_code == 201
    result = response.get_json()["result"]
    assert result["status"] == "imported"
    assert result["path"] == "fieldwork/Jane Smith.docx"
    assert (result["title"], result["turns"], result["speakers"]) == (
        "Jane Smith", 6, ["Interviewer", "Jane Smith"]
    )  # fmt: skip
    doc = session.get(Document, result["document_id"])
    assert doc.case.name == "Northshire"
    assert doc.word_count == result["words"] > 60
    assert doc.source_type == "docx"
    first = session.scalars(select(Turn).where(Turn.document_id == doc.id, Turn.index == 0)).one()
    assert first.speaker == "Interviewer"
    assert first.is_interviewer is True
    assert doc.text[first.start : first.end].startswith("How did")
    again = send(client, token, docx_bytes(interview(1)), "copy.docx")
    assert again.status_code == 200
    assert again.get_json()["result"]["status"] == "skipped"
    assert "exact duplicate of Jane Smith" in again.get_json()["result"]["reason"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("corrupt.docx", "not a Word .docx file (the zip archive is damaged)"),
        ("protected.docx", "looks like an old .doc or an encrypted document"),
        ("empty.txt", "the file is empty"),
        ("binary.txt", "binary data, not text"),
    ],
)
def test_upload_views_broken_file_gives_its_reason(client, session, world, name, reason):
    token = login(client, "coder")
    response = send(client, token, broken_files(50 * 1024)[name], name)
    assert response.status_code == 422
    body = response.get_json()
    assert body["result"]["status"] == "failed"
    assert reason in body["result"]["reason"]
    assert body["error"].startswith(f"{name}: ")
    assert documents(session) == 0
    assert session.scalar(select(func.count()).select_from(Turn)) == 0


def test_upload_views_size_cap_is_a_clear_413(app, client, session, world):
    app.config["UPLOAD_MAX_BYTES"] = 64 * 1024
    token = login(client, "coder")
    long = txt_bytes(interview(1)) + b"\nJane Smith: " + b"words " * 15_000  # 88.5 KB
    response = send(client, token, long, "long.txt")
    assert response.status_code == 413
    assert response.get_json()["result"]["reason"] == "the file is 88.5 KB, over the 64 KB limit"
    huge = send(client, token, b"x" * (400 * 1024), "huge.txt")  # refused before it is read
    assert huge.status_code == 413
    assert "over the 64 KB limit" in huge.get_json()["error"]
    assert documents(session) == 0
    page = client.get("/p/lpsa/import").get_data(as_text=True)
    assert 'data-max-bytes="65536"' in page
    assert "each at most 64 KB" in page


def test_upload_views_qdpx_points_to_the_exchange_page(client, world):
    token = login(client, "coder")
    response = send(client, token, b"PK\x03\x04", "project.qdpx")
    assert response.status_code == 422
    result = response.get_json()["result"]
    assert "Import / export page" in result["reason"]
    assert result["link"] == "/p/lpsa/exchange"


def test_upload_views_csrf_and_roles(client, session, world):
    data = vtt_bytes(interview(2))
    token = login(client, "coder")
    assert send(client, None, data, "a.vtt").status_code == 400  # no CSRF token
    assert send(client, "forged", data, "a.vtt").status_code == 400
    viewer = client.application.test_client()
    assert send(viewer, login(viewer, "viewer"), data, "a.vtt").status_code == 403
    stranger = client.application.test_client()
    assert send(stranger, login(stranger, "stranger"), data, "a.vtt").status_code == 404
    anonymous = client.application.test_client()
    assert send(anonymous, token, data, "a.vtt").status_code in (302, 400, 401)
    assert documents(session) == 0
    assert send(client, token, data, "a.vtt").status_code == 201
    assert documents(session) == 1
    event = session.scalars(select(Event).where(Event.action == "document.imported")).one()
    assert event.user_id == session.scalar(select(Document.imported_by_id))


def test_upload_views_new_version_carries_codings(client, session, world):
    token = login(client, "lead")
    turns = interview(5)
    first = send(client, token, txt_bytes(turns), "interview-5.txt").get_json()["result"]
    doc = session.get(Document, first["document_id"])
    code, ruth = make_code(session, world, "Barriers"), make_user(session, "ruth")
    coding = make_coding(session, doc, code, ruth, quote="we learnt a lot about partnership")
    session.commit()
    turns[1] = ("Jane Smith", "A new opening sentence. " + turns[1][1])
    response = send(client, token, txt_bytes(turns), "interview-5.txt")
    result = response.get_json()["result"]
    assert (response.status_code, result["version"], result["reanchored"]) == (201, 2, 1)
    session.expire_all()
    moved = session.get(Coding, coding.id)
    assert moved.document_id == result["document_id"]
    new_text = session.get(Document, result["document_id"]).text
    assert new_text[moved.start : moved.end] == "we learnt a lot about partnership"


def test_upload_views_attribute_sheet_by_a_lead(client, session, world):
    token = login(client, "lead")
    for n in (1, 2):
        assert send(client, token, txt_bytes(interview(n)), f"int-{n}.txt").status_code == 201
    sheet = b"document,case,role,interviewed\nint-1,Northshire,Officer,2005-05-12\n" \
            b"int-2,Northshire,Member,13/05/2005\nint-9,Southby,Officer,2005-06-01\n"  # fmt: skip
    response = client.post(
        "/api/p/lpsa/attributes/import",
        data={"file": (io.BytesIO(sheet), "attributes.csv")},
        headers={"X-CSRF-Token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["rows"] == 2
    assert body["document_attributes"] == {"role": "choice", "interviewed": "date"}
    assert body["case_attributes"] == {}
    assert body["unknown"] == ["int-9 (row 4)"]
    assert any("not found, skipped: int-9" in line for line in body["lines"])
    coder = client.application.test_client()
    coder_token = login(coder, "coder")
    refused = coder.post(
        "/api/p/lpsa/attributes/import",
        data={"file": (io.BytesIO(sheet), "attributes.csv")},
        headers={"X-CSRF-Token": coder_token},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    bad = client.post(
        "/api/p/lpsa/attributes/import",
        data={"file": (io.BytesIO(b"name,role\nx,y\n"), "people.csv")},
        headers={"X-CSRF-Token": token},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"].startswith("people.csv: no column named case")

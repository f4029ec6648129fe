"""Every upload route refuses a file over its size cap (and the server a request over
``MAX_CONTENT_LENGTH``, with 413), and a file whose content is not what its name says.

The routes taking files (``grep -rn "request.files" webui/``): transcripts
(``/api/p/<slug>/documents/import``), attribute sheets (``/api/p/<slug>/attributes/import``),
codebooks (``/p/<slug>/codebook/import``) and REFI-QDA projects (``/p/<slug>/exchange/import``).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from factories import make_project, make_user
from helpers import login

from qualcode.models import Document

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
TEXT = b"Interviewer: Why?\nJane Smith: Staff turnover hurt delivery.\n"
LIMIT = 4096


def _zip(name: str = "word/other.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture
def owner(app, client, session):
    user = make_user(session, "owner")
    make_project(session, "lpsa", owner=user)
    session.commit()
    app.config.update(
        UPLOAD_MAX_BYTES=LIMIT, CODEBOOK_UPLOAD_MAX_BYTES=LIMIT, QDPX_UPLOAD_MAX_BYTES=LIMIT
    )
    return login(client, "owner")


def _send(client, token, url, name, data, **fields):
    return client.post(
        url,
        data={"file": (io.BytesIO(data), name), **fields},
        headers={"X-CSRF-Token": token},
        content_type="multipart/form-data",
    )


def _flash(client, response) -> str:
    """The message shown on the page a form upload redirects to."""
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    match = re.search(r'class="flash (\w+)"[^>]*>([^<]*)<', page)
    assert match, "the page shows what happened to the upload"
    return f"{match.group(1)}: {match.group(2)}"


# --- the whole request: MAX_CONTENT_LENGTH -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/p/lpsa/documents/import",
        "/api/p/lpsa/attributes/import",
        "/p/lpsa/codebook/import",
        "/p/lpsa/exchange/import",
    ],
)
def test_a_request_over_max_content_length_is_refused_with_413(app, client, owner, url):
    app.config.update(
        MAX_CONTENT_LENGTH=16 * 1024,
        UPLOAD_MAX_BYTES=10 * 1024 * 1024,
        CODEBOOK_UPLOAD_MAX_BYTES=10 * 1024 * 1024,
        QDPX_UPLOAD_MAX_BYTES=10 * 1024 * 1024,
    )
    response = _send(client, owner, url, "big.csv", b"a,b\n" * 10_000)
    assert response.status_code == 413
    message = response.get_data(as_text=True)
    assert "limit" in message


def test_the_413_answer_names_the_servers_limit(app, client, owner):
    app.config.update(MAX_CONTENT_LENGTH=16 * 1024, UPLOAD_MAX_BYTES=10 * 1024 * 1024)
    response = _send(client, owner, "/api/p/lpsa/documents/import", "big.txt", TEXT * 1000)
    assert response.status_code == 413
    assert "16 KB" in response.get_json()["error"]


# --- transcripts -------------------------------------------------------------------------------


def test_transcript_over_the_cap_is_refused_with_413_and_the_sizes(client, owner, session):
    response = _send(
        client, owner, "/api/p/lpsa/documents/import", "long.txt", TEXT * (LIMIT // len(TEXT) + 1)
    )
    assert response.status_code == 413
    body = response.get_json()
    assert "over the 4 KB limit" in body["error"]
    assert body["result"]["status"] == "failed"
    assert session.query(Document).count() == 0


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("interview.docx", TEXT, "not a Word .docx file (it holds plain text)"),
        (
            "interview.docx",
            _zip(),
            "not a Word .docx file (the zip archive has no word/document.xml)",
        ),
        ("interview.odt", PDF.replace(b"%PDF", b"%PDX"), "not an OpenDocument .odt file"),
        ("interview.pdf", _zip(), "not a PDF file"),
        ("interview.txt", PNG, "binary"),
        ("interview.vtt", PNG, "binary"),
    ],
)
def test_transcript_whose_content_does_not_match_its_name_is_refused(
    client, owner, session, name, data, reason
):
    response = _send(client, owner, "/api/p/lpsa/documents/import", name, data)
    assert response.status_code == 422
    assert reason in response.get_json()["error"]
    assert session.query(Document).count() == 0


def test_transcript_in_another_format_than_named_is_read_as_what_it_is(client, owner):
    response = _send(
        client,
        owner,
        "/api/p/lpsa/documents/import",
        "notes.txt",
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Jane>Staff turnover\n",
    )
    assert response.status_code == 201
    assert "holds WebVTT captions; read as .vtt" in " ".join(
        response.get_json()["result"]["warnings"]
    )


# --- attribute sheets --------------------------------------------------------------------------


def test_attribute_sheet_over_the_cap_is_refused(client, owner):
    response = _send(
        client,
        owner,
        "/api/p/lpsa/attributes/import",
        "sheet.csv",
        b"case,region\n" + b"Kingsford,North\n" * 400,
    )
    assert response.status_code in (413, 422)
    assert "limit" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("name", "data"),
    [("sheet.xlsx", b"case,region\nKingsford,North\n"), ("sheet.xlsx", _zip()), ("sheet.csv", PNG)],
)
def test_attribute_sheet_whose_content_does_not_match_its_name_is_refused(
    client, owner, name, data
):
    response = _send(client, owner, "/api/p/lpsa/attributes/import", name, data)
    assert response.status_code == 422
    assert name in response.get_json()["error"]


# --- codebooks ---------------------------------------------------------------------------------


def test_codebook_over_the_cap_is_refused(client, owner):
    response = _send(
        client,
        owner,
        "/p/lpsa/codebook/import",
        "codebook.yaml",
        b"codes:\n" + b"  - name: Barriers\n" * 400,
    )
    message = _flash(client, response)
    assert message.startswith("error: Nothing was imported.")
    assert "codebook.yaml is larger than" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("codebook.yaml", PNG),
        ("codebook.qdc", _zip()),
        ("codebook.xlsx", TEXT),
        ("codebook.json", PDF),
        ("codebook.csv", PNG),
    ],
)
def test_codebook_whose_content_does_not_match_its_name_is_refused(client, owner, name, data):
    message = _flash(client, _send(client, owner, "/p/lpsa/codebook/import", name, data))
    assert message.startswith("error: Nothing was imported.")
    assert name in message


# --- REFI-QDA projects -------------------------------------------------------------------------


def test_project_file_over_the_cap_is_refused(client, owner):
    message = _flash(
        client, _send(client, owner, "/p/lpsa/exchange/import", "big.qdpx", b"PK" + b"\0" * LIMIT)
    )
    assert message.startswith("error: Nothing was imported.")
    assert "big.qdpx is larger than" in message


@pytest.mark.parametrize("data", [TEXT, PNG, _zip("other.xml"), PDF])
def test_project_file_whose_content_is_not_a_qdpx_is_refused(client, owner, data):
    message = _flash(client, _send(client, owner, "/p/lpsa/exchange/import", "project.qdpx", data))
    assert message.startswith("error: Nothing was imported.")
    assert "project.qdpx" in message

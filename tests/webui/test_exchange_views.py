"""The Import / export page over real HTTP: a lead uploads a .qdpx and reads its report,
unsafe or oversized uploads write nothing, viewers download .qdpx and .qdc."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login
from interop.test_refi_import_tools import (
    BOM,
    MAXQDA_TEXT,
    MQ_SOURCE,
    make_qdpx,
    maxqda_qde,
)
from sqlalchemy import func, select

from qualcode.interop.refi_qda import read_qdc, read_qdpx
from qualcode.models import Coding, Document, Event, Role, User
from qualcode.services import projects as project_service


@pytest.fixture
def world(session):
    lead = make_user(session, "lead")
    project = make_project(session, "lpsa", title="LPSA", owner=lead)
    member(session, project, Role.VIEWER, "viewer")
    member(session, project, Role.CODER, "coder")
    other = make_project(session, "other", owner=make_user(session, "someone"))
    session.commit()
    return {"project": project, "other": other}


def qdpx_bytes(tmp_path: Path, extra: dict[str, bytes] | None = None) -> bytes:
    files = {f"Sources/{MQ_SOURCE}.txt": (BOM + MAXQDA_TEXT).encode("utf-8"), **(extra or {})}
    return make_qdpx(tmp_path / "m.qdpx", "project.qde", maxqda_qde(), files).read_bytes()


def upload(client, token: str, data: bytes, name: str = "maxqda.qdpx"):  # type: ignore[no-untyped-def]
    return client.post(
        "/p/lpsa/exchange/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_exchange_views_lead_uploads_and_reads_the_report(client, session, world, tmp_path):
    token = login(client, "lead")
    response = upload(client, token, qdpx_bytes(tmp_path))
    assert response.status_code == 302
    assert re.search(r"/p/lpsa/exchange/imports/\d+$", response.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "maxqda.qdpx" in page
    assert "MAXQDA 2022" in page
    assert '<td>codings</td><td class="num">1</td>' in page
    assert "sets are not carried over (1 members)" in page
    assert (
        session.scalars(select(Coding.quote)).one() == "the stretch on truancy paid for two posts"
    )
    index = client.get("/p/lpsa/exchange").get_data(as_text=True)
    assert "maxqda.qdpx" in index
    assert "1 codings" in index


def test_exchange_views_unsafe_upload_writes_nothing(client, session, world, tmp_path):
    token = login(client, "lead")
    response = upload(client, token, qdpx_bytes(tmp_path, {"../evil.txt": b"x"}))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p/lpsa/exchange")
    page = client.get("/p/lpsa/exchange").get_data(as_text=True)
    assert "Nothing was imported. maxqda.qdpx: member name climbs out of the archive" in page
    assert "/tmp" not in page  # the temporary copy's path is never shown
    assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert session.scalar(select(func.count()).select_from(Event).where(
        Event.action == "interchange.imported")) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "notes.txt: not a REFI-QDA project (.qdpx) file"),
        ("big.qdpx", b"x" * 2048, "big.qdpx is larger than 0 MB"),
        ("fake.qdpx", b"not a zip", "fake.qdpx: not a readable zip archive"),
    ],
)
def test_exchange_views_refuses_bad_uploads(app, client, world, name, data, message):
    app.config["QDPX_UPLOAD_MAX_BYTES"] = 1024
    token = login(client, "lead")
    upload(client, token, data, name)
    assert message in client.get("/p/lpsa/exchange").get_data(as_text=True)


def test_exchange_views_roles(client, world, tmp_path):
    token = login(client, "coder")
    assert upload(client, token, qdpx_bytes(tmp_path)).status_code == 403
    login(client, "viewer")
    page = client.get("/p/lpsa/exchange").get_data(as_text=True)
    assert "exchange/export.qdpx" in page
    assert "exchange/import" not in page
    assert 'style="' not in page
    assert "<script>" not in page


def test_exchange_views_downloads(client, session, world, tmp_path):
    project = world["project"]
    doc = make_document(session, project, title="W1")
    code = make_code(session, project, "Staff turnover")
    make_coding(session, doc, code, make_user(session, "ruth"), quote="staff turnover")
    session.commit()
    login(client, "viewer")
    response = client.get("/p/lpsa/exchange/export.qdpx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=lpsa.qdpx"
    path = tmp_path / "down.qdpx"
    path.write_bytes(response.data)
    snapshot = read_qdpx(path)
    assert [s.text for s in snapshot.selections] == ["staff turnover"]
    qdc = client.get("/p/lpsa/exchange/export.qdc")
    assert qdc.headers["Content-Disposition"] == "attachment; filename=lpsa-codebook.qdc"
    assert [c.name for _, c in read_qdc(qdc.data).walk()] == ["Staff turnover"]


def test_exchange_views_report_of_another_project_is_not_found(client, session, world, tmp_path):
    token = login(client, "lead")
    location = upload(client, token, qdpx_bytes(tmp_path)).headers["Location"]
    event_id = location.rsplit("/", 1)[1]
    assert client.get(f"/p/lpsa/exchange/imports/{event_id}").status_code == 200
    lead = session.scalars(select(User).where(User.username == "lead")).one()
    project_service.add_member(session, world["other"], lead, Role.LEAD)
    session.commit()
    assert client.get(f"/p/other/exchange/imports/{event_id}").status_code == 404

"""``qualcode import PROJECT FILE.qdpx``, ``qualcode project import`` and ``qualcode export``
against a real database: the import report (the data-loss warning), the JSON contract, unsafe
files refused with nothing written, and exports that read back."""

from __future__ import annotations

import json
from pathlib import Path

from factories import make_code, make_coding, make_document, make_project, make_user
from interop.test_refi_import_tools import (
    BOM,
    MAXQDA_TEXT,
    MQ_SOURCE,
    NV_SOURCE,
    NVIVO_TEXT,
    make_qdpx,
    maxqda_qde,
    nvivo_qde,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.interop.refi_qda import read_qdc, read_qdpx
from qualcode.models import Coding, Document, Membership, Project, User


def maxqda(tmp_path: Path) -> Path:
    files = {f"Sources/{MQ_SOURCE}.txt": (BOM + MAXQDA_TEXT).encode("utf-8")}
    return make_qdpx(tmp_path / "maxqda.qdpx", "project.qde", maxqda_qde(), files)


def nvivo(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    files = {f"sources/{NV_SOURCE}.txt": NVIVO_TEXT.encode(), **(extra or {})}
    return make_qdpx(tmp_path / "nvivo.qdpx", "project.qde", nvivo_qde(), files)


def test_exchange_cli_import_prints_counts_and_what_was_not_carried_over(runner, session, tmp_path):
    make_project(session, "lpsa", owner=make_user(session, "lead"))
    session.commit()
    result = runner(["import", "lpsa", str(maxqda(tmp_path)), "--coder", "lead"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "imported maxqda.qdpx into lpsa: 1 sources, 2 codes, 1 codings, 4 notes, 0 cases, "
        "4 variables"
    )
    assert "Not carried over (1 set):" in lines
    assert "  - set Education: sets are not carried over (1 members)" in lines
    quote = session.scalars(select(Coding.quote)).one()
    assert quote == "the stretch on truancy paid for two posts"


def test_exchange_cli_import_json_contract(runner, session, tmp_path):
    make_project(session, "lpsa")
    session.commit()
    path = maxqda(tmp_path)
    result = runner(["import", "lpsa", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"imported", "skipped", "failed", "report"}
    [imported] = data["imported"]
    assert imported["path"] == str(path)
    assert imported["counts"]["codings"] == 1
    assert data["skipped"] == [
        {"path": str(path), "kind": "set", "item": "Education",
         "reason": "sets are not carried over (1 members)"}
    ]  # fmt: skip
    assert data["failed"] == []
    assert data["report"]["skipped_counts"] == {"set": 1}
    assert data["report"]["read"]["selection"] == 2


def test_exchange_cli_unsafe_file_is_refused_with_nothing_written(runner, session, tmp_path):
    make_project(session, "lpsa")
    session.commit()
    path = nvivo(tmp_path, {"../evil.txt": b"x"})
    result = runner(["import", "lpsa", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == [
        {"path": str(path), "reason": "member name climbs out of the archive ('..') "
                                      "(member '../evil.txt')"}
    ]  # fmt: skip
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: member name climbs out of the archive ('..') (member '../evil.txt')"
    ]
    plain = runner(["import", "lpsa", str(path)])
    assert plain.exit_code == 1
    assert "Traceback" not in plain.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_exchange_cli_project_import_creates_a_project(runner, session, tmp_path):
    make_user(session, "lead")
    session.commit()
    result = runner(["project", "import", str(nvivo(tmp_path)), "--owner", "lead"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "created project nvivo"
    again = runner(["project", "import", str(nvivo(tmp_path)), "--slug", "second", "--json"])
    assert json.loads(again.stdout)["imported"][0]["project"] == "second"
    with Session(session.bind) as s:
        first = s.scalars(select(Project).where(Project.slug == "nvivo")).one()
        assert first.title == "LPSA NVivo"
        roles = dict(
            s.execute(
                select(User.username, Membership.role)
                .join(Membership)
                .where(Membership.project_id == first.id)
            ).all()
        )
        assert roles["lead"].value == "owner"
        assert roles["ana"].value == "coder"
        assert s.scalar(select(func.count()).select_from(Project)) == 2
    taken = runner(["project", "import", str(nvivo(tmp_path)), "--slug", "second"])
    assert taken.exit_code == 1
    assert "already exists" in taken.output


def test_exchange_cli_export_qdpx_and_qdc(runner, session, tmp_path):
    owner = make_user(session, "ruth", display_name="Ruth Okafor")
    project = make_project(session, "lpsa", owner=owner)
    doc = make_document(session, project, title="W1", case="Wexborough")
    code = make_code(session, project, "Staff turnover")
    make_coding(session, doc, code, owner, quote="staff turnover")
    session.commit()
    out = tmp_path / "lpsa.qdpx"
    result = runner(["export", "lpsa", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"wrote {out}: 1 sources, 1 codes, 1 codings by 1 coders, 1 cases, 0 variables, 0 notes"
    )
    back = read_qdpx(out)
    assert [s.text for s in back.selections] == ["staff turnover"]
    assert back.sources[0].guid == doc.guid
    assert back.users[0].name == "Ruth Okafor"
    codebook = tmp_path / "lpsa.qdc"
    assert runner(["export", "lpsa", str(codebook)]).exit_code == 0
    assert [c.guid for _, c in read_qdc(codebook).walk()] == [code.guid]
    wrong = runner(["export", "lpsa", str(tmp_path / "lpsa.zip")])
    assert wrong.exit_code == 1
    assert "use a file ending in .qdpx or .qdc" in wrong.output

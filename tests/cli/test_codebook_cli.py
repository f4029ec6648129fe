"""``qualcode codebook ...`` on a real database: messages, exit codes and the database after."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from factories import make_coding, make_document, make_project, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.interop.codebook_files import default_codebook_path, read_codebook
from qualcode.models import Code, Coding, Event, Project
from qualcode.services import codebook as codebook_service

TURNS = [
    ("Interviewer", "What got in the way?"),
    ("Ann Lee", "Staff turnover. The champion left and nobody handed over the target."),
    ("Ann Lee", "The reward grant kept members interested, and the pump priming money helped."),
]


def code_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Code)) or 0


@pytest.fixture
def project(session):
    make_user(session, "ruth")
    make_project(session, "lpsa")
    session.commit()
    return "lpsa"


@pytest.mark.slow
def test_codebook_cli_import_default_then_list_and_export_every_format(runner, project, tmp_path):
    result = runner(["codebook", "import", project, str(default_codebook_path())])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "imported lpsa.yaml into lpsa: 82 codes created, 0 updated, 7 chapters"
    )

    listing = runner(["codebook", "list", project]).output.splitlines()
    assert (
        listing[0] == "lpsa: 82 codes, codebook version an unfrozen working copy "
        "(no version frozen yet)"
    )
    assert "Barriers  [barrier]  0 codings" in listing
    assert "  Staff turnover without handover  [barrier]  0 codings" in listing

    assert runner(["codebook", "freeze", project, "v1.0", "--note", "agreed"]).exit_code == 0
    for suffix in (".yaml", ".json", ".qdc", ".csv", ".docx", ".xlsx"):
        out = tmp_path / f"codebook{suffix}"
        result = runner(["codebook", "export", project, str(out)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"wrote {out}: 82 codes, codebook version v1.0"
        assert out.stat().st_size > 1000
    original = read_codebook(default_codebook_path())
    assert read_codebook(tmp_path / "codebook.qdc").paths() == original.paths()
    assert read_codebook(tmp_path / "codebook.xlsx").chapters == original.chapters
    headings = [
        p.text
        for p in docx.Document(str(tmp_path / "codebook.docx")).paragraphs
        if p.style.name == "Heading 1"
    ]
    assert "Barriers" in headings
    assert "Enablers" in headings


def test_codebook_cli_bad_csv_is_refused_whole_with_its_line(runner, project, engine, tmp_path):
    bad = tmp_path / "codes.csv"
    bad.write_bytes(
        "path,definition,color\nBarriers,Things in the way,#AA0000\n"
        "Barriers/Turnover,Staff leave,#AA1111\n"
        "Barriers/Funding,No money,#ZZZZZZ\n".encode("cp1252")
    )
    result = runner(["codebook", "import", project, str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    assert "#ZZZZZZ" in result.output
    assert "line 4" in result.output
    assert code_count(engine) == 0  # nothing half-imported

    orphan = tmp_path / "orphan.csv"
    orphan.write_text("path,definition\nBarriers/Turnover,Staff leave\n", encoding="utf-8")
    result = runner(["codebook", "import", project, str(orphan)])
    assert result.exit_code == 1
    assert "Barriers" in result.output
    assert code_count(engine) == 0


def test_codebook_cli_csv_import_reports_its_encoding(runner, project, engine, tmp_path):
    csv = tmp_path / "codes.csv"
    csv.write_bytes("path,definition\nBarriers,The authority’s “obstacles”\n".encode("cp1252"))
    result = runner(["codebook", "import", project, str(csv)])
    assert result.exit_code == 0, result.output
    assert "1 codes created" in result.output
    assert "read as cp1252" in result.output
    with Session(engine) as s:
        assert s.scalars(select(Code.definition)).one() == "The authority’s “obstacles”"


def test_codebook_cli_edit_commands_change_the_tree(runner, project, engine):
    assert (
        runner(
            [
                "codebook",
                "add",
                project,
                "Barriers",
                "--kind",
                "barrier",
                "--color",
                "#9b1b1b",
                "--folder",
            ]
        ).output
        == "added Barriers\n"
    )
    result = runner(
        [
            "codebook",
            "add",
            project,
            "Turnover",
            "--parent",
            "Barriers",
            "--definition",
            "Staff leave.",
            "--keywords",
            "left; handover",
            "--user",
            "ruth",
        ]
    )
    assert result.output == "added Barriers/Turnover\n"
    assert runner(["codebook", "add", project, "turnover", "--parent", "Barriers"]).exit_code == 1
    assert (
        runner(
            [
                "codebook",
                "edit",
                project,
                "Barriers/Turnover",
                "--section",
                "4.1",
                "--inclusion",
                "The departure slowed delivery.",
            ]
        ).exit_code
        == 0
    )
    assert (
        runner(["codebook", "rename", project, "Barriers/Turnover", "Staff turnover"]).output
        == "renamed Barriers/Turnover to Barriers/Staff turnover\n"
    )
    assert runner(["codebook", "add", project, "Enablers"]).exit_code == 0
    assert (
        runner(["codebook", "move", project, "Barriers/Staff turnover", "Enablers"]).output
        == "moved to Enablers/Staff turnover\n"
    )
    cycle = runner(["codebook", "move", project, "Enablers", "Enablers/Staff turnover"])
    assert cycle.exit_code == 1
    assert "descendants" in cycle.output
    assert (
        runner(["codebook", "move", project, "Enablers/Staff turnover", "/"]).output
        == "moved to Staff turnover\n"
    )
    assert (
        runner(["codebook", "deactivate", project, "Staff turnover"]).output
        == "deactivated Staff turnover\n"
    )
    assert "(inactive)" in runner(["codebook", "list", project]).output
    assert runner(["codebook", "activate", project, "Staff turnover"]).exit_code == 0
    with Session(engine) as s:
        code = s.scalars(select(Code).where(Code.name == "Staff turnover")).one()
        assert (code.parent_id, code.active, code.section) == (None, True, "4.1")
        assert code.keywords == ["left", "handover"]
        assert code.inclusion == "The departure slowed delivery."
        barriers = s.scalars(select(Code).where(Code.name == "Barriers")).one()
        assert (barriers.codable, barriers.color, barriers.kind.value) == (
            False,
            "#9B1B1B",
            "barrier",
        )
        actions = s.scalars(select(Event.action).where(Event.action.like("code.%"))).all()
        assert actions.count("code.moved") == 2
        assert actions.count("code.changed") == 4
        ruth_events = s.scalars(select(Event).where(Event.user_id.is_not(None))).all()
        assert [e.action for e in ruth_events] == ["code.created"]


def test_codebook_cli_merge_and_split_keep_every_coding(runner, session, engine):
    owner = make_user(session, "ruth")
    proj = make_project(session, "lpsa", owner=owner)
    doc = make_document(session, proj, turns=TURNS)
    turnover = codebook_service.create_code(session, proj, "Turnover")
    churn = codebook_service.create_code(session, proj, "Churn")
    money = codebook_service.create_code(session, proj, "Money")
    make_coding(session, doc, turnover, owner, quote="Staff turnover.")
    make_coding(session, doc, churn, owner, quote="The champion left")
    for quote in ("The reward grant kept members interested", "the pump priming money helped"):
        make_coding(session, doc, money, owner, quote=quote)
    session.commit()

    refused = runner(["codebook", "merge", "lpsa", "Churn", "Turnover"], input="n\n")
    assert refused.exit_code == 1
    assert "1 codings move" in refused.output
    result = runner(["codebook", "merge", "lpsa", "Churn", "Turnover"], input="y\n")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "merged Churn into Turnover: 1 codings moved"

    listing = runner(["codebook", "split", "lpsa", "Money", "Reward grant"])
    assert listing.exit_code == 1
    assert "choose which of the 2 codings" in listing.output
    assert "The reward grant kept members interested" in listing.output
    result = runner(["codebook", "split", "lpsa", "Money", "Reward grant", "--matching", "REWARD"])
    assert result.output == "split 1 codings off Money into Reward grant; 1 stay\n"

    with Session(engine) as s:
        by_code = dict(
            s.execute(
                select(Code.name, func.count(Coding.id)).join(Coding).group_by(Code.name)
            ).all()
        )
        assert by_code == {"Turnover": 2, "Money": 1, "Reward grant": 1}
        assert s.scalar(select(func.count()).select_from(Coding)) == 4


def test_codebook_cli_list_json_and_versions(runner, session):
    owner = make_user(session, "ruth")
    proj = make_project(session, "lpsa", owner=owner)
    top = codebook_service.create_code(session, proj, "Barriers", color="#9B1B1B", kind="barrier")
    child = codebook_service.create_code(session, proj, "Turnover", parent=top, kind="barrier")
    make_coding(session, make_document(session, proj), child, owner, quote="staff turnover")
    session.commit()

    data = json.loads(runner(["codebook", "list", "lpsa", "--json"]).output)
    assert data["project"] == "lpsa"
    assert data["version"].startswith("an unfrozen")
    assert data["codes"] == [
        {
            "id": top.id,
            "guid": top.guid,
            "path": "Barriers",
            "name": "Barriers",
            "parent_id": None,
            "depth": 0,
            "kind": "barrier",
            "color": "#9B1B1B",
            "active": True,
            "codable": True,
            "codings": 0,
            "codings_with_children": 1,
        },
        {
            "id": child.id,
            "guid": child.guid,
            "path": "Barriers/Turnover",
            "name": "Turnover",
            "parent_id": top.id,
            "depth": 1,
            "kind": "barrier",
            "color": "#888888",
            "active": True,
            "codable": True,
            "codings": 1,
            "codings_with_children": 1,
        },
    ]

    assert "no frozen codebook version" in runner(["codebook", "versions", "lpsa"]).output
    result = runner(
        ["codebook", "freeze", "lpsa", "v1.0", "--note", "after round 2", "--user", "ruth"]
    )
    assert result.output == "froze codebook version v1.0 of lpsa (2 codes)\n"
    assert runner(["codebook", "freeze", "lpsa", "v1.0"]).exit_code == 1
    runner(["codebook", "add", "lpsa", "Enablers"])
    versions = json.loads(runner(["codebook", "versions", "lpsa", "--json"]).output)
    assert versions["current"] == "v1.0 with changes made since it was frozen"
    assert [(v["name"], v["note"], v["created_by"], v["codes"]) for v in versions["versions"]] == [
        ("v1.0", "after round 2", "ruth", 2)
    ]


def test_codebook_cli_export_of_a_frozen_version(runner, session, tmp_path: Path):
    proj = make_project(session, "lpsa")
    codebook_service.create_code(session, proj, "Barriers", definition="As frozen.")
    session.commit()
    runner(["codebook", "freeze", "lpsa", "v1.0"])
    runner(["codebook", "edit", "lpsa", "Barriers", "--definition", "Changed since."])
    out = tmp_path / "v1.yaml"
    result = runner(["codebook", "export", "lpsa", str(out), "--version", "v1.0"])
    assert result.output == f"wrote {out}: 1 codes, codebook version v1.0\n"
    spec = read_codebook(out)
    assert spec.version == "v1.0"
    assert spec.codes[0].definition == "As frozen."
    missing = runner(["codebook", "export", "lpsa", str(out), "--version", "v9"])
    assert missing.exit_code == 1
    assert "no codebook version v9" in missing.output


def test_codebook_cli_unknown_project_and_code_are_one_line_errors(runner, session):
    make_project(session, "lpsa")
    session.commit()
    result = runner(["codebook", "list", "nope"])
    assert (result.exit_code, result.output) == (1, "Error: no project named nope\n")
    result = runner(["codebook", "rename", "lpsa", "Nothing/Here", "X"])
    assert (result.exit_code, result.output) == (1, "Error: no code Nothing/Here in lpsa\n")


@pytest.mark.slow
def test_codebook_cli_project_create_with_default_codebook(runner, engine):
    result = runner(["project", "create", "lpsa", "--codebook", "default"])
    assert result.output == "created project lpsa with 82 codes\n"
    with Session(engine) as s:
        assert s.scalars(select(Project.slug)).all() == ["lpsa"]
    assert code_count(engine) == 82

"""``.qdpx`` files written the way NVivo, MAXQDA, ATLAS.ti and QualCoder write them.

Each project is built here, in the test, with the quirks seen in real exports (see
``shared/notes/refi-qda.md``), and every imported quote must land on exactly the right text.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from qualcode.interop.refi_qda import read_qdpx
from qualcode.interop.snapshot import ProjectSnapshot

BOM = "\ufeff"


def make_qdpx(path: Path, qde_name: str, qde: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def positions(raw: str, quote: str, count) -> str:
    """``startPosition``/``endPosition`` of ``quote`` in ``raw``, counted by ``count``."""
    start = raw.index(quote)
    return f'startPosition="{count(raw[:start])}" endPosition="{count(raw[: start + len(quote)])}"'


def quotes(snapshot: ProjectSnapshot) -> list[tuple[str, list[str], str | None]]:
    """(quote, code names, coder name) for every coding, in file order."""
    names = {code.guid: code.name for _, code in snapshot.codebook.walk()}
    users = {user.guid: user.name for user in snapshot.users}
    texts = {source.guid: source.text for source in snapshot.sources}
    out = []
    for selection in snapshot.selections:
        text = texts[selection.source_guid][selection.start : selection.end]
        assert text == selection.text
        for coding in selection.codings:
            coder = users.get(coding.creating_user or "")
            out.append((text, [names[coding.code_guid]], coder))
    return out


# -- NVivo: UTF-16 units over the raw file (CRLF as two, BOM not counted) ----------------------

NVIVO_TEXT = (
    "Interviewer: Tell me about the LPSA 😀.\r\n"
    "Chief Exec: Honestly, staff turnover 😬 was the killer.\r\n"
    "Interviewer: And partners?\r\n"
    "Chief Exec: The PCT came on board – eventually 🎉🎉.\r\n"
    "Interviewer: Thank you.\r\n"  # every position stays inside the text in any unit
)
NV_SOURCE = "7F3C2A10-5B6D-4E8F-9A0B-1C2D3E4F5A6B"
NV_MEMO = "8A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9"


def nvivo_qde() -> str:
    def sel(guid: str, quote: str, sel_user: str, coder: str, code: str) -> str:
        return f"""
      <PlainTextSelection guid="{guid}" name="{guid[:8]}" {positions(NVIVO_TEXT, quote, utf16)}
          creatingUser="{sel_user}" creationDateTime="2024-05-01T10:00:00Z">
        <Coding guid="{guid[:-4]}C0DE" creatingUser="{coder}"
            creationDateTime="2024-05-01T10:00:00Z">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>"""

    ana, ben = "AAAAAAAA-1111-4111-8111-111111111111", "BBBBBBBB-2222-4222-8222-222222222222"
    turnover, partners = (
        "C0DE0000-0000-4000-8000-00000000000A",
        "C0DE0000-0000-4000-8000-00000000000B",
    )
    selections = "".join(
        [
            # the selection's creatingUser is not the coder: Coding@creatingUser wins
            sel(
                "5E100000-0000-4000-8000-000000000001",
                "staff turnover 😬 was the killer",
                ben,
                ana,
                turnover,
            ),
            sel(
                "5E100000-0000-4000-8000-000000000002",
                "staff turnover 😬 was the killer",
                ben,
                ben,
                turnover,
            ),
            sel(
                "5E100000-0000-4000-8000-000000000003",
                "The PCT came on board – eventually 🎉🎉",
                ana,
                ana,
                partners,
            ),
        ]
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="LPSA NVivo" origin="NVivo 12.6.0.959 (Windows)"
    basePath="C:\\Users\\ana\\Documents" creationDateTime="2024-05-01T09:00:00Z">
  <Users>
    <User guid="{ana}" name="Ana"/>
    <User guid="{ben}" name="Ben"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="C0DE0000-0000-4000-8000-000000000001" name="Barriers" isCodable="true"
        color="#FF0000">
      <Code guid="{turnover}" name="Staff turnover" isCodable="true"/>
    </Code>
    <Code guid="{partners}" name="Partnership" isCodable="true" color="#00F"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="7A000000-0000-4000-8000-000000000001" name="Authority type"
        typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="CA5E0000-0000-4000-8000-000000000001" name="Authority A">
      <VariableValue>
        <VariableRef targetGUID="7A000000-0000-4000-8000-000000000001"/>
        <TextValue>Unitary</TextValue>
      </VariableValue>
      <SourceRef targetGUID="{NV_SOURCE}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{NV_SOURCE}" name="Authority A CEO" plainTextPath="internal://{NV_SOURCE}.txt"
        richTextPath="internal://{NV_SOURCE}.docx">{selections}
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{NV_MEMO}" name="Turnover memo" plainTextPath="internal://{NV_MEMO}.txt"
        creatingUser="{ana}"/>
  </Notes>
  <Links>
    <Link guid="11111111-0000-4000-8000-000000000001" name="See also" direction="OneWay"
        originGUID="{NV_SOURCE}" targetGUID="{NV_MEMO}"/>
  </Links>
</Project>
"""


def test_refi_import_nvivo_utf16_positions_after_emoji_and_crlf(tmp_path: Path):
    files = {
        f"sources/{NV_SOURCE}.txt": (BOM + NVIVO_TEXT).encode("utf-8"),
        f"sources/{NV_SOURCE}.docx": b"PK not really a docx",
        f"sources/{NV_MEMO}.txt": (BOM + "Check HR records.\r\nAsk the CEO.").encode("utf-8"),
    }
    snapshot = read_qdpx(make_qdpx(tmp_path / "nvivo.qdpx", "project.qde", nvivo_qde(), files))
    assert quotes(snapshot) == [
        ("staff turnover 😬 was the killer", ["Staff turnover"], "Ana"),
        ("staff turnover 😬 was the killer", ["Staff turnover"], "Ben"),
        ("The PCT came on board – eventually 🎉🎉", ["Partnership"], "Ana"),
    ]
    source = snapshot.sources[0]
    assert source.guid == NV_SOURCE.lower()
    assert "\r" not in source.text
    assert not source.text.startswith(BOM)
    assert [code.codable for _, code in snapshot.codebook.walk()] == [True, True, True]
    assert snapshot.codebook.codes[1].color == "#0000FF"
    case = snapshot.cases[0]
    assert (case.source_guids, list(case.variables.values())) == ([source.guid], ["Unitary"])
    memo = snapshot.notes[0]
    assert (memo.text, memo.targets) == ("Check HR records.\nAsk the CEO.", [source.guid])
    assert "Authority A CEO: positions read as UTF-16 units" in snapshot.report.messages
    assert snapshot.report.skipped == []


# -- MAXQDA: code points, variables on sources, coding comments as Description -----------------

MAXQDA_TEXT = (
    "I: Was the reward grant worth it? 🤔\r\n"
    "R: Yes – the stretch on truancy paid for two posts.\r\n"
)
MQ_SOURCE = "0D0C0000-AAAA-4BBB-8CCC-DDDDDDDDDDDD"


def maxqda_qde() -> str:
    reward = "C0DE0000-0000-4000-8000-0000000000AA"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="LPSA MAXQDA" origin="MAXQDA 2022 (Release 22.3.0)">
  <Users><User guid="0E000000-0000-4000-8000-000000000001" name="Chris"/></Users>
  <CodeBook><Codes>
    <Code guid="C0DE0000-0000-4000-8000-0000000000A0" name="Outcomes" isCodable="true">
      <Code guid="{reward}" name="Reward grant" isCodable="true" color="#2ca02c">
        <Description>Spending of the reward grant.</Description>
        <NoteRef targetGUID="9E000000-0000-4000-8000-000000000002"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="7A000000-0000-4000-8000-0000000000A1" name="Interviewee role"
        typeOfVariable="Text"/>
    <Variable guid="7A000000-0000-4000-8000-0000000000A2" name="Tranche" typeOfVariable="Integer"/>
    <Variable guid="7A000000-0000-4000-8000-0000000000A3" name="Recorded" typeOfVariable="Boolean"/>
    <Variable guid="7A000000-0000-4000-8000-0000000000A4" name="Date" typeOfVariable="Date"/>
  </Variables>
  <Sources>
    <TextSource guid="{MQ_SOURCE}" name="Authority B head of education" plainTextPath="internal://{MQ_SOURCE}.txt">
      <PlainTextSelection guid="5E200000-0000-4000-8000-000000000001" name="Yes"
          {positions(MAXQDA_TEXT, "the stretch on truancy paid for two posts", len)}
          creatingUser="0E000000-0000-4000-8000-000000000001">
        <Description>Quote for chapter 6.</Description>
        <Coding guid="C0D1C000-0000-4000-8000-000000000001"
            creatingUser="0E000000-0000-4000-8000-000000000001">
          <CodeRef targetGUID="{reward}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E200000-0000-4000-8000-000000000002" name="Comment"
          {positions(MAXQDA_TEXT, "Was the reward grant worth it? 🤔", len)}>
        <Description>Leading question?</Description>
      </PlainTextSelection>
      <NoteRef targetGUID="9E000000-0000-4000-8000-000000000001"/>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-0000000000A1"/>
        <TextValue>Head of education</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-0000000000A2"/>
        <IntegerValue>2</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-0000000000A3"/>
        <BooleanValue>true</BooleanValue></VariableValue>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-0000000000A4"/>
        <DateValue>2005-06-14</DateValue></VariableValue>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="9E000000-0000-4000-8000-000000000001" name="Document memo">
      <PlainTextContent>Interview cut short.</PlainTextContent>
    </Note>
    <Note guid="9E000000-0000-4000-8000-000000000002" name="Code memo">
      <PlainTextContent>Merge with 'Spending'?</PlainTextContent>
    </Note>
  </Notes>
  <Sets>
    <Set guid="5E700000-0000-4000-8000-000000000001" name="Education">
      <MemberSource targetGUID="{MQ_SOURCE}"/>
    </Set>
  </Sets>
</Project>
"""


def test_refi_import_maxqda_code_points_source_variables_and_comments(tmp_path: Path):
    files = {f"Sources/{MQ_SOURCE}.txt": (BOM + MAXQDA_TEXT).encode("utf-8")}
    snapshot = read_qdpx(make_qdpx(tmp_path / "maxqda.qdpx", "project.qde", maxqda_qde(), files))
    coded, comment = snapshot.selections
    assert coded.text == "the stretch on truancy paid for two posts"
    assert coded.description == "Quote for chapter 6."
    assert [c.creating_user for c in coded.codings] == ["0e000000-0000-4000-8000-000000000001"]
    # a comment with no coding at all is kept as an anchored memo
    assert (comment.text, comment.codings, comment.description) == (
        "Was the reward grant worth it? 🤔",
        [],
        "Leading question?",
    )
    source = snapshot.sources[0]
    names = {var.guid: var.name for var in snapshot.variables}
    assert {names[k]: v for k, v in source.variables.items()} == {
        "Interviewee role": "Head of education",
        "Tranche": 2,
        "Recorded": True,
        "Date": date(2005, 6, 14),
    }
    memos = {note.name: note.targets for note in snapshot.notes}
    reward = snapshot.codebook.codes[0].children[0]
    assert memos == {"Document memo": [source.guid], "Code memo": [reward.guid]}
    assert reward.definition == "Spending of the reward grant."
    assert snapshot.sets[0].member_guids == [source.guid]
    assert snapshot.report.skipped == []


# -- ATLAS.ti: CRLF counted as one, names carry (truncated) quotes, qde named after project -----

ATLAS_TEXT = (
    "Interviewer: What changed?\r\n"
    "Manager: Joint commissioning with the PCT 🤝 meant we\r\nfinally pooled budgets, and "
    "the police came to every theme group meeting after the second year.\r\n"
    "Manager: Nothing else, really.\r\n"
)
AT_SOURCE = "{A7A50000-0000-4000-8000-000000000001}"


def crlf_one(text: str) -> int:
    return len(text.replace("\r\n", "\n"))


def atlas_qde() -> str:
    long_quote = (
        "Joint commissioning with the PCT 🤝 meant we\r\nfinally pooled budgets, and the police "
        "came to every theme group meeting after the second year."
    )
    truncated = "Joint commissioning with the PCT 🤝 meant we finally pooled bud…"
    code = "{C0DE0000-0000-4000-8000-0000000000C1}"
    return f"""\ufeff<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="LPSA Evaluation" origin="ATLAS.ti 23.2.1 (Windows)">
  <CodeBook><Codes>
    <Code guid="{{C0DE0000-0000-4000-8000-0000000000C0}}" name="Enablers" isCodable="false">
      <Code guid="{code}" name="Partnership working" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{AT_SOURCE}" plainTextPath="A7A50000-0000-4000-8000-000000000001.txt">
      <PlainTextSelection guid="{{5E300000-0000-4000-8000-000000000001}}" name="{truncated}"
          {positions(ATLAS_TEXT, long_quote, crlf_one)}>
        <Description>Key enabler.</Description>
        <Coding guid="{{C0D1C000-0000-4000-8000-0000000000C1}}">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{{5E300000-0000-4000-8000-000000000002}}"
          name="Nothing else, really."
          {positions(ATLAS_TEXT, "Nothing else, really.", crlf_one)}>
        <Coding guid="{{C0D1C000-0000-4000-8000-0000000000C2}}">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{{5E300000-0000-4000-8000-000000000003}}" name="Quotation 1:3"
          {positions(ATLAS_TEXT, "What changed?", crlf_one)}>
        <Coding guid="{{C0D1C000-0000-4000-8000-0000000000C3}}">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def test_refi_import_atlas_ti_crlf_as_one_and_name_verification(tmp_path: Path):
    files = {"sources/A7A50000-0000-4000-8000-000000000001.txt": ATLAS_TEXT.encode("utf-8")}
    path = make_qdpx(tmp_path / "atlas.qdpx", "LPSA Evaluation.qde", atlas_qde(), files)
    snapshot = read_qdpx(path)
    assert [text for text, _, _ in quotes(snapshot)] == [
        "Joint commissioning with the PCT 🤝 meant we\nfinally pooled budgets, and the police "
        "came to every theme group meeting after the second year.",
        "Nothing else, really.",
    ]
    assert snapshot.selections[0].description == "Key enabler."
    source = snapshot.sources[0]
    assert source.guid == "a7a50000-0000-4000-8000-000000000001"
    assert source.name == "A7A50000-0000-4000-8000-000000000001.txt"  # no name: the file's
    enablers = snapshot.codebook.codes[0]
    assert (enablers.codable, enablers.color, enablers.children[0].codable) == (False, None, True)
    # the renamed quotation's name is not its text: it cannot be verified, so it is skipped
    [skipped] = snapshot.report.skipped
    assert skipped.kind == "selection"
    assert "does not match its name 'Quotation 1:3'" in skipped.reason


# -- QualCoder: UTF-16 positions, names carry the full text, attributes on cases ---------------

QC_TEXT = "Officer: The targets 📈 were too ambitious.\nOfficer: But the money helped 💷 a lot.\n"
QC_OLD_TEXT = "Officer: Targets 📈 were agreed late.\n"


def qualcoder_qde() -> str:
    code = "c0de0000-0000-4000-8000-0000000000d1"

    def sel(n: int, text: str, quote: str, count, name: str | None = None) -> str:
        return f"""
      <PlainTextSelection guid="5e400000-0000-4000-8000-00000000000{n}" name="{name or quote}"
          {positions(text, quote, count)} creatingUser="0e000000-0000-4000-8000-0000000000d1">
        <Coding guid="c0d1c000-0000-4000-8000-00000000000{n}"
            creatingUser="0e000000-0000-4000-8000-0000000000d1">
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>"""

    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="lpsa" origin="QualCoder 3.5"
    creatingUserGUID="0e000000-0000-4000-8000-0000000000d1">
  <Users><User guid="0e000000-0000-4000-8000-0000000000d1" name="default"/></Users>
  <CodeBook><Codes>
    <Code guid="c0de0000-0000-4000-8000-0000000000d0" name="Targets" isCodable="false">
      <Code guid="{code}" name="Stretch" isCodable="true" color="#9467BD"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="7a000000-0000-4000-8000-0000000000d1" name="Region" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="ca5e0000-0000-4000-8000-0000000000d1" name="Authority C">
      <VariableValue><VariableRef targetGUID="7a000000-0000-4000-8000-0000000000d1"/>
        <TextValue>North West</TextValue></VariableValue>
      <SourceRef targetGUID="d0c00000-0000-4000-8000-0000000000d1"/>
      <SourceRef targetGUID="d0c00000-0000-4000-8000-0000000000d2"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="d0c00000-0000-4000-8000-0000000000d1" name="Officer C"
        plainTextPath="internal://d0c00000-0000-4000-8000-0000000000d1.txt">
      <Description>Transcribed by agency.</Description>{
        sel(1, QC_TEXT, "were too ambitious", utf16)
    }{sel(2, QC_TEXT, "the money helped 💷 a lot", utf16)}{sel(3, QC_TEXT, "a lot", len)}{
        sel(4, QC_TEXT, "The targets", utf16, name="Stretch targets")
    }
    </TextSource>
    <TextSource guid="d0c00000-0000-4000-8000-0000000000d2" name="Officer C (older export)"
        plainTextPath="internal://d0c00000-0000-4000-8000-0000000000d2.txt">{
        sel(5, QC_OLD_TEXT, "were agreed late", len)
    }
    </TextSource>
  </Sources>
</Project>
"""


def test_refi_import_qualcoder_utf16_with_fallback_to_code_points(tmp_path: Path):
    files = {
        "sources/d0c00000-0000-4000-8000-0000000000d1.txt": QC_TEXT.encode("utf-8"),
        "sources/d0c00000-0000-4000-8000-0000000000d2.txt": QC_OLD_TEXT.encode("utf-8"),
    }
    snapshot = read_qdpx(make_qdpx(tmp_path / "qc.qdpx", "project.qde", qualcoder_qde(), files))
    assert [text for text, _, _ in quotes(snapshot)] == [
        "were too ambitious",
        "the money helped 💷 a lot",
        "a lot",  # this one alone was counted in code points: its name says so
        "were agreed late",  # the whole older source counts code points
    ]
    messages = snapshot.report.messages
    assert "Officer C: positions read as UTF-16 units" in messages
    assert any(m.startswith("Officer C [") and m.endswith("read as code points") for m in messages)
    assert not any(m.startswith("Officer C (older export): positions") for m in messages)
    [skipped] = snapshot.report.skipped
    assert "does not match its name 'Stretch targets'" in skipped.reason
    case = snapshot.cases[0]
    assert case.source_guids == [s.guid for s in snapshot.sources]
    assert list(case.variables.values()) == ["North West"]
    assert snapshot.sources[0].description == "Transcribed by agency."
    assert [code.codable for _, code in snapshot.codebook.walk()] == [False, True]

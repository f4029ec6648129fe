"""Replace the names of people and places in exported text with neutral labels.

A project keeps a list of rules (``Project.settings["pseudonyms"]``), each
``{"find": "Avonbury", "replace": "[Authority A]"}``. Every rule is applied in one pass over
the text, so a replacement is never itself replaced; longer names win over their prefixes
("Avonbury County Council" before "Avonbury"). Matching ignores case and respects word
edges where the name begins or ends with a letter or digit, so "Ann" does not touch
"Annual", while "Avonbury's" and "avonbury-lpsa-coordinator" are both caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from qualcode.errors import InvalidInput
from qualcode.reports.pack import (
    Attribution,
    CodeEvidence,
    FrameworkLine,
    PackQuote,
    ReportData,
)


@dataclass(frozen=True)
class Rule:
    find: str
    replace: str


def parse_rules(raw: Iterable[Mapping[str, Any]] | None) -> list[Rule]:
    """Rules from their stored form; a rule without ``find`` or with a duplicate is refused."""
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, item in enumerate(raw or [], start=1):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"pseudonym {number}: expected find and replace")
        find = str(item.get("find", "")).strip()
        replace = str(item.get("replace", "")).strip()
        if not find:
            raise InvalidInput(f"pseudonym {number}: the name to find is empty")
        if find.lower() in seen:
            raise InvalidInput(f"pseudonym {number}: {find!r} is listed twice")
        seen.add(find.lower())
        rules.append(Rule(find, replace))
    return rules


def _pattern(find: str) -> str:
    body = re.escape(find)
    head = r"(?<!\w)" if find[0].isalnum() else ""
    tail = r"(?!\w)" if find[-1].isalnum() else ""
    return f"{head}{body}{tail}"


class Pseudonymiser:
    """Applies a list of rules; with no rules it returns text unchanged."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        ordered = sorted(rules, key=lambda r: (-len(r.find), r.find.lower()))
        self._replacements = {f"r{i}": r.replace for i, r in enumerate(ordered)}
        alternatives = (f"(?P<r{i}>{_pattern(r.find)})" for i, r in enumerate(ordered))
        self._regex = re.compile("|".join(alternatives), re.IGNORECASE) if ordered else None

    def __bool__(self) -> bool:
        return self._regex is not None

    def __call__(self, text: str) -> str:
        if self._regex is None or not text:
            return text
        return self._regex.sub(lambda m: self._replacements[str(m.lastgroup)], text)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)


NO_PSEUDONYMS = Pseudonymiser([])


def pseudonymise_report(data: ReportData, pseudonymise: Pseudonymiser) -> ReportData:
    """The pack with every quote, note, attribution, case label and framework summary
    passed through ``pseudonymise``; the cover says so."""
    p = pseudonymise

    def attribution(a: Attribution) -> Attribution:
        return replace(
            a,
            case=p.optional(a.case),
            role=p.optional(a.role),
            document=p(a.document),
            speaker=p.optional(a.speaker),
        )

    def quote(q: PackQuote) -> PackQuote:
        return replace(q, text=p(q.text), note=p(q.note), attribution=attribution(q.attribution))

    def code(c: CodeEvidence) -> CodeEvidence:
        base = replace(
            c.base,
            cases=tuple(p(n) for n in c.base.cases),
            cases_without=tuple(p(n) for n in c.base.cases_without),
        )
        return replace(
            c,
            base=base,
            pinned=[quote(q) for q in c.pinned],
            selection=[quote(q) for q in c.selection],
            framework=[FrameworkLine(p(f.case), p(f.summary), f.evidence) for f in c.framework],
            frequency=[(p(case), n) for case, n in c.frequency],
        )

    chapters = [
        replace(
            ch,
            sections=[
                replace(
                    s, codes=[code(c) for c in s.codes], other_pins=[quote(q) for q in s.other_pins]
                )
                for s in ch.sections
            ],
        )
        for ch in data.chapters
    ]
    return ReportData(replace(data.cover, pseudonymised=True), chapters)

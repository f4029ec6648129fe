"""Speed of the workbench on a long transcript: the page, and applying a coding, which must not
grow with the document's length (one small request touching one coding).

Run with ``-s`` to see the figures::

    pytest tests/webui/test_coding_speed.py -m slow -s
"""

from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass, field

import pytest
from factories import make_code, make_project, make_user, member
from helpers import login, post_json

from qualcode.models import Role
from qualcode.services import coding as coding_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.text.spans import Span
from qualcode.text.transcript import Transcript, TurnData

pytestmark = pytest.mark.slow
_cached_hash = functools.cache(user_service.hash_password)
VOCABULARY = (
    "the",
    "partnership",
    "target",
    "stretch",
    "grant",
    "reward",
    "pump",
    "priming",
    "officer",
    "council",
    "agreement",
    "indicator",
    "delivery",
    "baseline",
    "housing",
    "crime",
    "recycling",
    "schools",
    "🙂",
    "we",
    "they",
    "said",
    "think",
    "really",
    "money",
    "cabinet",
    "leader",
    "champion",
    "staff",
    "turnover",
    "data",
    "q̃uite",
    "naïve",
    "café",
)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


def transcript(words: int, rng: random.Random) -> Transcript:
    lines, turns, offset, written, index = [], [], 0, 0, 0
    while written < words:
        speaker = "Interviewer" if index % 2 == 0 else "Respondent"
        n = rng.randint(8, 20) if speaker == "Interviewer" else rng.randint(40, 90)
        body = " ".join(rng.choice(VOCABULARY) for _ in range(n))
        prefix = f"{speaker}: "
        turns.append(
            TurnData(
                offset + len(prefix),
                offset + len(prefix) + len(body),
                speaker,
                is_interviewer=speaker == "Interviewer",
            )
        )
        lines.append(prefix + body)
        offset += len(prefix) + len(body) + 1
        written += n
        index += 1
    return Transcript(text="\n".join(lines), turns=turns)


def random_span(text: str, turns: list[TurnData], rng: random.Random) -> Span:
    turn = rng.choice(turns)
    start = rng.randint(turn.start, max(turn.start, turn.end - 40))
    return Span(start, min(turn.end, start + rng.randint(15, 200)))


def utf16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@dataclass
class Setup:
    """A document of some length with codings, in a project of its own."""

    words: int
    page_url: str
    codings_url: str
    data: Transcript
    code_ids: list[int]
    rng: random.Random
    page: list[float] = field(default_factory=list)
    apply: list[float] = field(default_factory=list)
    page_kb: float = 0.0


def setup(session, coder, words: int, codings: int) -> Setup:
    rng = random.Random(words)
    project = make_project(session, f"speed-{words}", owner=make_user(session, f"o{words}"))
    project_service.add_member(session, project, coder, Role.CODER)
    other = member(session, project, Role.CODER, f"d{words}")
    codes = [make_code(session, project, f"Code {i}") for i in range(30)]
    data = transcript(words, rng)
    doc = document_service.add_document(session, project, data, title=f"Long {words}")
    for i in range(codings):
        coding_service.apply_code(
            session,
            document_id=doc.id,
            code_id=rng.choice(codes).id,
            span=random_span(data.text, data.turns, rng),
            coder_id=(coder if i % 2 else other).id,
        )
    return Setup(
        len(data.text.split()),
        f"/p/{project.slug}/documents/{doc.id}",
        f"/api/p/{project.slug}/documents/{doc.id}/codings",
        data,
        [c.id for c in codes],
        rng,
    )


def serve_page(client, bench: Setup) -> None:
    t0 = time.perf_counter()
    response = client.get(bench.page_url)
    bench.page.append(time.perf_counter() - t0)
    assert response.status_code == 200
    bench.page_kb = len(response.data) / 1024


def apply_one(client, token: str, bench: Setup) -> None:
    span = random_span(bench.data.text, bench.data.turns, bench.rng)
    body = {
        "code_id": bench.rng.choice(bench.code_ids),
        "start16": utf16(bench.data.text, span.start),
        "end16": utf16(bench.data.text, span.end),
    }
    t0 = time.perf_counter()
    response = post_json(client, bench.codings_url, token, body)
    bench.apply.append(time.perf_counter() - t0)
    assert response.status_code == 201


def ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def test_coding_speed_applying_does_not_grow_with_the_document(client, session):
    coder = make_user(session, "coder")
    short = setup(session, coder, 1_000, 25)
    long = setup(session, coder, 20_000, 500)
    session.commit()
    token = login(client, "coder")
    for bench in (short, long):
        client.get(bench.page_url)  # warm caches (templates, the UTF-16 index)
    # interleaved, so that both lengths meet the same load on a busy machine
    for round_ in range(150):
        if round_ % 10 == 0:
            serve_page(client, short)
            serve_page(client, long)
        apply_one(client, token, short)
        apply_one(client, token, long)
    for name, bench in (("1,000 words, 25 codings", short), ("20,000 words, 500 codings", long)):
        print(
            f"\n{name}: page {ms(bench.page, 0.5):.1f} ms ({bench.page_kb:.0f} kB); apply p50 "
            f"{ms(bench.apply, 0.5):.1f} ms, p95 {ms(bench.apply, 0.95):.1f} ms"
        )
    assert long.words >= 20_000
    # the cost of one coding is the same on a 20x longer document (allowing for noise)
    assert ms(long.apply, 0.5) < ms(short.apply, 0.5) * 1.5 + 2

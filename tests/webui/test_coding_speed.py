"""Speed of the workbench on a long transcript: the page, and applying a coding, which must not
grow with the document's length (one small request touching one coding).

Run with ``-s`` to see the figures::

    pytest tests/webui/test_coding_speed.py -m slow -s
"""

from __future__ import annotations

import functools
import random
import statistics
import time

import pytest
from factories import make_code, make_project, make_user, member
from helpers import login, post_json

from qualcode.models import Role
from qualcode.services import coding as coding_service
from qualcode.services import documents as document_service
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


def measure(client, session, words: int, codings: int, applies: int) -> dict[str, float]:
    rng = random.Random(words)
    owner = make_user(session, f"o{words}")
    project = make_project(session, f"speed-{words}", owner=owner)
    coder = member(session, project, Role.CODER, f"c{words}")
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
    session.commit()
    token = login(client, coder.username)
    page_url = f"/p/{project.slug}/documents/{doc.id}"
    client.get(page_url)  # warm caches (templates, the UTF-16 index)
    page_times = []
    for _ in range(15):
        t0 = time.perf_counter()
        response = client.get(page_url)
        page_times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    page_kb = len(response.data) / 1024
    url = f"/api/p/{project.slug}/documents/{doc.id}/codings"
    apply_times = []
    for _ in range(applies):
        span = random_span(data.text, data.turns, rng)
        body = {
            "code_id": rng.choice(codes).id,
            "start16": utf16(data.text, span.start),
            "end16": utf16(data.text, span.end),
        }
        t0 = time.perf_counter()
        response = post_json(client, url, token, body)
        apply_times.append(time.perf_counter() - t0)
        assert response.status_code == 201
    apply_times.sort()
    return {
        "words": len(data.text.split()),
        "page_kb": page_kb,
        "page_ms": statistics.median(page_times) * 1000,
        "apply_p50_ms": statistics.median(apply_times) * 1000,
        "apply_p95_ms": apply_times[int(len(apply_times) * 0.95) - 1] * 1000,
    }


def test_coding_speed_applying_does_not_grow_with_the_document(client, session):
    short = measure(client, session, 1_000, 25, 150)
    client.post("/logout")
    long = measure(client, session, 20_000, 500, 150)
    for name, row in (("1,000 words, 25 codings", short), ("20,000 words, 500 codings", long)):
        print(
            f"\n{name}: page {row['page_ms']:.1f} ms ({row['page_kb']:.0f} kB); apply p50 "
            f"{row['apply_p50_ms']:.1f} ms, p95 {row['apply_p95_ms']:.1f} ms"
        )
    assert long["words"] >= 20_000
    # the cost of one coding is the same on a 20x longer document (allowing for noise)
    assert long["apply_p50_ms"] < short["apply_p50_ms"] * 1.5 + 2

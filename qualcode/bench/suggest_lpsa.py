"""The suggestion learning curve on the sample LPSA study: interviews, not short comments.

The demo project is built in a scratch SQLite database (28 transcripts, the codebook, the first
fieldworker's codings). A fixed 30% of the documents (seeded) are the test set. For each
training size ``n`` and seed, the engine is fitted on the first fieldworker's codings of ``n``
of the other documents (the seed's choice), exactly as the web app would gather them (each
coded passage with the interviewer's question before it, and every unit of every document as
the project's unlabelled text, as training gathers it), and scored on the test documents' units
(respondents' sentences and turns, as ``make_units`` cuts them).

A test unit's codes are those the fieldworker applied to a passage covering at least half of
the shorter of the two; the measures are taken over the units that have any (as the NHS
benchmark takes them over coded answers), beside the NVivo-style centroid baseline fitted on the
same passages. Also reported: how often an uncoded unit is given a code at or above the
threshold (an upper bound on noise: the fieldworker did not code everything codable), and
the service end to end: a coder's suggestions for a 10,000-word transcript, from the database
to stored rows.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.nlp import CodeInfo, Example, TextUnit

SIZES = (2, 5, 10, 20)
SEEDS = (0, 1, 2)
SPLIT_SEED = 20240601
TEST_FRACTION = 0.3
CODER = "rokafor"
METRICS = (
    "micro_f1",
    "macro_f1",
    "precision_at_1",
    "recall_at_3",
    "ece",
    "noise",
    "fit_seconds",
    "predict_seconds",
)
Progress = Callable[[str], None]


@dataclass
class CodedDocument:
    id: int
    title: str
    examples: list[Example]  # the fieldworker's codings, with their questions
    units: list[TextUnit]
    gold: list[frozenset[int]]  # per unit: the code ids covering it


@dataclass
class Corpus:
    codes: list[CodeInfo]
    documents: list[CodedDocument]


def _covers(unit: TextUnit, start: int, end: int) -> bool:
    overlap = min(unit.end, end) - max(unit.start, start)
    return overlap > 0 and overlap * 2 >= min(unit.end - unit.start, end - start)


def load_corpus(session: Session, project_id: int, coder: str = CODER) -> Corpus:
    """The project's codes, and per document the coder's examples, units and unit labels."""
    from qualcode.models import Coding, Document, Project
    from qualcode.services import codebook as codebook_service
    from qualcode.services import suggestions as suggestion_service
    from qualcode.services import training_data
    from qualcode.services import users as user_service

    project = session.get(Project, project_id)
    assert project is not None
    user = user_service.require_user(session, coder)
    codes = [c for c in codebook_service.all_codes(session, project_id) if c.active and c.codable]
    infos = training_data.code_infos(codes, codebook_service.paths(codes))
    known = {c.id for c in codes}
    docs = session.scalars(
        select(Document)
        .where(Document.project_id == project_id, Document.is_current.is_(True))
        .order_by(Document.title)
    ).all()
    questions = training_data.Questions(session, [d.id for d in docs])
    out = []
    for doc in docs:
        codings = [
            c
            for c in session.scalars(
                select(Coding).where(Coding.document_id == doc.id, Coding.coder_id == user.id)
            )
            if c.code_id in known
        ]
        if not codings:
            continue
        examples = [
            Example(c.quote, c.code_id, True, doc.id, questions.before(doc.id, c.start))
            for c in codings
        ]
        units = suggestion_service.units_of(session, doc)
        gold = [frozenset(c.code_id for c in codings if _covers(u, c.start, c.end)) for u in units]
        out.append(CodedDocument(doc.id, doc.title, examples, units, gold))
    return Corpus(infos, out)


def split(documents: Sequence[CodedDocument]) -> tuple[list[int], list[int]]:
    """Indexes of the training pool and the fixed test documents (30%)."""
    order = list(range(len(documents)))
    random.Random(SPLIT_SEED).shuffle(order)
    cut = int(round(TEST_FRACTION * len(order)))
    return sorted(order[cut:]), sorted(order[:cut])


def _labels(gold: Sequence[frozenset[int]], column: dict[int, int]) -> npt.NDArray[np.bool_]:
    y = np.zeros((len(gold), len(column)), dtype=np.bool_)
    for r, codes in enumerate(gold):
        y[r, [column[c] for c in codes]] = True
    return y


def _measures(
    scores: npt.NDArray[np.float64],
    threshold: float | npt.NDArray[np.float64],
    y: npt.NDArray[np.bool_],
    uncoded: npt.NDArray[np.float64],
) -> dict[str, float]:
    """The NHS benchmark's measures over the coded units (macro-F1 over the codes the test
    set has), plus the noise on uncoded units."""
    from sklearn.metrics import f1_score

    from qualcode.bench.suggest import measures

    found = measures(scores, threshold, y)
    predicted = scores >= threshold
    predicted[np.arange(len(scores)), np.argmax(scores, axis=1)] = True
    present = y.any(axis=0)
    found["macro_f1"] = float(
        f1_score(y[:, present], predicted[:, present], average="macro", zero_division=0)
    )
    found["noise"] = float((uncoded >= threshold).any(axis=1).mean()) if len(uncoded) else 0.0
    return found


def _run(
    corpus: Corpus, pool: Sequence[int], test: Sequence[int], size: int, seed: int
) -> list[dict[str, Any]]:
    from qualcode.bench.suggest import CentroidBaseline
    from qualcode.nlp.engine import Engine

    chosen = random.Random(seed).sample(list(pool), min(size, len(pool)))
    examples = [e for i in chosen for e in corpus.documents[i].examples]
    column = {c.id: j for j, c in enumerate(corpus.codes)}
    units = [u for i in test for u in corpus.documents[i].units]
    unlabelled = [u for d in corpus.documents for u in d.units]
    gold = [g for i in test for g in corpus.documents[i].gold]
    coded = np.array([bool(g) for g in gold])
    y = _labels([g for g in gold if g], column)
    common = {"size": size, "seed": seed, "examples": len(examples)}
    started = time.perf_counter()
    engine = Engine().fit(corpus.codes, examples, [], unlabelled)
    fitted = time.perf_counter()
    scores = engine.probabilities(units)
    done = time.perf_counter()
    ours = {
        **common,
        "method": "qualcode",
        "threshold": engine.threshold,
        **_measures(scores[coded], engine.thresholds, y, scores[~coded]),
        "fit_seconds": fitted - started,
        "predict_seconds": done - fitted,
    }
    passages: dict[str, set[int]] = {}
    for e in examples:
        passages.setdefault(e.text, set()).add(e.code_id)
    texts = list(passages)
    y_train = _labels([frozenset(passages[t]) for t in texts], column)
    started = time.perf_counter()
    baseline = CentroidBaseline(texts, y_train)
    threshold = CentroidBaseline.threshold(texts, y_train) if len(texts) >= 3 else 0.5
    fitted = time.perf_counter()
    base = baseline.scores([u.text for u in units])
    done = time.perf_counter()
    theirs = {
        **common,
        "method": "nvivo-centroid",
        "threshold": threshold,
        **_measures(base[coded], threshold, y, base[~coded]),
        "fit_seconds": fitted - started,
        "predict_seconds": done - fitted,
    }
    return [ours, theirs]


def _summary(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for size in dict.fromkeys(r["size"] for r in runs):
        for method in dict.fromkeys(r["method"] for r in runs):
            group = [r for r in runs if r["size"] == size and r["method"] == method]
            row: dict[str, Any] = {
                "size": size,
                "method": method,
                "examples": float(np.mean([r["examples"] for r in group])),
            }
            for metric in METRICS:
                values = [r[metric] for r in group]
                row[metric] = float(np.mean(values))
                row[f"{metric}_sd"] = float(np.std(values))
            out.append(row)
    return out


def service_speed(
    factory: sessionmaker[Session], project_id: int, words: int = 10_000
) -> dict[str, float]:
    """A coder's suggestions for a ``words``-word transcript through the service: units,
    scoring, the coder's codings looked up and the rows stored (the model already loaded)."""
    from qualcode.models import Document, Project, Turn
    from qualcode.services import documents as document_service
    from qualcode.services import suggestion_models
    from qualcode.services import suggestions as suggestion_service
    from qualcode.services import users as user_service
    from qualcode.text.transcript import Transcript, TurnData

    with factory.begin() as session:
        project = session.get(Project, project_id)
        assert project is not None
        lines: list[str] = []
        turns: list[TurnData] = []
        position = count = 0
        for doc in session.scalars(
            select(Document).where(Document.project_id == project_id).order_by(Document.title)
        ):
            for turn in session.scalars(
                select(Turn).where(Turn.document_id == doc.id).order_by(Turn.index)
            ):
                said = " ".join(doc.text[turn.start : turn.end].split())
                if not said:
                    continue
                label = f"{turn.speaker or 'Speaker'}: "
                turns.append(
                    TurnData(
                        position + len(label),
                        position + len(label) + len(said),
                        turn.speaker,
                        None,
                        turn.is_interviewer,
                    )
                )
                lines.append(label + said)
                position += len(label) + len(said) + 1
                count += len(said.split())
            if count >= words:
                break
        document = document_service.add_document(
            session, project, Transcript("\n".join(lines), turns), title="Speed test"
        )
        model = suggestion_models.current(session, project)
        user = user_service.require_user(session, CODER)
        warm = suggestion_service.units_of(session, document)[:5]
        suggestion_service.compute(session, project, document, user, model, units=warm)
        started, cpu = time.perf_counter(), time.process_time()
        units = suggestion_service.units_of(session, document)
        rows = suggestion_service.suggest_for_document(
            session, project, document, user, model, units=units
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        for unit in units[:100]:
            with model.lock:
                model.engine.suggest([unit])
        per_unit = (time.perf_counter() - started) / min(100, len(units))
    return {
        "words": float(document.word_count),
        "units": float(len(units)),
        "suggestions": float(len(rows)),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "unit_milliseconds": per_unit * 1000,
    }


def run_lpsa_bench(
    sizes: Sequence[int] = SIZES,
    seeds: Sequence[int] = SEEDS,
    *,
    with_speed: bool = True,
    interviews: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The LPSA learning curve (ours beside the baseline), as plain data."""
    from qualcode.db.engine import make_engine, make_sessionmaker
    from qualcode.db.migrate import upgrade
    from qualcode.services.demo import ACCOUNTS, build_demo

    say = progress or (lambda _message: None)
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as folder:
        previous = os.environ.get("QUALCODE_DATA_DIR")
        os.environ["QUALCODE_DATA_DIR"] = folder  # the speed test's model stays in scratch
        engine = make_engine(f"sqlite:///{Path(folder) / 'lpsa.db'}")
        try:
            upgrade(engine)
            factory = make_sessionmaker(engine)
            say("building the sample LPSA project")
            built = build_demo(
                factory,
                interviews=interviews,
                passwords={name: "bench-only-password" for name, *_ in ACCOUNTS},
            )
            with factory() as session:
                corpus = load_corpus(session, built.project_id)
            pool, test = split(corpus.documents)
            runs: list[dict[str, Any]] = []
            for size in sizes:
                for seed in seeds:
                    runs.extend(_run(corpus, pool, test, size, seed))
                    say(f"{size} documents, seed {seed}: micro-F1 {runs[-2]['micro_f1']:.3f}")
            speed = service_speed(factory, built.project_id) if with_speed else None
        finally:
            engine.dispose()
            if previous is None:
                os.environ.pop("QUALCODE_DATA_DIR", None)
            else:
                os.environ["QUALCODE_DATA_DIR"] = previous
    test_units = sum(len(corpus.documents[i].units) for i in test)
    coded_units = sum(1 for i in test for g in corpus.documents[i].gold if g)
    result: dict[str, Any] = {
        "data": {
            "documents": len(corpus.documents),
            "pool": len(pool),
            "test": len(test),
            "codes": len(corpus.codes),
            "coder": CODER,
            "test_units": test_units,
            "coded_test_units": coded_units,
        },
        "sizes": list(sizes),
        "seeds": list(seeds),
        "runs": runs,
        "summary": _summary(runs),
    }
    if speed is not None:
        result["speed"] = speed
    return result


def format_table(result: dict[str, Any]) -> str:
    data = result["data"]
    lines = [
        f"LPSA sample study: {data['codes']} codes; {data['coder']}'s codings; train on n of "
        f"{data['pool']} documents, test on {data['test']} ({data['coded_test_units']} "
        f"coded of {data['test_units']} units); seeds "
        f"{', '.join(map(str, result['seeds']))}",
        f"{'docs':>5} {'ex.':>5}  {'method':<15}{'micro-F1':>13}{'macro-F1':>13}"
        f"{'P@1':>13}{'R@3':>13}{'ECE':>13}{'noise':>13}{'fit s':>8}{'pred s':>8}",
    ]
    for row in result["summary"]:
        cells = "".join(f"{row[m]:>8.3f}±{row[m + '_sd']:.2f}" for m in METRICS[:6])
        lines.append(
            f"{row['size']:>5} {row['examples']:>5.0f}  {row['method']:<15}{cells}"
            f"{row['fit_seconds']:>8.2f}{row['predict_seconds']:>8.2f}"
        )
    if "speed" in result:
        s = result["speed"]
        lines.append(
            f"service: {s['words']:.0f}-word transcript ({s['units']:.0f} units, "
            f"{s['suggestions']:.0f} suggestions stored) in {s['seconds']:.2f} s "
            f"({s['cpu_seconds']:.2f} s of CPU); "
            f"{s['unit_milliseconds']:.1f} ms per unit"
        )
    return "\n".join(lines)

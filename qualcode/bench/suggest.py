"""``qualcode bench suggest``: how good and how fast the code suggestions are, measured.

Data: the NHS Friends and Family Test answers coded against the v6 framework
(``shared/data/nhs-fft-v6framework.csv``; see its README). An answer is a unit; the question it
answers ("What was good?", "How could we improve?") is its context, as an interviewer's
question is in an interview. Answers that were not given ("Did not answer", labelled
*Labelling not possible*) are left out, and so are codes with fewer than 100 examples; answers
left with none of the remaining codes are dropped.

Protocol: a fixed 30% of the answers are the test set. For each training size ``n`` and seed,
a coder is simulated working through the other answers in a random order (the seed's), coding
each fully, until every code has at least ``n`` examples: frequent codes then have more, as in
real projects. The engine is fitted on those examples (its decision thresholds, shared and per
code, are chosen by cross-validation inside them), with every answer's text as the project's
unlabelled text (never a test answer's codes), and scored on the whole test set,
beside an NVivo-style baseline: a TF-IDF centroid per code, ranked by cosine similarity, its
threshold chosen the same way.

Measures, averaged over seeds: micro- and macro-F1 of the predicted label sets (each answer's
top code plus any scoring at least that code's threshold), precision@1, recall@3 (the share of
an answer's codes among its top three, averaged over answers), the expected calibration error
of the top three offered (10 bins), and fit and predict times; and, at the largest training
size, each code's precision, recall and F1 with its test support. Then speed: suggestions for a
10,000-word transcript, a refit on 5,000 coded units, and the time to score one unit.
"""

from __future__ import annotations

import csv
import dataclasses
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from qualcode.errors import InvalidInput
from qualcode.nlp import CodeInfo, Example, TextUnit
from qualcode.text.transcript import TurnData

SPLIT_SEED = 20240601
TEST_FRACTION = 0.3
MIN_EXAMPLES = 100
NOT_ANSWERED = "Labelling not possible"
BARRED = ("micro_f1", "macro_f1", "recall_at_3")
BARS = {5: (0.58, 0.40, 0.80), 20: (0.63, 0.50, 0.85), 50: (0.68, 0.56, 0.88)}
Progress = Callable[[str], None]


def default_csv() -> Path:
    """``../shared/data/`` beside the project root (the data are not copied into the repo)."""
    return (
        Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nhs-fft-v6framework.csv"
    )


@dataclass(frozen=True)
class Answer:
    text: str
    question: str
    codes: frozenset[int]  # indexes into the code list


def load_answers(
    csv_path: Path, min_examples: int = MIN_EXAMPLES
) -> tuple[list[str], list[Answer]]:
    """The codes with enough examples, and the answers carrying at least one of them."""
    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except OSError as exc:
        raise InvalidInput(f"{csv_path}: cannot read the benchmark data ({exc.strerror})") from exc
    if "Comment sentiment" not in header or "FFT answer" not in header:
        raise InvalidInput(
            f"{csv_path}: not the NHS FFT framework file (no 'FFT answer' and "
            "'Comment sentiment' columns)"
        )
    columns = header[header.index("Comment sentiment") + 1 :]
    raw: list[tuple[str, str, set[str]]] = []
    for row in rows:
        labels = {c for c in columns if (row.get(c) or "").strip() not in ("", "0", "0.0")}
        text = (row.get("FFT answer") or "").strip()
        if text and NOT_ANSWERED not in labels:
            raw.append((text, " ".join((row.get("FFT question") or "").split()), labels))
    counts = Counter(c for _, _, labels in raw for c in labels)
    codes = [c for c in columns if c != NOT_ANSWERED and counts[c] >= min_examples]
    index = {c: j for j, c in enumerate(codes)}
    answers = [
        Answer(text, question, frozenset(index[c] for c in labels if c in index))
        for text, question, labels in raw
    ]
    return codes, [a for a in answers if a.codes]


def split(n: int) -> tuple[list[int], list[int]]:
    """The fixed train/test split (test: 30%)."""
    order = list(range(n))
    random.Random(SPLIT_SEED).shuffle(order)
    cut = int(round(TEST_FRACTION * n))
    return sorted(order[cut:]), sorted(order[:cut])


def coded_until(
    answers: Sequence[Answer], pool: Sequence[int], n_codes: int, per_code: int, seed: int
) -> list[int]:
    """Answers a coder codes, in the seed's random order, until each code has ``per_code``."""
    order = list(pool)
    random.Random(seed).shuffle(order)
    counts = [0] * n_codes
    chosen: list[int] = []
    for i in order:
        if min(counts) >= per_code:
            break
        chosen.append(i)
        for j in answers[i].codes:
            counts[j] += 1
    return chosen


def examples_of(answers: Sequence[Answer], rows: Sequence[int]) -> list[Example]:
    return [
        Example(answers[i].text, j + 1, True, document_id=i, context=answers[i].question)
        for i in rows
        for j in sorted(answers[i].codes)
    ]


def units_of(answers: Sequence[Answer], rows: Sequence[int]) -> list[TextUnit]:
    return [
        TextUnit(i, 0, len(answers[i].text), answers[i].text, "turn", context=answers[i].question)
        for i in rows
    ]


def unlabelled_units(answers: Sequence[Answer]) -> list[TextUnit]:
    """Every answer as a unit without its codes, analysed once (what a project's transcripts
    give its engine as unlabelled text; the test answers' codes are never seen)."""
    from qualcode.nlp.pipeline import build_nlp

    units = units_of(answers, range(len(answers)))
    docs = build_nlp().pipe((u.text for u in units), batch_size=256)
    return [dataclasses.replace(u, doc=doc) for u, doc in zip(units, docs, strict=True)]


def label_matrix(
    answers: Sequence[Answer], rows: Sequence[int], n_codes: int
) -> npt.NDArray[np.bool_]:
    y = np.zeros((len(rows), n_codes), dtype=np.bool_)
    for r, i in enumerate(rows):
        y[r, sorted(answers[i].codes)] = True
    return y


def measures(
    scores: npt.NDArray[np.float64],
    threshold: float | npt.NDArray[np.float64],
    y: npt.NDArray[np.bool_],
) -> dict[str, float]:
    """Micro/macro-F1 of the label sets, precision@1, recall@3 and the ECE of the top 3."""
    from sklearn.metrics import f1_score

    from qualcode.nlp.calibration import expected_calibration_error

    rows = np.arange(len(scores))
    best = np.argmax(scores, axis=1)
    predicted = scores >= threshold
    predicted[rows, best] = True
    top3 = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    hits3 = np.take_along_axis(y, top3, axis=1)
    return {
        "micro_f1": float(f1_score(y, predicted, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y, predicted, average="macro", zero_division=0)),
        "precision_at_1": float(y[rows, best].mean()),
        "recall_at_3": float((hits3.sum(axis=1) / y.sum(axis=1)).mean()),
        "ece": expected_calibration_error(np.take_along_axis(scores, top3, axis=1), hits3),
    }


def code_measures(
    scores: npt.NDArray[np.float64],
    threshold: float | npt.NDArray[np.float64],
    y: npt.NDArray[np.bool_],
) -> dict[str, list[float]]:
    """Per code (columns of ``y``): precision, recall and F1 of the predicted label sets."""
    from sklearn.metrics import precision_recall_fscore_support

    predicted = scores >= threshold
    predicted[np.arange(len(scores)), np.argmax(scores, axis=1)] = True
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, predicted, average=None, zero_division=0
    )
    return {"precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist()}


class CentroidBaseline:
    """NVivo-style: a TF-IDF centroid per code, ranked by cosine similarity."""

    def __init__(self, texts: Sequence[str], y: npt.NDArray[np.bool_]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        self.vectorizer = TfidfVectorizer(sublinear_tf=True).fit(texts)
        x = self.vectorizer.transform(texts)
        self.centroids = normalize(np.asarray((x.T @ y.astype(np.float64)).T))

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return np.asarray(self.vectorizer.transform(texts) @ self.centroids.T, dtype=np.float64)

    @staticmethod
    def threshold(texts: Sequence[str], y: npt.NDArray[np.bool_]) -> float:
        """Chosen like the engine's: on 3-fold out-of-fold scores of the training answers."""
        from sklearn.model_selection import KFold

        from qualcode.nlp.calibration import choose_threshold

        scores = np.zeros(y.shape)
        for train, held in KFold(3, shuffle=True, random_state=0).split(texts):
            model = CentroidBaseline([texts[i] for i in train], y[train])
            scores[held] = model.scores([texts[i] for i in held])
        return choose_threshold(scores, y.astype(np.int8), np.ones(y.shape, dtype=np.bool_))


def _run(
    answers: Sequence[Answer],
    codes: Sequence[str],
    train: Sequence[int],
    test: Sequence[int],
    size: int,
    seed: int,
    unlabelled: Sequence[TextUnit] = (),
) -> list[dict[str, Any]]:
    """One training size and seed: ours (also given every answer's text, without codes) and
    the baseline, fitted on the same coded answers."""
    from qualcode.nlp.engine import Engine

    rows = coded_until(answers, train, len(codes), size, seed)
    infos = [CodeInfo(j + 1, name, name) for j, name in enumerate(codes)]
    texts, y_train = [answers[i].text for i in rows], label_matrix(answers, rows, len(codes))
    y_test = label_matrix(answers, test, len(codes))

    def record(
        method: str,
        threshold: float,
        scores: npt.NDArray[np.float64],
        fit: float,
        predict: float,
        per_code: npt.NDArray[np.float64] | None = None,
    ) -> dict[str, Any]:
        timing = {"fit_seconds": fit, "predict_seconds": predict}
        run = {"size": size, "seed": seed, "units": len(rows), "method": method}
        cut = threshold if per_code is None else per_code
        return {**run, "threshold": threshold, **measures(scores, cut, y_test), **timing}

    engine, fit, _ = _timed(lambda: Engine().fit(infos, examples_of(answers, rows), [], unlabelled))
    scores, predict, _ = _timed(lambda: engine.probabilities(units_of(answers, test)))
    ours = record("qualcode", engine.threshold, scores, fit, predict, engine.thresholds)
    ours["per_code"] = code_measures(scores, engine.thresholds, y_test)
    (baseline, threshold), fit, _ = _timed(
        lambda: (CentroidBaseline(texts, y_train), CentroidBaseline.threshold(texts, y_train))
    )
    scores, predict, _ = _timed(lambda: baseline.scores([answers[i].text for i in test]))
    return [ours, record("nvivo-centroid", threshold, scores, fit, predict)]


METRICS = ("micro_f1", "macro_f1", "precision_at_1", "recall_at_3", "ece")
TIMES = ("fit_seconds", "predict_seconds")


def _summary(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for size in dict.fromkeys(r["size"] for r in runs):
        for method in dict.fromkeys(r["method"] for r in runs):
            group = [r for r in runs if r["size"] == size and r["method"] == method]
            row: dict[str, Any] = {
                "size": size,
                "method": method,
                "units": float(np.mean([r["units"] for r in group])),
            }
            for metric in (*METRICS, *TIMES):
                values = [r[metric] for r in group]
                row[metric] = float(np.mean(values))
                row[f"{metric}_sd"] = float(np.std(values))
            out.append(row)
    return out


def _per_code(
    runs: Sequence[dict[str, Any]], codes: Sequence[str], support: npt.NDArray[np.int64]
) -> dict[str, Any]:
    """Ours per code at the largest training size, means over seeds, with the test support."""
    size = max(r["size"] for r in runs)
    group = [r["per_code"] for r in runs if r["size"] == size and "per_code" in r]
    rows = [
        {
            "code": name,
            "support": int(support[j]),
            **{m: float(np.mean([g[m][j] for g in group])) for m in ("precision", "recall", "f1")},
        }
        for j, name in enumerate(codes)
    ]
    return {"size": size, "method": "qualcode", "codes": rows}


def _bars(summary: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ours against the bars set for the issue: [reached, bar] per measure."""
    out = []
    for row in summary:
        if row["method"] == "qualcode" and row["size"] in BARS:
            pairs = {m: [row[m], bar] for m, bar in zip(BARRED, BARS[row["size"]], strict=True)}
            met = all(value >= bar for value, bar in pairs.values())
            out.append({"size": row["size"], **pairs, "met": met})
    return out


def transcript(
    answers: Sequence[Answer], rows: Sequence[int], words: int = 10_000
) -> tuple[str, list[TurnData]]:
    """An interview of at least ``words`` words: each answer after its question."""
    lines: list[str] = []
    turns: list[TurnData] = []
    position = count = 0
    for i in rows:
        for speaker, said in (
            ("Interviewer", answers[i].question),
            ("Respondent", answers[i].text),
        ):
            said = " ".join(said.split())
            label = f"{speaker}: "
            start = position + len(label)
            turns.append(
                TurnData(start, start + len(said), speaker, None, speaker == "Interviewer")
            )
            lines.append(label + said)
            position += len(label) + len(said) + 1
            count += len(said.split())
        if count >= words:
            break
    return "\n".join(lines), turns


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``'s result, with the wall-clock and CPU seconds it took (on a shared machine
    the two differ: CPU time is what the code costs, wall time what a user waits)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def speed(answers: Sequence[Answer], codes: Sequence[str], test: Sequence[int]) -> dict[str, float]:
    """Seconds to refit on 5,000 coded units (and every answer as unlabelled text, analysed
    in the refit) and to suggest on a 10,000-word transcript, and milliseconds to score one
    unit (wall clock and CPU)."""
    from qualcode.nlp.engine import Engine
    from qualcode.nlp.units import make_units

    infos = [CodeInfo(j + 1, name, name) for j, name in enumerate(codes)]
    rows = random.Random(0).sample(range(len(answers)), min(5000, len(answers)))
    examples = examples_of(answers, rows)
    unlabelled = units_of(answers, range(len(answers)))
    engine, refit, refit_cpu = _timed(lambda: Engine().fit(infos, examples, [], unlabelled))
    text, turns = transcript(answers, test)
    engine.suggest(make_units(text, turns[:4]))  # warm up the pipeline
    (units, suggestions), document, document_cpu = _timed(
        lambda: (units := make_units(text, turns), engine.suggest(units))
    )
    singles = units_of(answers, test[:100])
    _, each, each_cpu = _timed(lambda: [engine.suggest([unit]) for unit in singles])
    return {
        "refit_units": float(len(rows)),
        "refit_unlabelled": float(len(unlabelled)),
        "refit_seconds": refit,
        "refit_cpu_seconds": refit_cpu,
        "transcript_words": float(len(text.split())),
        "transcript_units": float(len(units)),
        "transcript_suggestions": float(len(suggestions)),
        "transcript_seconds": document,
        "transcript_cpu_seconds": document_cpu,
        "unit_milliseconds": each / len(singles) * 1000,
        "unit_cpu_milliseconds": each_cpu / len(singles) * 1000,
    }


def run_suggest_bench(
    csv_path: Path | str | None = None,
    sizes: Sequence[int] = (5, 10, 20, 50),
    seeds: Sequence[int] = (0, 1, 2),
    *,
    with_speed: bool = True,
    min_examples: int = MIN_EXAMPLES,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The learning curve (ours beside the baseline) and the speed measures, as plain data."""
    path = Path(csv_path) if csv_path is not None else default_csv()
    codes, answers = load_answers(path, min_examples)
    train, test = split(len(answers))
    unlabelled = unlabelled_units(answers)
    runs: list[dict[str, Any]] = []
    for size in sizes:
        for seed in seeds:
            runs.extend(_run(answers, codes, train, test, size, seed, unlabelled))
            if progress:
                ours = runs[-2]
                progress(
                    f"{size} per code, seed {seed}: {ours['units']} units, "
                    f"micro-F1 {ours['micro_f1']:.3f}"
                )
    summary = _summary(runs)
    result: dict[str, Any] = {
        "data": {
            "path": str(path),
            "answers": len(answers),
            "codes": list(codes),
            "train": len(train),
            "test": len(test),
            "min_examples": min_examples,
        },
        "sizes": list(sizes),
        "seeds": list(seeds),
        "runs": runs,
        "summary": summary,
        "bars": _bars(summary),
        "per_code": _per_code(
            runs, codes, label_matrix(answers, test, len(codes)).sum(axis=0).astype(np.int64)
        ),
    }
    if with_speed:
        result["speed"] = speed(answers, codes, test)
    return result


def format_table(result: dict[str, Any]) -> str:
    """The result as a plain-text table (means over seeds, ± standard deviation)."""
    data = result["data"]
    lines = [
        f"NHS FFT v6 framework: {len(data['codes'])} codes with >= {data['min_examples']} "
        f"examples, {data['answers']} answers, test {data['test']} (fixed 30%), "
        f"seeds {', '.join(map(str, result['seeds']))}",
        f"{'n/code':>6} {'units':>6}  {'method':<15}{'micro-F1':>13}{'macro-F1':>13}"
        f"{'P@1':>13}{'R@3':>13}{'ECE':>13}{'fit s':>8}{'pred s':>8}",
    ]
    for row in result["summary"]:
        cells = "".join(f"{row[m]:>8.3f}±{row[m + '_sd']:.2f}" for m in METRICS)
        lines.append(
            f"{row['size']:>6} {row['units']:>6.0f}  {row['method']:<15}{cells}"
            f"{row['fit_seconds']:>8.2f}{row['predict_seconds']:>8.2f}"
        )
    per_code = result["per_code"]
    lines.append(
        f"per code, ours at {per_code['size']}/code (means over seeds):\n"
        f"  {'code':<50}{'test n':>7}{'precision':>10}{'recall':>8}{'F1':>7}"
    )
    for row in per_code["codes"]:
        lines.append(
            f"  {row['code'][:49]:<50}{row['support']:>7}{row['precision']:>10.3f}"
            f"{row['recall']:>8.3f}{row['f1']:>7.3f}"
        )
    for bar in result["bars"]:
        verdict = "met" if bar["met"] else "NOT met"
        parts = ", ".join(f"{m} {bar[m][0]:.3f} (bar {bar[m][1]:.2f})" for m in BARRED)
        lines.append(f"bar at {bar['size']}/code: {verdict}: {parts}")
    if "speed" in result:
        s = result["speed"]
        lines.append(
            f"speed (wall / CPU): {s['transcript_words']:.0f}-word transcript "
            f"({s['transcript_units']:.0f} units) suggested in {s['transcript_seconds']:.2f} / "
            f"{s['transcript_cpu_seconds']:.2f} s; refit on {s['refit_units']:.0f} coded units "
            f"(+{s['refit_unlabelled']:.0f} unlabelled) "
            f"{s['refit_seconds']:.1f} / {s['refit_cpu_seconds']:.1f} s; "
            f"{s['unit_milliseconds']:.1f} / {s['unit_cpu_milliseconds']:.1f} ms per unit"
        )
    return "\n".join(lines)

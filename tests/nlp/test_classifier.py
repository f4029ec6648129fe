"""The learned classifier: per-code balanced models, rejections teach their own code only."""

from __future__ import annotations

import numpy as np
from nlp_samples import DATA, GRANT, PARTNERS, TURNOVER, unit

from qualcode.nlp import Decision
from qualcode.nlp.classifier import ClassifierSuggester, LinearModels, informative
from qualcode.nlp.dataset import build_training_set
from qualcode.nlp.features import Featurizer, Passages
from qualcode.nlp.pipeline import lemmatise


def fitted(nlp, codes, examples):
    data = build_training_set([c.id for c in codes], examples)
    features = Featurizer()
    x = features.fit_transform(Passages(lemmatise(nlp, data.texts), data.contexts))
    return data, features, LinearModels().fit(x, data.y, data.known)


def test_each_code_ranks_its_own_passages_first(nlp, codes, examples):
    data, features, models = fitted(nlp, codes, examples)
    assert models.fitted.all()
    x = features.transform(Passages(lemmatise(nlp, data.texts), data.contexts))
    best = np.argmax(models.decision(x), axis=1)
    assert (data.y[np.arange(len(best)), best] == 1).all()


def test_a_code_without_positives_gets_no_model(nlp, codes, examples):
    kept = [e for e in examples if e.code_id != DATA]
    data, features, models = fitted(nlp, codes, kept)
    assert models.fitted.tolist() == [True, True, True, False]
    x = features.transform(Passages(lemmatise(nlp, ["Anything at all"]), [""]))
    assert models.decision(x)[0, 3] == 0.0


def test_top_words_name_the_passage_words_that_weighed_most(nlp, codes, examples):
    _, features, models = fitted(nlp, codes, examples)
    names = features.word_names()
    x = features.transform(
        Passages(lemmatise(nlp, ["The police and the PCT joined us"]), ["who were your partners ?"])
    )
    [(words, asked)] = models.top_words(x, [0], [2], names, informative(names, nlp))
    assert words
    assert set(words) <= {"police", "pct", "the police", "the pct", "join", "us"}
    assert "the" not in words
    assert asked is False  # no question in the training data carried this code


def test_top_words_of_many_pairs_at_once_are_those_of_each_pair(nlp, codes, examples):
    _, features, models = fitted(nlp, codes, examples)
    names = features.word_names()
    shown = informative(names, nlp)
    texts = ["The police and the PCT joined us", "Staff kept leaving the team", "Nothing"]
    x = features.transform(Passages(lemmatise(nlp, texts), [""] * 3))
    pairs = [(0, 2), (1, 0), (0, 0), (2, 1), (1, 3)]
    together = models.top_words(x, [i for i, _ in pairs], [j for _, j in pairs], names, shown)
    alone = [models.top_words(x, [i], [j], names, shown)[0] for i, j in pairs]
    assert together == alone
    assert together[0][0]
    assert together[1][0]
    assert len(together[0][0]) <= 5
    assert models.top_words(x, [], [], names, shown) == []


def test_suggester_alone_and_a_rejection_lowers_its_code(nlp, codes, examples):
    suggester = ClassifierSuggester(codes, examples, nlp=nlp)
    text = "The grant paid for extra police overtime."
    first = {s.code_id: s.score for s in suggester.suggest([unit(text)])}
    assert set(first) <= {GRANT, PARTNERS, TURNOVER, DATA}
    assert first
    before = next(iter(first.values()))
    code = next(iter(first))
    suggester.update([Decision(code, False, "classifier", text=text)] * 2)
    after = {s.code_id: s.score for s in suggester.suggest([unit(text)])}
    assert after.get(code, 0.0) < before

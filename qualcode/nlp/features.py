"""Text features shared by the classifier and the similarity suggester.

Two TF-IDF blocks, each L2-normalised, side by side (and the whole row normalised, so a dot
product is a cosine):

- words: lemma unigrams and bigrams of the passage, plus the lemmas of its context (the
  interviewer's question) as separate ``q_`` features;
- characters: ``char_wb`` 2-5-grams of the passage's lemmas, which carry spelling variants,
  compounds and typos that a handful of examples would otherwise miss.

Only the word block has readable names, used to explain a classifier's score.

Optionally, a third block of latent (LSA) features: a truncated SVD of the word block fitted
on the project's unlabelled passages (every unit of its transcripts, coded or not), so a rare
word that keeps company with a code's words elsewhere in the project counts towards that code.
The block is L2-normalised and scaled by ``LATENT_SCALE``, appended after the other two, and
joins the passage words in the similarity space. The vocabulary and IDF stay those of the
coded passages (refitting them on unlabelled text hurt on interviews).

The similarity space keeps its two parts apart (:class:`Space`): sparse passage words and a
dense latent array, each scaled by the row's combined length, so a cosine is a sparse product
plus a dense (BLAS) one; 150 dense columns in a sparse matrix made every product several times
slower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

CONTEXT_PREFIX = "q_"
EMPTY = "<empty>"  # the one feature of a vocabulary built from no text at all
LATENT_DIMS = 150  # measured: 300 was worse on both benchmarks
LATENT_SCALE = 0.5  # the latent block's length beside the unit-length TF-IDF row
MIN_LATENT_DIMS = 10  # fewer unlabelled passages or words than this: no latent block


@dataclass(frozen=True)
class Passages:
    """Passages as the features see them: lemmas of the text and of its context."""

    lemmas: Sequence[str]
    contexts: Sequence[str]

    def word_documents(self) -> list[str]:
        return [
            text + "".join(f" {CONTEXT_PREFIX}{w}" for w in context.split())
            for text, context in zip(self.lemmas, self.contexts, strict=True)
        ]


def _vectorizer(
    corpus: Sequence[str], min_df: int, **options: object
) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """A TF-IDF vectorizer fitted on ``corpus`` and the corpus's rows; rare n-grams are kept
    when the corpus is too small to have common ones."""
    for df in dict.fromkeys((min_df, 1)):
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=df, dtype=np.float32, **options)
        try:
            return vectorizer, vectorizer.fit_transform(corpus)
        except ValueError:  # empty vocabulary
            continue
    vectorizer = TfidfVectorizer(vocabulary=[EMPTY], token_pattern=r"\S+", dtype=np.float32)
    vectorizer.fit([EMPTY])
    return vectorizer, sparse.csr_matrix((len(corpus), 1), dtype=np.float32)


def _normalize(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length (so dot products are cosines); no rows, nothing to do."""
    return normalize(x) if x.shape[0] else sparse.csr_matrix(x)


Rows: TypeAlias = "slice | Sequence[int] | npt.NDArray[np.intp]"


@dataclass(frozen=True)
class Space:
    """Rows of the similarity space, in two parts: the passage words (sparse) and the latent
    block (dense, no columns without one), both divided by the row's combined length, so the
    cosine of two rows is ``words @ words.T + latent @ latent.T``."""

    words: sparse.csr_matrix
    latent: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.words.shape[0])

    def __getitem__(self, rows: Rows) -> Space:
        return Space(self.words[rows], self.latent[rows])

    def cosines(self, other: Transposed) -> npt.NDArray[np.float32]:
        """A dense (rows x other's rows) array of cosines."""
        cos = np.asarray((self.words @ other.words).toarray(), dtype=np.float32)
        if self.latent.shape[1]:
            cos += self.latent @ other.latent
        return cos

    def transposed(self) -> Transposed:
        return Transposed(sparse.csr_matrix(self.words.T), np.ascontiguousarray(self.latent.T))


@dataclass(frozen=True)
class Transposed:
    """A :class:`Space` laid out for the right-hand side of products, once (scipy would
    convert a transposed view on every product)."""

    words: sparse.csr_matrix
    latent: npt.NDArray[np.float32]


class Featurizer:
    """Fitted on a project's passages and code descriptions; turns passages into rows."""

    def __init__(self) -> None:
        self.words: TfidfVectorizer | None = None
        self.chars: TfidfVectorizer | None = None
        self.latent: TruncatedSVD | None = None
        # the SVD's components laid out for ``words @ map`` (its own ``transform`` copies a
        # transposed view and validates its input on every call: most of scoring one unit)
        self._latent_map: npt.NDArray[np.float32] | None = None
        self._passage_columns: npt.NDArray[np.intp] | None = None

    def fit_transform(self, passages: Passages) -> sparse.csr_matrix:
        """Fit on the passages and return their rows (each text is analysed once)."""
        self._passage_columns = None
        self.latent = self._latent_map = None
        self.words, words = _vectorizer(
            passages.word_documents(), 1, ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False
        )
        self.chars, chars = _vectorizer(
            list(passages.lemmas), 2, analyzer="char_wb", ngram_range=(2, 5)
        )
        return _normalize(sparse.hstack([words, chars], format="csr"))

    def fit(self, passages: Passages) -> Featurizer:
        self.fit_transform(passages)
        return self

    def fit_latent(self, passages: Passages) -> bool:
        """Fit the latent block on (unlabelled) passages, after :meth:`fit_transform`; returns
        whether there is one (too few passages or words make none)."""
        self.latent = self._latent_map = None
        dims = min(LATENT_DIMS, len(passages.lemmas) // 2, self.n_words - 1)
        if dims < MIN_LATENT_DIMS:
            return False
        words = self._tfidf(passages)[:, : self.n_words]
        self.latent = TruncatedSVD(dims, algorithm="randomized", n_iter=4, random_state=0)
        self.latent.fit(words)
        self._latent_map = np.ascontiguousarray(self.latent.components_.T)
        return True

    def _tfidf(self, passages: Passages) -> sparse.csr_matrix:
        if self.words is None or self.chars is None:
            raise RuntimeError("the featurizer is not fitted")
        if not passages.lemmas:
            width = len(self.words.vocabulary_) + len(self.chars.vocabulary_)
            return sparse.csr_matrix((0, width), dtype=np.float32)
        words = self.words.transform(passages.word_documents())
        chars = self.chars.transform(list(passages.lemmas))
        return _normalize(sparse.hstack([words, chars], format="csr"))

    def transform(self, passages: Passages) -> sparse.csr_matrix:
        """The passages' rows: the TF-IDF blocks, then the latent block if there is one."""
        return self.with_latent(self._tfidf(passages))

    def with_latent(self, x: sparse.csr_matrix) -> sparse.csr_matrix:
        """TF-IDF rows (as :meth:`fit_transform` returns them) with the latent block appended."""
        if self._latent_map is None:
            return x
        if not x.shape[0]:
            z = sparse.csr_matrix((0, self.latent_dims), dtype=np.float32)
        else:
            dense = np.asarray(x[:, : self.n_words] @ self._latent_map, dtype=np.float32)
            z = _normalize(sparse.csr_matrix(dense)) * LATENT_SCALE
        return sparse.hstack([x, z], format="csr")

    @property
    def latent_dims(self) -> int:
        return int(self.latent.n_components) if self.latent is not None else 0

    def passage_words(self, x: sparse.csr_matrix) -> sparse.csr_matrix:
        """The passage's own word features of rows made by :meth:`transform` (no character
        n-grams, no question), each row normalised again: what a coder would call alike."""
        if self._passage_columns is None:
            names = self.word_names()
            self._passage_columns = np.flatnonzero(~np.char.startswith(names, CONTEXT_PREFIX))
        return _normalize(x[:, self._passage_columns])

    def similarity_space(self, x: sparse.csr_matrix) -> Space:
        """Where similarities are taken: the passage words and, if fitted, the latent block
        (at its scale), each row scaled to unit length."""
        words = self.passage_words(x)
        if self.latent is None:
            return Space(words, np.zeros((x.shape[0], 0), dtype=np.float32))
        z = x[:, x.shape[1] - self.latent_dims :]
        joined = _normalize(sparse.hstack([words, z], format="csr"))
        n = words.shape[1]
        return Space(joined[:, :n], np.asarray(joined[:, n:].toarray(), dtype=np.float32))

    @property
    def n_words(self) -> int:
        """How many leading columns are word features (the rest are character n-grams)."""
        return len(self.words.vocabulary_) if self.words is not None else 0

    def word_names(self) -> npt.NDArray[np.str_]:
        if self.words is None:
            return np.array([], dtype=np.str_)
        return np.asarray(self.words.get_feature_names_out(), dtype=np.str_)

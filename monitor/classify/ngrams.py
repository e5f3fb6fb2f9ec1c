"""A word n-gram reader of whole documents, trained on every writer's labelled texts.

The cue model reads the phrasings its rules name; a new writer's wording often fires none
of them, and its document regression cannot even fit such texts when it is trained on
them. A logistic regression over the words and word pairs of the headline, the lead and
the whole text learns whatever vocabulary separates the labels across many writers ("wind
down", "no longer accept", "Monthly Update", "Readout"), so its probabilities are mixed
into the document scores (``monitor.classify.model``). Plain numpy: importing scipy or
scikit-learn would take longer than the fit.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import Counter
from itertools import accumulate, chain, repeat
from pathlib import Path

import numpy as np

from monitor.classify.tfidf import _tokens

#: The parts of a document read separately: the same words mean more in a headline.
LEAD_STATEMENTS = 2
#: A term must occur in this many training documents (per part) to be a feature.
MIN_DOCUMENTS = 2
#: Inverse strength of the L2 penalty, as scikit-learn's ``C``.
C = 10.0


def _words(title: str | None, statements: list[str]) -> tuple[list[str], list[str], int]:
    """The words of the headline and of the whole text, and how many of the latter are
    the lead's (they come first)."""
    words = [_tokens(s.lower()) for s in statements]
    return (_tokens(title.lower()) if title else [], list(chain.from_iterable(words)),
            sum(map(len, words[:LEAD_STATEMENTS])))


def _terms(words: list[str]) -> list:
    """Words and word pairs; a pair is a tuple, so looking one up builds no string."""
    return words + list(zip(words, words[1:]))


class NgramModel:
    """Sublinear TF-IDF of each part (unit length), one vocabulary per part, and a
    class-balanced multinomial logistic regression over their concatenation."""

    def __init__(self, titles: list[str | None], statement_lists: list[list[str]], labels: list[int],
                 n_labels: int):
        # Feature 0 is never used, so a term's id is always true.
        idf: list[float] = [0.0]
        self._ids: list[dict] = []
        n = len(titles)
        documents = [_part_terms(title, statements) for title, statements in zip(titles, statement_lists)]
        for part in range(3):
            # In order of first use, not set order: ids must be the same in every process.
            df = Counter(term for parts in documents for term in dict.fromkeys(parts[part]))
            ids = {}
            for term, k in df.items():
                if k >= MIN_DOCUMENTS:
                    ids[term] = len(idf)
                    idf.append(math.log((1 + n) / (1 + k)) + 1)
            self._ids.append(ids)
        self._idf = np.array(idf)
        # The lead is the start of the whole text, so every lead term is a whole-text
        # term: its lead id is read off the whole text's id instead of looked up again.
        self._lead_of_body = [0] * len(idf)
        for term, i in self._ids[1].items():
            self._lead_of_body[self._ids[2][term]] = i
        key = hashlib.sha256(json.dumps([FIT_VERSION, C, titles, statement_lists, labels]).encode()).hexdigest()
        fitted = _cached(key, (len(idf), n_labels))
        if fitted is None:
            fitted = _fit([self._row(t, s) for t, s in zip(titles, statement_lists)], np.array(labels),
                          n_labels, len(idf))
            _keep(key, fitted)
        self.coef, self.intercept = fitted

    def _row(self, title: str | None, statements: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids, values) of a document: the sublinear TF-IDF of its headline, lead
        and whole text, each part of unit length. Training and reading weigh a document
        alike because both call this."""
        title_words, words, lead = _words(title, statements)
        body = list(map(self._ids[2].get, _terms(words), repeat(0)))
        # The lead's terms are the whole text's first words and first pairs.
        in_lead = body[:lead] + body[len(words):len(words) + lead - 1]
        parts = [Counter(filter(None, map(self._ids[0].get, _terms(title_words)))),
                 Counter(filter(None, map(self._lead_of_body.__getitem__, in_lead))),
                 Counter(filter(None, body))]
        parts = [part for part in parts if part]
        if not parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        ids = np.fromiter(chain.from_iterable(parts), dtype=np.intp)
        counts = np.fromiter(chain.from_iterable(part.values() for part in parts), dtype=float, count=len(ids))
        weights = self._idf.take(ids) * (1 + np.log(counts))
        sizes = list(map(len, parts))
        lengths = np.sqrt(np.add.reduceat(np.square(weights), [0, *accumulate(sizes[:-1])]))
        return ids, weights / lengths.repeat(sizes)

    def probabilities(self, title: str | None, statements: list[str]) -> np.ndarray:
        """The label probabilities (in ``LABELS`` order) of a document."""
        ids, values = self._row(title, statements)
        # take, not coef[ids]: the same rows, several times faster for a few hundred ids
        z = values @ self.coef.take(ids, axis=0) + self.intercept
        z = np.exp(z - z.max())
        return z / z.sum()


def _part_terms(title: str | None, statements: list[str]) -> tuple[list, list, list]:
    """The terms of a document's headline, lead and whole text."""
    title_words, words, lead = _words(title, statements)
    return _terms(title_words), _terms(words[:lead]), _terms(words)


#: Part of the key of a kept fit: change it when what a fit computes changes.
FIT_VERSION = 2


def cache_dir() -> Path:
    """Where fits are kept between processes (``$XDG_CACHE_HOME/policy-monitor``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policy-monitor"


def _cached(key: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray] | None:
    """The weights a process fitted from the same documents, if kept and whole. Every
    worker and command fits the model: this saves each one the regression's seconds."""
    try:
        with np.load(cache_dir() / f"ngrams-{key}.npz", allow_pickle=False) as kept:
            coef, intercept = kept["coef"], kept["intercept"]
    except (OSError, ValueError, KeyError):
        return None
    if coef.shape != shape or intercept.shape != (shape[1],) or not np.isfinite(coef).all():
        return None
    return coef, intercept


#: Fits kept at most: each set of readers' corrections is a new fit, about 1 MB.
KEPT_FITS = 8


def _keep(key: str, fitted: tuple[np.ndarray, np.ndarray]) -> None:
    """Write the weights atomically, and drop all but the ``KEPT_FITS`` newest; a cache
    that cannot be written is only slower."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix="ngrams-", suffix=".tmp", delete=False) as fh:
            np.savez(fh, coef=fitted[0], intercept=fitted[1])
        os.replace(fh.name, folder / f"ngrams-{key}.npz")
        kept = sorted(folder.glob("ngrams-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEPT_FITS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _fit(rows: list[tuple[np.ndarray, np.ndarray]], y: np.ndarray, n_labels: int, n_features: int
         ) -> tuple[np.ndarray, np.ndarray]:
    """Minimise C * class-weighted cross-entropy + |W|^2 / 2 by L-BFGS on the sparse rows.
    The products are one ``bincount`` per label (faster here than ``reduceat`` or ``add.at``)."""
    n = len(rows)
    col = np.concatenate([i for i, _ in rows])
    val = np.concatenate([v for _, v in rows])
    doc = np.repeat(np.arange(n), [len(i) for i, _ in rows])
    weight = (n / (n_labels * np.maximum(np.bincount(y, minlength=n_labels), 1)))[y]
    onehot = np.eye(n_labels)[y]

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, intercept = theta[:-n_labels].reshape(n_labels, n_features), theta[-n_labels:]
        z = np.column_stack([np.bincount(doc, weights=val * row[col], minlength=n) for row in coef]) + intercept
        z -= z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = C * float(-(weight[:, None] * onehot * log_p).sum()) + 0.5 * float(np.square(coef).sum())
        residual = (C * (np.exp(log_p) - onehot) * weight[:, None]).T.copy()
        grad_coef = coef + np.array([np.bincount(col, weights=val * r[doc], minlength=n_features)
                                     for r in residual])
        return loss, np.concatenate([grad_coef.ravel(), residual.sum(axis=1)])

    theta = _lbfgs(loss_and_gradient, np.zeros(n_features * n_labels + n_labels))
    return theta[:-n_labels].reshape(n_labels, n_features).T.copy(), theta[-n_labels:]


def _lbfgs(f, x: np.ndarray, memory: int = 10, steps: int = 300, tolerance: float = 1e-5) -> np.ndarray:
    """Limited-memory BFGS with a backtracking (Armijo) line search: deterministic."""
    loss, grad = f(x)
    s_list: list[np.ndarray] = []
    y_list: list[np.ndarray] = []
    for _ in range(steps):
        q = grad.copy()
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list)):
            a = _dot(s, q) / _dot(y, s)
            alphas.append(a)
            q -= a * y
        if s_list:
            q *= _dot(s_list[-1], y_list[-1]) / _dot(y_list[-1], y_list[-1])
        for (s, y), a in zip(zip(s_list, y_list), reversed(alphas)):
            q += (a - _dot(y, q) / _dot(y, s)) * s
        direction = -q
        slope = _dot(grad, direction)
        if slope >= 0:
            direction, slope = -grad, -_dot(grad, grad)
        step = 1.0 if s_list else 1.0 / max(1.0, float(np.abs(grad).max()))
        while True:
            new_x = x + step * direction
            new_loss, new_grad = f(new_x)
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-10:
                break
            step /= 2
        s, y = new_x - x, new_grad - grad
        if _dot(y, s) > 1e-10:
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        converged = abs(loss - new_loss) <= tolerance * max(abs(loss), 1.0)
        x, loss, grad = new_x, new_loss, new_grad
        if converged or np.abs(grad).max() < 1e-6:
            break
    return x


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))

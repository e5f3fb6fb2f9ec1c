"""The model: a cue logistic regression blended with a nearest-example vote per
statement, and the document label from its headline and statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from monitor.classify.cues import FEATURES, cue_matches_many, features
from monitor.classify.data import (
    LABELS, PRECEDENCE, Example, load_gold_baseline, training_documents, training_examples,
    tune_documents,
)
from monitor.classify.figures import Statistic, extract_statistics
from monitor.classify.tfidf import TfidfIndex

CLASSIFIER_VERSION = "cues-lr-knn-2"


#: Minimum weighted statement probability for a document to take each label
#: (chosen by ``tune_thresholds`` on the dev set's tune split).
THRESHOLDS = {"reversal": 0.637, "new_policy": 0.613, "statistic_update": 0.775}
#: The headline and the first two statements carry the news; later ones are often background.
LEAD_STATEMENTS = 2
BODY_WEIGHT = 0.85
#: How much the second-strongest statement adds to a document's score for a label.
SECOND_STATEMENT_WEIGHT = 0.5
#: Share of the nearest-example vote in a statement's probabilities.
KNN_WEIGHT = 0.3
KNN_K = 5

#: What each cue means before any data is seen (feature -> label -> log-odds). The
#: regression starts from these and is pulled back towards them, so a cue the few
#: examples happen to contradict (e.g. "no longer" in a new program's announcement)
#: keeps its linguistic meaning instead of flipping.
PRIOR_WEIGHTS: dict[str, dict[str, float]] = {
    "end_verb": {"reversal": 2.0},
    "ending_a_policy": {"reversal": 1.5},
    "soft_end_verb": {"reversal": 1.5},
    "end_policy": {"reversal": 1.5},
    "no_longer": {"reversal": 0.5},
    "no_longer_doing": {"reversal": 1.5},
    "stop_defending": {"reversal": 2.0},
    "reinstate": {"reversal": 1.5},
    "reverse_word": {"reversal": 1.5},
    "prior_reference": {"reversal": 0.5},
    "establish_verb": {"new_policy": 1.0},
    "start_verb": {"new_policy": 0.5},
    "amend_verb": {"new_policy": 0.7},
    "instrument": {"new_policy": 0.7},
    "issue_verb": {"new_policy": 0.5},
    "designate": {"new_policy": 1.5},
    "expand": {"new_policy": 1.0},
    "effective": {"new_policy": 1.5},
    "future": {"new_policy": 0.5},
    "requirement": {"new_policy": 0.7},
    "policy_noun": {"new_policy": 0.3, "reversal": 0.3},
    "negated_future": {"none": 0.5},
    "comparison": {"statistic_update": 0.3},
    "metric_compared": {"statistic_update": 1.0},
    "figure_with_metric": {"statistic_update": 1.5},
    "figure_for_period": {"statistic_update": 1.0},
    "figure_compared": {"statistic_update": 1.0},
    "enforcement": {"none": 1.0},
    "meeting": {"none": 1.0},
    "ceremony": {"none": 1.5},
    "disaster": {"none": 1.0},
    "critic": {"none": 1.0},
    "critic_quote": {"none": 1.0},
    "commentary": {"none": 0.5},
    "background": {"none": 0.7},
}
#: Pull towards PRIOR_WEIGHTS (L2 on the difference, per example).
PRIOR_STRENGTH = 0.05


@dataclass
class StatementResult:
    text: str
    label: str
    confidence: float
    evidence: dict


@dataclass
class DocumentResult:
    label: str
    confidence: float
    statements: list[StatementResult]
    statistics: list[Statistic]
    #: Headline label, per-label scores and the statement that decided the document.
    evidence: dict = field(default_factory=dict)



class Model:
    """Cue logistic regression blended with a nearest-example vote.

    Both are plain numpy/Python fitted in a few milliseconds: importing scikit-learn
    alone takes longer than the one second a command may spend loading the model.
    """

    def __init__(self, examples: list[Example]):
        self.examples = examples
        self.thresholds = dict(THRESHOLDS)
        y = np.array([LABELS.index(e.label) for e in examples])
        x = features(cue_matches_many([e.text for e in examples]))
        self.coef, self.intercept = _fit_logistic(x, y, _prior_matrix(), PRIOR_STRENGTH)
        self.tfidf = TfidfIndex([e.text for e in examples])
        # Plain Python copies for the per-statement evidence: numpy scalars are slow one at a time.
        self._label_index = y.tolist()
        self._example_evidence = [(_clip(e.text), e.label, e.origin) for e in examples]
        #: Per label, the features that push towards it: (weight, weight as the evidence shows it).
        self._positive_weights = [{name: (w, round(w, 2)) for name, w in zip(FEATURES, row) if w > 0}
                                  for row in self.coef.tolist()]

    def statement_probabilities(self, texts: list[str]) -> tuple[np.ndarray, list[dict], list[list]]:
        """Per text: probabilities over LABELS, the cues found, and the nearest examples."""
        found = cue_matches_many(texts)
        p = _softmax(features(found) @ self.coef.T + self.intercept)
        tops = self.tfidf.nearest_many(texts, KNN_K)
        # The similarities the evidence shows, rounded for all texts at once.
        shown = iter(_rounded(np.array([sim for top in tops for _, sim in top[:3]])))
        votes, neighbours = [], []
        for top in tops:
            vote = [0.0] * len(LABELS)
            for j, sim in top:
                vote[self._label_index[j]] += sim
            votes.append(vote)
            near = []
            for j, _ in top[:3]:
                text, label, origin = self._example_evidence[j]
                near.append({"text": text, "label": label, "similarity": next(shown), "origin": origin})
            neighbours.append(near)
        # All rows at once, with the arithmetic the per-row version did (a row of four
        # sums in order either way).
        votes = np.array(votes).reshape(len(texts), len(LABELS))
        total = votes.sum(axis=1)
        voted = total > 0
        p[voted] = (1 - KNN_WEIGHT) * p[voted] + KNN_WEIGHT * votes[voted] / total[voted, None]
        return p, found, neighbours

    def _why(self, found: dict[str, str], label: str) -> list[dict]:
        """The cues that pushed hardest towards ``label`` (model weight > 0)."""
        weights = self._positive_weights[LABELS.index(label)]
        strongest = sorted([(weights[n], n) for n in found if n in weights], reverse=True)[:5]
        return [{"cue": n, "match": found[n], "weight": shown} for (_, shown), n in strongest]

    def classify(self, title: str | None, statements: list[str], published: str | None = None
                 ) -> DocumentResult:
        units = ([title] if title else []) + list(statements)
        if not units:
            return DocumentResult("none", 1.0, [], [], {"reason": "no text"})
        p, found, neighbours = self.statement_probabilities(units)
        offset = 1 if title else 0
        results, weights = [], []
        for i, (text, probabilities, shown) in enumerate(zip(units, p.tolist(), _rounded(p))):
            k = probabilities.index(max(probabilities))  # the first maximum, as np.argmax
            position = "headline" if i < offset else (
                "lead" if i - offset < LEAD_STATEMENTS else "body")
            weights.append(BODY_WEIGHT if position == "body" else 1.0)
            scores = dict(zip(LABELS, shown))
            evidence = {
                "position": position,
                "cues": self._why(found[i], LABELS[k]),
                "speaker": _speaker(found[i]),
                "nearest": neighbours[i],
                "scores": scores,
                "classifier": CLASSIFIER_VERSION,
            }
            results.append(StatementResult(text, LABELS[k], scores[LABELS[k]], evidence))
        label, confidence, doc_evidence = self._document_label(p, np.array(weights), results)
        if title:
            doc_evidence["headline"] = {"label": results[0].label,
                                        "confidence": results[0].confidence}
        body = results[offset:]
        statistics = [s for r in body if r.label == "statistic_update"
                      for s in extract_statistics(r.text, published)]
        return DocumentResult(label, confidence, body, statistics, doc_evidence)

    def _document_label(self, p: np.ndarray, weights: np.ndarray, results: list[StatementResult]
                        ) -> tuple[str, float, dict]:
        weighted = p * weights[:, None]
        scores = {label: _support(weighted[:, LABELS.index(label)]) for label in PRECEDENCE}
        evidence = {"scores": {k: round(v, 3) for k, v in scores.items()},
                    "thresholds": self.thresholds}
        for label in PRECEDENCE:
            if scores[label] >= self.thresholds[label]:
                i = int(np.argmax(weighted[:, LABELS.index(label)]))
                evidence["decided_by"] = {"text": _clip(results[i].text, 200),
                                          "position": results[i].evidence["position"]}
                return label, round(scores[label], 3), evidence
        # None: as sure as the strongest other label is far from its threshold.
        margin = max(scores[k] / self.thresholds[k] for k in PRECEDENCE)
        return "none", round(1 - 0.5 * min(margin, 1.0), 3), evidence


def _rounded(values: np.ndarray, digits: int = 3) -> list:
    """``round(v, digits)`` of every value (nested lists, like ``tolist``): a few numpy
    calls instead of one ``round`` per value, which took a twentieth of classifying.

    numpy's ``rint(v * 10**digits) / 10**digits`` is what Python's correctly rounded
    ``round`` gives, except where ``v * 10**digits`` lies within its rounding error
    (relative 1e-16) of a half and may land on either side: those few values are
    rounded by ``round``. For values well below 1e6 (probabilities, similarities).
    """
    scale = 10.0 ** digits
    scaled = values * scale
    rounded = np.rint(scaled) / scale
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near_half.any():
        rounded[near_half] = [round(v, digits) for v in values[near_half].tolist()]
    return rounded.tolist()


def _support(column: np.ndarray) -> float:
    """The strongest statement, plus half the second: two statements saying the same
    thing (a headline and its lead, an announcement and its quote) outweigh one."""
    top = np.sort(column)[::-1]
    return float(min(1.0, top[0] + SECOND_STATEMENT_WEIGHT * (top[1] if len(top) > 1 else 0.0)))


def _speaker(found: dict[str, str]) -> str | None:
    """Who is talking: a critic quoted by a reporter is not the department announcing."""
    if "critic" in found and ("quote" in found or "commentary" in found):
        return "critic"
    if "department" in found:
        return "department"
    return None


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _prior_matrix() -> np.ndarray:
    prior = np.zeros((len(LABELS), len(FEATURES)))
    for feature, weights in PRIOR_WEIGHTS.items():
        for label, weight in weights.items():
            prior[LABELS.index(label), FEATURES.index(feature)] = weight
    return prior


def _fit_logistic(x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float,
                  steps: int = 500, rate: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, classes weighted to equal total mass, L2 towards ``prior``.

    Full-batch gradient descent: with a few hundred examples and ~40 binary features
    it converges in a few milliseconds, deterministically.
    """
    n = len(x)
    n_classes = prior.shape[0]
    onehot = np.eye(n_classes)[y]
    counts = onehot.sum(axis=0)
    sample_weight = (n / (n_classes * np.maximum(counts, 1)))[y][:, None]
    coef, intercept = prior.copy(), np.zeros(n_classes)
    for _ in range(steps):
        residual = (_softmax(x @ coef.T + intercept) - onehot) * sample_weight
        coef -= rate * (residual.T @ x / n + strength * (coef - prior))
        intercept -= rate * residual.mean(axis=0)
    return coef, intercept


def _clip(text: str, size: int = 160) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


@lru_cache(maxsize=1)
def default_model() -> Model:
    """Fitted once per process from the packaged data (tune split only)."""
    return Model(training_examples(tune_documents(), load_gold_baseline(), training_documents()))


def classify_document(title: str | None, statements: list[str], published: str | None = None
                      ) -> DocumentResult:
    """Label each statement, then the document (reversal > new_policy > statistic_update > none)."""
    return default_model().classify(title, statements, published)

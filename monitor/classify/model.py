"""The model: a cue logistic regression blended with a nearest-example vote per
statement, and the document label from its headline and statements, read by a document
regression over their cues and by an n-gram reader of the whole text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from monitor.classify.cues import (
    FEATURES, HEADLINE_ONLY_CUES, TITLE_CUES, cue_matches_many, features, title_cues,
)
from monitor.classify.data import (
    LABELS, PRECEDENCE, Example, LabelledDocument, context_title, labelled_documents, load_gold_baseline,
    training_documents, training_examples, tune_documents, writer_documents,
)
from monitor.classify.ngrams import NgramModel
from monitor.classify.own_act import ENDING_CUES, ending_is_own
from monitor.classify.tfidf import TfidfIndex
from monitor.figures import extract_document

CLASSIFIER_VERSION = "cues-lr-knn-ngrams-doc-10"


#: The headline and the first two statements carry the news; later ones are often background.
LEAD_STATEMENTS = 2
BODY_WEIGHT = 0.85
HEADLINE_WEIGHT = 1.0
#: How much the second-strongest statement adds to a document's score for a label.
SECOND_STATEMENT_WEIGHT = 0.5
#: Share of the nearest-example vote in a statement's probabilities.
KNN_WEIGHT = 0.3
KNN_K = 5
#: How sure a unit must be of an act for a two-clause headline's act to decide (``_second_action``).
SECOND_ACTION_SUPPORT = 0.5
#: Share of the n-gram reader's probabilities in a document's scores, beside the cue
#: regression's (chosen by leaving each writer's set out in turn: 1.0 to 1.5 did best).
NGRAM_WEIGHT = 1.0
#: How sure the n-gram reader must be of a reversal for the document to stay one when no
#: statement of its headline or lead announces it as the department's own act. Documents
#: that rule rightly demotes (own held-out split, tuned blind sets) read at most 0.35.
NGRAM_SURE = 0.7
#: A text of this many units (headline and statements) or fewer is labelled by its statements.
SHORT_TEXT = 2

_STATEMENT_FEATURES = len(FEATURES) - len(TITLE_CUES)  # FEATURES end with the title cues
DOCUMENT_FEATURES = 4 * _STATEMENT_FEATURES + len(TITLE_CUES) + len(PRECEDENCE)

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
    "walk_back": {"reversal": 2.0},
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
    "announced_ending": {"reversal": 1.5},
    "search_suspended": {"none": 2.0},
    "correction_notice": {"none": 1.5},
    "ending_takes_effect": {"reversal": 1.5},
    "termination_takes_effect": {"reversal": 1.5},
    "retrospective": {"none": 1.5},
    "reminder": {"none": 1.5},
    "awareness": {"none": 1.0},
    "admin_notice": {"none": 1.5},
    "denial": {"none": 2.5},
    "service_disruption": {"none": 1.0},
    "personnel": {"none": 1.0},
    "event_concluded": {"none": 1.0},
    "other_actor": {"none": 0.5},
    "forecast": {"none": 1.0},
    "conditional_ending": {"none": 1.0},
    "advisory": {"none": 0.7},
    # The headline's genre, as context for every statement of the document.
    "title_readout": {"none": 2.0},
    "title_travel": {"none": 1.5},
    "title_personnel": {"none": 1.5},
    "title_remarks": {"none": 1.5},
    "title_statement": {"none": 0.7},
    "title_court": {"none": 1.0},
    "title_reaction": {"none": 1.5},
    "title_ceremony": {"none": 1.5},
    "title_disaster": {"none": 1.5},
    "title_enforcement": {"none": 1.0},
    "title_awareness": {"none": 1.0},
    "title_admin_notice": {"none": 1.5},
    "title_correction": {"none": 2.5},
    "title_denial": {"none": 2.0},
    "title_explanation": {"none": 1.0},
    "title_office_notice": {"none": 1.0},
    "title_disruption": {"none": 1.5},
    "title_statistics": {"statistic_update": 2.0},
    "title_figure": {"statistic_update": 1.0},
    "title_ending": {"reversal": 1.5},
    "title_own_ending": {"reversal": 1.5},
    "title_rule": {"new_policy": 1.0},
    "title_designation": {"new_policy": 1.5},
    "title_launch": {"new_policy": 0.7},
    "title_forecast": {"none": 1.5},
    "title_other_actor": {"none": 1.5},
    "title_second_action": {"statistic_update": -0.5},
}
#: Pull towards PRIOR_WEIGHTS (L2 on the difference, per example).
PRIOR_STRENGTH = 0.05
#: L2 penalty of the document-level regression (chosen by cross-validation on the
#: training documents, ``policy-monitor evaluate``).
DOCUMENT_STRENGTH = 0.003
DOCUMENT_STEPS, DOCUMENT_RATE = 250, 2.5


@dataclass
class StatementResult:
    text: str
    label: str
    confidence: float
    evidence: dict

    def stored_evidence(self) -> str | None:
        """The JSON the database keeps as this statement's ``evidence`` (``stored_evidence``),
        or nothing when nothing explains its label."""
        kept = stored_evidence(self.evidence, self.label)
        return json.dumps(kept, ensure_ascii=False) if kept else None


def stored_evidence(evidence: dict, label: str | None) -> dict:
    """What the database keeps of a statement's evidence (``classify --json`` shows all of
    it): for a statement labelled other than none, or one whose own label its document
    outranked, the cues behind its label (cue -> the words it matched, strongest first)
    and who speaks. Scores and nearest examples are left out: kept for every statement
    they tripled the database. The classifier version is its document's
    (``documents.classifier``): a document's statements are labelled with it, always
    together, so each statement repeating it was a twentieth of the database. Evidence of
    another shape (a gold label's, or one already stored) is kept as it is.
    """
    if "classifier" not in evidence or not isinstance(evidence.get("cues", []), list):
        return evidence
    kept = {}
    if label != "none" or "outranked_document" in evidence:
        kept["cues"] = {cue["cue"]: cue["match"] for cue in evidence.get("cues", [])}
        for key in ("speaker", "outranked_document"):
            if evidence.get(key):
                kept[key] = evidence[key]
    return kept


@dataclass
class DocumentResult:
    label: str
    confidence: float
    statements: list[StatementResult]
    #: Headline label, per-label scores and the statement that decided the document.
    evidence: dict = field(default_factory=dict)
    title: str | None = None
    published: str | None = None

    @cached_property
    def statistics(self) -> list:
        """The figures (``monitor.figures``) of the statistic statements, read in their
        release; read only when asked for: a crawl stores them later, in ``monitor.series``."""
        if not any(r.label == "statistic_update" for r in self.statements):
            return []
        found = extract_document(self.title, [r.text for r in self.statements], self.published)
        return [f for r, figures in zip(self.statements, found)
                if r.label == "statistic_update" for f in figures]



class Model:
    """Per statement, a cue logistic regression blended with a nearest-example vote; per
    document, a logistic regression over what its headline, lead and body hold, averaged
    with the n-gram reader's probabilities (``NGRAM_WEIGHT``).

    All plain numpy/Python: importing scikit-learn alone takes longer than fitting the
    cue model, and the n-gram reader's fit is kept between processes.
    """

    def __init__(self, examples: list[Example], documents: list[LabelledDocument],
                 writers: list[LabelledDocument] = ()):
        self.examples = examples
        y = np.array([LABELS.index(e.label) for e in examples])
        unit_lists = [([d.title] if d.title else []) + list(d.statements) for d in documents]
        # Most example texts are also document statements: find each text's cues once.
        texts = list(dict.fromkeys([e.text for e in examples] + [u for units in unit_lists for u in units]))
        cues_of = dict(zip(texts, cue_matches_many(texts)))
        x = features(_with_context([dict(cues_of[e.text]) for e in examples], [e.title for e in examples],
                                   [e.text for e in examples]))
        self.coef, self.intercept = _fit_logistic(x, y, _prior_matrix(), PRIOR_STRENGTH, steps=200, rate=1.25)
        neighbours = [e for e in examples if e.neighbour]
        self.tfidf = TfidfIndex([e.text for e in neighbours])
        # Plain Python copies for the per-statement evidence: numpy scalars are slow one at a time.
        self._label_index = [LABELS.index(e.label) for e in neighbours]
        self._example_evidence = [(_clip(e.text), e.label, e.origin) for e in neighbours]
        #: Per label, the features that push towards it: (weight, weight as the evidence shows it).
        self._positive_weights = [{name: (w, round(w, 2)) for name, w in zip(FEATURES, row) if w > 0}
                                  for row in self.coef.tolist()]
        rows = []
        for doc, units in zip(documents, unit_lists):
            found = _with_context([dict(cues_of[u]) for u in units], _context_titles(doc.title, len(units)), units)
            rows.append(self._document_features(features(found), bool(doc.title)))
        doc_y = np.array([LABELS.index(d.label) for d in documents])
        self.doc_coef, self.doc_intercept = _fit_logistic(
            np.array(rows).reshape(len(rows), DOCUMENT_FEATURES), doc_y,
            np.zeros((len(LABELS), DOCUMENT_FEATURES)), DOCUMENT_STRENGTH, steps=DOCUMENT_STEPS, rate=DOCUMENT_RATE)
        readers = [*documents, *writers]
        self.ngrams = NgramModel([d.title for d in readers], [list(d.statements) for d in readers],
                                 [LABELS.index(d.label) for d in readers], len(LABELS))

    def _document_features(self, x: np.ndarray, titled: bool, p: list[list[float]] | None = None
                           ) -> np.ndarray:
        """What a document holds, from its units' cue rows (headline first if ``titled``):
        the headline's cues, its title cues, the cues of the lead, of any statement and
        their share, and the statement regression's support for each label (from ``p``,
        the regression's probabilities per unit, if given)."""
        offset = 1 if titled else 0
        head = x[0, :_STATEMENT_FEATURES] if titled else np.zeros(_STATEMENT_FEATURES)
        title = x[0, _STATEMENT_FEATURES:] if titled else np.zeros(len(TITLE_CUES))
        body = x[offset:, :_STATEMENT_FEATURES]
        if not len(body):
            body = np.zeros((1, _STATEMENT_FEATURES))
        if p is None:
            p = _softmax(x @ self.coef.T + self.intercept).tolist()
        weights = ([HEADLINE_WEIGHT] * offset + [1.0] * LEAD_STATEMENTS + [BODY_WEIGHT] * len(x))[:len(x)]
        support = [_support([row[k] * weight for row, weight in zip(p, weights)])
                   for k in range(len(PRECEDENCE))]
        # The mean is a sum over a count, as ndarray.mean computes it.
        return np.concatenate([head, title, np.maximum.reduce(body[:LEAD_STATEMENTS]),
                               np.maximum.reduce(body), np.add.reduce(body) / len(body), support])

    def _blend(self, p: list[list[float]], tops: list[list[tuple[int, float]]]) -> list[list[float]]:
        """``p`` with the nearest examples' vote mixed in (``KNN_WEIGHT``), where they voted."""
        votes = []
        for top in tops:
            vote = [0.0] * len(LABELS)
            for j, sim in top:
                vote[self._label_index[j]] += sim
            votes.append(vote)
        # A vote's total as numpy sums a row (the blend was numpy's; its arithmetic is kept).
        totals = np.add.reduce(np.array(votes).reshape(len(tops), len(LABELS)), axis=1).tolist()
        keep = 1 - KNN_WEIGHT
        return [[keep * q + KNN_WEIGHT * v / total for q, v in zip(row, vote)] if total > 0 else row
                for row, vote, total in zip(p, votes, totals)]

    def _why(self, found: dict[str, str], label: str) -> list[dict]:
        """The cues that pushed hardest towards ``label`` (model weight > 0)."""
        weights = self._positive_weights[LABELS.index(label)]
        strongest = sorted([(weights[n], n) for n in found if n in weights], reverse=True)[:5]
        return [{"cue": n, "match": found[n], "weight": shown} for (_, shown), n in strongest]

    def classify(self, title: str | None, statements: list[str], published: str | None = None
                 ) -> DocumentResult:
        """Per unit (the headline, then the statements): the cue regression's
        probabilities blended with the nearest examples' vote; then the document."""
        units = ([title] if title else []) + list(statements)
        if not units:
            return DocumentResult("none", 1.0, [], {"reason": "no text"})
        # The cues found, with the title's cues as context, and the rows the regression reads.
        found = _with_context(cue_matches_many(units), _context_titles(title, len(units)), units)
        x = features(found)
        regression = _softmax(x @ self.coef.T + self.intercept).tolist()
        tops = self.tfidf.nearest_many(units, KNN_K)
        p = self._blend(regression, tops)
        cue_scores = _softmax((self._document_features(x, bool(title), regression) @ self.doc_coef.T
                               + self.doc_intercept)[None, :])[0]
        read = self.ngrams.probabilities(title, list(statements))
        doc_scores = ((cue_scores + NGRAM_WEIGHT * read) / (1 + NGRAM_WEIGHT)).tolist()
        # Every number the evidence shows, rounded at once: the units' probabilities, the
        # document's, and the similarities of the three nearest examples of each unit.
        shown = _rounded(np.array([q for row in p for q in row] + doc_scores
                                  + [sim for top in tops for _, sim in top[:3]]))
        size = len(units) * len(LABELS)
        shown_doc, shown_sims = shown[size:size + len(LABELS)], iter(shown[size + len(LABELS):])
        offset = 1 if title else 0
        results = []
        for i, (text, probabilities, top) in enumerate(zip(units, p, tops)):
            k = probabilities.index(max(probabilities))  # the first maximum, as np.argmax
            position = "headline" if i < offset else (
                "lead" if i - offset < LEAD_STATEMENTS else "body")
            scores = dict(zip(LABELS, shown[i * len(LABELS):(i + 1) * len(LABELS)]))
            nearest = []
            for j, _ in top[:3]:
                example, label, origin = self._example_evidence[j]
                nearest.append({"text": example, "label": label, "similarity": next(shown_sims),
                                "origin": origin})
            evidence = {
                "position": position,
                "cues": self._why(found[i], LABELS[k]),
                "speaker": _speaker(found[i]),
                "nearest": nearest,
                "scores": scores,
                "classifier": CLASSIFIER_VERSION,
            }
            results.append(StatementResult(text, LABELS[k], scores[LABELS[k]], evidence))
        label, confidence, doc_evidence = _document_label(doc_scores, shown_doc, p, results, bool(title))
        if title and "title_second_action" in found[0]:
            label, confidence = _second_action(label, confidence, p, results, doc_evidence)
        if title and label == "none" and "title_statement" in found[0] and not any(
                cue in found[0] for cue in STATEMENT_ABOUT_OTHERS):
            label, confidence = _statement_ending(label, confidence, units, found, results, doc_evidence, offset)
        if title and label == "new_policy" and "title_other_actor" in found[0]:
            label, confidence = _others_policy(label, confidence, units, found, doc_scores, shown_doc, p, results,
                                               doc_evidence, offset)
        unannounced = []
        if label == "reversal" or any(r.label == "reversal" for r in results):
            announced, unannounced = _announced_reversal(units, found, label == "reversal", results, offset)
            if announced or (label == "reversal" and read[LABELS.index("reversal")] >= NGRAM_SURE):
                unannounced = []
            else:
                label, confidence = _without_reversal(label, confidence, doc_scores, shown_doc, p, results,
                                                      doc_evidence, unannounced)
        label, confidence, relabelled = _consistent(label, confidence, p, results, doc_evidence)
        relabelled = sorted(set(relabelled) | {i for i, _ in unannounced})
        for i in relabelled:  # the cues that speak for the label they now carry
            results[i].evidence["cues"] = self._why(found[i], results[i].label)
        if title:
            doc_evidence["headline"] = {"label": results[0].label,
                                        "confidence": results[0].confidence}
        return DocumentResult(label, confidence, results[offset:], doc_evidence, title, published)


def _document_label(scores: list[float], shown: list[float], p: list[list[float]],
                    results: list[StatementResult], titled: bool) -> tuple[str, float, dict]:
    """The document regression's label (its ``scores``, ``shown`` rounded), with the
    statement that says it most strongly (by ``p``, the statements' probabilities)."""
    k = scores.index(max(scores))  # the first maximum, as np.argmax
    label = LABELS[k]
    evidence = {"scores": dict(zip(LABELS, shown))}
    if titled and (cues := title_cues(results[0].text)):
        evidence["title_cues"] = cues
    if label != "none":
        column = [row[k] for row in p]
        i = column.index(max(column))
        evidence["decided_by"] = {"text": _clip(results[i].text, 200),
                                  "position": results[i].evidence["position"]}
    return label, shown[k], evidence


def _announcing_units(units: list[str], offset: int) -> list[int]:
    """The headline and the lead: the first ``LEAD_STATEMENTS`` statements that are not a
    Federal Register heading field ("AGENCY: ...", "ACTION: Notice.")."""
    lead = [i for i in range(offset, len(units)) if not _FR_HEADING.match(units[i])][:LEAD_STATEMENTS]
    return list(range(offset)) + lead


_FR_HEADING = re.compile(r"(?:AGENCY|ACTION):")


def _announced_reversal(units: list[str], found: list[dict[str, str]], document_reversal: bool,
                        results: list[StatementResult], offset: int) -> tuple[bool, list[tuple[int, str]]]:
    """Whether the document announces a reversal of its own: its headline or lead holds
    an ending (in a unit labelled reversal, or in any such unit when the document
    regression found a reversal, ``document_reversal``) that is the department's act now
    (``own_act.ending_is_own``), not an ending that is the setting of other news,
    another actor's, a single office's or history. Mentions of an ending deeper in the
    text are background, quotes and reactions. Returns that, and the reversal units
    that are not such an announcement, each with why not."""
    announcing = set(_announcing_units(units, offset))
    announced, unannounced = False, []
    for i, result in enumerate(results):
        if result.label != "reversal" and not (document_reversal and i in announcing):
            continue
        own, why = ending_is_own(units[i], found[i], headline=i < offset)
        if own and i in announcing:
            announced = True
        elif result.label == "reversal":
            unannounced.append((i, why if not own else "not in the headline or lead"))
    return announced, unannounced


def _without_reversal(label: str, confidence: float, scores: list[float], shown: list[float],
                      p: list[list[float]], results: list[StatementResult], evidence: dict,
                      unannounced: list[tuple[int, str]]) -> tuple[str, float]:
    """No reversal announced: the units that said one take their best other label, and
    the document its best other label if it was a reversal."""
    for i, why in unannounced:
        results[i].evidence["not_announced"] = why
        best = max(range(1, len(LABELS)), key=lambda k: p[i][k])
        results[i].evidence["outranked_document"] = results[i].label
        results[i].label, results[i].confidence = LABELS[best], results[i].evidence["scores"][LABELS[best]]
    if label != "reversal":
        return label, confidence
    k = max(range(1, len(LABELS)), key=lambda j: scores[j])
    evidence["reversal_not_announced"] = True
    evidence.pop("decided_by", None)
    if LABELS[k] != "none":
        column = [row[k] for row in p]
        i = column.index(max(column))
        evidence["decided_by"] = {"text": _clip(results[i].text, 200),
                                  "position": results[i].evidence["position"]}
    return LABELS[k], shown[k]


def _second_action(label: str, confidence: float, p: list[list[float]], results: list[StatementResult],
                   evidence: dict) -> tuple[str, float]:
    """A headline of two clauses whose second is an action ("...Monthly Update; Suspends
    ...", "Screens Record ..., Announces ..."): the release reports and acts, and the act
    outranks the figures. The document takes the most significant label a unit holds with
    probability ``SECOND_ACTION_SUPPORT`` or more, if that outranks its own."""
    for k, candidate in enumerate(PRECEDENCE[:LABELS.index(label)]):
        column = [row[k] for row in p]
        i = column.index(max(column))
        if column[i] >= SECOND_ACTION_SUPPORT:
            evidence["decided_by"] = {"text": _clip(results[i].text, 200),
                                      "position": results[i].evidence["position"]}
            evidence["second_action"] = candidate
            return candidate, round(column[i], 3)
    return label, confidence


#: Headline genres of a statement about another's act, or explaining: its lead's endings are theirs.
STATEMENT_ABOUT_OTHERS = ("title_court", "title_reaction", "title_explanation", "title_denial", "title_correction",
                          "title_admin_notice", "title_other_actor", "title_readout")


def _statement_ending(label: str, confidence: float, units: list[str], found: list[dict[str, str]],
                      results: list[StatementResult], evidence: dict, offset: int) -> tuple[str, float]:
    """A "Statement by the Secretary" whose lead has the department itself ending something
    ("Today the Department is ending the ... policy") announces that ending: the genre of
    the headline (statements are mostly reactions) does not outweigh the lead's own act.
    Not when the headline says the statement is about someone else's act or explains
    (``STATEMENT_ABOUT_OTHERS``)."""
    for i in _announcing_units(units, offset)[offset:]:
        if "department" not in found[i] or not any(cue in found[i] for cue in ENDING_CUES):
            continue
        own, _ = ending_is_own(units[i], found[i], headline=False)
        if own:
            evidence["decided_by"] = {"text": _clip(results[i].text, 200), "position": results[i].evidence["position"]}
            evidence["statement_ending"] = True
            return "reversal", results[i].evidence["scores"]["reversal"]
    return label, confidence


def _others_policy(label: str, confidence: float, units: list[str], found: list[dict[str, str]],
                   scores: list[float], shown: list[float], p: list[list[float]], results: list[StatementResult],
                   evidence: dict, offset: int) -> tuple[str, float]:
    """A headline whose subject is another actor (a state, its lawmakers, a court) over a lead
    telling that actor's act ("Gov. ... signed a bill requiring ..."): what it requires is its
    own policy, not the department's. The document, and the lead statements telling that
    act, take their best label below new_policy."""
    lead = [i for i in _announcing_units(units, offset) if i >= offset and "other_actor" in found[i]]
    if not lead:
        return label, confidence
    below = range(LABELS.index("statistic_update"), len(LABELS))
    for i in lead:
        if results[i].label in PRECEDENCE[:2]:
            best = max(below, key=lambda j: p[i][j])
            results[i].evidence["outranked_document"] = results[i].label
            results[i].label, results[i].confidence = LABELS[best], results[i].evidence["scores"][LABELS[best]]
    k = max(below, key=lambda j: scores[j])
    evidence["others_policy"] = True
    evidence.pop("decided_by", None)
    return LABELS[k], shown[k]


def _context_titles(title: str | None, units: int) -> list[str | None]:
    """The headline each unit (the headline itself, then the statements) reads as context."""
    offset = 1 if title else 0
    return [title] * offset + [context_title(title, i) for i in range(units - offset)]


def _with_context(found: list[dict[str, str]], titles: list[str | None], texts: list[str]
                  ) -> list[dict[str, str]]:
    """Each text's cues plus the cues of its document's headline (those of
    ``HEADLINE_ONLY_CUES`` for the headline itself only)."""
    for cues, title, text in zip(found, titles, texts):
        if title:
            cues.update(title_cues(title))
            if text != title:
                for name in HEADLINE_ONLY_CUES:
                    cues.pop(name, None)
    return found


def _consistent(label: str, confidence: float, p: list[list[float]], results: list[StatementResult],
                evidence: dict) -> tuple[str, float, list[int]]:
    """Make the document's label and its statements' labels agree: the document takes the
    most significant label among its statements, and no statement outranks it.

    A short text (``SHORT_TEXT`` units or fewer) is what its statements say: its only
    policy statement decides it. A longer one was decided on all its statements together,
    which outweighs one statement: a statement outranking it takes its best label the
    document allows, and a document label no statement holds goes to the statement that
    decided it. Returns the document's label and confidence, and which statements were
    relabelled.
    """
    ranked = [r.label for r in results]
    strongest = min(ranked, key=LABELS.index)
    if len(results) <= SHORT_TEXT and LABELS.index(strongest) < LABELS.index(label):
        i = ranked.index(strongest)
        evidence["decided_by"] = {"text": _clip(results[i].text, 200),
                                  "position": results[i].evidence["position"]}
        return strongest, results[i].confidence, []
    relabelled = []
    allowed = [LABELS.index(k) for k in LABELS[LABELS.index(label):]]
    for i, result in enumerate(results):
        if LABELS.index(result.label) < LABELS.index(label):
            best = max(allowed, key=lambda k: p[i][k])
            result.evidence["outranked_document"] = result.label
            result.label, result.confidence = LABELS[best], result.evidence["scores"][LABELS[best]]
            relabelled.append(i)
    if label != "none" and label not in {r.label for r in results}:
        decided = next((i for i, r in enumerate(results)
                        if _clip(r.text, 200) == evidence.get("decided_by", {}).get("text")), None)
        if decided is None:
            column = [row[LABELS.index(label)] for row in p]
            decided = column.index(max(column))  # the first maximum, as np.argmax
        results[decided].label = label
        results[decided].confidence = results[decided].evidence["scores"][label]
        relabelled.append(decided)
    return label, confidence, relabelled


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


def _support(column: list[float]) -> float:
    """The strongest statement, plus half the second: two statements saying the same
    thing (a headline and its lead, an announcement and its quote) outweigh one."""
    top = sorted(column, reverse=True)
    return min(1.0, top[0] + SECOND_STATEMENT_WEIGHT * (top[1] if len(top) > 1 else 0.0))


def _speaker(found: dict[str, str]) -> str | None:
    """Who is talking: a critic quoted by a reporter is not the department announcing."""
    if "critic" in found and ("quote" in found or "commentary" in found):
        return "critic"
    if "department" in found:
        return "department"
    return None


def _softmax(z: np.ndarray) -> np.ndarray:
    # The ufuncs' reduce, not ndarray.max/sum: the same arithmetic without their Python wrappers.
    z = z - np.maximum.reduce(z, axis=1, keepdims=True)
    e = np.exp(z)
    return e / np.add.reduce(e, axis=1, keepdims=True)


def _prior_matrix() -> np.ndarray:
    prior = np.zeros((len(LABELS), len(FEATURES)))
    for feature, weights in PRIOR_WEIGHTS.items():
        for label, weight in weights.items():
            prior[LABELS.index(label), FEATURES.index(feature)] = weight
    return prior


def _fit_logistic(x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float,
                  steps: int = 500, rate: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, classes weighted to equal total mass, L2 towards ``prior``.

    Full-batch gradient descent, deterministic. Identical examples (most ``none``
    statements fire the same few cues) are one row weighted by how often it occurs: the
    same loss, a fraction of the work.
    """
    n = len(x)
    n_classes = prior.shape[0]
    class_weight = n / (n_classes * np.maximum(np.bincount(y, minlength=n_classes), 1))
    rows, multiplicity = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    x, y = rows[:, :-1], rows[:, -1].astype(int)
    onehot = np.eye(n_classes)[y]
    sample_weight = (class_weight[y] * multiplicity)[:, None]
    coef, intercept = prior.copy(), np.zeros(n_classes)
    # einsum, not @: these products are small, and a threaded BLAS spends far longer
    # starting threads on them than computing, several times longer on a busy machine.
    for _ in range(steps):
        residual = (_softmax(np.einsum("nf,cf->nc", x, coef) + intercept) - onehot) * sample_weight
        coef -= rate * (np.einsum("nc,nf->cf", residual, x) / n + strength * (coef - prior))
        intercept -= rate * residual.sum(axis=0) / n
    return coef, intercept


def _clip(text: str, size: int = 160) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def fit(devset: list[dict], baseline: list[dict], documents: list[dict] = (),
        writers: Iterable[dict] | None = None) -> Model:
    """A model learning from the dev set documents, the gold baseline and own-words
    documents; its n-gram reader also from other writers' sets (``writer_documents()``
    unless given)."""
    writers = writer_documents() if writers is None else writers
    return Model(training_examples(devset, baseline, documents),
                 labelled_documents(devset, baseline, documents),
                 labelled_documents([], [], list(writers)))


#: Readers' corrections as training documents, with the key they were read under
#: (``monitor.corrections.use_corrections``): they join the packaged data at the next fit.
_corrections: tuple[object, tuple[dict, ...]] = (None, ())


def set_corrections(key: object, documents: Callable[[], Iterable[dict]] | Iterable[dict]) -> None:
    """Learn from these corrected documents from the next fit on. ``documents`` (or what
    calling it returns) are read only when ``key`` differs from the last one given."""
    global _corrections
    if key != _corrections[0]:
        _corrections = (key, tuple(documents() if callable(documents) else documents))
        default_model.cache_clear()


def corrections() -> tuple[object, tuple[dict, ...]]:
    """(key, documents) of the corrections in use, e.g. to hand to a worker process."""
    return _corrections


@lru_cache(maxsize=1)
def default_model() -> Model:
    """Fitted once per process from the packaged data (training splits only) and any
    readers' corrections (``set_corrections``)."""
    return fit(tune_documents(), load_gold_baseline(), training_documents() + list(_corrections[1]))


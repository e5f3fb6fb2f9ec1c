"""Label DHS statements and documents as policy changes, with the evidence behind each label.

Labels (the digest's vocabulary; also in ``monitor/data/LABELS.md``):

``new_policy``
    Announces a new rule, memo, program, process, guideline, restriction, designation
    or operational practice that takes or will take effect, including an expansion of
    an existing program to new places or populations.
``reversal``
    Ends, rescinds, terminates, suspends, pauses or withdraws a previously established
    policy or practice, stops defending it, reinstates one that had been ended, or
    explicitly walks back an earlier announcement.
``statistic_update``
    Reports new figures for a recurring operational metric (border encounters or
    apprehensions, removals, detention population, passengers screened, case backlogs,
    processing times), usually for a period and often compared with an earlier one.
``none``
    Everything else: enforcement actions against individuals or gangs, single
    seizures, disaster aid, meetings and readouts, personnel news, speeches without a
    policy change, commentary and reactions, ceremonies, boilerplate.

A document holding several kinds takes the most significant:
reversal > new_policy > statistic_update > none, and its label never contradicts its
statements' (``model._consistent``). A document is a reversal only when its headline or
lead announces one as the department's own act (``own_act``): an ending that is the setting
of other news, another actor's act, history, a possibility or a mere mention does not count.

How. Each statement is described by linguistic cues that carry over to unseen wording
(verbs of establishing vs ending, "no longer", reinstatement, effective dates and future
tense, rule/memo vocabulary, a figure with a metric and a period, enforcement/meeting/
ceremony vocabulary, and who speaks) plus its headline's genre cues ("Readout of",
"Monthly Update", "Delay of Effective Date", ...). A logistic regression over those cues,
pulled towards hand-set prior weights that encode what each cue means, is blended with
the labels of the nearest examples by TF-IDF similarity; a second regression labels the
document from its headline, lead and body cues and the statements' support. Both are
fitted at first use (plain numpy, no pickles) from the packaged data: the gold baseline,
the dev set's *tune* split, the own-words training documents less their held-out fifth
(``monitor/data/training``), and readers' corrections (``set_corrections``).

Modules: ``cues`` (what a text says), ``own_act`` (whose ending it is), ``data``
(labelled examples), ``tfidf`` (nearest examples), ``model`` (the fit and the labels), ``evaluate`` (scores). Figures are read
by ``monitor.figures``.
"""

from __future__ import annotations

import re

from monitor.classify.cues import CUES, cue_matches, cue_matches_many
from monitor.classify.data import (
    DATA_DIR, LABELS, PRECEDENCE, Example, held_out, load_corpus, load_devset, load_gold_baseline,
    training_documents, training_examples, tune_documents,
)
from monitor.classify.evaluate import (
    evaluate_corpus, evaluate_devset, evaluate_documents, leave_one_article_out, scores_report,
)
from monitor.classify.model import (
    CLASSIFIER_VERSION, DocumentResult, Model, StatementResult, corrections, default_model,
    set_corrections,
)
from monitor.classify.tfidf import TfidfIndex
from monitor.statements import split_statements

__all__ = [
    "CLASSIFIER_VERSION", "CUES", "DATA_DIR", "LABELS", "PRECEDENCE", "DocumentResult",
    "Example", "Model", "StatementResult", "held_out", "TfidfIndex", "classify_document",
    "classify_text", "corrections", "cue_matches", "cue_matches_many", "default_model", "evaluate_corpus",
    "evaluate_devset", "evaluate_documents", "leave_one_article_out",
    "load_corpus", "load_devset", "load_gold_baseline", "scores_report", "set_corrections",
    "training_documents",
    "training_examples", "tune_documents",
]


def classify_document(title: str | None, statements: list[str], published: str | None = None
                      ) -> DocumentResult:
    """Label each statement, then the document (reversal > new_policy > statistic_update > none)."""
    return default_model().classify(title, statements, published)


_HTML = re.compile(r"<(?:html|body|article|div|p|h1)\b", re.IGNORECASE)


def classify_text(text_or_html: str) -> DocumentResult:
    """Classify an article given as HTML (extracted first) or plain text (short first line = title)."""
    if _HTML.search(text_or_html[:5000]):
        from monitor.extract import extract_article

        article = extract_article(text_or_html, "file:///dev/stdin")
        return classify_document(article.title, split_statements(article.text), article.published)
    lines = text_or_html.strip().split("\n", 1)
    title = None
    if len(lines) == 2 and 0 < len(lines[0].split()) <= 20 and not lines[0].rstrip().endswith("."):
        title, text_or_html = lines[0].strip(), lines[1]
    return classify_document(title, split_statements(text_or_html))

"""How good the labels are: scores on the held-out splits, cross-validation, threshold
tuning, and any labelled corpus (``policy-monitor evaluate``)."""

from __future__ import annotations

from collections import defaultdict


from monitor.classify.data import (
    LABELS, load_devset, load_gold_baseline, statement_gold, training_documents,
    tune_documents,
)
from monitor.classify.model import Model, default_model, fit
from monitor.statements import split_statements


def out_of_fold_scores(tune_docs: list[dict], baseline: list[dict], folds: int = 5,
                       own: list[dict] = ()) -> list[tuple[str, dict, str]]:
    """(gold label, per-label document scores, predicted label) for each dev-set tune
    document and own-words training document, scored by a model fitted without its
    fold: a model scores its own training documents too confidently."""
    docs = [(doc, False) for doc in tune_docs] + [(doc, True) for doc in own]
    scored: list[tuple[str, dict, str]] = []
    for fold in range(folds):
        rest = [d for i, d in enumerate(docs) if i % folds != fold]
        model = fit([d for d, is_own in rest if not is_own], baseline, [d for d, is_own in rest if is_own])
        for doc, _ in docs[fold::folds]:
            result = model.classify(doc["title"], split_statements(doc["text"]), _published(doc))
            scored.append((doc["label"], result.evidence["scores"], result.label))
    return scored


def cross_validate_tune(scored: list[tuple[str, dict, str]]) -> dict:
    """Document scores of ``out_of_fold_scores``."""
    return scores_report([g for g, _, _ in scored], [p for _, _, p in scored])


def scores_report(gold: list[str], predicted: list[str]) -> dict:
    """Per-class precision/recall/F1, macro-F1 over the labels present, confusion matrix."""
    labels = [label for label in LABELS if label in set(gold) | set(predicted)]
    per_class = {}
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(precision, 3), "recall": round(recall, 3),
                            "f1": round(f1, 3), "support": tp + fn}
    macro = sum(per_class[label]["f1"] for label in labels) / len(labels) if labels else 0.0
    confusion = {g: {p: sum(1 for a, b in zip(gold, predicted) if a == g and b == p)
                     for p in labels} for g in labels}
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    return {"per_class": per_class, "macro_f1": round(macro, 3), "accuracy": round(accuracy, 3),
            "confusion": confusion, "n": len(gold)}


def evaluate_devset(model: Model, split: str = "test") -> tuple[dict, dict, list[dict]]:
    """Document and statement scores on one split of the dev set, and the misclassified documents."""
    docs = [d for d in load_devset() if d["split"] == split]
    gold, predicted, errors, st_gold, st_pred = [], [], [], [], []
    for doc in docs:
        result = model.classify(doc["title"], split_statements(doc["text"]), doc["published"])
        gold.append(doc["label"])
        predicted.append(result.label)
        if result.label != doc["label"]:
            errors.append({"id": doc["id"], "title": doc["title"], "gold": doc["label"],
                           "predicted": result.label, "scores": result.evidence["scores"]})
        labels = statement_gold(doc)
        if labels:
            st_gold += labels
            st_pred += [s.label for s in result.statements]
    return scores_report(gold, predicted), scores_report(st_gold, st_pred), errors


def leave_one_article_out() -> dict:
    """Each baseline article classified by a model fitted without it (the training data
    and the other four)."""
    devset, own = tune_documents(), training_documents()
    baseline = load_gold_baseline()
    rows, doc_gold, doc_pred, st_gold, st_pred = [], [], [], [], []
    for held in baseline:
        model = fit(devset, [d for d in baseline if d is not held], own)
        # The headline was written with the gold label in mind: judge the article text alone.
        result = model.classify(None, [s["text"] for s in held["statements"]], held["published"])
        rows.append({"file": held["file"], "gold": held["label"], "predicted": result.label,
                     "confidence": result.confidence})
        doc_gold.append(held["label"])
        doc_pred.append(result.label)
        st_gold += [s["label"] for s in held["statements"]]
        st_pred += [r.label for r in result.statements]
    return {"documents": rows, "document_scores": scores_report(doc_gold, doc_pred),
            "statement_scores": scores_report(st_gold, st_pred)}



def _published(doc: dict) -> str | None:
    return doc.get("published") or doc.get("date") or None


def _predict(model: Model, doc: dict) -> str:
    return model.classify(doc.get("title"), split_statements(doc["text"]), _published(doc)).label


def evaluate_documents(model: Model, docs: list[dict], by: str | None = None) -> dict:
    """``report_predictions`` of ``model`` on ``docs``."""
    return report_predictions(docs, [_predict(model, doc) for doc in docs], by)


def evaluate_corpus(docs: list[dict], folds: int = 0, by: str | None = None) -> dict:
    """Score a labelled corpus with the packaged model (which never saw it), or with
    ``folds`` > 1 by cross-validation: each fold is scored by a model that also trained
    on the corpus's other folds (for a corpus used in training or tuning)."""
    if folds <= 1:
        return evaluate_documents(default_model(), docs, by)
    devset, baseline, own = tune_documents(), load_gold_baseline(), training_documents()
    predicted = [""] * len(docs)
    for fold in range(folds):
        rest = [d for i, d in enumerate(docs) if i % folds != fold]
        model = fit(devset, baseline, own + rest)
        for i in range(fold, len(docs), folds):
            predicted[i] = _predict(model, docs[i])
    report = report_predictions(docs, predicted, by)
    report["folds"] = folds
    return report


def report_predictions(docs: list[dict], predicted: list[str], by: str | None = None) -> dict:
    """``scores_report`` plus the reversal precision (a false reversal is the costliest
    error: it tells readers a policy ended), the misclassified documents and, with ``by``
    (a field such as ``genre``), accuracy per value of that field."""
    gold = [doc["label"] for doc in docs]
    report = scores_report(gold, predicted)
    report["reversal_precision"] = report["per_class"]["reversal"]["precision"]
    report["errors"] = [{"id": doc["id"], "title": doc.get("title"), "gold": g, "predicted": p,
                         **({by: doc.get(by)} if by else {})}
                        for doc, g, p in zip(docs, gold, predicted) if g != p]
    if by:
        groups: dict[str, list[bool]] = defaultdict(list)
        for doc, g, p in zip(docs, gold, predicted):
            groups[str(doc.get(by) or "(none)")].append(g == p)
        report["by"] = {value: {"n": len(hits), "correct": sum(hits),
                                "accuracy": round(sum(hits) / len(hits), 3)}
                        for value, hits in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))}
    return report

"""Labels on writers the model did not learn from: the cue model alone against the cue
model with the n-gram reader (``monitor.classify.ngrams``).

Every labelled set here was written by a different contributor in their own voice. For
each set the n-gram reader learns from, the model is fitted with that set left out, so
its figure is for a writer it never read (the cue rules were tuned on those sets: they
flatter the cue model, not the reader). Untouched sets, never read by anyone changing the
code, are scored with the packaged model. Prints aggregates only (macro-F1 and reversal
precision), so scoring an untouched set does not spend it.

    python benchmarks/labels_by_writer.py [--corpus FILE ...]

``--corpus`` adds untouched sets, such as the real-text file kept outside the repository.
"""

import argparse
from pathlib import Path

from monitor.classify import model
from monitor.classify.data import (
    DATA_DIR, WRITER_SETS, load_corpus, load_gold_baseline, training_documents, tune_documents,
)
from monitor.classify.evaluate import evaluate_documents

UNTOUCHED = ("blind3/labels-b.jsonl", "blind5/labels.jsonl", "blind9/labels.jsonl")


def writers() -> dict[str, list[str]]:
    """``WRITER_SETS`` by writer: a blind set's folder, a file of ``writers/``, or the
    mechanism sets together."""
    grouped: dict[str, list[str]] = {}
    for name in WRITER_SETS:
        folder, file = name.split("/")
        key = {"labels": "labels (mechanism sets)", "writers": file}.get(folder, folder)
        grouped.setdefault(key, []).append(name)
    return grouped


def score(fitted: model.Model, docs: list[dict], ngram_weight: float) -> str:
    kept = model.NGRAM_WEIGHT, model.NGRAM_SURE
    model.NGRAM_WEIGHT = ngram_weight
    if not ngram_weight:
        model.NGRAM_SURE = 2.0  # no reader: no reversal it is sure of
    try:
        report = evaluate_documents(fitted, docs)
    finally:
        model.NGRAM_WEIGHT, model.NGRAM_SURE = kept
    return f"{report['macro_f1']:.3f} / {report['reversal_precision']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", default=[], type=Path,
                        help="an untouched labelled JSONL to score too")
    args = parser.parse_args()
    devset, baseline, own = tune_documents(), load_gold_baseline(), training_documents()
    print(f"{'set':<34}{'docs':>6}   {'cue model alone':>17}   {'with n-gram reader':>18}")
    print("macro-F1 / reversal precision; reader fitted without the set's writer")
    groups = writers()
    for key, names in groups.items():
        docs = [d for n in names for d in load_corpus(DATA_DIR / n)]
        others = [d for k, ns in groups.items() if k != key for n in ns for d in load_corpus(DATA_DIR / n)]
        fitted = model.fit(devset, baseline, own, writers=others)
        print(f"{key:<34}{len(docs):>6}   {score(fitted, docs, 0.0):>17}   "
              f"{score(fitted, docs, model.NGRAM_WEIGHT):>18}")
    print("untouched: the packaged model")
    packaged = model.fit(devset, baseline, own)
    for path in [DATA_DIR / n for n in UNTOUCHED] + args.corpus:
        docs = load_corpus(path)
        name = str(path.relative_to(DATA_DIR)) if path.is_relative_to(DATA_DIR) else path.name
        print(f"{name:<34}{len(docs):>6}   {score(packaged, docs, 0.0):>17}   "
              f"{score(packaged, docs, model.NGRAM_WEIGHT):>18}")


if __name__ == "__main__":
    main()

"""Classification throughput (statements/s, one core) against a naive keyword regex.

The naive baseline is what a user might otherwise run: one regex per label over each
statement, first match wins in precedence order. Both are timed on the same statements
(every dev-set and baseline statement, repeated to ~20,000), grouped into their
documents as the pipeline does, and both are scored on the held-out test split so the
speed is seen next to what it buys.

    python benchmarks/classify_throughput.py
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # single core

import re  # noqa: E402
import time  # noqa: E402

from monitor.classify import (  # noqa: E402
    PRECEDENCE, classify_document, default_model, load_devset, load_gold_baseline, scores_report,
)
from monitor.statements import split_statements  # noqa: E402

NAIVE = {
    "reversal": re.compile(r"\b(terminat\w*|rescind\w*|revok\w*|end(s|ed|ing)?|no longer|suspend\w*)\b", re.I),
    "new_policy": re.compile(r"\b(announc\w*|new|launch\w*|rule|policy|program)\b", re.I),
    "statistic_update": re.compile(r"\d[\d,.]*\s*(percent|%|million)?|\brecord\b", re.I),
}


def naive_statement(text: str) -> str:
    return next((label for label in PRECEDENCE if NAIVE[label].search(text)), "none")


def naive_document(title, statements) -> str:
    labels = {naive_statement(t) for t in ([title] if title else []) + statements}
    return next((label for label in PRECEDENCE if label in labels), "none")


def corpus(target: int = 20_000) -> list[tuple[str, list[str]]]:
    docs = [(d["title"], split_statements(d["text"])) for d in load_devset()]
    docs += [(d["title"], [s["text"] for s in d["statements"]]) for d in load_gold_baseline()]
    per_round = sum(len(s) for _, s in docs)
    return docs * max(1, target // per_round)


def rate(fn, docs) -> tuple[float, int]:
    n = sum(len(s) for _, s in docs)
    start = time.perf_counter()
    for title, statements in docs:
        fn(title, statements)
    return n / (time.perf_counter() - start), n


def main() -> None:
    start = time.perf_counter()
    default_model()
    load_seconds = time.perf_counter() - start
    docs = corpus()
    ours, n = rate(classify_document, docs)
    naive, _ = rate(naive_document, docs)
    test = [d for d in load_devset() if d["split"] == "test"]
    gold = [d["label"] for d in test]
    split = [(d["title"], split_statements(d["text"])) for d in test]
    ours_f1 = scores_report(gold, [classify_document(t, s).label for t, s in split])["macro_f1"]
    naive_f1 = scores_report(gold, [naive_document(t, s) for t, s in split])["macro_f1"]
    print(f"model load (fit from packaged data): {load_seconds:.2f} s")
    print(f"{n:,} statements in {len(docs):,} documents, one core")
    print(f"{'':<28}{'statements/s':>14}{'test macro-F1':>15}")
    print(f"{'policy-monitor classifier':<28}{ours:>14,.0f}{ours_f1:>15.3f}")
    print(f"{'naive keyword regex':<28}{naive:>14,.0f}{naive_f1:>15.3f}")


if __name__ == "__main__":
    main()

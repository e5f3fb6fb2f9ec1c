"""Classification throughput (statements/s, one core) against a naive keyword regex.

The naive baseline is what a user might otherwise run: one regex per label over each
statement, first match wins in precedence order. Both are timed on the same statements
(every dev-set and baseline statement, repeated to ~20,000), grouped into their
documents as the pipeline does, and both are scored on the held-out test split so the
speed is seen next to what it buys.

    python benchmarks/classify_throughput.py
    python benchmarks/classify_throughput.py --baseline main --rounds 3

``--baseline REV`` times this code and the ``monitor`` package of a git revision in
turns, each round in fresh processes, and prints the medians and their ratio: on a
shared machine the load moves both alike, so the ratio is steadier than either figure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # single core

import re  # noqa: E402
import time  # noqa: E402

from monitor.classify import (  # noqa: E402
    PRECEDENCE, classify_document, default_model, load_devset, load_gold_baseline, scores_report,
)
from monitor.statements import split_statements  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

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


def measure() -> dict:
    start = time.perf_counter()
    default_model()
    load_seconds = time.perf_counter() - start
    docs = corpus()
    ours, n = rate(classify_document, docs)
    naive, _ = rate(naive_document, docs)
    test = [d for d in load_devset() if d["split"] == "test"]
    gold = [d["label"] for d in test]
    split = [(d["title"], split_statements(d["text"])) for d in test]
    return {"load_seconds": load_seconds, "statements": n, "documents": len(docs), "ours": ours,
            "naive": naive,
            "ours_f1": scores_report(gold, [classify_document(t, s).label for t, s in split])["macro_f1"],
            "naive_f1": scores_report(gold, [naive_document(t, s) for t, s in split])["macro_f1"]}


def report(m: dict) -> None:
    print(f"model load (fit from packaged data): {m['load_seconds']:.2f} s")
    print(f"{m['statements']:,} statements in {m['documents']:,} documents, one core")
    print(f"{'':<28}{'statements/s':>14}{'test macro-F1':>15}")
    print(f"{'policy-monitor classifier':<28}{m['ours']:>14,.0f}{m['ours_f1']:>15.3f}")
    print(f"{'naive keyword regex':<28}{m['naive']:>14,.0f}{m['naive_f1']:>15.3f}")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def compare(baseline: str, rounds: int) -> None:
    """Alternate this code and ``baseline``'s monitor package, one fresh process each."""
    try:
        commit = _git("rev-parse", "--short", baseline)
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "monitor")
    except (OSError, subprocess.CalledProcessError):
        sys.exit(f"Error: {baseline!r} is not a revision of {REPO}")
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "archive", commit, "monitor"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        versions = {f"this code ({head}{', uncommitted changes' if dirty else ''})": str(REPO),
                    f"baseline ({commit})": folder}
        figures: dict[str, list[float]] = {name: [] for name in versions}
        print(f"{'round':<7}{'code':<42}{'statements/s':>14}{'load average':>14}")
        for round_ in range(1, rounds + 1):
            for name, root in versions.items():
                load = os.getloadavg()[0]
                out = subprocess.run([sys.executable, __file__, "--json"], capture_output=True, text=True,
                                     check=True, env={**os.environ, "PYTHONPATH": root}).stdout
                figures[name].append(json.loads(out)["ours"])
                print(f"{round_:<7}{name:<42}{figures[name][-1]:>14,.0f}{load:>14.2f}", flush=True)
    (ours, mine), (theirs, base) = figures.items()
    print(f"median of {rounds}: {ours} {median(mine):,.0f}, {theirs} {median(base):,.0f} statements/s: "
          f"{median(mine) / median(base):.2f}x (per round: "
          + ", ".join(f"{a / b:.2f}x" for a, b in zip(mine, base)) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also time this git revision's classifier, in turns")
    parser.add_argument("--rounds", type=int, default=3, help="rounds with --baseline (default 3)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure()))
    elif args.baseline:
        compare(args.baseline, args.rounds)
    else:
        report(measure())


if __name__ == "__main__":
    main()

"""What reading figures from releases of any label costs a crawl (one core).

`series.record_statistics` used to read figures only from statistics releases; it now
also reads the periodic statistics other releases quote. Both ways are timed here on the
same documents, the own-words training set (923 releases of every label; the gold label
stands in for the classifier's), as the crawl's figure stage runs them: every figure of
a statistics release; for any other release, the quick test
(`figures.may_hold_figures`), then the figure model and its gate on those that pass.

    python benchmarks/figures_throughput.py [--repeat 3]
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # single core

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from monitor.figures import extract_document, may_hold_figures  # noqa: E402
from monitor.series import statistics_quoted  # noqa: E402
from monitor.statements import split_statements  # noqa: E402

TRAINING = Path(__file__).parent.parent / "monitor" / "data" / "training"


def documents() -> list[dict]:
    docs = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                docs.append({"title": d["title"], "statements": split_statements(d["text"]),
                             "published": d.get("date"), "agency": d.get("agency"),
                             "statistics": d["label"] == "statistic_update"})
    return docs


def label_gate(docs) -> int:
    """The figures of statistics releases only (the code before)."""
    return sum(len(f) for d in docs if d["statistics"]
               for f in extract_document(d["title"], d["statements"], d["published"], d["agency"]))


def figure_gate(docs) -> int:
    """Those, and the periodic statistics any other release quotes (the code now)."""
    count = 0
    for d in docs:
        if not d["statistics"] and not may_hold_figures(d["statements"]):
            continue
        found = extract_document(d["title"], d["statements"], d["published"], d["agency"])
        if not d["statistics"]:
            found = statistics_quoted(found, d["published"])
        count += sum(len(f) for f in found)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = documents()
    n = sum(len(d["statements"]) for d in docs)
    print(f"{len(docs):,} releases ({sum(d['statistics'] for d in docs)} statistics releases), "
          f"{n:,} statements, one core, median of {args.repeat}")
    print(f"{'':<40}{'seconds':>9}{'statements/s':>14}{'figures':>9}")
    for name, stage in (("statistics releases only (before)", label_gate),
                        ("any release, figure-model gate (now)", figure_gate)):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            figures = stage(docs)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        print(f"{name:<40}{seconds:>9.3f}{n / seconds:>14,.0f}{figures:>9}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Disk per document and digest time on a stored history, before and after this code's migration.

    python benchmarks/storage.py HISTORY.db [--before "COMMAND"] [--repeat 3]

``HISTORY.db`` is any policy-monitor database, e.g. the one
``benchmarks/fetch_benchmark.py --articles 20000 --keep DIR`` leaves in
``DIR/round-1/bench.db``. It is never modified: the benchmark works on a copy in a
temporary folder (free space: twice the database's size, the copy and its migration).

1. Bytes per document of the copy as it is, and its largest tables and indexes (dbstat).
2. With ``--before COMMAND`` (an older release's ``policy-monitor``, e.g.
   ``"env PYTHONPATH=/path/to/old/checkout python -m monitor"``): that command's
   all-time and one-week digests on the copy, the baseline of the same run.
3. Opens the copy with this checkout's code, which migrates it (timed), and prints
   the same figures after; then this code's digests, timed the same way.

Digests are timed as commands (start-up included), the median of ``--repeat`` runs,
with user+system CPU beside wall-clock time and the load average: on a shared machine
wall-clock time says more about the neighbours than about the code.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ALL_TIME = ["--since", "2017-01-01", "--until", "2026-12-31", "--include-backlog"]


def sizes(db: Path, top: int = 8) -> tuple[int, int, list[tuple[str, int]]]:
    """(file bytes, documents, the largest tables and indexes by bytes)."""
    conn = sqlite3.connect(db)
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    largest = conn.execute("select name, sum(pgsize) from dbstat group by name"
                           " order by 2 desc limit ?", [top]).fetchall()
    conn.close()
    return db.stat().st_size, documents, largest


def report(title: str, db: Path) -> int:
    size, documents, largest = sizes(db)
    print(f"{title}: {size:,} bytes, {documents:,} documents, "
          f"{size / max(documents, 1) / 1000:.1f} KB per document")
    for name, pages in largest:
        print(f"    {name:<48} {pages / max(documents, 1):8,.0f} bytes per document")
    return size // max(documents, 1)


def timed(command: list[str], repeat: int, timeout: float) -> str:
    """Median wall and CPU seconds of a command; 'not finished' past ``timeout``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout,
                           cwd=tempfile.gettempdir(),  # no checkout's monitor/ on sys.path
                           env=os.environ | {"POLICY_MONITOR_SETTINGS": "", "OMP_NUM_THREADS": "1"})
        except subprocess.TimeoutExpired:
            return f"not finished after {timeout:.0f} s (load {os.getloadavg()[0]:.1f})"
        after = os.times()
        walls.append(time.perf_counter() - start)
        cpus.append(after.children_user + after.children_system
                    - before.children_user - before.children_system)
    return (f"{statistics.median(walls):6.2f} s wall, {statistics.median(cpus):6.2f} s CPU"
            f" (median of {repeat}; load {os.getloadavg()[0]:.1f})")


def digests(program: list[str], db: Path, out: Path, repeat: int, timeout: float) -> None:
    last = sqlite3.connect(db).execute("select max(first_seen) from documents").fetchone()[0]
    year, number, _ = date.fromisoformat(last[:10]).isocalendar()
    week = f"{year}-W{number:02d}"  # the week the history was crawled in
    for name, period in (("all-time digest", ALL_TIME), (f"one-week digest ({week})", ["--week", week])):
        command = program + ["--db", str(db), "digest", *period, "--out", str(out)]
        print(f"    {name:<28} {timed(command, repeat, timeout)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", type=Path, help="a policy-monitor database (left untouched)")
    parser.add_argument("--before", metavar="COMMAND", help="an older policy-monitor, the baseline")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per digest")
    args = parser.parse_args(argv)
    this = ["env", f"PYTHONPATH={Path(__file__).resolve().parent.parent}", sys.executable, "-m", "monitor"]
    with tempfile.TemporaryDirectory(prefix="pm-storage-") as tmp:
        work = Path(tmp) / "history.db"
        shutil.copyfile(args.history, work)
        before = report("before", work)
        if args.before:
            print(f"  {args.before}:")
            digests(shlex.split(args.before), work, Path(tmp) / "before", args.repeat, args.timeout)
        start = time.perf_counter()
        subprocess.run(this + ["--db", str(work), "schema"], check=True, capture_output=True,
                       cwd=tmp)
        print(f"migration: {time.perf_counter() - start:.1f} s (load {os.getloadavg()[0]:.1f})")
        after = report("after", work)
        print("  this code:")
        digests(this, work, Path(tmp) / "after", args.repeat, args.timeout)
        print(f"disk per document: {before:,} -> {after:,} bytes ({after / before:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

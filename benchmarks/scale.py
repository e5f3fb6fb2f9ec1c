#!/usr/bin/env python3
"""Scale benchmark: what a run, the digests, ``reclassify`` and the disk cost at N documents.

    python benchmarks/scale.py [--documents 20000] [--keep DIR | --reuse DIR] [--repeat 3]

What it does (see benchmarks/README.md):

1. Builds a history of N documents: the fetch benchmark's DHS-shaped site of N articles
   (``fetch_benchmark.generate_site``, served by its ``ServerProcess`` on 127.0.0.1),
   crawled by ``policy-monitor run`` into an empty database: the first crawl, timed, with
   the peak memory of its whole process tree. The history is then *aged*: each
   document's first-seen time becomes its publication date, as if a monitor had found
   each release the day it came out, so a week of the history is a week of news.
   ``--keep DIR`` keeps the history (``DIR/history.db`` and ``DIR/build.json``, the
   first crawl's figures); ``--reuse DIR`` skips the build and works on a copy of it.
2. Serves a second site of 60 new articles (``--new``), dated the 20 days after the
   history's newest, under another source, and runs ``policy-monitor run`` on it into a
   copy of the history and into an empty database: time and peak memory of each. The
   copy is first brought to the code's schema (``schema`` migrates it), unmeasured.
3. On the history (with the 60 new articles): the all-time digest
   (``digest --since 2017-01-01 --until 2026-12-31 --include-backlog``), the one-week
   digest of the history's last full week, and ``reclassify``.
4. Prints one table, and the bytes per document on disk.

Memory is the sum of the resident set sizes (``VmRSS`` in ``/proc/PID/status``) of the
command's process and all its descendants (the forkserver and the worker processes),
sampled every 0.1 s; the peak is the largest sum. Pages the workers share with the
forkserver are counted once per process, so this overstates the tree's real use. The
main process's own peak is exact: ``ru_maxrss`` from ``wait4``. Times are wall-clock
seconds of the whole command, start-up included.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import shlex
import signal
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fetch_benchmark as fb  # noqa: E402  (the site generator and its server)

HISTORY_NEWEST = date(2025, 6, 30)  # fetch_benchmark.generate_site's default
NEW_SOURCE = "scale-new"
ALL_TIME = ["--since", "2017-01-01", "--until", "2026-12-31", "--include-backlog"]
#: The history's last full ISO week (Monday 23 to Sunday 29 June 2025).
ONE_WEEK = ["--week", "2025-W26"]
SAMPLE_SECONDS = 0.1
#: A source reads at most 1,000 listing pages (``config``): a bigger history is listed
#: with more rows a page than dhs.gov's 20.
MAX_PAGES = 1000


@dataclass
class Measured:
    seconds: float
    tree_peak: int  # bytes: largest sampled sum of Rss over the process tree
    tree_pss: int  # bytes: largest sampled sum of Pss (shared pages divided among sharers)
    main_peak: int  # bytes: ru_maxrss of the command's own process
    returncode: int | None  # None: stopped at the timeout
    stderr: str
    #: CPU seconds of the tree: the command's own (exact, from wait4) and its descendants'
    #: as last sampled (workers included)
    cpu: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0


TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> tuple[dict[int, list[int]], dict[int, float]]:
    """ppid -> pids of every process, and each one's user + system CPU seconds so far
    (``/proc/PID/stat``)."""
    tree: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    return tree, cpu


def tree_sample(pid: int) -> tuple[int, int, dict[int, float]]:
    """Sums of Rss and Pss, in bytes, over ``pid`` and its descendants
    (``/proc/PID/smaps_rollup``), and the CPU seconds of each of them so far."""
    children, cpu = _processes()
    rss = pss = 0
    todo = [pid]
    seen = {}
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        seen[current] = cpu.get(current, 0.0)
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return rss, pss, seen


def measure(command: list[str], cwd: Path, timeout: float) -> Measured:
    """Run ``command``; its wall time, the peak RSS of its tree and of itself."""
    cwd.mkdir(parents=True, exist_ok=True)
    env = fb._loopback_env({"OMP_NUM_THREADS": "1"})
    with open(cwd / "stdout.txt", "wb") as out, open(cwd / "stderr.txt", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                start_new_session=True)
        peak = pss = 0
        cpu: dict[int, float] = {}
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            nonlocal peak, pss
            while not done.wait(SAMPLE_SECONDS):
                rss_now, pss_now, cpu_now = tree_sample(proc.pid)
                peak, pss = max(peak, rss_now), max(pss, pss_now)
                cpu.update(cpu_now)
                if time.perf_counter() - started > timeout:
                    timed_out.set()
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # workers still running after their run died
        except ProcessLookupError:
            pass
    cpu.pop(proc.pid, None)
    return Measured(seconds, peak, pss, usage.ru_maxrss * 1024,
                    None if timed_out.is_set() else proc.returncode,
                    (cwd / "stderr.txt").read_text(errors="replace").strip(),
                    usage.ru_utime + usage.ru_stime + sum(cpu.values()))


def write_config(path: Path, name: str, base_url: str, pages: int) -> Path:
    path.write_text(f"""agency = "DHS"

[[source]]
name = "{name}"
kind = "html"
url = "{base_url}/all-news-updates"
max_pages = {min(MAX_PAGES, pages + 5)}
delay = 0          # loopback: no politeness delay
timeout = 20
retries = 1
""", encoding="utf-8")
    return path


def _counts(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        con.execute("pragma wal_checkpoint(truncate)")
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {"documents": one("select count(*) from documents where source != 'baseline'"),
                "statements": one("select count(*) from statements"),
                "bytes": db.stat().st_size}
    finally:
        con.close()


def age_history(db: Path) -> None:
    """Each document first seen on the day it was published: a history gathered day by day
    (so a week of it is a week of news, not a back catalogue found all at once)."""
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute("update documents set first_seen = strftime('%Y-%m-%dT%H:%M:%S+00:00',"
                        " published), last_changed = strftime('%Y-%m-%dT%H:%M:%S+00:00',"
                        " published) where published is not null and source != 'baseline'")
            if con.execute("select type from sqlite_master where name = 'statements'"
                           ).fetchone() == ("table",):  # an older release's (now a view of when
                con.execute("update statements set first_seen = (select first_seen from"  # its
                            " documents d where d.id = statements.document_id)")  # version came)
            con.execute("update document_versions set fetched_at = (select first_seen from"
                        " documents d where d.id = document_versions.document_id)")
            con.execute("update document_channels set first_seen = (select first_seen from"
                        " documents d where d.id = document_channels.document_id)")
        con.execute("pragma wal_checkpoint(truncate)")
    finally:
        con.close()


def build_history(work: Path, documents: int, seed: int, program: list[str]) -> dict:
    """The first crawl of ``documents`` articles into ``work/history.db``, measured.

    Refused when ``work`` already holds a history: crawling on into it (a ``--keep``
    folder of a stopped build) would measure a partial crawl as a first one."""
    if (work / "history.db").exists():
        raise SystemExit(f"{work} already holds a history: pass it to --reuse, or --keep "
                         f"another folder")
    code = _code(program)  # before the crawl: the code may be edited while it runs
    fb._progress(f"generating {documents:,} articles ...")
    site = fb.generate_site(work / "site", documents, seed, rows_per_page=max(
        fb.ROWS_PER_PAGE, math.ceil(documents / MAX_PAGES)))
    server = fb.ServerProcess(work / "site")
    try:
        config = write_config(work / "history.toml", fb.SOURCE_NAME, server.base_url,
                              site["pages"])
        fb._progress(f"first crawl of {documents:,} articles ...")
        crawl = measure(program + ["--config", str(config), "--db", str(work / "history.db"),
                                   "run"], work / "first-crawl", math.inf)  # however long
    finally:
        server.stop()
    shutil.rmtree(work / "site")
    if not crawl.ok:
        raise SystemExit(f"the first crawl failed ({_status(crawl)}): {crawl.stderr[-2000:]}")
    counts = _counts(work / "history.db")
    age_history(work / "history.db")
    build = {"documents": counts["documents"], "statements": counts["statements"],
             "bytes": counts["bytes"], "crawl": crawl.__dict__ | {"stderr": crawl.stderr[-2000:]},
             "code": code, "program": program, "seed": seed,
             "load": os.getloadavg()[0], "built": time.strftime("%Y-%m-%d %H:%M")}
    (work / "build.json").write_text(json.dumps(build, indent=2), encoding="utf-8")
    return build


def migrate(program: list[str], db: Path) -> None:
    """Bring a history to the schema of the code under test (``schema`` migrates), so a
    one-off migration is not counted as the run's time."""
    subprocess.run(program + ["--db", str(db), "schema"], check=True, stdout=subprocess.DEVNULL,
                   env=fb._loopback_env())


def _code(program: list[str]) -> str:
    """The code under test: this checkout's commit, or the command line given."""
    if program == fb._policy_monitor_command():
        return fb._code_version()
    return " ".join(program)


def _copy_db(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _status(m: Measured) -> str:
    return "timed out" if m.returncode is None else f"exit {m.returncode}"


def _median(rounds: list[Measured]) -> Measured:
    ordered = sorted(rounds, key=lambda m: m.seconds)
    return ordered[(len(ordered) - 1) // 2]


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def _time(m: Measured) -> str:
    if m.returncode is None:
        return f"> {m.seconds:,.0f} s (stopped)"
    return f"{m.seconds:,.2f} s" + ("" if m.ok else f" (exit {m.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=20_000, help="size of the history")
    parser.add_argument("--new", type=int, default=60, help="new articles in the measured run")
    parser.add_argument("--seed", type=int, default=20250121, help="text generator seed")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of the 60-article runs (median shown)")
    parser.add_argument("--keep", type=Path, help="build the history in DIR and keep it")
    parser.add_argument("--reuse", type=Path,
                        help="use the history kept in DIR by --keep (never modified)")
    parser.add_argument("--policy-monitor", dest="program", metavar="COMMAND",
                        help="policy-monitor command line to measure (default: the "
                             "policy-monitor script beside this Python)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a digest, reclassify or run is stopped "
                             "(default: %(default)s; the first crawl is never stopped)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["digests", "reclassify"], help="leave a step out")
    parser.add_argument("--build-only", action="store_true",
                        help="build the history (with --keep), report the first crawl, stop")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    if args.keep and args.reuse:
        parser.error("--keep builds a history, --reuse uses one: not both")
    program = shlex.split(args.program) if args.program else fb._policy_monitor_command()
    args.program_command = program
    load = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="pm-scale-") as tmp:
        work = Path(tmp)
        if args.reuse:
            home = args.reuse
            build = json.loads((home / "build.json").read_text(encoding="utf-8"))
        else:
            home = args.keep or work / "build"
            home.mkdir(parents=True, exist_ok=True)
            build = build_history(home, args.documents, args.seed, program)
        history = home / "history.db"
        if args.build_only:
            crawl = Measured(**{"tree_pss": 0} | build["crawl"])
            print(f"first crawl of {build['documents']:,} articles: {_time(crawl)}, "
                  f"{crawl.cpu:,.1f} CPU s, peak Rss of the tree {_mb(crawl.tree_peak)}, "
                  f"Pss {_mb(crawl.tree_pss)}, main process {_mb(crawl.main_peak)}; "
                  f"{build['bytes'] / build['documents'] / 1000:,.1f} KB per document")
            return 0

        fb._progress(f"serving {args.new} new articles ...")
        newest = HISTORY_NEWEST + timedelta(days=20)
        site = fb.generate_site(work / "new-site", args.new, args.seed + 1,
                                first=build["documents"] + 1, newest=newest)
        server = fb.ServerProcess(work / "new-site")
        config = write_config(work / "new.toml", NEW_SOURCE, server.base_url, site["pages"])
        runs: dict[str, list[Measured]] = {"empty": [], "history": []}
        try:
            for round_ in range(args.repeat):
                for kind in ("empty", "history"):
                    here = work / f"{kind}-{round_}"
                    here.mkdir()
                    db = here / "monitor.db"
                    if kind == "history":
                        fb._progress(f"copying the history (round {round_ + 1}) ...")
                        _copy_db(history, db)
                        migrate(program, db)
                    fb._progress(f"run: {args.new} new articles into the {kind} database ...")
                    measured = measure(program + ["--config", str(config), "--db", str(db),
                                                  "run"], here, args.timeout)
                    if not measured.ok:
                        raise SystemExit(f"the run into the {kind} database failed "
                                         f"({_status(measured)}): {measured.stderr[-2000:]}")
                    runs[kind].append(measured)
        finally:
            server.stop()
        target = work / f"history-{args.repeat - 1}" / "monitor.db"  # with the 60 new ones
        after = {}
        if "digests" not in args.skip:
            for name, period in (("all-time digest", ALL_TIME), ("one-week digest", ONE_WEEK)):
                fb._progress(f"{name} ...")
                after[name] = measure(program + ["--db", str(target), "digest", "--out",
                                                 str(work / name.replace(" ", "-")), *period],
                                      work / name.replace(" ", "-") / "log", args.timeout)
        if "reclassify" not in args.skip:
            fb._progress("reclassify ...")
            after["reclassify"] = measure(program + ["--db", str(target), "reclassify"],
                                          work / "reclassify", args.timeout)
        report(args, build, runs, after, load)
        if args.json:
            args.json.write_text(json.dumps({
                "build": build, "runs": {k: [m.__dict__ for m in v] for k, v in runs.items()},
                "after": {k: m.__dict__ for k, m in after.items()}}, indent=2, default=str),
                encoding="utf-8")
    return 0


def report(args, build: dict, runs: dict[str, list[Measured]], after: dict[str, Measured],
           load: tuple[float, ...]) -> None:
    docs = build["documents"]
    crawl = Measured(**{"tree_pss": 0} | build["crawl"])
    empty, full = _median(runs["empty"]), _median(runs["history"])
    print(f"\nHistory: {docs:,} documents, {build['statements']:,} statements, "
          f"{build['bytes'] / 1e6:,.0f} MB; built at {build['built']} by code {build['code']} "
          f"(load average {build['load']:.1f})")
    print(f"Measured now: code {_code(args.program_command)}; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} at start, {os.getloadavg()[0]:.1f} at the end"
          + (f"; runs: median of {args.repeat} rounds" if args.repeat > 1 else ""))
    def memory(m: Measured) -> tuple[str, str, str, str]:
        return f"{m.cpu:,.1f}", _mb(m.tree_peak), _mb(m.tree_pss), _mb(m.main_peak)

    rows = [
        (f"first crawl, {docs:,} articles", _time(crawl), *memory(crawl),
         f"{docs / crawl.seconds:,.0f} articles/s"),
        (f"run, {args.new} new articles, empty database", _time(empty), *memory(empty),
         _range(runs["empty"])),
        (f"run, {args.new} new articles, {docs:,}-document history", _time(full),
         *memory(full),
         f"{full.seconds / empty.seconds:.2f}x the empty database's time, "
         f"{_cpu(runs['history']) / _cpu(runs['empty']):.2f}x its CPU; " + _range(runs["history"])),
    ]
    for name, m in after.items():
        rows.append((name, _time(m), *memory(m),
                     {"all-time digest": " ".join(ALL_TIME),
                      "one-week digest": " ".join(ONE_WEEK)}.get(name, "")))
    rows.append(("on disk", "", "", "", "", "", f"{build['bytes'] / docs / 1000:,.1f} KB per "
                 f"document ({build['bytes'] / 1e6:,.0f} MB after the first crawl)"))
    header = ("", "time", "CPU s", "peak Rss, tree", "peak Pss, tree", "peak RSS, main", "")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print()
    print(line.format(*header).rstrip())
    print(line.format(*("-" * w for w in widths)).rstrip())
    for row in rows:
        print(line.format(*row).rstrip())


def _cpu(rounds: list[Measured]) -> float:
    return statistics.median(m.cpu for m in rounds)


def _range(rounds: list[Measured]) -> str:
    if len(rounds) < 2:
        return ""
    times = sorted(m.seconds for m in rounds)
    return f"range {times[0]:.2f}-{times[-1]:.2f} s"


if __name__ == "__main__":
    sys.exit(main())

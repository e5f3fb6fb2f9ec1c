#!/usr/bin/env python3
"""Article extraction, ours against trafilatura, on article-extraction-benchmark pages.

    python benchmarks/extraction.py --aeb PATH     # PATH holds html/*.html.gz, ground-truth.json, evaluate.py
    python benchmarks/extraction.py --dhs          # DHS fast path: pages/s on generated releases

``--aeb``: both extractors read the same raw page bytes in one run; both outputs are
scored by the benchmark's own ``evaluate.py``, imported from PATH (never copied into
the project): shingle precision, recall and F1 averaged over pages. Rows: all pages,
and the two halves by page key (the last hex digit of the key, even or odd). Rules
were tuned on the even half only, so the odd half is held out. Titles and dates are
compared with trafilatura's metadata (the benchmark's ground truth has none).

``--dhs``: the DHS/Drupal fast path's speed on the fetch benchmark's generated
releases and on the bundled sample releases; none of them may go through trafilatura.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from monitor.extract import extract_article, normalize_date  # noqa: E402


def _commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "monitor"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes in monitor/" if dirty else "")


# --- article-extraction-benchmark -------------------------------------------------

def _load_aeb(path: Path):
    """(evaluate module, ground truth, {key: page bytes}), or exit with a one-line reason."""
    scorer, truth_file, pages = path / "evaluate.py", path / "ground-truth.json", path / "html"
    for needed in (scorer, truth_file, pages):
        if not needed.exists():
            sys.exit(f"Error: {needed} not found: --aeb wants the benchmark's folder "
                     "(html/, ground-truth.json, evaluate.py)")
    spec = importlib.util.spec_from_file_location("aeb_evaluate", scorer)
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    html = {}
    for key in truth:
        page = pages / f"{key}.html.gz"
        if page.exists():
            html[key] = gzip.decompress(page.read_bytes())
    truth = {key: truth[key] for key in html}
    if not truth:
        sys.exit(f"Error: no page of {truth_file} found in {pages}")
    return evaluate, truth, html


def _trafilatura(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def _ours(html: bytes, url: str) -> str:
    return extract_article(html, url).text


def _timed(extractors: dict, html: dict[str, bytes], truth: dict) -> tuple[dict, dict]:
    """({name: {key: {"articleBody": text}}}, {name: pages per CPU second}), the
    extractors taking turns page by page, so a change of load hits them alike."""
    outputs = {name: {} for name in extractors}
    seconds = dict.fromkeys(extractors, 0.0)
    for key, page in html.items():
        for name, extractor in extractors.items():
            started = time.process_time()
            text = extractor(page, truth[key]["url"])
            seconds[name] += time.process_time() - started
            outputs[name][key] = {"articleBody": text}
    return outputs, {name: len(html) / seconds[name] for name in extractors}


def _half(key: str) -> str:
    return "even (tuned on)" if int(key[-1], 16) % 2 == 0 else "odd (held out)"


def _metadata_table(html: dict[str, bytes], truth: dict) -> tuple[list[str], list[tuple]]:
    """Table lines: how often our title and date agree with trafilatura's metadata, per
    half; and the pages where they differ."""
    import trafilatura

    counts: dict[str, dict[str, int]] = {}
    disagreements = []
    for key, page in html.items():
        url = truth[key]["url"]
        ours = extract_article(page, url)
        theirs = trafilatura.extract_metadata(page, default_url=url)
        their_title = (theirs.title or "").strip() if theirs else ""
        their_date = normalize_date(theirs.date) if theirs and theirs.date else None
        row = counts.setdefault(_half(key), dict.fromkeys(
            ["pages", "title ours", "title theirs", "title same", "date ours", "date theirs",
             "date same"], 0))
        row["pages"] += 1
        row["title ours"] += bool(ours.title)
        row["title theirs"] += bool(their_title)
        row["title same"] += bool(ours.title) and " ".join(ours.title.split()) == " ".join(their_title.split())
        row["date ours"] += bool(ours.published)
        row["date theirs"] += bool(their_date)
        row["date same"] += bool(ours.published) and ours.published == their_date
        if ours.published != their_date or (ours.title or "") != their_title:
            disagreements.append((key[:8], url, ours.title, their_title, ours.published, their_date))
    lines = [f"{'pages':<16} {'n':>4} {'title: ours':>11} {'trafilatura':>11} {'same':>5}  "
             f"{'date: ours':>10} {'trafilatura':>11} {'same':>5}"]
    for half, row in sorted(counts.items()):
        lines.append(f"{half:<16} {row['pages']:>4} {row['title ours']:>11} {row['title theirs']:>11} "
                     f"{row['title same']:>5}  {row['date ours']:>10} {row['date theirs']:>11} "
                     f"{row['date same']:>5}")
    return lines, disagreements


def run_aeb(path: Path, bootstrap: int, show_disagreements: bool) -> None:
    evaluate, truth, html = _load_aeb(path)
    _trafilatura(next(iter(html.values())), "https://x.example/")  # imports, warm-up
    _ours(next(iter(html.values())), "https://x.example/")
    outputs, speed = _timed({"policy-monitor": _ours, "trafilatura": _trafilatura}, html, truth)
    import trafilatura

    print(f"article-extraction-benchmark: {len(truth)} pages from {path}")
    print(f"policy-monitor code: {_commit()}; trafilatura {trafilatura.__version__}; "
          f"scored by the benchmark's evaluate.py ({bootstrap} bootstrap rounds for ±); "
          "pages/s per CPU second of this process")
    print()
    header = (f"{'pages':<16} {'n':>4}  {'extractor':<15} {'F1':>13}  {'precision':>13}  "
              f"{'recall':>13}  {'pages/s':>8}")
    print(header)
    print("-" * len(header))
    halves = {"all": list(truth)}
    for key in truth:
        halves.setdefault(_half(key), []).append(key)
    for half, keys in halves.items():
        for name in outputs:
            random.seed(0)
            metrics = evaluate.evaluate({k: truth[k] for k in keys},
                                        {k: outputs[name][k] for k in keys}, bootstrap)
            print(f"{half:<16} {len(keys):>4}  {name:<15} "
                  f"{metrics['f1']:.3f} ± {metrics['f1_std']:.3f}  "
                  f"{metrics['precision']:.3f} ± {metrics['precision_std']:.3f}  "
                  f"{metrics['recall']:.3f} ± {metrics['recall_std']:.3f}  "
                  f"{f'{speed[name]:.1f}' if half == 'all' else '':>8}")
    print()
    print("Titles and dates, ours against trafilatura.extract_metadata (pages with one; same):")
    lines, disagreements = _metadata_table(html, truth)
    print("\n".join(lines))
    if show_disagreements:
        print()
        for row in disagreements:
            print(" | ".join(str(v) for v in row))


# --- DHS fast path ----------------------------------------------------------------

def _extract_at(commit: str, folder: Path):
    """``monitor.extract`` as of ``commit`` (with that commit's ``monitor.statements``),
    loaded beside today's, so both are timed in one process, round by round."""
    modules = {}
    for name in ("statements", "extract"):
        source = subprocess.run(["git", "show", f"{commit}:monitor/{name}.py"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
        path = folder / f"{name}_at_{commit}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"monitor_{name}_at_{commit}", path)
        modules[name] = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        today = sys.modules[f"monitor.{name}"]
        sys.modules[f"monitor.{name}"] = modules.get("statements", today)
        try:
            spec.loader.exec_module(modules[name])
        finally:
            sys.modules[f"monitor.{name}"] = today
    return modules["extract"]


def run_dhs(articles: int, rounds: int, baseline: str | None) -> None:
    from fetch_benchmark import generate_site

    import monitor.extract as extract

    sample = sorted(p for p in (REPO / "monitor" / "sample" / "site" / "news").rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as folder:
        site = generate_site(Path(folder), articles)
        generated = [(Path(folder) / p.lstrip("/")).read_bytes() for p in site["paths"]]
    sets = {"generated releases": generated,
            "sample releases x20": [p.read_bytes() for p in sample] * 20}
    with tempfile.TemporaryDirectory() as folder:
        versions = {"this code": extract}
        if baseline:
            versions[f"at {baseline}"] = _extract_at(baseline, Path(folder))
        print(f"DHS fast path: extract_article, best of {rounds} alternating rounds, CPU time "
              f"of this process (steadier than wall time on a shared machine); code {_commit()}")
        for name, pages in sets.items():
            best = dict.fromkeys(versions, float("inf"))
            for _ in range(rounds):
                for version, module in versions.items():
                    best[version] = min(best[version], _round(module, pages))
            for version, module in versions.items():
                methods = {module.extract_article(page, "https://www.dhs.gov/news/x").method
                           for page in pages}
                print(f"{name:<20} {version:<16} {len(pages):>5} pages  "
                      f"{len(pages) / best[version]:>6.0f} pages/s  "
                      f"{best[version] / len(pages) * 1000:.3f} ms/page  "
                      f"methods: {', '.join(sorted(methods))}")
    print(f"trafilatura imported: {'trafilatura' in sys.modules}")


def _round(extract, pages: list[bytes]) -> float:
    started = time.process_time()
    for page in pages:
        extract.extract_article(page, "https://www.dhs.gov/news/x")
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aeb", type=Path, help="folder of article-extraction-benchmark pages")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap rounds for ±")
    parser.add_argument("--disagreements", action="store_true",
                        help="list pages where our title or date differs from trafilatura's")
    parser.add_argument("--dhs", action="store_true", help="time the DHS fast path")
    parser.add_argument("--articles", type=int, default=1000, help="generated DHS releases")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="with --dhs: also time monitor/extract.py as of COMMIT")
    args = parser.parse_args()
    if args.aeb is None and not args.dhs:
        parser.error("give --aeb PATH (the benchmark's folder) and/or --dhs")
    if args.aeb is not None:
        run_aeb(args.aeb, args.bootstrap, args.disagreements)
    if args.dhs:
        if args.aeb is not None:
            print()
        run_dhs(args.articles, args.rounds, args.baseline)


if __name__ == "__main__":
    main()

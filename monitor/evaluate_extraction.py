"""Measure article extraction against hand-labelled pages.

Each page in ``monitor/data/extraction`` is an ``.html`` file with a ``.json`` gold
label: title, published date, the statements that should come out, strings of page
furniture that must not, and a ``split``: ``dev`` pages were used while writing the
extraction rules, ``heldout`` pages were written afterwards and only measured.

Every extractor's body goes through the same ``split_statements`` before statements
are compared, so precision and recall measure finding the article, not sentence
splitting; boilerplate leaks are counted in the body text an extractor returns.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import trafilatura

from monitor.extract import extract_article, normalize_date
from monitor.statements import clean_paragraphs, normalize_space, split_statements

DATA = Path(__file__).resolve().parent / "data" / "extraction"
#: Two statements match when equal after normalisation or sharing this share of tokens.
TOKEN_OVERLAP = 0.9


@dataclass
class Page:
    name: str
    html: bytes
    gold: dict


@dataclass
class Extracted:
    title: str | None
    published: str | None
    text: str


def load_pages(folder: Path = DATA) -> list[Page]:
    return [Page(gold_path.stem, gold_path.with_suffix(".html").read_bytes(),
                 json.loads(gold_path.read_text(encoding="utf-8")))
            for gold_path in sorted(folder.glob("*.json"))]


def _ours(html: bytes, url: str) -> Extracted:
    article = extract_article(html, url)
    return Extracted(article.title, article.published, article.text)


@lru_cache(maxsize=4)
def _trafilatura_run(html: bytes, url: str) -> tuple[str | None, str | None, str]:
    """(title, published, text) by trafilatura; cached, as two extractors read one run."""
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                               favor_precision=True) or ""
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = metadata.title if metadata else None
    published = normalize_date(metadata.date) if metadata else None
    return title, published, text


def _trafilatura(html: bytes, url: str) -> Extracted:
    return Extracted(*_trafilatura_run(html, url))


def _trafilatura_filtered(html: bytes, url: str) -> Extracted:
    """Trafilatura's body with our boilerplate filter after it: the combination option."""
    title, published, text = _trafilatura_run(html, url)
    return Extracted(title, published, "\n\n".join(clean_paragraphs(text)))


EXTRACTORS: dict[str, Callable[[bytes, str], Extracted]] = {
    "ours": _ours,
    "trafilatura": _trafilatura,
    "traf+filter": _trafilatura_filtered,
}


def _canonical(text: str | None) -> str:
    return normalize_space(text or "").casefold()


def statements_match(predicted: str, gold: str) -> bool:
    a, b = _canonical(predicted), _canonical(gold)
    if a == b:
        return True
    tokens_a, tokens_b = Counter(a.split()), Counter(b.split())
    shared = sum((tokens_a & tokens_b).values())
    return shared / max(sum(tokens_a.values()), sum(tokens_b.values()), 1) >= TOKEN_OVERLAP


def match_counts(predicted: list[str], gold: list[str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives), each gold matched at most once."""
    unmatched = list(predicted)
    hits = 0
    for expected in gold:
        for index, candidate in enumerate(unmatched):
            if statements_match(candidate, expected):
                hits += 1
                del unmatched[index]
                break
    return hits, len(unmatched), len(gold) - hits


def evaluate(folder: Path = DATA,
             extractors: dict[str, Callable[[bytes, str], Extracted]] | None = None
             ) -> list[dict]:
    """One row per (split, extractor) with title/date accuracy, statement P/R/F1 and leaks."""
    totals: dict[tuple[str, str], Counter] = {}
    for page in load_pages(folder):
        for name, extractor in (extractors or EXTRACTORS).items():
            result = extractor(page.html, page.gold["url"])
            tp, fp, fn = match_counts(split_statements(result.text), page.gold["statements"])
            total = totals.setdefault((page.gold["split"], name), Counter())
            total.update(
                pages=1, tp=tp, fp=fp, fn=fn,
                titles=_canonical(result.title) == _canonical(page.gold["title"]),
                dates=result.published == page.gold["published"],
                leaks=sum(marker in result.text for marker in page.gold.get("boilerplate", [])),
            )
    rows = []
    for (split, name), total in sorted(totals.items()):
        precision = total["tp"] / ((total["tp"] + total["fp"]) or 1)
        recall = total["tp"] / ((total["tp"] + total["fn"]) or 1)
        rows.append({
            "split": split, "extractor": name, "pages": total["pages"],
            "title_accuracy": total["titles"] / total["pages"],
            "date_accuracy": total["dates"] / total["pages"],
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / ((precision + recall) or 1),
            "boilerplate_leaks": total["leaks"],
        })
    return rows


def format_table(rows: list[dict]) -> str:
    header = (f"{'split':<8} {'extractor':<12} {'pages':>5} {'title':>6} {'date':>6} "
              f"{'prec':>6} {'recall':>6} {'F1':>6} {'leaks':>5}")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['split']:<8} {row['extractor']:<12} {row['pages']:>5} "
            f"{row['title_accuracy']:>6.2f} {row['date_accuracy']:>6.2f} "
            f"{row['precision']:>6.2f} {row['recall']:>6.2f} {row['f1']:>6.2f} "
            f"{row['boilerplate_leaks']:>5}")
    return "\n".join(lines)

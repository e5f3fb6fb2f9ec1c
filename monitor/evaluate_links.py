"""How right the ``reverses`` links are: precision and recall on a corpus of reversals.

A corpus is JSON Lines, one document per line: ``id``, ``date``, ``title``, ``text``,
optional ``source``, and ``reverses``: the ids of the documents it undoes (empty or absent
when its predecessor is not in the corpus: then any link is wrong; a corpus where no record
has the field has no gold and is refused). Reversals carry a
``split`` (``tune``, ``test``, ``heldout``, ``fresh``, ``untouched``), scored apart: a set
is held out only until a rule is changed after reading its errors (the README says which
were). A corpus kept elsewhere without ``reverses`` (real releases) takes them from a
gold file: a JSON object of document id -> ids it undoes (``realtext-gold.json``).

The documents go, oldest first and one at a time as successive runs would store them,
into a temporary database that already holds the baseline, through the real code:
``Store.save_document``, then ``history.classify_documents`` (labels, policies, links).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from monitor.statements import split_statements
from monitor.store import Store

CORPUS = Path(__file__).parent / "data" / "links" / "reversals.jsonl"


class CorpusError(Exception):
    """The corpus file cannot be read or a record lacks a field."""


def load_corpus(path: str | Path) -> list[dict]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise CorpusError(f"{path}:{number}: not JSON: {exc}") from exc
        missing = [k for k in ("id", "title", "text") if not record.get(k)]
        if missing:
            raise CorpusError(f"{path}:{number}: missing {', '.join(missing)}")
        records.append(record)
    if not records:
        raise CorpusError(f"{path}: no documents")
    return records


def predicted_links(records: list[dict]) -> dict[str, set[str]]:
    """Corpus id -> ids of the documents the real code links it to with ``reverses``."""
    from monitor.history import classify_documents, load_baseline

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "links.db")
        try:
            load_baseline(store)
            ids: dict[int, str] = {}
            for record in sorted(records, key=lambda r: (r.get("date") or "", r["id"])):
                saved = store.save_document(
                    source=record.get("source") or "eval", url=f"urn:evaluate-links:{record['id']}",
                    title=record["title"], published=record.get("date") or None,
                    body=record["text"], statements=split_statements(record["text"]))
                ids[saved.document_id] = record["id"]
                classify_documents(store, [saved.document_id])
            links: dict[str, set[str]] = {}
            for source, target in store.db.execute(
                    "select l.from_document_id, l.to_document_id from links l "
                    "where l.relation = 'reverses'"):
                other = ids.get(target) or f"baseline:{target}"
                links.setdefault(ids.get(source, f"baseline:{source}"), set()).add(other)
            return links
        finally:
            store.close()


def score(records: list[dict], links: dict[str, set[str]]) -> dict:
    """Precision and recall of the links, per split and over the whole corpus."""
    splits: dict[str, dict] = {}
    errors = []
    known = {r["id"] for r in records}
    for record in records:
        gold = set(record["reverses"]) & known
        made = links.get(record["id"], set())
        for split in ("all", record.get("split") or "predecessors"):
            s = splits.setdefault(split, {"links": 0, "correct": 0, "gold": 0})
            s["links"] += len(made)
            s["correct"] += len(made & gold)
            s["gold"] += len(gold)
        for wrong in sorted(made - gold):
            errors.append({"id": record["id"], "split": record.get("split"), "kind": "wrong link",
                           "to": wrong})
        for missed in sorted(gold - made):
            errors.append({"id": record["id"], "split": record.get("split"), "kind": "missed",
                           "to": missed})
    for s in splits.values():
        s["precision"] = round(s["correct"] / s["links"], 3) if s["links"] else None
        s["recall"] = round(s["correct"] / s["gold"], 3) if s["gold"] else None
    return {"documents": len(records),
            "reversals_with_predecessor": sum(1 for r in records if r["reverses"]),
            "splits": splits, "errors": errors}


def load_gold(path: str | Path, records: list[dict]) -> None:
    """Give the records the links a gold file says they make (a corpus kept elsewhere,
    such as real releases, has no ``reverses`` of its own); other records make none."""
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise CorpusError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(gold, dict) or not all(isinstance(v, list) for v in gold.values()):
        raise CorpusError(f"{path}: expected an object of document id -> list of ids")
    known = {r["id"] for r in records}
    unknown = sorted({k for k, v in gold.items() for k in [k, *v]} - known)
    if unknown:
        raise CorpusError(f"{path}: ids not in the corpus: {', '.join(unknown[:5])}")
    for record in records:
        record["reverses"] = gold.get(record["id"], [])


def evaluate(path: str | Path = CORPUS, gold: str | Path | None = None) -> dict:
    records = load_corpus(path)
    if gold:
        load_gold(gold, records)
    elif not any("reverses" in r for r in records):
        raise CorpusError(f"{path}: no record says what it reverses (field 'reverses'); "
                          "give the gold links with --gold FILE")
    for record in records:
        record.setdefault("reverses", [])
    return score(records, predicted_links(records))


def format_report(report: dict) -> str:
    lines = [f"{report['documents']} documents, {report['reversals_with_predecessor']} "
             f"reversals with their predecessor in the corpus",
             f"  {'split':<14}{'links':>6}{'right':>7}{'gold':>6}{'precision':>11}{'recall':>8}"]
    for name, s in sorted(report["splits"].items(), key=lambda kv: kv[0] != "test"):
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(f"  {name:<14}{s['links']:>6}{s['correct']:>7}{s['gold']:>6}"
                     f"{fmt(s['precision']):>11}{fmt(s['recall']):>8}")
    for e in report["errors"]:
        lines.append(f"  {e['kind']}: {e['id']} -> {e['to']} ({e['split'] or 'no split'})")
    return "\n".join(lines)

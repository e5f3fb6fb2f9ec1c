"""Readers correct labels: a correction is gold that ``reclassify`` keeps and the
classifier learns from at its next fit, and corrections travel between newsrooms as JSONL.
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.classify import LABELS, set_corrections
from monitor.classify.data import read_labelled_jsonl
from monitor.store import BASELINE_SOURCE, Store, classifier_of, utcnow

#: The classifier named in ``label_history`` for a label a reader replaced by hand.
READER = "reader correction"


class CorrectionError(Exception):
    """A correction that cannot be stored: unknown label or document, bad file."""


def check_label(label: str) -> str:
    if label not in LABELS:
        raise CorrectionError(f"unknown label {label!r}: use one of {', '.join(LABELS)}")
    return label


def find_document(store: Store, ref: str) -> dict:
    """A stored document by its id or URL."""
    row = None
    if ref.isdigit():
        row = store.db.execute("select id, url, label, confidence from documents where id = ?",
                               [int(ref)]).fetchone()
    row = row or store.db.execute(
        "select id, url, label, confidence from documents where url = ? order by id limit 1",
        [ref]).fetchone()
    if row is None:
        raise CorrectionError(f"no stored document with id or URL {ref!r}")
    return dict(zip(("id", "url", "label", "confidence"), row))


def correct(store: Store, ref: str, label: str, note: str | None = None,
            corrected_at: str | None = None) -> dict:
    """Store a reader's label for a document; the label it replaces goes to ``label_history``."""
    check_label(label)
    doc = find_document(store, ref)
    row = {"document_id": doc["id"], "url": doc["url"], "label": label,
           "previous_label": doc["label"], "note": note or None,
           "corrected_at": corrected_at or utcnow()}
    with store.transaction():
        if doc["label"] is not None and doc["label"] != label:
            store.db["label_history"].insert({
                "kind": "document", "row_id": doc["id"], "label": doc["label"],
                "confidence": doc["confidence"], "classifier": _classifier(store, doc["id"]),
                "changed_at": row["corrected_at"]})
        store.set_document_label(doc["id"], label, 1.0)
        row["id"] = store.insert("corrections", row)
    return row


def _classifier(store: Store, document_id: int) -> str:
    """Who gave a document its current label: an earlier reader, or the classifier."""
    if corrected_labels(store, [document_id]):
        return READER
    row = store.db.execute(
        "select d.classifier, (select s.evidence from statements s where s.document_id = d.id"
        " and s.evidence is not null limit 1) from documents d where d.id = ?",
        [document_id]).fetchone()
    return classifier_of(row[1], row[0]) if row else "unknown"


def corrected_labels(store: Store, document_ids: list[int] | None = None) -> dict[int, str]:
    """Document id -> the label its latest correction gave it."""
    sql = ("select document_id, label from corrections where id in "
           "(select max(id) from corrections group by document_id)")
    rows = store.db.execute(sql).fetchall()
    wanted = None if document_ids is None else set(document_ids)
    return {doc: label for doc, label in rows if wanted is None or doc in wanted}


def use_corrections(store: Store) -> None:
    """Make the classifier's next fit learn from the stored corrections (title and text of
    each corrected document with its corrected label). The documents are read only when
    the corrections changed (their count or latest id)."""
    key = tuple(store.db.execute("select count(*), max(id) from corrections").fetchone())
    set_corrections(key, lambda: _corrected_documents(store))


def _corrected_documents(store: Store) -> list[dict]:
    labels = corrected_labels(store)
    rows = store.db.execute(
        f"select id, title, body from documents where source != ? and id in "
        f"({', '.join('?' * len(labels))}) order by id", [BASELINE_SOURCE, *labels]).fetchall()
    return [{"id": f"correction {i}", "title": title, "text": body or "", "label": labels[i]}
            for i, title, body in rows]


def export_corrections(store: Store, path: str | Path) -> int:
    """Write every correction, oldest first, as JSONL; returns how many."""
    rows = store.db.execute(
        "select c.url, d.title, c.label, c.previous_label, c.note, c.corrected_at "
        "from corrections c left join documents d on d.id = c.document_id order by c.id").fetchall()
    keys = ("url", "title", "label", "previous_label", "note", "corrected_at")
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(dict(zip(keys, row)), ensure_ascii=False) + "\n")
    return len(rows)


def import_corrections(store: Store, path: str | Path) -> dict:
    """Store the corrections of an exported file: each of a stored document (by URL) that
    this database does not hold yet. Every line is checked before anything is written."""
    try:
        records = [record for _, record in read_labelled_jsonl(path, "url")]
    except ValueError as exc:
        raise CorrectionError(str(exc)) from exc
    counts = {"imported": 0, "already_stored": 0, "unknown_documents": 0}
    stored = {tuple(r) for r in store.db.execute("select url, label, corrected_at from corrections")}
    for record in records:
        if (record["url"], record["label"], record.get("corrected_at")) in stored:
            counts["already_stored"] += 1
            continue
        try:
            correct(store, record["url"], record["label"], record.get("note"), record.get("corrected_at"))
        except CorrectionError:
            counts["unknown_documents"] += 1
            continue
        counts["imported"] += 1
    return counts

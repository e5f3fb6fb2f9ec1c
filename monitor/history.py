"""Labels and links in the stored history.

After each run the new and changed documents are labelled (``monitor.classify``) and
tied into what is already stored, so the digest can say what a change means:

* what each document does to which policy (``monitor.policies``: announced, extended,
  suspended, ended, reinstated) and ``reverses`` links from a reversal to what it undoes;
* ``same_event`` links between reports of one announcement by different sources
  (a DHS release and the news stories about it);
* one ``statistics`` row per reported figure, with the previous figure of its series
  and the change (``monitor.series``).

The documents still to do wait in ``history_queue`` (a crawl queues each one it stores)
and are done a chunk per commit (``link_queued``), so a first crawl of thousands shows
its labels as it goes and a run stopped part-way loses none of its work.

The five labelled baseline articles are loaded as documents of source ``baseline``;
their gold labels are never overwritten. ``reclassify`` re-labels everything after
the classifier changes and keeps the earlier labels in ``label_history``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from monitor import federal_register
from monitor.classify import (
    CLASSIFIER_VERSION, TfidfIndex, classify_document, load_devset, load_gold_baseline,
)
from monitor.corrections import corrected_labels, use_corrections
from monitor.policies import link_reversals, record_document, reversing_documents
from monitor.series import record_statistics
from monitor.store import BASELINE_SOURCE, Store, classifier_of, text_hash, utcnow

BASELINE_DIR = Path(__file__).parent / "baseline"
#: Reports of one announcement are published within a few days of each other...
SAME_EVENT_DAYS = 3
#: ...and share much of their wording (TF-IDF cosine of headline + body).
SAME_EVENT_MIN_SIMILARITY = 0.3
#: A Federal Register notice can follow its press release by a week or two: allowed
#: when the wording is closer still.
SAME_EVENT_LATE_DAYS = 14
SAME_EVENT_LATE_MIN_SIMILARITY = 0.45
GOLD_EVIDENCE = json.dumps({"source": "baseline label"})

_COUNTRIES = ("afghanistan|burma|myanmar|cameroon|el salvador|ethiopia|haiti|honduras|lebanon|"
              "nepal|nicaragua|somalia|south sudan|sudan|syria|ukraine|venezuela|yemen")
#: Named policies: key -> pattern. A reversal and its target must name the same one.
POLICY_SUBJECTS = {
    "mpp": r"migrant protection protocols?|\bmpp\b|remain[- ]in[- ]mexico",
    "daca": r"\bdaca\b|deferred action for childhood arrivals",
    "title 42": r"title 42|public health (?:order|expulsion)|expulsion (?:order|policy)",
    "chnv parole": r"\bchnv\b|cubans?, haitians?, nicaraguans?|cuba, haiti,? (?:and )?nicaragua",
    "public charge": r"public charge",
    "protected areas": r"protected areas|sensitive locations",
    "cbp one": r"cbp one",
    "asylum cooperative agreements": r"asylum cooperative agreements?|safe third country",
    "expedited removal": r"expedited removal|fast-track deportation",
    "catch and release": r"catch[- ]and[- ]release|releas\w* (?:family units|migrants|families)",
    "family separation": r"family separation|separat\w* (?:children|families|parents)|zero[- ]tolerance",
    "secure communities": r"secure communities",
    "worksite enforcement": r"worksite",
    "enforcement priorities": r"enforcement (?:priorities|guidelines)|guidelines for (?:civil )?immigration enforcement",
    "287(g)": r"287\(g\)",
    "uniting for ukraine": r"uniting for ukraine",
    "international students": r"international students|\bsevp\b",
}
# Matched against the lower-cased text: case-insensitive matching is several times slower.
_SUBJECTS = {key: re.compile(p) for key, p in POLICY_SUBJECTS.items()}
_TPS = re.compile(r"temporary protected status|\btps\b")
_COUNTRY = re.compile(rf"\b({_COUNTRIES})\b")


@lru_cache(maxsize=1)
def _background() -> tuple[str, ...]:
    """DHS-style texts whose word frequencies weight similarity when there are few candidates."""
    return tuple(f"{d['title']}\n{d['text']}" for d in load_devset())


def policy_subjects(text: str) -> set[str]:
    """The named policies a text is about; TPS is per country ("tps venezuela")."""
    text = text.lower()
    found = {key for key, pattern in _SUBJECTS.items() if pattern.search(text)}
    if _TPS.search(text):
        found |= {f"tps {c}" for c in _COUNTRY.findall(text)} or {"tps"}
    return found


# --- baseline -----------------------------------------------------------------------


def load_baseline(store: Store) -> int:
    """Store the five gold-labelled baseline articles; returns how many were added.

    Idempotent: an unchanged article is not stored again, and re-applying the gold
    labels changes nothing.
    """
    with store.batch():  # all or nothing: a killed first run leaves no half-linked baseline
        return _load_baseline(store)


def _load_baseline(store: Store) -> int:
    added, changed_ids = 0, []
    for doc in load_gold_baseline():
        body = (BASELINE_DIR / doc["file"]).read_text(encoding="utf-8")
        saved = store.save_document(
            source=BASELINE_SOURCE, url=f"urn:policy-monitor:baseline:{Path(doc['file']).stem}",
            title=doc["title"], published=doc["published"], body=body,
            statements=[s["text"] for s in doc["statements"]], doc_type="baseline",
        )
        gold = {text_hash(s["text"]): s["label"] for s in doc["statements"]}
        with store.transaction():  # written only where they differ, so a second call writes nothing
            store.set_document_label(saved.document_id, doc["label"], 1.0)
            for sid, h, label in store.db.execute(
                    "select id, hash, label from statements where document_id = ?",
                    [saved.document_id]).fetchall():
                if h in gold and label != gold[h]:
                    store.db.execute(
                        "update statement_rows set label = ?, confidence = 1.0, evidence = ? where id = ?",
                        [gold[h], GOLD_EVIDENCE, sid])
        added += saved.created
        if saved.created or saved.new_version:
            changed_ids.append(saved.document_id)
    if changed_ids:
        link_documents(store, changed_ids)
    return added


# --- classification after a run ---------------------------------------------------


def unlabelled_documents(store: Store, limit: int) -> list[int]:
    """Documents stored but neither classified nor queued (by a run of an earlier release
    killed first, say), oldest first."""
    return [i for (i,) in store.db.execute(
        "select id from documents where label is null and source != ? and id not in"
        " (select document_id from history_queue) order by id limit ?",
        [BASELINE_SOURCE, limit])]


#: Where a queued document is (``history_queue.step``): to be labelled; its figures and
#: same-event links to record; its policies to record; its ``reverses`` links to redo.
LABEL, FIGURES, POLICIES, REVERSALS = range(4)


def queue_documents(store: Store, document_ids: Iterable[int], step: int = LABEL) -> None:
    """Queue these documents for labelling and linking from ``step`` on (a queued document
    keeps the earlier of its two steps). A crawl queues what it stores in the same commit."""
    store.db.conn.executemany(
        "insert into history_queue (document_id, step) values (?, ?) on conflict (document_id)"
        " do update set step = min(step, excluded.step)", [(i, step) for i in document_ids])


def classify_documents(store: Store, document_ids: list[int],
                       labelled: dict[int, tuple[str, float]] | None = None,
                       link: bool = True) -> dict:
    """Label new/changed documents, then link them into the history (``link_queued``,
    together with whatever else is queued).

    Statements that already have a label keep it (they were judged when first seen);
    new statements get one, and the document label is recomputed from all current ones,
    except a label a reader corrected, which stays.
    ``labelled`` holds (label, confidence) of documents the crawl already classified in
    worker processes, storing their statements' labels with them; a document's label is
    taken from there only when every current statement of it has a label. ``link=False``
    only labels them, in one transaction, leaving linking to the caller (a backfill links
    its documents once, in date order).
    """
    if not link:
        counts = Counter()
        with store.batch():
            _label(store, _in_order(store, document_ids), labelled or {}, counts)
        return dict(counts)
    with store.transaction():
        queue_documents(store, document_ids)
    return link_queued(store, labelled)


def link_documents(store: Store, document_ids: Iterable[int]) -> dict:
    """Statistics rows, ``reverses`` and ``same_event`` links for these (labelled) documents."""
    with store.transaction():
        queue_documents(store, document_ids, FIGURES)
    return link_queued(store)


def link_queued(store: Store, labelled: dict[int, tuple[str, float]] | None = None) -> dict:
    """Label and link the queued documents, each step over all of them in publication
    order, as one pass would: labels; figures and same-event links; what each does to
    which policy; then ``reverses`` links again for every reversal of a policy touched.

    Each chunk of ``CHUNK`` documents is one commit that also moves them to the next step,
    so labels and links appear as the work proceeds, and a run stopped anywhere leaves
    the queue where it stopped: the next run goes on from there and ends as this one
    would have. Inside a ``Store.batch()`` it all is one transaction.
    """
    counts = Counter()
    for chunk in _queued(store, LABEL):
        with store.batch():
            _label(store, chunk, labelled or {}, counts)
            _advance(store, chunk, FIGURES)
    candidates = _Candidates()
    for chunk in _queued(store, FIGURES):
        with store.batch():
            for doc in _read(store, chunk):
                counts["statistics"] += record_statistics(store, doc)
                counts["same_event"] += _link_same_event(store, doc, candidates)
            _advance(store, chunk, POLICIES)
    for chunk in _queued(store, POLICIES):
        with store.batch():
            touched = set().union(*(record_document(store.db, i) for i in chunk))
            store.db.conn.executemany("insert or ignore into history_queue_policies values (?)",
                                      [(p,) for p in touched])
            _advance(store, chunk, None)
    with store.batch():  # reversals published earlier may undo what has just been recorded
        touched = {p for (p,) in store.db.execute("select policy_id from history_queue_policies")}
        queue_documents(store, reversing_documents(store.db, touched), REVERSALS)
        store.db.execute("delete from history_queue_policies")
    now = utcnow()
    for chunk in _queued(store, REVERSALS):
        with store.batch():
            counts["reverses"] += sum(link_reversals(store.db, i, now) for i in chunk)
            _advance(store, chunk, None)
    return dict(counts)


def _queued(store: Store, step: int) -> Iterator[list[int]]:
    """The documents queued at ``step``, a chunk at a time: in publication order, or for
    ``REVERSALS`` in the order queued (``policies.reversing_documents``'). Read once, at
    the start: a step's chunks move its documents on."""
    rows = store.db.execute("select document_id from history_queue where step = ? order by id",
                            [step]).fetchall()
    ids = [i for (i,) in rows]
    yield from _chunks(ids if step == REVERSALS else _in_order(store, ids), CHUNK)


def _advance(store: Store, document_ids: list[int], step: int | None) -> None:
    """Move these documents on to ``step``, or (None) out of the queue: done."""
    if step is None:
        store.db.conn.executemany("delete from history_queue where document_id = ?",
                                  [(i,) for i in document_ids])
    else:
        store.db.conn.executemany("update history_queue set step = ? where document_id = ?",
                                  [(step, i) for i in document_ids])


def _label(store: Store, ordered: list[int], labelled: dict[int, tuple[str, float]],
           counts: Counter) -> None:
    """Label these documents and their statements that have none yet."""
    corrected = corrected_labels(store, ordered)
    for doc in _read(store, ordered):
        if doc["source"] == BASELINE_SOURCE:
            continue
        if doc["id"] in labelled and not _has_unlabelled(store, doc):
            label, confidence = labelled[doc["id"]]
        else:
            rows = _statements(store, doc)
            result = classify_document(doc["title"], [r["text"] for r in rows], doc["published"])
            for row, statement in zip(rows, result.statements):
                if row["label"] is None:
                    _write_statement(store, row["id"], statement)
                    counts["statements"] += 1
            label, confidence = _settled_label(store, doc, result.label), result.confidence
        if doc["id"] in corrected:
            label, confidence = corrected[doc["id"]], 1.0
        store.set_document_label(doc["id"], label, confidence, CLASSIFIER_VERSION)
        counts["documents"] += 1


#: Documents read from the database at a time: a history of any size is walked in
#: chunks, never held whole in memory.
CHUNK = 200
_DOCUMENT_COLUMNS = ("id", "source", "title", "published", "body", "version", "label",
                     "confidence", "first_seen", "classifier")


def _in_order(store: Store, ids: Iterable[int]) -> list[int]:
    """These documents' ids in publication order, so earlier figures are recorded first
    (read without their bodies)."""
    keys = []
    for chunk in _chunks(list(dict.fromkeys(ids)), CHUNK * 4):
        marks = ", ".join("?" * len(chunk))
        for document_id, published, first_seen in store.db.execute(
                f"select id, published, first_seen from documents where id in ({marks})", chunk):
            day = _day({"published": published, "first_seen": first_seen})
            keys.append((day or date.max, document_id))
    return [document_id for _, document_id in sorted(keys)]


def _read(store: Store, ordered: list[int]) -> Iterator[dict]:
    """These stored documents, in this order, read a chunk at a time."""
    for chunk in _chunks(ordered, CHUNK):
        marks = ", ".join("?" * len(chunk))
        rows = {row[0]: dict(zip(_DOCUMENT_COLUMNS, row)) for row in store.db.execute(
            f"select {', '.join(_DOCUMENT_COLUMNS)} from documents where id in ({marks})", chunk)}
        yield from (rows[i] for i in chunk)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _statements(store: Store, doc: dict, current: bool = True) -> list[dict]:
    """The statements on the document's current version (or, with ``current=False``, the
    ones that are no longer on the page)."""
    seen = "=" if current else "!="
    cursor = store.db.execute(
        "select id, text, label, confidence, evidence from statements "
        f"where document_id = ? and last_seen_version {seen} ? order by seq, id",
        [doc["id"], doc["version"]])
    return [dict(zip(("id", "text", "label", "confidence", "evidence"), r)) for r in cursor]


def _has_unlabelled(store: Store, doc: dict) -> bool:
    return store.db.execute(
        "select 1 from statements where document_id = ? and last_seen_version = ? "
        "and label is null limit 1", [doc["id"], doc["version"]]).fetchone() is not None


def _write_statement(store: Store, statement_id: int, result) -> None:
    store.db.execute(
        "update statement_rows set label = ?, confidence = ?, evidence = ? where id = ?",
        [result.label, result.confidence, result.stored_evidence(), statement_id])


def _day(doc: dict) -> date | None:
    for value in (doc.get("published"), doc.get("first_seen")):
        try:
            return date.fromisoformat((value or "")[:10])
        except ValueError:
            continue
    return None


# --- links --------------------------------------------------------------------------


def _add_link(store: Store, relation: str, from_doc: int, to_doc: int, score: float,
              from_statement: int | None = None, to_statement: int | None = None) -> int:
    """1 if the link is new; the unique index on (from, to, relation) keeps one of each."""
    return store.db.execute(
        "insert or ignore into links (from_document_id, from_statement_id, to_document_id,"
        " to_statement_id, relation, score, created_at) values (?, ?, ?, ?, ?, ?, ?)",
        [from_doc, from_statement, to_doc, to_statement, relation, round(score, 3), utcnow()],
    ).rowcount


class _Candidates:
    """The same-event candidates last indexed. Documents of one source published on one
    day (a run's usual batch) have the same candidates: their index is built once. The
    next day's mostly overlap, so each candidate's terms and policy subjects are kept
    while it is a candidate (never more than one window of documents)."""

    def __init__(self):
        self.ids: tuple[int, ...] = ()
        self.index: TfidfIndex | None = None
        self.terms: dict[int, Counter] = {}
        self.subjects: dict[int, set[str]] = {}
        self.texts: dict[int, str] = {}

    def indexed(self, others: list[tuple]) -> TfidfIndex:
        ids = tuple(row[0] for row in others)
        if self.index is None or ids != self.ids:
            self.texts = {row[0]: f"{row[1] or ''}\n{row[2] or ''}" for row in others}
            self.terms = {i: self.terms.get(i) or TfidfIndex._terms(self.texts[i]) for i in ids}
            self.subjects = {i: self.subjects[i] for i in ids if i in self.subjects}
            self.ids = ids
            self.index = TfidfIndex([self.texts[i] for i in ids], _background(),
                                    bags=[self.terms[i] for i in ids])
        return self.index

    def subjects_of(self, document_id: int) -> set[str]:
        if document_id not in self.subjects:
            self.subjects[document_id] = policy_subjects(self.texts[document_id])
        return self.subjects[document_id]


def _link_same_event(store: Store, doc: dict, candidates: _Candidates | None = None) -> int:
    """Link reports of one announcement: other sources, a few days apart, similar text."""
    day = _day(doc)
    if not day:
        return 0
    low = (day - timedelta(days=SAME_EVENT_LATE_DAYS)).isoformat()
    high = (day + timedelta(days=SAME_EVENT_LATE_DAYS)).isoformat() + "\uffff"
    others = store.db.execute(
        "select id, title, body, event_id, published from documents where id != ? and source != ? "
        "and published >= ? and published <= ?",
        [doc["id"], doc["source"], low, high]).fetchall()
    if not others:
        return 0
    candidates = candidates or _Candidates()
    index = candidates.indexed(others)
    text = f"{doc['title'] or ''}\n{doc['body'] or ''}"
    subjects = policy_subjects(text)
    added = 0
    for i, sim in index.nearest(text, len(others)):
        other_id, _, _, other_event, other_published = others[i]
        other_day = _day({"published": other_published}) or day
        days = abs((day - other_day).days)
        if sim < (SAME_EVENT_MIN_SIMILARITY if days <= SAME_EVENT_DAYS
                  else SAME_EVENT_LATE_MIN_SIMILARITY):
            continue
        other_subjects = candidates.subjects_of(other_id)
        if subjects and other_subjects and not subjects & other_subjects:
            continue  # e.g. two TPS terminations for different countries on one day
        # The later report points to the earlier one.
        ours = (day, doc["id"])
        theirs = (other_day, other_id)
        (_, first), (_, second) = sorted((ours, theirs))
        added += _add_link(store, "same_event", second, first, sim)
        event = min(e for e in (other_event, other_id, doc["id"]) if e is not None)
        store.db.execute("update documents set event_id = ? where id in (?, ?)",
                         [event, doc["id"], other_id])
    return added


# --- reclassification ---------------------------------------------------------------


def reclassify(store: Store) -> dict:
    """Re-label every stored document and statement with the current classifier.

    Earlier labels go to ``label_history`` before being overwritten (only when they
    change); baseline gold labels and labels readers corrected are left alone, and the
    classifier learns from the corrections first. Statistics and links are derived from
    labels, so they are rebuilt from scratch in publication order.

    Documents are read and re-labelled a chunk at a time, each chunk one transaction (a
    reclassify stopped part-way is simply run again); the links are replaced in one
    transaction, so the history is never without them.
    """
    counts = Counter()
    now = utcnow()
    use_corrections(store)
    corrected = corrected_labels(store)
    ordered = _in_order(store, [r[0] for r in store.db.execute("select id from documents")])
    for chunk in _chunks(ordered, CHUNK):
        with store.batch():
            for doc in _read(store, chunk):
                if doc["source"] != BASELINE_SOURCE:
                    _relabel(store, doc, counts, now, corrected)
    with store.batch():
        store.db.execute("delete from statistic_rows")
        store.db.execute("delete from links where relation in ('reverses', 'same_event')")
        store.db.execute("update documents set event_id = null")
        counts.update(link_documents(store, ordered))
    return {"classifier": CLASSIFIER_VERSION} | dict(counts)


def _settled_label(store: Store, doc: dict, predicted: str) -> str:
    """A Federal Register document's type and action can settle its label."""
    row = store.db.execute(
        "select type, action, correction from federal_register_documents where document_id = ?",
        [doc["id"]]).fetchone()
    if row is None:
        return predicted
    return federal_register.document_label(row[0], row[1], doc["title"], bool(row[2]), predicted)


def outdated_documents(store: Store, limit: int) -> list[int]:
    """Documents an earlier classifier version labelled (``documents.classifier``; none
    when it is not known)."""
    return [i for (i,) in store.db.execute(
        "select id from documents where (classifier < ? or classifier > ?) and source != ?"
        " and label is not null limit ?",
        [CLASSIFIER_VERSION, CLASSIFIER_VERSION, BASELINE_SOURCE, limit])]


def relabel_outdated(store: Store, document_ids: list[int]) -> dict:
    """Re-label these documents with the current classifier, as ``reclassify`` does (earlier
    labels kept in ``label_history``), and derive their figures and links again."""
    counts = Counter()
    now = utcnow()
    ordered = _in_order(store, document_ids)
    corrected = corrected_labels(store, document_ids)
    with store.batch():
        for doc in _read(store, ordered):
            _relabel(store, doc, counts, now, corrected)
            store.db.execute("update statistic_rows set previous_id = null where previous_id in"
                             " (select id from statistic_rows where document_id = ?)", [doc["id"]])
            store.db.execute("delete from statistic_rows where document_id = ?", [doc["id"]])
            store.db.execute("delete from links where relation = 'reverses' and"
                             " from_document_id = ?", [doc["id"]])
        counts.update(link_documents(store, ordered))
    return dict(counts)


def _relabel(store: Store, doc: dict, counts: Counter, now: str,
             corrected: dict[int, str]) -> None:
    """One document's statements and label from the current classifier; what changed goes
    to ``label_history`` first. A label a reader ``corrected`` stays."""
    current = _statements(store, doc)
    stale = _statements(store, doc, current=False)
    result = classify_document(doc["title"], [r["text"] for r in current], doc["published"])
    label = _settled_label(store, doc, result.label)
    labelled = list(zip(current, result.statements))
    if stale:  # statements no longer on the page: judged on their own
        old = classify_document(None, [r["text"] for r in stale], doc["published"])
        labelled += list(zip(stale, old.statements))
    previous = (doc["label"], doc["confidence"])
    with store.transaction():
        for row, new in labelled:
            if (row["label"], row["confidence"]) != (new.label, new.confidence):
                if row["label"] is not None:
                    _remember(store, "statement", row["id"], row["label"], row["confidence"],
                              classifier_of(row["evidence"], doc["classifier"]), now)
                    counts["changed_statements"] += 1
                _write_statement(store, row["id"], new)
            elif classifier_of(row["evidence"], CLASSIFIER_VERSION) != CLASSIFIER_VERSION:
                _write_statement(store, row["id"], new)  # same verdict; drops an older version's name
        confidence = result.confidence
        if doc["id"] in corrected:
            counts["corrected_documents_kept"] += 1
            label, confidence = previous
        elif previous != (label, confidence) and previous[0] is not None:
            _remember(store, "document", doc["id"], previous[0], previous[1],
                      classifier_of(next((r["evidence"] for r in current), None),
                                     doc["classifier"]), now)
            counts["changed_documents"] += 1
        store.set_document_label(doc["id"], label, confidence, CLASSIFIER_VERSION)
    counts["documents"] += 1
    counts["statements"] += len(labelled)


def _remember(store: Store, kind: str, row_id: int, label: str, confidence: float | None,
              classifier: str, when: str) -> None:
    # Store.insert, not sqlite-utils': that looks the table up on every call, which was a
    # third of a reclassify that changes every statement's confidence
    store.insert("label_history", {
        "kind": kind, "row_id": row_id, "label": label, "confidence": confidence,
        "classifier": classifier, "changed_at": when,
    })

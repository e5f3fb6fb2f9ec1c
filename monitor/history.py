"""Labels and links in the stored history.

After each run the new and changed documents are labelled (``monitor.classify``) and
tied into what is already stored, so the digest can say what a change means:

* ``reverses`` links, from a reversal to the earlier announcement it undoes, found by
  the policy's name (MPP, DACA, TPS for a country, Title 42, ...) plus text similarity;
* ``same_event`` links between reports of one announcement by different sources
  (a DHS release and the news stories about it);
* one ``statistics`` row per reported figure, with the previous figure for the same
  metric and the change.

The five labelled baseline articles are loaded as documents of source ``baseline``;
their gold labels are never overwritten. ``reclassify`` re-labels everything after
the classifier changes and keeps the earlier labels in ``label_history``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from monitor.classify import (
    CLASSIFIER_VERSION, TfidfIndex, classify_document, extract_statistics, load_devset,
    load_gold_baseline,
)
from monitor.corrections import corrected_labels, use_corrections
from monitor.store import BASELINE_SOURCE, Store, period_kind, text_hash, utcnow

BASELINE_DIR = Path(__file__).parent / "baseline"
#: Reports of one announcement are published within a few days of each other...
SAME_EVENT_DAYS = 3
#: ...and share much of their wording (TF-IDF cosine of headline + body).
SAME_EVENT_MIN_SIMILARITY = 0.3
#: A Federal Register notice can follow its press release by a week or two: allowed
#: when the wording is closer still.
SAME_EVENT_LATE_DAYS = 14
SAME_EVENT_LATE_MIN_SIMILARITY = 0.45
#: A reversal naming no known programme links to an earlier announcement only if this similar.
REVERSES_MIN_SIMILARITY = 0.5
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
            store.db.execute("update documents set label = ?, confidence = 1.0 "
                             "where id = ? and (label is not ? or confidence is not 1.0)",
                             [doc["label"], saved.document_id, doc["label"]])
            for sid, h, label in store.db.execute(
                    "select id, hash, label from statements where document_id = ?",
                    [saved.document_id]).fetchall():
                if h in gold and label != gold[h]:
                    store.db.execute(
                        "update statements set label = ?, confidence = 1.0, evidence = ? where id = ?",
                        [gold[h], GOLD_EVIDENCE, sid])
        added += saved.created
        if saved.created or saved.new_version:
            changed_ids.append(saved.document_id)
    if changed_ids:
        link_documents(store, changed_ids)
    return added


# --- classification after a run ---------------------------------------------------


def classify_documents(store: Store, document_ids: list[int],
                       labelled: dict[int, tuple[str, float]] | None = None) -> dict:
    """Label new/changed documents, then link them into the history.

    Statements that already have a label keep it (they were judged when first seen);
    new statements get one, and the document label is recomputed from all current ones,
    except a label a reader corrected, which stays.
    ``labelled`` holds (label, confidence) of documents the crawl already classified in
    worker processes, storing their statements' labels with them; a document's label is
    taken from there only when every current statement of it has a label.
    """
    with store.batch():
        return _classify_documents(store, document_ids, labelled or {})


def _classify_documents(store: Store, document_ids: list[int],
                        labelled: dict[int, tuple[str, float]]) -> dict:
    counts = Counter()
    corrected = corrected_labels(store, document_ids)
    for doc in _documents(store, document_ids):
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
            label, confidence = result.label, result.confidence
        if doc["id"] in corrected:
            label, confidence = corrected[doc["id"]], 1.0
        store.db.execute("update documents set label = ?, confidence = ? where id = ?",
                         [label, confidence, doc["id"]])
        counts["documents"] += 1
    counts.update(link_documents(store, document_ids))
    return dict(counts)


def link_documents(store: Store, document_ids: list[int]) -> dict:
    """Statistics rows, ``reverses`` and ``same_event`` links for these documents, oldest first."""
    counts = Counter()
    docs = _documents(store, document_ids)
    policies = _AnnouncedPolicies(store) if any(d["label"] == "reversal" for d in docs) else None
    for doc in docs:
        with store.transaction():
            counts["statistics"] += _record_statistics(store, doc)
            if policies is not None:
                counts["reverses"] += _link_reversal(store, doc, policies)
            counts["same_event"] += _link_same_event(store, doc)
    return dict(counts)


def _documents(store: Store, ids: list[int]) -> list[dict]:
    """Documents by id in publication order, so earlier figures are recorded first."""
    rows = []
    for document_id in dict.fromkeys(ids):
        row = store.db.execute(
            "select id, source, title, published, body, version, label, confidence, first_seen "
            "from documents where id = ?", [document_id]).fetchone()
        if row:
            rows.append(dict(zip(("id", "source", "title", "published", "body", "version",
                                  "label", "confidence", "first_seen"), row)))
    return sorted(rows, key=lambda d: (_day(d) or date.max, d["id"]))


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
        "update statements set label = ?, confidence = ?, evidence = ? where id = ?",
        [result.label, result.confidence, json.dumps(result.evidence, ensure_ascii=False),
         statement_id])


def _day(doc: dict) -> date | None:
    for value in (doc.get("published"), doc.get("first_seen")):
        try:
            return date.fromisoformat((value or "")[:10])
        except ValueError:
            continue
    return None


# --- statistics ---------------------------------------------------------------------


def _record_statistics(store: Store, doc: dict) -> int:
    """One row per figure in the document's statistic statements, each compared with
    the latest earlier stored figure of the same metric and period kind, else with the
    earlier figure the statement itself quotes (then ``previous_id`` is null)."""
    added = 0
    rows = store.db.execute(
        "select id, text from statements s where document_id = ? and label = 'statistic_update' "
        "and not exists (select 1 from statistics where statement_id = s.id) "
        "order by seq, id", [doc["id"]]).fetchall()
    for statement_id, text in rows:
        for stat in extract_statistics(text, doc["published"]):
            when = stat.period_end or (doc["published"] or "")[:10] or None
            kind = period_kind(stat.period)
            previous = _previous_figure(store, stat.metric, kind, when, doc["id"])
            if stat.compared_with is not None and not _adjacent(previous, stat.period_start):
                previous = (None, stat.compared_with, None)  # quoted in the text, not stored
            change = change_pct = None
            if previous:
                change = stat.value - previous[1]
                change_pct = round(100 * change / previous[1], 1) if previous[1] else None
            store.insert("statistics", {
                "document_id": doc["id"], "statement_id": statement_id, "metric": stat.metric,
                "value": stat.value, "unit": stat.unit, "period": stat.period, "period_kind": kind,
                "period_start": stat.period_start, "period_end": when,
                "published": doc["published"], "previous_id": previous[0] if previous else None,
                "previous_value": previous[1] if previous else None, "change": change,
                "change_pct": change_pct, "created_at": utcnow(),
            })
            added += 1
    return added


def _previous_figure(store: Store, metric: str, kind: str, when: str | None, document_id: int
                     ) -> tuple[int | None, float, str | None] | None:
    """(id, value, period_end) of the latest earlier stored figure of this metric and kind."""
    if not when:
        return None
    row = store.db.execute(
        "select id, value, period_end from statistics where metric = ? and period_kind = ? "
        "and period_end < ? and document_id != ? order by period_end desc, id desc limit 1",
        [metric, kind, when, document_id]).fetchone()
    return tuple(row) if row else None


def _adjacent(previous: tuple | None, period_start: str | None) -> bool:
    """Whether a stored figure is for the period just before this one (a month or a
    fiscal year directly preceding it); a stale one loses to the figure the text quotes."""
    if previous is None or not previous[2] or not period_start:
        return False
    try:
        gap = date.fromisoformat(period_start) - date.fromisoformat(previous[2][:10])
    except ValueError:
        return False
    return timedelta(0) < gap <= timedelta(days=1)


# --- links --------------------------------------------------------------------------


def _add_link(store: Store, relation: str, from_doc: int, to_doc: int, score: float,
              from_statement: int | None = None, to_statement: int | None = None) -> int:
    """1 if the link is new; the unique index on (from, to, relation) keeps one of each."""
    return store.db.execute(
        "insert or ignore into links (from_document_id, from_statement_id, to_document_id,"
        " to_statement_id, relation, score, created_at) values (?, ?, ?, ?, ?, ?, ?)",
        [from_doc, from_statement, to_doc, to_statement, relation, round(score, 3), utcnow()],
    ).rowcount


class _AnnouncedPolicies:
    """Every stored document that announces a policy, indexed once per batch of links.

    A candidate counts for a policy only through what it announces (its new-policy
    statements, and its headline if it is a new-policy document), and never for a
    policy it ends itself: an earlier report of the same termination is not what a
    reversal reverses.
    """

    def __init__(self, store: Store):
        announcing = ("with announcing(id) as (select id from documents where label = 'new_policy'"
                      " union select document_id from statements where label = 'new_policy') ")
        rows = store.db.execute(
            announcing + "select id, title, label, published, first_seen from documents "
            "where id in announcing order by id").fetchall()
        labelled: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
        for document_id, sid, text, label in store.db.execute(
                announcing + "select document_id, id, text, label from statements "
                "where label in ('new_policy', 'reversal') and document_id in announcing "
                "order by document_id, seq"):
            labelled[(document_id, label)].append((sid, text))
        self.candidates = []
        announced_texts = []
        for cid, title, label, published, first_seen in rows:
            policy = labelled[(cid, "new_policy")]
            announced = " ".join(([title or ""] if label == "new_policy" else [])
                                 + [t for _, t in policy])
            ended = " ".join(([title or ""] if label == "reversal" else [])
                             + [t for _, t in labelled[(cid, "reversal")]])
            announced_texts.append(announced)
            self.candidates.append({
                "id": cid, "label": label, "policy": policy,
                "day": _day({"published": published, "first_seen": first_seen}),
                "announces": policy_subjects(announced), "ends": policy_subjects(ended),
            })
        self.index = TfidfIndex(announced_texts, _background())


def _link_reversal(store: Store, doc: dict, policies: _AnnouncedPolicies) -> int:
    """Link a reversal to the earlier new-policy document it undoes, one per named policy."""
    if doc["label"] != "reversal":
        return 0
    statements = _labelled(store, doc["id"], "reversal")
    query = " ".join([doc["title"] or ""] + [t for _, t in statements])
    day = _day(doc)
    similarity = dict(policies.index.nearest(query, len(policies.candidates)))
    subjects = policy_subjects(query)
    best: dict[str, tuple[float, int, int | None, int | None]] = {}
    for i, candidate in enumerate(policies.candidates):
        if candidate["id"] == doc["id"] or (day and candidate["day"] and candidate["day"] >= day):
            continue
        shared = (subjects & candidate["announces"]) - candidate["ends"]
        sim = similarity.get(i, 0.0)
        similar = candidate["label"] == "new_policy" and sim >= REVERSES_MIN_SIMILARITY
        for key in shared or ({"similar"} if similar else set()):
            score = 0.5 + 0.5 * sim if key != "similar" else sim
            if score > best.get(key, (0.0,))[0]:
                best[key] = (score, candidate["id"], _naming(statements, key),
                             _naming(candidate["policy"], key))
    if "similar" in best and len(best) > 1:
        del best["similar"]  # a named match is better evidence than wording alone
    return sum(_add_link(store, "reverses", doc["id"], cid, score, from_sid, to_sid)
               for score, cid, from_sid, to_sid in best.values())


def _labelled(store: Store, document_id: int, label: str) -> list[tuple[int, str]]:
    return store.db.execute(
        "select id, text from statements where document_id = ? and label = ? order by seq",
        [document_id, label]).fetchall()


def _naming(statements: list[tuple[int, str]], subject: str) -> int | None:
    """The first statement that names the policy (else the first one)."""
    for sid, text in statements:
        if subject in policy_subjects(text):
            return sid
    return statements[0][0] if statements else None


def _link_same_event(store: Store, doc: dict) -> int:
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
    texts = [f"{title or ''}\n{body or ''}" for _, title, body, _, _ in others]
    text = f"{doc['title'] or ''}\n{doc['body'] or ''}"
    subjects = policy_subjects(text)
    index = TfidfIndex(texts, _background())
    added = 0
    for i, sim in index.nearest(text, len(others)):
        other_id, _, _, other_event, other_published = others[i]
        other_day = _day({"published": other_published}) or day
        days = abs((day - other_day).days)
        if sim < (SAME_EVENT_MIN_SIMILARITY if days <= SAME_EVENT_DAYS
                  else SAME_EVENT_LATE_MIN_SIMILARITY):
            continue
        other_subjects = policy_subjects(texts[i])
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
    """
    counts = Counter()
    now = utcnow()
    use_corrections(store)
    corrected = corrected_labels(store)
    ids = [r[0] for r in store.db.execute("select id from documents order by id")]
    for doc in _documents(store, ids):
        if doc["source"] == BASELINE_SOURCE:
            continue
        current = _statements(store, doc)
        stale = _statements(store, doc, current=False)
        result = classify_document(doc["title"], [r["text"] for r in current], doc["published"])
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
                                  _classifier_of(row["evidence"]), now)
                        counts["changed_statements"] += 1
                    _write_statement(store, row["id"], new)
            if doc["id"] in corrected:
                counts["corrected_documents_kept"] += 1
            elif previous != (result.label, result.confidence):
                if previous[0] is not None:
                    _remember(store, "document", doc["id"], previous[0], previous[1],
                              _classifier_of(next((r["evidence"] for r in current), None)), now)
                    counts["changed_documents"] += 1
                store.db.execute("update documents set label = ?, confidence = ? where id = ?",
                                 [result.label, result.confidence, doc["id"]])
        counts["documents"] += 1
        counts["statements"] += len(labelled)
    with store.transaction():
        store.db.execute("delete from statistics")
        store.db.execute("delete from links where relation in ('reverses', 'same_event')")
        store.db.execute("update documents set event_id = null")
    counts.update(link_documents(store, ids))
    return {"classifier": CLASSIFIER_VERSION} | dict(counts)


def _remember(store: Store, kind: str, row_id: int, label: str, confidence: float | None,
              classifier: str, when: str) -> None:
    store.db["label_history"].insert({
        "kind": kind, "row_id": row_id, "label": label, "confidence": confidence,
        "classifier": classifier, "changed_at": when,
    })


def _classifier_of(evidence: str | None) -> str:
    """Which classifier produced a stored label (recorded in its evidence)."""
    try:
        return json.loads(evidence or "{}").get("classifier") or "unknown"
    except (ValueError, AttributeError):
        return "unknown"

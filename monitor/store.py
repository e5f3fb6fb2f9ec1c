"""SQLite storage: the schema, its migrations, and the only code that writes to the database.

Everything a user stored is kept: an edited page becomes a new row in
``document_versions`` (which keeps the text it replaced; the current text is
``documents.body``) and only statements never seen before in that document are
inserted, so ``statements.first_seen`` says when each sentence first appeared.
``statements`` is a view: a sentence is stored as where it stands in the body it came
from (``statement_rows``), not as a second copy of that text.
The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` is append-only.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import signal
import sqlite3
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils


#: The source of the five labelled baseline articles: history, never news.
BASELINE_SOURCE = "baseline"


class StoreError(Exception):
    """The database cannot be used (not SQLite, read-only, newer schema)."""


#: Faults of the machine, not of policy-monitor: one line, not a traceback.
LOCAL_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def local_fault(exc: BaseException, db_path: str) -> str | None:
    """One line for a full disk, a read-only folder or a locked database, else None
    (a bug keeps its traceback)."""
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        reason = str(exc)
        if "locked" in reason or "busy" in reason:
            reason += " (another program holds it; try again when it is done)"
        elif "full" in reason or "I/O" in reason:
            reason += (" (is the disk full?" if "I/O" in reason else " (free some space;") + \
                " the unfinished batch was rolled back and the next run completes it)"
        return f"database {db_path}: {reason}"
    if isinstance(exc, OSError) and exc.errno in LOCAL_FAULTS:
        return f"cannot write {exc.filename or db_path}: {exc.strerror}"
    return None


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def text_hash(text: str) -> str:
    """Stable identity of a statement or body: whitespace- and case-insensitive."""
    canonical = " ".join(text.split()).casefold()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def hash_number(text_hash_hex: str) -> int:
    """A ``text_hash`` as the signed 64-bit integer ``statement_rows.hash`` keeps (the
    ``statements`` view shows it as the same 16 hex digits again)."""
    number = int(text_hash_hex, 16)
    return number - (1 << 64) if number >= 1 << 63 else number


def statement_span(body: str, text: str) -> tuple[int | None, int | None, str | None]:
    """(start, length, text) as ``statement_rows`` keeps a statement: where it stands in
    its body (characters, as SQLite's substr counts them), else its own text."""
    start = body.find(text) if text and "\x00" not in body else -1
    return (start, len(text), None) if start >= 0 else (None, None, text)


def unique_statements(statements: Iterable[str]) -> dict[str, str]:
    """hash -> text of each statement's first occurrence, in page order: a sentence
    repeated on one page is one statement."""
    unique: dict[str, str] = {}
    for text in statements:
        unique.setdefault(text_hash(text), text)
    return unique


def release_title_key(title: str | None) -> str:
    """A title as two channels of one release both spell it: letters and digits only."""
    return " ".join(re.findall(r"[^\W_]+", (title or "").casefold()))


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str, "kind": str, "url": str, "agency": str, "config": str,
            "updated_at": str, "last_run_at": str, "last_ok_at": str,
            "last_error": str, "consecutive_failures": int,
        },
        pk="name",
    )
    db["documents"].create(
        {
            "id": int, "url": str, "source": str, "title": str, "published": str,
            "doc_type": str, "topics": str, "first_seen": str, "last_checked": str,
            "last_changed": str, "version": int, "body": str, "body_hash": str,
            "label": str, "confidence": float, "event_id": int,
        },
        pk="id",
        not_null={"url", "source", "first_seen"},
        defaults={"version": 1},
    )
    db["documents"].create_index(["url"], unique=True)
    db["documents"].create_index(["source", "published"])
    db["document_versions"].create(
        {
            "id": int, "document_id": int, "version": int, "fetched_at": str,
            "title": str, "published": str, "body": str, "body_hash": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["document_versions"].create_index(["document_id", "version"], unique=True)
    db["statements"].create(
        {
            "id": int, "document_id": int, "version": int, "seq": int, "text": str,
            "hash": str, "first_seen": str, "last_seen_version": int,
            "label": str, "confidence": float, "evidence": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["statements"].create_index(["document_id", "hash"], unique=True)
    db["statements"].create_index(["first_seen"])
    db["fetches"].create(
        {
            "id": int, "url": str, "source": str, "fetched_at": str, "status": int,
            "bytes": int, "elapsed_ms": int, "not_modified": int, "error": str,
        },
        pk="id",
    )
    db["fetches"].create_index(["source", "fetched_at"])
    db["http_cache"].create(
        {"url": str, "etag": str, "last_modified": str, "checked_at": str},
        pk="url",
    )
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "sources_ok": int,
            "sources_failed": int, "new_documents": int, "new_versions": int,
            "new_statements": int, "fetches": int, "bytes": int,
        },
        pk="id",
    )
    # Classification and history links (filled by the classify stage).
    db["links"].create(
        {
            "id": int, "from_document_id": int, "from_statement_id": int,
            "to_document_id": int, "to_statement_id": int, "relation": str,
            "score": float, "created_at": str,
        },
        pk="id",
    )
    db["links"].create_index(["from_document_id", "to_document_id", "relation"], unique=True)
    db["statistics"].create(
        {
            "id": int, "document_id": int, "statement_id": int, "metric": str,
            "value": float, "unit": str, "period": str, "period_start": str,
            "period_end": str, "published": str, "previous_id": int,
            "previous_value": float, "change": float, "change_pct": float,
            "created_at": str,
        },
        pk="id",
    )
    db["statistics"].create_index(["metric", "period_end"])
    db["label_history"].create(
        {
            "id": int, "kind": str, "row_id": int, "label": str, "confidence": float,
            "classifier": str, "changed_at": str,
        },
        pk="id",
    )
    # Digest delivery: one row per (digest, recipient), so nothing is sent twice.
    db["outbox"].create(
        {
            "id": int, "digest": str, "recipient": str, "subject": str, "message": str,
            "created_at": str, "sent_at": str, "attempts": int, "last_error": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )
    db["outbox"].create_index(["digest", "recipient"], unique=True)
    db["documents"].enable_fts(["title", "body"], create_triggers=True, tokenize="porter")
    db["statements"].enable_fts(["text"], create_triggers=True, tokenize="porter")


def _m2_reindex_only_text(db: sqlite_utils.Database) -> None:
    """Labels and timestamps change often; only a change of the text re-indexes it."""
    for table, columns in (("documents", '"title", "body"'), ("statements", '"text"')):
        trigger = f"{table}_au"
        db.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')  # an older release may have got this far
        db.execute(_update_trigger(db, table).replace(
            f'AFTER UPDATE ON "{table}"', f'AFTER UPDATE OF {columns} ON "{table}"'))
    # Same-event lookups by date, any source; which statements already gave figures.
    db["documents"].create_index(["published"], if_not_exists=True)
    db["statistics"].create_index(["statement_id"], if_not_exists=True)


def _update_trigger(db: sqlite_utils.Database, table: str) -> str:
    """sqlite-utils' ``{table}_au`` FTS trigger, rebuilt from its ``_ad`` and ``_ai`` siblings:
    the delete of the old row's text, then the insert of the new one."""
    bodies = []
    for suffix in ("ad", "ai"):
        sql = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?",
                         [f"{table}_{suffix}"]).fetchone()[0]
        bodies.append(sql[sql.index(" BEGIN") + len(" BEGIN"):sql.rindex("END")].strip())
    body = "\n  ".join(bodies)
    return f'CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN\n  {body}\nEND'


def period_kind(period: str | None) -> str:
    """Figures are compared only with figures for the same kind of period."""
    if not period:
        return "unspecified"
    if period.startswith("FY"):
        return "fiscal year"
    return "month" if _MONTH_PERIOD.fullmatch(period) else "other"


_MONTH_PERIOD = re.compile(r"\d{4}-\d{2}")


def _m3_statistics_period_kind(db: sqlite_utils.Database) -> None:
    """The previous figure is looked up by metric and kind of period: index both.

    Also repairs what an older, non-atomic release left when killed part-way: the column
    added but not yet moved next to ``period``.
    """
    if "period_kind" not in db["statistics"].columns_dict:
        db["statistics"].add_column("period_kind", str)
    columns = [c.name for c in db["statistics"].columns]
    if columns[columns.index("period") + 1] != "period_kind":
        columns.remove("period_kind")
        columns.insert(columns.index("period") + 1, "period_kind")
        db["statistics"].transform(column_order=columns)  # re-created: the schema reads cleanly
    for (period,) in db.execute("select distinct period from statistics").fetchall():
        db.execute("update statistics set period_kind = ? where period is ?",
                   [period_kind(period), period])
    db["statistics"].create_index(["metric", "period_kind", "period_end"], if_not_exists=True)


def _m_policies(db: sqlite_utils.Database) -> None:
    """Policies the history knows, what each document does to them, and ``reverses``
    links recomputed from those (replacing the ones found by topic similarity)."""
    from monitor.policies import backfill

    db["policies"].create(
        {"id": int, "key": str, "name": str, "kind": str, "aliases": str},
        pk="id", not_null={"key", "name"}, if_not_exists=True)
    db["policies"].create_index(["key"], unique=True, if_not_exists=True)
    db["policy_events"].create(
        {"id": int, "policy_id": int, "document_id": int, "statement_id": int, "event": str,
         "date": str},
        pk="id", foreign_keys=[("policy_id", "policies", "id"), ("document_id", "documents", "id")],
        if_not_exists=True)
    db["policy_events"].create_index(["policy_id", "document_id"], unique=True, if_not_exists=True)
    db["policy_events"].create_index(["document_id"], if_not_exists=True)
    db["policy_events"].create_index(["policy_id", "date"], if_not_exists=True)
    backfill(db, utcnow())


def _m_federal_register_documents(db: sqlite_utils.Database) -> None:
    """What the Federal Register's API says of a document: type, action and its dates."""
    db["federal_register_documents"].create(
        {
            "document_id": int, "document_number": str, "type": str, "action": str,
            "publication_date": str, "effective_on": str, "comments_close_on": str,
            "docket_ids": str, "regulation_id_numbers": str, "cfr_references": str,
            "significant": int, "agencies": str, "correction": int, "html_url": str,
            "updated_at": str,
        },
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_number"},
    )
    db["federal_register_documents"].create_index(["document_number"], unique=True)
    db["federal_register_documents"].create_index(["effective_on"])
    db["federal_register_documents"].create_index(["comments_close_on"])


def _m_backfills(db: sqlite_utils.Database) -> None:
    """Where each ``backfill`` stands, committed with what it stored, so it can resume."""
    db["backfills"].create(
        {
            "source": str, "since": str, "next_url": str, "done_until": str, "pages": int,
            "documents": int, "started_at": str, "updated_at": str, "finished_at": str,
            "linked_at": str, "last_error": str,
        },
        pk=("source", "since"),
    )


#: Full-text search for what people type: FTS4 with ``unicode61`` (case and accents
#: folded, no stemming) reads a quoted "H-2B", "U.S." or "Title-42" as a phrase and keeps a
#: trailing * inside quotes as a prefix ("terminat*"), so Datasette's default escaped
#: search mode accepts them all; FTS5 with the porter stemmer did neither.
FTS_TABLES = {"documents": ("title", "body"), "statements": ("text",)}


def _m_fts_everyday_terms(db: sqlite_utils.Database) -> None:
    """Rebuild the FTS tables as FTS4 ``unicode61``; triggers re-index only on a text change."""
    _build_fts(db)


def _build_fts(db: sqlite_utils.Database, options: str = "") -> None:
    """(Re)create and fill the FTS4 tables and their triggers; ``options`` go to FTS4."""
    for table, columns in FTS_TABLES.items():
        fts = f"{table}_fts"
        for when in ("ai", "ad", "au", "bd", "bu"):  # sqlite-utils' FTS5 ones, or ours
            db.execute(f'DROP TRIGGER IF EXISTS "{table}_{when}"')
        db.execute(f'DROP TABLE IF EXISTS "{fts}"')
        names = ", ".join(f'"{c}"' for c in columns)
        new = ", ".join(f'new."{c}"' for c in columns)
        db.execute(f'CREATE VIRTUAL TABLE "{fts}" USING FTS4 ({names}, '
                   f'tokenize=unicode61, content="{table}"{options})')
        # FTS4 external content: remove before the row changes, add after (SQLite's recipe).
        add = f'INSERT INTO "{fts}" (docid, {names}) VALUES (new.rowid, {new});'
        remove = f'DELETE FROM "{fts}" WHERE docid = old.rowid;'
        db.execute(f'CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN {add} END')
        db.execute(f'CREATE TRIGGER "{table}_bd" BEFORE DELETE ON "{table}" BEGIN {remove} END')
        db.execute(f'CREATE TRIGGER "{table}_bu" BEFORE UPDATE OF {names} ON "{table}" '
                   f'BEGIN {remove} END')
        db.execute(f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {names} ON "{table}" '
                   f'BEGIN {add} END')
        db.execute(f'INSERT INTO "{fts}" ("{fts}") VALUES (\'rebuild\')')


#: Columns of the figure model (``monitor.figures``), in the order they are shown.
FIGURE_COLUMNS = {
    "scope": str, "population": str, "agency": str, "kind": str, "qualifier": str,
    "as_written": str, "role": str, "series": str, "previous_period": str,
    "previous_source": str, "change_stated_pct": float,
}
#: Old metric names, which folded the scope into the metric.
_OLD_METRICS = {"southwest border encounters": ("encounters", "southwest border"),
                "northern border encounters": ("encounters", "northern border"),
                "nationwide encounters": ("encounters", "nationwide")}


def _m_statistics_figure_model(db: sqlite_utils.Database) -> None:
    """Each figure's scope, population, agency, kind, role and series; the previous
    figure's period and whether it came from the stored series or from the release.

    Existing rows keep every value; they are given the series of their metric and
    kind of period (an old "southwest border encounters" is encounters at the
    southwest border), and say where their previous value came from. Safe to run again.
    """
    table = db["statistics"]
    missing = {name: kind for name, kind in FIGURE_COLUMNS.items() if name not in table.columns_dict}
    if missing:
        for name, kind in missing.items():
            table.add_column(name, kind)
        columns = [c.name for c in table.columns if c.name not in FIGURE_COLUMNS]
        at = columns.index("value") + 1
        columns[at:at] = ["scope", "population", "agency", "kind", "qualifier", "as_written", "role"]
        columns.insert(columns.index("period_end") + 1, "series")
        columns.insert(columns.index("previous_value") + 1, "previous_period")
        columns.insert(columns.index("previous_period") + 1, "previous_source")
        columns.insert(columns.index("change_pct") + 1, "change_stated_pct")
        table.transform(column_order=columns)
    rows = db.execute("select id, metric, period_kind, previous_id, previous_value, period_end "
                      "from statistics where series is null").fetchall()
    for row_id, metric, kind, previous_id, previous_value, period_end in rows:
        name, scope = _OLD_METRICS.get(metric, (metric, ""))
        previous_period = db.execute("select period from statistics where id = ?",
                                     [previous_id]).fetchone() if previous_id else None
        db.execute(
            "update statistics set metric = ?, scope = ?, population = '', kind = 'level', "
            "role = 'reported', series = ?, previous_period = ?, previous_source = ? where id = ?",
            [name, scope, " | ".join((name, scope or "-", "all", "-", "level", kind or "unspecified")),
             previous_period[0] if previous_period else None,
             "series" if previous_id else ("release" if previous_value is not None else None), row_id])
    table.create_index(["series", "period_end"], if_not_exists=True)


def _m_article_failures(db: sqlite_utils.Database) -> None:
    """Articles that could not be fetched or extracted, on the record until stored or given
    up on: one row per URL, with the retry schedule (``record_failure``)."""
    db["failures"].create(
        {
            "id": int, "url": str, "source": str, "stage": str, "reason": str,
            "attempts": int, "first_seen": str, "last_seen": str, "next_attempt": str,
            "gave_up_at": str, "resolved_at": str, "hints": str,
        },
        pk="id",
        not_null={"url", "source"},
    )
    db["failures"].create_index(["url"], unique=True)
    db["failures"].create_index(["source", "resolved_at"])


def _m_resumable_runs(db: sqlite_utils.Database) -> None:
    """What a killed run or a new classifier leaves for the next run to finish:
    ``sources.unfinished_crawl``, when a crawl began that has not finished (the next crawl
    then neither trusts the source's validators nor stops at a page of known links); the
    documents not labelled yet (indexed); and ``documents.classifier``, the classifier
    version that labelled each document, read from its statements' evidence."""
    db["sources"].add_column("unfinished_crawl", str)
    db["sources"].transform()  # re-created: the schema reads cleanly
    db.execute("create index if not exists idx_documents_unlabelled on documents (id)"
               " where label is null")
    db["documents"].add_column("classifier", str)  # no transform: it would drop the FTS triggers
    db.execute("update documents set classifier = (select json_extract(s.evidence, '$.classifier')"
               " from statements s where s.document_id = documents.id"
               " and s.last_seen_version = documents.version and s.label is not null"
               " order by s.seq limit 1) where label is not null")
    db["documents"].create_index(["classifier"], if_not_exists=True)


def _m_corrections(db: sqlite_utils.Database) -> None:
    """Labels readers corrected (``policy-monitor label``): gold that ``reclassify`` keeps
    and the classifier learns from. Every correction is kept; a document's latest wins."""
    db["corrections"].create(
        {
            "id": int, "document_id": int, "url": str, "label": str, "previous_label": str,
            "note": str, "corrected_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        if_not_exists=True,
    )
    db["corrections"].create_index(["document_id"], if_not_exists=True)


def _m_channels_blocks_mailboxes(db: sqlite_utils.Database) -> None:
    """Issue 17: every channel a release came through, hosts backed off after their bot
    protection answered, and which mailbox messages were read."""
    db["document_channels"].create(
        {"id": int, "document_id": int, "source": str, "url": str, "first_seen": str},
        pk="id", foreign_keys=[("document_id", "documents", "id")], if_not_exists=True)
    db["document_channels"].create_index(["document_id", "source", "url"], unique=True,
                                         if_not_exists=True)
    db["document_channels"].create_index(["source", "url"], if_not_exists=True)
    db.execute("insert or ignore into document_channels (document_id, source, url, first_seen)"
               " select id, source, url, first_seen from documents")
    db["blocked_hosts"].create(
        {"host": str, "vendor": str, "strikes": int, "first_blocked": str,
         "last_blocked": str, "blocked_until": str, "sources": str},
        pk="host", if_not_exists=True)
    db["mailbox_seen"].create(
        {"source": str, "key": str, "message_id": str, "seen_at": str},
        pk=("source", "key"), if_not_exists=True)
    db["mailbox_seen"].create_index(["source", "message_id"], if_not_exists=True)


def _m_compact_storage(db: sqlite_utils.Database) -> None:
    """Issue 11: a third of the disk per document, and indexes for what the digest reads.

    Each statement's ``evidence`` keeps what explains its label (``stored_evidence``: the
    classifier version; for a statement labelled other than none, its cues and speaker),
    no longer the scores and nearest examples, which were two thirds of the database. A
    version's row in ``document_versions`` holds its body only once a later version
    replaced it: the current body is ``documents.body``. Labels, versions and everything
    else are kept as they were. ``Store.migrate`` VACUUMs afterwards to give the space back.
    """
    from monitor.classify.model import stored_evidence

    last = 0
    while rows := db.execute("select id, label, evidence from statements where id > ? and"
                             " evidence is not null order by id limit 5000", [last]).fetchall():
        last = rows[-1][0]
        kept = []
        for row_id, label, evidence in rows:
            try:
                parsed = json.loads(evidence)
            except ValueError:
                continue  # not ours: left as it is
            if isinstance(parsed, dict) and (smaller := stored_evidence(parsed, label)) != parsed:
                kept.append((json.dumps(smaller, ensure_ascii=False), row_id))
        db.conn.executemany("update statements set evidence = ? where id = ?", kept)
    db.execute("update document_versions set body = null where body is not null and exists"
               " (select 1 from documents d where d.id = document_versions.document_id"
               " and d.version = document_versions.version and d.body is document_versions.body)")
    # What a period's digest reads: documents first seen or edited in it, a document's
    # figures, what links to it, its event; failures still open.
    db["documents"].create_index(["first_seen"], if_not_exists=True)
    db.execute("create index if not exists idx_documents_edited on documents (last_changed)"
               " where version > 1")
    db.execute("create index if not exists idx_documents_event_id on documents (event_id)"
               " where event_id is not null")
    db["links"].create_index(["to_document_id", "relation"], if_not_exists=True)
    db["statistics"].create_index(["document_id"], if_not_exists=True)
    db.execute("create index if not exists idx_failures_open on failures (last_seen)"
               " where resolved_at is null")
    # The Atom feed's latest changes: labelled news, as ``digest.IS_NEWS`` says (the same terms).
    db.execute("create index if not exists idx_documents_news_changes on documents (first_seen)"
               " where source != 'baseline'"
               " and (published is null or not published < date(first_seen, '-30 days'))"
               " and label is not null and label != 'none'")
    # Written with every row, read by no query: statistics by metric (the series is what
    # is compared), statements by first_seen (their ids are in that order).
    for index in ("idx_statistics_metric_period_end", "idx_statistics_metric_period_kind_period_end",
                  "idx_statements_first_seen"):
        db.execute(f'drop index if exists "{index}"')
    # Search needs no ranking (Datasette does not rank FTS4): without matchinfo's per-row
    # sizes, and merged into one segment, the index is a tenth smaller.
    _build_fts(db, ", matchinfo=fts3")


_m_compact_storage.vacuum = True  # type: ignore[attr-defined]


def _m_previous_figure_index(db: sqlite_utils.Database) -> None:
    """A figure's previous value is the latest figure reported for the period before, in
    its series: an index in that order finds it at once, where (series, period_end) made
    each lookup read every figure of that period (hundreds in a long history). It serves
    every (series, period_end) lookup, so that index goes."""
    db.execute("create index if not exists idx_statistics_series_period on statistics"
               " (series, period_end, period_start, role, published)")
    db.execute("drop index if exists idx_statistics_series_period_end")


#: What people read as ``statements``: the stored row, its text cut from the body of the
#: version it first appeared in (``document_versions.body`` once a later version replaced
#: it, ``documents.body`` until then), and when that version was fetched. A view of one
#: table (the rest are subqueries, run only for the columns read), so SQLite flattens it
#: into any query, even as the right side of a LEFT JOIN. ``rowid`` is there for the
#: full-text index, which reads its external content by rowid.
STATEMENTS_VIEW = """
create view statements as
select id, document_id, version, seq,
       coalesce(text, (select substr(coalesce(document_versions.body, documents.body),
                                     statement_rows.text_start + 1, statement_rows.text_length)
                       from documents left join document_versions
                       on document_versions.document_id = documents.id
                          and document_versions.version = statement_rows.version
                       where documents.id = statement_rows.document_id)) as text,
       printf('%016x', hash) as hash,
       coalesce(first_seen, (select fetched_at from document_versions
                             where document_versions.document_id = statement_rows.document_id
                               and document_versions.version = statement_rows.version))
         as first_seen,
       last_seen_version, label, confidence, evidence, id as rowid
from statement_rows
"""


def _m_statement_spans(db: sqlite_utils.Database) -> None:
    """Issue 11: a statement is a span of its body, not a second copy of the text.

    ``statement_rows`` keeps where each sentence stands in the body of the version it
    first appeared in (its own text only when it is not there verbatim), its hash as an
    integer, and ``first_seen`` only where it differs from that version's fetch time; the
    ``statements`` view shows every column as before, and ``statements_fts`` indexes the
    view, so search and its snippets are unchanged. Every row is checked against the old
    text before the old table goes.
    """
    for when in ("ai", "ad", "au", "bd", "bu"):
        db.execute(f'drop trigger if exists "statements_{when}"')
    db["statement_rows"].create(
        {
            "id": int, "document_id": int, "version": int, "seq": int, "text_start": int,
            "text_length": int, "text": str, "hash": int, "first_seen": str,
            "last_seen_version": int, "label": str, "confidence": float, "evidence": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    last = 0
    while rows := db.execute(
            "select s.id, s.document_id, s.version, s.seq, s.text, s.hash,"
            " nullif(s.first_seen, v.fetched_at), s.last_seen_version, s.label, s.confidence,"
            " s.evidence, coalesce(v.body, d.body) from statements s"
            " left join document_versions v on v.document_id = s.document_id"
            " and v.version = s.version left join documents d on d.id = s.document_id"
            " where s.id > ? order by s.id limit 5000", [last]).fetchall():
        last = rows[-1][0]
        db.conn.executemany(
            "insert into statement_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sid, doc, version, seq, *statement_span(body or "", text or ""),
              hash_number(h) if h and re.fullmatch("[0-9a-f]{16}", h) else h, first_seen,
              seen, label, confidence, evidence)
             for sid, doc, version, seq, text, h, first_seen, seen, label, confidence,
             evidence, body in rows])
    db.execute(STATEMENTS_VIEW.replace("create view statements", "create temp view new_statements"))
    # Anything the view would not give back exactly (a text SQLite counts differently)
    # keeps its own copy.
    db.execute("update statement_rows set text = (select text from statements s where"
               " s.id = statement_rows.id), text_start = null, text_length = null where id in"
               " (select o.id from statements o join new_statements n on n.id = o.id"
               " where n.text is not o.text"
               " or n.first_seen is not o.first_seen)")
    db.execute("drop view new_statements")
    db.execute("drop table statements")
    db.execute(STATEMENTS_VIEW)
    db.execute("create unique index idx_statement_rows_document_id_hash"
               " on statement_rows (document_id, hash)")
    _statements_fts_triggers(db)


_m_statement_spans.vacuum = True  # type: ignore[attr-defined]


def _statements_fts_triggers(db: sqlite_utils.Database) -> None:
    """Keep ``statements_fts`` (FTS4, external content: the ``statements`` view) in step
    with ``statement_rows``: SQLite's recipe, removing before a row changes, adding after."""
    add = ("insert into statements_fts (docid, text)"
           " select id, text from statements where rowid = new.id;")
    remove = "delete from statements_fts where docid = old.id;"
    spans = "text, text_start, text_length, version, document_id"
    db.execute(f"create trigger statement_rows_ai after insert on statement_rows begin {add} end")
    db.execute(f"create trigger statement_rows_bd before delete on statement_rows begin {remove} end")
    db.execute(f"create trigger statement_rows_bu before update of {spans} on statement_rows"
               f" begin {remove} end")
    db.execute(f"create trigger statement_rows_au after update of {spans} on statement_rows"
               f" begin {add} end")


#: The columns of ``statistics``, as people read them; ``statistic_rows`` keeps the same
#: but ``series``, which it keeps as a ``series_id`` (the key is stored once in ``series``).
STATISTICS_COLUMNS = [
    "id", "document_id", "statement_id", "metric", "value", "scope", "population", "agency",
    "kind", "qualifier", "as_written", "role", "unit", "period", "period_kind", "period_start",
    "period_end", "series", "published", "previous_id", "previous_value", "previous_period",
    "previous_source", "change", "change_pct", "change_stated_pct", "created_at",
]
STATISTICS_VIEW = "create view statistics as\nselect " + textwrap.fill(", ".join(
    "(select key from series where series.id = series_id) as series" if c == "series" else c
    for c in STATISTICS_COLUMNS), 88, subsequent_indent="       ") + "\nfrom statistic_rows"


def _m_series_table(db: sqlite_utils.Database) -> None:
    """Issue 11: a series is named once, in ``series``, and each figure points to it.

    The key ("apprehensions | southwest border | all | USBP | level | month") was written
    out in every figure and again in the index that finds a figure's previous period; the
    ``statistics`` view shows every column as before.
    """
    db["series"].create({"id": int, "key": str}, pk="id", not_null={"key"})
    db["series"].create_index(["key"], unique=True)
    db.execute("insert into series (key) select series from statistics where series is not null"
               " group by series order by min(id)")
    python_type = {"INTEGER": int, "REAL": float, "FLOAT": float, "TEXT": str}
    types = {c.name: python_type.get(c.type, str) for c in db["statistics"].columns}
    db["statistic_rows"].create(
        {("series_id" if c == "series" else c): (int if c == "series" else types[c])
         for c in STATISTICS_COLUMNS},
        pk="id", foreign_keys=[("series_id", "series", "id")])
    kept = ", ".join("(select x.id from series x where x.key = s.series)" if c == "series"
                     else f"s.{c}" for c in STATISTICS_COLUMNS)
    db.execute(f"insert into statistic_rows select {kept} from statistics s order by s.id")
    db.execute("drop table statistics")
    db.execute(STATISTICS_VIEW)
    db.execute("create index idx_statistic_rows_series_period on statistic_rows"
               " (series_id, period_end, period_start, role, published)")
    db["statistic_rows"].create_index(["statement_id"])
    db["statistic_rows"].create_index(["document_id"])


_m_series_table.vacuum = True  # type: ignore[attr-defined]


def _m_history_queue(db: sqlite_utils.Database) -> None:
    """Labelling and linking commit a chunk of documents at a time (``history.link_queued``):
    what is still to do, and the policies touched so far, are kept here so that a run
    stopped anywhere is taken up by the next exactly where it stopped. ``step`` is where a
    document is: ``history.LABEL``, ``FIGURES``, ``POLICIES`` or ``REVERSALS``; rows are
    deleted when done."""
    db["history_queue"].create({"id": int, "document_id": int, "step": int}, pk="id",
                               not_null={"document_id", "step"}, if_not_exists=True,
                               foreign_keys=[("document_id", "documents", "id")])
    db["history_queue"].create_index(["document_id"], unique=True, if_not_exists=True)
    db["history_queue_policies"].create({"policy_id": int}, pk="policy_id", if_not_exists=True,
                                        foreign_keys=[("policy_id", "policies", "id")])


MIGRATIONS = [_m1_initial, _m2_reindex_only_text, _m3_statistics_period_kind,
              _m_policies, _m_federal_register_documents, _m_backfills, _m_fts_everyday_terms,
              _m_statistics_figure_model, _m_article_failures, _m_resumable_runs,
              _m_corrections, _m_channels_blocks_mailboxes, _m_compact_storage,
              _m_previous_figure_index, _m_statement_spans, _m_series_table, _m_history_queue]

#: A failed article is tried again after 1 hour, then 2, 4, 8 and 16 hours, and given
#: up on when its sixth attempt fails (about 31 hours after the first).
FAILURE_RETRY_FIRST = timedelta(hours=1)
FAILURE_MAX_ATTEMPTS = 6
#: A run that stores this many documents, a quarter of the history or more (a first crawl,
#: a backfill), ends with ``Store.compact``.
COMPACT_AFTER = 1000
#: Bodies of a few KB fill 16 KB pages with little left over, where 4 KB pages (SQLite's
#: default) hold one body each and waste the rest: a thirtieth of the database.
PAGE_SIZE = 16384
#: Fault injection for tests/test_faults.py: SIGKILL the process when its database
#: connection starts the N-th SQL statement (migrations and crawls alike).
KILL_AFTER_ENV = "POLICY_MONITOR_FAULT_KILL_AFTER"


def classifier_of(evidence: str | None, document_classifier: str | None) -> str:
    """Which classifier produced a stored label: its document's, unless the evidence names
    another (rows stored before ``documents.classifier`` named it once for them all)."""
    try:
        return json.loads(evidence or "{}").get("classifier") or document_classifier or "unknown"
    except (ValueError, AttributeError):
        return "unknown"


class _Connection(sqlite3.Connection):
    """A connection whose transaction ``Store.migrate`` can hold open.

    While ``held``, ``commit()`` and ``with conn:`` leave the transaction open and
    ``executescript()`` (which would COMMIT first) runs its statements one by one inside
    it, so any migration, whatever sqlite-utils or sqlite3 calls it makes (``enable_fts``
    included), commits with its version number or not at all.
    """

    held = False

    def commit(self) -> None:
        if not self.held:
            super().commit()

    def __exit__(self, exc_type, exc, tb):
        if self.held:
            return False
        return super().__exit__(exc_type, exc, tb)

    def executescript(self, script: str) -> sqlite3.Cursor:
        if not self.held:
            return super().executescript(script)
        cursor = self.cursor()
        for statement in _split_script(script):
            cursor.execute(statement)
        return cursor


def _split_script(script: str) -> Iterator[str]:
    """The complete statements of an SQL script (a ``;`` in a string or a trigger's
    body does not end one)."""
    statement = ""
    for part in script.split(";"):
        statement += part + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \t\r\n;"):
                yield statement
            statement = ""


def _killer(statements: int):
    count = 0

    def trace(_sql: str) -> None:
        nonlocal count
        count += 1
        if count >= statements:
            os.kill(os.getpid(), signal.SIGKILL)

    return trace


@dataclass
class SavedDocument:
    """What storing one fetched article changed."""

    document_id: int
    created: bool = False
    new_version: bool = False
    new_statement_ids: list[int] = field(default_factory=list)


class Store:
    """The monitor's database. One writer at a time (see ``monitor.lock``)."""

    def __init__(self, path: str | Path, timeout: float = 30.0):
        self.path = Path(path)
        self._batching = False
        try:
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError(f"{self.path} is not a SQLite database")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=timeout, check_same_thread=False,
                                   factory=_Connection)
            if kill_after := os.environ.get(KILL_AFTER_ENV):
                conn.set_trace_callback(_killer(int(kill_after)))
            self.db = sqlite_utils.Database(conn)
            # Set before the first table exists; an older database gets it at its next VACUUM.
            self.db.execute(f"PRAGMA page_size={PAGE_SIZE:d}")
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL cannot corrupt; a power cut may lose the last commit.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot use database {self.path}: {exc}") from exc

    # -- schema -----------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Bring the schema up to date, each migration in a transaction of its own (then a
        VACUUM, outside it, if one of them freed much space: ``migration.vacuum``).

        DDL is transactional in SQLite once a transaction is open (``BEGIN IMMEDIATE``
        with the driver's own transaction handling off), so a process killed anywhere in
        a migration leaves the database at the version before it, and the next start runs
        that migration again. The version is re-read under the write lock: another
        process may have migrated meanwhile.
        """
        first = self.schema_version
        self._check_version(first)
        while self.schema_version < len(MIGRATIONS):
            with self._held_transaction():
                current = self.schema_version
                self._check_version(current)
                if current >= len(MIGRATIONS):
                    break
                if current == 0:
                    self._clear_half_made()
                MIGRATIONS[current](self.db)
                self.db.conn.execute(f"PRAGMA user_version = {current + 1:d}")
        migrated = MIGRATIONS[first:self.schema_version] if first else []  # a new one is small
        if any(getattr(migration, "vacuum", False) for migration in migrated):
            self._vacuum()

    def _vacuum(self) -> None:
        """Give freed space back, outside any transaction (a kill leaves free pages to be
        reused, or a hot journal SQLite rolls back), into ``PAGE_SIZE`` pages unless another
        process has the database open (WAL mode keeps the page size)."""
        conn = self.db.conn
        if conn.execute("PRAGMA journal_mode=DELETE").fetchall() == [("delete",)]:
            try:
                conn.execute(f"PRAGMA page_size={PAGE_SIZE:d}")
                conn.execute("VACUUM")
            finally:
                conn.execute("PRAGMA journal_mode=WAL").fetchall()
        else:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # and the WAL's space

    def _check_version(self, version: int) -> None:
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this "
                f"policy-monitor ({len(MIGRATIONS)}); upgrade policy-monitor"
            )

    @contextmanager
    def _held_transaction(self) -> Iterator[None]:
        conn: _Connection = self.db.conn
        level = conn.isolation_level
        conn.isolation_level = None  # nothing is open yet, so this commits nothing
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.held = True
            try:
                yield
                conn.held = False
                if not conn.in_transaction:
                    raise StoreError("a migration ended its own transaction")
                conn.execute("COMMIT")
            except BaseException:
                conn.held = False
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.isolation_level = level

    def _clear_half_made(self) -> None:
        """Drop what an older release, whose schema creation was not atomic, left when it
        was killed: tables without a version number. Refused if any of them holds rows."""
        names = [name for (name,) in self.db.conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")]
        plain = [name for name in names if "_fts" not in name]
        if any(self.db.conn.execute(f'select 1 from "{name}" limit 1').fetchone()
               for name in plain):
            raise StoreError(f"{self.path} holds tables with data but no policy-monitor schema "
                             f"version: not a policy-monitor database")
        for name in sorted(names, key=lambda n: not n.endswith("_fts")):  # FTS tables first
            self.db.conn.execute(f'drop table if exists "{name}"')

    def schema(self) -> str:
        """The tables and views people query, as CREATE statements (FTS shadow tables left out)."""
        rows = self.db.execute(
            "select sql from sqlite_master where type in ('table', 'view') and sql is not null "
            "and name not like '%_fts%' and name not like 'sqlite_%' order by type = 'view', rowid"
        ).fetchall()
        return ";\n".join(row[0] for row in rows) + ";\n"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction of its own, or a part of the enclosing ``batch()``."""
        if self._batching:
            yield
            return
        with self._begun():
            yield

    @contextmanager
    def _begun(self) -> Iterator[None]:
        """An explicit BEGIN: sqlite-utils 4 commits a write at once unless a transaction is
        already open, and sqlite3 opens one only at the first write, too late for that."""
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")
        with self.db.conn:
            yield

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one commit: a crawl stores hundreds of articles a second."""
        if self._batching:
            yield
            return
        self._batching = True
        try:
            with self._begun():
                yield
        finally:
            self._batching = False

    def close(self) -> None:
        self.db.close()

    # -- sources and fetch log -------------------------------------------
    def sync_sources(self, sources: Iterable) -> None:
        now = utcnow()
        with self.transaction():
            for s in sources:
                self.db["sources"].upsert(
                    {"name": s.name, "kind": s.kind, "url": s.location, "agency": s.agency,
                     "config": json.dumps(s.as_dict(), sort_keys=True), "updated_at": now},
                    pk="name",
                )

    def begin_crawls(self, names: Iterable[str]) -> set[str]:
        """Mark these sources' crawls as begun; returns those whose previous crawl never
        finished (a killed run), which must be crawled in full."""
        names = list(names)
        marks = ", ".join("?" for _ in names)
        with self.transaction():
            unfinished = {name for (name,) in self.db.execute(
                f"select name from sources where name in ({marks}) and unfinished_crawl is not null",
                names)}
            self.db.execute(f"update sources set unfinished_crawl = ? where name in ({marks}) "
                            "and unfinished_crawl is null", [utcnow(), *names])
        return unfinished

    def record_source_result(self, name: str, error: str | None, finished: bool = True) -> None:
        """A source's cycle ended; ``finished`` means its crawl saw everything it covers
        (the validators saved with it can be trusted next time)."""
        now = utcnow()
        row = self.db.execute(
            "select consecutive_failures from sources where name = ?", [name]
        ).fetchone()
        failures = (row[0] or 0) if row else 0
        update = {"name": name, "last_run_at": now}
        if error:
            update |= {"last_error": error, "consecutive_failures": failures + 1}
        else:
            update |= {"last_ok_at": now, "last_error": None, "consecutive_failures": 0}
        if finished:
            update["unfinished_crawl"] = None
        with self.transaction():
            self.db["sources"].upsert(update, pk="name")

    # -- articles that could not be stored ---------------------------------------
    def open_failures(self, source: str) -> dict[str, dict]:
        """url -> {next_attempt, gave_up_at, hints} of a source's articles not stored yet."""
        return {
            url: {"next_attempt": next_attempt, "gave_up_at": gave_up_at,
                  "hints": json.loads(hints or "{}")}
            for url, next_attempt, gave_up_at, hints in self.db.execute(
                "select url, next_attempt, gave_up_at, hints from failures"
                " where source = ? and resolved_at is null", [source])
        }

    def record_failure(self, *, source: str, url: str, stage: str, reason: str,
                       hints: dict | None = None, now: datetime | None = None) -> None:
        """One more failed attempt at an article: when to try again, or that we gave up."""
        now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
        with self.transaction():
            row = self.db.execute("select attempts, resolved_at from failures where url = ?",
                                  [url]).fetchone()
            attempts = 1 if row is None or row[1] else (row[0] or 0) + 1
            gave_up = attempts >= FAILURE_MAX_ATTEMPTS
            retry = now + FAILURE_RETRY_FIRST * 2 ** (attempts - 1)
            self.db.conn.execute(
                "insert into failures (url, source, stage, reason, attempts, first_seen,"
                " last_seen, next_attempt, gave_up_at, resolved_at, hints)"
                " values (?, ?, ?, ?, 1, ?, ?, ?, null, null, ?)"
                " on conflict (url) do update set source = excluded.source,"
                " stage = excluded.stage, reason = excluded.reason, attempts = ?,"
                " first_seen = case when failures.resolved_at is null"
                "   then failures.first_seen else excluded.first_seen end,"
                " last_seen = excluded.last_seen, next_attempt = ?, gave_up_at = ?,"
                " resolved_at = null, hints = excluded.hints",
                [url, source, stage, reason, now.isoformat(), now.isoformat(),
                 retry.isoformat(), json.dumps(hints or {}), attempts,
                 None if gave_up else retry.isoformat(), now.isoformat() if gave_up else None])

    def resolve_failure(self, url: str) -> None:
        with self.transaction():
            self.db.conn.execute("update failures set resolved_at = ?, next_attempt = null"
                                 " where url = ? and resolved_at is null", [utcnow(), url])

    def log_fetches(self, rows: list[dict]) -> None:
        if rows:
            with self.transaction():
                self.db["fetches"].insert_all(rows)

    def all_validators(self) -> dict[str, tuple[str | None, str | None]]:
        return {
            url: (etag, last_modified) for url, etag, last_modified in
            self.db.execute("select url, etag, last_modified from http_cache")
        }

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.transaction():
            self.db.conn.execute(
                "insert into http_cache (url, etag, last_modified, checked_at) values (?, ?, ?, ?)"
                " on conflict (url) do update set etag = excluded.etag,"
                " last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                [url, etag, last_modified, utcnow()])

    def known_documents(self, source: str) -> dict[str, dict]:
        """url -> {id, published, last_checked, body_hash} of what a source brought
        (its own documents and releases it brought after another channel), for re-checks."""
        return {
            row[1]: {"id": row[0], "published": row[2], "last_checked": row[3],
                     "body_hash": row[4]}
            for row in self.db.execute(
                "select d.id, c.url, d.published, d.last_checked, d.body_hash"
                " from document_channels c join documents d on d.id = c.document_id"
                " where c.source = ?", [source])
        }

    # -- one release, several channels ------------------------------------
    def same_release(self, url: str, title: str | None, published: str | None,
                     from_mailbox: bool = False) -> tuple[int, str] | None:
        """(id, source) of a stored document that is this release: the same URL, or
        failing that, between an email and another channel, the same normalised title on
        the same day (two websites' releases are kept apart: history links them as one
        event)."""
        row = self.db.execute("select id, source from documents where url = ?", [url]).fetchone()
        if row:
            return row[0], row[1]
        key = release_title_key(title)
        if not key or not published:
            return None
        for doc_id, source, other in self.db.execute(
                "select d.id, d.source, d.title from documents d"
                " left join sources s on s.name = d.source"
                " where d.published = ? and d.source != ? and (? or s.kind = 'mailbox')",
                [published[:10], BASELINE_SOURCE, int(from_mailbox)]):
            if release_title_key(other) == key:
                return doc_id, source
        return None

    def add_channel(self, document_id: int, source: str, url: str,
                    seen_at: str | None = None) -> None:
        with self.transaction():
            self.db.conn.execute(
                "insert or ignore into document_channels (document_id, source, url, first_seen)"
                " values (?, ?, ?, ?)", [document_id, source, url, seen_at or utcnow()])

    # -- hosts behind bot protection --------------------------------------
    def blocked_hosts(self) -> dict[str, dict]:
        return {row["host"]: row for row in self.db["blocked_hosts"].rows}

    def record_blocks(self, blocked: dict[str, str], answered: set[str],
                      sources: dict[str, list[str]]) -> None:
        """Back off each host whose bot protection answered (``backoff`` doubling with
        each block in a row); forget the hosts that answered normally again."""
        from monitor.blocking import backoff

        now = datetime.now(timezone.utc).replace(microsecond=0)
        with self.transaction():
            for host, vendor in blocked.items():
                row = self.db.execute("select strikes, first_blocked from blocked_hosts"
                                      " where host = ?", [host]).fetchone()
                strikes = (row[0] if row else 0) + 1
                self.db["blocked_hosts"].upsert({
                    "host": host, "vendor": vendor, "strikes": strikes,
                    "first_blocked": row[1] if row else now.isoformat(),
                    "last_blocked": now.isoformat(),
                    "blocked_until": (now + backoff(strikes)).isoformat(),
                    "sources": json.dumps(sorted(sources.get(host, [])))}, pk="host")
            for host in answered - set(blocked):
                self.db.execute("delete from blocked_hosts where host = ?", [host])

    # -- mailboxes ----------------------------------------------------------
    def mailbox_seen(self, source: str) -> set[str]:
        """Keys and message-ids of the messages a mailbox source has read."""
        seen: set[str] = set()
        for key, message_id in self.db.execute(
                "select key, message_id from mailbox_seen where source = ?", [source]):
            seen.add(key)
            if message_id:
                seen.add(message_id)
        return seen

    def mark_mail_seen(self, source: str, key: str, message_id: str | None) -> None:
        with self.transaction():
            self.db.conn.execute(
                "insert or ignore into mailbox_seen (source, key, message_id, seen_at)"
                " values (?, ?, ?, ?)", [source, key, message_id, utcnow()])

    def touch_document(self, url: str) -> None:
        with self.transaction():
            self.db.execute("update documents set last_checked = ? where url = ?",
                            [utcnow(), url])

    def set_document_label(self, document_id: int, label: str | None, confidence: float | None,
                           classifier: str | None = None) -> None:
        """The one writer of a document's label (and of the classifier that gave it, when
        named); a row that already says so is not rewritten."""
        values = [label, confidence] + ([classifier] if classifier else [])
        columns = ("label", "confidence") + (("classifier",) if classifier else ())
        self.db.execute(
            f"update documents set {', '.join(c + ' = ?' for c in columns)} where id = ? and ("
            + " or ".join(f"{c} is not ?" for c in columns) + ")",
            values + [document_id] + values)

    def keep_prepared_figures(self, document_id: int, read_from: str, figures: bytes) -> None:
        """Figures a worker read from a document (``series.prepare_figures``), kept until the
        document's figures are stored. A temporary table: this connection's alone, gone
        with it, never in the database file."""
        self.db.execute("create temp table if not exists prepared_figures (document_id integer "
                        "primary key, read_from text not null, figures blob not null)")
        self.db.execute("insert or replace into prepared_figures values (?, ?, ?)",
                        [document_id, read_from, figures])

    def take_prepared_figures(self, document_id: int) -> tuple[str, bytes] | None:
        """The kept (digest of what they were read from, figures) of a document, removed."""
        if not self._prepared_kept():
            return None
        row = self.db.execute("select read_from, figures from prepared_figures where document_id = ?",
                              [document_id]).fetchone()
        if row is None:
            return None
        self.db.execute("delete from prepared_figures where document_id = ?", [document_id])
        return row[0], row[1]

    def _prepared_kept(self) -> bool:
        return self.db.execute("select 1 from sqlite_temp_master where name = 'prepared_figures'"
                               ).fetchone() is not None

    # -- documents and statements ----------------------------------------
    def save_document(
        self,
        *,
        source: str,
        url: str,
        title: str | None,
        published: str | None,
        body: str,
        statements: list[str] | dict[str, str],
        doc_type: str | None = None,
        topics: list[str] | None = None,
        seen_at: str | None = None,
        labels: list[tuple[str, float, str]] | None = None,
        channel_url: str | None = None,
    ) -> SavedDocument:
        """Store one article; a changed body becomes a new version, never an overwrite.

        ``statements`` are texts, or already ``unique_statements`` of them (hash -> text;
        a crawl hashes in its worker processes, off the single writer's path).
        ``labels`` (label, confidence, evidence JSON), one per statement of
        ``unique_statements(statements)``, are stored with the statements inserted now,
        when the crawl has already classified them. ``channel_url`` is where this copy
        came from when that is not ``url`` (a bulletin email about the release at ``url``).
        """
        now = seen_at or utcnow()
        body_hash = text_hash((title or "") + "\n" + body)
        with self.transaction():
            row = self.db.execute(
                "select id, version, body_hash from documents where url = ?", [url]
            ).fetchone()
            if row and row[2] == body_hash:
                self.db.execute(
                    "update documents set last_checked = ? where id = ?", [now, row[0]]
                )
                return SavedDocument(document_id=row[0])
            fields = {
                "source": source, "url": url, "title": title, "published": published,
                "doc_type": doc_type, "topics": json.dumps(topics or []),
                "last_checked": now, "last_changed": now, "body": body,
                "body_hash": body_hash,
            }
            if row:
                document_id, version = row[0], row[1] + 1
                # The version being replaced keeps its body: until now it was documents.body.
                self.db.conn.execute(
                    "update document_versions set body = (select body from documents where id = ?)"
                    " where document_id = ? and version = ? and body is null",
                    [document_id, document_id, row[1]])
                assignments = ", ".join(f'"{column}" = ?' for column in fields)
                # unlabelled until classified: a run killed before then leaves it for the next
                self.db.conn.execute(
                    f"update documents set {assignments}, version = ?, label = null,"
                    " confidence = null where id = ?",
                    [*fields.values(), version, document_id])
                result = SavedDocument(document_id=document_id, new_version=True)
            else:
                version = 1
                document_id = self.insert("documents",
                                           fields | {"first_seen": now, "version": 1})
                result = SavedDocument(document_id=document_id, created=True)
            self.insert("document_versions", {  # its body is documents.body until replaced
                "document_id": document_id, "version": version, "fetched_at": now,
                "title": title, "published": published, "body_hash": body_hash})
            result.new_statement_ids = self._save_statements(
                document_id, version, body, statements, labels
            )
            self.add_channel(document_id, source, channel_url or url, now)
        return result

    def save_federal_register(self, document_id: int, row: dict) -> None:
        """Keep the API's latest word on a document: its dates can change (a comment period
        extended) while its abstract does not."""
        values = row | {"document_id": document_id, "updated_at": utcnow()}
        columns = ", ".join(f'"{c}"' for c in values)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in values if c != "document_id")
        with self.transaction():
            self.db.conn.execute(
                f"insert into federal_register_documents ({columns}) "
                f"values ({', '.join('?' for _ in values)}) "
                f"on conflict(document_id) do update set {updates}", list(values.values()))

    def insert(self, table: str, row: dict) -> int:
        """A plain INSERT for hot paths (sqlite-utils re-reads the schema on each call);
        table and column names must be the code's constants, values are parameters."""
        columns = ", ".join(f'"{column}"' for column in row)
        marks = ", ".join("?" for _ in row)
        return self.db.conn.execute(f'insert into "{table}" ({columns}) values ({marks})',
                                    list(row.values())).lastrowid

    def _save_statements(
        self, document_id: int, version: int, body: str, statements: list[str] | dict[str, str],
        labels: list[tuple[str, float, str]] | None,
    ) -> list[int]:
        existing = {
            h: sid for sid, h in self.db.execute(
                "select id, hash from statement_rows where document_id = ?", [document_id]
            )
        }
        unique = statements if isinstance(statements, dict) else unique_statements(statements)
        if labels is not None and len(labels) != len(unique):
            raise ValueError("labels must match unique_statements(statements) one to one")
        new_ids = []
        for seq, (h, text) in enumerate(unique.items()):
            number = hash_number(h)
            if number in existing:
                self.db.conn.execute(
                    "update statement_rows set last_seen_version = ? where id = ?",
                    [version, existing[number]],
                )
                continue
            label, confidence, evidence = labels[seq] if labels else (None, None, None)
            cursor = self.db.conn.execute(
                "insert into statement_rows (document_id, version, seq, text_start, text_length,"
                " text, hash, last_seen_version, label, confidence, evidence)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, version, seq, *statement_span(body, text), number, version,
                 label, confidence, evidence],
            )
            new_ids.append(cursor.lastrowid)
        return new_ids

    def insert_statistic(self, row: dict) -> int:
        """Store one figure given as ``statistics`` shows it (``series`` by its key)."""
        fields = {k: v for k, v in row.items() if k != "series"}
        if (series := row.get("series")) is not None:
            self.db.conn.execute("insert or ignore into series (key) values (?)", [series])
            fields["series_id"] = self.series_id(series)
        return self.insert("statistic_rows", fields)

    def series_id(self, key: str) -> int | None:
        found = self.db.conn.execute("select id from series where key = ?", [key]).fetchone()
        return found[0] if found else None

    def start_run(self) -> int:
        with self.transaction():
            return self.db["runs"].insert({"started_at": utcnow()}).last_pk

    def finish_run(self, run_id: int, totals: dict) -> None:
        with self.transaction():
            self.db["runs"].update(run_id, totals | {"finished_at": utcnow()})
        added = totals.get("new_documents") or 0
        if added >= COMPACT_AFTER and 4 * added >= self.db.execute(
                "select count(*) from documents").fetchone()[0]:
            self.compact()

    def compact(self) -> None:
        """Merge each full-text index into one segment and VACUUM: what a first crawl or a
        backfill wrote in scattered order takes a tenth less room. A kill leaves the
        database as it was (SQLite's VACUUM is atomic)."""
        for fts in FTS_TABLES:
            with self.transaction():
                self.db.execute(f'insert into "{fts}_fts" ("{fts}_fts") values (\'optimize\')')
        self._vacuum()

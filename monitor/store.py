"""SQLite storage: the schema, its migrations, and the only code that writes to the database.

Everything a user stored is kept: an edited page becomes a new row in
``document_versions`` and only statements never seen before in that document are
inserted, so ``statements.first_seen`` says when each sentence first appeared.
The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` is append-only.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils


#: The source of the five labelled baseline articles: history, never news.
BASELINE_SOURCE = "baseline"


class StoreError(Exception):
    """The database cannot be used (not SQLite, read-only, newer schema)."""


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def text_hash(text: str) -> str:
    """Stable identity of a statement or body: whitespace- and case-insensitive."""
    canonical = " ".join(text.split()).casefold()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


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
        sql = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?",
                         [trigger]).fetchone()[0]
        db.execute(f'DROP TRIGGER "{trigger}"')
        db.execute(sql.replace(f'AFTER UPDATE ON "{table}"',
                               f'AFTER UPDATE OF {columns} ON "{table}"'))
    # Same-event lookups by date, any source; which statements already gave figures.
    db["documents"].create_index(["published"], if_not_exists=True)
    db["statistics"].create_index(["statement_id"], if_not_exists=True)


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

    Safe to run again: SQLite commits ALTER TABLE and sqlite-utils' transform() at once,
    so a migration cut short leaves the column without the version number.
    """
    if "period_kind" not in db["statistics"].columns_dict:
        db["statistics"].add_column("period_kind", str)
        columns = [c.name for c in db["statistics"].columns]
        columns.insert(columns.index("period") + 1, columns.pop())
        db["statistics"].transform(column_order=columns)  # re-created: the schema reads cleanly
    for (period,) in db.execute("select distinct period from statistics").fetchall():
        db.execute("update statistics set period_kind = ? where period is ?",
                   [period_kind(period), period])
    db["statistics"].create_index(["metric", "period_kind", "period_end"], if_not_exists=True)


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


MIGRATIONS = [_m1_initial, _m2_reindex_only_text, _m3_statistics_period_kind,
              _m_channels_blocks_mailboxes]


@dataclass
class SavedDocument:
    """What storing one fetched article changed."""

    document_id: int
    created: bool = False
    new_version: bool = False
    new_statement_ids: list[int] = field(default_factory=list)


class Store:
    """The monitor's database. One writer at a time (see ``monitor.lock``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._batching = False
        try:
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError(f"{self.path} is not a SQLite database")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
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
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} has schema version {current}, newer than this "
                f"policy-monitor ({len(MIGRATIONS)}); upgrade policy-monitor"
            )
        for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.db.conn:
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {int(number)}")

    def schema(self) -> str:
        """The tables people query, as CREATE statements (FTS shadow tables left out)."""
        rows = self.db.execute(
            "select sql from sqlite_master where type = 'table' and sql is not null "
            "and name not like '%_fts%' and name not like 'sqlite_%' order by rowid"
        ).fetchall()
        return ";\n".join(row[0] for row in rows) + ";\n"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction of its own, or a part of the enclosing ``batch()``."""
        if self._batching:
            yield
            return
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
            with self.db.conn:
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

    def record_source_result(self, name: str, error: str | None) -> None:
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
        with self.transaction():
            self.db["sources"].upsert(update, pk="name")

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
                assignments = ", ".join(f'"{column}" = ?' for column in fields)
                self.db.conn.execute(
                    f"update documents set {assignments}, version = ? where id = ?",
                    [*fields.values(), version, document_id])
                result = SavedDocument(document_id=document_id, new_version=True)
            else:
                version = 1
                document_id = self.insert("documents",
                                           fields | {"first_seen": now, "version": 1})
                result = SavedDocument(document_id=document_id, created=True)
            self.insert("document_versions", {
                "document_id": document_id, "version": version, "fetched_at": now,
                "title": title, "published": published, "body": body,
                "body_hash": body_hash})
            result.new_statement_ids = self._save_statements(
                document_id, version, statements, now, labels
            )
            self.add_channel(document_id, source, channel_url or url, now)
        return result

    def insert(self, table: str, row: dict) -> int:
        """A plain INSERT for hot paths (sqlite-utils re-reads the schema on each call);
        table and column names must be the code's constants, values are parameters."""
        columns = ", ".join(f'"{column}"' for column in row)
        marks = ", ".join("?" for _ in row)
        return self.db.conn.execute(f'insert into "{table}" ({columns}) values ({marks})',
                                    list(row.values())).lastrowid

    def _save_statements(
        self, document_id: int, version: int, statements: list[str] | dict[str, str], now: str,
        labels: list[tuple[str, float, str]] | None,
    ) -> list[int]:
        existing = {
            h: sid for sid, h in self.db.execute(
                "select id, hash from statements where document_id = ?", [document_id]
            )
        }
        unique = statements if isinstance(statements, dict) else unique_statements(statements)
        if labels is not None and len(labels) != len(unique):
            raise ValueError("labels must match unique_statements(statements) one to one")
        new_ids = []
        for seq, (h, text) in enumerate(unique.items()):
            if h in existing:
                self.db.conn.execute(
                    "update statements set last_seen_version = ? where id = ?",
                    [version, existing[h]],
                )
                continue
            label, confidence, evidence = labels[seq] if labels else (None, None, None)
            cursor = self.db.conn.execute(
                "insert into statements (document_id, version, seq, text, hash, first_seen,"
                " last_seen_version, label, confidence, evidence)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, version, seq, text, h, now, version, label, confidence, evidence],
            )
            new_ids.append(cursor.lastrowid)
        return new_ids

    def start_run(self) -> int:
        with self.transaction():
            return self.db["runs"].insert({"started_at": utcnow()}).last_pk

    def finish_run(self, run_id: int, totals: dict) -> None:
        with self.transaction():
            self.db["runs"].update(run_id, totals | {"finished_at": utcnow()})

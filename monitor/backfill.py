"""The record back to a date: ``policy-monitor backfill --since DATE``.

A newsroom's listing is walked page by page back to DATE, and the Federal Register's
API month by month, storing, classifying and linking as ``run`` does. Each step (one
listing page with its articles, one month of documents) is committed together with a
checkpoint in ``backfills``, so a backfill stopped any way at all (Ctrl-C, kill -9, a
failing host) resumes at the step it was in, and a page read twice stores nothing
twice. The writer lock is taken for each step's writing only, so a scheduled ``run``
gets its turn between steps. Old documents are archive, not news: the digest leaves
out whatever was published long before it was first seen (``digest.BACKLOG_DAYS``).
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from monitor.config import Source
from monitor.extract import extract_listing
from monitor.fetch import Fetcher, Response
from monitor.history import FIGURES, classify_documents, link_queued, queue_documents
from monitor.pipeline import (
    HTML_TYPES, _Analyser, _Found, _store_article, run_cycle, source_limits,
)
from monitor.store import COMPACT_AFTER, Store, utcnow

#: Listing pages walked at most per source: a bound against a pager that never ends.
MAX_PAGES = 20_000
#: Days of Federal Register documents fetched and committed as one step.
FR_STEP_DAYS = 31


@dataclass
class BackfillProgress:
    """Where one source's backfill stands: ``reached`` is how far the dates read have got
    (back from today for a listing, forward from ``since`` for the Federal Register)."""

    source: str
    since: date
    forward: bool = False
    pages: int = 0
    documents: int = 0
    failed_articles: int = 0
    reached: date | None = None
    started: float = 0.0
    finished: bool = False
    error: str | None = None

    def fraction(self, today: date) -> float:
        """How much of the way back to ``since`` is done, by dates read."""
        if self.finished:
            return 1.0
        if self.reached is None or today <= self.since:
            return 0.0
        done = (self.reached - self.since) if self.forward else (today - self.reached)
        return min(1.0, max(0.0, done.days / (today - self.since).days))

    def eta_seconds(self, today: date) -> float | None:
        done = self.fraction(today)
        if not 0.0 < done < 1.0:
            return None
        return (time.monotonic() - self.started) * (1.0 - done) / done


Locking = Callable[[], AbstractContextManager]


def backfill(store: Store, sources: list[Source], since: date, *, fetcher: Fetcher,
             writing: Locking, progress: Callable[[BackfillProgress], None] | None = None,
             today: date | None = None, allow_internal: tuple[str, ...] = ()
             ) -> list[BackfillProgress]:
    """Backfill each source to ``since``; ``writing()`` holds the writer lock for a step.
    ``allow_internal`` as for ``run``: the internal hosts links may reach."""
    today = today or datetime.now(timezone.utc).date()
    reports = []
    for source in sources:
        state = BackfillProgress(source.name, since, source.kind == "federal_register",
                                 started=time.monotonic())
        walk = _walk_federal_register if source.kind == "federal_register" else _walk_listing
        if source.kind == "feed":
            state.error = "a feed holds only its latest items: nothing to walk back through"
        elif source.kind == "mailbox":
            state.error = "a mailbox has no archive to walk back through: `run` reads it all"
        else:
            walk(store, source, since, today, fetcher, writing, state,
                 progress or (lambda p: None), allow_internal)
        reports.append(state)
    return reports


def _checkpoint(store: Store, source: str, since: date) -> dict:
    cursor = store.db.execute("select * from backfills where source = ? and since = ?",
                              [source, since.isoformat()])
    row = cursor.fetchone()
    if row is None:
        return {}
    return dict(zip([c[0] for c in cursor.description], row))


def _save_checkpoint(store: Store, state: BackfillProgress, **position) -> None:
    now = utcnow()
    store.db.execute(
        "insert into backfills (source, since, next_url, done_until, pages, documents,"
        " started_at, updated_at, finished_at, last_error)"
        " values (:source, :since, :next_url, :done_until, :pages, :documents, :now, :now,"
        "         :finished_at, :last_error)"
        " on conflict(source, since) do update set next_url = excluded.next_url,"
        " done_until = excluded.done_until, pages = excluded.pages,"
        " documents = excluded.documents, updated_at = excluded.updated_at,"
        " finished_at = excluded.finished_at, last_error = excluded.last_error",
        {"source": state.source, "since": state.since.isoformat(), "now": now,
         "pages": state.pages, "documents": state.documents,
         "finished_at": now if state.finished else None, "last_error": state.error,
         "next_url": position.get("next_url"), "done_until": position.get("done_until")})


def _resume(store: Store, state: BackfillProgress) -> dict:
    saved = _checkpoint(store, state.source, state.since)
    state.pages, state.documents = saved.get("pages") or 0, saved.get("documents") or 0
    state.finished = bool(saved.get("finished_at"))
    return saved


class _ListingWalk:
    """One html source's walk back through its listing pages, a page per step."""

    def __init__(self, store: Store, source: Source, since: date, fetcher: Fetcher,
                 writing: Locking, state: BackfillProgress, progress,
                 allow_internal: tuple[str, ...]):
        self.store, self.source, self.since = store, source, since
        self.fetcher, self.writing, self.state, self.progress = fetcher, writing, state, progress
        self.limits = source_limits(source, allow_internal)
        self.known = set(store.known_documents(source.name))

    def run(self, url: str | None) -> None:
        self.analyser = _Analyser()
        try:
            while url and not self.state.error and self.state.pages < MAX_PAGES:
                url = self.step(url)
        finally:
            self.analyser.close()

    def step(self, url: str) -> str | None:
        """Read one listing page and its new articles; commit them with the checkpoint.
        Returns the next page to read, or None."""
        state = self.state
        response = self.fetcher.get(url, self.limits, source=self.source.name)  # never 304
        if not response.ok:
            state.error = f"listing {url}: {response.error or f'HTTP {response.status}'}"
            with self.writing(), self.store.transaction():
                _save_checkpoint(self.store, state, next_url=url)
            return None
        listing = extract_listing(response.content, response.final_url, self.source.selectors,
                                  response.charset)
        dates = [d for link in listing.links if (d := _date(link.published))]
        wanted = [link for link in listing.links if link.url not in self.known
                  and not (_date(link.published) and _date(link.published) < self.since)]
        found = self.analysed([item for link in wanted
                               if (item := self.analysing(link)) is not None])
        next_url = None if (dates and min(dates) < self.since) or not listing.links \
            else listing.next_url
        if dates:
            state.reached = min(state.reached or date.max, min(dates))
        with self.writing(), self.store.batch():
            saved = [_store_article(self.store, f) for f in found]
            changed = [s.document_id for s in saved if s.created or s.new_version]
            if changed:  # linked at the end: walking back, what they reverse is still to come
                classify_documents(self.store, changed, {
                    s.document_id: (f.labels.label, f.labels.confidence)
                    for s, f in zip(saved, found) if f.labels}, link=False)
            for s, f in zip(saved, found):
                if (s.created or s.new_version) and f.labels and f.labels.figures:
                    self.store.keep_prepared_figures(s.document_id, *f.labels.figures)
            state.pages += 1
            state.documents += sum(s.created for s in saved)
            state.finished = next_url is None
            _save_checkpoint(self.store, state, next_url=next_url)
        self.known.update(link.url for link in wanted)
        self.progress(state)
        return next_url

    def analysing(self, link) -> tuple[Future, Response] | None:
        """Fetch one article and hand it to the analyser (worker processes on a big walk)."""
        response = self.fetcher.get(link.url, self.limits, source=self.source.name)
        ctype = response.content_type.split(";")[0].strip().lower()
        if not response.ok or (ctype and not ctype.startswith(HTML_TYPES)):
            self.state.failed_articles += 1
            return None
        hints = {"url": link.url, "published": link.published, "title": link.title,
                 "doc_type": link.doc_type, "charset": response.charset, "agency": self.source.agency}
        return self.analyser.submit(response.content, response.final_url,
                                    self.source.selectors, hints), response

    def analysed(self, pending: list[tuple[Future, Response]]) -> list[_Found]:
        found = []
        for future, response in pending:
            try:
                article, statements, labels = future.result()
            except Exception:  # one unreadable page must not stop the archive walk
                statements = None
            if not statements:
                self.state.failed_articles += 1
                continue
            found.append(_Found(self.source.name, article, statements, response, labels))
        return found


def _walk_listing(store, source, since, today, fetcher, writing, state, progress,
                  allow_internal) -> None:
    saved = _resume(store, state)
    if not state.finished:
        _ListingWalk(store, source, since, fetcher, writing, state, progress,
                     allow_internal).run(
            saved.get("next_url") or source.url)
    if state.finished:
        _link(store, source, since, writing)


def _link(store: Store, source: Source, since: date, writing: Locking) -> None:
    """Link the walked archive into the history once, oldest first, as ``run`` would have
    had it arrived in order; reversals published since then, from any source, are
    linked again too, since what they reverse may only now be stored. They are queued
    with the checkpoint in one commit and linked a chunk per commit (``link_queued``): a
    link step cut short goes on where it stopped, here or in the next ``run``."""
    queued = []
    with writing():
        with store.transaction():
            if not _checkpoint(store, source.name, since).get("linked_at"):
                queued = [r[0] for r in store.db.execute(
                    "select id from documents where (source = ? or label = 'reversal') "
                    "and published >= ? order by published, id", [source.name, since.isoformat()])]
                queue_documents(store, queued, FIGURES)
                store.db.execute("update backfills set linked_at = ? where source = ? and since = ?",
                                 [utcnow(), source.name, since.isoformat()])
        link_queued(store)
        if len(queued) >= COMPACT_AFTER:  # an archive a backfill has just linked
            store.compact()


def _walk_federal_register(store, source, since, today, fetcher, writing, state, progress,
                           allow_internal) -> None:
    """Month by month, oldest first; each month is one ``run_cycle`` over that window."""
    saved = _resume(store, state)
    if state.finished:
        return
    done_until = _date(saved.get("done_until"))
    start = done_until + timedelta(days=1) if done_until else since
    while start <= today:
        end = min(today, start + timedelta(days=FR_STEP_DAYS - 1))
        with writing():
            summary = run_cycle(store, [source], fetcher=fetcher, window=(start, end),
                                allow_internal=allow_internal)
            report = summary.reports[0]
            state.documents += report.new_documents
            state.pages += report.pages
            state.error = report.error
            state.finished = not report.error and end >= today
            with store.transaction():
                _save_checkpoint(store, state, done_until=(
                    start - timedelta(days=1) if report.error else end).isoformat())
            if report.error:
                return
        state.reached = end
        progress(state)
        start = end + timedelta(days=1)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def describe(state: BackfillProgress, today: date) -> str:
    """One status line: counts, how far back, and time left."""
    eta = state.eta_seconds(today)
    left = f", about {_duration(eta)} left" if eta is not None else ""
    reached = (f", {'up' if state.forward else 'back'} to {state.reached}"
               if state.reached and not state.finished else "")
    failed = f", {state.failed_articles} article(s) failed" if state.failed_articles else ""
    done = " (complete)" if state.finished else ""
    return (f"{state.source}: {state.pages} page(s), {state.documents} new document(s)"
            f"{failed}{reached}{left}{done}")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


"""One monitoring cycle: find article links, fetch what is new or due, extract, store, classify.

Each source is crawled in its own thread (the ``Fetcher`` keeps every host
polite). The CPU-bound part of an article (extract, split, classify) runs in
worker processes once a crawl is big enough to pay for starting them, and the
calling thread is the only one that writes to SQLite: crawlers hand it finished
articles through a queue, and it commits them in batches. A source that fails
is reported and the others carry on; an article that fails is retried on the
next run because nothing was stored for it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit

from monitor.addresses import AddressPolicy
from monitor.blocking import backed_off_message
from monitor.classify import classify_document
from monitor.config import Source
from monitor.extract import Article, ExtractError, extract_article, extract_listing, parse_feed
from monitor.fetch import Fetcher, RequestLimits, Response
from monitor.history import classify_documents, load_baseline
from monitor.mailbox import MailboxError, Message, parse_bulletin, read_messages
from monitor.statements import split_statements
from monitor.store import SavedDocument, Store, unique_statements

#: Stored articles re-checked (conditionally) per source and run, oldest check first.
RECHECKS_PER_RUN = 100
#: Content types worth extracting; a response without one is tried too.
HTML_TYPES = ("text/html", "application/xhtml", "text/plain")
#: Articles analysed in the crawler thread before worker processes are started.
INLINE_ANALYSES = 16
#: Queue events the writer commits together.
WRITE_BATCH = 200


@dataclass
class SourceReport:
    """What one source did in one cycle; ``error`` means the source itself failed."""

    name: str
    error: str | None = None
    pages: int = 0
    links: int = 0
    fetched: int = 0
    not_modified: int = 0
    new_documents: int = 0
    new_versions: int = 0
    new_statements: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The vendor whose bot protection blocked the source, if it did.
    blocked: str | None = None


@dataclass
class RunSummary:
    run_id: int
    reports: list[SourceReport]
    changed_document_ids: list[int]
    fetches: int = 0
    bytes: int = 0

    def total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.reports)

    @property
    def failed(self) -> list[SourceReport]:
        return [r for r in self.reports if r.error]


@dataclass
class _Found:
    """A crawler's finished article, on its way to the writer."""

    source: str
    article: Article
    #: hash -> text, as ``unique_statements`` gives them: the writer does not hash again.
    statements: dict[str, str]
    response: Response
    labels: Labels | None = None
    #: Where this copy came from when it is not ``article.url`` (a bulletin email).
    channel_url: str | None = None
    #: The mailbox message it came from, remembered as read once it is stored.
    mail: Message | None = None


@dataclass
class _MailRead:
    """A mailbox message that yielded nothing to store: still never read again."""

    source: str
    mail: Message


@dataclass
class _Unchanged:
    url: str
    response: Response


@dataclass
class _Done:
    report: SourceReport


@dataclass
class Labels:
    """A document's classification as a worker hands it over: compact, ready to store."""

    label: str
    confidence: float
    #: (label, confidence, evidence JSON) for each statement, in order.
    statements: list[tuple[str, float, str]]


def analyse_article(content: bytes, url: str, selectors: dict, hints: dict
                    ) -> tuple[Article, dict[str, str], Labels | None]:
    """Extract, split and classify one fetched page: pure CPU work, safe in a worker process.

    ``hints`` fills what the page itself lacks (the listing's date, the feed's title)
    and brings the charset the HTTP response declared.
    Statements come de-duplicated and hashed as the store keeps them (``unique_statements``),
    so the labels line up with its rows.
    """
    article = extract_article(content, url, selectors, hints.get("charset"))
    article.url = hints["url"]
    article.published = article.published or hints.get("published")
    article.title = article.title or hints.get("title")
    article.doc_type = article.doc_type or hints.get("doc_type")
    statements = unique_statements(split_statements(article.text))
    if not statements:
        return article, statements, None
    result = classify_document(article.title, list(statements.values()), article.published)
    return article, statements, Labels(result.label, result.confidence, [
        (s.label, s.confidence, json.dumps(s.evidence, ensure_ascii=False))
        for s in result.statements])


class _Analyser:
    """Runs ``analyse_article`` inline for a handful of pages, on every core for a big crawl."""

    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, *args) -> Future:
        with self._lock:
            self._count += 1
            if self._pool is None and self._count > INLINE_ANALYSES and (os.cpu_count() or 1) > 1:
                # forkserver, not fork: the crawler threads hold locks a forked child would inherit.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["monitor.pipeline"])
                self._pool = ProcessPoolExecutor(os.cpu_count(), mp_context=context)
            pool = self._pool
        if pool is not None:
            return pool.submit(analyse_article, *args)
        future: Future = Future()
        try:
            future.set_result(analyse_article(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class _Crawler:
    """Walks one source; runs in a worker thread and never touches the database."""

    def __init__(self, source: Source, fetcher: Fetcher, analyser: _Analyser,
                 known: dict[str, dict], validators: dict[str, tuple], out: queue.Queue,
                 now: datetime, allow_internal: tuple[str, ...] = (),
                 mail_seen: set[str] | None = None):
        self.source = source
        self.fetcher = fetcher
        self.analyser = analyser
        self.analysing: deque[tuple[Future, str, Response, Message | None]] = deque()
        self.mail_seen = mail_seen or set()
        self.known = known
        self.validators = validators
        self.out = out
        self.now = now
        self.limits = RequestLimits(
            delay=source.delay, timeout=source.timeout, max_bytes=source.max_bytes,
            retries=source.retries, configured_url=source.url,
            allow=AddressPolicy.parse(allow_internal + source.allow_internal))
        self.report = SourceReport(source.name)
        self.handled: set[str] = set()

    def run(self) -> None:
        started = time.monotonic()
        try:
            if self.source.kind == "feed":
                self.crawl_feed()
            elif self.source.kind == "mailbox":
                self.crawl_mailbox()
            else:
                self.crawl_listing()
            self.recheck_due()
            self.hand_over(wait=True)
        except Exception as exc:  # a bug must not hang the writer; report it instead
            self.report.error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self.report.seconds = time.monotonic() - started
            self.out.put(_Done(self.report))

    def fetch(self, url: str, conditional: bool) -> Response:
        etag, last_modified = self.validators.get(url, (None, None)) if conditional else (None, None)
        response = self.fetcher.get(url, self.limits, etag=etag, last_modified=last_modified,
                                    source=self.source.name)
        if response.ok:
            self.report.fetched += 1
        elif response.not_modified:
            self.report.not_modified += 1
        elif response.blocked and not self.report.blocked:
            self.report.blocked = response.blocked
            self.report.error = f"{url}: {response.error}; {self.suggestion()}"
        return response

    def suggestion(self) -> str:
        """What the user can do about a source that bot protection keeps out."""
        if self.source.fallbacks:
            return f"reading its fallbacks instead: {', '.join(self.source.fallbacks)}"
        return ("no fallbacks configured: add the agency's press-release emails or feed "
                "as 'fallbacks' (see feeds/ and deploy/README.md)")

    # -- discovering links ---------------------------------------------------
    def crawl_listing(self) -> None:
        url: str | None = self.source.url
        seen_pages: set[str] = set()
        while url and self.report.pages < self.source.max_pages and url not in seen_pages:
            seen_pages.add(url)
            response = self.fetch(url, conditional=True)
            if response.not_modified:
                self.out.put(_Unchanged(url, response))
                return
            if not response.ok:
                if response.blocked:
                    return  # reported once, by fetch()
                if self.report.pages == 0:
                    self.report.error = f"listing {url}: {response.error}"
                else:
                    self.report.failures.append(f"{url}: {response.error}")
                return
            self.report.pages += 1
            listing = extract_listing(response.content, response.final_url,
                                      self.source.selectors, response.charset)
            if self.report.pages == 1 and not listing.links:
                self.report.error = f"listing {url}: no article links found (check selectors)"
                return
            self.out.put(_Unchanged(url, response))  # stores the listing's validators
            new_here = 0
            for link in listing.links:
                self.report.links += 1
                new_here += self.visit(link.url, hint_published=link.published,
                                       doc_type=link.doc_type)
            if not new_here:
                return  # everything on this page is known: older pages hold nothing new
            url = listing.next_url

    def crawl_feed(self) -> None:
        response = self.fetch(self.source.url, conditional=True)
        if response.not_modified:
            self.out.put(_Unchanged(self.source.url, response))
            return
        if not response.ok:
            if not response.blocked:
                self.report.error = f"feed {self.source.url}: {response.error}"
            return
        try:
            items = parse_feed(response.content, response.final_url)
        except ExtractError as exc:
            self.report.error = f"feed {self.source.url}: {exc}"
            return
        self.report.pages = 1
        self.out.put(_Unchanged(self.source.url, response))
        for item in items:
            self.report.links += 1
            if not self.source.fetch_articles:
                self.from_summary(item, response)
                continue
            known = self.known.get(item.url)
            changed = bool(known and _later(item.updated, known["last_checked"]))
            self.visit(item.url, hint_published=item.published, changed=changed,
                       fallback_title=item.title)

    def crawl_mailbox(self) -> None:
        """Each unread bulletin is extracted like an article, under its release's URL."""
        try:
            messages = list(read_messages(self.source, self.mail_seen))
        except MailboxError as exc:
            self.report.error = f"mailbox {self.source.location}: {exc}"
            return
        self.report.pages = 1
        for message in messages:
            if message.message_id in self.mail_seen:  # read before under another key
                self.out.put(_MailRead(self.source.name, message))
                continue
            self.report.links += 1
            try:
                bulletin = parse_bulletin(message.raw, self.source.url)
            except Exception as exc:  # hostile or broken mail must not stop the source
                bulletin = None
                self.report.failures.append(f"{message.key}: cannot read: {exc}")
            else:
                if bulletin is None:
                    self.report.failures.append(f"{message.key}: no text part")
            if bulletin is None:
                self.out.put(_MailRead(self.source.name, message))
                continue
            self.report.fetched += 1
            hints = {"url": bulletin.url, "published": bulletin.published,
                     "title": bulletin.title, "charset": "utf-8"}
            response = Response(bulletin.channel_url, bulletin.channel_url, status=200)
            self.analysing.append((self.analyser.submit(
                bulletin.html, bulletin.url, {"body": "body"}, hints), bulletin.url,
                response, message))
            self.hand_over(wait=False)

    def from_summary(self, item, response: Response) -> None:
        """Feeds such as the Federal Register's carry the abstract: store it as the body."""
        if item.url in self.handled or not item.summary.strip():
            return
        self.handled.add(item.url)
        article = Article(url=item.url, title=item.title, published=item.published,
                          text=item.summary, method="feed")
        self.out.put(_Found(self.source.name, article,
                            unique_statements(split_statements(article.text)),
                            Response(item.url, item.url, status=200)))

    # -- fetching articles ---------------------------------------------------
    def visit(self, url: str, *, hint_published: str | None = None, changed: bool = False,
              doc_type: str | None = None, fallback_title: str | None = None) -> int:
        """Fetch an article if it is new, said to have changed, or due; 1 if it was new."""
        if url in self.handled:
            return 0
        self.handled.add(url)
        known = self.known.get(url)
        if known and not (changed or self.due(known)):
            return 0
        response = self.fetch(url, conditional=known is not None)
        if response.not_modified:
            self.out.put(_Unchanged(url, response))
            return 0
        if not response.ok:
            self.report.failures.append(f"{url}: {response.error}")
            return int(known is None)
        ctype = response.content_type.split(";")[0].strip().lower()
        if ctype and not ctype.startswith(HTML_TYPES):
            self.report.failures.append(f"{url}: not an HTML page ({ctype})")
            return int(known is None)
        hints = {"url": url, "published": hint_published, "title": fallback_title,
                 "doc_type": doc_type, "charset": response.charset}
        self.analysing.append((self.analyser.submit(
            response.content, response.final_url, self.source.selectors, hints), url, response,
            None))
        self.hand_over(wait=False)
        return int(known is None)

    def hand_over(self, wait: bool) -> None:
        """Pass analysed articles to the writer in the order they were fetched."""
        while self.analysing and (wait or self.analysing[0][0].done()):
            future, url, response, mail = self.analysing.popleft()
            try:
                article, statements, labels = future.result()
            except Exception as exc:
                self.report.failures.append(f"{url}: cannot extract: {type(exc).__name__}: {exc}")
                statements = None
            if statements == {}:
                self.report.failures.append(f"{url}: no article text found")
            if not statements:
                if mail:
                    self.out.put(_MailRead(self.source.name, mail))
                continue
            self.out.put(_Found(self.source.name, article, statements, response, labels,
                                channel_url=response.url if mail else None, mail=mail))

    def due(self, known: dict) -> bool:
        checked = known.get("last_checked")
        if not checked:
            return True
        age = self.now - datetime.fromisoformat(checked)
        return age >= timedelta(days=self.source.recheck_days)

    def recheck_due(self) -> None:
        if self.source.kind == "mailbox" or (self.source.kind == "feed"
                                             and not self.source.fetch_articles):
            return
        due = sorted(
            ((k["last_checked"] or "", url) for url, k in self.known.items()
             if url not in self.handled and self.due(k)),
        )[:RECHECKS_PER_RUN]
        for _, url in due:
            self.visit(url)


def _later(a: str | None, b: str | None) -> bool:
    """Is ISO timestamp ``a`` after ``b``? Unknown or unparseable means no."""
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except (TypeError, ValueError):
        return False
    if first.tzinfo is None:
        first = first.replace(tzinfo=timezone.utc)
    if second.tzinfo is None:
        second = second.replace(tzinfo=timezone.utc)
    return first > second


def run_cycle(
    store: Store,
    sources: list[Source],
    *,
    fetcher: Fetcher | None = None,
    progress: Callable[[SourceReport, bool], None] | None = None,
    allow_internal: tuple[str, ...] = (),
    catalogue: list[Source] = (),
) -> RunSummary:
    """Crawl ``sources`` concurrently and store what they yield; returns what changed.

    Links found on the web reach only public addresses, the source's own origin and
    the hosts and networks in ``allow_internal`` (the settings') or the source's own list.

    ``progress(report, finished)`` is called after each stored article and when a
    source finishes.

    A source blocked by its site's bot protection has its fallbacks crawled after it
    in the same cycle (a disabled fallback runs only then); its host is backed off
    (``Store.record_blocks``) and asked nothing until the back-off ends. Fallbacks are
    looked up in ``sources`` and ``catalogue`` (every configured source, for a cycle
    over a few).
    """
    load_baseline(store)  # the labelled history every cycle links into
    configured = {s.name: s for s in [*catalogue, *sources]}
    sources = [s for s in sources if s.enabled]
    store.sync_sources(sources)
    run_id = store.start_run()
    now = datetime.now(timezone.utc)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    for host, row in store.blocked_hosts().items():
        if row["blocked_until"] > now.isoformat():
            fetcher.hold(host, row["vendor"], backed_off_message(row["vendor"],
                                                                 row["blocked_until"]))
    out: queue.Queue = queue.Queue(maxsize=256)
    validators = store.all_validators()
    reports: list[SourceReport] = []
    changed: dict[int, Labels | None] = {}
    by_name: dict[str, SourceReport] = {}
    fetches = size = 0
    analyser = _Analyser()

    def write(event) -> int:
        """Store one event; returns 1 when a source finished."""
        if isinstance(event, _Done):
            reports.append(event.report)
            store.record_source_result(event.report.name, event.report.error)
            if progress:
                progress(event.report, True)
            return 1
        if isinstance(event, _Unchanged):
            store.save_validators(event.url, event.response.etag, event.response.last_modified)
            store.touch_document(event.url)
        elif isinstance(event, _MailRead):
            store.mark_mail_seen(event.source, event.mail.key, event.mail.message_id)
        elif isinstance(event, _Found):
            saved = _store_article(store, event)
            report = by_name[event.source]
            report.new_documents += saved.created
            report.new_versions += saved.new_version
            report.new_statements += len(saved.new_statement_ids)
            if saved.created or saved.new_version:
                changed[saved.document_id] = event.labels
            if progress:
                progress(report, False)
        return 0

    def crawl(phase: list[Source]) -> None:
        nonlocal fetches, size
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(phase))),
                                thread_name_prefix="crawl") as pool:
            for source in phase:
                crawler = _Crawler(source, fetcher, analyser,
                                   store.known_documents(source.name), validators, out, now,
                                   allow_internal, store.mailbox_seen(source.name)
                                   if source.kind == "mailbox" else None)
                by_name[source.name] = crawler.report
                pool.submit(crawler.run)
            pending = len(phase)
            while pending:
                events = [out.get()]
                while len(events) < WRITE_BATCH:
                    try:
                        events.append(out.get_nowait())
                    except queue.Empty:
                        break
                with store.batch():
                    for event in events:
                        pending -= write(event)
                    rows = fetcher.take_log()
                    fetches += len(rows)
                    size += sum(r["bytes"] or 0 for r in rows)
                    store.log_fetches(rows)

    try:
        phase = sources
        while phase:
            crawl(phase)
            phase = _fallbacks_due(reports, configured, set(by_name))
            store.sync_sources(phase)
        store.record_blocks(*fetcher.block_outcomes(), _sources_by_host(configured.values()))
    finally:
        analyser.close()
        if own_fetcher:
            fetcher.close()
    if changed:
        classify_documents(store, list(changed), {
            i: (labels.label, labels.confidence) for i, labels in changed.items() if labels})
    summary = RunSummary(run_id, sorted(reports, key=lambda r: r.name), list(changed),
                         fetches=fetches, bytes=size)
    store.finish_run(run_id, {
        "sources_ok": len(reports) - len(summary.failed),
        "sources_failed": len(summary.failed),
        "new_documents": summary.total("new_documents"),
        "new_versions": summary.total("new_versions"),
        "new_statements": summary.total("new_statements"),
        "fetches": fetches, "bytes": size,
    })
    return summary


def _fallbacks_due(reports: list[SourceReport], configured: dict[str, Source],
                   crawled: set[str]) -> list[Source]:
    """The fallbacks of the sources bot protection blocked, not crawled yet in this cycle."""
    names = [f for r in reports if r.blocked for f in configured[r.name].fallbacks]
    return [configured[n] for n in dict.fromkeys(names) if n not in crawled and n in configured]


def _sources_by_host(sources) -> dict[str, list[str]]:
    hosts: dict[str, list[str]] = {}
    for source in sources:
        if source.url:
            hosts.setdefault(urlsplit(source.url).netloc.lower(), []).append(source.name)
    return hosts


def _store_article(store: Store, found: _Found):
    """Store a release once, whichever channel brings it first; the others are recorded
    as its channels (the first channel's text stays: no version for a second copy)."""
    article = found.article
    channel_url = found.channel_url or article.url
    same = store.same_release(article.url, article.title, article.published,
                              from_mailbox=found.mail is not None)
    if same and same[1] != found.source:
        store.add_channel(same[0], found.source, channel_url)
        if found.mail:
            store.mark_mail_seen(found.source, found.mail.key, found.mail.message_id)
        return SavedDocument(same[0])
    saved = store.save_document(
        source=found.source, url=article.url, title=article.title,
        published=article.published, body=article.text, statements=found.statements,
        doc_type=article.doc_type, topics=article.topics,
        labels=found.labels.statements if found.labels else None, channel_url=channel_url,
    )
    if found.mail:
        store.mark_mail_seen(found.source, found.mail.key, found.mail.message_id)
    if found.response.etag or found.response.last_modified:
        store.save_validators(article.url, found.response.etag, found.response.last_modified)
    return saved

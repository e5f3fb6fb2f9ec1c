"""One monitoring cycle: find article links, fetch what is new or due, extract, store, classify.

Each source is crawled in its own thread (the ``Fetcher`` keeps every host
polite). The CPU-bound part of an article (extract, split, classify) runs in
worker processes once a crawl is big enough to pay for starting them, and the
calling thread is the only one that writes to SQLite: crawlers hand it finished
articles through a queue, and it commits them in batches. A source that fails
is reported and the others carry on.

A run can be killed at any instant and the next one completes it:

* a listing's or feed's validators are saved only after every article they cover
  has been stored or recorded as failed, and a source whose last crawl did not
  finish (``sources.unfinished_crawl``) is crawled in full: unconditionally, and
  without stopping at a page whose links are all known;
* an article that fails is a row in ``failures``, retried on a schedule with
  backoff (even when its listing answers 304) and then given up on with a reason;
* documents stored without a label (a run killed before classifying them, or a new
  version), or labelled by an earlier classifier version, are classified by the next
  run, a bounded batch at a time.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import select
import threading
import time
from collections import deque
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit

from monitor.addresses import AddressPolicy
from monitor.blocking import backed_off_message
from monitor.classify import classify_document, corrections, set_corrections
from monitor.config import Source
from monitor import federal_register as fr
from monitor.extract import Article, ExtractError, extract_article, extract_listing, parse_feed
from monitor.fetch import Fetcher, RequestLimits, Response
from monitor.corrections import use_corrections
from monitor.history import (
    classify_documents, load_baseline, outdated_documents, queue_documents, relabel_outdated,
    unlabelled_documents,
)
from monitor.mailbox import MailboxError, Message, parse_bulletin, read_messages
from monitor.series import prepare_figures
from monitor.statements import split_statements
from monitor.store import SavedDocument, Store, unique_statements

#: Stored articles re-checked (conditionally) per source and run, oldest check first.
RECHECKS_PER_RUN = 100
#: Content types worth extracting; a response without one is tried too.
HTML_TYPES = ("text/html", "application/xhtml", "text/plain")
#: Articles analysed in the crawler thread before worker processes are started.
INLINE_ANALYSES = 16
#: Fetched articles a crawler keeps waiting for analysis: past this it waits for the
#: oldest, so a crawl that fetches faster than the workers analyse stays bounded in memory.
IN_FLIGHT = 64
#: Queue events the writer commits together.
WRITE_BATCH = 200
#: Documents left unlabelled by earlier runs, and documents labelled by an earlier
#: classifier version, that one run classifies (besides its own).
LABEL_CATCH_UP = 500


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
    #: Everything the source's listing or feed covers was stored or recorded as failed.
    finished: bool = False
    #: The vendor whose bot protection blocked the source, if it did.
    blocked: str | None = None


@dataclass
class RunSummary:
    run_id: int
    reports: list[SourceReport]
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
    #: What the Federal Register's API says of the document, stored beside it.
    federal_register: fr.FederalRegisterDocument | None = None
    #: Where this copy came from when it is not ``article.url`` (a bulletin email).
    channel_url: str | None = None
    #: The mailbox message it came from, remembered as read once it is stored.
    mail: Message | None = None

    def __post_init__(self):
        self.response = _headers_only(self.response)


@dataclass
class _MailRead:
    """A mailbox message that yielded nothing to store: still never read again."""

    source: str
    mail: Message


@dataclass
class _Unchanged:
    url: str
    response: Response

    def __post_init__(self):
        self.response = _headers_only(self.response)


def _headers_only(response: Response) -> Response:
    """What the writer needs of a response (its validators): the body is not kept."""
    return replace(response, content=b"") if response.content else response


@dataclass
class _Failed:
    """An article that could not be stored: a row in ``failures``."""

    source: str
    url: str
    stage: str
    reason: str
    hints: dict


@dataclass
class _Analysing:
    """A fetched article in a worker process; ``hand_over`` keeps the fetch order."""

    future: Future
    url: str
    response: Response
    hints: dict
    #: The mailbox message a bulletin came from (``crawl_mailbox``).
    mail: Message | None = None


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
    #: The figures read from it, ready to store (``series.prepare_figures``), if it has any.
    figures: tuple[str, bytes] | None = None


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
    texts = list(statements.values())
    result = classify_document(article.title, texts, article.published)
    return article, statements, Labels(result.label, result.confidence, [
        (s.label, s.confidence, s.stored_evidence())
        for s in result.statements], prepare_figures(article.title, texts, article.published,
                                                     hints.get("agency"), result.label))


def _worker_start(run_pid: int, *corrections) -> None:
    """A worker's initializer: it leaves with its run and learns the readers' corrections."""
    _leave_with(run_pid)
    set_corrections(*corrections)


def _leave_with(run_pid: int) -> None:
    """A worker's initializer: a run killed with SIGKILL cannot shut its pool down, and its
    workers would wait for work forever (holding the run's stdout open), so each one exits
    by itself once the run's process has ended."""
    def watch() -> None:
        try:
            with open(os.pidfd_open(run_pid), "rb") as pidfd:  # readable once the run ends
                select.select([pidfd], [], [])
        except (AttributeError, OSError):  # no pidfd (not Linux): poll instead
            while _alive(run_pid):
                time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


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
                self._pool = ProcessPoolExecutor(os.cpu_count(), mp_context=context,
                                                 initializer=_worker_start,
                                                 initargs=(os.getpid(), *corrections()))
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


def source_limits(source: Source, allow_internal: tuple[str, ...] = ()) -> RequestLimits:
    """A source's request limits: its politeness, and the internal hosts its links may reach
    (the settings' and its own) besides its configured origin."""
    return RequestLimits(
        delay=source.delay, timeout=source.timeout, max_bytes=source.max_bytes,
        retries=source.retries, configured_url=source.url,
        allow=AddressPolicy.parse(allow_internal + source.allow_internal))


class _Cancelled(Exception):
    """The writer stopped; the crawler thread ends quietly."""


class _Crawler:
    """Walks one source; runs in a worker thread and never touches the database."""

    def __init__(self, source: Source, fetcher: Fetcher, analyser: _Analyser,
                 known: dict[str, dict], validators: dict[str, tuple], out: queue.Queue,
                 now: datetime, *, allow_internal: tuple[str, ...] = (),
                 window: tuple[date, date] | None = None,
                 failing: dict[str, dict] | None = None, resume: bool = False,
                 cancelled: threading.Event | None = None,
                 mail_seen: set[str] | None = None):
        self.source = source
        self.window = window
        self.fetcher = fetcher
        self.analyser = analyser
        #: analyses and events in fetch order, passed on by ``hand_over``
        self.analysing: deque[_Analysing | _Unchanged | _Failed | _Found | _MailRead] = deque()
        #: Mailbox sources: keys and message-ids of the messages read before.
        self.mail_seen = mail_seen or set()
        self.known = known
        self.failing = failing or {}
        #: The previous crawl never finished: trust no validator, stop at no known page.
        self.resume = resume
        self.validators = {} if resume else validators
        #: The listing's or feed's validators, saved once all it covers is handled.
        self.covering: list[_Unchanged] = []
        self.out = out
        #: Set when the writer stopped (a full disk, Ctrl-C): crawl no further.
        self.cancelled = cancelled or threading.Event()
        self.now = now
        self.limits = source_limits(source, allow_internal)
        self.report = SourceReport(source.name)
        self.handled: set[str] = set()

    def run(self) -> None:
        started = time.monotonic()
        try:
            if self.source.kind == "feed":
                finished = self.crawl_feed()
            elif self.source.kind == "federal_register":
                finished = self.crawl_federal_register()
            elif self.source.kind == "mailbox":
                finished = self.crawl_mailbox()
            else:
                finished = self.crawl_listing()
            if not self.report.blocked:  # a blocked host is asked nothing more
                self.retry_failed()
                self.recheck_due()
            self.hand_over(wait=True)
            if not self.report.blocked:  # what the block kept out is read by the next crawl
                for event in self.covering:
                    self.emit(event)
            self.report.finished = finished and not self.report.error
        except _Cancelled:
            return
        except Exception as exc:  # a bug must not hang the writer; report it instead
            self.report.error = f"internal error: {type(exc).__name__}: {exc}"
        self.report.seconds = time.monotonic() - started
        try:
            self.emit(_Done(self.report))
        except _Cancelled:
            pass

    def emit(self, event) -> None:
        """Hand an event to the writer; gives up once the writer has stopped."""
        while True:
            if self.cancelled.is_set():
                raise _Cancelled()
            try:
                self.out.put(event, timeout=0.2)
                return
            except queue.Full:
                continue

    def fetch(self, url: str, conditional: bool) -> Response:
        if self.cancelled.is_set():
            raise _Cancelled()
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
    def crawl_listing(self) -> bool:
        """Walk the listing's pages; True when every page it meant to read was read."""
        url: str | None = self.source.url
        seen_pages: set[str] = set()
        while url and self.report.pages < self.source.max_pages and url not in seen_pages:
            seen_pages.add(url)
            response = self.fetch(url, conditional=True)
            if response.not_modified:
                self.covering.append(_Unchanged(url, response))
                return True
            if not response.ok:
                if response.blocked:
                    return False  # reported once, by fetch()
                if self.report.pages == 0:
                    self.report.error = f"listing {url}: {response.error}"
                else:
                    self.report.failures.append(f"{url}: {response.error}")
                return False
            self.report.pages += 1
            listing = extract_listing(response.content, response.final_url,
                                      self.source.selectors, response.charset)
            if self.report.pages == 1 and not listing.links:
                self.report.error = f"listing {url}: no article links found (check selectors)"
                return False
            self.covering.append(_Unchanged(url, response))
            new_here = 0
            for link in listing.links:
                self.report.links += 1
                new_here += self.visit(link.url, hint_published=link.published,
                                       doc_type=link.doc_type)
            if not new_here and not self.resume:
                return True  # everything on this page is known: older pages hold nothing new
            url = listing.next_url
        return True

    def crawl_feed(self) -> bool:
        response = self.fetch(self.source.url, conditional=True)
        if response.not_modified:
            self.covering.append(_Unchanged(self.source.url, response))
            return True
        if not response.ok:
            if not response.blocked:  # a block is reported once, by fetch()
                self.report.error = f"feed {self.source.url}: {response.error}"
            return False
        try:
            items = parse_feed(response.content, response.final_url)
        except ExtractError as exc:
            self.report.error = f"feed {self.source.url}: {exc}"
            return False
        self.report.pages = 1
        self.covering.append(_Unchanged(self.source.url, response))
        for item in items:
            self.report.links += 1
            if not self.source.fetch_articles:
                self.from_summary(item, response)
                continue
            known = self.known.get(item.url)
            changed = bool(known and _later(item.updated, known["last_checked"]))
            self.visit(item.url, hint_published=item.published, changed=changed,
                       fallback_title=item.title)
        return True

    def crawl_federal_register(self) -> bool:
        """Search the API from the newest stored document on (or ``lookback_days`` back),
        splitting date ranges the result window can't hold, oldest documents first.
        True when every search answered."""
        if self.window:
            return self.search_federal_register(*self.window)
        today = self.now.date()
        newest = max((k["published"] or "" for k in self.known.values()), default="")
        try:
            since = date.fromisoformat(newest[:10]) - timedelta(days=fr.OVERLAP_DAYS)
        except ValueError:
            since = today - timedelta(days=self.source.lookback_days)
        return self.search_federal_register(since, today)

    def search_federal_register(self, since: date, until: date) -> bool:
        ranges = [(since, until)]
        complete = True
        while ranges:
            start, end = ranges.pop(0)
            url: str | None = fr.search_url(self.source, start, end)
            first = True
            while url:
                response = self.fetch(url, conditional=True)
                if response.not_modified:
                    self.covering.append(_Unchanged(url, response))
                    break
                if response.blocked:
                    return False  # reported once, by fetch()
                try:
                    if not response.ok:
                        raise fr.FederalRegisterError(response.error or f"HTTP {response.status}")
                    page = fr.parse_page(response.content)
                except fr.FederalRegisterError as exc:
                    problem = f"search {start} to {end}: {exc}"
                    if self.report.pages == 0:
                        self.report.error = problem
                        return False
                    self.report.failures.append(problem)
                    complete = False
                    break
                if first and page.count > fr.MAX_RESULTS and start < end:
                    ranges[:0] = fr.split(start, end)  # the window can't hold them: halve
                    break
                if first and page.count > fr.MAX_RESULTS:
                    self.report.failures.append(
                        f"{start}: {page.count} documents in one day; the API shows "
                        f"{fr.MAX_RESULTS}, the rest were not read")
                first = False
                self.report.pages += 1
                for document in page.documents:
                    self.report.links += 1
                    self.from_federal_register(document)
                self.covering.append(_Unchanged(url, response))  # saved once all is stored
                url = page.next_url if page.next_url and fr.same_api(page.next_url, self.source) \
                    else None
        return complete

    def from_federal_register(self, document: fr.FederalRegisterDocument) -> None:
        if document.url in self.handled:
            return
        self.handled.add(document.url)
        article = Article(url=document.url, title=document.title,
                          published=document.publication_date, text=document.body,
                          doc_type=document.type, method="federal_register")
        statements = unique_statements(split_statements(article.text))
        if not statements:
            return
        result = classify_document(article.title, list(statements.values()), article.published)
        label = fr.document_label(document.type, document.action, document.title,
                                  document.correction, result.label)
        labels = Labels(label, result.confidence, [
            (s.label, s.confidence, s.stored_evidence())
            for s in result.statements])
        self.analysing.append(_Found(self.source.name, article, statements,
                                     Response(article.url, article.url, status=200), labels,
                                     document))
        self.hand_over(wait=False)

    def crawl_mailbox(self) -> bool:
        """Each unread bulletin is extracted like an article, under its release's URL.
        True when the mailbox could be read."""
        try:
            messages = list(read_messages(self.source, self.mail_seen))
        except MailboxError as exc:
            self.report.error = f"mailbox {self.source.location}: {exc}"
            return False
        self.report.pages = 1
        for message in messages:
            if message.message_id in self.mail_seen:  # read before under another key
                self.analysing.append(_MailRead(self.source.name, message))
                self.hand_over(wait=False)
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
                self.analysing.append(_MailRead(self.source.name, message))
                self.hand_over(wait=False)
                continue
            self.report.fetched += 1
            hints = {"url": bulletin.url, "published": bulletin.published,
                     "title": bulletin.title, "charset": "utf-8", "agency": self.source.agency}
            response = Response(bulletin.channel_url, bulletin.channel_url, status=200)
            self.analysing.append(_Analysing(self.analyser.submit(
                bulletin.html, bulletin.url, {"body": "body"}, hints), bulletin.url,
                response, hints, message))
            self.hand_over(wait=False)
        return True

    def from_summary(self, item, response: Response) -> None:
        """Feeds such as the Federal Register's carry the abstract: store it as the body."""
        if item.url in self.handled or not item.summary.strip():
            return
        self.handled.add(item.url)
        article = Article(url=item.url, title=item.title, published=item.published,
                          text=item.summary, method="feed")
        self.analysing.append(_Found(self.source.name, article,
                                     unique_statements(split_statements(article.text)),
                                     Response(item.url, item.url, status=200)))
        self.hand_over(wait=False)

    # -- fetching articles ---------------------------------------------------
    def visit(self, url: str, *, hint_published: str | None = None, changed: bool = False,
              doc_type: str | None = None, fallback_title: str | None = None) -> int:
        """Fetch an article if it is new, said to have changed, or due; 1 if it was new
        (an article that failed before counts as known until its retry is due)."""
        if url in self.handled:
            return 0
        self.handled.add(url)
        known = self.known.get(url)
        if known and not (changed or self.due(known)):
            return 0
        failing = None if known else self.failing.get(url)
        if failing and (failing["gave_up_at"] or failing["next_attempt"] > self.now.isoformat()):
            return 0
        hints = {"url": url, "published": hint_published, "title": fallback_title,
                 "doc_type": doc_type}
        response = self.fetch(url, conditional=known is not None)
        if response.not_modified:
            self.analysing.append(_Unchanged(url, response))
        elif not response.ok:
            if response.blocked:  # the source is unfinished: its next crawl reads it again
                self.report.failures.append(f"{url}: {response.error}")
            else:
                self.fail(url, "fetch", response.error or f"HTTP {response.status}", hints,
                          known)
        elif (ctype := response.content_type.split(";")[0].strip().lower()) \
                and not ctype.startswith(HTML_TYPES):
            self.fail(url, "extract", f"not an HTML page ({ctype})", hints, known)
        else:
            self.analysing.append(_Analysing(self.analyser.submit(
                response.content, response.final_url, self.source.selectors,
                hints | {"charset": response.charset, "agency": self.source.agency}), url, response,
                hints))
        self.hand_over(wait=False)
        return int(known is None)

    def fail(self, url: str, stage: str, reason: str, hints: dict, known: dict | None,
             mail: Message | None = None) -> None:
        """Report an article that could not be stored; one not stored before is recorded
        (a bulletin email is not fetched again: its message is remembered as read)."""
        self.report.failures.append(f"{mail.key if mail else url}: {reason}")
        if mail is not None:
            self.analysing.append(_MailRead(self.source.name, mail))
        elif known is None:
            self.analysing.append(_Failed(self.source.name, url, stage, reason, hints))

    def hand_over(self, wait: bool) -> None:
        """Pass analysed articles and other events to the writer in the order they were
        fetched: a listing's validators follow every article on it. Without ``wait``, it
        still waits while more than ``IN_FLIGHT`` articles are being analysed."""
        while self.analysing:
            head = self.analysing[0]
            if not isinstance(head, _Analysing):
                self.emit(self.analysing.popleft())
                continue
            if not (wait or head.future.done() or len(self.analysing) > IN_FLIGHT):
                return
            self.analysing.popleft()
            known = self.known.get(head.url)
            try:
                article, statements, labels = head.future.result()
            except BrokenExecutor:
                raise  # the workers died, not the article: the source fails and is crawled again
            except Exception as exc:
                self.fail(head.url, "extract", f"cannot extract: {type(exc).__name__}: {exc}",
                          head.hints, known, head.mail)
                continue
            if not statements:
                self.fail(head.url, "extract", "no article text found", head.hints, known,
                          head.mail)
                continue
            self.emit(_Found(self.source.name, article, statements, head.response, labels,
                             channel_url=head.response.url if head.mail else None,
                             mail=head.mail))

    def due(self, known: dict) -> bool:
        checked = known.get("last_checked")
        if not checked:
            return True
        age = self.now - datetime.fromisoformat(checked)
        return age >= timedelta(days=self.source.recheck_days)

    def retry_failed(self) -> None:
        """Failed articles whose retry is due, even if no listing showed them this time."""
        for url, failing in sorted(self.failing.items()):
            if url not in self.handled:
                hints = failing["hints"]
                self.visit(url, hint_published=hints.get("published"),
                           doc_type=hints.get("doc_type"), fallback_title=hints.get("title"))

    def recheck_due(self) -> None:
        if self.source.kind in ("federal_register", "mailbox") or (
                self.source.kind == "feed" and not self.source.fetch_articles):
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
    window: tuple[date, date] | None = None,
    catalogue: list[Source] = (),
) -> RunSummary:
    """Crawl ``sources`` concurrently and store what they yield; returns what changed.

    Links found on the web reach only public addresses, the source's own origin and
    the hosts and networks in ``allow_internal`` (the settings') or the source's own list.

    ``progress(report, finished)`` is called after each stored article and when a
    source finishes. ``window`` (first and last publication day) replaces a Federal
    Register source's "since the newest stored" (``backfill`` walks the archive so).

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
    unfinished = store.begin_crawls(s.name for s in sources)
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
    #: Documents this run stored or changed -> the document label its crawl gave them.
    changed: dict[int, tuple[str, float] | None] = {}
    by_name: dict[str, SourceReport] = {}
    fetches = size = 0
    use_corrections(store)  # readers' corrections teach the classifier first
    analyser = _Analyser()
    cancelled = threading.Event()

    def write(event) -> int:
        """Store one event; returns 1 when a source finished."""
        if isinstance(event, _Done):
            reports.append(event.report)
            store.record_source_result(event.report.name, event.report.error,
                                       event.report.finished)
            if progress:
                progress(event.report, True)
            return 1
        if isinstance(event, _Unchanged):
            store.save_validators(event.url, event.response.etag, event.response.last_modified)
            store.touch_document(event.url)
        elif isinstance(event, _Failed):
            store.record_failure(source=event.source, url=event.url, stage=event.stage,
                                 reason=event.reason, hints=event.hints, now=now)
        elif isinstance(event, _MailRead):
            store.mark_mail_seen(event.source, event.mail.key, event.mail.message_id)
        elif isinstance(event, _Found):
            saved = _store_article(store, event)
            report = by_name[event.source]
            report.new_documents += saved.created
            report.new_versions += saved.new_version
            report.new_statements += len(saved.new_statement_ids)
            if saved.created or saved.new_version:
                labels = event.labels
                changed[saved.document_id] = (labels.label, labels.confidence) if labels else None
                if labels:  # readable at once; settled and linked after the crawl
                    store.set_document_label(saved.document_id, labels.label, labels.confidence)
                if labels and labels.figures:
                    store.keep_prepared_figures(saved.document_id, *labels.figures)
                queue_documents(store, [saved.document_id])
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
                                   allow_internal=allow_internal, window=window,
                                   failing=store.open_failures(source.name),
                                   resume=source.name in unfinished,
                                   cancelled=cancelled,
                                   mail_seen=store.mailbox_seen(source.name)
                                   if source.kind == "mailbox" else None)
                by_name[source.name] = crawler.report
                pool.submit(crawler.run)
            pending = len(phase)
            try:
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
            except BaseException:
                cancelled.set()  # a full disk or Ctrl-C: the crawlers stop, the batch rolled back
                raise

    try:
        phase = sources
        while phase:
            crawl(phase)
            phase = _fallbacks_due(reports, configured, set(by_name))
            if phase:
                store.sync_sources(phase)
                unfinished |= store.begin_crawls(s.name for s in phase)
        store.record_blocks(*fetcher.block_outcomes(), _sources_by_host(configured.values()))
    finally:
        analyser.close()
        if own_fetcher:
            fetcher.close()
    # What this run stored, what a run stopped part-way left queued, and a few documents an
    # earlier release left unlabelled; labelled and linked a chunk per commit.
    classify_documents(store, unlabelled_documents(store, LABEL_CATCH_UP),
                       {i: labels for i, labels in changed.items() if labels})
    if outdated := outdated_documents(store, LABEL_CATCH_UP):
        relabel_outdated(store, outdated)
    summary = RunSummary(run_id, sorted(reports, key=lambda r: r.name), fetches=fetches,
                         bytes=size)
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
        store.resolve_failure(article.url)
        return SavedDocument(same[0])
    saved = store.save_document(
        source=found.source, url=article.url, title=article.title,
        published=article.published, body=article.text, statements=found.statements,
        doc_type=article.doc_type, topics=article.topics,
        labels=found.labels.statements if found.labels else None, channel_url=channel_url,
    )
    if found.federal_register is not None:
        store.save_federal_register(saved.document_id, found.federal_register.row())
    if found.mail:
        store.mark_mail_seen(found.source, found.mail.key, found.mail.message_id)
    if found.response.etag or found.response.last_modified:
        store.save_validators(article.url, found.response.etag, found.response.last_modified)
    store.resolve_failure(article.url)
    return saved

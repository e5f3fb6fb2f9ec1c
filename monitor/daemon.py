"""``policy-monitor serve``: every source on its own interval, the weekly digest on a cron.

Jobs run one at a time (a single worker thread) because they all write the same
database. Each job takes the writer lock only while it runs, waiting up to
``lock_wait_seconds`` for a manual ``run`` or ``digest`` to finish, so the daemon
never keeps people from using the command line; a job that cannot get the lock
is skipped and logged, and its next turn comes on schedule. SIGTERM and SIGINT
let the running job finish, then the process exits with status 0.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from datetime import datetime
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor import digest
from monitor.config import Source
from monitor.lock import LockError, WriterLock
from monitor.mail import flush_outbox, queue_digest
from monitor.pipeline import run_cycle
from monitor.settings import Settings
from monitor.store import Store, local_fault

log = logging.getLogger("policy-monitor.serve")


class Daemon:
    """The scheduled jobs of one ``serve`` process."""

    def __init__(self, settings: Settings, sources: list[Source]):
        self.settings = settings
        self.sources = [s for s in sources if s.enabled]
        self.catalogue = list(sources)  # where a blocked source's fallbacks are found
        schedule = settings.schedule
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": schedule.misfire_grace_seconds},
        )
        now = datetime.now().astimezone()
        for source in self.sources:
            if schedule.source_interval_seconds:
                trigger = IntervalTrigger(seconds=schedule.source_interval_seconds)
            else:
                trigger = IntervalTrigger(minutes=source.interval)
            self.scheduler.add_job(self.run_source, trigger, args=[source],
                                   id=f"source:{source.name}", name=f"check {source.name}",
                                   next_run_time=now)
        if schedule.digest_interval_seconds:
            digest_trigger = IntervalTrigger(seconds=schedule.digest_interval_seconds)
        else:
            digest_trigger = CronTrigger.from_crontab(schedule.digest_cron)
        self.scheduler.add_job(self.make_digest, digest_trigger, id="digest",
                               name="weekly digest")

    def _job(self, command: str, what: str, work: Callable[[Store], None]) -> None:
        """``work`` under the writer lock, then a retry of any digest mail still waiting.
        A job that cannot get the lock or fails is logged, not raised: one failing job
        must not stop the daemon; the next one retries."""
        try:
            with WriterLock(self.settings.db, f"policy-monitor serve: {command}",
                            wait=self.settings.schedule.lock_wait_seconds):
                store = Store(self.settings.db)
                try:
                    work(store)
                    self._flush(store)
                finally:
                    store.close()
        except LockError as exc:
            log.warning("skipped %s: %s", what, exc)
        except (sqlite3.Error, OSError) as exc:  # a full disk, say: one line, not a traceback
            if (message := local_fault(exc, self.settings.db)) is None:
                log.exception("%s failed", what)
            else:
                log.error("%s failed: %s", what, message)
        except Exception:
            log.exception("%s failed", what)

    def run_source(self, source: Source) -> None:
        """One cycle of one source."""
        def check(store: Store) -> None:
            for report in run_cycle(store, [source], allow_internal=self.settings.allow_internal,
                                    catalogue=self.catalogue).reports:
                if report.error:  # a warning, so that journals and log filters show it
                    log.warning("source %s failed: %s", report.name, report.error)
                else:
                    log.info("checked %s: %s new documents, %s new versions",
                             report.name, report.new_documents, report.new_versions)

        self._job(f"check {source.name}", f"checking {source.name}", check)

    def make_digest(self) -> None:
        """Write the last complete week's digest and mail it if mail is configured."""
        def publish(store: Store) -> None:
            result = digest.publish(store, digest.last_complete_week(), self.settings.digests,
                                    datasette_url=self.settings.datasette_url)
            log.info("wrote digest %s to %s", result.name, result.html_path)
            if self.settings.mail.configured:
                queue_digest(store, digest=result.name, subject=result.subject,
                             text=result.text, html=result.html, mail=self.settings.mail)

        self._job("digest", "making the digest", publish)

    def _flush(self, store: Store) -> None:
        sent, failed = flush_outbox(store, self.settings.mail)
        if sent or failed:
            log.info("mail: %s sent, %s failed (kept in the outbox for the next try)",
                     sent, failed)

    def serve(self) -> int:
        """Run until SIGTERM or SIGINT; returns the exit status."""
        stop = threading.Event()

        def on_signal(signum, _frame):
            log.info("received %s, stopping after the running job", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.scheduler.start()
        log.info("serving %d sources from %s; digest %s", len(self.sources), self.settings.db,
                 f"every {self.settings.schedule.digest_interval_seconds}s"
                 if self.settings.schedule.digest_interval_seconds
                 else f"on cron '{self.settings.schedule.digest_cron}'")
        stop.wait()
        self.scheduler.shutdown(wait=True)
        log.info("stopped cleanly")
        return 0

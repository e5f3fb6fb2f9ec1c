"""`policy-monitor serve` as a real process, and the writer lock between commands."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from digest_data import WEEK, build_week
from monitor import digest
from monitor.lock import LockError, WriterLock
from monitor.sampleserver import SiteServer
from test_mail import SMTPServer, free_port

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Federal Register</title><link>http://example.invalid/</link>
<item><title>Rescission of the family parole program</title>
<link>http://example.invalid/documents/2026-1</link>
<pubDate>Mon, 16 Nov 2026 09:00:00 GMT</pubDate>
<description>The Department rescinds the family parole program effective immediately.
The rescission takes effect on December 1, 2026.</description></item>
</channel></rss>"""


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_a_second_writer_is_refused_with_who_holds_the_lock(tmp_path):
    db = tmp_path / "monitor.db"
    build_week(db)
    with WriterLock(db, "policy-monitor run"):
        result = cli("--db", str(db), "digest", "--week", WEEK, "--out", str(tmp_path / "d"))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: database {db} is in use by `policy-monitor run` "
                           f"(pid {os.getpid()}) since 20")
    assert not (tmp_path / "d").exists()
    assert cli("--db", str(db), "digest", "--week", WEEK, "--out",
               str(tmp_path / "d")).returncode == 0


def test_a_killed_holder_never_blocks_and_waiting_writers_get_the_lock(tmp_path):
    db = tmp_path / "monitor.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from monitor.lock import WriterLock\n"
        f"lock = WriterLock({str(db)!r}, 'policy-monitor run'); lock.acquire()\n"
        "print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(LockError, match=rf"`policy-monitor run` \(pid {holder.pid}\)"):
        WriterLock(db, "policy-monitor digest").acquire()
    holder.kill()
    holder.wait()
    stale = json.loads((tmp_path / "monitor.db.lock").read_text())
    assert stale["pid"] == holder.pid  # the file is left behind, the flock is not
    with WriterLock(db, "policy-monitor digest"):
        pass

    first = WriterLock(db, "policy-monitor run")
    first.acquire()
    threading.Timer(0.5, first.release).start()
    started = time.monotonic()
    with WriterLock(db, "policy-monitor serve: digest", wait=10):
        assert 0.3 < time.monotonic() - started < 5


def _rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _wait_for(condition, timeout=60.0, what=""):
    deadline = time.monotonic() + timeout
    while not _holds(condition):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def _holds(condition) -> bool:
    """The daemon creates the database file before its tables: not there yet is not yet."""
    try:
        return bool(condition())
    except sqlite3.OperationalError:
        return False


def test_serve_runs_cycles_and_digests_then_stops_cleanly_on_sigterm(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text(FEED)
    smtp_port = free_port()
    with SiteServer(site) as server, SMTPServer(smtp_port) as smtp:
        (tmp_path / "feeds.toml").write_text(f"""
[[source]]
name = "fr"
kind = "feed"
url = "{server.base_url}/feed.xml"
fetch_articles = false
delay = 0
""")
        (tmp_path / "policy-monitor.toml").write_text(f"""
db = "state/monitor.db"
digests = "out"

[schedule]
source_interval_seconds = 1
digest_interval_seconds = 2
lock_wait_seconds = 5

[mail]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "monitor@example.org"
recipients = ["ana@example.org"]
""")
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_MONITOR_")}
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", "feeds.toml",
                                 "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                                text=True)
        db = tmp_path / "state" / "monitor.db"
        page = tmp_path / "out" / f"{digest.last_complete_week().name}.html"
        try:
            _wait_for(lambda: db.exists() and len(_rows(
                db, "select id from runs where finished_at is not null")) >= 2,
                what="two finished cycles")
            _wait_for(page.exists, what="a digest")
            _wait_for(lambda: smtp.inbox.messages, what="the digest mail")
            # the digest job runs again (it rewrites the page): its mail must not be sent twice
            first = page.stat().st_ino
            _wait_for(lambda: page.stat().st_ino != first, what="a second digest")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
    assert server.hits["/feed.xml"] >= 2
    assert _rows(db, "select title from documents where source = 'fr'") == [
        ("Rescission of the family parole program",)]
    assert _rows(db, "select count(*) from fetches where source = 'fr'")[0][0] >= 2
    assert (tmp_path / "out" / "index.html").exists()
    assert (tmp_path / "out" / "changes.atom").exists()
    assert len(smtp.inbox.messages) == 1
    assert stderr.count("wrote digest") >= 2
    assert "received SIGTERM" in stderr and stderr.rstrip().endswith("stopped cleanly")
    assert "Traceback" not in stderr


def test_a_job_that_fails_or_finds_the_lock_held_is_logged_and_the_daemon_goes_on(tmp_path, caplog):
    from dataclasses import replace

    from monitor.daemon import Daemon
    from monitor.settings import Settings
    from monitor.store import MIGRATIONS

    settings = Settings(db=str(tmp_path / "monitor.db"))
    settings = replace(settings, schedule=replace(settings.schedule, lock_wait_seconds=0))
    daemon = Daemon(settings, [])
    ran = []
    daemon._job("x", "doing x", lambda store: ran.append(store.schema_version))

    def boom(store):
        raise RuntimeError("boom")

    caplog.set_level("INFO", logger="monitor.daemon")
    daemon._job("y", "doing y", boom)
    with WriterLock(tmp_path / "monitor.db", "someone else"):
        daemon._job("z", "doing z", lambda store: ran.append("must not run"))
    assert ran == [len(MIGRATIONS)]  # the first job ran on a migrated database
    assert any(r.message == "doing y failed" and r.exc_info for r in caplog.records)
    assert any(r.message.startswith("skipped doing z: ") and "someone else" in r.message
               for r in caplog.records)


def test_a_failing_source_is_logged_as_a_warning(tmp_path, caplog):
    """Journals and log filters show warnings: a source that failed is one."""
    import logging
    import socket

    from monitor.config import Source
    from monitor.daemon import Daemon
    from monitor.settings import Settings

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    source = Source(name="gone", kind="feed", url=f"http://127.0.0.1:{port}/feed.xml",
                    retries=0, delay=0)
    daemon = Daemon(Settings(db=str(tmp_path / "m.db")), [source])
    with caplog.at_level(logging.INFO, logger="policy-monitor.serve"):
        daemon.run_source(source)
    [record] = [r for r in caplog.records if "gone" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (f"source gone failed: feed http://127.0.0.1:{port}/feed.xml: "
                                   f"cannot connect to 127.0.0.1:{port}: connection refused")

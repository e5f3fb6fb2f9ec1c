"""Bot protection: recognised, reported once, backed off across runs, fallbacks read instead."""

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from monitor.blocking import FIRST_BACKOFF, MAX_BACKOFF, backoff, bot_protection
from monitor.sampleserver import SiteServer
from sites import (AKAMAI_DENIED, RELEASES, akamai_denied, dhs_listing, dhs_release,
                   govdelivery_bulletin, write_maildir)

CLOUDFLARE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
              b"<div id='cf-browser-verification'></div>"
              b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script>")
IMPERVA = (b"<html><body>Request unsuccessful. Incapsula incident ID: 1234-5678</body></html>")
PERIMETERX = (b"<html><head><title>Access to this page has been denied.</title></head>"
              b"<body><div id='px-captcha'></div></body></html>")
DATADOME = b"<html><body><script src='https://ct.captcha-delivery.com/c.js'></script></body></html>"


@pytest.mark.parametrize("status, body, vendor", [
    (403, AKAMAI_DENIED.encode(), "Akamai"),
    (503, CLOUDFLARE, "Cloudflare"),
    (403, IMPERVA, "Imperva"),
    (403, PERIMETERX, "PerimeterX"),
    (403, DATADOME, "DataDome"),
    (429, CLOUDFLARE, "Cloudflare"),
])
def test_interstitials_are_recognised(status, body, vendor):
    assert bot_protection(status, body) == vendor


@pytest.mark.parametrize("status, body", [
    (403, b"<h1>403 Forbidden</h1><p>nginx</p>"),
    (503, b"<h1>Service Unavailable</h1><p>Maintenance until 5 pm.</p>"),
    (200, AKAMAI_DENIED.encode()),  # a page that quotes one is not a block
    (500, CLOUDFLARE),
])
def test_ordinary_errors_are_not_bot_protection(status, body):
    assert bot_protection(status, body) is None


def test_backoff_doubles_from_six_hours_up_to_a_week():
    assert backoff(1) == FIRST_BACKOFF == timedelta(hours=6)
    assert [backoff(n) for n in (2, 3, 4, 5)] == [timedelta(hours=h) for h in (12, 24, 48, 96)]
    assert backoff(6) == backoff(60) == MAX_BACKOFF == timedelta(days=7)


SOURCES = """
[[source]]
name = "dhs-news"
kind = "html"
url = "{base}/all-news-updates"
delay = 0
retries = 3
fallbacks = ["dhs-bulletins"]

[[source]]
name = "dhs-bulletins"
kind = "mailbox"
maildir = "{maildir}"
url = "{base}/"
enabled = false
"""


def _cli(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(tmp_path / "sources.toml"),
         "--db", str(tmp_path / "monitor.db"), *args],
        capture_output=True, text=True, timeout=120)


def _query(tmp_path, sql, params=()):
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def _expire_backoff(tmp_path):
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("update blocked_hosts set blocked_until = ?", [past])


def test_blocked_listing_is_backed_off_and_its_fallback_supplies_the_releases(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    routes = {"/robots.txt": akamai_denied, "/all-news-updates": akamai_denied}
    with SiteServer(root, routes=routes) as site:
        chosen = [RELEASES[1], RELEASES[5]]
        write_maildir(tmp_path / "Maildir", [
            govdelivery_bulletin(title, "Fri, 08 Mar 2024 12:05:00 -0500", paragraphs,
                                 f"{site.base_url}/news/{slug}", f"3a{n}")
            for n, (slug, title, iso, paragraphs) in enumerate(chosen)])
        (tmp_path / "sources.toml").write_text(
            SOURCES.format(base=site.base_url, maildir=tmp_path / "Maildir"))

        first = _cli(tmp_path, "run")
        assert first.returncode == 0, first.stderr
        assert first.stderr.count("blocked by the site's bot protection (Akamai)") == 1
        assert "reading its fallbacks instead: dhs-bulletins" in first.stderr
        assert sum(site.hits.values()) == 1  # robots.txt met the block: nothing more asked, no retry
        docs = _query(tmp_path, "select url, source, title from documents "
                                "where source != 'baseline' order by url")
        assert [(d["url"], d["source"]) for d in docs] == sorted(
            (f"{site.base_url}/news/{slug}", "dhs-bulletins") for slug, *_ in chosen)
        block = _query(tmp_path, "select * from blocked_hosts")
        assert [(b["host"], b["vendor"], b["strikes"]) for b in block] == [
            (f"127.0.0.1:{site.port}", "Akamai", 1)]
        until = datetime.fromisoformat(block[0]["blocked_until"])
        assert timedelta(hours=5.9) < until - datetime.now(timezone.utc) <= timedelta(hours=6)
        failing = _query(tmp_path, "select last_error from sources where name = 'dhs-news'")
        assert "bot protection (Akamai)" in failing[0]["last_error"]

        listed = _cli(tmp_path, "sources")
        line = next(x for x in listed.stdout.splitlines() if x.startswith("dhs-news"))
        assert "BLOCKED by bot protection (Akamai) until" in line and "dhs-bulletins" in line

        # Still backed off: not a single request; the fallback runs even when only the
        # blocked source is asked for, and reads only the bulletin delivered since.
        slug, title, iso, paragraphs = RELEASES[3]
        (tmp_path / "Maildir" / "new" / "1799999999.M9P9.testhost").write_bytes(
            govdelivery_bulletin(title, "Fri, 01 Mar 2024 08:30:00 -0500", paragraphs,
                                 f"{site.base_url}/news/{slug}", "3a9"))
        second = _cli(tmp_path, "run", "--source", "dhs-news")
        assert second.returncode == 0, second.stderr
        assert sum(site.hits.values()) == 1
        assert second.stderr.count("bot protection (Akamai); not asked again before") == 1
        assert len(_query(tmp_path, "select id from documents where source != 'baseline'")) == 3
        assert _query(tmp_path, "select count(*) n from mailbox_seen")[0]["n"] == 3

        _expire_backoff(tmp_path)
        third = _cli(tmp_path, "run")  # one probe, blocked again: the back-off doubles
        assert sum(site.hits.values()) == 2
        assert third.stderr.count("blocked by the site's bot protection (Akamai)") == 1
        block = _query(tmp_path, "select strikes, blocked_until from blocked_hosts")[0]
        assert block["strikes"] == 2
        until = datetime.fromisoformat(block["blocked_until"])
        assert timedelta(hours=11.9) < until - datetime.now(timezone.utc) <= timedelta(hours=12)

        # The site lets us in again: the block is forgotten, the releases the bulletins
        # brought are not stored twice, and the website is recorded as a second channel.
        site.routes.clear()
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
        rows = [(f"/news/{slug}", title, iso) for slug, title, iso, _ in chosen]
        (root / "all-news-updates").write_text(dhs_listing(rows, None))
        for slug, title, iso, paragraphs in chosen:
            (root / "news" / slug).parent.mkdir(parents=True, exist_ok=True)
            (root / "news" / slug).write_text(dhs_release(title, iso, paragraphs))
        _expire_backoff(tmp_path)
        fourth = _cli(tmp_path, "run")
        assert fourth.returncode == 0 and "blocked" not in fourth.stderr, fourth.stderr
        assert _query(tmp_path, "select * from blocked_hosts") == []
        assert len(_query(tmp_path, "select id from documents where source != 'baseline'")) == 3
        channels = _query(tmp_path, "select source, count(*) n from document_channels "
                                    "where source != 'baseline' group by source order by source")
        assert channels == [{"source": "dhs-bulletins", "n": 3}, {"source": "dhs-news", "n": 2}]

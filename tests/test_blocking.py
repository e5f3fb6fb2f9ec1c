"""Bot protection: recognised, reported once, backed off across runs, fallbacks read instead."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from monitor.addresses import AddressPolicy
from monitor.blocking import FIRST_BACKOFF, MAX_BACKOFF, backoff, bot_protection
from monitor.fetch import Fetcher, RequestLimits
from monitor.sampleserver import SiteServer
from sites import (AKAMAI_DENIED, RELEASES, akamai_denied, dhs_listing, dhs_release,
                   govdelivery_bulletin, query, run_monitor, website_and_bulletins,
                   write_maildir)

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
            website_and_bulletins(site.base_url, tmp_path / "Maildir", as_fallback=True))

        first = run_monitor(tmp_path, "run")
        assert first.returncode == 0, first.stderr
        assert first.stderr.count("blocked by the site's bot protection (Akamai)") == 1
        assert "reading its fallbacks instead: dhs-bulletins" in first.stderr
        assert sum(site.hits.values()) == 1  # robots.txt met the block: nothing more asked, no retry
        docs = query(tmp_path, "select url, source, title from documents "
                                "where source != 'baseline' order by url")
        assert [(d["url"], d["source"]) for d in docs] == sorted(
            (f"{site.base_url}/news/{slug}", "dhs-bulletins") for slug, *_ in chosen)
        block = query(tmp_path, "select * from blocked_hosts")
        assert [(b["host"], b["vendor"], b["strikes"]) for b in block] == [
            (f"127.0.0.1:{site.port}", "Akamai", 1)]
        until = datetime.fromisoformat(block[0]["blocked_until"])
        assert timedelta(hours=5.9) < until - datetime.now(timezone.utc) <= timedelta(hours=6)
        failing = query(tmp_path, "select last_error from sources where name = 'dhs-news'")
        assert "bot protection (Akamai)" in failing[0]["last_error"]

        listed = run_monitor(tmp_path, "sources")
        line = next(x for x in listed.stdout.splitlines() if x.startswith("dhs-news"))
        assert "BLOCKED by bot protection (Akamai) until" in line and "dhs-bulletins" in line
        assert "(runs while dhs-news is blocked)" in listed.stdout

        # Still backed off: not a single request; the fallback runs even when only the
        # blocked source is asked for, and reads only the bulletin delivered since.
        slug, title, iso, paragraphs = RELEASES[3]
        (tmp_path / "Maildir" / "new" / "1799999999.M9P9.testhost").write_bytes(
            govdelivery_bulletin(title, "Fri, 01 Mar 2024 08:30:00 -0500", paragraphs,
                                 f"{site.base_url}/news/{slug}", "3a9"))
        second = run_monitor(tmp_path, "run", "--source", "dhs-news")
        assert second.returncode == 0, second.stderr
        assert sum(site.hits.values()) == 1
        assert second.stderr.count("bot protection (Akamai); not asked again before") == 1
        assert len(query(tmp_path, "select id from documents where source != 'baseline'")) == 3
        assert query(tmp_path, "select count(*) n from mailbox_seen")[0]["n"] == 3
        today = datetime.now(timezone.utc).date()
        digest = run_monitor(tmp_path, "digest", "--since", str(today - timedelta(days=1)),
                             "--until", str(today + timedelta(days=1)),
                             "--out", str(tmp_path / "digests"))
        assert digest.returncode == 0, digest.stderr
        [text] = (tmp_path / "digests").glob("*.txt")
        failing = text.read_text().split("SOURCES FAILING", 1)[1]
        assert "dhs-news" in failing and "blocked by the site's bot protection (Akamai)" in failing
        assert "dhs-bulletins" in failing

        _expire_backoff(tmp_path)
        third = run_monitor(tmp_path, "run")  # one probe, blocked again: the back-off doubles
        assert sum(site.hits.values()) == 2
        assert third.stderr.count("blocked by the site's bot protection (Akamai)") == 1
        block = query(tmp_path, "select strikes, blocked_until from blocked_hosts")[0]
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
        fourth = run_monitor(tmp_path, "run")
        assert fourth.returncode == 0 and "blocked" not in fourth.stderr, fourth.stderr
        assert query(tmp_path, "select * from blocked_hosts") == []
        assert len(query(tmp_path, "select id from documents where source != 'baseline'")) == 3
        channels = query(tmp_path, "select source, count(*) n from document_channels "
                                    "where source != 'baseline' group by source order by source")
        assert channels == [{"source": "dhs-bulletins", "n": 3}, {"source": "dhs-news", "n": 2}]


def test_a_block_is_not_retried_and_the_host_is_asked_nothing_more_in_the_run(tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (tmp_path / "other").write_text("<p>fine</p>")
    limits = RequestLimits(delay=0, timeout=5, retries=3, allow=AddressPolicy.parse(["127.0.0.1"]))
    with SiteServer(tmp_path, routes={"/listing": akamai_denied}) as site, Fetcher() as fetcher:
        first = fetcher.get(site.base_url + "/listing", limits)
        assert first.blocked == "Akamai" and first.status == 403
        assert first.error == "blocked by the site's bot protection (Akamai)"
        later = fetcher.get(site.base_url + "/other", limits)
        assert later.blocked == "Akamai" and later.status is None  # answered without asking
        assert site.hits == {"/robots.txt": 1, "/listing": 1}
        assert fetcher.block_outcomes() == ({f"127.0.0.1:{site.port}": "Akamai"}, set())
        logged = fetcher.take_log()
        assert [(r["url"].rsplit("/", 1)[1], r["status"]) for r in logged] == [
            ("robots.txt", 200), ("listing", 403)]


def test_a_host_held_from_an_earlier_run_gets_no_request(tmp_path):
    (tmp_path / "page").write_text("<p>fine</p>")
    limits = RequestLimits(delay=0, timeout=5, retries=0, allow=AddressPolicy.parse(["127.0.0.1"]))
    with SiteServer(tmp_path) as site, Fetcher() as fetcher:
        fetcher.hold(f"127.0.0.1:{site.port}", "Cloudflare", "held")
        response = fetcher.get(site.base_url + "/page", limits)
        assert (response.blocked, response.error) == ("Cloudflare", "held")
        assert sum(site.hits.values()) == 0
        assert fetcher.block_outcomes() == ({}, set())

"""`policy-monitor run` end to end: the real CLI against fixture sites on 127.0.0.1."""

import json
import sqlite3
import subprocess
import sys
import time

import pytest

from monitor.sampleserver import SiteServer
from sites import RELEASES, build_site, news_article, rss, touch_later

SOURCES = """
[[source]]
name = "dhs"
kind = "html"
url = "{base}/all-news-updates"
delay = 0
retries = 0
recheck_days = {recheck}

[[source]]
name = "uscis"
kind = "feed"
url = "{base}/uscis-news.xml"
delay = 0
recheck_days = {recheck}

[[source]]
name = "broken-500"
kind = "html"
url = "{base}/error500"
delay = 0
retries = 1

[[source]]
name = "slow"
kind = "html"
url = "{base}/slow"
delay = 0
timeout = 0.4
retries = 0

[[source]]
name = "loop"
kind = "html"
url = "{base}/loop-a"
delay = 0

[[source]]
name = "huge"
kind = "html"
url = "{base}/huge"
delay = 0
max_bytes = 4096

[[source]]
name = "forbidden"
kind = "html"
url = "{base}/private/listing"
delay = 0

[[source]]
name = "bad-html"
kind = "html"
url = "{base}/garbage"
delay = 0

[[source]]
name = "bad-xml"
kind = "feed"
url = "{base}/broken.xml"
delay = 0

[[source]]
name = "evil-xml"
kind = "feed"
url = "{base}/evil.xml"
delay = 0
"""

EVIL_XML = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title>
<item><title>&lol2;</title><link>http://127.0.0.1/x</link></item></channel></rss>"""


def _status(code):
    def route(handler):
        handler.send_body(code, b"<h1>Internal error</h1>", "text/html")
    return route


def _redirect(location):
    def route(handler):
        handler.send_body(302, b"", "text/plain", {"Location": location})
    return route


def _slow(handler):
    time.sleep(1.5)
    handler.send_body(200, b"<p>too late</p>", "text/html")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    build_site(root)
    (root / "huge").write_text("<p>" + "x" * 50_000 + "</p>")
    (root / "private").mkdir()
    (root / "private" / "listing").write_text("<a href='/news/x'>x</a>")
    (root / "garbage").write_bytes(b"\x00\xff<<<div class=\"news-updates <h3 \xfe\xfe")
    (root / "broken.xml").write_text("<rss><channel><item><title>unclosed")
    (root / "evil.xml").write_text(EVIL_XML)
    routes = {"/error500": _status(500), "/slow": _slow,
              "/loop-a": _redirect("/loop-b"), "/loop-b": _redirect("/loop-a")}
    with SiteServer(root, routes=routes) as server:
        server.root_path = root
        yield server


def run_cli(tmp_path, server, recheck=7):
    config = tmp_path / "sources.toml"
    config.write_text(SOURCES.format(base=server.base_url, recheck=recheck))
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config),
         "--db", str(tmp_path / "monitor.db"), "run"],
        capture_output=True, text=True, timeout=120,
    )


def query(tmp_path, sql, params=()):
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def test_first_run_stores_every_article_once_and_reports_failures(tmp_path, site):
    result = run_cli(tmp_path, site)
    assert result.returncode == 0, result.stderr

    docs = query(tmp_path, "select * from documents where source = 'dhs' order by published")
    assert len(docs) == len(RELEASES)
    by_url = {d["url"]: d for d in docs}
    for slug, title, iso, paragraphs in RELEASES:
        doc = by_url[f"{site.base_url}/news/{slug}"]
        assert doc["title"] == title
        assert doc["published"] == iso[:10]
        for paragraph in paragraphs:
            assert paragraph in doc["body"]
        assert "FOR IMMEDIATE RELEASE" not in doc["body"]
        assert "202-282-8010" not in doc["body"]
        assert "Privacy Policy" not in doc["body"]
    # every listing page was read once, every article fetched once
    assert site.hits["/all-news-updates?page=2"] == 1
    assert all(site.hits[f"/news/{slug}"] == 1 for slug, *_ in RELEASES)

    stories = query(tmp_path, "select * from documents where source = 'uscis' order by published")
    assert [s["title"] for s in stories] == [
        "Biden administration formally ends Remain in Mexico",
        "Haitians in U.S. get 18 more months of protection"]
    assert [s["published"] for s in stories] == ["2021-06-02", "2024-03-08"]
    for story in stories:
        assert "Sign up to receive" not in story["body"]
        assert "Advertisement" not in story["body"]
        assert "Unrelated story" not in story["body"]
    statements = query(tmp_path, "select s.text from statements s join documents d "
                                 "on d.id = s.document_id where d.source = 'uscis'")
    texts = [s["text"] for s in statements]
    assert "\u201cThis is long overdue,\u201d said an advocate with a migrant rights group." in texts

    unlabelled = query(tmp_path, "select count(*) n from documents where label is null")
    assert unlabelled[0]["n"] == 0  # run classifies every document it stores
    mpp_end = by_url[f"{site.base_url}/news/{RELEASES[1][0]}"]
    assert mpp_end["label"] == "reversal"

    urls = [d["url"] for d in query(tmp_path, "select url from documents")]
    assert len(urls) == len(set(urls))

    failed = {r["name"]: r["last_error"] for r in query(
        tmp_path, "select name, last_error from sources where consecutive_failures = 1")}
    assert set(failed) == {"broken-500", "slow", "loop", "huge", "forbidden", "bad-html",
                           "bad-xml", "evil-xml"}
    assert "HTTP 500" in failed["broken-500"]
    assert "timed out" in failed["slow"]
    assert "redirect loop" in failed["loop"]
    assert "larger than 4096 bytes" in failed["huge"]
    assert "robots.txt" in failed["forbidden"]
    assert "no article links" in failed["bad-html"]
    assert "unsafe XML" in failed["evil-xml"]
    for name in failed:
        assert f"source {name} failed:" in result.stderr
    assert site.hits["/private/listing"] == 0
    assert site.hits["/error500"] == 2  # one retry, bounded
    logged = query(tmp_path, "select url, status, error from fetches where error is not null")
    assert any(r["url"].endswith("/error500") and r["status"] == 500 for r in logged)
    assert any(r["url"].endswith("/slow") and "timed out" in r["error"] for r in logged)


def test_second_run_downloads_nothing_again(tmp_path, site):
    assert run_cli(tmp_path, site).returncode == 0
    counts = query(tmp_path, "select (select count(*) from documents) d, "
                             "(select count(*) from statements) s")[0]
    article_hits = {p: n for p, n in site.hits.items() if p.startswith(("/news/", "/stories/"))}

    result = run_cli(tmp_path, site)
    assert result.returncode == 0, result.stderr
    assert query(tmp_path, "select (select count(*) from documents) d, "
                           "(select count(*) from statements) s")[0] == counts
    assert {p: n for p, n in site.hits.items()
            if p.startswith(("/news/", "/stories/"))} == article_hits
    second = query(tmp_path, "select * from runs order by id desc limit 1")[0]
    assert second["new_documents"] == 0 and second["new_statements"] == 0
    listing = query(tmp_path, "select status, not_modified, bytes from fetches "
                              "where url like '%/all-news-updates' order by id")
    assert [r["status"] for r in listing] == [200, 304]
    assert listing[-1]["bytes"] == 0
    feed = query(tmp_path, "select status from fetches where url like '%/uscis-news.xml' "
                           "order by id")
    assert [r["status"] for r in feed] == [200, 304]


def test_edited_article_becomes_a_new_version_with_only_new_statements(tmp_path, site):
    assert run_cli(tmp_path, site).returncode == 0
    slug, title, iso, paragraphs = RELEASES[1]
    path = site.root_path / "news" / slug
    added = "The termination takes effect immediately for new enrollments."
    html = path.read_text().replace(paragraphs[1], paragraphs[1] + f"</p><p>{added}")
    path.write_text(html)
    touch_later(path)
    before = query(tmp_path, "select max(id) n from fetches")[0]["n"]

    result = run_cli(tmp_path, site, recheck=0)  # every stored article is due for a check
    assert result.returncode == 0, result.stderr
    doc = query(tmp_path, "select * from documents where url = ?",
                (f"{site.base_url}/news/{slug}",))[0]
    assert doc["version"] == 2 and added in doc["body"]
    versions = query(tmp_path, "select version, body from document_versions "
                               "where document_id = ? order by version", (doc["id"],))
    assert [v["version"] for v in versions] == [1, 2]
    assert added not in versions[0]["body"] and paragraphs[0] in versions[0]["body"]
    new = query(tmp_path, "select text from statements where document_id = ? and version = 2",
                (doc["id"],))
    assert [s["text"] for s in new] == [added]
    assert query(tmp_path, "select count(*) n from documents")[0]["n"] == \
        query(tmp_path, "select count(distinct url) n from documents")[0]["n"]
    # the unchanged articles were asked conditionally and answered 304 with no body
    third = query(tmp_path, "select url, status, bytes from fetches "
                            "where id > ? and url like '%/news/%'", (before,))
    unchanged = [r for r in third if not r["url"].endswith(slug)]
    assert unchanged and all(r["status"] == 304 and r["bytes"] == 0 for r in unchanged)


def test_a_sentence_repeated_on_a_page_is_one_statement_in_page_order(tmp_path):
    from monitor.pipeline import analyse_article
    from monitor.statements import split_statements
    from monitor.store import Store, unique_statements
    from sites import dhs_release

    html = dhs_release("Repeats", "2024-01-02T10:00:00-05:00",
                       ["First point stands here.", "Second point follows.",
                        "FIRST point stands  here."])
    article, statements, labels = analyse_article(html.encode(), "http://127.0.0.1/r", {},
                                                  {"url": "http://127.0.0.1/r"})
    assert list(statements.values()) == ["First point stands here.", "Second point follows."]
    assert statements == unique_statements(split_statements(article.text))  # the store's hashes
    assert len(labels.statements) == len(statements)
    labels = labels.statements
    store = Store(tmp_path / "m.db")
    store.save_document(source="s", url=article.url, title=article.title,
                        published=article.published, body=article.text,
                        statements=statements, labels=labels)
    rows = store.db.execute("select seq, text, hash, label from statements order by seq").fetchall()
    assert [(seq, text, h) for seq, text, h, _ in rows] == [
        (seq, text, h) for seq, (h, text) in enumerate(statements.items())]
    assert [label for *_, label in rows] == [label for label, *_ in labels]
    # what explains a label, or nothing for a plain 'none'; the version is the document's
    assert all(json.loads(evidence)["cues"] if label != "none" else evidence is None
               or "classifier" not in json.loads(evidence) for label, _, evidence in labels)



ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Releases</title><id>urn:x</id>
<updated>{updated}</updated>
<entry><title>Haitians in U.S. get 18 more months of protection</title>
<link href="/stories/tps-haiti.html"/><id>urn:1</id>
<published>2024-03-08T18:00:00Z</published><updated>{updated}</updated></entry>
<entry><title>Remain in Mexico ends</title>
<link href="/stories/remain-in-mexico-ends.html"/><id>urn:2</id>
<published>2021-06-02T08:00:00Z</published><updated>2021-06-02T08:00:00Z</updated></entry>
</feed>"""


def test_an_item_the_feed_marks_updated_is_fetched_again_and_only_it(tmp_path, site):
    root = site.root_path
    (root / "atom.xml").write_text(ATOM.format(updated="2024-03-08T18:00:00Z"))
    config = tmp_path / "atom.toml"
    config.write_text(f'[[source]]\nname = "atom"\nkind = "feed"\n'
                      f'url = "{site.base_url}/atom.xml"\ndelay = 0\n')
    command = [sys.executable, "-m", "monitor", "--config", str(config),
               "--db", str(tmp_path / "monitor.db"), "run"]
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    assert site.hits["/stories/tps-haiti.html"] == 1

    story = root / "stories" / "tps-haiti.html"
    story.write_text(story.read_text().replace(
        "Officials said conditions in Haiti remain dangerous.",
        "Officials said conditions in Haiti remain dangerous.</p><p>"
        "Applicants must re-register within 60 days."))
    touch_later(story)
    (root / "atom.xml").write_text(ATOM.format(updated="2099-01-01T00:00:00Z"))
    touch_later(root / "atom.xml")
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0

    assert site.hits["/stories/tps-haiti.html"] == 2
    assert site.hits["/stories/remain-in-mexico-ends.html"] == 1
    doc = query(tmp_path, "select id, version from documents where url like '%tps-haiti.html'")[0]
    assert doc["version"] == 2
    new = query(tmp_path, "select text from statements where document_id = ? and version = 2",
                (doc["id"],))
    assert [s["text"] for s in new] == ["Applicants must re-register within 60 days."]


def test_a_charset_declared_only_by_the_http_header_wins(tmp_path):
    """A server saying "ISO-8859-1" in Content-Type, over a page whose <meta> says UTF-8:
    browsers decode it as windows-1252, curly quotes included, and so must run."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "feed.xml").write_text(rss([("/story", "Story", "Wed, 02 Jun 2021 08:00:00 GMT", "x")]))
    page = news_article("Pe\u00f1a Nieto meets the Secretary", "2021-06-02T08:00:00Z", [
        "\u201cWe will keep working together,\u201d Pe\u00f1a Nieto said after the meeting.",
        "The two discussed border infrastructure \u2013 and trade."]).replace(
        "<head>", '<head><meta charset="utf-8">')

    def story(handler):
        handler.send_body(200, page.encode("cp1252"), "text/html; charset=ISO-8859-1")

    config = tmp_path / "sources.toml"
    with SiteServer(root, routes={"/story": story}) as server:
        config.write_text(f'[[source]]\nname = "news"\nkind = "feed"\n'
                          f'url = "{server.base_url}/feed.xml"\ndelay = 0\n')
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(config),
             "--db", str(tmp_path / "monitor.db"), "run"],
            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert query(tmp_path, "select title from documents where source = 'news'") == [
        {"title": "Pe\u00f1a Nieto meets the Secretary"}]
    texts = [r["text"] for r in query(tmp_path, "select text from statements s join documents d "
                                                "on d.id = s.document_id where d.source = 'news' "
                                                "order by s.seq")]
    assert texts == ["\u201cWe will keep working together,\u201d Pe\u00f1a Nieto said after the meeting.",
                     "The two discussed border infrastructure \u2013 and trade."]


def test_a_feed_item_that_is_not_a_web_page_is_reported_not_stored(tmp_path):
    """A feed linking a PDF: the run names it as a failed article and stores the rest."""
    from monitor.config import load_sources
    from monitor.pipeline import run_cycle
    from monitor.store import Store

    root = tmp_path / "site"
    root.mkdir()
    (root / "story.html").write_text(news_article("DHS extends TPS for Haiti", "2024-03-08T18:00:00Z", [
        "The Department of Homeland Security extended Temporary Protected Status for Haiti."]))
    (root / "feed.xml").write_text(rss([
        ("/story.html", "Story", "Fri, 08 Mar 2024 18:00:00 GMT", "x"),
        ("/report.pdf", "Report", "Fri, 08 Mar 2024 18:00:00 GMT", "y")]))

    def pdf(handler):
        handler.send_body(200, b"%PDF-1.7 <html><p>not a page</p></html>", "application/pdf")

    config = tmp_path / "sources.toml"
    with SiteServer(root, routes={"/report.pdf": pdf}) as server:
        config.write_text(f'[[source]]\nname = "news"\nkind = "feed"\n'
                          f'url = "{server.base_url}/feed.xml"\ndelay = 0\n')
        store = Store(tmp_path / "monitor.db")
        summary = run_cycle(store, load_sources(config))
    [report] = summary.reports
    assert report.error is None and report.new_documents == 1
    assert report.failures == [f"{server.base_url}/report.pdf: not an HTML page (application/pdf)"]
    assert [url for (url,) in store.db.execute("select url from documents where source = 'news'")] == [
        f"{server.base_url}/story.html"]


POLICY_RELEASES = [
    ("2018/12/20/mpp", "Secretary Announces the Migrant Protection Protocols", "2018-12-20T10:00:00-05:00",
     ["The Secretary today announced the Migrant Protection Protocols.",
      "Certain migrants arriving from Mexico will be returned to Mexico to wait for their hearings."]),
    ("2019/03/08/tps-venezuela", "Venezuela Designated for Temporary Protected Status", "2019-03-08T10:00:00-05:00",
     ["The Secretary today designated Venezuela for Temporary Protected Status.",
      "Eligible Venezuelans may stay and work for 18 months."]),
    ("2021/01/20/mpp-suspended", "DHS Suspends New Enrollments in the Migrant Protection Protocols",
     "2021-01-20T10:00:00-05:00",
     ["The Department today suspended new enrollments in the Migrant Protection Protocols.",
      "People already enrolled should remain where they are."]),
    ("2023/06/01/tps-honduras-ends", "DHS Terminates Temporary Protected Status for Honduras",
     "2023-06-01T10:00:00-05:00",
     ["The Secretary today announced the termination of Temporary Protected Status for Honduras.",
      "The termination takes effect after an 18-month transition."]),
    ("2024/05/02/cbp-one-ends", "CBP Ends Appointments Through the CBP One App", "2024-05-02T10:00:00-05:00",
     ["CBP today ended the scheduling of appointments through the CBP One app.",
      "Existing appointments are canceled."]),
    ("2025/01/21/mpp-reinstated", "DHS Reinstates Remain in Mexico", "2025-01-21T10:00:00-05:00",
     ["The Department today reinstated the Remain in Mexico program.",
      "Migrants who seek asylum at the southern border will again wait in Mexico."]),
]


def test_a_policys_life_through_run_and_only_the_links_the_history_supports(tmp_path):
    """MPP announced, suspended and reinstated: one policy, three dated events, each reversal
    linked to what it undoes. CBP One's launch was never stored: its end links nowhere.
    Honduras's TPS ends: never linked to Venezuela's designation."""
    from sites import dhs_listing, dhs_release

    root = tmp_path / "site"
    rows = []
    for slug, title, iso, paragraphs in POLICY_RELEASES:
        path = root / "news" / slug
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dhs_release(title, iso, paragraphs))
        rows.append((f"/news/{slug}", title, iso))
    (root / "all-news-updates").write_text(dhs_listing(list(reversed(rows)), None))
    with SiteServer(root) as server:
        config = tmp_path / "sources.toml"
        config.write_text(f'[[source]]\nname = "dhs"\nkind = "html"\n'
                          f'url = "{server.base_url}/all-news-updates"\ndelay = 0\n')
        result = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config),
                                 "--db", str(tmp_path / "monitor.db"), "run"],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    url = {slug: f"{server.base_url}/news/{slug}" for slug, *_ in POLICY_RELEASES}

    events = query(tmp_path, "select p.key, e.event, e.date, d.url from policy_events e "
                             "join policies p on p.id = e.policy_id join documents d on d.id = e.document_id "
                             "where p.key = 'mpp' order by e.date")
    assert [(e["event"], e["date"], e["url"]) for e in events] == [
        ("establish", "2018-12-20", url["2018/12/20/mpp"]),
        ("suspend", "2021-01-20", url["2021/01/20/mpp-suspended"]),
        ("reinstate", "2025-01-21", url["2025/01/21/mpp-reinstated"])]
    assert query(tmp_path, "select count(*) n from policies where key like '%mpp%' "
                           "or name like '%Remain in Mexico%'")[0]["n"] == 1

    links = {(r["a"], r["b"]) for r in query(
        tmp_path, "select f.url a, t.url b from links l join documents f on f.id = l.from_document_id "
                  "join documents t on t.id = l.to_document_id where l.relation = 'reverses'")}
    assert links == {(url["2021/01/20/mpp-suspended"], url["2018/12/20/mpp"]),
                     (url["2025/01/21/mpp-reinstated"], url["2021/01/20/mpp-suspended"])}
    # the CBP One ending is known as an event with nothing stored to undo
    assert query(tmp_path, "select e.event from policy_events e join policies p on p.id = e.policy_id "
                           "where p.key = 'cbp one'") == [{"event": "end"}]
    assert {r["key"] for r in query(tmp_path, "select key from policies where key like 'tps %'")} == {
        "tps honduras", "tps venezuela"}

    shown = subprocess.run([sys.executable, "-m", "monitor", "--db", str(tmp_path / "monitor.db"),
                            "policy", "Remain in Mexico"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Migrant Protection Protocols")
    assert [line.split()[:2] for line in lines[1:]] == [
        ["2018-12-20", "announced"], ["2021-01-20", "suspended"], ["2025-01-21", "reinstated"]]
    assert "DHS Reinstates Remain in Mexico" in lines[3] and url["2025/01/21/mpp-reinstated"] in lines[3]
    unknown = subprocess.run([sys.executable, "-m", "monitor", "--db", str(tmp_path / "monitor.db"),
                              "policy", "Remain in Mexco"], capture_output=True, text=True, timeout=60)
    assert unknown.returncode != 0
    assert unknown.stderr.strip() == ("Error: no policy named 'Remain in Mexco' in the history; "
                                      "close matches: Migrant Protection Protocols (Remain in Mexico)")

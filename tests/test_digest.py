"""`policy-monitor digest`: what a week's HTML and text digests, index and Atom feed hold."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from digest_data import HOSTILE_TITLE, WEEK, build_week, run_sample
from monitor import digest
from monitor.cli import cli
from monitor.store import Store

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def week(tmp_path):
    ids = build_week(tmp_path / "monitor.db")
    return tmp_path, ids


def run_digest(tmp_path, *args):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "monitor.db"), "digest", "--out", str(tmp_path / "digests"),
              *args], env={"POLICY_MONITOR_SETTINGS": ""})
    assert result.exit_code == 0, result.output
    return result


class _Sections(HTMLParser):
    """Text of each <h2 id=...> section, to check what is listed where."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, str] = {"top": ""}
        self.current = "top"
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "h2":
            self.current = dict(attrs)["id"]
            self.sections[self.current] = ""

    def handle_data(self, data):
        self.sections[self.current] += data


def sections(html: str) -> _Sections:
    parser = _Sections()
    parser.feed(html)
    return parser


def test_periods():
    assert digest.iso_week("2026-W47") == digest.Period("2026-W47", date(2026, 11, 16),
                                                        date(2026, 11, 23))
    assert digest.last_complete_week(date(2026, 11, 22)).name == "2026-W46"  # a Sunday
    assert digest.last_complete_week(date(2026, 11, 23)).name == "2026-W47"  # Monday after
    assert digest.last_complete_week(date(2027, 1, 4)).name == "2026-W53"
    assert digest.date_range(date(2026, 11, 1), date(2026, 11, 15)).end == date(2026, 11, 16)
    for bad in ("2026-47", "2026-W54", "W47"):
        with pytest.raises(digest.DigestError):
            digest.iso_week(bad)


def test_html_digest_lists_each_change_in_its_section(week):
    tmp_path, ids = week
    run_digest(tmp_path, "--week", WEEK)
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    parsed = sections(html)
    s = parsed.sections

    # hostile scraped text is shown as text, never as markup
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "DHS ends <script>alert(\"x\")</script> parole Bcc: victim@example.org" in s["reversals"]

    assert "5 documents detected" in s["top"]  # baseline, backlog and the week before left out
    assert "2 reversals" in s["top"] and "1 new policy" in s["top"]
    # the reversal: key statement (the labelled one), what it reverses, who else reported it
    assert "DHS terminates the Migrant Protection Protocols <b>effective now</b>." in s["reversals"]
    assert "Today the Secretary spoke" not in html
    assert "Reverses:" in s["reversals"] and "Migrant Protection Protocols" in s["reversals"]
    assert "Migrants will wait in Mexico." in s["reversals"]
    assert "Also reported by: courier (Remain in Mexico ends)" in " ".join(s["reversals"].split())
    assert html.count('href="https://news.example.com/mpp-ends"') == 1  # not an item of its own
    assert html.count('href="https://www.dhs.gov/news/end-mpp"') == 1

    assert "Asylum processing rule" in s["new-policies"]
    assert "“A new asylum processing rule takes effect on December 1." in s["new-policies"]
    assert "WASHINGTON" not in html  # the release's dateline is not part of the quote
    assert "federal-register" in s["new-policies"] and "2026-11-18" in s["new-policies"]

    stats = s["statistics"]
    assert "encounters · southwest border · CBP" in stats and "45,000" in stats
    # both periods, never the publication date as the period
    assert "October 2026:" in stats and "September 2026: 52,000 · −13.5%" in stats
    assert "published 2026-11-19" in stats
    spark = re.search(r'<svg[^>]*>.*?<polyline points="([^"]+)"', html, re.S)
    assert spark and len(spark[1].split()) == 4  # three earlier months and this one

    assert "ice-newsroom" in s["failing-sources"] and "3 failed runs in a row" in s["failing-sources"]
    assert "dhs" in s["failing-sources"] and "1 failed fetch this period" in s["failing-sources"]
    # neither baseline history, nor a document found the week before, nor an unlabelled one
    for absent in ("Baseline in week", "Seen the week before", "Back catalogue release"):
        assert absent not in html
    assert "ICE arrests fugitive" not in html and "1 without policy change" in s["top"]
    # mail-client safe: no scripts, no external assets, no stylesheet links, narrow
    assert "<link" not in html and "src=" not in html and "max-width:640px" in html


def test_text_twin_has_the_same_items(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--week", WEEK)
    text = (tmp_path / "digests" / f"{WEEK}.txt").read_text()
    assert text.startswith(f"Policy monitor {WEEK}, 5 documents: 2 reversals, 1 new policy, "
                           "1 statistic update\n")
    assert '* DHS ends <script>alert("x")</script> parole Bcc: victim@example.org\n' in text
    assert '"DHS terminates the Migrant Protection Protocols <b>effective now</b>."' in text
    assert "Reverses: Migrant Protection Protocols (baseline, 2019-01-24)" in text
    assert "Also reported by: courier (Remain in Mexico ends) <https://news.example.com/mpp-ends>" in text
    assert "October 2026: 45,000 encounters · September 2026: 52,000 · −13.5%" in text
    assert "ice-newsroom: 3 failed runs in a row" in text
    assert "&lt;" not in text and "Baseline in week" not in text
    assert "Back catalogue release" not in text


def test_index_and_atom_feed(week):
    tmp_path, ids = week
    run_digest(tmp_path, "--week", "2026-W46")
    run_digest(tmp_path, "--week", WEEK)
    out = tmp_path / "digests"
    index = (out / "index.html").read_text()
    assert index.index(f'href="{WEEK}.html"') < index.index('href="2026-W46.html"')
    assert "16 Nov 2026 – 22 Nov 2026" in index
    assert f'href="{WEEK}.txt"' in index and 'href="changes.atom"' in index

    feed = ET.parse(out / "changes.atom").getroot()
    entries = {e.find(f"{ATOM}id").text: e for e in feed.iter(f"{ATOM}entry")}
    assert set(entries) == {"https://www.dhs.gov/news/end-mpp", "https://news.example.com/mpp-ends",
                            "https://www.federalregister.gov/d/2026-1",
                            "https://www.cbp.gov/monthly-update",
                            "https://www.dhs.gov/news/previous-week"}
    hostile = entries["https://www.dhs.gov/news/end-mpp"]
    assert hostile.find(f"{ATOM}title").text == " ".join(HOSTILE_TITLE.split())
    assert hostile.find(f"{ATOM}category").get("term") == "reversal"
    assert hostile.find(f"{ATOM}summary").text.startswith("DHS terminates")
    assert hostile.find(f"{ATOM}updated").text == "2026-11-17T10:00:00+00:00"


def test_rerendering_replaces_only_that_week(week):
    tmp_path, ids = week
    run_digest(tmp_path, "--week", "2026-W46")
    out = tmp_path / "digests"
    (out / "notes.txt").write_text("mine")
    before = (out / "2026-W46.html").read_bytes()
    run_digest(tmp_path, "--week", WEEK)
    store = Store(tmp_path / "monitor.db")
    with store.db.conn:
        store.db["documents"].update(ids["policy"], {"title": "Asylum rule, corrected"})
    store.close()
    run_digest(tmp_path, "--week", WEEK)
    assert "Asylum rule, corrected" in (out / f"{WEEK}.html").read_text()
    assert "Asylum rule, corrected" in (out / f"{WEEK}.txt").read_text()
    assert (out / "2026-W46.html").read_bytes() == before
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == [
        "2026-W46.html", "2026-W46.txt", f"{WEEK}.html", f"{WEEK}.txt", "changes.atom",
        "index.html", "notes.txt"]


def test_since_until_and_bad_periods(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--since", "2026-11-13", "--until", "2026-11-13")
    html = (tmp_path / "digests" / "2026-11-13_2026-11-13.html").read_text()
    assert "Seen the week before" in html and "Asylum processing rule" not in html
    for args, message in ((["--week", "2026-W99"], "Invalid week"),
                          (["--week", WEEK, "--since", "2026-11-01", "--until", "2026-11-02"],
                           "either --week or --since"),
                          (["--since", "2026-11-01"], "--since and --until go together"),
                          (["--since", "2026-11-05", "--until", "2026-11-01"], "before --since")):
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "monitor.db"), "digest", *args])
        assert result.exit_code == 1 and message in result.output, result.output


def test_counts_are_documents_by_label_in_title_subject_headline_and_atom(week):
    tmp_path, ids = week
    result = run_digest(tmp_path, "--week", WEEK)
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    text = (tmp_path / "digests" / f"{WEEK}.txt").read_text()
    subject = f"Policy monitor {WEEK}, 5 documents: 2 reversals, 1 new policy, 1 statistic update"
    assert result.output.startswith(subject + "\n")
    assert f"<title>{subject}</title>" in html and text.startswith(subject + "\n")
    headline = ("5 documents detected, each counted by its label: 2 reversals, 1 new policy, "
                "1 statistic update, 1 without policy change.")
    assert headline in text
    top = " ".join(sections(html).sections["top"].split())
    assert ("5 documents detected, each counted by its label: 2 reversals · 1 new policy · "
            "1 statistic update · 1 without policy change.") in top
    # the Atom feed: one entry per document of the week, by the same labels
    feed = ET.parse(tmp_path / "digests" / "changes.atom").getroot()
    assert "One entry per document" in feed.find(f"{ATOM}subtitle").text
    week_labels = sorted(e.find(f"{ATOM}category").get("term") for e in feed.iter(f"{ATOM}entry")
                         if e.find(f"{ATOM}updated").text.startswith("2026-11-17"))
    assert week_labels == ["new_policy", "reversal", "reversal", "statistic_update"]


def test_archive_found_by_a_first_crawl_is_counted_in_one_line_naming_the_flag(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--week", WEEK)
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    text = (tmp_path / "digests" / f"{WEEK}.txt").read_text()
    line = ("Also found in the archive: 1 document published over 30 days before they were "
            "first seen (1 reversal, 0 new policies, 0 statistic updates), not listed here; "
            "`policy-monitor digest --include-backlog` lists them.")
    assert line in text
    assert "Back catalogue release" not in html and "--include-backlog</code> lists them" in html


def test_a_range_that_holds_the_archive_lists_it_as_news(week):
    """A first crawl's back catalogue, asked for by its own dates, is in the period."""
    tmp_path, _ = week
    run_digest(tmp_path, "--since", "2017-01-01", "--until", "2026-12-31")
    html = (tmp_path / "digests" / "2017-01-01_2026-12-31.html").read_text()
    s = sections(html).sections
    assert "Back catalogue release" in s["reversals"] and "Seen the week before" in s["new-policies"]
    assert "archive" not in s and "Also found in the archive" not in html


def test_text_digest_ends_with_a_newline(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--week", WEEK)
    assert (tmp_path / "digests" / f"{WEEK}.txt").read_text().endswith("them.\n")


def test_a_past_week_lists_only_the_failures_of_that_week(week):
    tmp_path, _ = week
    store = Store(tmp_path / "monitor.db")
    with store.db.conn:  # ice-newsroom recovered; cbp broke the week after
        store.db["sources"].upsert_all([
            {"name": "ice-newsroom", "consecutive_failures": 0, "last_error": None,
             "last_run_at": "2026-11-28T06:00:00+00:00"},
            {"name": "cbp", "consecutive_failures": 4, "last_error": "cannot find www.cbp.gov",
             "last_run_at": "2026-11-28T06:00:00+00:00"}], pk="name")
        store.db["fetches"].insert({"url": "https://www.cbp.gov/x", "source": "cbp",
                                    "fetched_at": "2026-11-27T08:00:00+00:00", "status": None,
                                    "error": "cannot find www.cbp.gov"})
    store.close()
    run_digest(tmp_path, "--week", WEEK)
    failing = sections((tmp_path / "digests" / f"{WEEK}.html").read_text()).sections[
        "failing-sources"]
    assert "dhs" in failing and "1 failed fetch this period" in failing
    assert "cbp" not in failing and "www.cbp.gov" not in failing
    run_digest(tmp_path, "--week", "2026-W48")
    later = sections((tmp_path / "digests" / "2026-W48.html").read_text()).sections
    assert "cbp" in later["failing-sources"] and "4 failed runs in a row" in later["failing-sources"]


def test_include_backlog_lists_old_documents_first_seen_in_the_period(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--week", WEEK, "--include-backlog")
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    s = sections(html).sections
    assert "Back catalogue release" in s["archive"]  # under its own heading, with its kind
    assert "reversal · dhs · 2019-05-01" in " ".join(s["archive"].split())
    assert "Back catalogue release" not in s["reversals"]  # not mixed with the week's news
    assert "Found in the archive" in s["archive"] and "archive-count" not in html
    assert "Baseline in week" not in html  # the baseline is never news
    feed = (tmp_path / "digests" / "changes.atom").read_text()
    assert "Back catalogue release" not in feed  # the feed stays news only


def test_default_is_the_last_complete_week(week, monkeypatch):
    tmp_path, _ = week
    monkeypatch.setattr(digest, "last_complete_week",
                        lambda: digest.iso_week(WEEK))
    result = run_digest(tmp_path)
    assert f"{WEEK}.html" in result.output


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(tmp_path, *args) -> str:
    result = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chrome'}",
                             *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_digest_renders_in_a_browser_on_phone_and_desktop(week):
    tmp_path, _ = week
    run_digest(tmp_path, "--week", WEEK)
    page = tmp_path / "digests" / f"{WEEK}.html"
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "<h1" in dom and WEEK in dom
    assert "<script" not in dom  # the hostile title stayed text
    assert "alert(\"x\")" in dom or "alert(&quot;x&quot;)" in dom
    assert "<svg" in dom and "<polyline" in dom

    # At phone width nothing is wider than the screen: measure in a copy with a probe.
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text().replace(
        "</body>", "<script>document.body.setAttribute('data-overflow', "
        "String(document.documentElement.scrollWidth - window.innerWidth));</script></body>"))
    for width in (390, 1280):
        probed = chromium(tmp_path, f"--window-size={width},844", "--dump-dom", probe.as_uri())
        assert 'data-overflow="0"' in probed, (width, re.findall(r'data-overflow="[^"]*"', probed))

    for name, size in (("phone", (390, 844)), ("desktop", (1280, 900))):
        shot = tmp_path / f"{name}.png"
        chromium(tmp_path, f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}",
                 page.as_uri())
        assert _png_size(shot) == size



def test_digest_of_a_real_run_over_the_sample_newsroom(tmp_path):
    """The real pipeline and classifier fill the database; the digest shows their work."""
    db = tmp_path / "monitor.db"
    run_sample(db)
    store = Store(db)
    news = store.db.execute(
        f"select title, label from documents where {digest.IS_NEWS} "
        "and first_seen >= '2026-11-16'").fetchall()
    backlog = store.db.execute(
        f"select title from documents where not ({digest.IS_NEWS}) and source != 'baseline' "
        "and label in ('reversal', 'new_policy')").fetchall()
    store.close()
    run_digest(tmp_path, "--week", WEEK)
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    text = (tmp_path / "digests" / f"{WEEK}.txt").read_text()
    s = sections(html).sections

    assert news and backlog
    for title, label in news:
        if label in ("reversal", "new_policy"):
            assert " ".join(title.split()) in text  # an item, or named in "also reported by"
    for (title,) in backlog:
        assert f"* {' '.join(title.split())}\n" not in text  # never an item of its own
    assert "Collection of Biometric Data From Aliens Departing" in s["new-policies"]
    assert "Also reported by:" in s["new-policies"]
    assert "CBP Releases October 2026 Monthly Update" in s["statistics"]
    assert "<svg" in html and "previous" in s["statistics"]


def test_a_reversal_card_links_its_policy_timeline_to_datasette(tmp_path):
    db = tmp_path / "monitor.db"
    run_sample(db)
    result = CliRunner().invoke(
        cli, ["--db", str(db), "digest", "--out", str(tmp_path / "digests"), "--week", WEEK,
              "--include-backlog"],
        env={"POLICY_MONITOR_SETTINGS": "", "POLICY_MONITOR_DATASETTE_URL": "https://data.example.org/"})
    assert result.exit_code == 0, result.output
    html = (tmp_path / "digests" / f"{WEEK}.html").read_text()
    assert 'href="https://data.example.org/monitor/policy_timeline?policy=mpp"' in html
    assert "Full timeline: https://data.example.org/monitor/policy_timeline?policy=mpp" in (
        tmp_path / "digests" / f"{WEEK}.txt").read_text()
    bad = CliRunner().invoke(cli, ["--db", str(db), "digest"],
                             env={"POLICY_MONITOR_SETTINGS": "",
                                  "POLICY_MONITOR_DATASETTE_URL": "javascript:alert(1)"})
    assert bad.exit_code != 0
    assert "'datasette_url' must be an http(s) URL" in bad.output


#: Tables that grow with the history: no digest query may read one of them whole.
_HISTORY = ("documents", "statement_rows", "document_versions", "links", "statistic_rows",
            "policy_events", "fetches", "failures", "corrections", "federal_register_documents")


def test_digest_queries_read_only_the_period_and_each_series_once(week):
    """A digest's cost follows the period shown, not the history: every query it makes is
    answered from an index (EXPLAIN QUERY PLAN), and the figures behind its sparklines
    are read in one query per series, bounded to the periods drawn."""
    tmp_path, ids = week
    store = Store(tmp_path / "monitor.db")
    second = store.save_document(
        source="cbp", url="https://www.cbp.gov/second-update", title="CBP update, revised",
        published="2026-11-20", body="More numbers.",
        statements=["Encounters were 44,000 in October and 52,500 in September."],
        seen_at="2026-11-20T10:00:00+00:00")
    series = "encounters | southwest border | all | CBP | level | month"
    with store.db.conn:
        for value, start, end in ((44_000.0, "2026-10-01", "2026-10-31"),
                                  (52_500.0, "2026-09-01", "2026-09-30")):
            store.insert_statistic({
                "document_id": second.document_id, "metric": "encounters", "kind": "level",
                "role": "reported", "value": value, "series": series, "period_kind": "month",
                "period_start": start, "period_end": end, "published": "2026-11-20"})
    sql: list[str] = []
    store.db.conn.set_trace_callback(sql.append)
    data = digest.collect(store, digest.iso_week(WEEK), include_backlog=True)
    digest.write_atom(store, tmp_path)
    store.db.conn.set_trace_callback(None)

    assert len([s for s in data["statistics"] if s["spark"]]) == 3
    assert len([q for q in sql if "from statistic_rows where series_id" in q]) == 1
    for query in {q for q in sql if q.lstrip().lower().startswith("select")}:
        plan = [row[3] for row in store.db.execute("explain query plan " + query)]
        names = re.findall(r"\b(?:from|join)\s+(\w+)(?:\s+(?!on\b|where\b|left\b|join\b)(\w+))?",
                           query, re.I)
        scanned = {table for table, alias in names for step in plan
                   if re.match(rf"SCAN ({table}|{alias or table})\b", step)}
        # the feed's index holds only labelled news, read newest first up to its LIMIT
        scanned -= {"documents"} if any("idx_documents_news_changes" in s for s in plan) else set()
        assert not scanned & set(_HISTORY), (query, plan)
    store.close()


def test_a_period_with_more_figures_than_a_digest_shows_says_how_many_more(week, monkeypatch):
    """Years of monthly updates (a backfill's all-time digest) hold hundreds of thousands of
    figures: the digest shows the latest MAX_FIGURES and counts the rest, whose releases are
    not listed again as releases without figures."""
    tmp_path, ids = week
    store = Store(tmp_path / "monitor.db")
    with store.db.conn:
        store.insert_statistic({
            "document_id": ids["stat"], "metric": "removals", "kind": "level", "role": "reported",
            "value": 7_000.0, "series": "removals | - | all | ICE | level | month",
            "period": "August 2026", "period_kind": "month", "period_start": "2026-08-01",
            "period_end": "2026-08-31", "published": "2026-11-19"})
    monkeypatch.setattr(digest, "MAX_FIGURES", 1)
    data = digest.collect(store, digest.iso_week(WEEK))
    store.close()
    assert [s["period"] for s in data["statistics"]] == ["October 2026"]  # the latest period
    assert data["figures_not_shown"] == 1 and data["statistic_documents"] == []
    html, text = digest.render(data)
    assert "1 more figure of this period&rsquo;s releases not shown" in html
    assert "1 more figure of this period's releases not shown (those above are the latest 1)" in text
    monkeypatch.setattr(digest, "MAX_FIGURES", 500)
    assert "more figure" not in digest.render(digest.collect(Store(tmp_path / "monitor.db"),
                                                             digest.iso_week(WEEK)))[0]


def test_digest_renders_when_the_template_cache_cannot_be_written(tmp_path):
    """Compiled templates are cached between runs; a cache folder that cannot be written
    (here a file stands where the folder should be) only costs the compile."""
    from jinja2 import DictLoader, Environment

    from monitor.digest import _TemplateCache

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    env = Environment(loader=DictLoader({"t.html": "{{ x }}"}), autoescape=True,
                      bytecode_cache=_TemplateCache(str(blocked)))
    assert env.get_template("t.html").render(x="<b>") == "&lt;b&gt;"


def test_commands_that_never_fetch_do_not_load_the_http_and_scheduler_libraries():
    """``digest`` is run often and should start fast: httpx and APScheduler are loaded
    only by the commands that fetch or schedule."""
    import subprocess
    import sys

    probe = ("import sys, monitor.cli, monitor.digest, monitor.settings, monitor.errors; "
             "print(sorted(m for m in ('httpx', 'apscheduler') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"

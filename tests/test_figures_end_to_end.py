"""Figures end to end: CBP-shaped releases crawled by `run` from 127.0.0.1, then `digest`.

A month's release followed by the next month's links the two months; a subset (family
units) keeps its own series; a fiscal year never becomes a month's previous; a change
the release states ("down 10% from May") is shown as stated when May is not stored; a
policy release that quotes last month's figure adds it to the series, and its fee,
budget and deadlines are not figures.
"""

import re
import sqlite3
import subprocess
import sys
from datetime import date
from html import unescape

import pytest

from monitor.sampleserver import SiteServer
from sites import dhs_listing, dhs_release

SOURCES = """agency = "CBP"

[[source]]
name = "cbp"
kind = "html"
url = "{base}/all-news-updates"
delay = 0
retries = 0
"""

FY2023 = ("fy2023", "CBP Announces Fiscal Year 2023 Statistics", "2023-10-21T10:00:00-04:00",
          ["In fiscal year 2023, Border Patrol apprehended 2,045,838 migrants at the southwest border."])
OCTOBER = ("october-2023", "CBP Releases October 2023 Monthly Update", "2023-11-17T10:00:00-05:00",
           ["U.S. Customs and Border Protection released its monthly operational statistics for October 2023.",
            "Border Patrol apprehended 188,778 migrants at the southwest border in October."])
MAY = ("may-2024", "CBP Releases May 2024 Monthly Update", "2024-06-18T10:00:00-04:00",
       ["U.S. Customs and Border Protection released its monthly operational statistics for May 2024.",
        "Border Patrol apprehended 117,901 migrants between ports of entry at the southwest border in May.",
        "Of those, 12,000 were members of family units."])
JUNE = ("june-2024", "CBP Releases June 2024 Monthly Update", "2024-07-16T10:00:00-04:00",
        ["U.S. Customs and Border Protection released its monthly operational statistics for June 2024.",
         "In June, Border Patrol apprehensions between ports of entry at the southwest border were 83,536, "
         "down 29% from May.",
         "Apprehensions of family units fell to 9,000 in June, down 40% from May.",
         "Encounters at ports of entry along the southwest border totaled 46,000 in June, down 10% from May.",
         "Mexican authorities apprehended 120,000 migrants in June."])
POLICY = ("pilot-ends", "DHS to End Family Case Management Pilot", "2024-08-20T10:00:00-04:00",
          ["DHS announced today that it will end the family case management pilot program on Sept. 30 "
           "and move its $15 million budget to other alternatives to detention.",
           "Families now enrolled will be moved to other programs within 30 days, and case managers "
           "will keep working with them for up to 18 months.",
           "Last month, Border Patrol apprehended 56,400 migrants between ports of entry at the southwest "
           "border, the department said."])


def _publish(root, releases):
    rows = []
    for slug, title, iso, paragraphs in releases:
        (root / "news").mkdir(exist_ok=True)
        (root / "news" / slug).write_text(dhs_release(title, iso, paragraphs))
        rows.append((f"/news/{slug}", title, iso))
    (root / "all-news-updates").write_text(dhs_listing(list(reversed(rows)), None))


def _cli(tmp_path, *args):
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(tmp_path / "sources.toml"),
         "--db", str(tmp_path / "monitor.db"), *args],
        capture_output=True, text=True, timeout=180, env={"POLICY_MONITOR_SETTINGS": "",
                                                          "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two runs: the fiscal year, October and May first; June a month later."""
    tmp_path = tmp_path_factory.mktemp("figures")
    root = tmp_path / "site"
    root.mkdir()
    _publish(root, [FY2023, OCTOBER, MAY])
    with SiteServer(root) as server:
        (tmp_path / "sources.toml").write_text(SOURCES.format(base=server.base_url))
        _cli(tmp_path, "run")
        _publish(root, [FY2023, OCTOBER, MAY, JUNE, POLICY])
        _cli(tmp_path, "run")
    today = date.today().isoformat()
    # a range holding the releases' dates lists them as its news (not as archive)
    _cli(tmp_path, "digest", "--since", "2023-01-01", "--until", today,
         "--out", str(tmp_path / "digests"))
    conn = sqlite3.connect(tmp_path / "monitor.db")
    conn.row_factory = sqlite3.Row
    page = (tmp_path / "digests" / f"2023-01-01_{today}.html").read_text()
    html = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())  # what a reader sees
    text = (tmp_path / "digests" / f"2023-01-01_{today}.txt").read_text()
    yield conn, html, text
    conn.close()


def _figure(conn, value):
    rows = conn.execute("select * from statistics where value = ? and role = 'reported'", [value]).fetchall()
    assert len(rows) == 1, [dict(r) for r in rows]
    return rows[0]


def test_the_next_month_links_to_the_month_before(crawled):
    conn, html, text = crawled
    may, june = _figure(conn, 117_901), _figure(conn, 83_536)
    assert (may["period"], june["period"]) == ("May 2024", "June 2024")
    assert may["series"] == june["series"]
    assert (june["previous_id"], june["previous_value"], june["previous_period"],
            june["previous_source"]) == (may["id"], 117_901, "May 2024", "series")
    assert june["change_pct"] == -29.1 and june["change_stated_pct"] == -29
    assert "June 2024: 83,536 people" in html and "May 2024: 117,901 · −29.1%" in html
    assert "June 2024: 83,536 people · May 2024: 117,901 · −29.1%" in text


def test_a_subset_keeps_its_own_series(crawled):
    conn, html, _ = crawled
    may_total, may_families = _figure(conn, 117_901), _figure(conn, 12_000)
    june_families = _figure(conn, 9_000)
    assert may_families["population"] == june_families["population"] == "family units"
    assert may_families["series"] != may_total["series"]
    assert june_families["previous_id"] == may_families["id"]
    # the change the release states is kept, and a disagreement with the stored May is shown
    assert (june_families["change_pct"], june_families["change_stated_pct"]) == (-25.0, -40)
    assert "May 2024: 12,000 · −25% The release says −40%." in html
    # no total ever follows a subset, nor a subset a total
    for row in conn.execute("select s.*, p.series as previous_series from statistics s "
                            "join statistics p on p.id = s.previous_id"):
        assert row["series"] == row["previous_series"]


def test_a_fiscal_year_is_never_the_previous_of_a_month(crawled):
    conn, html, _ = crawled
    fiscal, october = _figure(conn, 2_045_838), _figure(conn, 188_778)
    assert fiscal["period"] == "FY2023" and fiscal["period_kind"] == "fiscal year"
    assert october["period"] == "October 2023" and october["previous_value"] is None
    assert "October 2023: 188,778 people First figure stored for this series." in html


def test_a_change_the_release_states_is_shown_as_stated(crawled):
    conn, html, text = crawled
    ports = _figure(conn, 46_000)
    assert ports["scope"] == "southwest border, ports of entry"
    assert (ports["previous_id"], ports["previous_value"], ports["previous_period"],
            ports["previous_source"], ports["change_stated_pct"]) == (None, None, "May 2024", "release", -10)
    assert "May 2024 (as stated in the release): −10%" in html
    assert "June 2024: 46,000 encounters · May 2024 (as stated in the release): −10%" in text


def test_another_countrys_figure_is_labelled_and_kept_apart(crawled):
    conn, html, text = crawled
    mexico = _figure(conn, 120_000)
    assert mexico["agency"] == "Mexico" and "Mexico" in mexico["series"]
    assert mexico["previous_value"] is None
    assert "apprehensions · Mexico" in html and "Counted by Mexico, not by DHS." in html
    assert "Counted by Mexico, not by DHS." in text


def test_a_policy_release_adds_the_statistic_it_quotes_and_nothing_else(crawled):
    conn, html, text = crawled
    release = conn.execute("select id, label from documents where title like 'DHS to End%'").fetchone()
    assert release["label"] != "statistic_update"  # the classifier reads it as policy
    july, june = _figure(conn, 56_400), _figure(conn, 83_536)
    assert (july["period"], july["document_id"], july["series"]) == ("July 2024", release["id"], june["series"])
    assert (july["previous_id"], july["previous_period"], july["previous_source"]) == (june["id"], "June 2024", "series")
    assert [r["value"] for r in conn.execute("select value from statistics where document_id = ?",
                                             [release["id"]])] == [56_400]
    assert "July 2024: 56,400 people · June 2024: 83,536 · −32.5%" in text

"""A week of classified documents built with the store API, as the classifier would leave them."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

from monitor.sampleserver import SiteServer
from monitor.store import Store

HOSTILE_TITLE = 'DHS ends <script>alert("x")</script> parole\r\nBcc: victim@example.org'
WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026


def build_week(path: Path, *, seen: str = "2026-11-17T10:00:00+00:00") -> dict[str, int]:
    """Documents first seen in ``WEEK`` (or at ``seen``), with labels, links and statistics.

    Returns document ids by role. Timestamps other than ``seen`` are fixed so
    that the period tests know what falls inside 2026-W47.
    """
    store = Store(path)
    db = store.db
    old = store.save_document(
        source="baseline", url="https://example.org/2019/mpp", title="Migrant Protection Protocols",
        published="2019-01-24", body="MPP.", statements=["Migrants will wait in Mexico."],
        seen_at="2026-11-01T00:00:00+00:00")
    reversal = store.save_document(
        source="dhs", url="https://www.dhs.gov/news/end-mpp", title=HOSTILE_TITLE,
        published="2026-11-16", body="Ends MPP.",
        statements=["Today the Secretary spoke.",
                    "DHS terminates the Migrant Protection Protocols <b>effective now</b>."],
        seen_at=seen)
    echo = store.save_document(
        source="courier", url="https://news.example.com/mpp-ends", title="Remain in Mexico ends",
        published="2026-11-17", body="MPP ends.", statements=["The program ended on Tuesday."],
        seen_at=seen)
    policy = store.save_document(
        source="federal-register", url="https://www.federalregister.gov/d/2026-1",
        title="Asylum processing rule", published="2026-11-18", body="Rule.",
        statements=["WASHINGTON – A new asylum processing rule takes effect on December 1."], seen_at=seen)
    stat = store.save_document(
        source="cbp", url="https://www.cbp.gov/monthly-update", title="CBP October update",
        published="2026-11-19", body="Numbers.",
        statements=["Encounters were 45,000 in October."], seen_at=seen)
    quiet = store.save_document(
        source="ice", url="https://www.ice.gov/arrest", title="ICE arrests fugitive",
        published="2026-11-19", body="Arrest.", statements=["Officers arrested a fugitive."],
        seen_at=seen)
    baseline_news = store.save_document(
        source="baseline", url="https://example.org/baseline-in-week", title="Baseline in week",
        published="2026-11-18", body="History.", statements=["Old news."], seen_at=seen)
    backlog = store.save_document(
        source="dhs", url="https://www.dhs.gov/news/2019/old-release", title="Back catalogue release",
        published="2019-05-01", body="Old.", statements=["An old announcement."], seen_at=seen)
    late_found = store.save_document(
        source="dhs", url="https://www.dhs.gov/news/previous-week", title="Seen the week before",
        published="2026-11-18", body="Earlier.", statements=["Found early."],
        seen_at="2026-11-13T09:00:00+00:00")
    with db.conn:
        db["documents"].update(old.document_id, {"label": "new_policy", "confidence": 0.9})
        db["documents"].update(reversal.document_id, {"label": "reversal", "confidence": 0.92})
        db["statement_rows"].update(reversal.new_statement_ids[1],
                                    {"label": "reversal", "confidence": 0.9})
        db["statement_rows"].update(reversal.new_statement_ids[0],
                                    {"label": "none", "confidence": 0.99})
        db["documents"].update(echo.document_id, {"label": "reversal", "confidence": 0.7})
        db["documents"].update(policy.document_id, {"label": "new_policy", "confidence": 0.8})
        db["documents"].update(stat.document_id, {"label": "statistic_update", "confidence": 0.85})
        db["documents"].update(quiet.document_id, {"label": "none", "confidence": 0.9})
        db["documents"].update(baseline_news.document_id, {"label": "reversal", "confidence": 0.9})
        db["documents"].update(backlog.document_id, {"label": "reversal", "confidence": 0.9})
        db["documents"].update(late_found.document_id, {"label": "new_policy", "confidence": 0.9})
        db["links"].insert_all([
            {"from_document_id": reversal.document_id,
             "from_statement_id": reversal.new_statement_ids[1],
             "to_document_id": old.document_id, "to_statement_id": old.new_statement_ids[0],
             "relation": "reverses", "score": 0.8},
            {"from_document_id": echo.document_id, "to_document_id": reversal.document_id,
             "relation": "same_event", "score": 0.9},
        ])
        series = "encounters | southwest border | all | CBP | level | month"
        for start, end, value in [("2026-07-01", "2026-07-31", 50_000.0),
                                  ("2026-08-01", "2026-08-31", 61_000.0),
                                  ("2026-09-01", "2026-09-30", 52_000.0)]:
            store.insert_statistic({"metric": "encounters", "scope": "southwest border",
                                     "agency": "CBP", "kind": "level", "role": "reported",
                                     "value": value, "unit": "encounters", "series": series,
                                     "period_kind": "month", "period_start": start,
                                     "period_end": end})
        store.insert_statistic({
            "document_id": stat.document_id, "statement_id": stat.new_statement_ids[0],
            "metric": "encounters", "scope": "southwest border", "agency": "CBP", "kind": "level",
            "role": "reported", "value": 45_000.0, "as_written": "45,000", "unit": "encounters",
            "period": "October 2026", "period_kind": "month", "period_start": "2026-10-01",
            "period_end": "2026-10-31", "series": series, "previous_value": 52_000.0,
            "previous_period": "September 2026", "previous_source": "series",
            "change": -7_000.0, "change_pct": -13.46, "published": "2026-11-19"})
        db["sources"].insert_all([
            {"name": "ice-newsroom", "consecutive_failures": 3,
             "last_error": "HTTP 503 from https://www.ice.gov/news", "last_ok_at": "2026-11-10",
             "last_run_at": "2026-11-20T06:00:00+00:00"},
            {"name": "dhs", "consecutive_failures": 0},
        ], pk="name", replace=True)
        db["fetches"].insert({"url": "https://www.dhs.gov/x", "source": "dhs",
                              "fetched_at": "2026-11-18T08:00:00+00:00", "status": 500,
                              "error": "HTTP 500"})
    store.close()
    return {"old": old.document_id, "reversal": reversal.document_id,
            "echo": echo.document_id, "policy": policy.document_id, "stat": stat.document_id,
            "quiet": quiet.document_id, "baseline_news": baseline_news.document_id,
            "late_found": late_found.document_id, "backlog": backlog.document_id}


SAMPLE_SOURCES = """
[[source]]
name = "dhs-news"
kind = "html"
url = "{base}/all-news-updates"
delay = 0

[[source]]
name = "uscis-news"
kind = "feed"
url = "{base}/uscis-news.xml"
delay = 0

[[source]]
name = "federal-register"
kind = "feed"
url = "{base}/federal-register.xml"
fetch_articles = false
delay = 0
"""


def run_sample(db: Path) -> None:
    """A real `policy-monitor run` and `reclassify` over the bundled sample newsroom.

    The sample's latest items date from 2026-W47, so detection is moved to
    Saturday 21 November 2026, as if the run had happened then.
    """
    with SiteServer(Path(str(files("monitor") / "sample" / "site"))) as server:
        config = db.with_name("sources.toml")
        config.write_text(SAMPLE_SOURCES.format(base=server.base_url))
        for command in ("run", "reclassify"):
            done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config),
                                   "--db", str(db), command],
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
    store = Store(db)
    with store.db.conn:
        store.db.execute("update documents set first_seen = '2026-11-21T06:00:00+00:00', "
                         "last_changed = '2026-11-21T06:00:00+00:00' where source != 'baseline'")
    store.close()

"""`policy-monitor backfill`: the archive back to a date, resumable after kill -9.

The archive is the benchmark's DHS-shaped newsroom: 1,050 releases, about three a day,
on 53 listing pages, served on 127.0.0.1.
"""

import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.pipeline import INLINE_ANALYSES
from monitor.sampleserver import FederalRegisterAPI, SiteServer
from monitor.store import COMPACT_AFTER

ROOT = Path(__file__).resolve().parent.parent
#: Enough for every path a backfill takes (53 listing pages, each a commit with its
#: checkpoint; worker processes past ``pipeline.INLINE_ANALYSES``; and, at least
#: ``store.COMPACT_AFTER`` documents linked, the compaction that ends a big backfill), and
#: no more: each release is crawled twice by the kill test, and 3,000 took most of the
#: suite's time without reaching a path 1,050 does not.
RELEASES = 1050
SINCE = "2017-01-01"


def _benchmark_site():
    spec = importlib.util.spec_from_file_location(
        "fetch_benchmark", ROOT / "benchmarks" / "fetch_benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    site = _benchmark_site().generate_site(root, RELEASES)
    with SiteServer(root) as server:
        yield server, site


def command(work: Path, base: str, *args: str) -> list[str]:
    config = work / "archive.toml"
    config.write_text(f'[[source]]\nname = "archive"\nkind = "html"\n'
                      f'url = "{base}/all-news-updates"\ndelay = 0\n')
    return [sys.executable, "-m", "monitor", "--config", str(config),
            "--db", str(work / "monitor.db"), *args]


def snapshot(db: Path) -> dict:
    """What a backfill leaves: documents with their statements and labels, and links."""
    with sqlite3.connect(db) as conn:
        documents = {url: (label, n) for url, label, n in conn.execute(
            "select d.url, d.label, count(s.id) from documents d "
            "left join statements s on s.document_id = d.id "
            "where d.source = 'archive' group by d.id")}
        links = set(conn.execute(
            "select f.url, t.url, l.relation from links l join documents f "
            "on f.id = l.from_document_id join documents t on t.id = l.to_document_id"))
        events = set(conn.execute(
            "select p.key, d.url, e.event from policy_events e join policies p "
            "on p.id = e.policy_id join documents d on d.id = e.document_id"))
        rows = conn.execute("select count(*), count(distinct url) from documents").fetchone()
        state = conn.execute("select pages, documents, finished_at is not null, "
                             "linked_at is not null from backfills").fetchall()
    return {"documents": documents, "links": links, "events": events, "rows": rows,
            "state": state}


def test_backfill_killed_at_random_points_ends_as_an_uninterrupted_one(archive, tmp_path):
    server, site = archive
    assert RELEASES >= max(COMPACT_AFTER, INLINE_ANALYSES)  # the paths named beside RELEASES
    whole = tmp_path / "whole"
    whole.mkdir()
    started = time.monotonic()
    result = subprocess.run(command(whole, server.base_url, "backfill", "--since", SINCE),
                            capture_output=True, text=True, timeout=900)
    duration = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # not a terminal: nothing to say
    expected = snapshot(whole / "monitor.db")
    assert len(expected["documents"]) == RELEASES
    assert set(expected["documents"]) == {server.base_url + p for p in site["paths"]}
    assert all(label is not None and n > 0 for label, n in expected["documents"].values())
    assert expected["events"] and expected["state"] == [(site["pages"], RELEASES, 1, 1)]

    killed = tmp_path / "killed"
    killed.mkdir()
    rng = random.Random(20261201)
    kills = attempts = 0
    while kills < 5 and attempts < 30:
        attempts += 1
        process = subprocess.Popen(command(killed, server.base_url, "backfill", "--since", SINCE),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=rng.uniform(0.5, max(1.0, duration / 6)))
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
    assert kills == 5
    final = subprocess.run(command(killed, server.base_url, "backfill", "--since", SINCE),
                           capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, final.stderr
    resumed = snapshot(killed / "monitor.db")
    assert resumed["rows"] == expected["rows"]  # none missing, none twice
    assert resumed["documents"] == expected["documents"]
    assert resumed["links"] == expected["links"]
    assert resumed["events"] == expected["events"]
    assert resumed["state"][0][1:] == (RELEASES, 1, 1)


def test_backfill_stops_at_its_date_and_a_run_shares_the_writer(archive, tmp_path):
    server, site = archive
    since = "2025-03-01"
    backfill = subprocess.Popen(command(tmp_path, server.base_url, "backfill", "--since", since),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    run = subprocess.run(command(tmp_path, server.base_url, "run"), capture_output=True,
                         text=True, timeout=300)
    out, err = backfill.communicate(timeout=600)
    assert run.returncode == 0, run.stderr
    assert backfill.returncode == 0, err
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        published = [r[0] for r in conn.execute(
            "select published from documents where source = 'archive'")]
        rows, distinct = conn.execute(
            "select count(*), count(distinct url) from documents").fetchone()
    assert rows == distinct
    assert min(published) >= since
    assert len(published) == sum(1 for p in site["paths"] if p.split("/")[2:5] >= ["2025", "03", "01"])


def test_a_finished_backfill_is_not_walked_again_and_a_feed_is_refused(archive, tmp_path):
    server, _ = archive
    since = (date(2025, 6, 30) - timedelta(days=5)).isoformat()
    first = subprocess.run(command(tmp_path, server.base_url, "backfill", "--since", since),
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    hits = sum(server.hits.values())
    again = subprocess.run(command(tmp_path, server.base_url, "backfill", "--since", since),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and sum(server.hits.values()) == hits

    future = subprocess.run(command(tmp_path, server.base_url, "backfill", "--since", "2999-01-01"),
                            capture_output=True, text=True, timeout=60)
    assert future.returncode != 0 and "in the future" in future.stderr

    feed = tmp_path / "feed.toml"
    feed.write_text(f'[[source]]\nname = "news"\nkind = "feed"\nurl = "{server.base_url}/x.xml"\n')
    refused = subprocess.run([sys.executable, "-m", "monitor", "--config", str(feed), "--db",
                              str(tmp_path / "monitor.db"), "backfill", "--since", since,
                              "--source", "news"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "nothing to walk back through" in refused.stderr


def test_federal_register_backfill_walks_months_forward_with_a_checkpoint(tmp_path):
    today = date.today()
    docs = [{
        "document_number": f"20{i:02d}-{i:05d}", "type": "Notice", "action": "Notice.",
        "title": f"Designation of Country {i} for Temporary Protected Status",
        "abstract": f"DHS announces that the Secretary has designated Country {i} for TPS.",
        "publication_date": (today - timedelta(days=20 * i)).isoformat(),
        "html_url": f"https://www.federalregister.gov/documents/x/{i}",
        "agencies": [{"slug": "homeland-security-department", "name": "Homeland Security Department"}],
    } for i in range(1, 25)]
    api = FederalRegisterAPI(docs)
    with SiteServer(tmp_path, routes={"/api/v1/documents.json": api}) as server:
        config = tmp_path / "fr.toml"
        config.write_text(f'[[source]]\nname = "fr"\nkind = "federal_register"\n'
                          f'url = "{server.base_url}/api/v1/documents.json"\n'
                          'agencies = ["homeland-security-department"]\ndelay = 0\n')
        since = (today - timedelta(days=365)).isoformat()
        result = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "--db",
                                 str(tmp_path / "m.db"), "backfill", "--since", since],
                                capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "m.db") as conn:
        numbers = {r[0] for r in conn.execute("select document_number from federal_register_documents")}
        done_until, finished = conn.execute("select done_until, finished_at from backfills").fetchone()
    assert numbers == {d["document_number"] for d in docs if d["publication_date"] >= since}
    assert done_until == today.isoformat() and finished

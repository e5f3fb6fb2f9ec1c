"""Datasette with deploy/datasette-metadata.yml: every canned query and full-text search over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from digest_data import build_week, run_sample
from monitor.store import Store, utcnow
from test_mail import free_port

METADATA = Path(__file__).resolve().parent.parent / "deploy" / "datasette-metadata.yml"


def wait_for(base: str, proc: subprocess.Popen) -> None:
    """Until Datasette answers at ``base``; fails with its output if it died or hung."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"datasette did not start: {proc.stdout.read()}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def datasette(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("datasette")
    db = tmp / "monitor.db"
    ids = build_week(db, seen=utcnow())  # "this week" is relative to today
    ids["everyday"] = Store(db).save_document(  # an old, unlabelled document to search in
        source="uscis", url="https://www.uscis.gov/h-2b", title="H-2B cap reached",
        published="2025-01-02", body="The U.S. Department terminated Title-42.",
        statements=["USCIS reached the H-2B cap for the U.S. summer season."],
        seen_at="2025-01-02T00:00:00+00:00").document_id
    run_sample(tmp / "demo.db")  # a real run, served as the demo database
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", str(db), str(tmp / "demo.db"),
         "--metadata", str(METADATA),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_for(base, proc)
    yield base, ids
    proc.terminate()
    proc.wait(timeout=10)


def get(base: str, path: str, **params) -> list[dict]:
    query = urllib.parse.urlencode(params | {"_shape": "array"})
    with urllib.request.urlopen(f"{base}{path}.json?{query}", timeout=10) as response:
        return json.load(response)


def test_this_weeks_changes(datasette):
    base, _ = datasette
    rows = get(base, "/monitor/this_weeks_changes")
    assert sorted(r["title"] for r in rows) == sorted([
        'DHS ends <script>alert("x")</script> parole\r\nBcc: victim@example.org',
        "Remain in Mexico ends", "Asylum processing rule", "CBP October update"])
    assert {r["label"] for r in rows} == {"reversal", "new_policy", "statistic_update"}


def test_reversals_beside_what_they_reverse(datasette):
    base, _ = datasette
    [row] = get(base, "/monitor/reversals")
    assert row["reversal_url"] == "https://www.dhs.gov/news/end-mpp"
    assert row["reverses"] == "Migrant Protection Protocols"
    assert row["reversed_statement"] == "Migrants will wait in Mexico."
    assert row["reversal_statement"].startswith("DHS terminates the Migrant Protection Protocols")


def test_statistic_series(datasette):
    base, _ = datasette
    series = "encounters | southwest border | all | CBP | level | month"
    rows = get(base, "/monitor/statistic_series", series=series)
    assert [r["value"] for r in rows] == [50000, 61000, 52000, 45000]
    assert [r["period_start"] for r in rows] == ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"]
    assert rows[-1]["previous_period"] == "September 2026" and rows[-1]["title"] == "CBP October update"
    assert get(base, "/monitor/statistic_series", series="no such series") == []
    [listed] = get(base, "/monitor/series_list")
    assert (listed["series"], listed["figures"], listed["periods"]) == (series, 4, 4)


def test_source_failures(datasette):
    base, _ = datasette
    [row] = get(base, "/monitor/source_failures", source="dhs")
    assert row["status"] == 500 and row["error"] == "HTTP 500"
    assert get(base, "/monitor/source_failures", source="cbp") == []


def test_full_text_search_on_documents_and_statements(datasette):
    base, ids = datasette
    docs = get(base, "/monitor/documents", _search="asylum")
    assert [d["id"] for d in docs] == [ids["policy"]]
    statements = get(base, "/monitor/statements", _search="terminates")
    assert [s["document_id"] for s in statements] == [ids["reversal"]]
    # a trailing * matches the beginnings of words: "protocol*" finds "Protocols"
    found = {s["document_id"] for s in get(base, "/monitor/statements", _search="protocol*")}
    assert found == {ids["reversal"]}


def test_queries_over_a_real_run_of_the_sample_newsroom(datasette):
    base, _ = datasette
    reversals = get(base, "/demo/reversals")
    assert reversals and all(r["reverses"] and r["reversal"] for r in reversals)
    assert all(r["reverses_published"] <= r["first_seen"] for r in reversals)
    longest = get(base, "/demo/series_list")[0]
    figures = get(base, "/demo/statistic_series", series=longest["series"])
    assert len(figures) == longest["figures"] >= 3
    assert [r["period_start"] for r in figures] == sorted(r["period_start"] for r in figures)
    assert any(r["previous_source"] == "series" for r in figures)
    biometric = get(base, "/demo/documents", _search="biometric")
    assert any("Biometric" in d["title"] for d in biometric)
    assert all(d["source"] != "baseline" for d in biometric)


def test_a_policys_timeline_from_a_real_run(datasette):
    """The sample announces MPP in 2018 and ends it in 2021: both, in order, by any name."""
    base, _ = datasette
    rows = get(base, "/demo/policy_timeline", policy="Remain in Mexico")
    assert [r["event"] for r in rows][:2] == ["announced", "ended"]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert rows[0]["date"] == "2018-12-20" and rows[0]["title"].startswith("Secretary Nielsen Announces")
    assert "Migrant Protection Protocols" in rows[0]["statement"]
    assert get(base, "/demo/policy_timeline", policy="mpp") == rows
    assert get(base, "/demo/policy_timeline", policy="no such policy") == []


@pytest.mark.parametrize("query", ["H-2B", "U.S.", "Title-42", "terminat*", "h-2b cap",
                                   '"H-2B cap"'])
def test_search_accepts_what_people_type(datasette, query):
    """Hyphens, dots and prefixes, as typed into Datasette's search box: no 400, a match."""
    base, ids = datasette
    assert [d["id"] for d in get(base, "/monitor/documents", _search=query)] == [ids["everyday"]]


def test_search_in_statements_and_odd_input(datasette):
    base, ids = datasette
    assert {s["document_id"] for s in get(base, "/monitor/statements", _search="H-2B")} == {
        ids["everyday"]}
    for odd in ['"unbalanced', "AND", "(", "NOT", "*"]:
        get(base, "/monitor/statements", _search=odd)  # an answer, not an error


def test_policy_monitor_datasette_serves_any_database_name_with_the_packaged_metadata(tmp_path):
    """The command the README shows: queries and search under the database's own name."""
    db = tmp_path / "history.db"
    build_week(db, seen=utcnow())
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db), "datasette",
                             "--host", "127.0.0.1", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, proc)
        assert len(get(base, "/history/this_weeks_changes")) == 4
        assert [d["title"] for d in get(base, "/history/documents", _search="asylum")] == [
            "Asylum processing rule"]
        proc.terminate()  # as systemctl stop does: Datasette stops with the command
        assert proc.wait(timeout=20) == 0
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_datasette_missing_is_one_line(tmp_path, monkeypatch):
    import importlib.util

    from click.testing import CliRunner

    from monitor.cli import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "datasette" else real(name, *a))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "datasette"])
    assert result.exit_code == 1
    assert result.output == ("Error: Datasette is not installed: "
                             "pip install 'policy-monitor[datasette]'\n")

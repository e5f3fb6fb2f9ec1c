"""The Federal Register through its JSON API, against a loopback server that answers like it."""

import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor import federal_register as fr
from monitor.config import ConfigError, load_sources
from monitor.digest import collect, iso_week, publish, render
from monitor.fetch import Fetcher
from monitor.pipeline import run_cycle
from monitor.sampleserver import FederalRegisterAPI, SiteServer
from monitor.store import Store

TODAY = date.today()
DHS = {"raw_name": "DEPARTMENT OF HOMELAND SECURITY", "name": "Homeland Security Department",
       "id": 227, "parent_id": None, "slug": "homeland-security-department"}
FEMA = {"raw_name": "Federal Emergency Management Agency", "name": "Federal Emergency Management Agency",
        "id": 9, "parent_id": 227, "slug": "federal-emergency-management-agency"}


def document(number: str, published: date, *, title=None, type_="Notice", action="Notice.",
             abstract=None, effective=None, comments=None, correction=False, agencies=(DHS,)):
    return {
        "document_number": number, "type": type_, "action": action,
        "title": title or f"Notice {number} on visa processing procedures",
        "abstract": abstract or (f"Document {number} sets out how the Department will change "
                                 "the processing of certain applications."),
        "publication_date": published.isoformat(),
        "effective_on": effective.isoformat() if effective else None,
        "comments_close_on": comments.isoformat() if comments else None,
        "docket_ids": [f"DHS-{number}"], "regulation_id_numbers": [],
        "cfr_references": [{"title": 8, "part": 214}], "significant": None,
        "html_url": f"https://www.federalregister.gov/documents/{published:%Y/%m/%d}/{number}/x",
        "agencies": list(agencies), "correction": correction,
    }


def source_toml(base: str, **extra) -> str:
    lines = [f'{k} = {json.dumps(v)}' for k, v in extra.items()]
    return "\n".join(['[[source]]', 'name = "fr"', 'kind = "federal_register"',
                      f'url = "{base}/api/v1/documents.json"',
                      'agencies = ["homeland-security-department"]', 'delay = 0', *lines]) + "\n"


def crawl(tmp_path: Path, api: FederalRegisterAPI, **extra):
    with SiteServer(tmp_path, routes={"/api/v1/documents.json": api}) as server:
        config = tmp_path / "fr.toml"
        config.write_text(source_toml(server.base_url, **extra))
        store = Store(tmp_path / "monitor.db")
        with Fetcher() as fetcher:
            summary = run_cycle(store, load_sources(config), fetcher=fetcher)
        hits = dict(server.hits)
    return store, summary, hits


def stored(store: Store) -> dict[str, dict]:
    cursor = store.db.execute(
        "select f.*, d.label, d.title, d.url, d.version from federal_register_documents f "
        "join documents d on d.id = f.document_id")
    names = [c[0] for c in cursor.description]
    return {row[1]: dict(zip(names, row)) for row in cursor}


# -- the API client -----------------------------------------------------------------


def test_search_asks_for_every_field_by_name_and_partitions_by_date():
    source = load_sources_from_text(source_toml("https://www.federalregister.gov"))[0]
    url = fr.search_url(source, date(2024, 1, 1), date(2024, 12, 31))
    assert "fields%5B%5D=comments_close_on" in url and "fields%5B%5D=action" in url
    assert "conditions%5Bpublication_date%5D%5Bgte%5D=2024-01-01" in url
    assert "conditions%5Bagencies%5D%5B%5D=homeland-security-department" in url
    assert fr.split(date(2024, 1, 1), date(2024, 1, 10)) == [
        (date(2024, 1, 1), date(2024, 1, 5)), (date(2024, 1, 6), date(2024, 1, 10))]


def load_sources_from_text(text: str, tmp=None):
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        path.write_text(text)
        return load_sources(path)


@pytest.mark.parametrize("content, reason", [
    (b"<html>", "not JSON"),
    (b'{"errors": {"page": "too large"}}', "API error"),
    (b'{"count": "many", "results": []}', "without a count"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
])
def test_malformed_answers_are_errors(content, reason):
    with pytest.raises(fr.FederalRegisterError, match=reason):
        fr.parse_page(content)


def test_results_without_an_identity_or_a_web_address_are_skipped():
    good = document("2024-00001", date(2024, 1, 2))
    bad_url = document("2024-00002", date(2024, 1, 2)) | {"html_url": "javascript:alert(1)"}
    no_date = document("2024-00003", date(2024, 1, 2)) | {"publication_date": "soon"}
    page = fr.parse_page(json.dumps({"count": 3, "results": [good, bad_url, no_date, 7]}).encode())
    assert [d.document_number for d in page.documents] == ["2024-00001"]
    doc = page.documents[0]
    assert doc.cfr_references == ("8 CFR 214",) and doc.agencies == ("Homeland Security Department",)
    assert doc.url == "https://www.federalregister.gov/d/2024-00001"


@pytest.mark.parametrize("type_, action, title, correction, predicted, label", [
    ("Rule", "Final rule; correction.", "Asylum Procedures; Correction", True, "new_policy", "none"),
    ("Notice", "30-day notice.", "Agency Information Collection Activities; Form I-765", False,
     "new_policy", "none"),
    ("Notice", "Notice.", "Termination of the Designation of Haiti for Temporary Protected Status",
     False, "new_policy", "reversal"),
    ("Notice", "Notice.", "Extension of the Designation of Somalia for Temporary Protected Status",
     False, "none", "new_policy"),
    ("Proposed Rule", "Notice of proposed rulemaking.", "Changes to H-2B Visa Procedures", False,
     "none", "new_policy"),
    ("Rule", "Final rule; delay of effective date.", "Public Charge", False, "reversal", "reversal"),
    ("Rule", "Technical amendments.", "Change of Address for Filing", False, "none", "none"),
    ("Notice", "Notice.", "Meeting of the Homeland Security Advisory Council", False, "none", "none"),
])
def test_type_and_action_settle_what_they_can(type_, action, title, correction, predicted, label):
    assert fr.document_label(type_, action, title, correction, predicted) == label


@pytest.mark.parametrize("extra, problem", [
    ({"agencies": []}, "'agencies' must be a list"),
    ({"agencies": ["Homeland Security"]}, "'agencies' must be a list"),
    ({"agencies": ["homeland-security-department"], "document_types": ["RULES"]},
     "'document_types' must be a list of RULE"),
])
def test_configuration_mistakes_are_named(extra, problem):
    text = source_toml("https://www.federalregister.gov").replace(
        'agencies = ["homeland-security-department"]\n', "")
    text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra.items())
    with pytest.raises(ConfigError, match=problem.replace("[", r"\[")):
        load_sources_from_text(text)


def test_federal_register_keys_on_another_kind_are_refused():
    with pytest.raises(ConfigError, match="only for kind"):
        load_sources_from_text('[[source]]\nname = "x"\nkind = "html"\n'
                               'url = "https://www.dhs.gov/news"\nagencies = ["a"]\n')


# -- end to end through run_cycle --------------------------------------------------


def test_pages_through_next_page_url_and_stores_type_action_and_dates(tmp_path):
    start = TODAY - timedelta(days=20)
    docs = [document(f"2026-{i:05d}", start + timedelta(days=i % 20),
                     effective=TODAY + timedelta(days=10), comments=TODAY + timedelta(days=5))
            for i in range(250)]
    docs.append(document("2026-99999", start, agencies=(FEMA,)))  # another agency: not asked for
    store, summary, hits = crawl(tmp_path, FederalRegisterAPI(docs))
    report = summary.reports[0]
    assert report.error is None and report.pages == 3 and summary.total("new_documents") == 250
    rows = stored(store)
    assert len(rows) == 250 and "2026-99999" not in rows
    row = rows["2026-00007"]
    assert (row["type"], row["action"]) == ("Notice", "Notice.")
    assert row["effective_on"] == (TODAY + timedelta(days=10)).isoformat()
    assert row["comments_close_on"] == (TODAY + timedelta(days=5)).isoformat()
    assert json.loads(row["cfr_references"]) == ["8 CFR 214"]
    assert row["url"] == "https://www.federalregister.gov/d/2026-00007"
    assert store.db.execute("select count(*) from documents where label is null").fetchone()[0] == 0


def test_a_search_larger_than_the_result_window_is_split_by_date(tmp_path, monkeypatch):
    monkeypatch.setattr(fr, "MAX_RESULTS", 40)
    monkeypatch.setattr(fr, "PER_PAGE", 20)
    start = TODAY - timedelta(days=9)
    docs = [document(f"2026-{i:05d}", start + timedelta(days=i % 10)) for i in range(130)]
    store, summary, _ = crawl(tmp_path, FederalRegisterAPI(docs, window=40), lookback_days=9)
    assert summary.reports[0].error is None
    assert set(stored(store)) == {d["document_number"] for d in docs}


def test_more_documents_in_one_day_than_the_window_is_said(tmp_path, monkeypatch):
    monkeypatch.setattr(fr, "MAX_RESULTS", 10)
    monkeypatch.setattr(fr, "PER_PAGE", 5)
    docs = [document(f"2026-{i:05d}", TODAY) for i in range(14)]
    store, summary, _ = crawl(tmp_path, FederalRegisterAPI(docs, window=10), lookback_days=1)
    report = summary.reports[0]
    assert len(stored(store)) == 10
    assert any("14 documents in one day" in f for f in report.failures)


def test_429_with_retry_after_is_waited_out(tmp_path):
    docs = [document("2026-00001", TODAY - timedelta(days=1))]
    store, summary, _ = crawl(tmp_path, FederalRegisterAPI(docs, rate_limited=1, retry_after="1"),
                              retries=2)
    assert summary.reports[0].error is None and len(stored(store)) == 1
    statuses = [r[0] for r in store.db.execute(
        "select status from fetches where url like '%documents.json%' order by id")]
    assert statuses == [429, 200]


def test_a_failing_api_fails_the_source_with_its_reason(tmp_path):
    store, summary, _ = crawl(tmp_path, FederalRegisterAPI([], rate_limited=5, retry_after="1"),
                              retries=0)
    assert "HTTP 429" in summary.reports[0].error or "429" in summary.reports[0].error


def test_next_runs_start_from_the_newest_document_and_keep_corrections(tmp_path):
    first_day = TODAY - timedelta(days=40)
    rule = document("2026-00100", first_day, type_="Proposed Rule",
                    action="Notice of proposed rulemaking.",
                    title="Changes to Employment Authorization Procedures",
                    comments=TODAY + timedelta(days=3))
    docs = [rule, document("2026-00101", TODAY - timedelta(days=2))]
    api = FederalRegisterAPI(docs)
    store, _, _ = crawl(tmp_path, api, lookback_days=60)
    assert set(stored(store)) == {"2026-00100", "2026-00101"}
    assert stored(store)["2026-00100"]["label"] == "new_policy"
    store.close()

    # After publication: the comment period is extended and a correction is published.
    rule["comments_close_on"] = (TODAY + timedelta(days=33)).isoformat()
    rule["publication_date"] = (TODAY - timedelta(days=1)).isoformat()  # re-indexed in range
    docs.append(document("2026-00102", TODAY, type_="Proposed Rule",
                         action="Proposed rule; correction.", correction=True,
                         title="Changes to Employment Authorization Procedures; Correction",
                         comments=TODAY + timedelta(days=33)))
    store, summary, hits = crawl(tmp_path, api, lookback_days=60)
    rows = stored(store)
    assert set(rows) == {"2026-00100", "2026-00101", "2026-00102"}
    assert rows["2026-00100"]["comments_close_on"] == (TODAY + timedelta(days=33)).isoformat()
    assert rows["2026-00100"]["version"] == 1  # same abstract: no new version
    assert rows["2026-00102"]["label"] == "none"
    since = (TODAY - timedelta(days=2 + fr.OVERLAP_DAYS)).isoformat()
    searched = [p for p in hits if "documents.json" in p]
    assert searched and all(f"gte%5D={since}" in p for p in searched)
    assert store.db.execute("select count(*) from documents").fetchone()[0] == 3 + 5  # + baseline


# -- the digest --------------------------------------------------------------------


def test_digest_lists_what_takes_effect_and_closes_within_30_days_never_the_past(tmp_path):
    docs = [
        document("2026-00001", TODAY - timedelta(days=3), title="Rule Taking Effect Soon",
                 type_="Rule", action="Final rule.", effective=TODAY + timedelta(days=4)),
        document("2026-00002", TODAY - timedelta(days=3), title="Rule That Took Effect",
                 type_="Rule", action="Final rule.", effective=TODAY - timedelta(days=1)),
        document("2026-00003", TODAY - timedelta(days=3), title="Rule Effective Next Quarter",
                 type_="Rule", action="Final rule.", effective=TODAY + timedelta(days=60)),
        document("2026-00004", TODAY - timedelta(days=3), title="Proposal <script>x</script>",
                 type_="Proposed Rule", action="Proposed rule.", comments=TODAY),
        document("2026-00005", TODAY - timedelta(days=2), title="Rule Taking Effect Soon; Correction",
                 type_="Rule", action="Final rule; correction.", correction=True,
                 effective=TODAY + timedelta(days=4)),
    ]
    store, _, _ = crawl(tmp_path, FederalRegisterAPI(docs))
    data = collect(store, iso_week(TODAY.strftime("%G-W%V")), today=TODAY)
    assert [d["title"] for d in data["taking_effect"]] == ["Rule Taking Effect Soon"]
    assert [d["document_number"] for d in data["comments_closing"]] == ["2026-00004"]
    assert data["comments_closing"][0]["in_days"] == 0
    html, text = render(data)
    assert 'id="taking-effect"' in html and 'id="comments-closing"' in html
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert "Rule That Took Effect" not in html.split('id="taking-effect"')[1]
    assert f"Takes effect {(TODAY + timedelta(days=4)).isoformat()}: Rule Taking Effect Soon" in text
    assert "COMMENTS CLOSING (Federal Register" in text

    later = collect(store, iso_week(TODAY.strftime("%G-W%V")), today=TODAY + timedelta(days=5))
    assert later["taking_effect"] == [] and later["comments_closing"] == []

    out = tmp_path / "digests"
    publish(store, iso_week(TODAY.strftime("%G-W%V")), out)
    atom = (out / "changes.atom").read_text()
    assert "Takes effect" in atom and "#taking_effect-" in atom and "Comments close" in atom


def test_demo_shows_both_sections_through_the_cli(tmp_path):
    result = subprocess.run([sys.executable, "-m", "monitor", "demo", "--port", "0"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    html = next((tmp_path / "state" / "demo-digests").glob("*-W*.html")).read_text()
    assert 'id="taking-effect"' in html and 'id="comments-closing"' in html
    with sqlite3.connect(tmp_path / "state" / "demo.db") as db:
        types = {r[0] for r in db.execute("select type from federal_register_documents")}
    assert {"Rule", "Proposed Rule", "Notice"} <= types

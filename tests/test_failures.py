"""Articles that fail are on the record: a `failures` row each, retried with backoff, given up
on with a reason, and shown by `sources`, the digest and Datasette's canned query."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from monitor import digest as digests
from monitor.cli import cli
from monitor.config import load_sources
from monitor.pipeline import run_cycle
from monitor.sampleserver import SiteServer
from monitor.store import FAILURE_MAX_ATTEMPTS, FAILURE_RETRY_FIRST, Store
from sites import dhs_listing, dhs_release

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
#: ASCII bytes declaring UTF-16: browsers ignore such a declaration and read UTF-8.
UTF16_META = ("<!DOCTYPE html><html><head><meta charset=\"utf-16\"><title>x</title></head>"
              "<body><main><article><h1>DHS Ends the Parole Program for Four Countries</h1>"
              "<p>The Department of Homeland Security announced the termination of the parole "
              "program for nationals of four countries.</p><p>Parole granted before the notice "
              "ends on its own terms.</p></article></main></body></html>").encode("ascii")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "release").mkdir(parents=True)
    (root / "release" / "fine").write_text(dhs_release(
        "DHS Extends TPS for Haiti", "2024-03-08T12:00:00-05:00",
        ["The Department announced an 18-month extension of Temporary Protected Status for Haiti."]))
    (root / "news").write_text(dhs_listing([
        ("/release/fine", "DHS Extends TPS for Haiti", "2024-03-08T12:00:00-05:00"),
        ("/release/picture", "A picture", "2024-03-07T12:00:00-05:00"),
        ("/release/empty", "Nothing", "2024-03-06T12:00:00-05:00"),
        ("/release/utf16", "DHS Ends the Parole Program", "2024-03-05T12:00:00-05:00"),
        ("/release/gone", "Gone", "2024-03-04T12:00:00-05:00"),
    ], None))
    answers = {"/release/picture": (200, PNG, "image/png"), "/release/empty": (200, b"", "text/html"),
               "/release/utf16": (200, UTF16_META, "text/html")}

    def route(path):
        def answer(handler):
            handler.send_body(*answers[path])
        return answer

    with SiteServer(root, routes={path: route(path) for path in answers}) as server:
        config = tmp_path / "sources.toml"
        config.write_text(f'[[source]]\nname = "dhs"\nkind = "html"\nurl = "{server.base_url}/news"\n'
                          f'delay = 0\nretries = 0\n')
        server.config, server.answers = config, answers
        yield server


def failures(store) -> dict[str, dict]:
    cursor = store.db.execute("select * from failures")
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor]
    return {row["url"].rsplit("/", 1)[1]: row for row in rows}


def make_due(store) -> None:
    """As if the backoff had passed."""
    store.db.execute("update failures set next_attempt = '2000-01-01T00:00:00+00:00'"
                     " where next_attempt is not null")
    store.db.conn.commit()


def test_failed_articles_are_recorded_retried_with_backoff_and_given_up(site, tmp_path):
    store = Store(tmp_path / "monitor.db")
    sources = load_sources(str(site.config))
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run_cycle(store, sources)

    stored = dict(store.db.execute("select url, title from documents where source = 'dhs'"))
    assert stored == {f"{site.base_url}/release/fine": "DHS Extends TPS for Haiti",
                      f"{site.base_url}/release/utf16": "DHS Ends the Parole Program for Four Countries"}
    body = store.db.execute("select body from documents where url like '%utf16'").fetchone()[0]
    assert body.startswith("The Department of Homeland Security announced the termination")

    failed = failures(store)
    assert set(failed) == {"picture", "empty", "gone"}
    assert (failed["picture"]["stage"], failed["picture"]["reason"]) == (
        "extract", "not an HTML page (image/png)")
    assert (failed["empty"]["stage"], failed["empty"]["reason"]) == ("extract", "no article text found")
    assert (failed["gone"]["stage"], failed["gone"]["reason"]) == ("fetch", "HTTP 404")
    for row in failed.values():
        assert row["source"] == "dhs" and row["attempts"] == 1 and row["gave_up_at"] is None
        assert row["first_seen"] == row["last_seen"]
        wait = datetime.fromisoformat(row["next_attempt"]) - datetime.fromisoformat(row["last_seen"])
        assert wait == FAILURE_RETRY_FIRST and datetime.fromisoformat(row["last_seen"]) >= before
    assert store.db.execute("select count(*) from documents where label is null").fetchone()[0] == 0

    # The next run, an hour not yet passed: nothing is asked again.
    hits = dict(site.hits)
    run_cycle(store, sources)
    assert all(site.hits[f"/release/{name}"] == hits[f"/release/{name}"] for name in failed)

    # Once due, they are asked again although the listing answers 304; the backoff doubles.
    make_due(store)
    site.answers["/release/picture"] = (200, dhs_release(
        "Photos: Officers at the Border", "2024-03-07T12:00:00-05:00",
        ["Officers at the Laredo port of entry processed travelers over the holiday."]).encode(), "text/html")
    run_cycle(store, sources)
    assert site.hits["/news"] == hits["/news"] + 2 and site.hits["/release/gone"] == hits["/release/gone"] + 1
    failed = failures(store)
    assert failed["picture"]["resolved_at"] is not None and failed["picture"]["next_attempt"] is None
    assert store.db.execute("select title, published from documents where url like '%picture'"
                            ).fetchone() == ("Photos: Officers at the Border", "2024-03-07")
    for name in ("empty", "gone"):
        row = failed[name]
        assert row["attempts"] == 2
        wait = datetime.fromisoformat(row["next_attempt"]) - datetime.fromisoformat(row["last_seen"])
        assert wait == 2 * FAILURE_RETRY_FIRST

    # After the last attempt it is given up on, with the reason, and never asked again.
    for _ in range(FAILURE_MAX_ATTEMPTS - 2):
        make_due(store)
        run_cycle(store, sources)
    failed = failures(store)
    assert failed["gone"]["attempts"] == FAILURE_MAX_ATTEMPTS
    assert failed["gone"]["gave_up_at"] is not None and failed["gone"]["next_attempt"] is None
    asked = site.hits["/release/gone"]
    make_due(store)
    run_cycle(store, sources)
    assert site.hits["/release/gone"] == asked

    # sources, the digest and Datasette's query show them.
    store.close()
    result = CliRunner().invoke(cli, ["--config", str(site.config), "--db",
                                      str(tmp_path / "monitor.db"), "sources"])
    assert result.exit_code == 0, result.output
    assert "articles not stored: 0 being retried, 2 given up" in result.output
    store = Store(tmp_path / "monitor.db")
    today = date.today()
    data = digests.collect(store, digests.date_range(today - timedelta(days=1), today))
    shown = {a["url"].rsplit("/", 1)[1]: a for a in data["failed_articles"]}
    assert set(shown) == {"empty", "gone"} and shown["gone"]["reason"] == "HTTP 404"
    assert shown["gone"]["gave_up"] == today.isoformat()
    html, text = digests.render(data)
    assert "Articles not stored (2)" in html and f"{site.base_url}/release/gone" in html
    assert "ARTICLES NOT STORED (2)" in text and "fetch failed 6 times: HTTP 404" in text


def test_labels_left_behind_or_outdated_are_caught_up_by_the_next_run(site, tmp_path):
    """A run killed before classifying leaves documents unlabelled; a new classifier version
    leaves old labels: the next run labels both, a bounded batch at a time."""
    import json

    from monitor import pipeline
    from monitor.classify import CLASSIFIER_VERSION

    store = Store(tmp_path / "monitor.db")
    sources = load_sources(str(site.config))
    run_cycle(store, sources)
    labelled = dict(store.db.execute("select url, label from documents where source = 'dhs'"))
    links = store.db.execute("select count(*) from links").fetchone()[0]
    fine = f"{site.base_url}/release/fine"
    old_batch, pipeline.LABEL_CATCH_UP = pipeline.LABEL_CATCH_UP, 1
    try:
        store.db.execute("update documents set label = null, confidence = null")  # a killed run
        store.db.conn.commit()
        run_cycle(store, sources)
        assert store.db.execute("select count(*) from documents where label is null and "
                                "source != 'baseline'").fetchone()[0] == 1  # one a run
        run_cycle(store, sources)
        assert dict(store.db.execute("select url, label from documents where source = 'dhs'")
                    ) == labelled

        sid, evidence = store.db.execute(
            "select s.id, s.evidence from statements s join documents d on d.id = s.document_id"
            " where d.url = ?", [fine]).fetchone()
        store.db.execute("update statement_rows set evidence = ? where id = ?", [
            json.dumps(json.loads(evidence or "{}") | {"classifier": "an-older-one"}), sid])
        store.db.execute("update documents set classifier = 'an-older-one' where url = ?", [fine])
        store.db.conn.commit()
        run_cycle(store, sources)
    finally:
        pipeline.LABEL_CATCH_UP = old_batch
    assert dict(store.db.execute("select url, label from documents where source = 'dhs'")) == labelled
    assert store.db.execute("select count(*) from links").fetchone()[0] == links
    evidence = store.db.execute("select evidence from statements where id = ?", [sid]).fetchone()[0]
    # relabelled: the older version's name is gone, the version is its document's
    assert "classifier" not in json.loads(evidence or "{}")
    assert {c for (c,) in store.db.execute("select classifier from documents where source = 'dhs'")
            } == {CLASSIFIER_VERSION}

"""Schema migrations: a database written by an older policy-monitor upgrades in place."""

import sqlite3

import pytest
import sqlite_utils

from monitor.store import MIGRATIONS, Store, StoreError


def _database_at(path, version: int) -> None:
    db = sqlite_utils.Database(path)
    for number, migration in enumerate(MIGRATIONS[:version], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    db.close()


def test_version_2_database_gains_period_kinds_and_keeps_its_figures(tmp_path):
    path = tmp_path / "old.db"
    _database_at(path, 2)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "insert into statistics (document_id, metric, value, period, period_end) values (?, ?, ?, ?, ?)",
            [(1, "removals", 10.0, "2024-01", "2024-01-31"), (2, "removals", 20.0, "FY2024", "2024-09-30"),
             (3, "removals", 30.0, None, "2024-10-02"), (4, "removals", 40.0, "January", None)])
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    rows = store.db.execute("select value, period_kind from statistics order by value").fetchall()
    assert rows == [(10.0, "month"), (20.0, "fiscal year"), (30.0, "unspecified"), (40.0, "other")]
    indexes = {i.name for i in store.db["statistic_rows"].indexes}
    assert "idx_statistic_rows_series_period" in indexes  # what the previous figure is found by
    assert not any("metric" in name for name in indexes)  # unused: dropped
    store.close()
    _database_at(tmp_path / "v3.db", 3)
    assert "idx_statistics_statement_id" in {  # from v2, kept through v3's re-creation
        i.name for i in sqlite_utils.Database(tmp_path / "v3.db")["statistics"].indexes}
    assert Store(path).db.execute("select count(*) from statistics").fetchone()[0] == 4


def test_a_migration_cut_short_runs_again(tmp_path):
    """ALTER TABLE commits at once: a crash before user_version is set must not wedge the database."""
    path = tmp_path / "cut.db"
    _database_at(path, 2)
    with sqlite3.connect(path) as conn:
        conn.execute("insert into statistics (metric, value, period) values ('removals', 1.0, 'FY2024')")
        conn.execute("alter table statistics add column period_kind text")
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("select period_kind from statistics").fetchall() == [("fiscal year",)]


def test_version_3_figures_join_series_and_keep_their_values(tmp_path):
    path = tmp_path / "v3.db"
    _database_at(path, 3)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "insert into statistics (id, document_id, metric, value, period, period_kind, period_end,"
            " previous_id, previous_value) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(1, 1, "southwest border encounters", 100.0, "2024-05", "month", "2024-05-31", None, None),
             (2, 2, "southwest border encounters", 80.0, "2024-06", "month", "2024-06-30", 1, 100.0),
             (3, 3, "removals", 5.0, "FY2024", "fiscal year", "2024-09-30", None, 7.0)])
    store = Store(path)
    rows = store.db.execute("select id, metric, scope, value, period, series, previous_value, "
                            "previous_period, previous_source, role from statistics order by id").fetchall()
    assert rows == [
        (1, "encounters", "southwest border", 100.0, "2024-05",
         "encounters | southwest border | all | - | level | month", None, None, None, "reported"),
        (2, "encounters", "southwest border", 80.0, "2024-06",
         "encounters | southwest border | all | - | level | month", 100.0, "2024-05", "series", "reported"),
        (3, "removals", "", 5.0, "FY2024", "removals | - | all | - | level | fiscal year", 7.0, None,
         "release", "reported")]
    assert "idx_statistic_rows_series_period" in {i.name for i in store.db["statistic_rows"].indexes}
    store.close()
    Store(path).close()  # nothing left to migrate


def test_a_database_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "new.db"
    _database_at(path, len(MIGRATIONS))
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this policy-monitor"):
        Store(path)


def test_a_version_3_database_gets_its_policies_and_reversal_links_computed(tmp_path):
    """Upgrading computes what the stored documents do to which policy, and replaces a
    reverses link found by topic similarity with the one to what the reversal undoes."""
    path = tmp_path / "v3.db"
    _database_at(path, 3)
    docs = [
        (1, "Secretary announces the Migrant Protection Protocols", "2018-12-20", "new_policy",
         "The Secretary today announced the Migrant Protection Protocols.", "new_policy"),
        (2, "DHS ends catch and release", "2019-09-23", "reversal",
         "DHS will no longer release families at the border.", "reversal"),
        (3, "DHS terminates Remain in Mexico", "2021-06-01", "reversal",
         "The Secretary issued a memorandum terminating the Migrant Protection Protocols.", "reversal"),
    ]
    with sqlite3.connect(path) as conn:
        for doc_id, title, published, label, text, statement_label in docs:
            conn.execute("insert into documents (id, url, source, title, published, first_seen, "
                         "version, body, label) values (?, ?, 'dhs', ?, ?, ?, 1, ?, ?)",
                         [doc_id, f"https://dhs.gov/{doc_id}", title, published, published, text, label])
            conn.execute("insert into statements (document_id, version, seq, text, hash, "
                         "last_seen_version, label) values (?, 1, 0, ?, ?, 1, ?)",
                         [doc_id, text, str(doc_id), statement_label])
        conn.execute("insert into links (from_document_id, to_document_id, relation, score) "
                     "values (3, 2, 'reverses', 0.6)")  # the old, wrong, topic link
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("select from_document_id, to_document_id from links "
                            "where relation = 'reverses'").fetchall() == [(3, 1)]
    events = store.db.execute("select p.key, e.document_id, e.event, e.date from policy_events e "
                              "join policies p on p.id = e.policy_id where p.key = 'mpp' "
                              "order by e.date").fetchall()
    assert events == [("mpp", 1, "establish", "2018-12-20"), ("mpp", 3, "end", "2021-06-01")]
    store.close()


def _search(store: Store, table: str, query: str) -> list[int]:
    """Search as Datasette's default (escaped) mode does: each word quoted."""
    from datasette.utils import escape_fts

    return sorted(r[0] for r in store.db.execute(
        f"select rowid from {table}_fts where {table}_fts match ?", [escape_fts(query)]))


def test_fts_rebuilt_for_everyday_terms_and_kept_up_to_date(tmp_path):
    path = tmp_path / "old.db"
    _database_at(path, 3)  # FTS5 with the porter stemmer
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "insert into documents (id, url, source, first_seen, title, body) values (?, ?, ?, ?, ?, ?)",
            [(1, "u1", "s", "2026", "H-2B visas", "The U.S. Department terminates the cap."),
             (2, "u2", "s", "2026", "Title-42 ends", "Determination of résumé rules.")])
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert _search(store, "documents", "H-2B") == [1]
    assert _search(store, "documents", "U.S.") == [1]
    assert _search(store, "documents", "Title-42") == [2]
    assert _search(store, "documents", "terminat*") == [1]  # no stemmer cutting the prefix
    assert _search(store, "documents", "resume") == [2]
    assert _search(store, "documents", 'unbalanced "quote') == []  # no syntax error
    with store.db.conn:
        store.db.execute("update documents set title = 'Other', label = 'none' where id = 1")
        store.db.execute("delete from document_channels where document_id = 2")  # its rows first
        store.db.execute("delete from documents where id = 2")
    assert _search(store, "documents", "H-2B") == [] and _search(store, "documents", "other") == [1]
    assert _search(store, "documents", "Title-42") == []
    saved = store.save_document(source="s", url="u3", title="T", published=None, body="b",
                                statements=["USCIS opens H-2B filing."])
    assert _search(store, "statements", "H-2B") == saved.new_statement_ids


def _old_history(path) -> None:
    """A history as the release before compact storage left it: full evidence JSON on
    every statement, the body of every version (the current one too) in
    ``document_versions``, and labels, corrections, links, figures and policy events."""
    import json

    from monitor.classify import classify_document
    from monitor.store import _m_compact_storage, text_hash

    _database_at(path, MIGRATIONS.index(_m_compact_storage))
    db = sqlite_utils.Database(path)
    pages = [  # (title, [versions' statements])
        ("DHS terminates the Migrant Protection Protocols",
         [["The Secretary issued a memorandum terminating the Migrant Protection Protocols.",
           "Officers met with local leaders on Tuesday."],
          ["The Secretary issued a memorandum terminating the Migrant Protection Protocols.",
           "The termination takes effect immediately for new enrollments.",
           "Officers met with local leaders on Tuesday."]]),
        ("CBP Releases June 2024 Monthly Update",
         [["U.S. Border Patrol apprehended 83,536 people between ports of entry in June 2024.",
           "The Commissioner thanked the officers for their work."]]),
    ]
    with db.conn:
        for doc_id, (title, versions) in enumerate(pages, start=1):
            for version, statements in enumerate(versions, start=1):
                body = "\n\n".join(statements)
                seen = f"2026-0{version}-01T00:00:00+00:00"
                db["documents"].upsert({
                    "id": doc_id, "url": f"https://www.dhs.gov/news/{doc_id}", "source": "dhs",
                    "title": title, "published": "2026-01-01", "first_seen": "2026-01-01T00:00:00+00:00",
                    "last_changed": seen, "version": version, "body": body,
                    "body_hash": f"hash-{doc_id}-{version}", "event_id": 1}, pk="id")
                db["document_versions"].insert({
                    "document_id": doc_id, "version": version, "fetched_at": seen, "title": title,
                    "published": "2026-01-01", "body": body, "body_hash": f"hash-{doc_id}-{version}"})
                result = classify_document(title, statements, "2026-01-01")
                for seq, (text, labelled) in enumerate(zip(statements, result.statements)):
                    db.execute(
                        "insert into statements (document_id, version, seq, text, hash, first_seen,"
                        " last_seen_version, label, confidence, evidence) values (?, ?, ?, ?, ?, ?, ?,"
                        " ?, ?, ?) on conflict (document_id, hash) do update set last_seen_version ="
                        " excluded.last_seen_version",
                        [doc_id, version, seq, text, text_hash(text), seen, version,
                         labelled.label, labelled.confidence, json.dumps(labelled.evidence)])
            db.execute("update documents set label = ?, confidence = ?, classifier = ? where id = ?",
                       [result.label, result.confidence, result.statements[0].evidence["classifier"],
                        doc_id])
        db.execute("update statements set evidence = ? where id = 5",
                   [json.dumps({"source": "baseline label"})])  # a gold label's
        db["label_history"].insert({"kind": "document", "row_id": 1, "label": "none",
                                    "confidence": 0.4, "classifier": "cues-lr-knn-doc-2",
                                    "changed_at": "2026-03-01T00:00:00+00:00"})
        db["corrections"].insert({"document_id": 2, "url": "https://www.dhs.gov/news/2",
                                  "label": "statistic_update", "previous_label": "none",
                                  "note": "monthly figures", "corrected_at": "2026-03-02"})
        db["links"].insert({"from_document_id": 2, "to_document_id": 1, "relation": "same_event",
                            "score": 0.5, "created_at": "2026-03-03"})
        db["statistics"].insert({"document_id": 2, "statement_id": 4, "metric": "apprehensions",
                                 "value": 83536.0, "period": "June 2024", "period_kind": "month",
                                 "period_start": "2024-06-01", "period_end": "2024-06-30",
                                 "series": "apprehensions | - | all | USBP | level | month"})
        db["policies"].insert({"id": 1, "key": "mpp", "name": "Migrant Protection Protocols"})
        db["policy_events"].insert({"policy_id": 1, "document_id": 1, "statement_id": 1,
                                    "event": "end", "date": "2026-01-01"})
        db["document_channels"].insert_all([
            {"document_id": d, "source": "dhs", "url": f"https://www.dhs.gov/news/{d}",
             "first_seen": "2026-01-01T00:00:00+00:00"} for d in (1, 2)])
    db.close()


def _facts(path) -> dict:
    """Every row of every table, but the evidence (compared apart) and version bodies
    (read as the text of each version: its own body, or the document's for the current one)."""
    conn = sqlite3.connect(path)
    tables = [name for (name,) in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like '%fts%'"
        " and name not like 'sqlite_%'"
        " and name not in ('statement_rows', 'statistic_rows', 'series')")]  # read through views
    facts = {}
    for table in tables:
        columns = [c[1] for c in conn.execute(f'pragma table_info("{table}")')
                   if (table, c[1]) not in {("statements", "evidence"), ("statements", "rowid"),
                                            ("document_versions", "body")}]
        facts[table] = sorted(conn.execute(f'select {", ".join(columns)} from "{table}"').fetchall(),
                              key=repr)
    facts["version texts"] = conn.execute(
        "select v.id, coalesce(v.body, d.body) from document_versions v"
        " join documents d on d.id = v.document_id order by v.id").fetchall()
    facts["search"] = [conn.execute(f"select rowid from {table}_fts where {table}_fts match ?"
                                    " order by rowid", [words]).fetchall()
                       for table, words in (("statements", "termination"),
                                            ("documents", '"83,536 people"'))]
    assert all(facts["search"])
    conn.close()
    return facts


def test_compact_storage_keeps_every_fact_of_an_older_history(tmp_path):
    import json

    path = tmp_path / "old.db"
    _old_history(path)
    before = _facts(path)
    with sqlite3.connect(path) as conn:
        old_evidence = dict(conn.execute("select id, evidence from statements"))

    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    after = _facts(path)
    assert {table: after[table] for table in before} == before
    assert not any(after[table] for table in after.keys() - before.keys())  # later tables: empty
    assert before["version texts"][0][1] != before["version texts"][1][1]  # v1 is not v2
    conn = sqlite3.connect(path)
    bodies = dict(conn.execute("select id, body from document_versions"))
    assert bodies[1] is not None and bodies[2] is None and bodies[3] is None  # current: documents.body
    assert conn.execute("pragma freelist_count").fetchone()[0] == 0  # vacuumed
    kinds = set()
    for sid, label, evidence in conn.execute("select id, label, evidence from statements"):
        old, new = json.loads(old_evidence[sid]), json.loads(evidence)
        kinds.add(label if "classifier" in old else "gold")
        if "classifier" not in old:
            assert new == old  # a gold label's evidence stays as it was
            continue
        assert "classifier" not in new  # named once, by its document (documents.classifier)
        if label == "none":
            assert new == {}
        else:
            assert new["cues"] == {c["cue"]: c["match"] for c in old["cues"]} and new["cues"]
            assert len(evidence) < len(old_evidence[sid]) / 2
    assert kinds == {"gold", "none", "reversal", "statistic_update"}
    conn.close()
    # the next version of a page moves the current text into its version row
    store = Store(path)
    store.save_document(source="dhs", url="https://www.dhs.gov/news/2", title="CBP update",
                        published="2026-01-01", body="New text.", statements=["New text."])
    rows = store.db.execute("select version, body from document_versions where document_id = 2"
                            " order by version").fetchall()
    assert rows == [(1, "U.S. Border Patrol apprehended 83,536 people between ports of entry"
                        " in June 2024.\n\nThe Commissioner thanked the officers for their work."),
                    (2, None)]
    store.close()


def test_a_run_that_stores_a_large_part_of_the_history_leaves_it_compacted(tmp_path, monkeypatch):
    """A first crawl writes its indexes in scattered order: the run that stored it merges
    each full-text index into one segment and VACUUMs, and search still finds everything."""
    import monitor.store

    monkeypatch.setattr(monitor.store, "COMPACT_AFTER", 3)
    store = Store(tmp_path / "m.db")

    def crawl(n: int, start: int) -> None:
        run = store.start_run()
        for i in range(start, start + n):
            store.save_document(source="dhs", url=f"https://www.dhs.gov/news/{i}", title=f"T{i}",
                                published="2026-01-01", body=f"Release {i} about parole.",
                                statements=[f"Release {i} about parole."])
        store.finish_run(run, {"new_documents": n})

    def segments() -> list[int]:
        return [store.db.execute(f"select count(*) from {t}_fts_segdir").fetchone()[0]
                for t in ("documents", "statements")]

    crawl(2, 0)  # fewer than COMPACT_AFTER: left as written
    assert segments() == [2, 2]
    crawl(4, 2)  # four of six documents: compacted
    assert segments() == [1, 1]
    assert store.db.execute("pragma freelist_count").fetchone()[0] == 0
    assert len(_search(store, "statements", "parole")) == 6
    crawl(3, 6)  # three more into nine: a third, still compacted
    assert segments() == [1, 1]
    store.close()

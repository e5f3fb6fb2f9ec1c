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
    indexes = {i.name for i in store.db["statistics"].indexes}
    assert "idx_statistics_metric_period_kind_period_end" in indexes
    assert "idx_statistics_statement_id" in indexes  # from v2, kept through the re-creation
    store.close()
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
    assert "idx_statistics_series_period" in {i.name for i in store.db["statistics"].indexes}
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

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
    assert "idx_statistics_series_period_end" in {i.name for i in store.db["statistics"].indexes}
    store.close()
    Store(path).close()  # nothing left to migrate


def test_a_database_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "new.db"
    _database_at(path, len(MIGRATIONS))
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this policy-monitor"):
        Store(path)

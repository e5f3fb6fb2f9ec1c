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


def test_a_database_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "new.db"
    _database_at(path, len(MIGRATIONS))
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this policy-monitor"):
        Store(path)

"""The fault suite: `policy-monitor run` and `init` killed with SIGKILL at seeded random
points, then run normally; each trial must end exactly as an uninterrupted crawl does.

Two kinds of kill, both seeded: from inside, at the N-th SQL statement the process
starts (``POLICY_MONITOR_FAULT_KILL_AFTER``, so any commit boundary, any migration step
can be hit), and from outside, after a random delay. Figures (trials, seeds, kills,
recovered, seconds) are printed: ``pytest tests/test_faults.py -s``.
"""

from __future__ import annotations

import ctypes
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlite_utils

from faultsite import DOCUMENTS, build_fault_site, fault_sources
from monitor import store as store_module
from monitor.config import load_sources
from monitor.pipeline import run_cycle
from monitor.sampleserver import SiteServer
from monitor.store import KILL_AFTER_ENV, MIGRATIONS, Store, StoreError

SEED = 1313
CRAWL_STATEMENT_KILLS = 14
CRAWL_TIMED_KILLS = 10
MIGRATION_KILLS = 24  # half while creating the schema, half while upgrading a version-1 database
HALF_MADE_TRIALS = 6  # schema creations by an older, non-atomic release, cut short
PARALLEL = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("faultsite")
    assert build_fault_site(root) == DOCUMENTS
    with SiteServer(root) as server:
        config = root.parent / "fault-sources.toml"
        config.write_text(fault_sources(server.base_url))
        notices = root.parent / "fault-notices.toml"  # one feed of abstracts: a quick run
        notices.write_text(fault_sources(server.base_url, ["federal-register"]))
        server.config, server.notices = config, notices
        yield server


def cli(config, db, *command, env=None, kill_after: float | None = None, preexec_fn=None):
    """Run the real command line in the database's folder (where ``init`` writes its
    settings file); ``kill_after`` seconds later it is sent SIGKILL."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "--db", str(db), *command],
            stdout=out, stderr=err, text=True, env=os.environ | (env or {}),
            preexec_fn=preexec_fn, cwd=Path(db).parent)
        if kill_after is not None:
            try:
                process.wait(kill_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())


def snapshot(db) -> dict:
    """Everything a crawl decides, keyed by URL (row ids differ from run to run)."""
    conn = sqlite3.connect(db)
    url = dict(conn.execute("select id, url from documents"))
    documents = sorted(conn.execute(
        "select url, source, version, label, round(confidence, 6), title, published, body_hash"
        " from documents"))
    statements = sorted((url[d], h, v, seen, label, round(c, 6) if c is not None else None)
                        for d, h, v, seen, label, c in conn.execute(
                            "select document_id, hash, version, last_seen_version, label,"
                            " confidence from statements"))
    versions = sorted((url[d], v, h) for d, v, h in conn.execute(
        "select document_id, version, body_hash from document_versions"))
    links = sorted((url[a], url[b], r) for a, b, r in conn.execute(
        "select from_document_id, to_document_id, relation from links"))
    statistics = sorted((url[d], m, v, p, prev) for d, m, v, p, prev in conn.execute(
        "select document_id, metric, value, period, previous_value from statistics"))
    policy_events = sorted((key, url[d], event, day) for key, d, event, day in conn.execute(
        "select p.key, e.document_id, e.event, e.date from policy_events e"
        " join policies p on p.id = e.policy_id"))
    checks = {
        "integrity": conn.execute("pragma integrity_check").fetchone()[0],
        "fts": conn.execute("select count(*) from documents_fts where documents_fts match 'border'"
                            ).fetchone()[0],
        "unfinished": conn.execute("select count(*) from sources where unfinished_crawl is not null"
                                   ).fetchone()[0],
        "failures": conn.execute("select count(*) from failures").fetchone()[0],
        "duplicate_urls": conn.execute("select count(*) - count(distinct url) from documents"
                                       ).fetchone()[0],
        "queued": conn.execute("select (select count(*) from history_queue)"
                               " + (select count(*) from history_queue_policies)").fetchone()[0],
    }
    conn.close()
    return {"documents": documents, "statements": statements, "versions": versions,
            "links": links, "statistics": statistics, "policy_events": policy_events,
            "checks": checks}


def count_statements(work) -> int:
    """How many SQL statements ``work`` runs, counted by the kill hook's own trace."""
    seen = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KILL_AFTER_ENV, "1")
        patch.setattr(store_module, "_killer", lambda _n: seen.append)
        work()
    return len(seen)


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    """An uninterrupted crawl by the command line, and one in-process counting statements."""
    folder = tmp_path_factory.mktemp("reference")
    started = time.monotonic()
    result = cli(site.config, folder / "cli.db", "run")
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    expected = snapshot(folder / "cli.db")
    assert len(expected["documents"]) == DOCUMENTS + 5  # and the five baseline articles
    assert expected["checks"] == {"integrity": "ok", "fts": expected["checks"]["fts"],
                                  "unfinished": 0, "failures": 0, "duplicate_urls": 0,
                                  "queued": 0}
    assert expected["checks"]["fts"] > 0 and expected["links"] and expected["statistics"]
    assert expected["policy_events"]

    def crawl():
        store = Store(folder / "counted.db")
        run_cycle(store, load_sources(str(site.config)))
        store.close()

    statements = count_statements(crawl)
    assert snapshot(folder / "counted.db") == expected
    return {"snapshot": expected, "seconds": seconds, "statements": statements}


def normal_run(db, config) -> str | None:
    """A run in this process (no interpreter to start): None, or what went wrong."""
    try:
        store = Store(db)
        try:
            run_cycle(store, load_sources(str(config)))
        finally:
            store.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _crawl_trial(site, reference, folder, number: int, kill: dict) -> dict:
    """Kill a run, then complete it: by the command line after a timed kill, in process after
    a kill at a statement (the same ``run_cycle``, without starting an interpreter)."""
    db = folder / f"trial-{number}.db"
    started = time.monotonic()
    killed = cli(site.config, db, "run", **kill)
    if "kill_after" in kill:
        resumed = cli(site.config, db, "run")
        error = resumed.stderr.strip()[-300:] if resumed.returncode else None
    else:
        error = normal_run(db, site.config)
    return {"trial": number, "kill": kill.get("kill_after") and round(kill["kill_after"], 2)
            or f"statement {kill['env'][KILL_AFTER_ENV]}",
            "killed": killed.returncode == -signal.SIGKILL, "resume_error": error,
            "recovered": error is None and snapshot(db) == reference["snapshot"],
            "seconds": round(time.monotonic() - started, 2)}


def test_a_crawl_killed_anywhere_is_completed_by_the_next_run(site, reference, tmp_path):
    rng = random.Random(SEED)
    kills = [{"env": {KILL_AFTER_ENV: str(rng.randint(1, reference["statements"]))}}
             for _ in range(CRAWL_STATEMENT_KILLS)]
    kills += [{"kill_after": rng.uniform(0.3, reference["seconds"])}
              for _ in range(CRAWL_TIMED_KILLS)]
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = list(pool.map(lambda args: _crawl_trial(site, reference, tmp_path, *args),
                                 enumerate(kills)))
    seconds = time.monotonic() - started
    killed = sum(o["killed"] for o in outcomes)
    recovered = sum(o["recovered"] for o in outcomes)
    print(f"\nfault suite, crawl: seed {SEED}, {len(outcomes)} trials ({CRAWL_STATEMENT_KILLS} at a "
          f"seeded SQL statement of {reference['statements']}, {CRAWL_TIMED_KILLS} after a seeded "
          f"delay under {reference['seconds']:.1f} s), {killed} killed, {recovered} recovered "
          f"identical to the uninterrupted crawl, {seconds:.1f} s")
    for outcome in outcomes:
        print("  ", outcome)
    assert [o for o in outcomes if not o["recovered"]] == []
    assert all(o["killed"] for o in outcomes[:CRAWL_STATEMENT_KILLS])
    assert killed >= 20


#: Documents per commit while labelling and linking in the trials below: the fault site's
#: few dozen documents make several chunks of each step.
SMALL_CHUNK = 4
LINK_STATEMENT_KILLS = 12


def cli_in_chunks(config, db, *command, env=None):
    """The command line (in a new interpreter) labelling and linking ``SMALL_CHUNK`` documents
    per commit."""
    code = ("import sys; from monitor import history; history.CHUNK = int(sys.argv[1]); "
            "from monitor.cli import cli; cli.main(sys.argv[2:], prog_name='policy-monitor')")
    return subprocess.run(
        [sys.executable, "-c", code, str(SMALL_CHUNK), "--config", str(config), "--db", str(db),
         *command], capture_output=True, text=True, env=os.environ | (env or {}), timeout=300)


def _link_trial(site, reference, folder, number: int, kill_at: int) -> dict:
    db = folder / f"link-{number}.db"
    killed = cli_in_chunks(site.config, db, "run", env={KILL_AFTER_ENV: str(kill_at)})
    conn = sqlite3.connect(db)
    labelled, settled, queued = conn.execute(
        "select (select count(*) from documents where label is not null and source != 'baseline'),"
        " (select count(*) from documents where classifier is not null and source != 'baseline'),"
        " (select count(*) from history_queue)").fetchone()
    conn.close()
    error = normal_run(db, site.config)
    return {"statement": kill_at, "killed": killed.returncode == -signal.SIGKILL,
            "labelled_at_kill": labelled, "settled_at_kill": settled, "queued_at_kill": queued,
            "resume_error": error, "recovered": error is None and snapshot(db) == reference["snapshot"]}


def test_labelling_and_linking_killed_at_any_chunk_are_completed_by_the_next_run(
        site, reference, tmp_path, monkeypatch):
    """Labels and links are committed a chunk at a time (``history.link_queued``): a run
    killed at a seeded SQL statement after its crawl leaves what it labelled and linked so
    far, and the next run goes on from there to the same labels, links, policy events and
    figures as an uninterrupted run. Chunk size changes nothing either."""
    from monitor import history, pipeline
    from monitor.cli import cli as main

    monkeypatch.setattr(history, "CHUNK", SMALL_CHUNK)
    seen, seen_at_labelling = [], []  # SQL statements run, and how many before labelling
    classify = pipeline.classify_documents

    def counted_classify(*args, **kwargs):
        seen_at_labelling.append(len(seen))
        return classify(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:  # the command line, counting in this process
        patch.setenv(KILL_AFTER_ENV, "1")
        patch.setattr(store_module, "_killer", lambda _n: seen.append)
        patch.setattr(pipeline, "classify_documents", counted_classify)
        main.main(["--config", str(site.config), "--db", str(tmp_path / "counted.db"), "run"],
                  standalone_mode=False)
    assert snapshot(tmp_path / "counted.db") == reference["snapshot"]  # chunk size: no matter
    start, total = seen_at_labelling[0], len(seen)
    kills = sorted(random.Random(SEED).sample(range(start + 1, total), LINK_STATEMENT_KILLS))
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = list(pool.map(lambda args: _link_trial(site, reference, tmp_path, *args),
                                 enumerate(kills)))
    print(f"\nfault suite, labelling and linking: seed {SEED}, {len(outcomes)} kills at a seeded "
          f"SQL statement between {start} and {total} (chunks of {SMALL_CHUNK} documents), "
          f"{sum(o['recovered'] for o in outcomes)} recovered identical to the uninterrupted "
          f"run, {time.monotonic() - started:.1f} s")
    for outcome in outcomes:
        print("  ", outcome)
    assert all(o["killed"] and o["recovered"] for o in outcomes), outcomes
    # Every document stored reads with a label from the crawl on; killed part-way, a run has
    # kept the chunks it linked, the rest still queued.
    assert all(o["labelled_at_kill"] == DOCUMENTS for o in outcomes)
    assert any(0 < o["queued_at_kill"] < DOCUMENTS for o in outcomes)


# --- schema creation and migrations ---------------------------------------------------------


def _version_1_database(path) -> None:
    """A database as the first release left it, with documents, statements and figures."""
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db["documents"].insert({"id": 1, "url": "http://127.0.0.1/fixture/1", "source": "dhs",
                            "title": "Fixture release on border figures", "version": 1,
                            "first_seen": "2024-01-01T00:00:00+00:00", "label": "statistic_update",
                            "body": "Border encounters were 10 in January."})
    db["statements"].insert({"document_id": 1, "version": 1, "seq": 0, "hash": "h1",
                             "text": "Border encounters were 10 in January.", "label": "none"})
    db["statistics"].insert({"document_id": 1, "statement_id": 1, "metric": "border encounters",
                             "value": 10.0, "period": "2024-01", "period_end": "2024-01-31"})
    db.close()


def forked_cli(config, db, *command, env: dict) -> int:
    """The command line in a forked copy of this process (no interpreter to start, so a
    kill costs milliseconds); returns the wait status. Only while no other thread of this
    process is inside SQLite: the trials that use it run one at a time."""
    from monitor.cli import cli as main

    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.chdir(Path(db).parent)  # init writes its settings file here, not in the checkout
            os.environ.update(env)
            main.main(["--config", str(config), "--db", str(db), *command], standalone_mode=False)
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


def _migration_trial(site, folder, number: int, fixture, kill_at: int) -> dict:
    db = folder / f"migrate-{number}.db"
    if fixture:
        shutil.copy(fixture, db)
    status = forked_cli(site.notices, db, "init", env={KILL_AFTER_ENV: str(kill_at)})
    outcome = {"trial": number, "from": "version 1" if fixture else "nothing",
               "statement": kill_at,
               "killed": os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
               "resume_error": normal_run(db, site.notices)}
    if outcome["resume_error"] is None:
        conn = sqlite3.connect(db)
        outcome |= {
            "version": conn.execute("pragma user_version").fetchone()[0],
            "integrity": conn.execute("pragma integrity_check").fetchone()[0],
            "notices": conn.execute("select count(*) from documents where source = 'federal-register'"
                                    ).fetchone()[0],
            "fixture_kept": conn.execute(
                "select count(*) from documents_fts where documents_fts match 'fixture'"
            ).fetchone()[0] == (1 if fixture else 0),
            "period_kind": conn.execute("select period_kind from statistics where document_id = 1"
                                        ).fetchall() == ([("month",)] if fixture else []),
        }
        conn.close()
        store = Store(db)
        outcome["schema"] = store.schema()
        store.close()
    return outcome


def test_schema_creation_and_migrations_killed_anywhere_leave_a_usable_database(site, tmp_path):
    fixture = tmp_path / "version-1.db"
    _version_1_database(fixture)
    create = count_statements(lambda: Store(tmp_path / "counted-new.db").close())
    shutil.copy(fixture, tmp_path / "counted-old.db")
    upgrade = count_statements(lambda: Store(tmp_path / "counted-old.db").close())
    expected_schema = Store(tmp_path / "counted-new.db").schema()
    rng = random.Random(SEED)
    trials = [(None, rng.randint(1, create)) for _ in range(MIGRATION_KILLS // 2)]
    trials += [(fixture, rng.randint(1, upgrade)) for _ in range(MIGRATION_KILLS - len(trials))]
    started = time.monotonic()
    outcomes = [_migration_trial(site, tmp_path, number, *trial)
                for number, trial in enumerate(trials)]
    seconds = time.monotonic() - started
    good = [o for o in outcomes if o["killed"] and o["resume_error"] is None
            and o["version"] == len(MIGRATIONS) and o["integrity"] == "ok" and o["notices"] == 3
            and o["fixture_kept"] and o["period_kind"] and o["schema"] == expected_schema]
    print(f"\nfault suite, migrations: seed {SEED}, {len(outcomes)} kills ({MIGRATION_KILLS // 2} "
          f"of {create} statements creating the schema, the rest of {upgrade} upgrading version 1 "
          f"to {len(MIGRATIONS)}), {len(good)} opened and completed by the next run, {seconds:.1f} s")
    for outcome in outcomes:
        print("  ", {k: v for k, v in outcome.items() if k != "schema"})
    assert len(good) == len(outcomes) == MIGRATION_KILLS


def _old_release_schema_creation(path, stop_after: int) -> None:
    """What a release before atomic migrations left when killed while creating the schema:
    each statement committed on its own, no version number."""
    calls = []

    def tracer(sql, params):
        calls.append(sql)
        if len(calls) > stop_after:
            raise KeyboardInterrupt  # stands in for the kill
    db = sqlite_utils.Database(path, tracer=tracer)
    db.execute("PRAGMA synchronous = OFF")  # quicker; each statement still commits on its own
    try:
        MIGRATIONS[0](db)
    except KeyboardInterrupt:
        pass
    db.close()


def test_a_half_made_database_from_an_older_release_is_rebuilt(tmp_path):
    total = []
    MIGRATIONS[0](sqlite_utils.Database(tmp_path / "count.db",
                                        tracer=lambda sql, _params: total.append(sql)))
    expected = Store(tmp_path / "fresh.db").schema()
    for stop in sorted(random.Random(SEED).sample(range(1, len(total)), HALF_MADE_TRIALS)):
        path = tmp_path / f"half-{stop}.db"
        _old_release_schema_creation(path, stop)
        assert sqlite3.connect(path).execute("pragma user_version").fetchone()[0] == 0
        store = Store(path)
        assert store.schema_version == len(MIGRATIONS) and store.schema() == expected, stop
        store.close()


def test_a_version_0_database_holding_data_is_refused_not_dropped(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table notes (text)")
        conn.execute("insert into notes values ('keep me')")
    with pytest.raises(StoreError, match="not a policy-monitor database"):
        Store(path)
    assert sqlite3.connect(path).execute("select text from notes").fetchall() == [("keep me",)]


def test_an_older_release_killed_inside_migration_2_is_repaired(tmp_path):
    """Migration 2 dropped a trigger and re-created it, each committed on its own."""
    path = tmp_path / "v1.db"
    _version_1_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute('drop trigger "documents_au"')
    store = Store(path)
    sql = store.db.execute("select sql from sqlite_master where name = 'documents_au'").fetchone()[0]
    assert 'AFTER UPDATE OF "title", "body" ON "documents"' in sql
    store.db.execute("update documents set body = 'Replaced text about deportations' where id = 1")
    store.db.conn.commit()
    assert store.db.execute("select count(*) from documents_fts where documents_fts match "
                            "'deportations'").fetchone()[0] == 1


def test_any_appended_migration_is_all_or_nothing(tmp_path, monkeypatch):
    """A migration committing by every means sqlite3 and sqlite-utils offer, then failing."""
    path = tmp_path / "m.db"
    Store(path).close()

    def careless(db):
        db["widgets"].create({"id": int, "name": str}, pk="id")
        db.conn.commit()
        with db.conn:
            db.conn.execute("insert into widgets (name) values ('a')")
        db.executescript("create table gadgets (x); insert into gadgets values (1);")
        db.conn.executescript("create index gadgets_x on gadgets (x);")
        db["widgets"].enable_fts(["name"], create_triggers=True)
        db["documents"].add_column("widget_id", int)
        raise RuntimeError("migration failed half-way")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, careless])
    with pytest.raises(RuntimeError, match="half-way"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("pragma user_version").fetchone()[0] == len(MIGRATIONS)
    names = {n for (n,) in conn.execute("select name from sqlite_master")}
    assert not names & {"widgets", "gadgets", "gadgets_x", "widgets_fts"}
    assert "widget_id" not in {c[1] for c in conn.execute("pragma table_info(documents)")}


# --- local faults: one line, a non-zero exit, a database the next run completes ---------------


def _without_root_powers():
    """Root ignores file permissions; drop that power (CAP_DAC_OVERRIDE and kin) for the child."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2, 3):  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop a capability")


def test_a_database_in_a_read_only_folder_is_one_line_and_unchanged(site, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    assert cli(site.notices, folder / "monitor.db", "init").returncode == 0
    before = (folder / "monitor.db").read_bytes()
    folder.chmod(0o555)
    try:
        result = cli(site.notices, folder / "monitor.db", "run", preexec_fn=_without_root_powers)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert "monitor.db.lock" in result.stderr and "Permission denied" in result.stderr
    assert (folder / "monitor.db").read_bytes() == before


def test_a_full_disk_is_one_line_and_the_next_run_completes_the_crawl(site, reference, tmp_path):
    db = tmp_path / "monitor.db"
    assert cli(site.notices, db, "init").returncode == 0
    limit = db.stat().st_size + 256_000  # the write-ahead log fills this mid-crawl

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = cli(site.config, db, "run", preexec_fn=small_disk)
    assert full.returncode == 1, full.stderr
    assert full.stderr.count("\n") == 1 and full.stderr.startswith("Error: database "), full.stderr
    assert "disk I/O error (is the disk full? the unfinished batch was rolled back" in full.stderr
    assert cli(site.config, db, "run").returncode == 0
    assert snapshot(db) == reference["snapshot"]


def test_a_database_locked_by_another_program_is_one_line(site, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from monitor.cli import cli as command

    db = tmp_path / "monitor.db"
    Store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("begin exclusive")
    monkeypatch.setattr(Store.__init__, "__defaults__", (0.2,))  # wait 0.2 s, not 30
    try:
        result = CliRunner().invoke(command, ["--config", str(site.notices), "--db", str(db), "run"])
    finally:
        holder.execute("rollback")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "database is locked" in result.output, result.output


def test_sqlite_reporting_a_full_database_is_one_line_and_nothing_is_half_stored(
        site, reference, tmp_path, monkeypatch):
    """SQLITE_FULL itself (a disk without space), made with max_page_count."""
    from click.testing import CliRunner

    from monitor.cli import Context
    from monitor.cli import cli as command

    db = tmp_path / "monitor.db"
    open_store = Context.store

    def small_store(self, **options):
        store = open_store(self, **options)
        pages = store.db.execute("pragma page_count").fetchone()[0]
        size = store.db.execute("pragma page_size").fetchone()[0]
        # 40 KB more than the empty schema: the crawl needs about 140 KB
        store.db.execute(f"pragma max_page_count = {pages + 40960 // size}")
        return store

    monkeypatch.setattr(Context, "store", small_store)
    result = CliRunner().invoke(command, ["--config", str(site.config), "--db", str(db), "run"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert "database or disk is full (free some space; the unfinished batch was rolled back" \
        in result.output
    monkeypatch.undo()
    assert normal_run(db, site.config) is None
    assert snapshot(db) == reference["snapshot"]

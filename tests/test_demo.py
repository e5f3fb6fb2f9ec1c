"""The README's first command: `policy-monitor demo` on the bundled sample, no network."""

import socket
import sqlite3
import subprocess
import sys
from datetime import date


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_runs_the_pipeline_and_writes_a_digest(tmp_path):
    port = str(free_port())
    result = subprocess.run([sys.executable, "-m", "monitor", "demo", "--port", port], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    week = date.today().strftime("%G-W%V")
    digest = tmp_path / "state" / "demo-digests" / f"{week}.html"
    assert f"Digest:   state/demo-digests/{week}.html" in result.stdout
    assert digest.exists() and (tmp_path / "state" / "demo-digests" / f"{week}.txt").exists()
    assert "Found in the archive" in result.stdout  # it says what it lists, and why
    assert not (tmp_path / "state" / "monitor.db").exists()  # the real history is untouched
    with sqlite3.connect(tmp_path / "state" / "demo.db") as db:
        sources = dict(db.execute("select source, count(*) from documents group by source"))
        unlabelled = db.execute("select count(*) from documents where label is null").fetchone()[0]
        failing = db.execute("select count(*) from sources where consecutive_failures > 0").fetchone()[0]
    assert sources["baseline"] == 5
    assert sources["sample-dhs-news"] >= 10 and sources["sample-uscis-news"] >= 3
    assert sources["sample-federal-register"] >= 2
    assert unlabelled == 0 and failing == 0
    html = digest.read_text()
    assert "New policies" in html or "New policy" in html
    # the reversal cards: what each undoes, its policy's timeline, both directions
    text = digest.with_suffix(".txt").read_text()
    mpp = text.split("* Secretary Mayorkas Terminates the Migrant Protection Protocols Program", 1)[1]
    mpp = mpp.split("\n* ", 1)[0]
    assert "Reverses: Secretary Nielsen Announces" in mpp
    assert "Timeline: Migrant Protection Protocols (Remain in Mexico)" in mpp
    assert [line.split()[:2] for line in mpp.splitlines() if line.startswith("    20")] == [
        ["2018-12-20", "announced:"], ["2021-06-01", "ended:"], ["2025-01-21", "reinstated:"]]
    assert "Reversed by: DHS Reinstates the Migrant Protection Protocols" in mpp
    el_salvador = next(card for card in text.split("\n* ")  # led by the DHS or the FR report
                       if "Timeline: Temporary Protected Status for El Salvador" in card)
    assert "The earlier announcement is not in the history." in el_salvador
    assert "Reverses:" not in el_salvador
    assert "Timeline: Migrant Protection Protocols (Remain in Mexico)" in html
    assert "Found in the archive" in html  # the sample's 2018-2025 releases, marked as such

    # another port (the usual answer to "port busy") is the same sample: nothing new
    again = subprocess.run([sys.executable, "-m", "monitor", "demo", "--port", str(free_port())],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "0 new document(s)" in again.stderr
    with sqlite3.connect(tmp_path / "state" / "demo.db") as db:
        assert db.execute("select count(*) from documents").fetchone()[0] == sum(sources.values())
        urls = [r[0] for r in db.execute("select url from documents where source not in "
                                         "('baseline', 'sample-federal-register')")]
    assert all(url.startswith("http://demo.invalid/") for url in urls)


def test_demo_with_its_own_database_writes_its_digest_beside_it(tmp_path):
    result = subprocess.run([sys.executable, "-m", "monitor", "--db", "other/x.db", "demo",
                             "--port", str(free_port())], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    week = date.today().strftime("%G-W%V")
    assert (tmp_path / "other" / "x-digests" / f"{week}.html").exists()
    assert not (tmp_path / "digests").exists() and not (tmp_path / "state").exists()


def test_demo_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = subprocess.run([sys.executable, "-m", "monitor", "demo", "--port", port],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"cannot serve the sample on 127.0.0.1:{port}" in result.stderr
    assert result.stderr.strip().count("\n") == 0

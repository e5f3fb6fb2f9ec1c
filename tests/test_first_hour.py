"""A new user's first hour: missing histories, mistyped paths, offline runs, starter files."""

from __future__ import annotations

import os
import pty
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = ROOT / "monitor" / "defaults"


def invoke(*args, cwd: Path | None = None):
    env = {"POLICY_MONITOR_SETTINGS": "", "POLICY_MONITOR_DB": ""}
    if cwd is None:
        return CliRunner().invoke(cli, list(args), env=env)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), env=env)
    finally:
        os.chdir(old)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- a history that is not there -------------------------------------------------
@pytest.mark.parametrize("command", [["digest"], ["reclassify"], ["datasette"],
                                     ["digest", "--week", "2026-W47"]])
def test_reading_a_missing_history_is_refused_and_creates_nothing(tmp_path, command):
    result = invoke("--db", str(tmp_path / "typo" / "monitr.db"), *command, cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'typo' / 'monitr.db'}: no such database; "
                             "`policy-monitor init` creates one (or check --db and the "
                             "settings' db)\n")
    assert list(tmp_path.iterdir()) == []  # no folder, no empty database, no digest


def test_a_path_through_a_file_says_so(tmp_path):
    (tmp_path / "somefile.toml").write_text("")
    for command in (["init"], ["digest"], ["reclassify"]):
        result = invoke("--config", str(tmp_path / "none"), "--db", "somefile.toml/x.db",
                        *command, cwd=tmp_path)
        assert result.exit_code == 1
        assert result.output == "Error: --db somefile.toml/x.db: somefile.toml is a file, not a folder\n"
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "x"\nkind = "feed"\nurl = "http://127.0.0.1:9/f"\n')
    result = invoke("--config", str(sources), "--db", "somefile.toml/x.db", "run", cwd=tmp_path)
    assert result.output == "Error: --db somefile.toml/x.db: somefile.toml is a file, not a folder\n"
    result = invoke("--db", str(tmp_path), "digest")
    assert result.output == f"Error: --db {tmp_path}: {tmp_path} is a folder, not a database file\n"


def test_digest_out_through_a_file_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    assert invoke("--db", str(tmp_path / "m.db"), "init", cwd=tmp_path).exit_code == 0
    result = invoke("--db", str(tmp_path / "m.db"), "digest", "--out", str(tmp_path / "notes.txt" / "d"))
    assert result.exit_code == 1
    assert result.output == (f"Error: --out {tmp_path / 'notes.txt' / 'd'}: "
                             f"{tmp_path / 'notes.txt'} is a file, not a folder\n")


def test_schema_needs_no_database(tmp_path):
    result = invoke("schema", cwd=tmp_path)
    assert result.exit_code == 0 and 'CREATE TABLE "documents"' in result.output
    assert list(tmp_path.iterdir()) == []


# -- init: starter sources and settings ------------------------------------------
def test_init_writes_starter_sources_and_settings_and_never_overwrites(tmp_path):
    result = invoke("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "feeds/: wrote 6 source files (cbp.toml, dhs.toml, federal-register.toml, ice.toml, "
        "news.toml, uscis.toml); `policy-monitor sources` lists them",
        "policy-monitor.toml: wrote the settings (database, digests, schedule, mail), commented"]
    for feed in (ROOT / "feeds").glob("*.toml"):
        assert (tmp_path / "feeds" / feed.name).read_text() == feed.read_text()
    listed = invoke("sources", cwd=tmp_path)
    assert listed.exit_code == 0 and "dhs-news" in listed.output
    (tmp_path / "feeds" / "dhs.toml").write_text("# mine\n")
    again = invoke("init", cwd=tmp_path)
    assert again.exit_code == 0
    assert again.output.splitlines()[1:] == ["feeds: already there, left as it is",
                                             "policy-monitor.toml: already there, left as it is"]
    assert (tmp_path / "feeds" / "dhs.toml").read_text() == "# mine\n"


def test_init_writes_the_settings_where_pointed_with_the_database_given(tmp_path):
    result = invoke("--settings", str(tmp_path / "etc" / "pm.toml"), "--db",
                    str(tmp_path / "data" / "h.db"), "--config", str(tmp_path / "src"), "init")
    assert result.exit_code == 0, result.output
    from monitor.settings import load_settings

    settings = load_settings(tmp_path / "etc" / "pm.toml", env={})
    assert settings.db == str(tmp_path / "data" / "h.db") and not settings.mail.configured
    assert (tmp_path / "src" / "uscis.toml").is_file()


def test_missing_sources_point_to_init(tmp_path):
    result = invoke("sources", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output == ("Error: feeds: no such configuration file or folder; "
                             "`policy-monitor init` writes the starter sources there\n")


def test_packaged_defaults_are_the_repository_files():
    """One content: the top-level files people read are the ones the package installs."""
    for feed in (ROOT / "feeds").glob("*.toml"):
        assert (DEFAULTS / "feeds" / feed.name).read_bytes() == feed.read_bytes()
    assert sorted(p.name for p in (DEFAULTS / "feeds").iterdir()) == sorted(
        p.name for p in (ROOT / "feeds").iterdir())
    assert (DEFAULTS / "datasette-metadata.yml").read_bytes() == (
        ROOT / "deploy" / "datasette-metadata.yml").read_bytes()
    assert (DEFAULTS / "policy-monitor.toml").read_bytes() == (
        ROOT / "policy-monitor.example.toml").read_bytes()


# -- run when the network is gone --------------------------------------------------
def _offline_config(tmp_path: Path, ports: list[int]) -> Path:
    config = tmp_path / "sources.toml"
    config.write_text("".join(
        f'[[source]]\nname = "s{n}"\nkind = "feed"\nurl = "http://127.0.0.1:{port}/feed.xml"\n'
        f"retries = 0\ndelay = 0\n" for n, port in enumerate(ports)))
    return config


def test_run_exits_3_when_every_source_failed_and_says_why_once(tmp_path):
    port = closed_port()
    config = _offline_config(tmp_path, [port])
    done = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "--db",
                           str(tmp_path / "m.db"), "run"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3
    assert done.stderr == (
        f"source s0 failed: feed http://127.0.0.1:{port}/feed.xml: cannot connect to "
        f"127.0.0.1:{port}: connection refused\n"
        "Error: every source failed (exit status 3)\n")


def test_run_strict_exits_3_when_any_source_failed(tmp_path, tmp_path_factory):
    from monitor.sampleserver import SiteServer

    site = tmp_path_factory.mktemp("site")
    (site / "feed.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel>'
                                   "<title>t</title></channel></rss>")
    with SiteServer(site) as server:
        config = _offline_config(tmp_path, [server.port, closed_port()])
        base = [sys.executable, "-m", "monitor", "--config", str(config), "--db",
                str(tmp_path / "m.db"), "run"]
        lenient = subprocess.run(base, capture_output=True, text=True, timeout=120)
        strict = subprocess.run([*base, "--strict"], capture_output=True, text=True, timeout=120)
    assert lenient.returncode == 0, lenient.stderr
    assert strict.returncode == 3 and "Error: 1 of 2 sources failed (exit status 3)" in strict.stderr


def test_on_a_terminal_each_failure_is_printed_once(tmp_path):
    port = closed_port()
    config = _offline_config(tmp_path, [port])
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "--db",
                             str(tmp_path / "m.db"), "run"], stdout=subprocess.DEVNULL,
                            stderr=child, stdin=subprocess.DEVNULL)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(main)
    text = output.decode()
    assert proc.returncode == 3
    assert text.count("connection refused") == 1, text
    assert "robots.txt" not in text


# -- smaller things ---------------------------------------------------------------
def test_extract_refuses_a_binary_file_in_one_line(tmp_path):
    binary = tmp_path / "program"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40)
    result = invoke("extract", str(binary))
    assert result.exit_code == 1
    assert result.output == f"Error: {binary}: not a web page or text file (binary data)\n"


def test_help_texts_have_no_rest_markup():
    for name, command in [("", cli), *cli.commands.items()]:
        text = invoke(*([name] if name else []), "--help").output
        assert "``" not in text, name


def test_evaluate_confusion_header_shows_whole_labels(capsys):
    from monitor.cli import _print_scores

    labels = ["new_policy", "none", "reversal", "statistic_update"]
    per_class = {label: {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1} for label in labels}
    _print_scores("t", {"macro_f1": 1.0, "accuracy": 1.0, "per_class": per_class,
                        "confusion": {g: {p: int(g == p) for p in labels} for g in labels}})
    header = capsys.readouterr().out.splitlines()[-5]
    assert header.split() == labels


def test_reclassify_prints_one_shape_of_summary(tmp_path):
    db = str(tmp_path / "m.db")
    assert invoke("--db", db, "init", cwd=tmp_path).exit_code == 0
    result = invoke("--db", db, "reclassify")
    assert result.exit_code == 0, result.output
    shape = re.compile(r"classifier \S+: \d+ documents, \d+ changed their label, \d+ statements, "
                       r"\d+ changed their label, \d+ figures, \d+ reversal links, "
                       r"\d+ same-event links\n")
    assert shape.fullmatch(result.output), result.output

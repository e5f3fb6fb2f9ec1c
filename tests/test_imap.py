"""A mailbox source over IMAP, against a real Dovecot on 127.0.0.1 with TLS."""

import imaplib
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from sites import govdelivery_bulletin, query, run_monitor, self_signed

FOLDER = "Press Releases"
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dovecot_config(home: Path, port: int, starttls_port: int) -> Path:
    """A private Dovecot: its own sockets, users and Maildirs in ``home``; IMAPS on
    ``port``, IMAP on ``starttls_port`` where a login needs STARTTLS first."""
    if os.getuid() == 0:  # Dovecot will not serve mail or logins as root
        users = {"login": "dovenull", "internal": "dovecot", "mail": "nobody"}
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        users = {"login": me, "internal": me, "mail": me}
    mail_user = pwd.getpwnam(users["mail"])
    (home / "passwd").write_text(f"alice:{{PLAIN}}{PASSWORD}::::::\n")
    (home / "mail").mkdir()
    os.chown(home / "mail", mail_user.pw_uid, mail_user.pw_gid)
    config = home / "dovecot.conf"
    config.write_text(f"""
base_dir = {home}/run
state_dir = {home}/run
instance_name = policy-monitor-test-{port}
protocols = imap
listen = 127.0.0.1
log_path = {home}/dovecot.log
ssl = required
ssl_cert = <{home}/cert.pem
ssl_key = <{home}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
default_login_user = {users['login']}
default_internal_user = {users['internal']}
first_valid_uid = {mail_user.pw_uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {home}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}/mail/%u
}}
mail_location = maildir:{home}/mail/%u
service imap-login {{
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
""")
    return config


@pytest.fixture
def dovecot(monkeypatch):
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
    if binary is None:
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (bash .ci/run does)")
    # Not under pytest's tmp_path: Dovecot's unprivileged processes must reach these files.
    home = Path(tempfile.mkdtemp(prefix="pm-dovecot-"))
    home.chmod(0o755)
    try:
        self_signed(home, "IP:127.0.0.1", monkeypatch)
        (home / "key.pem").chmod(0o600)
        port, starttls_port = _free_port(), _free_port()
        config = _dovecot_config(home, port, starttls_port)
        process = subprocess.Popen([binary, "-c", str(config), "-F"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log = (home / "dovecot.log").read_text() if (home / "dovecot.log").exists() else ""
                        pytest.fail(f"dovecot did not start: {process.stderr.read()!r} {log}")
                    time.sleep(0.1)
            monkeypatch.setenv("DHS_BULLETINS_PASSWORD", PASSWORD)
            yield SimpleNamespace(port=port, starttls_port=starttls_port,
                                  log=home / "dovecot.log")
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _client(port) -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ssl.create_default_context())
    client.login("alice", PASSWORD)
    return client


def _deliver(port, messages, flags=None):
    client = _client(port)
    client.create(f'"{FOLDER}"')
    for number, raw in enumerate(messages):
        flag = (flags or {}).get(number)
        client.append(f'"{FOLDER}"', flag, imaplib.Time2Internaldate(time.time()), raw)
    client.logout()


def _folder_state(port):
    """What a reader must not change: message count, UIDs and every message's flags."""
    client = _client(port)
    status = client.status(f'"{FOLDER}"', "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")[1][0]
    client.select(f'"{FOLDER}"', readonly=True)
    flags = client.uid("FETCH", "1:*", "(FLAGS)")[1]
    client.logout()
    return status, sorted(flags)


def _run(tmp_path, port, password_env="DHS_BULLETINS_PASSWORD", scheme="imaps"):
    (tmp_path / "sources.toml").write_text(f"""
[[source]]
name = "dhs-bulletins"
kind = "mailbox"
imap = "{scheme}://alice@127.0.0.1:{port}/Press%20Releases"
password_env = "{password_env}"
url = "https://www.dhs.gov/"
timeout = 10
""")
    return run_monitor(tmp_path, "run")


def _query(tmp_path, sql):
    return [tuple(row.values()) for row in query(tmp_path, sql)]


def test_imap_bulletins_are_read_over_tls_once_and_the_folder_is_left_as_it_was(tmp_path, dovecot):
    bulletins = [
        govdelivery_bulletin("DHS Announces New Processing Steps for Parole Requests",
                             "Wed, 20 Mar 2024 09:00:00 -0400",
                             ["The Department announced new processing steps for parole requests.",
                              "The new steps take effect on April 1, 2024."],
                             "https://www.dhs.gov/news/2024/03/20/new-parole-steps", "4c1"),
        govdelivery_bulletin("Secretary Visits Port of Entry in El Paso",
                             "Thu, 21 Mar 2024 16:00:00 -0400",
                             ["The Secretary visited the port of entry in El Paso."], None, "4c2"),
        govdelivery_bulletin("ICE Arrests Fugitive in Houston", "Fri, 22 Mar 2024 10:00:00 -0400",
                             ["Officers arrested a fugitive wanted for fraud in Houston."],
                             "https://www.dhs.gov/news/2024/03/22/ice-arrests-fugitive", "4c3"),
    ]
    _deliver(dovecot.port, bulletins, flags={1: r"(\Seen)", 2: r"(\Flagged)"})
    before = _folder_state(dovecot.port)

    result = _run(tmp_path, dovecot.port)
    assert result.returncode == 0 and "failed" not in result.stderr, result.stderr
    assert _folder_state(dovecot.port) == before  # unread stays unread, nothing flagged or deleted
    docs = _query(tmp_path, "select url, title, published from documents "
                            "where source = 'dhs-bulletins' order by published")
    assert docs == [
        ("https://www.dhs.gov/news/2024/03/20/new-parole-steps",
         "DHS Announces New Processing Steps for Parole Requests", "2024-03-20"),
        ("https://content.govdelivery.com/accounts/USDHS/bulletins/4c2",
         "Secretary Visits Port of Entry in El Paso", "2024-03-21"),
        ("https://www.dhs.gov/news/2024/03/22/ice-arrests-fugitive",
         "ICE Arrests Fugitive in Houston", "2024-03-22")]
    seen = _query(tmp_path, "select key from mailbox_seen order by key")
    validity = re.search(rb"UIDVALIDITY (\d+)", before[0]).group(1).decode()
    assert seen == [(f"imap:{validity}:{uid}",) for uid in (1, 2, 3)]

    again = _run(tmp_path, dovecot.port)  # nothing read twice
    assert again.returncode == 0, again.stderr
    assert _query(tmp_path, "select new_documents from runs order by id desc limit 1") == [(0,)]
    assert len(_query(tmp_path, "select * from mailbox_seen")) == 3

    _deliver(dovecot.port, [govdelivery_bulletin(
        "DHS Publishes Updated Detention Statistics", "Mon, 25 Mar 2024 10:00:00 -0400",
        ["ICE held 38,000 people in detention in March, up from 36,000 in February."],
        None, "4c4")])
    later = _folder_state(dovecot.port)
    assert _run(tmp_path, dovecot.port).returncode == 0
    assert _query(tmp_path, "select new_documents from runs order by id desc limit 1") == [(1,)]
    assert _folder_state(dovecot.port) == later


def test_a_missing_or_wrong_password_is_one_clear_failure(tmp_path, dovecot, monkeypatch):
    missing = _run(tmp_path, dovecot.port, password_env="NOT_SET_ANYWHERE")
    assert missing.returncode == 3  # the only source failed: every source did
    assert "every source failed (exit status 3)" in missing.stderr
    assert ("source dhs-bulletins failed: mailbox imaps://alice@127.0.0.1:"
            in missing.stderr)
    assert "environment variable NOT_SET_ANYWHERE (the IMAP password) is not set" in missing.stderr
    monkeypatch.setenv("DHS_BULLETINS_PASSWORD", "wrong")
    wrong = _run(tmp_path, dovecot.port)
    assert wrong.returncode == 3
    assert "source dhs-bulletins failed:" in wrong.stderr
    assert "AUTHENTICATIONFAILED" in wrong.stderr or "Authentication failed" in wrong.stderr
    assert _query(tmp_path, "select consecutive_failures from sources") == [(2,)]


def test_imap_without_the_s_upgrades_with_starttls(tmp_path, dovecot):
    _deliver(dovecot.port, [govdelivery_bulletin(
        "ICE Arrests Fugitive in Houston", "Fri, 22 Mar 2024 10:00:00 -0400",
        ["Officers arrested a fugitive wanted for fraud in Houston."],
        "https://www.dhs.gov/news/2024/03/22/ice-arrests-fugitive", "5d1")])
    result = _run(tmp_path, dovecot.starttls_port, scheme="imap")
    assert result.returncode == 0 and "failed" not in result.stderr, result.stderr
    assert _query(tmp_path, "select url from documents where source = 'dhs-bulletins'") == [
        ("https://www.dhs.gov/news/2024/03/22/ice-arrests-fugitive",)]
    logins = [line for line in dovecot.log.read_text().splitlines() if "Login: user=<alice>" in line]
    assert logins and all(", TLS," in line for line in logins)  # every login was encrypted

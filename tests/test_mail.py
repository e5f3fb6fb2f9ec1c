"""Digest mail through a real SMTP server on 127.0.0.1: content, headers, no resend, retry."""

from __future__ import annotations

import socket
import sqlite3
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from digest_data import WEEK, build_week
from sites import self_signed
from monitor.cli import cli
from monitor.mail import build_message, flush_outbox, header_text
from monitor.settings import MailSettings
from monitor.store import Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def week(tmp_path):
    build_week(tmp_path / "monitor.db")
    return tmp_path


def mail_digest(tmp_path, port, *extra):
    return CliRunner().invoke(cli, [
        "--db", str(tmp_path / "monitor.db"), "digest", "--week", WEEK,
        "--out", str(tmp_path / "digests"), "--email", "--smtp", f"127.0.0.1:{port}",
        "--mail-from", "monitor@example.org", "--mail-to", "ana@example.org",
        "--mail-to", "ben@example.org", *extra,
    ], env={"POLICY_MONITOR_SETTINGS": "", "POLICY_MONITOR_SMTP_SECURITY": "none"})


def outbox(tmp_path):
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from outbox order by recipient")]


def test_digest_mail_has_both_parts_headers_and_escaped_items(week):
    port = free_port()
    with SMTPServer(port) as server:
        result = mail_digest(week, port)
        assert result.exit_code == 0, result.output
        assert "mail: 2 sent, 0 failed" in result.output
    assert sorted(r for rcpt, _ in server.inbox.messages for r in rcpt) == [
        "ana@example.org", "ben@example.org"]
    rcpt, msg = server.inbox.messages[0]
    assert msg["To"] == rcpt[0]  # each recipient gets a message of their own
    assert msg["From"] == "monitor@example.org"
    assert msg["Subject"] == (f"Policy monitor {WEEK}, 5 documents: 2 reversals, 1 new policy, "
                              "1 statistic update")
    assert msg["Date"] and msg["Message-ID"].endswith("@example.org>")
    assert msg["Bcc"] is None and "victim@example.org" not in msg["To"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "DHS terminates the Migrant Protection Protocols" in text
    assert 'DHS ends <script>alert("x")</script> parole Bcc: victim@example.org' in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "<script" not in html
    assert "Asylum processing rule" in html and "45,000" in html
    assert "Baseline in week" not in html and "Baseline in week" not in text
    rows = outbox(week)
    assert [r["attempts"] for r in rows] == [1, 1] and all(r["sent_at"] for r in rows)


def test_a_sent_digest_is_never_sent_again(week):
    port = free_port()
    with SMTPServer(port) as server:
        assert mail_digest(week, port).exit_code == 0
        again = mail_digest(week, port)
        assert again.exit_code == 0, again.output
        assert "mail: 0 sent, 0 failed" in again.output
        store = Store(week / "monitor.db")
        settings = MailSettings(host="127.0.0.1", port=port, security="none",
                                sender="monitor@example.org", recipients=("ana@example.org",))
        assert flush_outbox(store, settings) == (0, 0)  # what `run` does
    assert len(server.inbox.messages) == 2


def test_a_digest_that_could_not_be_sent_is_sent_by_the_next_run(week):
    port = free_port()
    failed = mail_digest(week, port)  # nothing listens on the port yet
    assert failed.exit_code == 1
    assert "2 message(s) could not be sent" in failed.output
    rows = outbox(week)
    assert [r["sent_at"] for r in rows] == [None, None]
    assert all(r["attempts"] == 1 and f"127.0.0.1:{port}" in r["last_error"] for r in rows)
    assert (week / "digests" / f"{WEEK}.html").exists()  # the files do not wait for mail

    settings = MailSettings(host="127.0.0.1", port=port, security="none",
                            sender="monitor@example.org", recipients=())
    with SMTPServer(port) as server:
        store = Store(week / "monitor.db")
        assert flush_outbox(store, settings) == (2, 0)
        assert flush_outbox(store, settings) == (0, 0)
    assert sorted(m["To"] for _, m in server.inbox.messages) == ["ana@example.org",
                                                                 "ben@example.org"]
    assert all(m["Subject"].startswith(f"Policy monitor {WEEK}") for _, m in server.inbox.messages)
    rows = outbox(week)
    assert all(r["sent_at"] and r["attempts"] == 2 and r["last_error"] is None for r in rows)


def test_a_rerendered_unsent_digest_replaces_the_queued_copy(week):
    port = free_port()
    assert mail_digest(week, port).exit_code == 1
    store = Store(week / "monitor.db")
    with store.db.conn:
        store.db.execute("update documents set title = 'Corrected rule title' "
                         "where url = 'https://www.federalregister.gov/d/2026-1'")
    with SMTPServer(port) as server:
        assert mail_digest(week, port).exit_code == 0
    assert len(server.inbox.messages) == 2
    assert all("Corrected rule title" in m.get_body(("html",)).get_content()
               for _, m in server.inbox.messages)


def test_header_values_cannot_inject_headers():
    assert header_text("Weekly\r\nBcc: x@example.org\x00\u2028digest") == \
        "Weekly Bcc: x@example.org digest"
    msg = build_message(subject="A\nBcc: evil@example.org", sender="m@example.org",
                        recipient="r@example.org", text="t", html="<p>t</p>")
    assert msg["Bcc"] is None
    assert "\nBcc:" not in msg.as_string()
    assert msg["Subject"] == "A Bcc: evil@example.org"


def test_email_without_mail_settings_is_a_one_line_error(week):
    result = CliRunner().invoke(cli, ["--db", str(week / "monitor.db"), "digest", "--week", WEEK,
                                      "--out", str(week / "d"), "--email"],
                                env={"POLICY_MONITOR_SETTINGS": ""})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --email needs an SMTP host, a sender and a recipient: set [mail] in the "
        "settings file or pass --smtp, --mail-from and --mail-to"]


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that the client is told to trust."""
    return self_signed(tmp_path, "IP:127.0.0.1", monkeypatch)


def login_checker(logins: list):
    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)
    return authenticate


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login_with_the_password_from_the_environment(week, certificate, security,
                                                             monkeypatch):
    port, logins, inbox = free_port(), [], Inbox()
    if security == "ssl":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=certificate,
                                authenticator=login_checker(logins), auth_require_tls=False)
    else:
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=certificate,
                                require_starttls=True, authenticator=login_checker(logins),
                                auth_require_tls=True)
    (week / "settings.toml").write_text(f"""
[mail]
host = "127.0.0.1"
port = {port}
security = "{security}"
username = "monitor"
sender = "monitor@example.org"
recipients = ["ana@example.org"]
""")
    controller.start()
    try:
        def send(password):
            return CliRunner().invoke(cli, [
                "--settings", str(week / "settings.toml"), "--db", str(week / "monitor.db"),
                "digest", "--week", WEEK, "--out", str(week / "digests"), "--email"],
                env={"POLICY_MONITOR_SMTP_PASSWORD": password})
        refused = send("wrong")
        assert refused.exit_code == 1 and not inbox.messages
        assert "535" in outbox(week)[0]["last_error"]
        accepted = send("s3cret")
        assert accepted.exit_code == 0, accepted.output
    finally:
        controller.stop()
    assert logins[-1] == (b"monitor", b"s3cret")  # the password came from the environment
    assert {login for login in logins[:-1]} == {(b"monitor", b"wrong")}
    assert [m["To"] for _, m in inbox.messages] == ["ana@example.org"]

"""Digest delivery by SMTP through an outbox table, so nothing is lost or sent twice.

A digest is first queued: one ``outbox`` row per (digest, recipient), unique.
``flush_outbox`` then sends every row not yet sent and records ``sent_at`` right
after the server accepted it; a failure leaves the row with its error for the
next ``run``, ``digest --email`` or daemon cycle to retry. A row that was sent is
never touched again, so re-running a week never mails it twice.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from monitor.settings import MailSettings
from monitor.store import Store, utcnow

#: CR, LF and every other control or line-separator character.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SUBJECT_MAX = 200


def header_text(value: str) -> str:
    """Scraped text made safe for a header: one line, no control characters."""
    return " ".join(_UNSAFE.sub(" ", value).split())[:SUBJECT_MAX]


def build_message(*, subject: str, sender: str, recipient: str, text: str,
                  html: str) -> EmailMessage:
    """A multipart/alternative message: the plain-text twin first, HTML preferred."""
    msg = EmailMessage()
    msg["Subject"] = header_text(subject)
    msg["From"] = header_text(sender)
    msg["To"] = header_text(recipient)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def queue_digest(store: Store, *, digest: str, subject: str, text: str, html: str,
                 mail: MailSettings) -> None:
    """Queue ``digest`` for every recipient; a re-rendered digest replaces unsent copies."""
    now = utcnow()
    with store.db.conn:
        for recipient in mail.recipients:
            message = build_message(subject=subject, sender=mail.sender, recipient=recipient,
                                    text=text, html=html)
            store.db.execute(
                """insert into outbox (digest, recipient, subject, message, created_at, attempts)
                   values (?, ?, ?, ?, ?, 0)
                   on conflict (digest, recipient) do update
                   set subject = excluded.subject, message = excluded.message
                   where outbox.sent_at is null""",
                [digest, recipient, message["Subject"], message.as_string(), now],
            )


def _connect(mail: MailSettings) -> smtplib.SMTP:
    if mail.security == "ssl":
        smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        if mail.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if mail.username:
        smtp.login(mail.username, mail.password)
    return smtp


def _failed(store: Store, row_id: int, error: str) -> None:
    with store.db.conn:
        store.db.execute(
            "update outbox set attempts = attempts + 1, last_error = ? where id = ?",
            [header_text(error) or "unknown error", row_id],
        )


def flush_outbox(store: Store, mail: MailSettings) -> tuple[int, int]:
    """Send every unsent outbox row; returns (sent, failed). No-op without mail settings."""
    if not mail.host or not mail.sender:
        return 0, 0
    rows = store.db.execute(
        "select id, recipient, message from outbox where sent_at is null order by id"
    ).fetchall()
    if not rows:
        return 0, 0
    try:
        smtp = _connect(mail)
    except (OSError, smtplib.SMTPException) as exc:
        for row_id, _, _ in rows:
            _failed(store, row_id, f"{mail.host}:{mail.port}: {exc}")
        return 0, len(rows)
    sent = failed = 0
    with smtp:
        for row_id, recipient, raw in rows:
            msg = message_from_string(raw, policy=policy.default)
            msg.replace_header("Date", formatdate(localtime=True))
            try:
                smtp.send_message(msg, from_addr=mail.sender, to_addrs=[recipient])
            except (OSError, smtplib.SMTPException) as exc:
                _failed(store, row_id, str(exc))
                failed += 1
                continue
            with store.db.conn:
                store.db.execute(
                    "update outbox set sent_at = ?, attempts = attempts + 1, "
                    "last_error = null where id = ?", [utcnow(), row_id])
            sent += 1
    return sent, failed

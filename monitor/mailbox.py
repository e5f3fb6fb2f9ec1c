"""Press-release emails (GovDelivery bulletins) as a source, from a Maildir or over IMAP.

Agencies send every release to their subscribers, so a subscribed mailbox is a
channel that bot protection cannot close. The mailbox is only ever read: IMAP
folders are opened with EXAMINE and bodies fetched with BODY.PEEK (no flag, no
expunge), and a Maildir's files are read where they are (never moved from new/ to
cur/). What was read is remembered by the caller, per message: by UIDVALIDITY and
UID over IMAP, by file name in a Maildir, and by Message-ID in both.
"""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
import email.policy
import html
import imaplib
import json
import mailbox
import os
import re
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from monitor.config import Source, is_http_url
from monitor.store import release_title_key

#: Messages read per source and run; the rest wait for the next run.
MAX_MESSAGES_PER_RUN = 500
#: Hosts of the mailing service itself: their links are never a release's own page.
MAILER_HOSTS = ("govdelivery.com", "granicus.com", "lnks.gd", "public.govdelivery.com")
#: GovDelivery's "view it as a web page" copy of a bulletin.
BULLETIN_PAGE = re.compile(r"^https://content\.govdelivery\.com/accounts/[^/]+/bulletins/\w+")
#: A link that looks like a release on the agency's own site.
RELEASE_PATH = re.compile(r"/(news|newsroom|press|archive|releases?)/|/20\d\d/|release", re.I)
#: The mailing service's header and footer, dropped as a whole block.
BOILERPLATE = re.compile(
    r"manage (your )?subscriptions|unsubscribe|subscriber preferences|update your "
    r"subscriptions|this email was sent to|govdelivery|communications cloud|having trouble "
    r"viewing|view (it |this )?(email )?as a web ?page|you are subscribed to|"
    r"privacy policy|stay connected|share this bulletin|powered by|sign up for|"
    r"forward this (email|message)|questions\? contact us|"
    r"read (the|this) (full )?(press )?release", re.I)
#: Blocks longer than this are content that happens to mention a boilerplate phrase.
BOILERPLATE_MAX_CHARS = 400


class MailboxError(Exception):
    """The mailbox cannot be read (no such folder, login refused, no password)."""


@dataclass
class Message:
    #: "maildir:<name>" or "imap:<uidvalidity>:<uid>": what the store remembers as read.
    key: str
    message_id: str | None
    raw: bytes


@dataclass
class Bulletin:
    """One release as its email carries it, ready for ``analyse_article``."""

    url: str            # the release's page on the agency's site (canonical), if linked
    channel_url: str    # where this copy came from: the bulletin page, or mid:<message-id>
    title: str | None
    published: str | None
    html: bytes


# -- reading ------------------------------------------------------------------
def read_messages(source: Source, seen: set[str]) -> Iterator[Message]:
    """The messages of ``source``'s mailbox whose key is not in ``seen``; one whose
    Message-ID is (the folder's UIDVALIDITY changed, a file was renamed) is the caller's
    to skip and remember under its new key."""
    reader = _read_imap if source.imap else _read_maildir
    for count, message in enumerate(reader(source, seen), start=1):
        yield message
        if count >= MAX_MESSAGES_PER_RUN:
            return


def _message_id(raw: bytes) -> str | None:
    headers = email.message_from_bytes(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0],
                                       policy=email.policy.default)
    value = headers.get("message-id")
    return str(value).strip() or None if value else None


def _read_maildir(source: Source, seen: set[str]) -> Iterator[Message]:
    if not os.path.isdir(os.path.join(source.maildir, "new")):
        raise MailboxError(f"{source.maildir} is not a Maildir (no new/ folder): subscribe an "
                           "address and deliver its mail there (deploy/README.md)")
    folder = mailbox.Maildir(source.maildir, factory=None, create=False)
    for name in sorted(folder.iterkeys()):  # names start with the delivery time
        key = f"maildir:{name}"
        if key in seen:
            continue
        try:
            raw = folder.get_bytes(name)
        except (KeyError, OSError):
            continue  # moved or deleted by a mail client meanwhile: the next run sees it
        if len(raw) <= source.max_bytes:
            yield Message(key, _message_id(raw), raw)


def imap_parts(url: str) -> tuple[bool, str, str, int, str]:
    """(implicit TLS, user, host, port, folder) of imaps://USER@HOST[:PORT]/FOLDER."""
    parts = urlsplit(url)
    tls = parts.scheme == "imaps"
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return tls, unquote(parts.username or ""), parts.hostname or "", \
        parts.port or (993 if tls else 143), folder


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_imap(source: Source, seen: set[str]) -> Iterator[Message]:
    tls, user, host, port, folder = imap_parts(source.imap)
    password = os.environ.get(source.password_env)
    if not password:
        raise MailboxError(f"environment variable {source.password_env} (the IMAP password) "
                           "is not set")
    context = ssl.create_default_context()
    try:
        if tls:
            client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=source.timeout)
        else:
            client = imaplib.IMAP4(host, port, timeout=source.timeout)
            client.starttls(context)  # never a password in the clear
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"cannot connect to {host}:{port}: {exc}") from exc
    try:
        messages = _examine(client, user, password, folder, seen, source.max_bytes)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"{host}: {exc}") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    yield from messages


def _examine(client: imaplib.IMAP4, user: str, password: str, folder: str,
             seen: set[str], max_bytes: int) -> list[Message]:
    """Read the folder's unseen messages without changing it: EXAMINE, BODY.PEEK."""
    client.login(user, password)
    status, _ = client.select(_quoted(folder), readonly=True)  # readonly: EXAMINE
    if status != "OK":
        raise MailboxError(f"cannot open folder {folder!r}")
    validity = (client.response("UIDVALIDITY")[1] or [b"0"])[0].decode()
    status, data = client.uid("SEARCH", None, "ALL")
    uids = [u.decode() for u in (data[0] or b"").split()] if status == "OK" else []
    new = [u for u in uids if f"imap:{validity}:{u}" not in seen][:MAX_MESSAGES_PER_RUN]
    messages = []
    for uid in new:
        status, data = client.uid("FETCH", uid, "(RFC822.SIZE)")
        size = re.search(rb"RFC822\.SIZE (\d+)", data[0] or b"") if status == "OK" else None
        if size is None or int(size.group(1)) > max_bytes:
            continue
        status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((item[1] for item in data if isinstance(item, tuple)), None)
        if status == "OK" and raw:
            messages.append(Message(f"imap:{validity}:{uid}", _message_id(raw), raw))
    return messages


# -- understanding a bulletin -------------------------------------------------
def parse_bulletin(raw: bytes, site: str = "") -> Bulletin | None:
    """The release a bulletin carries, or None for a message with no text. Its canonical
    URL is its first link to a release on ``site``'s host (any .gov or .mil host when
    the source names no site)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown or broken charset
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/plain":
        content = "".join(f"<p>{html.escape(p)}</p>" for p in re.split(r"\n\s*\n", content))
    tree = LexborHTMLParser(content)
    links = [_unwrap(a.attributes.get("href") or "") for a in tree.css("a[href]")]
    page = next((u for u in links if BULLETIN_PAGE.match(u)), None)
    message_id = str(message.get("message-id") or "").strip().strip("<>")
    channel = page or "mid:" + (message_id or hashlib.sha256(raw).hexdigest()[:24])
    canonical = next((u for u in links if _release_link(u, site)), None)
    _drop_boilerplate(tree)
    title = _subject(message)
    for heading in tree.css("h1, h2, h3"):  # the title is the title, not a statement
        if release_title_key(heading.text()) == release_title_key(title):
            heading.decompose()
    body = tree.body.html if tree.body is not None else tree.html
    return Bulletin(url=canonical or channel, channel_url=channel,
                    title=title, published=_sent_on(message),
                    html=(body or "").encode("utf-8"))


def _subject(message) -> str | None:
    subject = " ".join(str(message.get("subject") or "").split())
    return subject or None


def _sent_on(message) -> str | None:
    """The day the bulletin was sent, in the sender's time zone (the agency's day)."""
    try:
        return parsedate_to_datetime(str(message.get("date"))).date().isoformat()
    except (TypeError, ValueError):
        return None


def _unwrap(href: str) -> str:
    """GovDelivery's click-tracking links (lnks.gd/l/<JWT>) carry the target in their
    payload: read it rather than ask the tracker."""
    href = href.strip()
    parts = urlsplit(href)
    if parts.hostname == "lnks.gd" and parts.path.startswith("/l/"):
        token = parts.path[3:].split(".")
        if len(token) >= 2:
            try:
                payload = json.loads(base64.urlsafe_b64decode(token[1] + "=" * (-len(token[1]) % 4)))
                target = payload.get("url") if isinstance(payload, dict) else None
            except (ValueError, binascii.Error):
                target = None
            if isinstance(target, str) and is_http_url(target):
                return target
    return href


def _release_link(url: str, site: str) -> bool:
    """A link to a release on the agency's site, not to the mailer, a social network or
    a site's front page."""
    if not is_http_url(url):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if site:
        if parts.netloc.lower() != urlsplit(site).netloc.lower():
            return False
    elif not (host.endswith(".gov") or host.endswith(".mil")):
        return False
    if any(host == h or host.endswith("." + h) for h in MAILER_HOSTS):
        return False
    return bool(RELEASE_PATH.search(parts.path)) and parts.path.strip("/").count("/") >= 1


def _drop_boilerplate(tree: LexborHTMLParser) -> None:
    """Remove the mailer's header and footer: each short block naming a subscription
    phrase goes whole (innermost first, so the release around it stays)."""
    for node in tree.css("style, script, head"):
        node.decompose()
    blocks = tree.css("p, li, td, div, span, font, table, center, h1, h2, h3, h4, h5, h6, a")
    for node in reversed(blocks):
        text = node.text(separator=" ", strip=True)
        if text and len(text) <= BOILERPLATE_MAX_CHARS and BOILERPLATE.search(text):
            node.decompose()

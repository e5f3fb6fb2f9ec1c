"""Builders for fixture sites shaped like dhs.gov and like ordinary news sites."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from pathlib import Path
from textwrap import dedent

import pytest

CHROME_TOP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Homeland Security</title>
<meta property="og:title" content="{title}">
</head><body>
<a class="usa-skipnav" href="#main-content">Skip to main content</a>
<header class="usa-header"><nav><ul>
<li><a href="/topics">Topics</a></li><li><a href="/news">News</a></li>
<li><a href="/about-dhs">About DHS</a></li></ul></nav></header>
<main id="main-content">"""
CHROME_BOTTOM = """</main>
<footer class="usa-footer"><p>Return to top</p><ul>
<li><a href="/topics">Topics</a></li><li><a href="/news">News</a></li>
<li><a href="/privacy">Privacy Policy</a></li></ul></footer></body></html>"""


def dhs_release(title: str, iso: str, paragraphs: list[str], topics=("Border Security",)) -> str:
    body = "".join(f"<p>{p}</p>" for p in
                   ["FOR IMMEDIATE RELEASE", "DHS Press Office, 202-282-8010", *paragraphs])
    tags = "".join(f'<li class="usa-tag">{t}</li>' for t in topics)
    return (CHROME_TOP.format(title=title) + dedent(f"""
        <div class="region-content"><article>
        <h1 class="page-title"><span>{title}</span></h1>
        <div class="node__meta">Release Date: <time datetime="{iso}">{iso[:10]}</time></div>
        <div class="field--name-body">{body}</div>
        <ul class="usa-collection__meta">{tags}</ul>
        <div class="share"><a href="https://twitter.com/share">Share</a></div>
        </article></div>""") + CHROME_BOTTOM)


def dhs_listing(rows: list[tuple[str, str, str]], next_href: str | None) -> str:
    """rows: (href, title, iso datetime)."""
    items = "".join(dedent(f"""
        <div class="news-updates views-row">
          <div class="news-updates-date-type"><time datetime="{iso}">{iso[:10]}</time>
            <span class="news-type"><a href="/news-type/press-release">Press Release</a></span></div>
          <h3 class="news-updates-title"><a href="{href}">{title}</a></h3>
        </div>""") for href, title, iso in rows)
    pager = (f'<nav class="usa-pagination"><a class="usa-pagination__next-page" '
             f'href="{next_href}">Next</a></nav>') if next_href else ""
    return CHROME_TOP.format(title="All News Updates") + items + pager + CHROME_BOTTOM


def news_article(title: str, date_text: str, paragraphs: list[str]) -> str:
    """A news site page: ads, newsletter box, related links around the story."""
    story = "".join(f"<p>{p}</p>" for p in paragraphs)
    return dedent(f"""<!doctype html><html><head><title>{title} - Daily Courier</title>
        <meta property="article:published_time" content="{date_text}"></head><body>
        <div class="topbar"><a href="/">Daily Courier</a> <a href="/subscribe">Subscribe</a></div>
        <div class="ad">Advertisement</div>
        <article><h1>{title}</h1><p class="byline">By Staff Writer</p>
        <div class="story-body">{story}
        <p>Sign up to receive our latest news!</p></div></article>
        <aside><h3>Related</h3><ul><li><a href="/x">Unrelated story about weather</a></li></ul></aside>
        <footer>Copyright 2025 Daily Courier. All rights reserved.</footer></body></html>""")


def rss(items: list[tuple[str, str, str, str]]) -> str:
    """items: (link, title, RFC 822 date, description)."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
        f"<description>{desc}</description></item>" for link, t, d, desc in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>News releases</title><link>http://example.invalid/</link>{entries}"
            "</channel></rss>")


RELEASES = [
    ("2019/01/24/migrant-protection-protocols", "Migrant Protection Protocols", "2019-01-24T09:00:00-05:00",
     ["Secretary Kirstjen Nielsen announced the implementation of the Migrant Protection Protocols.",
      "Certain foreign individuals entering the United States from Mexico will be returned to Mexico to wait for their immigration proceedings.",
      "\u201cThis is a vital step,\u201d Secretary Nielsen said."]),
    ("2021/06/01/termination-mpp", "Secretary Mayorkas Terminates MPP", "2021-06-01T10:00:00-04:00",
     ["Secretary Alejandro Mayorkas issued a memorandum terminating the Migrant Protection Protocols program.",
      "The Department will no longer enroll individuals in the program."]),
    ("2024/02/13/cbp-january-update", "CBP Releases January 2024 Monthly Update", "2024-02-13T11:00:00-05:00",
     ["U.S. Border Patrol encounters between ports of entry were 124,220 in January, down from 249,785 in December.",
      "CBP continues to enforce consequences for unlawful entry."]),
    ("2024/03/01/ice-arrests-gang-member", "ICE Arrests MS-13 Gang Member", "2024-03-01T08:00:00-05:00",
     ["Officers arrested a 32-year-old Salvadoran national and MS-13 gang member in Houston.",
      "He will remain in custody pending removal proceedings."]),
    ("2024/03/05/secretary-meets-partners", "Readout of Secretary Meeting with Partners", "2024-03-05T15:00:00-05:00",
     ["The Secretary met with regional partners to discuss migration management.",
      "They discussed shared responsibility in the region."]),
    ("2024/03/08/tps-haiti", "DHS Extends and Redesignates TPS for Haiti", "2024-03-08T12:00:00-05:00",
     ["The Department announced an 18-month extension and redesignation of Haiti for Temporary Protected Status.",
      "The redesignation takes effect on August 4, 2024."]),
    ("2024/03/12/seizure", "CBP Officers Seize Cocaine at Port", "2024-03-12T09:30:00-05:00",
     ["Officers at the Pharr port of entry seized 200 pounds of cocaine in a tractor-trailer.",
      "The case was turned over to Homeland Security Investigations."]),
]


def self_signed(folder: Path, name: str, monkeypatch) -> ssl.SSLContext:
    """A server context with a certificate for ``name`` ("IP:..." or "DNS:...") that
    clients in this process are told to trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name.split(':', 1)[1]}", "-addext", f"subjectAltName={name}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # what default contexts trust
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def touch_later(path: Path, seconds: int = 5) -> None:
    """Move a file's mtime forward so Last-Modified changes too."""
    stat = path.stat()
    os.utime(path, (stat.st_atime + seconds, stat.st_mtime + seconds))


def write_newsroom(root: Path, releases, *, listing: str, folder: str, per_page: int) -> None:
    """``releases`` (slug, title, iso, paragraphs), oldest first, under ``folder``/, and a
    listing of them newest first, paginated as dhs.gov's: ``listing``, ``listing?page=1``..."""
    rows = [(f"/{folder}/{slug}", title, iso) for slug, title, iso, _ in reversed(releases)]
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    for number, page_rows in enumerate(pages):
        name = listing if number == 0 else f"{listing}@page={number}"
        nxt = f"?page={number + 1}" if number + 1 < len(pages) else None
        (root / name).write_text(dhs_listing(page_rows, nxt))
    for slug, title, iso, paragraphs in releases:
        path = root / folder / slug
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dhs_release(title, iso, paragraphs))


def build_site(root: Path) -> dict:
    """A DHS-shaped newsroom over three listing pages, a feed, and a news story."""
    write_newsroom(root, RELEASES, listing="all-news-updates", folder="news", per_page=3)
    stories = root / "stories"
    stories.mkdir()
    (stories / "remain-in-mexico-ends.html").write_text(news_article(
        "Biden administration formally ends Remain in Mexico", "2021-06-02T08:00:00Z",
        ["The Department of Homeland Security formally ended the Migrant Protection Protocols on Tuesday.",
         "\u201cThis is long overdue,\u201d said an advocate with a migrant rights group.",
         "About 70,000 people were enrolled in the program since 2019."]))
    (stories / "tps-haiti.html").write_text(news_article(
        "Haitians in U.S. get 18 more months of protection", "2024-03-08T18:00:00Z",
        ["The administration extended Temporary Protected Status for Haiti for 18 months.",
         "Officials said conditions in Haiti remain dangerous."]))
    (root / "uscis-news.xml").write_text(rss([
        ("/stories/remain-in-mexico-ends.html", "Remain in Mexico ends", "Wed, 02 Jun 2021 08:00:00 GMT", "MPP ends."),
        ("/stories/tps-haiti.html", "TPS for Haiti", "Fri, 08 Mar 2024 18:00:00 GMT", "TPS extended."),
    ]))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    return {"releases": len(RELEASES), "stories": 2}


# -- bot protection and press-release emails ----------------------------------
#: An Akamai-style refusal, written with character references as Akamai writes it.
AKAMAI_DENIED = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    "You don't have permission to access \"http&#58;&#47;&#47;www&#46;example&#46;gov&#47;"
    "all&#45;news&#45;updates\" on this server.<P>\n"
    "Reference&#32;&#35;18&#46;2f0c1d17&#46;1764550000&#46;5a6b7c8d\n"
    "<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;2f0c1d17&#46;1764550000"
    "&#46;5a6b7c8d</P>\n</BODY>\n</HTML>\n")


def akamai_denied(handler) -> None:
    """A SiteServer route answering as an Akamai edge that keeps robots out."""
    handler.send_body(403, AKAMAI_DENIED.encode(), "text/html", {"Server": "AkamaiGHost"})


def tracking_link(target: str) -> str:
    """A GovDelivery-style click-tracking link whose JWT payload names the target."""
    import base64
    import json

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    payload = {"buletin_link_id": "103", "uri": "bp2:click", "url": target}
    return f"https://lnks.gd/l/{part({'alg': 'HS256'})}.{part(payload)}.c2lnbmF0dXJl"


def govdelivery_bulletin(title: str, sent: str, paragraphs: list[str], release_url: str | None,
                         number: str, recipient: str = "reporter@example.org") -> bytes:
    """A press-release email shaped like a GovDelivery bulletin: web-page link on top,
    the release, a tracked link to it, subscription footer. ``sent`` is an RFC 2822 date."""
    from email.message import EmailMessage

    page = f"https://content.govdelivery.com/accounts/USDHS/bulletins/{number}"
    story = "".join(f"<p>{p}</p>" for p in ["FOR IMMEDIATE RELEASE", *paragraphs])
    link = (f'<p><a href="{tracking_link(release_url)}">Read the release online</a></p>'
            if release_url else "")
    html_part = dedent(f"""<!DOCTYPE html><html><head><style>p {{margin:0}}</style></head><body>
        <table width="100%"><tr><td><p style="font-size:11px">Having trouble viewing this email?
        <a href="{page}">View it as a Web page</a>.</p></td></tr></table>
        <table width="600"><tr><td><img alt="U.S. Department of Homeland Security" src="https://content.govdelivery.com/logo.png"></td></tr>
        <tr><td><h1>{title}</h1>{story}{link}</td></tr></table>
        <table><tr><td><p>Stay connected: <a href="https://twitter.com/example">Twitter</a></p>
        <p>SUBSCRIBER SERVICES: <a href="https://public.govdelivery.com/accounts/USDHS/subscriber/edit">Manage Subscriptions</a> |
        <a href="https://public.govdelivery.com/accounts/USDHS/subscriber/one_click_unsubscribe">Unsubscribe All</a> | Help</p>
        <p>This email was sent to {recipient} using GovDelivery Communications Cloud on behalf of:
        U.S. Department of Homeland Security &middot; 245 Murray Lane SW &middot; Washington, DC 20528</p>
        </td></tr></table></body></html>""")
    message = EmailMessage()
    message["From"] = "U.S. Department of Homeland Security <dhs@public.govdelivery.com>"
    message["To"] = recipient
    message["Subject"] = title
    message["Date"] = sent
    message["Message-ID"] = f"<{number}@public.govdelivery.com>"
    message.set_content("\n\n".join([title, *paragraphs]))
    message.add_alternative(html_part, subtype="html")
    return bytes(message)


def write_maildir(folder: Path, messages: list[bytes]) -> list[Path]:
    """Deliver ``messages`` into a fresh Maildir's new/, as a delivery agent would."""
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    paths = []
    for number, raw in enumerate(messages):
        path = folder / "new" / f"17645{number:05d}.M{number}P1.testhost"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def website_and_bulletins(base: str, maildir: str, as_fallback: bool) -> str:
    """Sources for a DHS-shaped newsroom at ``base`` and its bulletins in ``maildir``;
    ``as_fallback``: the bulletins are read only while the newsroom is blocked."""
    fallback = '\nretries = 3\nfallbacks = ["dhs-bulletins"]' if as_fallback else ""
    disabled = "\nenabled = false" if as_fallback else ""
    return (f'[[source]]\nname = "dhs-news"\nkind = "html"\nurl = "{base}/all-news-updates"\n'
            f'delay = 0{fallback}\n\n[[source]]\nname = "dhs-bulletins"\nkind = "mailbox"\n'
            f'maildir = "{maildir}"\nurl = "{base}/"{disabled}\n')


def run_monitor(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``policy-monitor --config FOLDER/sources.toml --db FOLDER/monitor.db ARGS``."""
    import sys

    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(folder / "sources.toml"),
         "--db", str(folder / "monitor.db"), *args], capture_output=True, text=True, timeout=120)


def query(folder: Path, sql: str, params=()) -> list[dict]:
    """Rows of FOLDER/monitor.db as dicts."""
    import sqlite3

    with sqlite3.connect(folder / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]

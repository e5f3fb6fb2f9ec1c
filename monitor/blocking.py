"""Recognising a site's bot protection, and how long to leave the site alone after it.

A newsroom behind Akamai, Cloudflare and the like may answer an automated client
with an interstitial instead of the page: an HTTP 403, 429 or 503 whose body is the
vendor's "Access Denied" or challenge page. Retrying within minutes only confirms
the block, and a browser disguise is not an option (the User-Agent stays honest),
so the host is left alone for hours, doubling with each confirmation, and the
source's fallbacks (bulletin emails, feeds) are read instead.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

#: Statuses that bot protection answers with; other statuses are ordinary errors.
BLOCK_STATUSES = {403, 429, 503}
#: Only the start of a body is looked at: interstitials are small.
SNIFF_BYTES = 64_000
#: The first back-off, doubled with each probe that is blocked again, up to the cap.
FIRST_BACKOFF = timedelta(hours=6)
MAX_BACKOFF = timedelta(days=7)

# (vendor, pattern over the lower-cased start of the body). Each pattern is specific
# to the vendor's interstitial so a site's own "403 Forbidden" page is not mistaken.
_SIGNATURES = [
    ("Akamai", re.compile(r"access denied.{0,400}you don.t have permission to access"
                          r"|reference\s*#\d+\.[0-9a-f]+\.\d+\.[0-9a-f]+"
                          r"|errors\.edgesuite\.net", re.S)),
    ("Cloudflare", re.compile(r"<title>\s*just a moment\.\.\.|cf-chl|__cf_chl"
                              r"|cf-browser-verification|cdn-cgi/challenge-platform"
                              r"|attention required! \| cloudflare")),
    ("Imperva", re.compile(r"incapsula incident id|_incapsula_resource"
                           r"|request unsuccessful\. incapsula")),
    ("PerimeterX", re.compile(r"access to this page has been denied.{0,2000}(perimeterx|px-captcha|_px)"
                              r"|px-captcha|perimeterx", re.S)),
    ("DataDome", re.compile(r"captcha-delivery\.com|datadome")),
]
#: Response headers some vendors add to their block pages.
_HEADER_SIGNATURES = [("cf-mitigated", "Cloudflare"), ("x-datadome", "DataDome")]


def bot_protection(status: int | None, body: bytes, headers=None) -> str | None:
    """The vendor whose bot protection answered instead of the page, or None."""
    if status not in BLOCK_STATUSES:
        return None
    for header, vendor in _HEADER_SIGNATURES:
        if headers is not None and headers.get(header):
            return vendor
    # Akamai writes its page with character references ("Reference&#32;&#35;18&#46;...").
    text = html.unescape(body[:SNIFF_BYTES].decode("utf-8", errors="replace")).lower()
    for vendor, pattern in _SIGNATURES:
        if pattern.search(text):
            return vendor
    return None


def blocked_message(vendor: str) -> str:
    return f"blocked by the site's bot protection ({vendor})"


def backoff(strikes: int) -> timedelta:
    """How long to leave a host alone after its ``strikes``-th block in a row."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * (2 ** max(0, min(strikes - 1, 10))))


def backed_off_message(vendor: str, until: str) -> str:
    when = datetime.fromisoformat(until).strftime("%Y-%m-%d %H:%M UTC")
    return f"{blocked_message(vendor)}; not asked again before {when}"


def backed_off_until(store, sources) -> dict[str, dict]:
    """source name -> its host's ``blocked_hosts`` row, for sources still backed off."""
    from urllib.parse import urlsplit

    now = datetime.now(timezone.utc).isoformat()
    rows = {h: r for h, r in store.blocked_hosts().items() if r["blocked_until"] > now}
    return {s.name: rows[host] for s in sources
            if s.url and (host := urlsplit(s.url).netloc.lower()) in rows}

#!/usr/bin/env python3
"""Fetch benchmark: ``policy-monitor run`` against urlwatch on a 2,000-article loopback site.

    python benchmarks/fetch_benchmark.py [--articles 2000] [--no-urlwatch]

What it does (see benchmarks/README.md for the figures):

1. Generates, in a temporary folder, a DHS-shaped newsroom: listing pages
   ``all-news-updates``, ``all-news-updates?page=1``, ... (20 rows each, dhs.gov's
   markup and "next" link) and one release page per article under
   ``news/YYYY/MM/DD/slug-N`` (dhs.gov chrome, title, date, body of 6-10 varied
   paragraphs with quotes and figures, topic tags; ~8-15 KB each), plus robots.txt.
   The text comes from templates with seeded random choices, so runs are repeatable.
2. Serves it with ``monitor.sampleserver.SiteServer`` (ETag, Last-Modified, 304) in
   a separate process, so the server never competes with the tool under test for a
   GIL. The server counts requests, statuses and body bytes; both tools are measured
   by that same count.
3. Runs ``policy-monitor --config X --db Y run`` (one html source, delay 0 because
   the host is loopback) on an empty database (first crawl), then again (unchanged
   re-run), timing each subprocess with ``time.perf_counter``, and reads the stored
   documents, statements and the ``fetches`` log back from the database.
4. Runs urlwatch 2.29 (installed into its own venv on first use) over the same
   article URLs, first run then re-run, timed the same way.
5. Prints a table, the first-crawl speed ratio, and whether the re-run downloaded
   any article body.

Throughput is "articles covered per second": the number of articles (for urlwatch,
article URLs) divided by the wall-clock seconds of the whole command, start-up
included, for both tools and both runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

try:
    import resource
except ImportError:  # Windows
    resource = None
from datetime import date, timedelta
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ROWS_PER_PAGE = 20
URLWATCH_VERSION = "2.29"
DEFAULT_URLWATCH_VENV = HERE / ".urlwatch-venv"
SOURCE_NAME = "bench-dhs"
STATS_PATH = "/__bench/stats"

# ---------------------------------------------------------------------------
# 1. The site
# ---------------------------------------------------------------------------

COMPONENTS = [
    ("U.S. Customs and Border Protection", "CBP"),
    ("U.S. Immigration and Customs Enforcement", "ICE"),
    ("U.S. Citizenship and Immigration Services", "USCIS"),
    ("the Federal Emergency Management Agency", "FEMA"),
    ("the Transportation Security Administration", "TSA"),
    ("the Cybersecurity and Infrastructure Security Agency", "CISA"),
    ("the U.S. Coast Guard", "Coast Guard"),
    ("the U.S. Secret Service", "Secret Service"),
]
OFFICIALS = [
    ("Secretary of Homeland Security", "Kristi Noem"),
    ("Deputy Secretary", "Troy Edgar"),
    ("Assistant Secretary for Public Affairs", "Tricia McLaughlin"),
    ("CBP Commissioner", "Rodney Scott"),
    ("Acting ICE Director", "Todd Lyons"),
    ("USCIS Director", "Joseph Edlow"),
    ("TSA Administrator", "Ha Nguyen McNeill"),
    ("FEMA Senior Official", "David Richardson"),
]
TOPICS = [
    "Border Security", "Immigration Enforcement", "Citizenship and Immigration Services",
    "Cybersecurity", "Disaster Response", "Counterterrorism", "Transportation Security",
    "Maritime Security", "Trade and Travel", "Human Trafficking",
]
NEWS_TYPES = ["Press Release", "Statement", "Fact Sheet", "Readout", "Speech"]
PLACES = [
    "El Paso, Texas", "San Diego, California", "Tucson, Arizona", "Miami, Florida",
    "Laredo, Texas", "Detroit, Michigan", "Newark, New Jersey", "Chicago, Illinois",
    "Seattle, Washington", "Houston, Texas", "Buffalo, New York", "Nogales, Arizona",
]
THINGS = [
    "encounters at the southwest border", "pounds of fentanyl", "removals",
    "naturalization applications", "passengers screened", "criminal arrests",
    "visa overstay cases", "disaster assistance grants", "cyber incident reports",
    "cargo containers inspected", "migrants interdicted at sea", "asylum claims reviewed",
]
POLICY_NOUNS = [
    "interim final rule", "policy memorandum", "parole program", "enforcement priority",
    "registration requirement", "fee schedule", "screening procedure", "grant program",
    "Temporary Protected Status designation", "work authorization policy",
]
NEW_POLICY_VERBS = ["expands", "extends", "establishes", "introduces", "clarifies",
                    "strengthens"]
REVERSAL_VERBS = ["rescinds", "ends", "suspends", "terminates", "revokes", "replaces"]
#: What an article is about, with its share of the site. Most DHS releases report
#: operations, arrests and figures; a minority announce or undo a policy.
ARTICLE_KINDS = [("operation", 40), ("statistics", 20), ("statement", 15),
                 ("new_policy", 15), ("reversal", 10)]
POPULATIONS = [
    "applicants who entered without inspection", "employers of seasonal workers",
    "nationals of designated countries", "travelers arriving by air",
    "unaccompanied children in federal custody", "lawful permanent residents abroad",
    "state and local law enforcement partners", "communities affected by the storms",
]
QUOTE_OPENERS = [
    "This action keeps our promise to the American people",
    "We will not tolerate abuse of our immigration system",
    "Our officers and agents work every day to keep this country safe",
    "The numbers speak for themselves",
    "Today we are restoring the rule of law at our borders",
    "This department will use every tool Congress has given us",
    "Communities deserve to know that help is on the way",
    "Every one of these cases represents a threat we took off our streets",
    "We are closing loopholes that cartels and smugglers have exploited for years",
    "Security and lawful travel go hand in hand",
]
QUOTE_FOLLOWERS = [
    "We will keep working with our partners until the job is done.",
    "Anyone who breaks the law will be held accountable.",
    "That is what the President asked of us, and that is what we are delivering.",
    "I want to thank the men and women of this department for their service.",
    "There is more to do, and we will not slow down.",
    "The American people expect nothing less.",
]
FILLERS = [
    "The department coordinated the effort with federal, state and local partners.",
    "Members of the public can report suspicious activity to the DHS tip line.",
    "The operation involved personnel from {k} components of the department.",
    "Further details are available from the component's public affairs office.",
    "The agency said it had reassigned {k} hundred officers to support the mission.",
    "Several of those arrested had prior convictions, officials said.",
    "Teams worked around the clock for {n} days in and around {place}.",
]
POLICY_FILLERS = [
    "Officials said the changes would be reviewed again within {n} days.",
    "Additional guidance will be published in the Federal Register.",
    "The announcement follows a review ordered earlier this year.",
    "Stakeholders will have {n} days to submit comments on the proposal.",
    "Implementation will begin in {place} before expanding nationwide.",
]
TITLE_PATTERNS = {
    "operation": ["{short} Operation in {place} Leads to {n:,} Arrests",
                  "{short} Seizes {n:,} Pounds of Narcotics Near {place}"],
    "statistics": ["{short} Announces {n:,} {things_title} in {month}",
                   "{short} Releases {month} Operational Statistics"],
    "statement": ["Secretary Noem Statement on Attack in {place}",
                  "Readout of Secretary Noem's Meeting With {place} Officials"],
    "new_policy": ["DHS {new_verb} {noun_title} for {population}",
                   "DHS Issues Guidance on {noun_title}"],
    "reversal": ["DHS {reversal_verb} {noun_title} for {population}",
                 "DHS Ends {noun_title}"],
}
PARAGRAPH_SHAPES = {
    "operation": [["quote", "filler", "figure"], ["figure", "figure", "filler"],
                  ["filler", "figure", "quote"], ["quote", "figure"]],
    "statistics": [["figure", "figure", "filler"], ["figure", "quote", "figure"],
                   ["filler", "figure", "figure", "filler"]],
    "statement": [["quote", "filler"], ["quote", "figure", "filler"], ["filler", "quote"]],
}
POLICY_SHAPES = [["quote", "filler", "policy"], ["figure", "filler", "policy"],
                 ["policy", "policy", "filler", "figure"], ["filler", "figure", "filler"],
                 ["policy", "figure", "quote", "filler"]]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

NAV = [
    ("Topics", ["Border Security", "Citizenship and Immigration Services", "Cybersecurity",
                "Disasters", "Human Trafficking", "Preventing Terrorism"]),
    ("News", ["All DHS News", "Press Releases", "Speeches", "Statements", "Fact Sheets"]),
    ("How Do I?", ["For Businesses", "For Travelers", "For the Public", "Report Suspicious Activity"]),
    ("About DHS", ["Mission", "Leadership", "Components", "Contact Us"]),
]
FOOTER = [
    "About DHS", "Accessibility", "Careers", "FOIA", "No FEAR Act",
    "Office of Inspector General", "Privacy Policy", "USA.gov", "The White House",
    "Vulnerability Disclosure Program",
]


def _slugify(text: str) -> str:
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in text).split())


def _nav_html() -> str:
    parts = ['<nav class="usa-nav" aria-label="Primary navigation"><ul class="usa-nav__primary">']
    for number, (label, items) in enumerate(NAV):
        parts.append(
            f'<li class="usa-nav__primary-item"><button type="button" class="usa-accordion__button '
            f'usa-nav__link" aria-expanded="false" aria-controls="basic-mega-nav-section-{number}">'
            f'<span>{escape(label)}</span></button><ul id="basic-mega-nav-section-{number}" '
            'class="usa-nav__submenu" hidden>')
        for item in items:
            parts.append(f'<li><a href="/{_slugify(item)}">{escape(item)}</a></li>')
        parts.append("</ul></li>")
    parts.append("</ul></nav>")
    return "".join(parts)


NAV_HTML = _nav_html()


def _page(title: str, main: str) -> str:
    footer_links = "".join(f'<li><a href="/{_slugify(x)}">{escape(x)}</a></li>' for x in FOOTER)
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape(title)} | Homeland Security</title>
<meta property="og:site_name" content="Homeland Security">
<meta property="og:title" content="{escape(title)}">
<link rel="stylesheet" media="all" href="/sites/default/files/css/css_uswds.css">
<script type="application/json" data-drupal-selector="drupal-settings-json">{{"path":{{"baseUrl":"\\/","pathPrefix":"","currentPath":"node","isFront":false}},"ajaxTrustedUrl":[],"gtag":{{"tagId":"G-XXXXXXX","otherIds":[],"events":[],"additionalConfigInfo":[]}},"user":{{"uid":0,"permissionsHash":"0f3c6f6c1a"}}}}</script>
</head>
<body class="path-node page-node-type-news">
<a href="#main-content" class="usa-skipnav">Skip to main content</a>
<section class="usa-banner" aria-label="Official website of the United States government">
<div class="usa-accordion"><header class="usa-banner__header"><div class="usa-banner__inner">
<div class="grid-col-auto"><img class="usa-banner__header-flag" src="/themes/custom/dhs/img/us_flag_small.png" alt=""></div>
<div class="grid-col-fill tablet:grid-col-auto"><p class="usa-banner__header-text">An official website of the United States government</p>
<p class="usa-banner__header-action" aria-hidden="true">Here's how you know</p></div>
<button type="button" class="usa-accordion__button usa-banner__button" aria-expanded="false" aria-controls="gov-banner"><span class="usa-banner__button-text">Here's how you know</span></button>
</div></header>
<div class="usa-banner__content usa-accordion__content" id="gov-banner" hidden><div class="grid-row grid-gap-lg">
<div class="usa-banner__guidance tablet:grid-col-6"><div class="usa-media-block__body"><p><strong>Official websites use .gov</strong><br>A <strong>.gov</strong> website belongs to an official government organization in the United States.</p></div></div>
<div class="usa-banner__guidance tablet:grid-col-6"><div class="usa-media-block__body"><p><strong>Secure .gov websites use HTTPS</strong><br>A <strong>lock</strong> or <strong>https://</strong> means you've safely connected to the .gov website. Share sensitive information only on official, secure websites.</p></div></div>
</div></div></div></section>
<header class="usa-header usa-header--extended" role="banner">
<div class="usa-navbar"><div class="usa-logo" id="extended-logo"><a href="/" title="Home" rel="home"><img src="/themes/custom/dhs/logo.svg" alt="Homeland Security"></a></div>
<button type="button" class="usa-menu-btn">Menu</button></div>
{NAV_HTML}
<section aria-label="Search component"><form class="usa-search usa-search--small" role="search" action="https://search.dhs.gov/search"><label class="usa-sr-only" for="search-field">Search</label><input class="usa-input" id="search-field" type="search" name="query"><button class="usa-button" type="submit"><span class="usa-sr-only">Search</span></button></form></section>
</header>
<main id="main-content" class="main-content usa-layout-docs" role="main">
{main}
</main>
<footer class="usa-footer usa-footer--slim" role="contentinfo">
<div class="grid-container usa-footer__return-to-top"><a href="#">Return to top</a></div>
<div class="usa-footer__primary-section"><nav class="usa-footer__nav" aria-label="Footer navigation"><ul class="grid-row grid-gap">{footer_links}</ul></nav></div>
<div class="usa-footer__secondary-section"><div class="grid-container"><div class="usa-footer__logo grid-row"><p class="usa-footer__logo-heading">U.S. Department of Homeland Security</p></div>
<div class="usa-footer__contact-links"><div class="usa-footer__social-links grid-row grid-gap-1">
<a class="usa-social-link usa-social-link--facebook" href="https://www.facebook.com/homelandsecurity"><span>Facebook</span></a>
<a class="usa-social-link usa-social-link--twitter" href="https://x.com/dhsgov"><span>X</span></a>
<a class="usa-social-link usa-social-link--youtube" href="https://www.youtube.com/ushomelandsecurity"><span>YouTube</span></a>
<a class="usa-social-link usa-social-link--instagram" href="https://www.instagram.com/dhsgov"><span>Instagram</span></a>
</div></div></div></div>
</footer>
<script src="/core/assets/vendor/jquery/jquery.min.js"></script>
<script src="/themes/custom/dhs/js/uswds.min.js"></script>
</body>
</html>
"""


def _sentence(rng: random.Random, kind: str, day: date, article: str = "new_policy") -> str:
    component, short = rng.choice(COMPONENTS)
    if kind == "figure":
        n = rng.randint(120, 250_000)
        pct = rng.randint(3, 95)
        month = MONTHS[(day.month - 2) % 12]
        return rng.choice([
            f"In {month}, {component} recorded {n:,} {rng.choice(THINGS)}, "
            f"a {pct} percent {rng.choice(['decrease', 'increase'])} from the same month last year.",
            f"Since January, {short} has processed {n:,} {rng.choice(THINGS)}, "
            f"up from {max(1, n * 100 // (100 + pct)):,} during the same period of {day.year - 1}.",
            f"The operation in {rng.choice(PLACES)} resulted in {rng.randint(5, 900):,} arrests "
            f"and the seizure of {rng.randint(2, 4000):,} pounds of narcotics worth an estimated "
            f"${rng.randint(2, 90)}.{rng.randint(0, 9)} million.",
            f"Daily {rng.choice(THINGS)} averaged {rng.randint(40, 9000):,} in fiscal year "
            f"{day.year}, {pct} percent below the fiscal year {day.year - 1} average.",
        ])
    if kind == "quote":
        role, name = rng.choice(OFFICIALS)
        opener = rng.choice(QUOTE_OPENERS)
        follower = rng.choice(QUOTE_FOLLOWERS)
        return rng.choice([
            f"\u201c{opener},\u201d said {role} {name}. \u201c{follower}\u201d",
            f"\u201c{opener}. {follower}\u201d said {name}, {role}.",
            f"{role} {name} said: \u201c{opener}. {follower}\u201d",
        ])
    if kind == "policy":
        verbs = REVERSAL_VERBS if article == "reversal" else NEW_POLICY_VERBS
        return rng.choice([
            f"The {rng.choice(POLICY_NOUNS)} {rng.choice(verbs)} the previous "
            f"{rng.choice(POLICY_NOUNS)} and applies to {rng.choice(POPULATIONS)}.",
            f"Under the new {rng.choice(POLICY_NOUNS)}, {short} will require "
            f"{rng.choice(POPULATIONS)} to appear in person within {rng.randint(10, 90)} days.",
            f"The change takes effect on {rng.choice(MONTHS)} {rng.randint(1, 28)}, "
            f"{day.year} and {rng.choice(verbs)} guidance issued in {day.year - rng.randint(1, 6)}.",
            f"{component} will publish the {rng.choice(POLICY_NOUNS)} in the Federal "
            f"Register and accept public comments for {rng.randint(15, 90)} days.",
        ])
    fillers = POLICY_FILLERS + FILLERS if article in ("new_policy", "reversal") else FILLERS
    return rng.choice(fillers).format(n=rng.randint(30, 180), k=rng.randint(2, 9),
                                      place=rng.choice(PLACES))


def _paragraph(rng: random.Random, day: date, article: str) -> str:
    kinds = rng.choice(PARAGRAPH_SHAPES.get(article, POLICY_SHAPES))
    sentences = [_sentence(rng, k, day, article) for k in kinds]
    while len(sentences) < 3:
        sentences.append(_sentence(rng, rng.choice(["figure", "filler"]), day, article))
    return " ".join(sentences)


def _title(rng: random.Random, number: int, day: date, article: str) -> str:
    _, short = rng.choice(COMPONENTS)
    title = rng.choice(TITLE_PATTERNS[article]).format(
        new_verb=rng.choice(NEW_POLICY_VERBS).capitalize(),
        reversal_verb=rng.choice(REVERSAL_VERBS).capitalize(),
        noun_title=rng.choice(POLICY_NOUNS).title(), population=rng.choice(POPULATIONS),
        short=short, n=rng.randint(100, 90_000), things_title=rng.choice(THINGS).title(),
        month=MONTHS[(day.month - 2) % 12], place=rng.choice(PLACES),
    )
    return f"{title} (No. {number})"  # "Title N": unique and easy to trace


def _article_html(title: str, day: date, news_type: str, topics: list[str],
                  paragraphs: list[str]) -> str:
    iso = f"{day.isoformat()}T12:00:00-05:00"
    human = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    body = "".join(f"<p>{escape(p, quote=False)}</p>\n" for p in paragraphs)
    tags = "".join(f'<li class="usa-tag">{escape(t)}</li>' for t in topics)
    main = f"""<div class="grid-container"><nav class="usa-breadcrumb" aria-label="Breadcrumbs"><ol class="usa-breadcrumb__list">
<li class="usa-breadcrumb__list-item"><a href="/" class="usa-breadcrumb__link"><span>Home</span></a></li>
<li class="usa-breadcrumb__list-item"><a href="/news" class="usa-breadcrumb__link"><span>News</span></a></li>
<li class="usa-breadcrumb__list-item usa-current" aria-current="page"><span>{escape(title)}</span></li></ol></nav>
<div class="grid-row grid-gap"><div class="desktop:grid-col-9">
<article role="article" class="node node--type-news node--view-mode-full">
<h1 class="page-title"><span>{escape(title)}</span></h1>
<div class="news-updates-date-type"><span class="news-type">{escape(news_type)}</span>
<span class="field--name-field-release-date"><time datetime="{iso}">{human}</time></span></div>
<div class="field--name-body field--type-text-with-summary field__item">
<p>FOR IMMEDIATE RELEASE</p>
<p>DHS Press Office, 202-282-8010</p>
{body}</div>
<ul class="usa-collection__meta" aria-label="Topics">{tags}</ul>
<div class="field--name-field-keywords"><span class="label">Keywords:</span> {escape(", ".join(topics))}</div>
<div class="dhs-share"><a href="https://www.facebook.com/sharer/sharer.php">Share on Facebook</a> <a href="https://x.com/intent/tweet">Share on X</a> <a href="mailto:?subject={escape(title)}">Email</a></div>
</article></div>
<aside class="desktop:grid-col-3 sidebar"><h2>Related News</h2><ul class="usa-list usa-list--unstyled">
<li><a href="/news/latest">Latest Press Releases</a></li><li><a href="/news/statements">Statements</a></li>
<li><a href="/news/fact-sheets">Fact Sheets</a></li></ul>
<p class="last-updated">Last Updated: {day.strftime("%m/%d/%Y")}</p></aside></div></div>"""
    return _page(title, main)


def _listing_html(rows: list[dict], page: int, last: bool) -> str:
    items = []
    for row in rows:
        d = row["date"]
        items.append(
            '<div class="news-updates views-row"><div class="news-updates-date-type">'
            f'<time datetime="{d.isoformat()}T12:00:00-05:00">{MONTHS[d.month - 1]} {d.day}, '
            f'{d.year}</time> <span class="news-type"><a href="/news-type/'
            f'{_slugify(row["type"])}">{escape(row["type"])}</a></span></div>'
            f'<h3 class="news-updates-title"><a href="{row["path"]}">{escape(row["title"])}'
            "</a></h3></div>")
    pager = ('<nav class="usa-pagination" aria-label="Pagination"><ul class="usa-pagination__list">'
             f'<li class="usa-pagination__item usa-current">Page {page + 1}</li>')
    if page:
        pager += (f'<li class="usa-pagination__item"><a class="usa-pagination__previous-page" '
                  f'href="?page={page - 1}">Previous</a></li>')
    if not last:
        pager += (f'<li class="usa-pagination__item"><a class="usa-pagination__next-page" '
                  f'href="?page={page + 1}">Next</a></li>')
    pager += "</ul></nav>"
    main = ('<div class="grid-container"><h1 class="page-title">All News Updates</h1>'
            '<div class="view view-news-updates">' + "\n".join(items) + "</div>" + pager + "</div>")
    return _page("All News Updates", main)


def generate_site(root: Path, articles: int, seed: int = 20250121, *, first: int = 1,
                  newest: date = date(2025, 6, 30), rows_per_page: int = ROWS_PER_PAGE) -> dict:
    """Write the site under ``root``; returns sizes and the article paths (newest first).

    Articles are numbered from ``first`` (their paths and titles carry the number) and
    dated back from ``newest``, about three a day; the listing shows ``rows_per_page``
    of them a page.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    rows = []
    sizes = []
    for number in range(first, first + articles):
        day = newest - timedelta(days=(number - first) // 3)  # about three releases a day
        article = rng.choices([k for k, _ in ARTICLE_KINDS],
                              [w for _, w in ARTICLE_KINDS])[0]
        title = _title(rng, number, day, article)
        news_type = rng.choice(NEWS_TYPES)
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        paragraphs = [_paragraph(rng, day, article) for _ in range(rng.randint(6, 10))]
        path = f"/news/{day:%Y/%m/%d}/slug-{number}"
        html = _article_html(title, day, news_type, topics, paragraphs).encode("utf-8")
        file = root / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(html)
        sizes.append(len(html))
        rows.append({"path": path, "title": title, "date": day, "type": news_type})
    pages = math.ceil(articles / rows_per_page)
    for page in range(pages):
        chunk = rows[page * rows_per_page:(page + 1) * rows_per_page]
        name = "all-news-updates" + (f"@page={page}" if page else "")
        (root / name).write_text(_listing_html(chunk, page, page == pages - 1), encoding="utf-8")
    return {"paths": [r["path"] for r in rows], "pages": pages, "sizes": sizes}


# ---------------------------------------------------------------------------
# 2. The server (a separate process; ``--serve ROOT`` is that process's entry point)
# ---------------------------------------------------------------------------

def serve(root: str, nodelay: bool = True) -> None:
    """Serve ``root`` until stdin closes; print the port; count what is sent.

    ``nodelay`` sets TCP_NODELAY on accepted sockets, as production web servers do
    (nginx's ``tcp_nodelay on``). ``http.server`` leaves Nagle's algorithm on and
    writes the headers and the body in two sends, so on a keep-alive connection each
    body waits for the client's delayed ACK of the headers (~40 ms on Linux): an
    artefact of the fixture server, not of any client. ``--server-nagle`` keeps it.
    """
    sys.path.insert(0, str(REPO))
    from monitor import sampleserver

    stats_lock = threading.Lock()
    empty = {"requests": 0, "status": {}, "body_bytes": 0, "article_requests": 0,
             "article_bodies": 0, "article_body_bytes": 0, "listing_requests": 0}
    stats = json.loads(json.dumps(empty))

    class CountingHandler(sampleserver._Handler):
        disable_nagle_algorithm = nodelay

        def send_response(self, code, message=None):
            if not self.path.startswith("/__bench/"):
                with stats_lock:
                    stats["requests"] += 1
                    key = str(code)
                    stats["status"][key] = stats["status"].get(key, 0) + 1
                    if self.path.startswith("/news/"):
                        stats["article_requests"] += 1
                    elif self.path.startswith("/all-news-updates"):
                        stats["listing_requests"] += 1
            super().send_response(code, message)

        def send_body(self, status, body, ctype, headers=None, head=False):
            if not head and not self.path.startswith("/__bench/"):
                with stats_lock:
                    stats["body_bytes"] += len(body)
                    if self.path.startswith("/news/") and status == 200:
                        stats["article_bodies"] += 1
                        stats["article_body_bytes"] += len(body)
            super().send_body(status, body, ctype, headers, head)

    def stats_route(handler) -> None:
        with stats_lock:
            payload = json.dumps(stats | {"cpu_seconds": time.process_time()}).encode()
            if "reset" in handler.path:
                stats.clear()
                stats.update(json.loads(json.dumps(empty)))
        handler.send_body(200, payload, "application/json")

    server = sampleserver.SiteServer(root, routes={STATS_PATH: stats_route})
    server._server.RequestHandlerClass = CountingHandler
    server.start()
    print(f"PORT {server.port}", flush=True)
    sys.stdin.read()  # the parent closes our stdin (or dies) to stop us
    server.stop()


class ServerProcess:
    def __init__(self, root: Path, nodelay: bool = True):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve", str(root)]
            + ([] if nodelay else ["--server-nagle"]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise SystemExit(f"site server did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def stats(self, reset: bool = True) -> dict:
        url = self.base_url + STATS_PATH + ("?reset=1" if reset else "")
        with self._opener.open(url, timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _timed(server, command: list[str], **run_args):
    """Run one tool's command; wall seconds, its CPU seconds and what the server saw."""
    start = server.stats(reset=True)
    adopting = _adopt_orphans()
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(command, **run_args)
    seconds = time.perf_counter() - started
    if adopting:
        _reap_orphans(keep={server.proc.pid})
    cpu = _children_cpu() - cpu
    served = server.stats(reset=True)
    served["server_cpu"] = served["cpu_seconds"] - start["cpu_seconds"]
    return proc, seconds, cpu, served


def _adopt_orphans() -> bool:
    """Become the subreaper of the commands we run (Linux): policy-monitor's worker
    processes are children of multiprocessing's forkserver, which its run leaves behind
    unreaped, so their CPU time never reached RUSAGE_CHILDREN and the CPU column counted
    the main process only. Adopted, they are waited for, and counted."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap_orphans(keep: set[int], timeout: float = 60) -> None:
    """Wait for the descendants the command left behind (they end once it has)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orphans = {int(pid) for f in Path("/proc/self/task").glob("*/children")
                   for pid in f.read_text().split()} - keep
        if not orphans:
            return
        for pid in orphans:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.05)


def _children_cpu() -> float:
    """User + system CPU seconds of finished child processes (and the children they waited for)."""
    if resource is None:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _loopback_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------
# 3. policy-monitor
# ---------------------------------------------------------------------------

def _policy_monitor_command() -> list[str]:
    script = Path(sys.executable).parent / "policy-monitor"
    if script.exists():
        return [str(script)]
    found = shutil.which("policy-monitor")
    return [found] if found else [sys.executable, "-m", "monitor"]


def _db_counts(db: Path) -> dict:
    if not db.exists():
        return {"fetch_id": 0, "documents": 0, "statements": 0}
    con = sqlite3.connect(db)
    try:
        one = lambda sql, *p: con.execute(sql, p).fetchone()[0]  # noqa: E731
        return {
            "fetch_id": one("select coalesce(max(id), 0) from fetches"),
            "documents": one("select count(*) from documents where source = ?", SOURCE_NAME),
            "statements": one("select count(*) from statements s join documents d "
                              "on d.id = s.document_id where d.source = ?", SOURCE_NAME),
        }
    finally:
        con.close()


def _db_run_details(db: Path, after_fetch_id: int) -> dict:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "select url, status, coalesce(bytes, 0), error from fetches where id > ?",
            [after_fetch_id]).fetchall()
        tables = {r[0] for r in con.execute("select name from sqlite_master")}
        labelled = 0
        if "statements" in tables:
            labelled = con.execute(
                "select count(*) from statements s join documents d on d.id = s.document_id "
                "where d.source = ? and s.label is not null", [SOURCE_NAME]).fetchone()[0]
        run = con.execute("select * from runs order by id desc limit 1").fetchone()
        cols = [d[0] for d in con.execute("select * from runs limit 0").description]
    finally:
        con.close()
    article_rows = [r for r in rows if "/news/" in r[0]]
    return {
        "requests": len(rows),
        "bytes": sum(r[2] for r in rows),
        "article_requests": len(article_rows),
        "article_bodies": sum(1 for r in article_rows if r[1] == 200 and r[2] > 0),
        "errors": sum(1 for r in rows if r[3]),
        "fts": "documents_fts" in tables and "statements_fts" in tables,
        "labelled_statements": labelled,
        "run": dict(zip(cols, run)) if run else {},
    }


def run_policy_monitor(server: ServerProcess, work: Path, articles: int, pages: int,
                       retries: int, program: list[str] | None = None) -> list[dict]:
    config = work / "bench.toml"
    db = work / "bench.db"
    config.write_text(f"""agency = "DHS"

[[source]]
name = "{SOURCE_NAME}"
kind = "html"
url = "{server.base_url}/all-news-updates"
max_pages = {min(1000, pages + 5)}
delay = 0          # loopback: no politeness delay
timeout = 20
retries = {retries}
""", encoding="utf-8")
    command = (program or _policy_monitor_command()) + [
        "--config", str(config), "--db", str(db), "run"]
    results = []
    for label in ("first crawl", "unchanged re-run"):
        _progress(f"policy-monitor: {label} ...")
        before = _db_counts(db)
        proc, seconds, cpu, served = _timed(server, command, capture_output=True, text=True,
                                            cwd=work, env=_loopback_env())
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"policy-monitor run failed (exit {proc.returncode}): "
                             f"{' '.join(command)}")
        after = _db_counts(db)
        details = _db_run_details(db, before["fetch_id"])
        results.append({
            "tool": "policy-monitor", "run": label, "seconds": seconds, "cpu": cpu,
            "articles": articles, "served": served, "own_log": details,
            "new_documents": after["documents"] - before["documents"],
            "new_statements": after["statements"] - before["statements"],
            "documents": after["documents"], "statements": after["statements"],
            "stderr": proc.stderr.strip(), "command": command,
        })
    return results


# ---------------------------------------------------------------------------
# 4. urlwatch
# ---------------------------------------------------------------------------

def ensure_urlwatch(venv: Path) -> Path:
    """Return the urlwatch executable, installing urlwatch into ``venv`` if needed."""
    exe = venv / ("Scripts/urlwatch.exe" if os.name == "nt" else "bin/urlwatch")
    if exe.exists():
        probe = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        if URLWATCH_VERSION in probe.stdout + probe.stderr:
            return exe
    print(f"installing urlwatch {URLWATCH_VERSION} into {venv} ...", file=sys.stderr)
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", "--clear", str(venv)], check=True)
    (venv / ".gitignore").write_text("*\n", encoding="utf-8")  # never commit the peer
    pip = venv / ("Scripts/pip.exe" if os.name == "nt" else "bin/pip")
    pip_run = subprocess.run([str(pip), "install", "--quiet", "--disable-pip-version-check",
                              f"urlwatch=={URLWATCH_VERSION}"], capture_output=True, text=True)
    if pip_run.returncode != 0 or not exe.exists():
        sys.stderr.write(pip_run.stdout + pip_run.stderr)
        raise SystemExit(f"could not install urlwatch {URLWATCH_VERSION} into {venv} "
                         "(or pass --no-urlwatch)")
    return exe


def run_urlwatch(server: ServerProcess, work: Path, paths: list[str], exe: Path) -> list[dict]:
    home = work / "urlwatch"
    home.mkdir()
    urls = home / "urls.yaml"
    docs = [f'name: "article {i}"\nurl: "{server.base_url}{p}"\n'
            for i, p in enumerate(paths, 1)]
    urls.write_text("---\n".join(docs), encoding="utf-8")
    urls.chmod(0o600)
    config = home / "urlwatch.yaml"
    # Only the stdout reporter (to /dev/null); everything else is off by default.
    config.write_text("report:\n  stdout:\n    enabled: true\n    color: false\n", encoding="utf-8")
    command = [str(exe), "--urls", str(urls), "--config", str(config),
               "--cache", str(home / "cache.db"), "--hooks", str(home / "hooks.py")]
    env = _loopback_env({"XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home),
                         "HOME": str(home)})
    results = []
    for label in ("first run", "unchanged re-run"):
        _progress(f"urlwatch: {label} ...")
        proc, seconds, cpu, served = _timed(server, command, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True, cwd=home,
                                            env=env)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"urlwatch failed (exit {proc.returncode})")
        results.append({"tool": f"urlwatch {URLWATCH_VERSION}", "run": label,
                        "seconds": seconds, "cpu": cpu, "articles": len(paths),
                        "served": served,
                        "command": command})
    return results


# ---------------------------------------------------------------------------
# 5. Report
# ---------------------------------------------------------------------------

def _did(result: dict) -> str:
    if result["tool"] == "policy-monitor":
        log = result["own_log"]
        steps = "listing walk + fetch + extract + split + store"
        if log["fts"]:
            steps += " with FTS"
        if log["labelled_statements"]:
            steps += " + classify"
        if result["run"] != "first crawl":
            steps = "conditional GET of the listing; nothing new to fetch"
        return (f"{steps}; +{result['new_documents']} docs, "
                f"+{result['new_statements']} statements")
    return "fetch + diff against cache" + ("" if result["run"] == "first run" else
                                           " (conditional GET)")


def _code_version() -> str:
    """The commit under test, and whether monitor/ has uncommitted changes (editable install)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "monitor"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes in monitor/" if dirty else "")


def print_report(results: list[dict], site: dict, command: str, repeat: int = 1,
                 load: tuple[float, ...] = ()) -> dict:
    sizes = site["sizes"]
    print(f"\nSite: {len(sizes):,} articles ({min(sizes)/1024:.1f}-{max(sizes)/1024:.1f} KB, "
          f"mean {sum(sizes)/len(sizes)/1024:.1f} KB) on {site['pages']} listing pages; "
          f"served from a separate process; per-host delay 0 (loopback).")
    print(f"Command: {command}")
    print(f"policy-monitor code: {_code_version()}; {os.cpu_count()} CPUs"
          + (f", load average {load[0]:.1f} at start" if load else ""))
    if repeat > 1:
        print(f"Median of {repeat} rounds (fresh database and cache each); "
              "'range' is the fastest and slowest round.")
    print()
    header = ("tool", "run", "seconds", "articles/s", "CPU s", "server CPU s", "requests",
              "bytes downloaded", "article bodies", "what it did")
    if repeat > 1:
        header = header[:3] + ("range",) + header[3:]
    rows = []
    for r in results:
        s = r["served"]
        row = (r["tool"], r["run"], f"{r['seconds']:.2f}",
               f"{r['articles'] / r['seconds']:.1f}", f"{r['cpu']:.2f}",
               f"{s['server_cpu']:.2f}", f"{s['requests']:,}",
               f"{s['body_bytes']:,}", f"{s['article_bodies']:,}", _did(r))
        if repeat > 1:
            low, high = r["range"]
            row = row[:3] + (f"{low:.2f}-{high:.2f}",) + row[3:]
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*header).rstrip())
    print(line.format(*("-" * w for w in widths)).rstrip())
    for row in rows:
        print(line.format(*row).rstrip())
    print()
    summary = {}
    pm = {r["run"]: r for r in results if r["tool"] == "policy-monitor"}
    uw = {r["run"]: r for r in results if r["tool"].startswith("urlwatch")}
    if pm:
        first, again = pm["first crawl"], pm["unchanged re-run"]
        own = first["own_log"]
        print(f"policy-monitor's own fetch log agrees: first crawl {own['requests']:,} requests, "
              f"{own['bytes']:,} bytes, {own['errors']} errors; stored "
              f"{first['documents']:,} documents and {first['statements']:,} statements.")
        if first["documents"] != first["articles"]:
            print(f"WARNING: stored {first['documents']:,} documents for "
                  f"{first['articles']:,} articles.")
        bodies = again["served"]["article_bodies"]
        log = again["own_log"]
        summary["rerun_article_bodies"] = bodies
        print(f"Unchanged re-run downloaded an article body: {'YES' if bodies else 'no'} "
              f"({bodies} article bodies, {again['served']['article_requests']} article "
              f"requests, {again['served']['requests']} requests in all, "
              f"{again['served']['body_bytes']:,} bytes; its fetch log: {log['requests']} "
              f"requests, {log['article_requests']} under /news/, {log['bytes']:,} bytes).")
    if pm and uw:
        pm_rate = pm["first crawl"]["articles"] / pm["first crawl"]["seconds"]
        uw_rate = uw["first run"]["articles"] / uw["first run"]["seconds"]
        ratio = pm_rate / uw_rate
        summary["ratio"] = ratio
        more = (pm["first crawl"]["served"]["requests"] > uw["first run"]["served"]["requests"])
        print(f"First crawl: policy-monitor {pm_rate:.1f} articles/s vs urlwatch "
              f"{uw_rate:.1f} pages/s = {ratio:.2f}x (target >= 2x: "
              f"{'met' if ratio >= 2 else 'NOT met'}); policy-monitor made "
              f"{'more' if more else 'no more'} requests and also extracted and stored.")
    return summary


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _medians(results: list[dict]) -> list[dict]:
    """One row per (tool, run): the round with the median time, with the others' range."""
    groups: dict[tuple, list[dict]] = {}
    for r in results:
        groups.setdefault((r["tool"], r["run"]), []).append(r)
    rows = []
    for group in groups.values():
        ordered = sorted(group, key=lambda r: r["seconds"])
        row = dict(ordered[(len(ordered) - 1) // 2])
        row["range"] = (ordered[0]["seconds"], ordered[-1]["seconds"])
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="articles on the site")
    parser.add_argument("--seed", type=int, default=20250121, help="text generator seed")
    parser.add_argument("--no-urlwatch", action="store_true", help="skip the urlwatch peer")
    parser.add_argument("--no-policy-monitor", action="store_true",
                        help="skip policy-monitor (measure only urlwatch)")
    parser.add_argument("--policy-monitor", dest="program", metavar="COMMAND",
                        help="policy-monitor command line to time (default: the "
                             "policy-monitor script beside this Python)")
    parser.add_argument("--urlwatch-venv", type=Path, default=DEFAULT_URLWATCH_VENV,
                        help="where urlwatch is (or gets) installed (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds (fresh database and cache each); the table shows "
                             "the median round of each row")
    parser.add_argument("--retries", type=int, default=1, help="policy-monitor retries")
    parser.add_argument("--keep", type=Path, help="copy the site, config and databases here")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--server-nagle", action="store_true",
                        help="leave Nagle's algorithm on in the fixture server (stock "
                             "http.server behaviour: ~40 ms stall per keep-alive response)")
    parser.add_argument("--serve", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, nodelay=not args.server_nagle)
        return 0
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")

    urlwatch = None if args.no_urlwatch else ensure_urlwatch(args.urlwatch_venv)
    command = "python benchmarks/fetch_benchmark.py " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]))
    program = shlex.split(args.program) if args.program else None
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    with tempfile.TemporaryDirectory(prefix="pm-fetch-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        site = generate_site(work / "site", args.articles, args.seed)
        _progress(f"generated {args.articles:,} articles in {time.perf_counter() - started:.1f} s")
        server = ServerProcess(work / "site", nodelay=not args.server_nagle)
        results: list[dict] = []
        try:
            for round_ in range(1, args.repeat + 1):
                here = work / f"round-{round_}"
                here.mkdir()
                if not args.no_policy_monitor:
                    results += run_policy_monitor(server, here, args.articles, site["pages"],
                                                  args.retries, program)
                if urlwatch:
                    results += run_urlwatch(server, here, site["paths"], urlwatch)
                for r in results:
                    r.setdefault("round", round_)
        finally:
            server.stop()
        summary = print_report(_medians(results), site, command.strip(), args.repeat, load)
        if args.json:
            args.json.write_text(json.dumps({"results": results, "summary": summary},
                                            indent=2, default=str), encoding="utf-8")
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

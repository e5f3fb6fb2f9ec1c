"""Turn fetched pages and feeds into listings, articles and feed items.

Everything here reads hostile input: pages may be malformed, huge or crafted. The
functions never execute or resolve anything from a page, return only absolute
http(s) links, and refuse XML that declares a DTD or entities before any XML
parser sees it. Malformed HTML yields whatever can be recovered; ``ExtractError``
is raised only for input that cannot be used at all.

Articles are extracted by the first path that applies: the source's configured CSS
``selectors``; the DHS newsroom shape (Drupal ``field--name-body``, which ICE, CBP
and USCIS share), read with lexbor alone; otherwise generic main-text extraction for
arbitrary news sites, by trafilatura with our boilerplate rules after it (see the
README's "Why these libraries" for the measurements behind that choice).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_tz
from urllib.parse import urldefrag, urljoin

import defusedxml.ElementTree
import feedparser
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from monitor.config import is_http_url
from monitor.statements import clean_paragraphs, normalize_space

#: Pages beyond this are cut before parsing: no press release is anywhere near it.
MAX_HTML_CHARS = 5_000_000


class ExtractError(Exception):
    """The input cannot be used (unsafe or unrecognisable XML, not a document)."""


@dataclass
class ListingLink:
    url: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    doc_type: str | None = None


@dataclass
class Listing:
    links: list[ListingLink]
    next_url: str | None


@dataclass
class Article:
    url: str
    title: str | None
    published: str | None  # YYYY-MM-DD
    text: str  # paragraphs joined by "\n\n", boilerplate removed
    doc_type: str | None = None
    topics: list[str] = field(default_factory=list)
    method: str = "dhs"  # "dhs" | "selectors" | "generic" | "text"


@dataclass
class FeedItem:
    url: str
    title: str | None
    published: str | None  # YYYY-MM-DD
    updated: str | None  # ISO datetime of the item's last update, if the feed says
    summary: str  # plain text


# --- dates --------------------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june",
     "jul july", "aug august", "sep sept september", "oct october", "nov november",
     "dec december"], start=1) for name in names.split()}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_SLASH_YMD = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")
_SLASH_MDY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_MONTH_DAY_YEAR = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I)
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})", re.I)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T|$)")


#: No web page was published before this; metadata such as "0001-01-01" is a placeholder.
_EARLIEST = date(1990, 1, 1)


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found.isoformat() if found >= _EARLIEST else None


def normalize_date(value: str | None) -> str | None:
    """The calendar date in ``value`` as YYYY-MM-DD, or None.

    Accepts ISO dates and datetimes (the date as written, not shifted to UTC),
    RFC 822 feed dates, "January 21, 2025", "21 Jan 2025", "01/21/2025" (US order)
    and "2025/01/21".
    """
    if not value:
        return None
    text = normalize_space(value)[:200]
    if match := _ISO_DATE.search(text):
        return _valid(*map(int, match.groups()))
    if match := _COMPACT.match(text):
        return _valid(*map(int, match.groups()))
    if match := _SLASH_YMD.search(text):
        return _valid(*map(int, match.groups()))
    if match := _MONTH_DAY_YEAR.search(text):
        month = _MONTHS.get(match.group(1).lower())
        return _valid(int(match.group(3)), month, int(match.group(2))) if month else None
    if match := _DAY_MONTH_YEAR.search(text):
        month = _MONTHS.get(match.group(2).lower())
        return _valid(int(match.group(3)), month, int(match.group(1))) if month else None
    if match := _SLASH_MDY.search(text):
        month, day, year = map(int, match.groups())
        return _valid(year, month, day)
    if parsed := parsedate_tz(text):
        return _valid(*parsed[:3])
    return None


# --- HTML helpers -------------------------------------------------------------------

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
#: Browsers read these labels as windows-1252 (WHATWG Encoding), and so do servers'
#: pages: "ISO-8859-1" text is full of 1252's curly quotes and dashes.
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}


def _decode(html: str | bytes, charset: str | None = None) -> str:
    """Text of a page, decoded as a browser would: a byte-order mark, then the HTTP
    header's ``charset``, then the page's ``<meta>`` (where UTF-16 means UTF-8), else
    UTF-8; bad bytes are replaced."""
    if isinstance(html, str):
        return html[:MAX_HTML_CHARS]
    html = html[:MAX_HTML_CHARS]
    declared = next((name for bom, name in _BOMS if html.startswith(bom)), None) or charset
    if not declared and (match := _META_CHARSET.search(html[:4096])):
        declared = match.group(1).decode("ascii")
        if declared.lower().startswith(("utf-16", "utf16", "unicode", "ucs-2", "iso-10646-ucs-2",
                                        "csunicode")):
            declared = "utf-8"  # WHATWG: a page that could declare it is not UTF-16
    encoding = (declared or "utf-8").lower()
    encoding = "cp1252" if encoding in _AS_WINDOWS_1252 else encoding
    try:
        return html.decode(encoding, errors="replace")
    except LookupError:
        return html.decode("utf-8", errors="replace")


def _parse_html(html: str | bytes, charset: str | None = None) -> LexborHTMLParser:
    return LexborHTMLParser(_decode(html, charset))


def _text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return normalize_space(node.text(separator=" ")) or None


def _first(tree: LexborHTMLParser | LexborNode, selectors: list[str]) -> LexborNode | None:
    for selector in selectors:
        try:
            node = tree.css_first(selector)
        except SelectolaxError:  # a configured selector lexbor rejects: try the next one
            continue
        if node is not None:
            return node
    return None


_META_KEYS = ("property", "name", "itemprop")


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    """Content of the first ``<meta property|name|itemprop=...>`` that has one."""
    # What ``css_first(f'meta[{attribute}="{name}"]')`` finds for each pair (values
    # compare case-sensitively), from one pass over the page's <meta> elements instead
    # of one query per pair: a page's date alone is looked for under 36 pairs.
    first: dict[tuple[str, str], LexborNode] = {}
    for node in tree.css("meta"):
        attributes = node.attributes
        for attribute in _META_KEYS:
            if (value := attributes.get(attribute)) is not None:
                first.setdefault((attribute, value), node)
    for name in names:
        for attribute in _META_KEYS:
            node = first.get((attribute, name))
            if node is not None and (content := normalize_space(node.attributes.get("content") or "")):
                return content
    return None


def _absolute(href: str | None, base_url: str) -> str | None:
    """``href`` resolved against ``base_url``, fragment stripped, if it is http(s)."""
    if not href:
        return None
    url = urldefrag(urljoin(base_url, href.strip()))[0]
    return url if is_http_url(url) else None


_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tr td th "
    "section article main header footer address details summary center br hr".split()
)
# Never reporting: code, forms, page chrome, media, and headings (which label
# statements rather than make them).
_SKIP_TAGS = frozenset(
    "script style noscript template svg canvas iframe object embed video audio picture img "
    "button select option textarea input label form nav aside footer figure figcaption "
    "head title meta link h1 h2 h3 h4 h5 h6".split()
)
_NOISE = re.compile(
    r"(?:^|[\s_-])(share|sharing|social|related|recirc|newsletter|promo|advert\w*|ads?|"
    r"sponsor\w*|comments?|breadcrumbs?|subscribe|subscription|signup|sidebar|popup|modal|"
    r"cookie\w*|outbrain|taboola|more-stories|read-more|author-bio|tags|toolbar|pager|"
    r"pagination|skip-link|visually-hidden|sr-only|usa-banner|usa-footer|usa-nav|"
    r"site-header|site-footer|last-updated|page-meta|disclaimer|pull-?quote|footnotes?|"
    r"endnotes?)(?:$|[\s_-])",
    re.I,
)


def _is_noise(node: LexborNode) -> bool:
    attributes = node.attributes
    marker = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return (node.tag in _SKIP_TAGS
            or (marker.strip() != "" and _NOISE.search(marker) is not None)
            or attributes.get("aria-hidden") == "true" or "hidden" in attributes)


def _paragraphs(root: LexborNode) -> list[str]:
    """Block-level text of ``root`` in document order, skipping page furniture.

    Iterative, so arbitrarily deep (malformed) nesting cannot exhaust the stack.
    """
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            text = normalize_space("".join(current))
            if text:
                paragraphs.append(text)
            current.clear()

    stack: list[LexborNode | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # end of a block element
            flush()
            continue
        tag = node.tag
        if tag == "-text":
            current.append(node.text_content or "")
            continue
        if tag.startswith("-") or (node is not root and _is_noise(node)):
            continue
        if tag in _BLOCK_TAGS:
            flush()
            stack.append(None)
        stack.extend(reversed(list(node.iter(include_text=True))))
    flush()
    return paragraphs


def _body_text(root: LexborNode) -> str:
    return "\n\n".join(clean_paragraphs("\n".join(_paragraphs(root))))


# --- listings -----------------------------------------------------------------------

_DHS_ROWS = ["div.news-updates.views-row", "div.views-row", "li.views-row",
             "article.news-updates", "div.usa-collection__item", "li.usa-collection__item"]
_ROW_LINK = ["h3.news-updates-title a[href]", ".news-updates-title a[href]",
             ".usa-collection__heading a[href]", "h2 a[href]", "h3 a[href]", "h4 a[href]",
             "a[href]"]
_ROW_TYPE = ["span.news-type a", "span.news-type", ".news-type", ".usa-collection__meta-item"]
_NEXT_PAGE = ["a.usa-pagination__next-page", "li.pager__item--next a", "a[rel~=next]",
              "link[rel~=next]", ".pager-next a", "a.next"]


def _row_date(row: LexborNode) -> str | None:
    node = _first(row, ["time[datetime]", "time", ".date", ".news-updates-date-type"])
    if node is None:
        return None
    return normalize_date(node.attributes.get("datetime") or _text(node))


def _dates_beside(links: list[LexborNode], tree: LexborHTMLParser) -> list[str | None]:
    """For each link, the date in its listing row: the closest ancestor (up to 4 levels)
    that holds a ``<time>`` and no other of these links.

    Counting in one pass keeps this linear however many links a page has.
    """
    links_under: Counter[LexborNode] = Counter(
        ancestor for link in links for ancestor in _ancestors(link, limit=4))
    time_under: dict[LexborNode, LexborNode] = {}
    for time_node in tree.css("time"):
        for ancestor in _ancestors(time_node, limit=4):
            time_under.setdefault(ancestor, time_node)
    dates = []
    for link in links:
        found = None
        for ancestor in _ancestors(link, limit=4):
            if ancestor.tag in ("body", "main", "html") or links_under[ancestor] > 1:
                break
            if (time_node := time_under.get(ancestor)) is not None:
                found = normalize_date(time_node.attributes.get("datetime") or _text(time_node))
                break
        dates.append(found)
    return dates


def _links_with_dates(links: list[LexborNode], tree: LexborHTMLParser) -> list[ListingLink]:
    return [ListingLink(link.attributes.get("href") or "", _text(link), published)
            for link, published in zip(links, _dates_beside(links, tree))]


def extract_listing(html: str | bytes, base_url: str,
                    selectors: dict[str, str] | None = None, charset: str | None = None
                    ) -> Listing:
    """Links to articles on a newsroom listing page, and the next page's URL.

    Order follows the page; duplicates and non-http(s) links are dropped. ``charset``
    is the one the HTTP response declared.
    """
    selectors = selectors or {}
    tree = _parse_html(html, charset)
    candidates: list[ListingLink] = []
    if selectors.get("links"):
        matched = [node if node.tag == "a" else node.css_first("a[href]")
                   for node in tree.css(selectors["links"])]
        candidates = _links_with_dates([a for a in matched if a is not None], tree)
    else:
        rows = next((found for s in _DHS_ROWS if (found := tree.css(s))), [])
        for row in rows:
            link = _first(row, _ROW_LINK)
            if link is not None:
                candidates.append(ListingLink(link.attributes.get("href") or "", _text(link),
                                              _row_date(row), _text(_first(row, _ROW_TYPE))))
        if not candidates:  # not a Drupal listing: headline links in the main content
            scope = tree.css_first("main") or tree.body
            headlines = scope.css("h2 a[href], h3 a[href]") if scope is not None else []
            candidates = _links_with_dates(headlines, tree)
    links: list[ListingLink] = []
    seen: set[str] = set()
    for candidate in candidates:
        url = _absolute(candidate.url, base_url)
        if url and url not in seen:
            seen.add(url)
            candidate.url = url
            links.append(candidate)
    next_node = _first(tree, [selectors["next_page"]] if selectors.get("next_page") else _NEXT_PAGE)
    next_url = _absolute(next_node.attributes.get("href"), base_url) if next_node else None
    if next_url == urldefrag(base_url)[0]:
        next_url = None
    return Listing(links=links, next_url=next_url)


# --- articles -----------------------------------------------------------------------

_DHS_BODY = ["div.field--name-body", "div.field--name-field-body", "div.field-name-body",
             "div.node__content .field--type-text-with-summary"]
_DHS_TITLE = ["h1.page-title", "h1.usa-hero__heading", "main h1", "article h1", "h1"]
_DHS_TOPICS = ["ul.usa-collection__meta .usa-tag", ".field--name-field-topics a",
               ".field--name-field-tags a"]
_DHS_TYPE = [".news-type", ".field--name-field-news-type", ".field--name-field-release-type"]
_DATE_NODES = ["article time[datetime]", "main time[datetime]", "time[datetime]",
               "[itemprop=datePublished]", ".field--name-field-release-date",
               ".field--name-field-date", ".date-display-single"]
# Last resort: visible datelines and bylines ("Posted on July 2, 2025 by ...").
_DATELINES = '[class*="date"], [class*="byline"], [class*="posted"], [class*="meta"], time'

_META_DATES = ("article:published_time", "datePublished", "dcterms.date", "DC.date.issued",
               "dc.date", "date", "pubdate", "publishdate", "publish-date",
               "parsely-pub-date", "sailthru.date", "og:published_time")
_TITLE_SUFFIX = re.compile(r"\s+(?:[|–—·•»-]|::)\s+[^|–—·•»:-]{2,60}$")


def _json_ld_date(tree: LexborHTMLParser) -> str | None:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text() or "")
        except (ValueError, RecursionError):
            continue
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                if found := normalize_date(str(item.get("datePublished") or "")):
                    return found
                pending.extend(v for v in item.values() if isinstance(v, (list, dict)))
    return None


def _node_date(node: LexborNode | None) -> str | None:
    """The date an element states: its datetime or content attribute, else its text."""
    if node is None:
        return None
    return normalize_date(node.attributes.get("datetime") or node.attributes.get("content")
                          or _text(node))


def _page_date(tree: LexborHTMLParser, selector: str | None) -> str | None:
    """Publication date: configured selector, then metadata, then visible date elements."""
    if found := _node_date(_first(tree, [selector] if selector else [])):
        return found
    if found := normalize_date(_meta(tree, *_META_DATES)):
        return found
    if found := _json_ld_date(tree):
        return found
    if found := _node_date(_first(tree, _DATE_NODES)):
        return found
    for node in tree.css(_DATELINES)[:50]:
        if node.tag != "meta" and (found := normalize_date(_text(node))):
            return found
    return None


def _page_title(tree: LexborHTMLParser, selectors: list[str]) -> str | None:
    if title := _text(_first(tree, selectors)):
        return title
    if title := _meta(tree, "og:title", "twitter:title"):
        return title
    if title := _text(tree.css_first("title")):
        return _TITLE_SUFFIX.sub("", title) or title
    return None


def _generic_title(tree: LexborHTMLParser) -> str | None:
    """Headline of an arbitrary news page: og:title (minus site name), else the h1."""
    site = _meta(tree, "og:site_name")
    title = _meta(tree, "og:title", "twitter:title")
    if title and site and title.endswith(site) and title != site:
        title = _TITLE_SUFFIX.sub("", title)
    return title or _page_title(tree, ["article h1", "main h1", "h1"])


def _main_container(tree: LexborHTMLParser) -> LexborNode | None:
    """The element holding most paragraph text, skipping page furniture."""
    scores: dict[LexborNode, float] = {}
    for paragraph in tree.css("p"):
        if any(_is_noise(a) for a in _ancestors(paragraph)):
            continue
        length = len(normalize_space(paragraph.text()))
        if length < 40:
            continue
        parent = paragraph.parent
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + length
            if parent.parent is not None:
                scores[parent.parent] = scores.get(parent.parent, 0) + length / 2
    return max(scores, key=scores.__getitem__) if scores else None


def _ancestors(node: LexborNode, limit: int = 12):
    node = node.parent
    while node is not None and limit:
        yield node
        node = node.parent
        limit -= 1


def _own_generic_body(tree: LexborHTMLParser) -> str:
    """Our own main-text guess: what trafilatura cannot read, or may not (too big)."""
    container = _main_container(tree) or tree.body
    return _body_text(container) if container is not None else ""


#: Pages with more tags than this are left to our own extractor. trafilatura's time
#: grows with the element count (about 0.15 ms an element: a crafted page of 50,000
#: paragraphs took 15 s), while no page of the extraction benchmark has 3,200 tags.
TRAFILATURA_MAX_TAGS = 30_000
# trafilatura and htmldate log a warning for every page they find nothing in; with no
# handler configured, Python would print each one on stderr, which cron mails.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def _generic_body(page: str, tree: LexborHTMLParser, url: str) -> str:
    """Main text of an arbitrary news page: trafilatura's (tuned for precision, without
    reader comments) through our boilerplate rules, else our own guess.

    Headings stay in the body (the benchmark counts them as article text, and
    ``split_statements`` drops them from the statements).
    """
    text = ""
    if page.count("<") <= TRAFILATURA_MAX_TAGS:
        import trafilatura  # only here: the DHS fast path never pays for importing it

        text = trafilatura.extract(page, url=url, favor_precision=True, include_comments=False,
                                   with_metadata=False) or ""
    paragraphs = clean_paragraphs(text, keep_headings=True)
    if paragraphs:
        furniture = _marked_furniture(tree)
        paragraphs = [p for p in paragraphs
                      if not any(p == f or (len(p) > 20 and p in f) for f in furniture)]
    return "\n\n".join(paragraphs) if paragraphs else _own_generic_body(tree)


#: Only small marked elements count: a marker on a wrapper ("has-sidebar") must not
#: take the article with it. At most _FURNITURE_MAX_ELEMENTS are read, as the text of
#: each is a walk of its subtree.
_FURNITURE_MAX_CHARS = 500
_FURNITURE_MAX_ELEMENTS = 2_000


def _marked_furniture(tree: LexborHTMLParser) -> set[str]:
    """Texts of small elements whose class or id marks them as furniture (newsletter
    boxes, share bars, pull quotes, related links).

    An element inside a small marked one is already covered by it, and only the first
    _FURNITURE_MAX_ELEMENTS are read, so deep nesting cannot make this quadratic.
    """
    found: set[str] = set()
    small: set[LexborNode] = set()
    read = 0
    for node in tree.css("[class], [id]"):
        attributes = node.attributes
        if not _NOISE.search(f"{attributes.get('class') or ''} {attributes.get('id') or ''}"):
            continue
        if any(ancestor in small for ancestor in _ancestors(node)):
            continue
        read += 1
        if read > _FURNITURE_MAX_ELEMENTS:
            break
        if (text := _text(node)) and len(text) <= _FURNITURE_MAX_CHARS:
            found.add(text)
            small.add(node)
    return found


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d?)[/-](\d\d?)(?=[/._-]|$)")


def _generic_date(page: str, tree: LexborHTMLParser, url: str, found: str | None) -> str | None:
    """Publication date of an arbitrary news page, ``found`` on the page or not.

    A news site's URL carries the date in its own time zone, while metadata is often
    in UTC ("2019-11-20T02:59:46Z" for an evening story of the 19th in Minnesota): the
    URL's date wins when it is within a day of the page's. With no date on the page,
    trafilatura's metadata (htmldate) has the last word.
    """
    path = urldefrag(url)[0].split("?", 1)[0]
    in_url = _valid(*map(int, match.groups())) if (match := _URL_DATE.search(path)) else None
    if in_url and (found is None
                   or abs(date.fromisoformat(found) - date.fromisoformat(in_url)).days <= 1):
        return in_url
    if found is None and page.count("<") <= TRAFILATURA_MAX_TAGS:
        import trafilatura

        metadata = trafilatura.extract_metadata(page, default_url=url)
        found = _read_us_order(normalize_date(metadata.date) if metadata is not None else None, page)
    return found


def _read_us_order(found: str | None, page: str) -> str | None:
    """``found`` (by htmldate, which reads "11/04/2019" as 11 April) read as
    ``normalize_date`` reads numeric dates, month first, when the page writes it only
    that way round."""
    if found is None:
        return None
    year, month, day = found.split("-")
    if month == day or int(day) > 12:
        return found

    def written(first: str, second: str) -> bool:
        pattern = rf"(?<!\d)0?{int(first)}[/.-]0?{int(second)}[/.-]{year}(?!\d)"
        return re.search(pattern, page) is not None

    return f"{year}-{day}-{month}" if written(day, month) and not written(month, day) else found


def extract_article(html: str | bytes, url: str,
                    selectors: dict[str, str] | None = None, charset: str | None = None
                    ) -> Article:
    """Title, date, type, topics and cleaned body of one release or news article
    (``charset``: the one the HTTP response declared)."""
    selectors = selectors or {}
    page = _decode(html, charset)
    tree = LexborHTMLParser(page)
    published = _page_date(tree, selectors.get("date"))
    doc_type = _text(_first(tree, _DHS_TYPE))
    topics = list(dict.fromkeys(t for n in tree.css(", ".join(_DHS_TOPICS)) if (t := _text(n))))
    title_selectors = ([selectors["title"]] if selectors.get("title") else []) + _DHS_TITLE
    if selectors.get("body") and (body := _first(tree, [selectors["body"]])) is not None:
        return Article(url, _page_title(tree, title_selectors), published, _body_text(body),
                       doc_type, topics, method="selectors")
    if (body := _first(tree, _DHS_BODY)) is not None:
        return Article(url, _page_title(tree, title_selectors), published, _body_text(body),
                       doc_type, topics, method="dhs")
    title = (_text(_first(tree, [selectors["title"]])) if selectors.get("title") else None) \
        or _generic_title(tree)
    body = _generic_body(page, tree, url)
    if title and (first := body.split("\n\n", 1))[0].strip() == title.strip():
        body = first[1] if len(first) > 1 else ""  # the headline is the title, not the text
    return Article(url, title, _generic_date(page, tree, url, published), body, doc_type, topics,
                   method="generic")


def extract_text(text: str, url: str, title: str | None = None) -> Article:
    """An article from plain text (``.txt`` files, the baseline)."""
    return Article(url, title, None, "\n\n".join(clean_paragraphs(text)), method="text")


# --- feeds --------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def _refuse_unsafe_xml(data: bytes) -> None:
    """Raise unless ``data`` is free of DTDs and entity declarations.

    The byte scan also catches declarations in documents too malformed for an XML
    parser, which feedparser's lenient parser might still act on.
    """
    if match := _DECLARATION.search(data):
        raise ExtractError(f"unsafe XML: {match.group(1).decode().upper()} declarations are refused")
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                          forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise ExtractError(f"unsafe XML: {exc}") from exc
    except Exception:  # malformed but declaration-free: feedparser recovers what it can
        pass


def _struct_to_iso(value) -> str | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


def _html_to_text(fragment: str) -> str:
    if "<" not in fragment:
        return normalize_space(fragment)
    tree = LexborHTMLParser(f"<div>{fragment}</div>")
    root = tree.css_first("div")
    return "\n\n".join(_paragraphs(root)) if root is not None else ""


def parse_feed(data: bytes, base_url: str) -> list[FeedItem]:
    """Items of an RSS or Atom feed; relative links resolved, non-http(s) items dropped."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    _refuse_unsafe_xml(data)
    # Links are resolved against base_url below; no headers are passed, so "bozo" means
    # the XML itself is broken.
    parsed = feedparser.parse(data, sanitize_html=True)
    if not parsed.entries and not parsed.version:
        reason = parsed.get("bozo_exception") or "no feed or items found"
        raise ExtractError(f"not an RSS or Atom feed: {reason}")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (l.get("href") for l in entry.get("links", []) if l.get("rel") == "alternate"), None)
        url = _absolute(link, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        published = normalize_date(entry.get("published")) or normalize_date(
            _struct_to_iso(entry.get("published_parsed")))
        items.append(FeedItem(
            url=url,
            title=normalize_space(entry.get("title") or "") or None,
            published=published or normalize_date(entry.get("updated")),
            # feedparser answers "updated" with the publication date when there is none.
            updated=_struct_to_iso(dict.get(entry, "updated_parsed")),
            summary=_html_to_text(summary),
        ))
    if not items and parsed.bozo:
        # A broken document that yields nothing is a failure, unlike a valid empty feed.
        reason = parsed.get("bozo_exception") or "malformed XML"
        raise ExtractError(f"malformed feed with no usable items: {reason}")
    return items

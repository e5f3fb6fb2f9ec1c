import time
from pathlib import Path

import pytest

from monitor.extract import (
    ExtractError, extract_article, extract_listing, extract_text, normalize_date, parse_feed,
)
from monitor.statements import split_statements

SITE = Path(__file__).resolve().parent.parent / "monitor" / "sample" / "site"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = "https://www.dhs.gov/all-news-updates"


# --- dates --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("2025-01-21T12:00:00-05:00", "2025-01-21"),
    ("2025-01-21T23:30:00-05:00", "2025-01-21"),  # the date as written, not shifted to UTC
    ("2025-01-21", "2025-01-21"),
    ("January 21, 2025", "2025-01-21"),
    ("Release Date: Jan. 21, 2025", "2025-01-21"),
    ("Tuesday, Sept 3rd, 2024", "2024-09-03"),
    ("21 January 2025", "2025-01-21"),
    ("01/21/2025", "2025-01-21"),
    ("2025/01/21", "2025-01-21"),
    ("Tue, 21 Jan 2025 10:00:00 -0500", "2025-01-21"),
    ("20250121T100000Z", "2025-01-21"),
    ("February 30, 2025", None),
    ("0001-01-01T00:00:00Z", None),  # a placeholder, not a publication date
    ("13/45/2025", None),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_normalize_date(raw, expected):
    assert normalize_date(raw) == expected


# --- listings -----------------------------------------------------------------------

def test_dhs_listing_first_page_rows_and_next_link():
    listing = extract_listing((SITE / "all-news-updates").read_bytes(), BASE)
    assert len(listing.links) == 6  # five releases of 2026 back to 2025, MPP reinstated among them
    first = listing.links[0]
    assert first.url == ("https://www.dhs.gov/news/2026/11/20/"
                         "readout-secretarys-meeting-canadas-minister-public-safety")
    assert first.title == "Readout of the Secretary's Meeting with Canada's Minister of Public Safety"
    assert first.published == "2026-11-20"
    assert first.doc_type == "Readout"
    assert listing.next_url == BASE + "?page=1"
    # Navigation, footer and share links are not articles.
    assert all("/news/20" in link.url for link in listing.links)


def test_dhs_listing_pagination_ends_on_last_page():
    middle = extract_listing((SITE / "all-news-updates@page=1").read_bytes(), BASE + "?page=1")
    last = extract_listing((SITE / "all-news-updates@page=2").read_bytes(), BASE + "?page=2")
    assert middle.next_url == BASE + "?page=2"
    assert last.next_url is None
    assert [link.published for link in last.links] == sorted(
        (link.published for link in last.links), reverse=True)
    assert last.links[-1].published == "2018-01-08"


def test_listing_links_are_absolute_http_deduplicated_and_fragment_free():
    html = """<div class="news-updates views-row"><h3 class="news-updates-title">
      <a href="/news/2025/01/21/a#top">A</a></h3></div>
      <div class="news-updates views-row"><h3 class="news-updates-title"><a href="/news/2025/01/21/a">A again</a></h3></div>
      <div class="news-updates views-row"><h3 class="news-updates-title"><a href="javascript:alert(1)">x</a></h3></div>
      <div class="news-updates views-row"><h3 class="news-updates-title"><a href="mailto:a@b.gov">m</a></h3></div>
      <div class="news-updates views-row"><h3 class="news-updates-title"><a href="data:text/html,hi">d</a></h3></div>
      <div class="news-updates views-row"><h3 class="news-updates-title"><a href="b">relative</a></h3></div>
      <a class="usa-pagination__next-page" href="javascript:void(0)">Next</a>"""
    listing = extract_listing(html, "https://www.ice.gov/newsroom/")
    assert [link.url for link in listing.links] == [
        "https://www.ice.gov/news/2025/01/21/a", "https://www.ice.gov/newsroom/b"]
    assert listing.next_url is None


def test_listing_with_configured_selectors():
    html = """<ul class="releases"><li><span class="d"><time datetime="2024-05-02">May 2</time></span>
      <a class="headline" href="https://www.cbp.gov/newsroom/one">One</a></li>
      <li><a class="headline" href="/newsroom/two">Two</a></li></ul>
      <a class="headline-nav" href="/newsroom/about">About</a>
      <div class="more"><a href="/newsroom?p=2">Older</a></div>"""
    listing = extract_listing(html, "https://www.cbp.gov/newsroom",
                              {"links": "ul.releases a.headline", "next_page": "div.more a"})
    assert [(l.url, l.title, l.published) for l in listing.links] == [
        ("https://www.cbp.gov/newsroom/one", "One", "2024-05-02"),
        ("https://www.cbp.gov/newsroom/two", "Two", None)]
    assert listing.next_url == "https://www.cbp.gov/newsroom?p=2"


def test_listing_without_dhs_rows_falls_back_to_heading_links():
    html = """<nav><a href="/about">About</a></nav><main>
      <h2><a href="/stories/one">Story one</a></h2><p>teaser</p>
      <h2><a href="/stories/two">Story two</a></h2></main>"""
    listing = extract_listing(html, "https://news.example.org/")
    assert [l.url for l in listing.links] == ["https://news.example.org/stories/one",
                                              "https://news.example.org/stories/two"]


# --- articles -----------------------------------------------------------------------

def test_dhs_release_drops_release_header_contacts_and_page_furniture():
    path = SITE / "news/2021/06/01/secretary-mayorkas-terminates-migrant-protection-protocols"
    article = extract_article(path.read_bytes(), "https://www.dhs.gov/news/2021/06/01/x")
    assert article.method == "dhs"
    assert article.title == "Secretary Mayorkas Terminates the Migrant Protection Protocols Program"
    assert article.published == "2021-06-01"
    assert article.doc_type == "Press Release"
    assert article.topics == ["Border Security", "Migrant Protection Protocols"]
    assert article.text.startswith("WASHINGTON \u2013 Secretary of Homeland Security")
    for furniture in ["For Immediate Release", "202-282-8010", "Office of Public Affairs", "###",
                      "Last Updated", "Share", "Privacy Policy", "Skip to main content",
                      "Press Releases", "official website"]:
        assert furniture not in article.text
    statements = split_statements(article.text)
    assert len(statements) == 5
    assert statements[3] == ("\u201cI have determined that MPP should be terminated,\u201d "
                             "Secretary Mayorkas wrote in the memorandum.")


def test_drupal_release_without_time_element_uses_meta_and_text_dates():
    html = """<html><head><meta property="og:title" content="ICE arrests fugitive">
      <meta name="dcterms.date" content="2019-05-24T00:00:00Z"></head><body>
      <article><h1 class="page-title"><span>ICE arrests <em>fugitive</em></span></h1>
      <div class="field--name-body"><p>HOUSTON \u2014 Officers arrested a fugitive.</p>
      <p><strong>Media Contact:</strong> Jane Doe, jane.doe@ice.dhs.gov</p></div></article></body></html>"""
    article = extract_article(html, "https://www.ice.gov/news/releases/x")
    assert (article.title, article.published, article.method) == (
        "ICE arrests fugitive", "2019-05-24", "dhs")
    assert article.text == "HOUSTON \u2014 Officers arrested a fugitive."


def test_json_ld_date_when_no_meta():
    html = """<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},
      {"@type": "NewsArticle", "datePublished": "2023-06-14T09:00:00-04:00"}]}</script>
      <script type="application/ld+json">{not json</script><h1>T</h1><p>Body text here.</p>"""
    assert extract_article(html, "https://x.example/").published == "2023-06-14"


def test_configured_selectors_win():
    html = """<h1>Site name</h1><div class="hdl">Real headline</div><span class="when">03/18/2019</span>
      <div class="field--name-body"><p>Not this.</p></div><div class="copy"><p>This body.</p></div>"""
    article = extract_article(html, "https://x.example/a",
                              {"title": ".hdl", "date": ".when", "body": ".copy"})
    assert (article.title, article.published, article.text, article.method) == (
        "Real headline", "2019-03-18", "This body.", "selectors")


def test_generic_news_page_picks_the_story_not_the_chrome():
    article = extract_article((FIXTURES / "generic_news.html").read_bytes(),
                              "https://news.example.com/2020/01/22/story")
    assert article.method == "generic"
    assert article.title == "Mexico flights return migrants deep into the interior"
    assert article.published == "2020-01-22"
    statements = split_statements(article.text)
    assert statements[0].startswith("The Trump administration has started returning")
    assert statements[-1] == "A ruling is expected soon."
    for leaked in ["Subscribe", "Most read", "Comments", "cookies", "Trending", "Advertisement",
                   "photo by", "All rights reserved", "Sign up"]:
        assert leaked not in article.text


def _trafilatura_forbidden(monkeypatch):
    import trafilatura

    def refuse(*args, **kwargs):
        raise AssertionError("trafilatura must not run here")

    monkeypatch.setattr(trafilatura, "extract", refuse)
    monkeypatch.setattr(trafilatura, "extract_metadata", refuse)


def test_dhs_releases_never_go_through_trafilatura(monkeypatch):
    _trafilatura_forbidden(monkeypatch)
    for path in (SITE / "news").rglob("*"):
        if path.is_file():
            article = extract_article(path.read_bytes(), "https://www.dhs.gov/news/x")
            assert article.method == "dhs" and article.text and article.published


def test_generic_body_is_trafilaturas_through_our_boilerplate_rules():
    story = " ".join(f"Sentence {n} of the story about the new asylum rule has enough words."
                     for n in range(8))
    html = f"""<html><head><title>Rule | Daily</title></head><body><nav><a href="/">Home</a></nav>
      <article><h1>New asylum rule</h1><p>{story}</p><h2>What changes</h2><p>{story} Also this.</p>
      <p class="pull-quote">The rule changes everything for families at the border.</p>
      <p>Sign up for our newsletter alerts</p><p>Get the Daily app: click here</p>
      <p>More detail follows in the filing, officials said on Monday evening.</p></article>
      <footer>All rights reserved</footer></body></html>"""
    article = extract_article(html, "https://news.example.org/2024/05/06/rule")
    assert article.method == "generic"
    assert "What changes" in article.text.split("\n\n")  # a sub-heading of the body
    assert "newsletter" not in article.text and "app" not in article.text
    assert "changes everything" not in article.text  # trafilatura keeps the pull quote
    assert article.text.endswith("officials said on Monday evening.")
    assert "What changes" not in split_statements(article.text)


def test_pages_with_too_many_tags_skip_trafilatura(monkeypatch):
    from monitor.extract import TRAFILATURA_MAX_TAGS

    _trafilatura_forbidden(monkeypatch)
    paragraphs = "<p>A paragraph of reporting that is long enough to count here.</p>" * (
        TRAFILATURA_MAX_TAGS // 2 + 1)
    article = extract_article(f"<html><body><div>{paragraphs}</div></body></html>",
                              "https://x.example/2020/01/02/many")
    assert article.method == "generic" and article.text.startswith("A paragraph of reporting")
    assert article.published == "2020-01-02"  # from the URL; htmldate is not asked either


@pytest.mark.parametrize("url, meta, expected", [
    # Metadata in UTC for an evening story: the site's own date in the URL wins.
    ("https://n.example/2019/11/19/story/", "2019-11-20T02:59:46Z", "2019-11-19"),
    ("https://n.example/news/2019-11-19/story", "2019-11-20T02:59:46Z", "2019-11-19"),
    # A URL date far from the page's belongs to something else.
    ("https://n.example/2015/01/02/story", "2019-11-20T02:59:46Z", "2019-11-20"),
    # A placeholder date in the metadata is no date.
    ("https://n.example/2019/11/19/story", "0001-01-01T00:00:00Z", "2019-11-19"),
    ("https://n.example/story", "0001-01-01T00:00:00Z", None),
])
def test_generic_dates_from_url_and_metadata(url, meta, expected, monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract_metadata", lambda *a, **k: None)
    html = f'<meta property="article:published_time" content="{meta}"><p>Body text.</p>'
    assert extract_article(html, url).published == expected


def test_a_date_only_htmldate_finds_is_read_month_first_like_ours():
    story = "<p>" + "Words of the story follow here in plenty. " * 20 + "</p>"
    us = extract_article(f"<article><p>Filed 11/04/2019 in the archive.</p>{story}</article>",
                         "https://x.example/a")
    assert us.published == "2019-11-04"  # htmldate alone says 2019-04-11
    day_first_only = extract_article(f"<article><span>25.04.2019</span>{story}</article>",
                                     "https://x.example/b")
    assert day_first_only.published == "2019-04-25"


def test_hostile_and_malformed_html_never_crash():
    deep = "<div>" * 20_000 + "<p>Deep text survives.</p>" + "</div>" * 10
    article = extract_article(deep, "https://x.example/deep")
    assert "Deep text survives." in article.text
    garbage = b"\xff\xfe<html><p>unclosed <b>bold <a href='javascript:x'>link" + b"\x00" * 1000
    assert extract_article(garbage, "https://x.example/g").url == "https://x.example/g"
    huge = "<p>" + "word " * 2_000_000 + "</p>"
    assert extract_article(huge, "https://x.example/huge").method == "generic"
    assert extract_listing("", "https://x.example/").links == []
    assert extract_article(b"", "https://x.example/empty").text == ""


def test_listing_with_thousands_of_links_stays_linear():
    """Ten times the links cost about ten times the time, not a hundred (it was quadratic:
    minutes). Compared within the test, fastest of three each, so a busy machine slows
    both sides alike: no wall-clock limit."""
    def fastest(n: int) -> float:
        rows = "".join(f'<li><time datetime="2020-01-02">Jan 2</time><h3><a href="/n/{i}">S{i}</a>'
                       "</h3></li>" for i in range(n))
        times = []
        for _ in range(3):
            started = time.perf_counter()
            listing = extract_listing(f"<main><ul>{rows}</ul></main>", "https://x.example/")
            times.append(time.perf_counter() - started)
        assert len(listing.links) == n and listing.links[-1].published == "2020-01-02"
        return min(times)

    assert fastest(20_000) < 35 * fastest(2_000)


def test_bytes_are_decoded_with_the_declared_charset():
    html = '<meta charset="windows-1252"><div class="field--name-body"><p>Pe\xf1a Nieto said so.</p></div>'
    article = extract_article(html.encode("cp1252"), "https://x.example/")
    assert article.text == "Pe\u00f1a Nieto said so."


def test_the_http_charset_outranks_the_meta_tag_and_a_bom_outranks_both():
    body = '<meta charset="utf-8"><div class="field--name-body"><p>\u201cPe\xf1a,\u201d he said.</p></div>'
    as_1252 = body.encode("cp1252")
    assert extract_article(as_1252, "https://x.example/", charset="windows-1252").text == \
        "\u201cPe\xf1a,\u201d he said."
    # "ISO-8859-1" is read as windows-1252, as browsers do: 0x93/0x94 are curly quotes.
    assert extract_article(as_1252, "https://x.example/", charset="ISO-8859-1").text == \
        "\u201cPe\xf1a,\u201d he said."
    assert extract_article(b"\xef\xbb\xbf" + body.encode("utf-8"), "https://x.example/",
                           charset="ISO-8859-1").text == "\u201cPe\xf1a,\u201d he said."
    # Without a header the <meta> decides; an unknown charset falls back to UTF-8.
    assert extract_article(body.encode("utf-8"), "https://x.example/").text == \
        "\u201cPe\xf1a,\u201d he said."
    assert extract_article(body.encode("utf-8"), "https://x.example/", charset="x-nonsense").text == \
        "\u201cPe\xf1a,\u201d he said."


def test_extract_text_cleans_plain_text():
    article = extract_text("Real news here.\n\nCLICK HERE TO GET THE APP\n\nMore news.",
                           "file:///baseline/000.txt", title="T")
    assert (article.text, article.method, article.title, article.published) == (
        "Real news here.\n\nMore news.", "text", "T", None)


# --- feeds --------------------------------------------------------------------------

def test_rss_feed_relative_links_and_plain_text_summary():
    items = parse_feed((SITE / "uscis-news.xml").read_bytes(), "http://127.0.0.1:8000/uscis-news.xml")
    assert len(items) == 3
    first = items[0]
    assert first.url == ("http://127.0.0.1:8000/newsroom/news-releases/"
                         "uscis-extends-automatic-extension-employment-authorization")
    assert first.published == "2026-11-18"
    assert first.updated is None  # RSS gives a publication date only
    assert first.summary.startswith("U.S. Citizenship and Immigration Services will extend")
    assert "<p>" not in first.summary


def test_federal_register_feed_carries_abstracts():
    items = parse_feed((SITE / "federal-register.xml").read_bytes(),
                       "https://www.federalregister.gov/api/v1/documents.rss")
    assert [i.published for i in items] == ["2026-11-18", "2024-01-31", "2021-03-09", "2018-01-18"]
    assert all(i.url.startswith("https://www.federalregister.gov/documents/") for i in items)
    assert "facial biometrics" in items[0].summary


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ICE</title>
<entry><title>Release &amp; update</title><link rel="alternate" href="/news/releases/one"/>
<id>1</id><published>2025-01-21T23:00:00-05:00</published><updated>2025-01-22T10:00:00Z</updated>
<summary type="html">&lt;p&gt;First &lt;b&gt;bold&lt;/b&gt; line.&lt;/p&gt;&lt;p&gt;Second.&lt;/p&gt;</summary></entry>
<entry><title>Bad</title><link href="javascript:alert(1)"/><id>2</id><updated>2025-01-20T00:00:00Z</updated></entry>
<entry><title>Only updated</title><link href="https://www.ice.gov/news/two"/><id>3</id>
<updated>2025-01-19T08:00:00Z</updated><content type="text">Plain content.</content></entry>
</feed>"""


def test_atom_feed():
    items = parse_feed(ATOM, "https://www.ice.gov/feeds/news.atom")
    assert [i.url for i in items] == ["https://www.ice.gov/news/releases/one",
                                      "https://www.ice.gov/news/two"]
    one, two = items
    assert (one.title, one.published, one.updated) == (
        "Release & update", "2025-01-21", "2025-01-22T10:00:00+00:00")
    assert one.summary == "First bold line.\n\nSecond."
    assert (two.published, two.summary) == ("2025-01-19", "Plain content.")


@pytest.mark.parametrize("document", [
    b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <rss version="2.0"><channel><item><title>&xxe;</title><link>https://a.gov/x</link></item></channel></rss>""",
    b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
    <rss version="2.0"><channel><item><title>&lol3;</title></item></channel></rss>""",
    # Too malformed for an XML parser, but a lenient one might still honour the entity.
    b"""<rss version="2.0"><!doctype x [<!ENTITY e SYSTEM "http://evil.example/">]><channel><item>
    <title>&e;</title><link>https://a.gov/x</link></item><channel></rss>""",
])
def test_unsafe_xml_is_refused(document):
    with pytest.raises(ExtractError, match="unsafe XML"):
        parse_feed(document, "https://a.gov/feed")


def test_malformed_but_safe_feed_yields_what_can_be_recovered():
    broken = b"""<rss version="2.0"><channel><title>T & Co</title>
    <item><title>One</title><link>https://www.cbp.gov/a</link><pubDate>Mon, 18 Mar 2019 10:00:00 GMT</pubDate></item>
    <item><title>Two <b>unclosed</title><link>https://www.cbp.gov/b</link></item>"""
    items = parse_feed(broken, "https://www.cbp.gov/feed")
    assert [i.url for i in items][:1] == ["https://www.cbp.gov/a"]
    assert items[0].published == "2019-03-18"


def test_a_broken_feed_that_yields_nothing_is_an_error():
    with pytest.raises(ExtractError, match="malformed feed"):
        parse_feed(b"<rss><channel><item><title>unclosed", "https://a.gov/feed")


def test_a_document_that_is_not_a_feed_is_an_error():
    with pytest.raises(ExtractError, match="not an RSS or Atom feed"):
        parse_feed(b"this is not xml at all", "https://a.gov/feed")
    assert parse_feed(b'<rss version="2.0"><channel><title>Empty</title></channel></rss>',
                      "https://a.gov/feed") == []


# --- extraction evaluation ----------------------------------------------------------

def test_statement_matching_tolerates_small_differences_only():
    from monitor.evaluate_extraction import match_counts, statements_match

    gold = "Officers seized 254 pounds of fentanyl and 395 pounds of methamphetamine at the port."
    assert statements_match("  officers seized 254 pounds of fentanyl and 395 pounds of "
                            "methamphetamine at the  port. ", gold)
    assert not statements_match("Officers seized 254 pounds of fentanyl.", gold)
    assert match_counts(["A b c.", "Noise here.", "A b c."], ["A b c.", "Missing one."]) == (1, 2, 1)


def test_evaluate_scores_a_labelled_folder_and_the_cli_prints_it(tmp_path):
    import json

    from click.testing import CliRunner

    from monitor.cli import cli
    from monitor.evaluate_extraction import evaluate

    html = """<html><head><title>Hello | Site</title><meta property="og:title" content="Hello">
      <meta property="article:published_time" content="2024-02-03T10:00:00Z"></head><body>
      <div class="field--name-body"><p>First fact here. Second fact here.</p>
      <p>Sign up for our newsletter alerts</p></div></body></html>"""
    (tmp_path / "one.html").write_text(html)
    (tmp_path / "one.json").write_text(json.dumps({
        "url": "https://a.gov/one", "split": "heldout", "title": "Hello", "published": "2024-02-03",
        "statements": ["First fact here.", "Second fact here.", "A third we miss."],
        "boilerplate": ["newsletter"]}))
    ours = next(r for r in evaluate(tmp_path) if r["extractor"] == "ours")
    assert (ours["split"], ours["pages"], ours["title_accuracy"], ours["date_accuracy"]) == (
        "heldout", 1, 1.0, 1.0)
    assert (ours["precision"], round(ours["recall"], 3), ours["boilerplate_leaks"]) == (1.0, 0.667, 0)
    result = CliRunner().invoke(cli, ["evaluate-extraction", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "heldout  ours" in result.output and "trafilatura" in result.output


def test_bundled_evaluation_set_is_labelled_and_ours_holds_its_measured_quality():
    from monitor.evaluate_extraction import evaluate, load_pages

    pages = load_pages()
    assert {p.gold["split"] for p in pages} == {"dev", "heldout"}
    assert sum(p.gold["kind"] == "generic" for p in pages) >= 8
    rows = {(r["split"], r["extractor"]): r for r in evaluate()}
    assert rows[("heldout", "ours")]["f1"] >= 0.9
    assert rows[("dev", "ours")]["f1"] >= 0.95

"""Split an article body into statements, the unit everything downstream stores and classifies.

A statement is a sentence, except that a quotation stays whole and stays with its
attribution (``"We will ... dignity," the official added.``), because a quote cut
in half or separated from its speaker cannot be classified or cited.

Paragraphs that are page furniture rather than reporting (newsletter boxes, app
promotions, photo captions, copyright and syndication footers, press-office contact
lines, headline teasers) are dropped first, by rules rather than exact strings so
that newsrooms we have not seen are cleaned too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

__all__ = ["split_statements", "clean_paragraphs", "is_boilerplate", "normalize_space"]


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    # The same as re.sub(r"\s+", " ", text).strip(), four times faster: str.split(),
    # str.strip() and the regex \s agree on what is whitespace, for every code point.
    return " ".join(text.split())


# --- boilerplate ------------------------------------------------------------------

# Patterns matched at the start of a paragraph.
_OPENINGS = [
    # Newsletters, link teasers, widgets.
    r"(sign up|subscribe|register)\b.{0,80}\b(news|newsletter|updates|alerts|emails?|inbox|digest)\b",
    r"(get|receive) (our|the) .{0,40}(newsletter|updates|alerts) ",
    r"(more|further|additional) information (on|about)\b.{0,100}\b(is available|can be found)\b",
    r"you can (read|find|see|watch|view|download|listen)\b.{0,160}\bhere\b",
    r"(read|see|watch|view|download) (the )?(full|complete|entire|original)\b.{0,120}\bhere\b\W*$",
    r"(also read|read more|read also|more reading|related( stories| articles| coverage| content| news)?"
    r"|see also|recommended( for you| reading)?|more from\b.{0,40}|more on this|you may also like"
    r"|you might also like|trending( now)?|don'?t miss|must read|continue reading|watch|listen|latest)"
    r"\s*[:|»›>\-–—]",
    r"(read more|continue reading|load more|show more|see more)\W*$",
    r"(share|tweet|email|print|follow)( this| us| on| via)?\b.{0,60}$",
    r"(like|join) us on (facebook|twitter|x|instagram)",
    r"(advertisement|sponsored( content)?|promoted|story continues below|ad feedback)\W*$",
    r"(classifieds|sponsored|partner content|paid content|paid post)\s*:",
    r"(no votes yet|please wait|loading|rate this|comments?|leave a comment|post a comment"
    r"|\d+ comments?|report an error|report a typo|listen to this article)\W*",
    # Copyright and press-release furniture.
    r"(©|\(c\)|copyright\b)",
    r"for immediate release\b",
    r"editor[’']?s note\s*:",
    r"(media |press )?contacts?\s*[:\-–—]",
    r"(dhs|ice|cbp|uscis|fema|tsa)?\s*(office of )?(public affairs|press office|media relations)\b.{0,80}$",
    r"(media|press) (inquiries|contact|office)\b",
    r"(#\s*){3}$|-\s*30\s*-$|[\s*#=_\-–—~]+$",
    r"(last updated|last reviewed|updated|published|posted|page last reviewed)\s*:",
    r"(topics|tags|keywords|filed under|categories)\s*:",
    r"(photo|image|picture|video|file photo|illustration|credit)\s*(credit)?\s*[:|]",
]
# Patterns matched anywhere in a paragraph.
_ANYWHERE = [
    r"\bby (submitting|signing up|subscribing|clicking)\b.{0,80}\b(agree|consent|terms|privacy)\b",
    r"\b(enter your email|your email address)\b",
    r"\b(click|tap) here\b",
    r"\b(get|download|install)(ing)? (the|our) .{0,40}\bapp\b",
    r"\bfollow(ing)? (@\w+|us on (x|twitter|facebook|instagram|youtube|linkedin|social)\b)",
    r"\b(on|at|via) (x|twitter|facebook|instagram|youtube|linkedin|threads|tiktok)\b.{0,80}@\w+",
    r"\ball rights reserved\b",
    r"\blicensing agreement\b|\bnewsedge\b|\bsyndicat(ed|ion) (by|through|from)\b",
    r"traducido automáticamente|traducción automática|automatically translated"
    r"|machine[- ]translat|translated automatically",
    r"\b(getty images|associated press photo|ap photo|reuters/|afp via getty)\b",
]
# Patterns matched at the end of a paragraph: photo captions and image credits.
_ENDINGS = [
    r"\((?:[^()]{0,80}\b(?:photo|photograph|image|illustration|credit|via)\b[^()]{0,80})\)\W*$",
    r"\b(photo|image) (by|courtesy of|credit)\b.{0,80}$",
]


def _union(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_OPENING, _INSIDE, _ENDING = _union(_OPENINGS), _union(_ANYWHERE), _union(_ENDINGS)
# Exact prefilters. Every match of _INSIDE contains (case-insensitively) one of these
# literals, and every match of _ENDING one of the second set: each alternative needs
# one of them (checked against the parsed patterns by tests/test_equivalence.py). With
# IGNORECASE an ASCII letter in a pattern matches only itself in either case, or one
# of FOLDS_TO_ASCII; in a paragraph without those, a literal can match only where the
# lower-cased paragraph holds it. So a paragraph holding none of a set's literals
# cannot match, and the regex search (an unanchored alternation tried at every
# position: most of the cost of a paragraph) is skipped.
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"  # İ ı ſ K(elvin): i i s k
_INSIDE_NEEDLES = (
    "clicking", "signing up", "submitting", "subscribing",  # by submitting ... agree
    "enter your email", "your email address",
    " here",  # click here
    "app",  # get the ... app
    "follow",
    "@",  # on x ... @handle
    "all rights reserved",
    "licensing agreement", "newsedge", "syndicat",
    "traduc", "translat",  # traducido automáticamente, ... machine translated
    "afp via getty", "ap photo", "associated press photo", "getty images", "reuters/",
)
_ENDING_NEEDLES = ("credit", "illustration", "image", "photo", "via")
_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"\(?\b\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_LETTER = re.compile(r"[^\W\d_]")
_TERMINAL = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_TRAILING_CREDIT = re.compile(r"\([^()]{1,100}\)$")
_HEADING_MAX_WORDS = 12
_CONTACT_MAX_CHARS = 160
_LONG_PARAGRAPH = 400


def _is_all_caps(paragraph: str) -> bool:
    # Capitals counted, not letters: Korean, Chinese, Arabic... have no case at all.
    return paragraph == paragraph.upper() and sum(c.isupper() for c in paragraph) >= 8


def is_boilerplate(paragraph: str) -> bool:
    """True for a paragraph that is page furniture, not reporting.

    Besides the patterns above: all-caps lines (headline teasers, "FOR IMMEDIATE
    RELEASE"), short contact lines carrying a phone number or e-mail address, and
    short sub-headings without closing punctuation (they carry no claim of their own,
    and keeping them would glue a heading onto the next sentence in plain text).
    """
    return _is_furniture(normalize_space(paragraph))


def needle_text(text: str) -> str | None:
    """``text`` lower-cased for ``may_contain``, or None when lower-casing could hide a
    match (a character of FOLDS_TO_ASCII, which case-insensitive regexes fold to ASCII)."""
    if not text.isascii() and any(c in text for c in FOLDS_TO_ASCII):
        return None
    return text.lower()


def may_contain(lowered: str | None, needles: tuple[str, ...]) -> bool:
    """False only when ``lowered`` (None: unknown) holds none of ``needles``."""
    if lowered is None:
        return True
    for needle in needles:
        if needle in lowered:
            return True
    return False


def _is_furniture(text: str, keep_headings: bool = False) -> bool:
    """``is_boilerplate`` for a paragraph already passed through ``normalize_space``
    (``keep_headings``: without the sub-heading rule)."""
    # A pure function of the paragraph: an article's paragraphs are judged again when
    # its cleaned body is split into statements, and footers recur across a newsroom.
    # Only paragraphs up to _CACHED_MAX_CHARS are kept, so the cache stays small
    # however large the pages; the costly searches only run on shorter ones anyway.
    if len(text) <= _CACHED_MAX_CHARS:
        return (_judge_marked_cached if keep_headings else _judge_cached)(text)
    return (_judge_marked if keep_headings else _judge)(text)


def _judge(text: str) -> bool:
    """The rules of ``is_boilerplate``, uncached, on a normalised paragraph."""
    return _judge_marked(text) or (len(text.split()) <= _HEADING_MAX_WORDS
                                   and not _TERMINAL.search(text))


def _judge_marked(text: str) -> bool:
    """The rules of ``is_boilerplate`` but the sub-heading rule."""
    if not _LETTER.search(text):
        return True
    # Furniture is short; in a long paragraph only its opening can give it away.
    if _OPENING.match(text):
        return True
    if len(text) <= _LONG_PARAGRAPH:
        lowered = needle_text(text)
        if may_contain(lowered, _INSIDE_NEEDLES) and _INSIDE.search(text):
            return True
        if (may_contain(lowered, _ENDING_NEEDLES)
                and _ENDING.search(text, max(0, len(text) - 200))):
            return True
    if _is_all_caps(text):
        return True
    return len(text) <= _CONTACT_MAX_CHARS and bool(
        (_DIGIT.search(text) and _PHONE.search(text)) or ("@" in text and _EMAIL.search(text)))


_CACHED_MAX_CHARS = 1000
_judge_cached = lru_cache(maxsize=8192)(_judge)
_judge_marked_cached = lru_cache(maxsize=2048)(_judge_marked)


def _is_caption_like(paragraph: str) -> bool:
    """A line ending in a parenthesised credit, e.g. ``... interior. (DHS)``."""
    return len(paragraph) < 300 and bool(_TRAILING_CREDIT.search(paragraph))


def clean_paragraphs(text: str, keep_headings: bool = False) -> list[str]:
    """Non-empty, whitespace-normalised paragraphs of ``text`` with boilerplate removed.

    A paragraph repeated within one body is a photo caption or a pull quote: a
    caption-like one is dropped in every copy, any other is kept once. With
    ``keep_headings``, short lines without closing punctuation stay (an article
    body's sub-headings; statements never keep them).
    """
    paragraphs = [normalize_space(p) for p in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    counts = Counter(paragraphs)
    kept: list[str] = []
    seen: set[str] = set()
    for paragraph in paragraphs:
        if paragraph in seen:
            continue
        seen.add(paragraph)
        if counts[paragraph] > 1 and _is_caption_like(paragraph):
            continue
        if not _is_furniture(paragraph, keep_headings):  # already normalised
            kept.append(paragraph)
    return kept


# --- sentences ----------------------------------------------------------------------

# Candidate end of sentence: terminal punctuation, optional closing quotes/brackets,
# whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"([.!?…]+)([\"”’')\]]*)(\s+)(?=[\"“‘'(\[]?[A-Z0-9])")
_QUOTE_CHARS = re.compile(r"[\"“”]")
_LAST_WORD = re.compile(r"(\S+)$")

# Never end a sentence: titles, months, states and other abbreviations followed by a name or number.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col sgt capt cmdr adm maj cpl pvt prof sen rep gov pres sec
    supt insp det atty rev hon st mt ft jr sr para pp
    jan feb mar apr jun jul aug sep sept oct nov dec
    ala ariz ark calif colo conn fla kan kans ky md mich minn mont neb nev okla tenn tex
    vt wis wisc wyo approx dept univ assn bros vs v cf e.g i.e""".split()
)
# Can end a sentence, or are also ordinary words ("said no.", "fell ill."): these end
# one only before a typical sentence opener.
_SOMETIMES_FINAL = frozenset(
    """etc inc corp co ltd llc a.m p.m no nos vol art ch fig est del ga ill ind la mass
    miss mo ore pa va wash""".split()
)
_SENTENCE_OPENERS = frozenset(
    """the a an this that these those it its he she they we i you there here his her their
    our in on at for but and or so yet if when while after before as since although
    however meanwhile officials according""".split()
)
# A quote ending in "." followed by its speaker: ``"... stay." Kelly said.``
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w.'’\-]*\s+){0,4}(?:said|says|added|adds|told|stated|noted|explained|wrote"
    r"|continued|argued|warned|insisted|recalled|concluded|declared)\b"
)


def _quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of balanced double-quoted passages; an unclosed quote protects nothing."""
    spans = []
    opened_at: int | None = None
    opener = ""
    for match in _QUOTE_CHARS.finditer(paragraph):
        char, position = match.group(), match.start()
        if opened_at is None:
            if char != "”":
                opened_at, opener = position, char
        elif char == "”" or (char == '"' and opener == '"'):
            spans.append((opened_at, position))
            opened_at = None
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` falls inside one of the sorted, disjoint ``spans``."""
    index = bisect_right(spans, (position, position)) - 1
    return index >= 0 and spans[index][0] < position < spans[index][1]


def _ends_sentence(paragraph: str, match: re.Match, spans: list[tuple[int, int]]) -> bool:
    punctuation, closers, _ = match.groups()
    if spans and _inside(match.start(3), spans):
        return False
    following = paragraph[match.end():match.end() + 80]
    if any(q in closers for q in "\"”") and _ATTRIBUTION.match(following):
        return False
    if punctuation != "." or closers:
        return True
    word = _LAST_WORD.search(paragraph, max(0, match.start() - 40), match.start())
    token = word.group(1).lstrip("(\"“‘'[").lower() if word else ""
    if token in _ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isalpha():  # an initial: "John F. Kennedy"
        return False
    if token in _SOMETIMES_FINAL or (len(token) >= 3 and token.count(".") >= 1
                                     and all(len(p) == 1 for p in token.split("."))):
        # Dotted acronyms (U.S., D.C., a.m.) end a sentence only before a typical opener.
        next_word = following.split(" ", 1)[0].strip("\"“‘'([").lower()
        return next_word in _SENTENCE_OPENERS
    return True


def _split_paragraph(paragraph: str) -> list[str]:
    spans = _quote_spans(paragraph)
    sentences = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if _ends_sentence(paragraph, match, spans):
            sentences.append(paragraph[start:match.start(3)])
            start = match.end()
    sentences.append(paragraph[start:])
    return [s for s in sentences if _LETTER.search(s)]


def split_statements(text: str) -> list[str]:
    """The statements of an article body, in order, boilerplate removed.

    Paragraphs are separated by newlines (blank or not); whitespace is normalised.
    """
    statements: list[str] = []
    for paragraph in clean_paragraphs(text):
        statements.extend(_split_paragraph(paragraph))
    return statements

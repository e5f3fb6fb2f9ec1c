"""The fast paths in statements, classify and extract give exactly what the plain code gives.

Each optimisation skips work it can prove useless (a regex search on text that lacks
every literal the regex needs; a second normalisation; one CSS query per meta name);
these tests compare against the straightforward implementations on the packaged
pages and texts, and check that every prefilter literal really is required.
"""

import json
import re
import sys
from itertools import product
from pathlib import Path

import pytest

from monitor import extract, statements
from monitor.classify import cues

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    [p for p in (ROOT / "monitor" / "sample" / "site").rglob("*")
     if p.is_file() and (p.suffix == ".html" or "." not in p.name)]
    + list((ROOT / "monitor" / "data" / "extraction").glob("*.html"))
    + list((Path(__file__).resolve().parent / "fixtures").glob("*.html")))


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "monitor" / "baseline").glob("*.txt"))]
    with open(ROOT / "monitor" / "data" / "devset.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                doc = json.loads(line)
                texts += [doc["title"], doc["text"]]
    for page in PAGES:
        tree = extract._parse_html(page.read_bytes())
        if tree.body is not None:
            texts.append("\n".join(extract._paragraphs(tree.body)))
    return texts


TEXTS = _texts()
PARAGRAPHS = sorted({line for text in TEXTS for line in text.splitlines() if line.strip()})


# --- the straightforward implementations -------------------------------------------

_SPACE = re.compile(r"\s+")


def reference_normalize_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def reference_is_boilerplate(paragraph: str) -> bool:
    s = statements
    text = reference_normalize_space(paragraph)
    if not s._LETTER.search(text):
        return True
    if s._OPENING.match(text) or (len(text) <= s._LONG_PARAGRAPH and (
            s._INSIDE.search(text) or s._ENDING.search(text, max(0, len(text) - 200)))):
        return True
    if s._is_all_caps(text):
        return True
    if len(text) <= s._CONTACT_MAX_CHARS and (s._PHONE.search(text) or s._EMAIL.search(text)):
        return True
    return len(text.split()) <= s._HEADING_MAX_WORDS and not s._TERMINAL.search(text)


def reference_cue_matches(text: str) -> dict[str, str]:
    lowered = text.lower()
    source = text if len(lowered) == len(text) else lowered
    found = {}
    for name, pattern in cues._COMPILED.items():
        match = pattern.search(lowered)
        if match:
            found[name] = source[match.start():match.end()].strip()
    overridden = {dropped for name in cues.CUE_OVERRIDES if name in found for dropped in cues.CUE_OVERRIDES[name]}
    found = {name: match for name, match in found.items() if name not in overridden}
    for name, parts in cues.COMBOS.items():
        if all(p in found for p in parts):
            found[name] = " + ".join(found[p] for p in parts)
    return found


def reference_meta(tree, *names):
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            node = tree.css_first(f'meta[{attribute}="{name}"]')
            if node is not None and (content := reference_normalize_space(node.attributes.get("content") or "")):
                return content
    return None


# --- outputs ----------------------------------------------------------------------

def test_normalize_space_matches_the_regex_on_every_whitespace_character():
    every_space = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    samples = PARAGRAPHS + [every_space, f"{every_space}a{every_space}b{every_space}", "", " x "]
    samples += [f"a{c}b{c}{c}c" for c in every_space]
    assert [statements.normalize_space(t) for t in samples] == [reference_normalize_space(t) for t in samples]


def test_is_boilerplate_unchanged_on_every_packaged_paragraph():
    tricky = ["İmage by Getty İmages", "Photo (credıt: DHS)", "Subſcribe: get our app", "Follow uſ @DHSgov",
              "Click HERE for more", "Downloaded via Kelvin (K) photo credit",
              "Sign up for our newsletter. " + "The rule applies. " * 80,  # long: not cached
              "The rule applies. " * 80 + "Click here (photo credit: AP)", "HEADLINE " * 150]
    samples = PARAGRAPHS + tricky
    assert [statements.is_boilerplate(p) for p in samples] == [reference_is_boilerplate(p) for p in samples]


def test_split_and_cues_unchanged_on_every_packaged_statement():
    for text in TEXTS:
        found = statements.split_statements(text)
        reference = [s for p in _reference_clean(text) for s in statements._split_paragraph(p)]
        assert found == reference
        for statement in found:
            assert cues.cue_matches(statement) == reference_cue_matches(statement)


def _reference_clean(text: str) -> list[str]:
    paragraphs = [p for p in (reference_normalize_space(p) for p in text.splitlines()) if p]
    kept, seen = [], set()
    for paragraph in paragraphs:
        if paragraph in seen:
            continue
        seen.add(paragraph)
        if paragraphs.count(paragraph) > 1 and statements._is_caption_like(paragraph):
            continue
        if not reference_is_boilerplate(paragraph):
            kept.append(paragraph)
    return kept


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_meta_lookup_unchanged(page):
    tree = extract._parse_html(page.read_bytes())
    for names in (extract._META_DATES, ("og:title", "twitter:title"), ("og:site_name",)):
        assert extract._meta(tree, *names) == reference_meta(tree, *names)


# --- the prefilter literals are required ------------------------------------------
#
# A pattern is parsed (re's own parser) and walked: a run of items each matching one
# of finitely many strings (literals, small alternations and classes, optional parts,
# zero-width assertions) is covered when every string it can match holds a needle; a
# sequence is covered when any part of it is; an alternation when every branch is.

from re import _constants as C, _parser  # noqa: E402  (re's own parser, Python 3.11+)

_LIMIT = 5000


def _language(op, av):
    if op is C.LITERAL:
        return {chr(av)}
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}
    if op is C.IN:
        chars = set()
        for o, a in av:
            if o is C.LITERAL:
                chars.add(chr(a))
            elif o is C.RANGE and a[1] - a[0] < 30:
                chars |= {chr(c) for c in range(a[0], a[1] + 1)}
            else:
                return None
        return chars
    if op is C.SUBPATTERN:
        return _sequence_language(av[3])
    if op is C.BRANCH:
        branches = [_sequence_language(b) for b in av[1]]
        return None if None in branches else set().union(*branches)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[1] <= 3:
        body = _sequence_language(av[2])
        if body is None:
            return None
        out = {"".join(t) for n in range(av[0], av[1] + 1) for t in product(body, repeat=n)}
        return out if len(out) < _LIMIT else None
    return None


def _sequence_language(items):
    out = {""}
    for op, av in items:
        language = _language(op, av)
        if language is None:
            return None
        out = {a + b for a in out for b in language}
        if len(out) > _LIMIT:
            return None
    return out


def _covered(items, hit) -> bool:
    run = {""}
    for op, av in list(items) + [(None, None)]:
        language = _language(op, av) if op is not None else None
        if language is not None:
            run = {a + b for a in run for b in language}
            if len(run) <= _LIMIT:
                continue
        if run != {""} and len(run) <= _LIMIT and all(hit(s) for s in run):
            return True
        run = {""}
        if op is None:
            return False
        if language is None and _item_covered(op, av, hit):
            return True
    return False


def _item_covered(op, av, hit) -> bool:
    if op is C.SUBPATTERN:
        return _covered(av[3], hit)
    if op is C.BRANCH:
        return all(_covered(b, hit) for b in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return av[0] >= 1 and _covered(av[2], hit)
    return False


def covers(pattern: str, needles, flags: int = 0) -> bool:
    """Every match of ``pattern`` holds one of ``needles`` (lower-cased, under IGNORECASE)."""
    fold = str.lower if flags & re.IGNORECASE else str
    return _covered(_parser.parse(pattern, flags), lambda s: any(n in fold(s) for n in needles))


def test_the_coverage_check_catches_a_missing_literal():
    assert covers(r"\b(?:up|down) from\b", ("up from", "down from"))
    assert not covers(r"\b(?:up|down) from\b", ("up from", "dow from"))
    assert not covers(r"\bfoo\w*|bar", ("foo",))
    assert covers(r"\bab?c\b", ("ac", "bc"))


@pytest.mark.parametrize("name", sorted(cues._CUE_NEEDLES))
def test_cue_needles_are_required(name):
    needles = cues._CUE_NEEDLES[name]
    assert covers(cues.CUES[name], needles)
    for needle in needles:  # and each one is needed
        assert not covers(cues.CUES[name], tuple(n for n in needles if n != needle)), needle


def test_cue_gate_pieces_come_from_the_needles():
    for name, _, needles, pieces, short in cues._CUE_SEARCH:
        if needles is None:  # a cue matching only from a digit, or such an alternative of one
            assert name not in cues._CUE_NEEDLES or name in cues._CUE_PARTS
            continue
        assert all(len(n) < cues._GRAM for n in short)
        for needle in needles:
            assert needle in short or any(len(p) == cues._GRAM and p in needle for p in pieces)


def test_boilerplate_needles_are_required():
    assert all(n.isascii() and n == n.lower() for n in statements._INSIDE_NEEDLES + statements._ENDING_NEEDLES)
    assert covers(statements._INSIDE.pattern, statements._INSIDE_NEEDLES, re.IGNORECASE)
    assert covers(statements._ENDING.pattern, statements._ENDING_NEEDLES, re.IGNORECASE)
    assert covers(statements._EMAIL.pattern, ("@",))


def test_only_the_listed_characters_fold_onto_ascii_letters():
    folding = {chr(c) for c in range(128, sys.maxunicode + 1)
               if re.fullmatch(r"[a-z]", chr(c), re.IGNORECASE)}
    assert folding == set(statements.FOLDS_TO_ASCII)

"""The batched and prefiltered paths in monitor.classify give exactly what the plain code gives.

Classifying a document now gates cue searches for all its statements at once, scores
their nearest examples in numpy, rounds the evidence's numbers in numpy, prefilters
the metric patterns, and blends the nearest examples' vote and the document's support
in Python floats. Each is compared here with the straightforward implementation it
replaced (kept below), on the packaged texts and on cases made to hit the edges: tied
similarities, a background, values next to a rounding half, non-ASCII text. The
prefilter literals are checked against the parsed patterns as in tests/test_equivalence.py.
"""

import heapq
import json
import math
import random
import re
from collections import Counter, defaultdict

import numpy as np
import pytest
from test_equivalence import TEXTS, covers, reference_cue_matches

from monitor import classify
from monitor.classify import cues, model, tfidf
from monitor.statements import split_statements

DEVSET = classify.load_devset()
BASELINE = classify.load_gold_baseline()
STATEMENTS = sorted({s for text in TEXTS for s in split_statements(text)}
                    | {d["title"] for d in DEVSET} | {s["text"] for d in BASELINE for s in d["statements"]})
TRICKY = ["", "a", "ice", "Fy 2024 TPS", "İce dhs", "paſſengers ſcreened: 1,200", "K\u212a-9 unit",
          "no\0longer policy\0", "“We will end it,” she said.", "café déjà vu — rule’s end", "2024 rule",
          "Secretary Mayorkas today announced the end of the policy.", "1234567", "۱۲۳۴ encounters"]


# --- the straightforward implementations -------------------------------------------

class ReferenceIndex:
    """TfidfIndex as it was: a dict of postings lists, a dict of sums per query, nlargest."""

    def __init__(self, texts, background=()):
        bags = [tfidf.TfidfIndex._terms(t) for t in texts]
        self._df = Counter(term for bag in bags for term in bag)
        self._background_df = Counter(term for text in background for term in tfidf.TfidfIndex._terms(text))
        self._total = len(texts) + len(background)
        self.index = defaultdict(list)
        for i, bag in enumerate(bags):
            for term, weight in self._weigh(bag).items():
                self.index[term].append((i, weight))

    def _idf(self, term):
        n = self._df.get(term, 0) + self._background_df.get(term, 0)
        return math.log((1 + self._total) / (1 + n)) + 1 if n else None

    def _weigh(self, bag):
        weights = {t: (1 + math.log(n)) * idf for t, n in bag.items() if (idf := self._idf(t)) is not None}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def nearest(self, text, k):
        scores = defaultdict(float)
        for term, weight in self._weigh(tfidf.TfidfIndex._terms(text)).items():
            for i, other in self.index.get(term, ()):
                scores[i] += weight * other
        return heapq.nlargest(k, scores.items(), key=lambda item: item[1])


def reference_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reference_blend(m, p, tops):
    """The vote blended in numpy, row by row where the examples voted."""
    votes = []
    for top in tops:
        vote = [0.0] * len(classify.LABELS)
        for j, sim in top:
            vote[m._label_index[j]] += sim
        votes.append(vote)
    votes = np.array(votes).reshape(len(tops), len(classify.LABELS))
    total = votes.sum(axis=1)
    voted = total > 0
    p[voted] = (1 - model.KNN_WEIGHT) * p[voted] + model.KNN_WEIGHT * votes[voted] / total[voted, None]
    return p


def reference_support(column):
    top = np.sort(column)[::-1]
    return float(min(1.0, top[0] + model.SECOND_STATEMENT_WEIGHT * (top[1] if len(top) > 1 else 0.0)))


def reference_document_features(m, x, titled):
    s = model._STATEMENT_FEATURES
    offset = 1 if titled else 0
    head = x[0, :s] if titled else np.zeros(s)
    title = x[0, s:] if titled else np.zeros(len(cues.TITLE_CUES))
    body = x[offset:, :s]
    if not len(body):
        body = np.zeros((1, s))
    p = reference_softmax(x @ m.coef.T + m.intercept)
    weights = np.array([model.HEADLINE_WEIGHT] * offset + [1.0] * model.LEAD_STATEMENTS
                       + [model.BODY_WEIGHT] * len(x))[:len(x), None]
    support = [reference_support((p * weights)[:, k]) for k in range(len(classify.PRECEDENCE))]
    return np.concatenate([head, title, body[:model.LEAD_STATEMENTS].max(axis=0), body.max(axis=0),
                           body.mean(axis=0), support])


# --- nearest examples ----------------------------------------------------------------

def test_nearest_matches_the_plain_loop_on_the_model_index():
    texts = [e.text for e in classify.default_model().examples]
    index, reference = tfidf.TfidfIndex(texts), ReferenceIndex(texts)
    queries = STATEMENTS + TRICKY
    for k in (model.KNN_K, len(texts)):
        assert index.nearest_many(queries, k) == [reference.nearest(q, k) for q in queries]
    assert [index.nearest(q, 3) for q in queries[:300]] == index.nearest_many(queries[:300], 3)


def test_nearest_with_a_background_as_history_links_documents():
    background = tuple(f"{d['title']}\n{d['text']}" for d in DEVSET)
    texts = [f"{d['title']}\n{d['text']}" for d in DEVSET[:40]]
    for size in (1, 3, 40):
        index, reference = tfidf.TfidfIndex(texts[:size], background), ReferenceIndex(texts[:size], background)
        for query in texts[::5] + TRICKY:
            assert index.nearest(query, size) == reference.nearest(query, size)


def test_tied_similarities_keep_the_order_the_dict_had():
    # Duplicates tie exactly, and the query meets some of them before lower-numbered ones.
    texts = ["red apple pie", "green pear", "red apple pie", "pear tart", "green pear", "apple", "tart pear"]
    index, reference = tfidf.TfidfIndex(texts), ReferenceIndex(texts)
    for query in ("green pear apple", "pear red apple pie", "apple", "tart green", "tart pear", "nothing here"):
        for k in (1, 2, 3, 7, 10):
            assert index.nearest(query, k) == reference.nearest(query, k), (query, k)
    # Equal scores met in the query's order, not the examples' ("yak" before "zebra").
    texts = ["zebra", "yak", "gnu"]
    index, reference = tfidf.TfidfIndex(texts), ReferenceIndex(texts)
    assert [i for i, _ in reference.nearest("yak zebra gnu", 3)] == [1, 0, 2]
    for k in (1, 2, 3, 4):
        assert index.nearest("yak zebra gnu", k) == reference.nearest("yak zebra gnu", k)


def test_tokens_are_the_token_regex_matches():
    texts = [t.lower() for t in TEXTS + STATEMENTS + TRICKY] + [
        "'quoted' words", "well-known -- dhs's 'x'", "a-", "-b", "''", "a'-b", "x\ud800y", "tab\tnew\nline"]
    rng = random.Random(8)
    alphabet = "ab09'- \t\n’é\u00a0\u2028-"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(50_000)]
    assert [tfidf._tokens(t) for t in texts] == [tfidf._TOKEN.findall(t) for t in texts]


def test_nearest_edge_cases():
    assert tfidf.TfidfIndex([]).nearest("anything", 3) == []
    assert tfidf.TfidfIndex(["a text"]).nearest("a text", 0) == []
    assert tfidf.TfidfIndex(["a text"]).nearest_many([], 3) == []


# --- cues ------------------------------------------------------------------------------

def test_cue_matches_for_a_whole_document_match_one_at_a_time():
    for doc in DEVSET:
        statements = [doc["title"]] + split_statements(doc["text"])
        assert classify.cue_matches_many(statements) == [reference_cue_matches(s) for s in statements]
    assert classify.cue_matches_many(TRICKY) == [reference_cue_matches(s) for s in TRICKY]
    found = classify.cue_matches_many(STATEMENTS)
    assert all(list(f) == list(reference_cue_matches(s)) for f, s in zip(found, STATEMENTS))  # order too


def test_remembered_words_are_forgotten_in_one_go_and_gated_again(monkeypatch):
    monkeypatch.setattr(cues, "_WORD_GATES", {})
    monkeypatch.setattr(cues, "_WORDS_REMEMBERED", 60)
    for doc in DEVSET[:30]:
        statements = [doc["title"]] + split_statements(doc["text"])
        assert classify.cue_matches_many(statements) == [reference_cue_matches(s) for s in statements]
        words = {word for s in statements for word in s.lower().split()}
        assert words <= cues._WORD_GATES.keys()
        assert len(cues._WORD_GATES) <= max(60, len(words))
    assert classify.cue_matches_many(TRICKY) == [reference_cue_matches(s) for s in TRICKY]


def test_pieces_held_are_the_pieces_each_text_contains():
    texts = [t.lower() for t in STATEMENTS + TRICKY]
    assert cues._pieces_held(texts) == [
        {i for i, piece in enumerate(cues._PIECES) if piece in text} for text in texts]
    assert cues._pieces_held([]) == []


def _starts_with_digit(items) -> bool:
    """Every string ``items`` match starts with a digit (zero-width items skipped)."""
    from re import _constants as C
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op is C.SUBPATTERN:
            return _starts_with_digit(av[3])
        if op is C.BRANCH:
            return all(_starts_with_digit(branch) for branch in av[1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            return av[0] >= 1 and _starts_with_digit(av[2])
        return (op is C.IN and av == [(C.CATEGORY, C.CATEGORY_DIGIT)]) or (op is C.LITERAL and chr(av).isdigit())
    return False


@pytest.mark.parametrize("name", cues._DIGIT_CUES)
def test_digit_cues_match_only_from_a_digit(name):
    from re import _parser
    assert name not in cues._CUE_NEEDLES
    assert _starts_with_digit(_parser.parse(cues.CUES[name]))
    assert not _starts_with_digit(_parser.parse(cues.CUES["period"]))  # the check can fail


@pytest.mark.parametrize("name", sorted(cues._CUE_PARTS))
def test_cues_searched_by_parts_are_their_alternatives_with_their_needles(name):
    from re import _parser
    parts = cues._alternatives(cues.CUES[name])
    # Split at top level: each part is a whole pattern (a cut inside a group or a class
    # would leave one unbalanced), and together they are the cue's pattern.
    assert len(parts) > 1 and "|".join(parts) == cues.CUES[name]
    assert all(re.compile(part) for part in parts)
    for part, needles in zip(parts, cues._CUE_PARTS[name], strict=True):
        if needles is None:
            assert _starts_with_digit(_parser.parse(part)), part
            continue
        assert covers(part, needles), part
        for needle in needles:  # and each one is needed
            assert not covers(part, tuple(n for n in needles if n != needle)), (part, needle)


def test_the_leftmost_part_is_the_whole_patterns_match():
    texts = [t.lower() for t in STATEMENTS + TRICKY] + [
        "since oct. 1 and in may, up from last year, the previous year", "2019 rule and a prior policy",
        "in 2020 policy was ended", "a trump-era rule, compared with the previous administration"]
    searches = [entry for entry in cues._CUE_SEARCH if entry[0] in cues._CUE_PARTS]
    for text in texts:
        for name in cues._CUE_PARTS:
            whole = cues._COMPILED[name].search(text)
            matches = [m for entry in searches if entry[0] == name if (m := entry[1].search(text))]
            first = min(matches, key=lambda m: m.start(), default=None)  # min keeps the first on a tie
            assert (first and first.span()) == (whole and whole.span()), (name, text)


# --- the statements' and the document's probabilities ---------------------------------

def _documents():
    for doc in DEVSET + [{"title": None, "text": text} for text in TRICKY if text]:
        yield doc["title"], split_statements(doc["text"])
    for doc in BASELINE:
        yield doc["title"], [s["text"] for s in doc["statements"]]
    yield "A headline alone", []


def test_vote_blend_and_document_features_match_numpy():
    m = classify.default_model()
    for title, statements in _documents():
        units = ([title] if title else []) + statements
        if not units:
            continue  # classify answers "no text" before any of this
        found = model._with_context(classify.cue_matches_many(units), model._context_titles(title, len(units)),
                                    units)
        x = cues.features(found)
        z = x @ m.coef.T + m.intercept
        p = model._softmax(z)
        assert np.array_equal(p, reference_softmax(z))
        tops = m.tfidf.nearest_many(units, model.KNN_K)
        assert m._blend(p.tolist(), tops) == reference_blend(m, p.copy(), tops).tolist()
        features = m._document_features(x, bool(title), p.tolist())
        assert np.array_equal(features, reference_document_features(m, x, bool(title)))
        assert np.array_equal(features, m._document_features(x, bool(title)))  # as the fit computes it


# --- rounding --------------------------------------------------------------------------

def test_rounded_is_round():
    rng = np.random.default_rng(7)
    values = [float(v) for v in rng.random(200_000)] + [0.0, 1.0, 0.5, 0.0625, 0.0005, 0.9995, 1e-9, 0.1235]
    for k in range(1000):  # next to every half: k.5 / 1000 and its neighbours
        half = (k + 0.5) / 1000
        values += [half, math.nextafter(half, 0), math.nextafter(half, 1)]
    rounded = model._rounded(np.array(values))
    assert [repr(r) for r in rounded] == [repr(round(v, 3)) for v in values]
    matrix = np.array(values[:400]).reshape(100, 4)
    assert model._rounded(matrix) == [[round(v, 3) for v in row] for row in matrix.tolist()]
    assert model._rounded(np.array([])) == []


def test_evidence_numbers_are_plain_floats():
    # The evidence is stored as JSON and compared as text: no numpy scalars in it.
    doc = DEVSET[0]
    result = classify.classify_document(doc["title"], split_statements(doc["text"]), doc["published"])
    for statement in result.statements:
        assert type(statement.confidence) is float
        assert all(type(v) is float for v in statement.evidence["scores"].values())
        assert all(type(n["similarity"]) is float for n in statement.evidence["nearest"])
        assert all(type(c["weight"]) is float for c in statement.evidence["cues"])
        json.dumps(statement.evidence)

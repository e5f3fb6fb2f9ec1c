"""A small TF-IDF index: the nearest labelled examples of a statement, and similarity
between stored documents (``monitor.history``)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import chain, compress, count, filterfalse
from operator import itemgetter, mul

import numpy as np


#: The smallest positive float: a score at least this is above 0 (scores are never negative).
_SMALLEST = np.finfo(float).smallest_subnormal
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
#: UTF-8 bytes: a token's characters kept, every other byte a space (see ``_tokens``).
_TOKEN_BYTES = bytes(c if c in b"abcdefghijklmnopqrstuvwxyz0123456789'-" else 32 for c in range(256))
#: Where a separator (' or -) stands next to no letter or digit on one side.
_LOOSE_SEPARATORS = ("''", "'-", "-'", "--", " '", "' ", " -", "- ")
_STOPWORDS = frozenset(
    """a an and are as at be been by for from had has have he her his in into is it its of on or
    our said says that the their them they this to was were which who will with would""".split())


def _tokens(lowered: str) -> list[str]:
    """``_TOKEN.findall(lowered)``, mostly without the regex: with every character but a
    token's made a space, the words are the tokens, unless a separator stands next to no
    letter or digit ("'quoted'", "--"), which the regex leaves out; then it is used."""
    spaced = lowered.encode("utf-8", "surrogatepass").translate(_TOKEN_BYTES).decode("ascii")
    if ("'" in spaced or "-" in spaced) and (
            spaced.startswith(("'", "-")) or spaced.endswith(("'", "-"))
            or any(map(spaced.__contains__, _LOOSE_SEPARATORS))):
        return _TOKEN.findall(lowered)
    return spaced.split()


@lru_cache(maxsize=4)
def _document_frequencies(texts: tuple[str, ...]) -> Counter:
    """In how many of ``texts`` each term occurs; a background is counted once per process."""
    return Counter(term for text in texts for term in TfidfIndex._terms(text))


def _bigrams(terms) -> frozenset[tuple[str, str]]:
    """The word pairs of the bigrams among ``terms``."""
    return frozenset(tuple(term.split(" ")) for term in terms if " " in term)


@lru_cache(maxsize=4)
def _background_bigrams(texts: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return _bigrams(_document_frequencies(texts))


class TfidfIndex:
    """Word unigram+bigram TF-IDF (sublinear tf, smooth idf, unit length) with an inverted index.

    ``nearest_many`` scores a whole document's statements with a few numpy calls instead
    of a Python loop over every shared example, and gives exactly the similarities and
    order the loop gave (see there).
    """

    def __init__(self, texts: list[str], background: tuple[str, ...] = (),
                 bags: list[Counter] | None = None):
        """Index ``texts``; ``background`` texts only count towards document frequencies,
        so a handful of candidates still gets realistic weights for common words.
        ``bags``, each text's ``_terms``, spare tokenising texts indexed before."""
        bags = [self._terms(t) for t in texts] if bags is None else bags
        self._df = Counter(term for bag in bags for term in bag)
        self._background_df = _document_frequencies(background)
        self._total = len(texts) + len(background)
        #: idf of every indexed term, computed once (a query looks up ~25 terms).
        self._index_idf = {term: self._smooth_idf(n + self._background_df.get(term, 0))
                           for term, n in self._df.items()}
        self._known_bigrams = _bigrams(self._df) | _background_bigrams(background)
        self.size = len(texts)
        self._example_terms = []  # per text, its weighted terms: breaks ties like the loop did
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(bags):
            weights = self._weigh(bag)
            self._example_terms.append(weights.keys())
            for term, weight in weights.items():
                postings[term].append((i, weight))
        # Every term's postings (text index ascending, weight) in one pair of arrays, term
        # after term: a term's id is its place in that order, and ``_starts``/``_lengths``
        # say where its run lies. Two arrays for the whole index, not two per term, keep
        # building an index cheap. Id 0 is no term, so ``filter(None, ...)`` drops the
        # words the index lacks.
        self._ids: dict[str | tuple[str, str], int] = {}  # a unigram, or a bigram's two words
        self._term_of, self._idf, starts, lengths = [None], [0.0], [0], [0]
        flat: list[tuple[int, float]] = []
        for term, posting in postings.items():
            self._ids[tuple(term.split(" ")) if " " in term else term] = len(self._term_of)
            self._term_of.append(term)
            self._idf.append(self._index_idf[term])
            starts.append(len(flat))
            lengths.append(len(posting))
            flat += posting
        self._starts = np.array(starts, dtype=np.intp)
        self._lengths = np.array(lengths, dtype=np.intp)
        self._posting_texts = np.array([i for i, _ in flat], dtype=np.intp)
        self._posting_weights = np.array([w for _, w in flat], dtype=float)

    @staticmethod
    def _terms(text: str) -> Counter:
        words = [w for w in _tokens(text.lower()) if w not in _STOPWORDS]
        return Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:])])

    def _query(self, text: str) -> tuple[list[int], list[float], float]:
        """What ``_weigh(_terms(text))`` gives, before dividing by the norm: the ids of the
        terms the index holds and their weights, in order, and the norm of all the
        weights (a term only the background holds counts towards it).

        Terms are looked up by their words, so no bigram string is built: nine in ten of
        a new sentence's bigrams are in no text, and most terms occur once."""
        words = list(filterfalse(_STOPWORDS.__contains__, _tokens(text.lower())))
        if self._background_df:
            return self._query_with_background(words)
        # map and filter rather than comprehensions: the loops run in C.
        get, idf = self._ids.get, self._idf
        ids = list(filter(None, map(get, words)))
        ids += filter(None, map(get, zip(words, words[1:])))
        if len(set(ids)) == len(ids):
            weights = list(map(idf.__getitem__, ids))
        else:
            counts = Counter(ids)
            ids = list(counts)
            weights = [idf[i] if n == 1 else (1 + math.log(n)) * idf[i] for i, n in counts.items()]
        return ids, weights, math.sqrt(sum(map(mul, weights, weights))) or 1.0

    def _query_with_background(self, words: list[str]) -> tuple[list[int], list[float], float]:
        """``_query`` where a term only the background holds has a weight too."""
        known = self._known_bigrams
        bag = Counter(words + [" ".join(pair) for pair in zip(words, words[1:]) if pair in known])
        ids, weights, squares = [], [], []
        for term, n in bag.items():
            i = self._ids.get(tuple(term.split(" ")) if " " in term else term)
            if i is not None:
                idf = self._idf[i]
            elif df := self._background_df.get(term):
                idf = self._smooth_idf(df)
            else:
                continue
            weight = idf if n == 1 else (1 + math.log(n)) * idf
            if i is not None:
                ids.append(i)
                weights.append(weight)
            squares.append(weight * weight)
        return ids, weights, math.sqrt(sum(squares)) or 1.0

    def _smooth_idf(self, n: int) -> float:
        return math.log((1 + self._total) / (1 + n)) + 1

    def _weigh(self, bag: Counter) -> dict[str, float]:
        """Unit-length weights of a bag's terms; a term neither the texts nor the
        background contain has no idf and is left out."""
        index_idf, background_df = self._index_idf, self._background_df
        weights = {}
        for term, n in bag.items():
            idf = index_idf.get(term)
            if idf is None:
                if not (df := background_df.get(term)):
                    continue
                idf = self._smooth_idf(df)
            # (1 + log 1) * idf is idf: most terms occur once, so skip the arithmetic.
            weights[term] = idf if n == 1 else (1 + math.log(n)) * idf
        norm = math.sqrt(sum([w * w for w in weights.values()])) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def nearest(self, text: str, k: int) -> list[tuple[int, float]]:
        """The k most similar examples (index, cosine similarity), similarity > 0."""
        return self.nearest_many([text], k)[0]

    def nearest_many(self, texts: list[str], k: int) -> list[list[tuple[int, float]]]:
        """``nearest`` for each of ``texts``, most similar first.

        Bit for bit what summing ``weight * other`` over the query's terms, in order,
        into a dict gave: np.bincount adds its weights one by one in input order, and
        every (text, example) pair's products are laid out in the query's term order.
        Equal similarities keep the dict's order: by the first query term the example
        holds, then by index.
        """
        n = self.size
        if k <= 0 or n == 0 or not texts:
            return [[] for _ in texts]
        queries = [self._query(t) for t in texts]
        counts = [len(ids) for ids, _, _ in queries]
        if not any(counts):
            return [[] for _ in texts]
        ids = np.array(list(chain.from_iterable(ids for ids, _, _ in queries)))
        # The unit-length weights, divided as _weigh divides them.
        factors = np.array([w / norm for _, weights, norm in queries for w in weights])
        starts, lengths = self._starts[ids], self._lengths[ids]
        # Where each shared term's postings lie in the flat arrays: its run, one after another.
        # (ndarray methods rather than np.repeat & co.: the same, without a Python wrapper.)
        runs_end = lengths.cumsum()
        positions = np.arange(runs_end[-1]) + (starts - runs_end + lengths).repeat(lengths)
        cells = (self._posting_texts[positions]
                 + np.arange(0, len(texts) * n, n).repeat(counts).repeat(lengths))
        products = factors.repeat(lengths) * self._posting_weights[positions]
        scores = np.bincount(cells, products, minlength=len(texts) * n).reshape(len(texts), n)
        # Each row's k-th largest score (sorting is several times faster than np.partition
        # here); every example scoring at least that, and above 0, is a candidate, so ties
        # at the boundary are ordered below like the others.
        threshold = _SMALLEST
        if k < n:
            ranked = scores.copy()
            ranked.sort(axis=1)
            threshold = np.maximum(ranked[:, n - k], _SMALLEST)[:, None]
        cells = (scores >= threshold).ravel().nonzero()[0]  # row by row, examples ascending
        rows, examples = np.divmod(cells, n)
        pairs = list(zip(examples.tolist(), scores.ravel()[cells].tolist()))
        bounds = rows.searchsorted(np.arange(len(texts) + 1)).tolist()
        return [self._order(pairs[start:end], ids)[:k]
                for start, end, (ids, _, _) in zip(bounds, bounds[1:], queries)]

    def _order(self, candidates: list[tuple[int, float]], ids: list[int]) -> list[tuple[int, float]]:
        """Most similar first; equal similarities by the first query term (``ids``, in
        the query's order) the example holds, then by index: the order a dict filled
        term by term would hold them in."""
        candidates.sort(key=itemgetter(1), reverse=True)  # stable: ties stay by index
        similarities = [sim for _, sim in candidates]
        if len(set(similarities)) < len(candidates):
            counts = Counter(similarities)
            terms = [self._term_of[i] for i in ids]

            def first_term(i: int, sim: float) -> int:
                if counts[sim] == 1:
                    return 0  # no tie to break
                return next(compress(count(), map(self._example_terms[i].__contains__, terms)))

            candidates.sort(key=lambda item: (-item[1], first_term(*item)))
        return candidates

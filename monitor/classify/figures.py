"""Figures: the headline number of a statement about a recurring metric, with its period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.classify.cues import _MONTH, _MONTHS
from monitor.statements import may_contain, needle_text


@dataclass
class Statistic:
    metric: str
    value: float
    unit: str
    period: str | None
    period_start: str | None
    period_end: str | None
    text: str
    #: The earlier figure the statement itself compares with ("up from 8,760 in August").
    compared_with: float | None = None


#: Canonical metric names, most specific first; the first match names a figure's metric.
#: Last, each pattern's needles: an exact prefilter as in ``monitor.statements``. Every
#: match holds one of them case-insensitively (checked by
#: tests/test_classify_speed_equivalence.py), so ``needle_text(text)``, unless None,
#: holds one too; most statements with figures name no metric or a late one, and trying
#: every pattern in turn was most of the cost of extract_statistics.
METRICS = [
    ("passengers screened", r"\b(?:passengers|travell?ers|screened)\b", "passengers",
     ("passengers", "screened", "travel")),
    ("detention population", r"\b(?:detention|detained|held in)\b", "people",
     ("detained", "detention", "held in")),
    ("removals", r"\b(?:removals|removed|deportations|deported)\b", "people",
     ("deport", "removals", "removed")),
    ("backlog", r"\b(?:backlog|pending)\b", "cases", ("backlog", "pending")),
    ("processing time", r"\bprocessing times?\b", "months", ("processing time",)),
    ("northern border encounters", r"\bnorthern border\b", "encounters", ("northern border",)),
    ("nationwide encounters", r"\bnationwide\b(?=.*\bencounter)|\bencounter\w*\b(?=.*\bnationwide\b)",
     "encounters", ("encounter", "nationwide")),
    # "apprehended or turned away" counts encounters, not apprehensions; "the border"
    # in a DHS figure is the southwest border.
    ("southwest border encounters", r"\b(?:encounter\w*|stopped|turned away)\b"
                                    r"(?=.*\b(?:(?:southwest|southern) border|at the border)\b)|"
                                    r"\b(?:southwest|southern) border\b(?=.*\b(?:encounter\w*|stopped|turned away)\b)",
     "encounters", ("encounter", "southern border", "southwest border", "stopped", "turned away")),
    ("encounters", r"\b(?:encounter\w*|turned away)\b", "encounters", ("encounter", "turned away")),
    # "pprehen": re's parser takes the "a" both branches start with out of the alternation.
    ("apprehensions", r"\b(?:apprehen\w*|arrests for illegal crossings)\b", "apprehensions",
     ("crossings", "pprehen")),
    ("encounters", r"\b(?:stopped|crossings)\b", "encounters", ("crossings", "stopped")),
]
_METRICS = [(name, re.compile(pattern, re.IGNORECASE), unit, needles)
            for name, pattern, unit, needles in METRICS]
_FIGURE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:million|thousand|billion))?(\s*(?:percent|%|months?))?",
    re.IGNORECASE)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_COMPARED = re.compile(
    r"\b(?:from|compared (?:with|to)|versus|than)\s+(?:about |roughly |nearly |more than |fewer than |"
    r"approximately |some |the )?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:million|thousand|billion))?"
    r"(?!\s*(?:percent|%))", re.IGNORECASE)
_FISCAL = re.compile(r"\bfiscal year (\d{4})\b|\bFY ?(\d{4})\b", re.IGNORECASE)
_FISCAL_JUST_ENDED = re.compile(r"\bfiscal year that (?:ended|closed) (?:in|on|at the end of) September\b",
                                re.IGNORECASE)
_MONTH_RE = re.compile(r"\b(?:in|during|for|of|through) (" + _MONTH + r")(?: (\d{4}))?\b", re.IGNORECASE)


def extract_statistics(text: str, published: str | None = None) -> list[Statistic]:
    """The headline figure of a statement about a recurring metric, with its period.

    One figure per statement: the first count that is not a year, a percentage or a
    day of the month; percentages are changes, which ``monitor.history`` recomputes
    against the stored previous value (or, when the history has none, the earlier
    figure the statement quotes).
    """
    lowered = needle_text(text)
    metric = next(((name, unit) for name, pattern, unit, needles in _METRICS
                   if may_contain(lowered, needles) and pattern.search(text)), None)
    if metric is None:
        return []
    name, unit = metric
    for match in _FIGURE.finditer(text):
        number, scale, suffix = match.group(1), match.group(2), match.group(3)
        suffix = (suffix or "").strip().lower()
        if suffix in ("percent", "%"):
            continue
        value = float(number.replace(",", ""))
        if not scale and not suffix and "," not in number and (value < 100 or 1900 <= value <= 2100):
            continue  # a day, a small count of units, or a year
        if scale:
            value *= _SCALE[scale.strip().lower()]
        if suffix.startswith("month"):
            unit = "months"
        period, start, end = _period(text, published)
        earlier = _COMPARED.search(text, match.end())
        compared = None
        if earlier:
            compared = float(earlier.group(1).replace(",", ""))
            if earlier.group(2):
                compared *= _SCALE[earlier.group(2).strip().lower()]
        return [Statistic(name, value, unit, period, start, end, text, compared)]
    return []


def _period(text: str, published: str | None) -> tuple[str | None, str | None, str | None]:
    """(label, first day, last day) of the period a figure is for, when the text says."""
    fiscal = _FISCAL.search(text)
    year = None
    if fiscal:
        year = int(fiscal.group(1) or fiscal.group(2))
    elif _FISCAL_JUST_ENDED.search(text):
        year = _year_of_month(9, published)
    if year:
        return f"FY{year}", f"{year - 1}-10-01", f"{year}-09-30"
    month = _MONTH_RE.search(text)
    if month:
        index = _MONTHS.index(month.group(1).lower()) + 1
        year = int(month.group(2)) if month.group(2) else _year_of_month(index, published)
        if year is None:
            return month.group(1).capitalize(), None, None
        last = (date(year + (index == 12), index % 12 + 1, 1) - date.resolution).isoformat()
        return f"{year}-{index:02d}", f"{year}-{index:02d}-01", last
    return None, None, None


def _year_of_month(month: int, published: str | None) -> int | None:
    """A month named without a year is the latest such month on or before publication."""
    try:
        when = date.fromisoformat((published or "")[:10])
    except ValueError:
        return None
    return when.year if month <= when.month else when.year - 1

"""How well figures are read and compared: ``policy-monitor evaluate-figures``.

A corpus is JSON lines, one release each: ``{id, title, date, agency, text,
statistics: [{metric, value, period, scope?, population?, previous_value?,
previous_period?}]}``. The releases are stored in date order in a temporary database
exactly as ``run`` stores them (split, classified, figures recorded with their
previous value), and the ``statistics`` rows of each release are scored against its
gold figures:

* **value recall**: gold figures for which a stored figure has the same value, within
  the rounding of the text (0.5%, or 0.5 for small numbers; a percent change is signed);
* **period accuracy**: of those found, the share whose stored period has the gold
  period's first day and, unless the gold period is open-ended ("since Oct. 1",
  "early Sept."), its last day. A gold period that names no dates ("the first month of
  the administration") is not scored;
* **previous precision**: of the found figures stored with a previous value, the share
  whose previous value and period are the gold ones. Gold previous values are explicit
  in our own corpus; in a corpus without them (``../shared/realtext/dev.jsonl``) the gold
  previous of a figure is the gold figure with the same metric wording for the period
  just before it, in the same release or an earlier one;
* **figures in releases without any**: releases whose gold ``statistics`` is an empty
  list (a policy announcement with a fee, a deadline, an operation's tally) are stored
  too, as ``run`` would, and every figure they give a card is counted. Some may be true
  statistics the release quotes; the count is what to read, one by one.

Metric names are not compared: a gold file may word metrics as it likes.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

from monitor.periods import MONTHS, Period, calendar_year, fiscal_year, month_period

DATA = Path(__file__).parent / "data" / "figures"
SPLITS = ("tune", "heldout")

_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"


def load_corpus(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _year(kind: str, year: str):
    """The fiscal ("fy") or calendar ("cy") year a gold period names."""
    return fiscal_year(int(year)) if kind == "fy" else calendar_year(int(year))


def parse_period(text: str | None) -> tuple[str, str | None] | None:
    """(first day, last day or None when open-ended) of a gold period, or None."""
    if not text:
        return None
    s = text.strip()
    lower = s.lower()
    if "week" in lower:
        return None  # "the week before the release": no dates to compare
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2}|…)", s):
        return m[1], (m[2] if m[2] != "…" else None)
    if m := re.fullmatch(r"since (\d{4}-\d{2}-\d{2})", s):
        return m[1], None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return s, s
    # machine-written forms: "2024-06", "2024-Q2" (calendar), "FY2025 through 2025-05"
    # (a fiscal year to date), "2024-06-01/2024-06-15"
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})", s):
        return m[1], m[2]
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        p = month_period(int(m[1]), int(m[2]))
        return p.start, p.end
    if m := re.fullmatch(r"(\d{4})-q([1-4])", lower):
        year, q = int(m[1]), int(m[2])
        return date(year, 3 * q - 2, 1).isoformat(), month_period(year, 3 * q).end
    if m := re.fullmatch(r"(fy|cy) ?(\d{4}) through (\d{4})-(\d{2})", lower):
        return _year(m[1], m[2]).start, month_period(int(m[3]), int(m[4])).end
    if m := re.search(r"\b(fy|cy) ?(\d{4})(?: to date\b|-ytd$)", lower):  # "FY2025 to date", "FY2019-YTD"
        return _year(m[1], m[2]).start, None
    if m := re.search(rf"\bsince {_MON} (\d{{1,2}}),? (\d{{4}})", lower):
        return _day(m[1], m[2], m[3]), None
    dates = list(re.finditer(rf"\b{_MON} (\d{{1,2}})(?:,? (\d{{4}}))?", lower))
    range_ = re.search(r"\s[-–]\s|\bto\b", lower)
    if range_ and dates:
        years = re.findall(r"\b(\d{4})\b", lower)
        first = dates[0]
        start = _day(first[1], first[2], first[3] or (years[0] if years else None))
        ends = [d for d in dates if d.start() > range_.start()]
        end = None
        if ends and not re.search(r"\b(early|mid|late)\b", lower[range_.start():]):
            last = ends[-1]
            end = _day(last[1], last[2], last[3] or (years[-1] if years else None))
        elif not ends:
            month = re.search(rf"[-–] *{_MON} (\d{{4}})", lower)
            if month and not re.search(r"\b(early|mid|late)\b", lower[range_.start():]):
                p = month_period(int(month[2]), _month(month[1]))
                end = p.end
        return (start, end) if start else None
    if m := re.search(r"\b(first|second) half of (\d{4})", lower):
        year = int(m[2])
        return (f"{year}-01-01", f"{year}-06-30") if m[1] == "first" else (f"{year}-07-01", f"{year}-12-31")
    if m := re.search(r"\bq([1-4]) (\d{4})", lower):
        q, year = int(m[1]), int(m[2])
        start = date(year, 3 * q - 2, 1)
        end = month_period(year, 3 * q).end
        return start.isoformat(), end
    if m := re.search(r"\bfy ?(\d{4})\b", lower):
        p = fiscal_year(int(m[1]))
        return p.start, p.end
    if dates and dates[0][3]:
        return _day(dates[0][1], dates[0][2], dates[0][3]), _day(dates[0][1], dates[0][2], dates[0][3])
    if m := re.search(rf"\b{_MON} (\d{{4}})\b", lower):
        p = month_period(int(m[2]), _month(m[1]))
        return p.start, p.end
    if m := re.fullmatch(r"(?:[a-z ]*\()?(\d{4})\)?", lower) or re.fullmatch(r"(?:calendar year |cy ?)(\d{4})", lower):
        p = calendar_year(int(m[1]))
        return p.start, p.end
    return None


def _month(name: str) -> int:
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name[:3]))


def _day(month: str, day: str, year: str | None) -> str | None:
    if not year:
        return None
    try:
        return date(int(year), _month(month), int(day)).isoformat()
    except ValueError:
        return None


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * max(abs(a), abs(b)))


def same_period(ours: tuple[str | None, str | None], gold: tuple[str, str | None]) -> bool:
    return ours[0] == gold[0] and (gold[1] is None or ours[1] == gold[1])


def _preceding(gold: tuple[str, str | None]) -> tuple[str, str] | None:
    """The period just before a month, quarter, year or day (for derived gold previous values)."""
    start, end = gold
    if not end:
        return None
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    for kind in ("day", "month", "quarter", "year"):
        period = {"day": Period("day", start, end), "month": Period("month", start, end),
                  "quarter": Period("quarter", start, end), "year": Period("fiscal year", start, end)}[kind]
        length = {"day": 0, "month": 27, "quarter": 88, "year": 363}[kind]
        if length <= (e - s).days <= length + 3 and (kind == "day" or s.day == 1):
            before = period.preceding()
            return (before.start, before.end) if before else None
    return None


def _series(gold: dict) -> tuple:
    return tuple(gold.get(k) or "" for k in ("metric", "scope", "population", "kind"))


def derive_previous(corpus: list[dict]) -> None:
    """Gold previous values where a gold file gives none (``../shared/realtext`` gives
    none; a gold file may give only those a release states): the gold figure of the same
    metric, scope, population and kind for the period just before, from this release or
    an earlier one, as issue 9 defines ``previous``. A figure whose gold names only the
    period it is compared with (a change) keeps that."""
    seen: list[tuple[tuple, tuple, float, str]] = []
    for doc in sorted(corpus, key=lambda d: d.get("date") or ""):
        own = [(_series(g), parse_period(g.get("period")), g["value"], g.get("period"))
               for g in doc.get("statistics", [])]
        for gold in doc.get("statistics", []):
            if "previous_value" in gold or "previous_period" in gold:
                continue
            period = parse_period(gold.get("period"))
            before = _preceding(period) if period else None
            match = next((h for h in reversed(seen + own) if before and h[0] == _series(gold)
                          and h[1] and tuple(h[1]) == before), None)
            if match:
                gold["previous_value"], gold["previous_period"] = match[2], match[3]
        seen += own


def simulate(corpus: list[dict]) -> dict[str, list[dict]]:
    """Store the releases in date order as ``run`` does; each release's statistics rows."""
    from monitor.history import classify_documents
    from monitor.statements import split_statements
    from monitor.store import Store

    out: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "figures.db")
        try:
            for doc in sorted(corpus, key=lambda d: (d.get("date") or "", d["id"])):
                source = f"eval-{(doc.get('agency') or 'dhs').lower()}"
                with store.db.conn:
                    store.db["sources"].upsert({"name": source, "agency": doc.get("agency")}, pk="name")
                saved = store.save_document(
                    source=source, url=f"urn:policy-monitor:figures:{doc['id']}",
                    title=doc.get("title"), published=doc.get("date") or None, body=doc["text"],
                    statements=split_statements(doc["text"]))
                classify_documents(store, [saved.document_id])
                cursor = store.db.execute("select * from statistics where document_id = ? order by id",
                                          [saved.document_id])
                names = [c[0] for c in cursor.description]
                rows = [dict(zip(names, r)) for r in cursor.fetchall()]
                for row in rows:
                    if row.get("previous_id") and not row.get("previous_period"):
                        before = store.db.execute("select period_start, period_end from statistics "
                                                  "where id = ?", [row["previous_id"]]).fetchone()
                        row["previous_span"] = tuple(before) if before else None
                out[doc["id"]] = rows
        finally:
            store.close()
    return out


def score(corpus: list[dict]) -> dict:
    """Value recall, period accuracy and previous-value precision over the releases of a
    corpus with gold figures; all of its releases are stored, in date order."""
    derive_previous(corpus)
    stored = simulate(corpus)
    totals = defaultdict(int)
    misses = []
    for doc in corpus:
        if doc.get("statistics") == []:
            totals["empty"] += 1
            for row in stored.get(doc["id"], []):
                if row.get("role") == "reported":
                    totals["empty_figures"] += 1
                    misses.append({"id": doc["id"], "value": row["value"], "period": row["period"],
                                   "why": f"figure in a release without any: {row['metric']}, "
                                          f"{row['kind']}, {row['agency']}"})
    for doc in statistics_releases(corpus):
        rows = list(stored.get(doc["id"], []))
        if rows:
            totals["read"] += 1
            totals["gold_in_read"] += len(doc.get("statistics", []))
        matched = _same_kind_matches(doc.get("statistics", []), rows)
        for index, gold in enumerate(doc.get("statistics", [])):
            totals["gold"] += 1
            period = parse_period(gold.get("period"))
            reserved = [id(r) for i, r in matched.items() if i != index]
            candidates = [r for r in rows if r["value"] is not None and same_value(r["value"], gold["value"])
                          and id(r) not in reserved]
            if index in matched:
                candidates = [matched[index]]
            if not candidates:
                misses.append({"id": doc["id"], "value": gold["value"], "period": gold.get("period"),
                               "why": "value not found"})
                continue
            right = [r for r in candidates if period and same_period((r["period_start"], r["period_end"]), period)]
            row = (right or candidates)[0]
            rows.remove(row)
            totals["found"] += 1
            totals["found_in_read"] += 1
            if period:
                totals["periods"] += 1
                totals["period_right"] += bool(right)
                if not right:
                    misses.append({"id": doc["id"], "value": gold["value"], "period": gold.get("period"),
                                   "why": f"period {row['period']!r} ({row['period_start']}..{row['period_end']})"})
            expected = gold.get("previous_value")
            compared_with = gold.get("previous_period") if expected is None else None
            if expected is not None or compared_with:
                totals["gold_previous"] += 1
            if row.get("previous_value") is None:
                continue
            totals["previous"] += 1
            ours_period = (parse_period(row.get("previous_period")) if row.get("previous_period")
                           else row.get("previous_span"))
            gold_period = parse_period(gold.get("previous_period"))
            if compared_with:  # a change: the gold names the period, not the value
                ok = bool(ours_period and gold_period and same_period(ours_period, gold_period))
            else:
                ok = (expected is not None and same_value(row["previous_value"], expected)
                      and (ours_period is None or gold_period is None
                           or same_period(ours_period, gold_period)))
            totals["previous_right"] += ok
            if not ok:
                misses.append({"id": doc["id"], "value": gold["value"], "period": gold.get("period"),
                               "why": f"previous {row['previous_value']} ({row.get('previous_period')}), "
                                      f"gold {expected} ({gold.get('previous_period')})"})

    def ratio(a, b):
        return round(totals[a] / totals[b], 3) if totals[b] else None

    return {
        "releases": len(statistics_releases(corpus)), "gold_figures": totals["gold"],
        "value_recall": ratio("found", "gold"), "found": totals["found"],
        # releases that gave any figure (a release read as something else may give none)
        "releases_read": totals["read"], "value_recall_in_read": ratio("found_in_read", "gold_in_read"),
        "period_accuracy": ratio("period_right", "periods"), "periods_scored": totals["periods"],
        "previous_precision": ratio("previous_right", "previous"), "previous_given": totals["previous"],
        "previous_recall": ratio("previous_right", "gold_previous"), "gold_previous": totals["gold_previous"],
        "releases_without_figures": totals["empty"], "figures_in_them": totals["empty_figures"],
        "misses": misses,
    }


_KINDS = {"per-day average": "daily average", "change": "percent change"}


def _same_kind_matches(golds: list[dict], rows: list[dict]) -> dict[int, dict]:
    """Gold figures (by index) that a stored figure matches in value, period and kind.

    A release may give one number twice in its gold, as a record and as a level: the
    stored level is scored against the gold level (and its previous), and the record is
    the one missed, whatever order the gold lists them in."""
    matched: dict[int, dict] = {}
    for index, gold in enumerate(golds):
        kind = _KINDS.get(gold.get("kind") or "", gold.get("kind"))
        period = parse_period(gold.get("period"))
        if not kind or not period or sum(same_value(g["value"], gold["value"]) for g in golds) < 2:
            continue
        taken = [id(r) for r in matched.values()]
        row = next((r for r in rows if r["value"] is not None and id(r) not in taken
                    and same_value(r["value"], gold["value"]) and r.get("kind") == kind
                    and same_period((r["period_start"], r["period_end"]), period)), None)
        if row is not None:
            matched[index] = row
    return matched


def statistics_releases(corpus: list[dict]) -> list[dict]:
    """The releases with gold figures (a labelled corpus of every kind keeps its others out)."""
    return [d for d in corpus if d.get("statistics")]


def format_report(name: str, result: dict) -> str:
    def pct(key):
        value = result[key]
        return "n/a" if value is None else f"{value:.3f}"
    return (f"{name}: {result['releases']} releases, {result['gold_figures']} gold figures\n"
            f"  value recall        {pct('value_recall')}  ({result['found']}/{result['gold_figures']}; "
            f"{pct('value_recall_in_read')} in the {result['releases_read']} releases that gave figures)\n"
            f"  period accuracy     {pct('period_accuracy')}  (of {result['periods_scored']} found with dated gold periods)\n"
            f"  previous precision  {pct('previous_precision')}  (of {result['previous_given']} found figures given a previous)\n"
            f"  previous recall     {pct('previous_recall')}  (of {result['gold_previous']} gold previous values)"
            + (f"\n  releases without figures: {result['figures_in_them']} figure(s) stored from "
               f"{result['releases_without_figures']} such releases"
               if result["releases_without_figures"] else ""))

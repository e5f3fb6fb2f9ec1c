"""Weekly digests: an HTML page and a plain-text twin per period, an index and an Atom feed.

What is "in" a period: documents we first saw in it (``first_seen``), plus
documents that got a new version in it (an edit can be the change). Detection
time, not the published date, decides, so each document lands in exactly one
weekly digest even when it is found days late; its published date is shown.
Periods are in UTC, like every timestamp in the database. Documents of the
``baseline`` source never appear.

Every count (title, mail subject, headline, Atom feed) counts documents, each by
its document label. Documents first seen in the period but published more than
``BACKLOG_DAYS`` before that and before the period began (the back catalogue read
by a first crawl or a newly added source) are "found in the archive": counted in
one line naming ``--include-backlog``, which lists them under a heading of their
own, never mixed with the period's news.

The default period is the last complete ISO week (Monday to Sunday): the digest
is made on Monday morning about the week that just ended.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape

from monitor.config import is_http_url
from monitor.periods import DHS_AGENCIES
from monitor.periods import Period as FigurePeriod
from monitor.statements import normalize_space
from monitor.store import BASELINE_SOURCE, Store, utcnow
from monitor.timeline import timeline

#: Document labels with a section of their own; any other label except "none"
#: is listed under "Other changes".
REVERSAL = "reversal"
NEW_POLICY = "new_policy"
STATISTIC_UPDATE = "statistic_update"
NO_CHANGE = "none"
#: label -> (one, many) for counts; other labels are shown as they are.
KIND_NAMES = {
    REVERSAL: ("reversal", "reversals"), NEW_POLICY: ("new policy", "new policies"),
    STATISTIC_UPDATE: ("statistic update", "statistic updates"),
    NO_CHANGE: ("without policy change", "without policy change"),
    None: ("not yet classified", "not yet classified"),
}
#: SQL conditions (no values from outside): not the baseline; and news, published
#: at most 30 days (``BACKLOG_DAYS``) before we first saw it. The Atom feed's index
#: (``idx_documents_news_changes`` in ``monitor.store``) repeats these terms.
BACKLOG_DAYS = 30
NOT_BASELINE = f"source != '{BASELINE_SOURCE}'"
OLD_WHEN_FOUND = f"published < date(first_seen, '-{BACKLOG_DAYS:d} days')"
IS_NEWS = f"{NOT_BASELINE} and (published is null or not {OLD_WHEN_FOUND})"
#: Labels counted in titles and subjects, in this order, zeros included.
COUNTED = (REVERSAL, NEW_POLICY, STATISTIC_UPDATE)
#: Fetch failures, or this many failed runs in a row, put a source in "sources failing".
FAILING_AFTER = 2
ATOM_ENTRIES = 200
#: Days ahead that "Taking effect" and "Comments closing" look.
COMING_DAYS = 30
ATOM_NS = "http://www.w3.org/2005/Atom"
DIGEST_NAME = re.compile(r"^(\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2})\.html$")

class _TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs (Jinja's per-user folder in the temp
    directory, created private): compiling them anew took a third of a one-week digest.
    A cache that cannot be read or written is only slower."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _template_cache() -> FileSystemBytecodeCache | None:
    try:
        return _TemplateCache()
    except (OSError, RuntimeError):  # no private folder to be had: compile every time
        return None


_env = Environment(
    loader=PackageLoader("monitor", "templates"),
    bytecode_cache=_template_cache(),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,  # a text file ends with a newline
)


def _number(value: float | None, signed: bool = False) -> str:
    """1234.0 -> "1,234"; 2.5 -> "2.5"; with ``signed`` a leading + for growth."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return ("+" + text) if signed and value > 0 else text


def _percent(value: float | None) -> str:
    """-29.0 -> "−29%" (a true minus sign), 12.5 -> "+12.5%"."""
    if value is None:
        return ""
    text = f"{abs(value):,.1f}".removesuffix(".0")
    return f"{'−' if value < 0 else '+' if value > 0 else ''}{text}%"


_env.filters["num"] = _number
_env.filters["pct"] = _percent


class DigestError(Exception):
    """The period asked for is not valid."""


@dataclass(frozen=True)
class Period:
    """Dates from ``start`` (inclusive) to ``end`` (exclusive), UTC."""

    name: str
    start: date
    end: date

    @property
    def title(self) -> str:
        last = self.end - timedelta(days=1)
        return f"{self.start:%d %b %Y} – {last:%d %b %Y}"


def iso_week(spec: str) -> Period:
    """``2026-W47`` -> Monday 16 to Sunday 22 November 2026."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", spec.strip())
    if not match:
        raise DigestError(f"--week must look like 2026-W47, not {spec!r}")
    try:
        start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise DigestError(f"--week {spec}: {exc}") from exc
    return Period(f"{start.isocalendar().year}-W{start.isocalendar().week:02d}",
                  start, start + timedelta(days=7))


def last_complete_week(today: date | None = None) -> Period:
    today = today or datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday())
    year, week, _ = (monday - timedelta(days=7)).isocalendar()
    return iso_week(f"{year}-W{week:02d}")


def date_range(since: date, until: date) -> Period:
    """From ``since`` to ``until``, both days included."""
    if until < since:
        raise DigestError(f"--until {until} is before --since {since}")
    return Period(f"{since:%Y-%m-%d}_{until:%Y-%m-%d}", since, until + timedelta(days=1))


# -- collecting --------------------------------------------------------------
def _clean(text: str | None) -> str:
    """One line of scraped text: a title with a newline stays one line."""
    return normalize_space(text or "")


#: A release's opening dateline: "WASHINGTON –", "EL PASO, Texas —", "WASHINGTON—".
_DATELINE = re.compile(r"^(?=[A-Z .'’-]{5})[A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,3}"
                       r"(?:, [A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,2})?\s*[–—-]+\s*(?=\S)")


def quoted(text: str | None) -> str:
    """A statement as the digest quotes it: one line, without the release's dateline."""
    return _DATELINE.sub("", _clean(text), count=1)


def _day(timestamp: str | None) -> str:
    return (timestamp or "")[:10]


#: What the digest shows of a document: never its body, the bulk of the table.
SHOWN = ("id", "url", "title", "source", "published", "first_seen", "last_changed", "version",
         "label", "confidence", "event_id")


def _shown(alias: str = "") -> str:
    """``SHOWN`` as an SQL column list, of the table named ``alias``."""
    return ", ".join(f"{alias}.{c}" if alias else c for c in SHOWN)


def _rows(store: Store, sql: str, params: list) -> list[dict]:
    cursor = store.db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _key_statements(store: Store, docs: list[dict]) -> dict[int, str]:
    """Each document's statement that carries its label, else its first one."""
    by_label: dict[str | None, list[int]] = {}
    for doc in docs:
        by_label.setdefault(doc["label"], []).append(doc["id"])
    return {doc: quoted(text) for label, ids in by_label.items() for doc, text in store.db.execute("""
        select d.id, (select s.text from statements s where s.id = (
                          select r.id from statement_rows r where r.document_id = d.id
                          order by (r.label = :label) desc,
                                   (r.label is not null and r.label != 'none') desc,
                                   r.confidence desc, r.seq, r.id
                          limit 1))
        from documents d where d.id in (select value from json_each(:ids))""",
        {"label": label, "ids": json.dumps(ids)}) if text is not None}


def _ref(doc: dict) -> dict:
    """How a document is shown; only http(s) URLs become links (no javascript:)."""
    url = doc["url"] if is_http_url(doc["url"]) else None
    return {"id": doc["id"], "title": _clean(doc["title"]) or doc["url"], "url": url,
            "source": doc["source"], "date": _day(doc["published"] or doc["first_seen"])}


def _by_document(rows: list[dict]) -> dict[int, list[dict]]:
    """Rows grouped by their ``of`` column (the document they were read for), in order."""
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.pop("of"), []).append(row)
    return grouped


@dataclass
class _Related:
    """What the cards of some documents show besides the documents themselves, read for
    all of them at once: a query per document made an all-time digest slow."""

    statement: dict[int, str]
    also: dict[int, list[dict]]
    reverses: dict[int, list[dict]]
    reversed_by: dict[int, list[dict]]
    policies: dict[int, list[dict]]
    corrected: set[int]


def _related(store: Store, docs: list[dict]) -> _Related:
    marks = json.dumps([d["id"] for d in docs])
    same = _rows(store, f"""
        select l.from_document_id as of, {_shown("d")} from links l
        join documents d on d.id = l.to_document_id
        where l.relation = 'same_event' and l.from_document_id in (select value from json_each(:ids))
        union
        select l.to_document_id as of, {_shown("d")} from links l
        join documents d on d.id = l.from_document_id
        where l.relation = 'same_event' and l.to_document_id in (select value from json_each(:ids))
        union
        select x.id as of, {_shown("d")} from documents x join documents d on d.event_id = x.event_id
        where x.id in (select value from json_each(:ids)) and x.event_id is not null""",
        {"ids": marks})
    same = [r for r in sorted(same, key=lambda r: (r["first_seen"], r["id"]))
            if r["id"] != r["of"] and r["source"] != BASELINE_SOURCE]
    return _Related(
        statement=_key_statements(store, docs),
        also=_by_document(same),
        reverses=_by_document(_rows(store, f"""
            select l.from_document_id as of, {_shown("d")}, s.text as statement from links l
            join documents d on d.id = l.to_document_id
            left join statements s on s.id = l.to_statement_id
            where l.relation = 'reverses' and l.from_document_id in (select value from json_each(?))
            order by d.published, d.id""", [marks])),
        reversed_by=_by_document(_rows(store, f"""
            select l.to_document_id as of, {_shown("d")} from links l
            join documents d on d.id = l.from_document_id
            where l.relation = 'reverses' and l.to_document_id in (select value from json_each(?))
            order by d.published, d.id""", [marks])),
        policies=_by_document(_rows(store, """
            select e.document_id as of, p.id, p.key, p.name, e.event from policy_events e
            join policies p on p.id = e.policy_id
            where e.document_id in (select value from json_each(?))
              and e.event in ('suspend', 'end', 'reinstate')
            order by p.name, p.id""", [marks])),
        corrected={doc for (doc,) in store.db.execute(
            "select distinct document_id from corrections"
            " where document_id in (select value from json_each(?))", [marks])},
    )


def _policies(store: Store, doc: dict, rows: list[dict], reverses: list[dict],
              datasette: str | None, timelines: dict[int, list[dict]]) -> list[dict]:
    """Each policy (``rows``) the document suspends, ends or reinstates, with its timeline
    (read once per digest into ``timelines``) and whether the history holds what this
    undoes (else the digest says it does not)."""
    targets = {r["id"] for r in reverses}
    found = []
    for row in rows:
        if row["id"] not in timelines:
            timelines[row["id"]] = timeline(store.db, row["id"])
        events = [e | {"this": e["document_id"] == doc["id"],
                       "title": _clean(e["title"]) or e["url"],
                       "url": e["url"] if is_http_url(e["url"]) else None}
                  for e in timelines[row["id"]]]
        undone = any(e["document_id"] in targets for e in events)
        url = (f"{datasette}/policy_timeline?policy={quote(row['key'])}" if datasette else None)
        found.append({"name": _clean(row["name"]), "key": row["key"], "event": row["event"],
                      "events": events, "undone_stored": undone, "url": url})
    return found


def _item(store: Store, doc: dict, related: _Related, datasette: str | None,
          timelines: dict[int, list[dict]]) -> dict:
    doc_id = doc["id"]
    reverses = [_ref(r) | {"statement": quoted(r["statement"])}
                for r in related.reverses.get(doc_id, [])]
    return _ref(doc) | {
        "label": doc["label"], "kind": (KIND_NAMES.get(doc["label"]) or (doc["label"],))[0],
        "statement": related.statement.get(doc_id, ""),
        "also": [_ref(r) for r in related.also.get(doc_id, [])], "reverses": reverses,
        "reversed_by": [_ref(r) for r in related.reversed_by.get(doc_id, [])],
        "policies": _policies(store, doc, related.policies.get(doc_id, []), reverses, datasette,
                              timelines),
        "edited": doc["version"] > 1 and doc["first_seen"] < doc["period_start"],
        "confidence": doc["confidence"] or 0.0, "first_seen": doc["first_seen"],
        "corrected": doc_id in related.corrected,
    }


def sparkline(values: list[float | None], width: int = 120, height: int = 28) -> dict | None:
    """Polylines for a small SVG over consecutive periods; a period with no stored figure
    (None) is a gap, never a straight line across it. None when there is nothing to draw."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or len(known) < 2:
        return None
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append((2 + i * step, height - 2 - (v - low) / span * (height - 4)))
    if current:
        segments.append(current)
    last = segments[-1][-1]
    return {"width": width, "height": height,
            "lines": [" ".join(f"{x:.1f},{y:.1f}" for x, y in seg) for seg in segments if len(seg) > 1],
            "dots": [{"x": round(seg[0][0], 1), "y": round(seg[0][1], 1)} for seg in segments if len(seg) == 1],
            "last": {"x": round(last[0], 1), "y": round(last[1], 1)},
            "gaps": values.count(None)}


#: Periods a sparkline covers: this one and up to this many before it.
SPARK_PERIODS = 12


def _drawn(period: FigurePeriod) -> list[FigurePeriod]:
    """The consecutive periods a sparkline ending at ``period`` covers, oldest first."""
    periods = [period]
    while len(periods) <= SPARK_PERIODS and (before := periods[-1].preceding()):
        periods.append(before)
    return periods[::-1]


def _series_points(store: Store, series: str, periods: list[FigurePeriod]
                   ) -> dict[FigurePeriod, list[float | None]]:
    """For each of ``periods`` (of one series), the series' values over the consecutive
    periods up to it. One query for the series, bounded to the periods drawn. A figure a
    release reported outranks one quoted for comparison."""
    drawn = {period: _drawn(period) for period in periods if period.end}
    # Each sparkline's span of period ends; overlapping spans are read once.
    spans = sorted((p[0].end, p[-1].end) for p in drawn.values())
    merged: list[list[str]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    values: dict[tuple[str, str], float] = {}
    series_id = store.series_id(series)
    if merged and series_id is not None:
        # The series as a number, not a subquery: the planner gives each span of the OR
        # the (series_id, period_end) index only when it knows the value.
        bounds = " or ".join("period_end between ? and ?" for _ in merged)
        for start, end, value in store.db.execute(
                f"select period_start, period_end, value from statistic_rows where series_id = ? "
                f"and ({bounds}) and value is not null order by role = 'reported', published, id",
                [series_id, *(bound for span in merged for bound in span)]):
            values[(start, end)] = value  # the last wins: reported, latest
    points = {}
    for period in periods:
        shown = list(drawn.get(period, []))
        while shown and (shown[0].start, shown[0].end) not in values:
            shown.pop(0)  # the line starts at the first stored figure
        points[period] = [values.get((p.start, p.end)) for p in shown]
    return points


def _scope_words(row: dict) -> str:
    """"apprehensions · southwest border · family units · USBP"."""
    parts = [row["metric"], row.get("scope"), row.get("population"), row.get("agency")]
    return " · ".join(_clean(p) for p in parts if p)


#: Figure cards a digest shows at most, the latest periods first; a longer period (a
#: backfill's years of monthly updates) says how many more there are and where to read them.
MAX_FIGURES = 500


@dataclass
class _Figures:
    cards: list[dict]
    #: Figures reported in the period, shown or not, and the documents reporting them.
    total: int
    documents: set[int]


def _statistics(store: Store, doc_ids: list[int]) -> _Figures:
    """One card per figure the period's releases report (not those they only quote), up
    to ``MAX_FIGURES``."""
    if not doc_ids:
        return _Figures([], 0, set())
    ids = json.dumps(doc_ids)
    reporting = dict(store.db.execute("""
        select document_id, count(*) from statistics
        where document_id in (select value from json_each(?))
          and coalesce(role, 'reported') = 'reported'
        group by document_id""", [ids]).fetchall())
    rows = _rows(store, """
        select s.metric, s.value, s.unit, s.scope, s.population, s.agency, s.kind, s.qualifier,
               s.as_written, s.period, s.period_kind, s.period_start, s.period_end, s.series,
               s.previous_value, s.previous_period, s.previous_source, s.change, s.change_pct,
               s.change_stated_pct, s.document_id, d.id, d.title, d.url, d.source, d.published,
               d.first_seen
        from statistics s join documents d on d.id = s.document_id
        where s.document_id in (select value from json_each(?))
          and coalesce(s.role, 'reported') = 'reported'
        order by s.period_end is null, s.period_end desc, d.published desc, s.id
        limit ?""", [ids, MAX_FIGURES])
    periods: dict[str, dict[FigurePeriod, None]] = {}
    for row in rows:
        row["figure_period"] = FigurePeriod(row["period_kind"] or "unspecified",
                                            row["period_start"], row["period_end"])
        if row["series"]:
            periods.setdefault(row["series"], {})[row["figure_period"]] = None
    points = {(series, period): values for series, wanted in periods.items()
              for period, values in _series_points(store, series, list(wanted)).items()}
    stats = []
    for row in rows:
        percent = row["kind"] in ("percent change", "share")
        stats.append(_ref(row) | {
            "metric": _scope_words(row), "kind": row["kind"] if row["kind"] not in (None, "level") else "",
            "value": row["value"], "as_written": _clean(row["as_written"]) or _number(row["value"]),
            "qualifier": _clean(row["qualifier"]), "unit": "%" if percent else _clean(row["unit"]),
            "period": _clean(row["period"]) or "period not stated",
            "previous": row["previous_value"], "previous_period": _clean(row["previous_period"]),
            "stated": row["previous_source"] == "release", "change": row["change"],
            "change_pct": row["change_pct"], "change_stated_pct": row["change_stated_pct"],
            "agency": _clean(row["agency"]),
            "outside_dhs": bool(row["agency"]) and row["agency"] not in DHS_AGENCIES,
            "spark": sparkline(points.get((row["series"], row["figure_period"]), [])),
        })
    return _Figures(stats, sum(reporting.values()), set(reporting))


def reader_today() -> date:
    """Today in the reader's time zone (the machine's, or ``TZ``): Federal Register dates
    are calendar days, and "upcoming" must not include yesterday."""
    return datetime.now().astimezone().date()


def coming_up(store: Store, today: date, column: str) -> list[dict]:
    """Federal Register documents whose ``column`` (``effective_on`` or
    ``comments_close_on``) falls from ``today`` to ``COMING_DAYS`` later, soonest first;
    corrections repeat the date of the document they correct and are left out."""
    if column not in ("effective_on", "comments_close_on"):
        raise ValueError(column)
    rows = _rows(store, f"""
        select {_shown("d")}, f.{column} as due, f.type as fr_type, f.action, f.document_number
        from federal_register_documents f join documents d on d.id = f.document_id
        where f.{column} >= ? and f.{column} <= ? and not f.correction
        order by f.{column}, d.published, d.id""",
        [today.isoformat(), (today + timedelta(days=COMING_DAYS)).isoformat()])
    return [_ref(r) | {"due": r["due"], "in_days": (date.fromisoformat(r["due"]) - today).days,
                       "type": _clean(r["fr_type"]), "action": _clean(r["action"]),
                       "document_number": r["document_number"], "label": r["label"],
                       "first_seen": r["first_seen"]}
            for r in rows]


def _failing_sources(store: Store, period: Period) -> list[dict]:
    """Sources that failed in the period: failed requests logged in it, and a run of
    failed cycles whose latest was in it (or the morning after, when the weekly digest
    is made); a past week's digest shows nothing that happened later."""
    start, end = period.start.isoformat(), period.end.isoformat()
    rows = _rows(store, """
        select s.name, s.last_error, s.last_run_at, s.last_ok_at,
               coalesce(s.consecutive_failures, 0) as in_a_row,
               count(f.id) as failed_fetches, max(f.fetched_at) as last_failed_at
        from sources s
        left join fetches f on f.source = s.name and f.error is not null and f.error != ''
             and f.fetched_at >= :start and f.fetched_at < :end
        group by s.name""", {"start": start, "end": end})
    grace = (period.end + timedelta(days=1)).isoformat()
    failing = []
    for row in rows:
        if not (row["last_run_at"] and start <= row["last_run_at"] < grace):
            row["in_a_row"] = 0  # the source's state now, not then
        if row["in_a_row"] < FAILING_AFTER and not row["failed_fetches"]:
            continue
        error = row["last_error"] if row["in_a_row"] else store.db.execute(
            "select error from fetches where source = ? and fetched_at = ? and error != ''",
            [row["name"], row["last_failed_at"]]).fetchone()[0]
        ok = row["last_ok_at"] if (row["last_ok_at"] or "") < grace else None
        failing.append(row | {"last_error": _clean(error), "last_ok": _day(ok)})
    return sorted(failing, key=lambda r: (-r["in_a_row"], -r["failed_fetches"], r["name"]))


def _failed_articles(store: Store, period: Period) -> list[dict]:
    """Articles not stored because they could not be fetched or read, tried in the period:
    still being retried, or given up on."""
    rows = _rows(store, """
        select url, source, stage, reason, attempts, next_attempt, gave_up_at from failures
        where resolved_at is null and first_seen < ? and last_seen >= ?
        order by gave_up_at is null, source, first_seen, url""",
        [period.end.isoformat(), period.start.isoformat()])
    return [r | {"link": r["url"] if is_http_url(r["url"]) else None, "reason": _clean(r["reason"]),
                 "next": _day(r["next_attempt"]), "gave_up": _day(r["gave_up_at"])}
            for r in rows]


def collect(store: Store, period: Period, include_backlog: bool = False,
            datasette_url: str = "", today: date | None = None) -> dict:
    """Everything the templates show for ``period``.

    ``include_backlog`` lists the documents found in the archive (see above) under
    their own heading: a first digest of everything a first crawl found, or the demo
    of a sample newsroom. Without it they are counted in one line.
    ``datasette_url``, where Datasette serves this database, makes policy timelines links.
    What takes effect or closes for comment is counted from ``today`` (the reader's),
    whatever the period: a past date is never shown as upcoming.
    """
    datasette = f"{datasette_url.rstrip('/')}/{quote(store.path.stem)}" if datasette_url else None
    today = today or reader_today()
    start, end = period.start.isoformat(), period.end.isoformat()
    docs = _rows(store, f"""
        select {_shown()}, ? as period_start,
               coalesce(first_seen >= ? and {OLD_WHEN_FOUND} and published < ?, 0) as archive
        from documents
        where {NOT_BASELINE} and ((first_seen >= ? and first_seen < ?)
                                  or (version > 1 and last_changed >= ? and last_changed < ?))
        order by coalesce(published, first_seen) desc, id""",
        [start, start, start, start, end, start, end])
    archive = [d for d in docs if d["archive"]]
    docs = [d for d in docs if not d["archive"]]
    candidates = docs + archive if include_backlog else docs
    # How many documents each reverses: sections put those first.
    reversing = dict(store.db.execute("""
        select l.from_document_id, count(*) from links l join documents d on d.id = l.to_document_id
        where l.relation = 'reverses' and l.from_document_id in (select value from json_each(?))
        group by l.from_document_id""", [json.dumps([d["id"] for d in candidates])]).fetchall())
    timelines: dict[int, list[dict]] = {}
    listed: set[int] = set()

    def section(wanted, pool=docs) -> list[dict]:
        """One item per event: the strongest report leads, the others are "also". Only the
        documents listed are read further (a period's many unlabelled ones are counted)."""
        chosen = []
        pool = [d for d in pool if d["id"] not in listed and wanted(d)]
        related = _related(store, pool)
        for doc in sorted(pool, key=lambda d: (-reversing.get(d["id"], 0), -(d["confidence"] or 0.0),
                                               d["first_seen"])):
            if doc["id"] not in listed:
                item = _item(store, doc, related, datasette, timelines)
                chosen.append(item)
                listed.add(item["id"])
                listed.update(a["id"] for a in item["also"])
        return sorted(chosen, key=lambda i: (i["date"], i["id"]), reverse=True)

    reversals = section(lambda d: d["label"] == REVERSAL or d["id"] in reversing)
    new_policies = section(lambda d: d["label"] == NEW_POLICY)
    figures = _statistics(store, [d["id"] for d in docs])
    listed.update(figures.documents)
    # Labelled as statistics but no figure extracted: still listed with the statistics.
    statistic_documents = section(lambda d: d["label"] == STATISTIC_UPDATE)
    others = section(lambda d: d["label"] not in (None, NO_CHANGE))
    found = []
    if include_backlog:  # the strongest kinds first, then the latest
        rank = {label: n for n, label in enumerate(COUNTED)}
        found = sorted(section(lambda d: d["label"] not in (None, NO_CHANGE), archive),
                       key=lambda i: rank.get(i["label"], len(rank)))  # stable: latest first
    return {
        "period": period,
        "generated": utcnow(),
        "total": len(docs),
        "counts": _by_label(docs),
        "archive_total": len(archive),
        "archive_counts": _by_label(archive),
        "archive": found,
        "include_backlog": include_backlog,
        "backlog_days": BACKLOG_DAYS,
        "reversals": reversals,
        "new_policies": new_policies,
        "statistics": figures.cards,
        "figures_not_shown": figures.total - len(figures.cards),
        "statistic_documents": statistic_documents,
        "others": others,
        "failing": _failing_sources(store, period),
        "today": today,
        "coming_days": COMING_DAYS,
        "taking_effect": coming_up(store, today, "effective_on"),
        "comments_closing": coming_up(store, today, "comments_close_on"),
        "failed_articles": _failed_articles(store, period),
    }


def _count(n: int, label: str | None) -> str:
    one, many = KIND_NAMES.get(label) or (str(label).replace("_", " "),) * 2
    return f"{n} {one if n == 1 else many}"


def _by_label(docs: list[dict]) -> list[str]:
    """["3 reversals", "8 new policies", "4 statistic updates", "7 without policy change"]:
    documents by their label; the counted kinds always, in this order, then the others."""
    counts = Counter(d["label"] for d in docs)
    others = [label for label, _ in counts.most_common() if label not in COUNTED]
    return [_count(counts[label], label) for label in (*COUNTED, *others)]


def subject(data: dict) -> str:
    """The title and mail subject: the headline's own counts of documents, by label."""
    total = data["total"]
    return (f"Policy monitor {data['period'].name}, {total} document{'s' if total != 1 else ''}:"
            f" {', '.join(data['counts'][:len(COUNTED)])}")


# -- writing -----------------------------------------------------------------
@dataclass(frozen=True)
class Digest:
    name: str
    subject: str
    html: str
    text: str
    html_path: Path
    text_path: Path


def _write(path: Path, content: str) -> None:
    """Replace ``path`` atomically so a reader never sees half a digest."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)


def render(data: dict) -> tuple[str, str]:
    context = data | {"subject": subject(data)}
    return (_env.get_template("digest.html").render(context),
            _env.get_template("digest.txt").render(context))


def period_named(name: str) -> Period:
    """The period a digest file is named after: ``2026-W47`` or ``2026-11-01_2026-11-15``."""
    if "_" in name:
        since, until = name.split("_")
        return date_range(date.fromisoformat(since), date.fromisoformat(until))
    return iso_week(name)


def write_index(out: Path) -> Path:
    periods = [period_named(m[1]) for p in out.glob("*.html") if (m := DIGEST_NAME.match(p.name))]
    periods.sort(key=lambda p: (p.start, p.end), reverse=True)
    html = _env.get_template("index.html").render(digests=periods, generated=utcnow())
    _write(out / "index.html", html)
    return out / "index.html"


def write_atom(store: Store, out: Path) -> Path:
    """The latest detected changes (documents labelled other than "none") as Atom, led by
    the Federal Register documents taking effect or closing for comment soon."""
    docs = _rows(store, f"""
        select {_shown()} from documents
        where {IS_NEWS} and label is not null and label != ?
        order by first_seen desc, id desc limit ?""", [NO_CHANGE, ATOM_ENTRIES])
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", "Policy monitor: detected changes")
    sub(feed, "subtitle", "One entry per document labelled reversal, new policy or statistic "
        "update, counted as the digests count them; documents found in the archive (published "
        f"over {BACKLOG_DAYS} days before they were first seen) are left out.")
    sub(feed, "id", "urn:policy-monitor:changes")
    sub(feed, "updated", _atom_time(docs[0]["first_seen"]) if docs else _atom_time(utcnow()))
    sub(feed, "link", rel="self", href="changes.atom")
    sub(sub(feed, "author"), "name", "policy-monitor")
    today = reader_today()
    for kind, column, verb in (("taking_effect", "effective_on", "Takes effect"),
                               ("comments_closing", "comments_close_on", "Comments close")):
        for doc in coming_up(store, today, column):
            entry = sub(feed, "entry")
            sub(entry, "title", f"{verb} {doc['due']}: {doc['title']}")
            sub(entry, "id", f"{doc['url'] or doc['id']}#{kind}-{doc['due']}")
            if doc["url"]:
                sub(entry, "link", href=doc["url"])
            sub(entry, "updated", _atom_time(doc["first_seen"]))
            sub(entry, "category", term=kind, label=verb.lower())
            sub(sub(entry, "author"), "name", doc["source"])
            sub(entry, "summary", f"{doc['type']}. {doc['action']}".strip(". ") + ".")
    statements = _key_statements(store, docs)
    for doc in docs:
        entry = sub(feed, "entry")
        sub(entry, "title", _clean(doc["title"]) or doc["url"])
        sub(entry, "id", doc["url"])
        sub(entry, "link", href=doc["url"])
        sub(entry, "updated", _atom_time(doc["last_changed"] or doc["first_seen"]))
        if doc["published"]:
            sub(entry, "published", _atom_time(doc["published"]))
        sub(entry, "category", term=doc["label"],
            label=doc["label"].replace("_", " "))
        sub(sub(entry, "author"), "name", doc["source"])
        sub(entry, "summary", statements.get(doc["id"], ""))
    ET.indent(feed)
    path = out / "changes.atom"
    _write(path, ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n")
    return path


def _atom_time(value: str) -> str:
    """RFC 3339 as Atom wants it; a bare date becomes midnight UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat()


def publish(store: Store, period: Period, out: str | Path, *,
            include_backlog: bool = False, datasette_url: str = "") -> Digest:
    """Write the period's digest (replacing an earlier rendering), the index and the feed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(store, period, include_backlog, datasette_url)
    html, text = render(data)
    html_path, text_path = out / f"{period.name}.html", out / f"{period.name}.txt"
    _write(html_path, html)
    _write(text_path, text)
    write_index(out)
    write_atom(store, out)
    return Digest(period.name, subject(data), html, text, html_path, text_path)


"""Weekly digests: an HTML page and a plain-text twin per period, an index and an Atom feed.

What is "in" a period: documents we first saw in it (``first_seen``), plus
documents that got a new version in it (an edit can be the change). Detection
time, not the published date, decides, so each document lands in exactly one
weekly digest even when it is found days late; its published date is shown.
Periods are in UTC, like every timestamp in the database. History is not news:
documents of the ``baseline`` source never appear, nor do documents published
more than ``BACKLOG_DAYS`` before we first saw them (the back catalogue read by a
first crawl or a newly added source); they stay searchable in the database.

The default period is the last complete ISO week (Monday to Sunday): the digest
is made on Monday morning about the week that just ended.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.config import is_http_url
from monitor.statements import normalize_space
from monitor.store import BASELINE_SOURCE, Store, utcnow

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
#: at most 30 days (``BACKLOG_DAYS``) before we first saw it.
BACKLOG_DAYS = 30
NOT_BASELINE = f"source != '{BASELINE_SOURCE}'"
IS_NEWS = (f"{NOT_BASELINE} and "
           f"(published is null or published >= date(first_seen, '-{BACKLOG_DAYS:d} days'))")
#: Fetch failures, or this many failed runs in a row, put a source in "sources failing".
FAILING_AFTER = 2
ATOM_ENTRIES = 200
ATOM_NS = "http://www.w3.org/2005/Atom"
DIGEST_NAME = re.compile(r"^(\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2})\.html$")

_env = Environment(
    loader=PackageLoader("monitor", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _number(value: float | None, signed: bool = False) -> str:
    """1234.0 -> "1,234"; 2.5 -> "2.5"; with ``signed`` a leading + for growth."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return ("+" + text) if signed and value > 0 else text


_env.filters["num"] = _number


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


def _day(timestamp: str | None) -> str:
    return (timestamp or "")[:10]


def _rows(store: Store, sql: str, params: list) -> list[dict]:
    cursor = store.db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _key_statement(store: Store, doc: dict) -> str:
    """The statement that carries the document's label, else its first one."""
    rows = _rows(store, """
        select text from statements where document_id = ?
        order by (label = ?) desc, (label is not null and label != 'none') desc,
                 confidence desc, seq
        limit 1""", [doc["id"], doc["label"]])
    return _clean(rows[0]["text"]) if rows else ""


def _ref(doc: dict) -> dict:
    """How a document is shown; only http(s) URLs become links (no javascript:)."""
    url = doc["url"] if is_http_url(doc["url"]) else None
    return {"id": doc["id"], "title": _clean(doc["title"]) or doc["url"], "url": url,
            "source": doc["source"], "date": _day(doc["published"] or doc["first_seen"])}


def _same_event(store: Store, doc: dict) -> list[dict]:
    rows = _rows(store, f"""
        select * from documents where id != :id and {NOT_BASELINE} and (
          id in (select to_document_id from links
                 where relation = 'same_event' and from_document_id = :id)
          or id in (select from_document_id from links
                    where relation = 'same_event' and to_document_id = :id)
          or (event_id is not null and event_id = :event))
        order by first_seen""",
        {"id": doc["id"], "event": doc["event_id"]})
    return [_ref(r) for r in rows]


def _reverses(store: Store, doc: dict) -> list[dict]:
    rows = _rows(store, """
        select d.*, s.text as statement from links l
        join documents d on d.id = l.to_document_id
        left join statements s on s.id = l.to_statement_id
        where l.relation = 'reverses' and l.from_document_id = ?
        order by d.published""", [doc["id"]])
    return [_ref(r) | {"statement": _clean(r["statement"])} for r in rows]


def _item(store: Store, doc: dict) -> dict:
    return _ref(doc) | {
        "label": doc["label"], "statement": _key_statement(store, doc),
        "also": _same_event(store, doc), "reverses": _reverses(store, doc),
        "edited": doc["version"] > 1 and doc["first_seen"] < doc["period_start"],
        "confidence": doc["confidence"] or 0.0, "first_seen": doc["first_seen"],
        "corrected": store.db.execute("select 1 from corrections where document_id = ?",
                                      [doc["id"]]).fetchone() is not None,
    }


def sparkline(values: list[float], width: int = 120, height: int = 28) -> dict | None:
    """Polyline points for a small SVG; None when there is no series to draw."""
    if len(values) < 2:
        return None
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = [(2 + i * step, height - 2 - (v - low) / span * (height - 4))
              for i, v in enumerate(values)]
    return {"width": width, "height": height,
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            "last": {"x": round(points[-1][0], 1), "y": round(points[-1][1], 1)}}


def _statistics(store: Store, doc_ids: list[int]) -> list[dict]:
    if not doc_ids:
        return []
    marks = ",".join("?" * len(doc_ids))
    rows = _rows(store, f"""
        select s.metric, s.value, s.unit, s.period, s.period_end, s.previous_value, s.change,
               s.change_pct, s.document_id, d.id, d.title, d.url, d.source, d.published,
               d.first_seen
        from statistics s join documents d on d.id = s.document_id
        where s.document_id in ({marks}) order by s.metric, s.period_end""", doc_ids)
    stats = []
    for row in rows:
        series = [r[0] for r in store.db.execute(
            "select value from statistics where metric = ? and value is not null "
            "and (period_end <= ? or ? is null) order by period_end, id",
            [row["metric"], row["period_end"], row["period_end"]])]
        stats.append(_ref(row) | {
            "metric": _clean(row["metric"]), "value": row["value"], "unit": _clean(row["unit"]),
            "period": _clean(row["period"]) or _day(row["period_end"]),
            "previous": row["previous_value"], "change": row["change"],
            "change_pct": row["change_pct"], "spark": sparkline(series),
        })
    return stats


def _failing_sources(store: Store, period: Period) -> list[dict]:
    rows = _rows(store, """
        select s.name, s.last_error, coalesce(s.consecutive_failures, 0) as in_a_row,
               s.last_ok_at, count(f.id) as failed_fetches
        from sources s
        left join fetches f on f.source = s.name and f.error is not null and f.error != ''
             and f.fetched_at >= ? and f.fetched_at < ?
        group by s.name
        having in_a_row >= ? or failed_fetches > 0
        order by in_a_row desc, failed_fetches desc, s.name""",
        [period.start.isoformat(), period.end.isoformat(), FAILING_AFTER])
    return [r | {"last_error": _clean(r["last_error"]), "last_ok": _day(r["last_ok_at"])}
            for r in rows]


def collect(store: Store, period: Period, include_backlog: bool = False) -> dict:
    """Everything the templates show for ``period``.

    ``include_backlog`` also lists old documents first seen in the period: a first
    digest of everything a first crawl found, or the demo of a sample newsroom.
    """
    start, end = period.start.isoformat(), period.end.isoformat()
    docs = _rows(store, f"""
        select *, ? as period_start from documents
        where (first_seen >= ? and first_seen < ? and
               {NOT_BASELINE if include_backlog else IS_NEWS})
              or ({NOT_BASELINE} and version > 1 and last_changed >= ? and last_changed < ?)
        order by coalesce(published, first_seen) desc, id""",
        [start, start, end, start, end])
    counts = Counter(d["label"] for d in docs)
    items = [_item(store, d) for d in docs]
    listed: set[int] = set()

    def section(wanted) -> list[dict]:
        """One item per event: the strongest report leads, the others are "also"."""
        chosen = []
        for item in sorted(items, key=lambda i: (-len(i["reverses"]), -i["confidence"],
                                                 i["first_seen"])):
            if item["id"] not in listed and wanted(item):
                chosen.append(item)
                listed.add(item["id"])
                listed.update(a["id"] for a in item["also"])
        return sorted(chosen, key=lambda i: (i["date"], i["id"]), reverse=True)

    reversals = section(lambda i: i["label"] == REVERSAL or bool(i["reverses"]))
    new_policies = section(lambda i: i["label"] == NEW_POLICY)
    statistics = _statistics(store, [d["id"] for d in docs])
    listed.update(s["id"] for s in statistics)
    # Labelled as statistics but no figure extracted: still listed with the statistics.
    statistic_documents = section(lambda i: i["label"] == STATISTIC_UPDATE)
    others = section(lambda i: i["label"] not in (None, NO_CHANGE))
    return {
        "period": period,
        "generated": utcnow(),
        "total": len(docs),
        "counts": [_count(n, label) for label, n in counts.most_common()],
        "reversals": reversals,
        "new_policies": new_policies,
        "statistics": statistics,
        "statistic_documents": statistic_documents,
        "others": others,
        "failing": _failing_sources(store, period),
    }


def _count(n: int, label: str | None) -> str:
    one, many = KIND_NAMES.get(label) or (str(label).replace("_", " "),) * 2
    return f"{n} {one if n == 1 else many}"


def subject(data: dict) -> str:
    parts = [_count(len(data["reversals"]), REVERSAL),
             _count(len(data["new_policies"]), NEW_POLICY),
             _count(len(data["statistics"]) + len(data["statistic_documents"]),
                    STATISTIC_UPDATE)]
    return f"Policy monitor {data['period'].name}: " + ", ".join(parts)


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
    """The latest detected changes (documents labelled other than "none") as Atom."""
    docs = _rows(store, f"""
        select * from documents
        where {IS_NEWS} and label is not null and label != ?
        order by first_seen desc, id desc limit ?""", [NO_CHANGE, ATOM_ENTRIES])
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", "Policy monitor: detected changes")
    sub(feed, "id", "urn:policy-monitor:changes")
    sub(feed, "updated", _atom_time(docs[0]["first_seen"]) if docs else _atom_time(utcnow()))
    sub(feed, "link", rel="self", href="changes.atom")
    sub(sub(feed, "author"), "name", "policy-monitor")
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
        sub(entry, "summary", _key_statement(store, doc))
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
            include_backlog: bool = False) -> Digest:
    """Write the period's digest (replacing an earlier rendering), the index and the feed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(store, period, include_backlog)
    html, text = render(data)
    html_path, text_path = out / f"{period.name}.html", out / f"{period.name}.txt"
    _write(html_path, html)
    _write(text_path, text)
    write_index(out)
    write_atom(store, out)
    return Digest(period.name, subject(data), html, text, html_path, text_path)


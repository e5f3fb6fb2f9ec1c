"""Figures in the stored history: one ``statistics`` row per figure, and its previous value.

The previous value of a figure is, in this order of trust:

1. the same series' immediately preceding period, stored from an earlier release
   (``previous_source = 'series'``, ``previous_id`` set);
2. else the figure for that preceding period which the release itself quotes
   ("down 29% from 117,901 in May"; ``previous_source = 'release'``), or only its
   period when the release gives just the change ("down 29% from May");
3. else nothing: the first figure stored for this series.

A series is one metric, scope, population, agency, kind and kind of period
(``monitor.figures.Figure.series``), so a subset (family units) never follows a total,
a fiscal year never precedes a month, and a figure about Mexico's authorities is never
a DHS series. A change the release states is kept beside the computed one.
"""

from __future__ import annotations

from monitor.figures import COMPARED, PERCENT_CHANGE, SHARE, Figure, Period, extract_document
from monitor.store import Store, utcnow

#: Labels whose statements are read for figures; in a statistics release every statement is.
FIGURE_LABEL = "statistic_update"


def record_statistics(store: Store, doc: dict) -> int:
    """Store the figures of a document's statistic statements (all of its statements when
    the document is a statistics release), each with its previous value. Idempotent:
    a statement that already gave figures is not read again."""
    rows = store.db.execute(
        "select id, text, label from statements where document_id = ? and last_seen_version = ? "
        "order by seq, id", [doc["id"], doc["version"]]).fetchall()
    # A release with one statistic statement is read whole: its other sentences
    # ("That compares with 37,900 in April") complete the figures.
    if not rows or not (doc["label"] == FIGURE_LABEL or any(r[2] == FIGURE_LABEL for r in rows)):
        return 0
    done = {r[0] for r in store.db.execute(  # by statement: statistics(statement_id) is indexed
        "select distinct statement_id from statistics where statement_id in "
        "(select id from statements where document_id = ?)", [doc["id"]])}
    agency = _agency(store, doc)
    figures = extract_document(doc.get("title"), [r[1] for r in rows], doc["published"], agency)
    added = 0
    for (statement_id, _, label), found in zip(rows, figures):
        if statement_id in done:
            continue
        for figure in found:
            _insert(store, doc, statement_id, figure)
            added += 1
    return added


def _agency(store: Store, doc: dict) -> str | None:
    row = store.db.execute("select agency from sources where name = ?", [doc["source"]]).fetchone()
    return row[0] if row else None


def _insert(store: Store, doc: dict, statement_id: int, figure: Figure) -> int:
    previous_id = previous_value = previous_period = source = None
    if figure.role != COMPARED and figure.kind not in (PERCENT_CHANGE, SHARE):
        stored = previous_figure(store, figure.series, figure.period, doc["id"])
        stated = figure.stated_previous()
        if stored:
            previous_id, previous_value, previous_period = stored
            source = "series"
        elif stated:
            previous_value, previous_period = stated[0], stated[1].label
            source = "release"
    change = change_pct = None
    if previous_value is not None:
        change = figure.value - previous_value
        change_pct = round(100 * change / previous_value, 1) if previous_value else None
    return store.insert("statistics", {
        "document_id": doc["id"], "statement_id": statement_id, "metric": figure.metric,
        "value": figure.value, "scope": figure.scope, "population": figure.population,
        "agency": figure.agency, "kind": figure.kind, "qualifier": figure.qualifier,
        "as_written": figure.as_written, "role": figure.role, "unit": figure.unit,
        "period": figure.period.label, "period_kind": figure.period.kind,
        "period_start": figure.period.start, "period_end": figure.period.end,
        "series": figure.series, "published": doc["published"], "previous_id": previous_id,
        "previous_value": previous_value, "previous_period": previous_period,
        "previous_source": source, "change": change, "change_pct": change_pct,
        "change_stated_pct": figure.stated_change_pct, "created_at": utcnow(),
    })


def previous_figure(store: Store, series: str, period: Period, document_id: int
                    ) -> tuple[int, float, str] | None:
    """(id, value, period label) of the stored figure for the period just before this one,
    from another release: a figure the release reported outranks one quoted for comparison,
    and the latest release's value (revised) outranks an earlier one."""
    before = period.preceding()
    if before is None:
        return None
    where = "series = ? and period_end = ? and period_start = ? and document_id != ?"
    first = None
    for role_and_order in ("role = 'reported' order by published desc, id desc",  # one row read
                           "role is not 'reported' order by role is null, published desc, id desc"):
        first = store.db.execute(
            f"select id, value, period, document_id, role from statistics where {where} "
            f"and {role_and_order} limit 1",
            [series, before.end, before.start, document_id]).fetchone()
        if first:
            break
    if first is None:
        return None
    if store.db.execute(  # through its statements: a release has a few dozen
            "select 1 from statistics where statement_id in (select id from statements where"
            " document_id = ?) and +series = ? and +period_end = ? and +period_start = ?"
            " and role is ? and value != ? limit 1",
            [first[3], series, before.end, before.start, first[4], first[1]]).fetchone():
        return None  # one release gives two values for it: which one is meant is unclear
    return first[:3]

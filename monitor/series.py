"""Figures in the stored history: one ``statistics`` row per figure, and its previous value.

The previous value of a figure is, in this order of trust:

1. the same series' immediately preceding period, stored from an earlier release
   (``previous_source = 'series'``, ``previous_id`` set);
2. else the figure for that preceding period which the release itself quotes
   ("down 29% from 117,901 in May"; ``previous_source = 'release'``), or only its
   period when the release gives just the change ("down 29% from May");
3. else nothing: the first figure stored for this series.

A stored value the release contradicts (it quotes another value for that period, or a
fall from it where the stored value gives a rise) is not taken: the two are not the same
series, whatever their words.

A series is one metric, scope, population, agency, kind and kind of period
(``monitor.figures.Figure.series``), so a subset (family units) never follows a total,
a fiscal year never precedes a month, and a figure about Mexico's authorities is never
a DHS series. A change the release states is kept beside the computed one.
"""

from __future__ import annotations

import hashlib
import json
import pickle

from monitor.figures import (CHANGE, COMPARED, PERCENT_CHANGE, SHARE, THE_SECTOR, Figure, Period,
                             extract_document, forecast, may_hold_figures, periodic_statistic)
from monitor.store import Store, utcnow

#: A release of this label is a statistics release: every figure in it is kept.
FIGURE_LABEL = "statistic_update"


def prepare_figures(title: str | None, texts: list[str], published: str | None,
                    agency: str | None, label: str | None) -> tuple[str, bytes] | None:
    """What ``record_statistics`` would read from a document, read where the document is
    analysed (a crawl's worker processes, on every core) instead of after the crawl, in
    the one process that writes. Pickled, with a digest of what it was read from: the
    writer keeps it for this run only (``Store.keep_prepared_figures``) and the figures
    are used only if the stored document still reads the same."""
    if not _may_have_figures(label, texts):
        return None
    figures = extract_document(title, texts, published, agency)
    return _read_from(title, texts, published, agency), pickle.dumps(figures, pickle.HIGHEST_PROTOCOL)


def _may_have_figures(label: str | None, texts: list[str]) -> bool:
    """Every statistics release; any other release whose statements pass the quick test."""
    return label == FIGURE_LABEL or may_hold_figures(texts)


def _read_from(title: str | None, texts: list[str], published: str | None, agency: str | None) -> str:
    return hashlib.sha256(json.dumps([title, texts, published, agency]).encode()).hexdigest()


def record_statistics(store: Store, doc: dict) -> int:
    """Store the figures of a document, each with its previous value: every figure of a
    statistics release, and the periodic DHS statistics any other release quotes (an
    enforcement release's fiscal-year removals, a policy release's monthly encounters;
    ``monitor.figures.periodic_statistic``). Idempotent: a statement that already gave
    figures is not read again."""
    rows = store.db.execute(
        "select id, text, label from statements where document_id = ? and last_seen_version = ? "
        "order by seq, id", [doc["id"], doc["version"]]).fetchall()
    if not rows:
        return 0
    texts = [r[1] for r in rows]
    if not _may_have_figures(doc["label"], texts):
        return 0
    done = {r[0] for r in store.db.execute(  # by statement: statistics(statement_id) is indexed
        "select distinct statement_id from statistic_rows where statement_id in "
        "(select id from statement_rows where document_id = ?)", [doc["id"]])}
    agency = _agency(store, doc)
    prepared = store.take_prepared_figures(doc["id"])
    if prepared and prepared[0] == _read_from(doc.get("title"), texts, doc["published"], agency):
        figures = pickle.loads(prepared[1])
    else:  # none kept (a later run, reclassify), or read from words the document no longer has
        figures = extract_document(doc.get("title"), texts, doc["published"], agency)
    if doc["label"] != FIGURE_LABEL:
        figures = statistics_quoted(figures, doc["published"])
    added = 0
    for (statement_id, _, label), found in zip(rows, figures):
        if statement_id in done:
            continue
        for figure in found:
            _insert(store, doc, statement_id, figure)
            added += 1
    return added


def statistics_quoted(figures: list[list[Figure]], published: str | None) -> list[list[Figure]]:
    """The periodic statistics among a release's figures (per statement), with the
    figures quoted for comparison with them ("That compares with 37,900 in April") and
    the changes stated for them."""
    kept = {id(f) for found in figures for f in found if periodic_statistic(f, published)}
    companions = {id(c) for found in figures for f in found if id(f) in kept for c in f.compared}
    keys = {_key(f) for found in figures for f in found if id(f) in kept}
    return [[f for f in found if id(f) in kept or id(f) in companions
             or (f.role == CHANGE and _key(f) in keys)] for found in figures]


def _key(figure: Figure) -> tuple:
    return figure.metric, figure.scope, figure.population, figure.agency, figure.period


def _agency(store: Store, doc: dict) -> str | None:
    row = store.db.execute("select agency from sources where name = ?", [doc["source"]]).fetchone()
    return row[0] if row else None


def _insert(store: Store, doc: dict, statement_id: int, figure: Figure) -> int:
    previous_id = previous_value = previous_period = source = None
    if figure.kind not in (PERCENT_CHANGE, SHARE):
        # a figure quoted for comparison takes only the previous its own release gives
        # ("compared with 6,182 in fiscal year 2022 and 838 in fiscal year 2021")
        # nor does a figure said of a period not over yet ("expects 190,000 in March")
        # nor does "the sector" of a release that names none: which sector is not known
        stored = previous_figure(store, figure.series, figure.period, doc["id"]) \
            if figure.role != COMPARED and not forecast(figure, doc["published"]) \
            and figure.scope != THE_SECTOR else None
        stated = figure.stated_previous()
        if stored and _contradicted(figure, stored[1], stated):
            stored = None  # the release says otherwise: the stored figure is not this series'
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
    return store.insert_statistic({
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


def _contradicted(figure: Figure, stored: float, stated: tuple[float | None, Period] | None) -> bool:
    """Whether the release contradicts a stored previous value: it quotes another value
    for that period (more than a revision apart), or a fall from that period where the
    stored value gives a rise, or the reverse. (A change of the same sense that differs is
    kept, and the digest shows both.)"""
    if stated and stated[0] and abs(stored - stated[0]) > 0.1 * abs(stated[0]):
        return True
    pct = figure.stated_change_pct
    if pct is None or abs(pct) < 2 or not stored or figure.stated_change_from != figure.period.preceding():
        return False
    return (figure.value - stored) * pct < 0


def previous_figure(store: Store, series: str, period: Period, document_id: int
                    ) -> tuple[int, float, str] | None:
    """(id, value, period label) of the stored figure for the period just before this one,
    from another release: a figure the release reported outranks one quoted for comparison,
    and the latest release's value (revised) outranks an earlier one."""
    before = period.preceding()
    if before is None:
        return None
    series_id = store.series_id(series)
    if series_id is None:
        return None
    where = "series_id = ? and period_end = ? and period_start = ? and document_id != ?"
    first = None
    for role_and_order in ("role = 'reported' order by published desc, id desc",  # one row read
                           "role is not 'reported' order by role is null, published desc, id desc"):
        first = store.db.execute(
            f"select id, value, period, document_id, role from statistic_rows where {where} "
            f"and {role_and_order} limit 1",
            [series_id, before.end, before.start, document_id]).fetchone()
        if first:
            break
    if first is None:
        return None
    if store.db.execute(  # through its statements: a release has a few dozen
            "select 1 from statistic_rows where statement_id in (select id from statement_rows"
            " where document_id = ?) and +series_id = ? and +period_end = ? and +period_start = ?"
            " and role is ? and value != ? limit 1",
            [first[3], series_id, before.end, before.start, first[4], first[1]]).fetchone():
        return None  # one release gives two values for it: which one is meant is unclear
    if store.db.execute(
            f"select 1 from statistic_rows where {where} and role = 'reported'"
            " and abs(value - ?) > 0.1 * abs(?) limit 1",
            [series_id, before.end, before.start, document_id, first[1], first[1]]).fetchone():
        return None  # releases disagree by more than a revision: they are not all this series
    return first[:3]

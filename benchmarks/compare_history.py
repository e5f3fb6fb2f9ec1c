#!/usr/bin/env python3
"""Do two histories hold the same labels, links and figures?

    python benchmarks/compare_history.py BEFORE.db AFTER.db

For checking that a change to how the history is built (speed, memory) changed nothing
it decides: the same site crawled by two versions of the code. Rows are compared by
what they are about, not by row id: documents by URL path (the loopback port differs
between crawls), statements by their hash. Compared: document labels and confidences,
statement labels, confidences and evidence (without the classifier version, which
rows stored before 2026-12-01 repeated in every statement: the document's is compared),
``reverses`` and ``same_event`` links with their scores, same-event groups (by their
members: which report represents a group follows crawl order), ``statistics`` rows with
their previous values, and policies with their events. Prints the differences; exit
status 1 if there are any.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from urllib.parse import urlsplit


def _path(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    # Loopback sites are served on a new port each time: keep the path only.
    where = "" if host in ("127.0.0.1", "localhost") else parts.netloc
    return where + parts.path + (f"?{parts.query}" if parts.query else "")


def _evidence(evidence: str | None) -> str | None:
    """A statement's stored evidence without the classifier version; none when empty."""
    try:
        parsed = json.loads(evidence or "{}")
    except ValueError:
        return evidence
    if isinstance(parsed, dict):
        parsed.pop("classifier", None)
    return json.dumps(parsed, sort_keys=True) if parsed else None


def _groups(con, url: dict) -> set:
    """Same-event groups as the sets of their members' paths."""
    members: dict = {}
    for i, e in con.execute("select id, event_id from documents where event_id is not null"):
        members.setdefault(e, {url[e]}).add(url[i])
    return {tuple(sorted(m)) for m in members.values()}


def snapshot(path: str) -> dict[str, set]:
    con = sqlite3.connect(path)
    try:
        url = {i: _path(u) for i, u in con.execute("select id, url from documents")}
        statement = dict(con.execute("select id, hash from statements"))
        conf = lambda c: None if c is None else round(c, 6)  # noqa: E731
        return {
            "documents": {(url[i], source, label, conf(c), version, classifier)
                          for i, source, label, c, version, classifier in con.execute(
                              "select id, source, label, confidence, version, classifier "
                              "from documents")},
            "statements": {(url[d], h, label, conf(c), _evidence(evidence))
                           for d, h, label, c, evidence
                           in con.execute("select document_id, hash, label, confidence, "
                                          "evidence from statements")},
            "links": {(url[a], statement.get(sa), url[b], statement.get(sb), relation,
                       conf(score)) for a, sa, b, sb, relation, score in con.execute(
                "select from_document_id, from_statement_id, to_document_id, to_statement_id,"
                " relation, score from links")},
            "events": _groups(con, url),
            "statistics": {(url[d], statement.get(s), metric, value, period, series,
                            role, kind, prev, prev_period, prev_source, change, change_pct)
                           for d, s, metric, value, period, series, role, kind, prev,
                           prev_period, prev_source, change, change_pct in con.execute(
                               "select document_id, statement_id, metric, value, period,"
                               " series, role, kind, previous_value, previous_period,"
                               " previous_source, change, change_pct from statistics")},
            "previous figures": {(url[d], statement.get(s), metric, period,
                                  url.get(pd), statement.get(ps))
                                 for d, s, metric, period, pd, ps in con.execute(
                                     "select s.document_id, s.statement_id, s.metric, s.period,"
                                     " p.document_id, p.statement_id from statistics s"
                                     " join statistics p on p.id = s.previous_id")},
            "policy events": {(key, name, url[d], statement.get(s), event, day)
                              for key, name, d, s, event, day in con.execute(
                                  "select p.key, p.name, e.document_id, e.statement_id,"
                                  " e.event, e.date from policy_events e"
                                  " join policies p on p.id = e.policy_id")},
        }
    finally:
        con.close()


def compare(before: str, after: str, show: int = 5) -> int:
    a, b = snapshot(before), snapshot(after)
    differences = 0
    for table in a:
        gone, new = sorted(a[table] - b[table], key=str), sorted(b[table] - a[table], key=str)
        same = len(a[table] & b[table])
        print(f"{table:17} {same:>9,} identical, {len(gone):,} only before, "
              f"{len(new):,} only after")
        for label, rows in (("before", gone), ("after", new)):
            for row in rows[:show]:
                print(f"    only {label}: {row}")
        differences += len(gone) + len(new)
    print("identical" if not differences else f"{differences:,} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1].strip())
    sys.exit(compare(sys.argv[1], sys.argv[2]))

"""A policy's timeline as the history holds it: its dated events, oldest first. Read by the
digest and the `policy` command; ``monitor.policies`` writes the events (and compiling its
patterns is most of its import time, which a digest need not pay)."""

from __future__ import annotations

#: What a reader reads in a timeline.
EVENT_NAMES = {"establish": "announced", "extend": "extended", "suspend": "suspended",
               "end": "ended", "reinstate": "reinstated"}


def timeline(db, policy_id: int) -> list[dict]:
    """The policy's events, oldest first, with each document's title, source and URL."""
    rows = db.execute(
        "select e.date, e.event, d.id, d.title, d.source, d.url, s.text from policy_events e "
        "join documents d on d.id = e.document_id left join statements s on s.id = e.statement_id "
        "where e.policy_id = ? order by e.date, d.id", [policy_id]).fetchall()
    return [{"date": r[0], "event": r[1], "what": EVENT_NAMES[r[1]], "document_id": r[2],
             "title": r[3], "source": r[4], "url": r[5], "statement": r[6]} for r in rows]

"""Policies as things the history knows: what each document does to which policy.

A policy is recognised by its identity, never by topic similarity: a named program
and its aliases (``data/policies.toml``: MPP / "Remain in Mexico", DACA, Title 42,
CHNV, ...), Temporary Protected Status for one country, a memo or notice by its date
("the June 15, 2012 memorandum"), a rule by its RIN, docket or Federal Register title.

The event (establish, extend, suspend, end, reinstate) comes from the action verbs
in the clause that names the policy, in the headline and in the statements the
classifier labelled ``new_policy`` or ``reversal``; background ("which had expanded",
a year before the document's) and exceptions ("except for DACA") are not acts.

``reverses`` links then go to what a reversal undoes: for an end or a suspension,
the document that established the policy (in its current life: after a termination,
what re-established it); for a reinstatement, the termination it undoes. When the
history holds no such document there is no link: a wrong link is worse than none.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from monitor.store import BASELINE_SOURCE

CATALOGUE = Path(__file__).parent / "data" / "policies.toml"
EVENTS = ("establish", "extend", "suspend", "end", "reinstate")
#: What a reader reads in a timeline.
EVENT_NAMES = {"establish": "announced", "extend": "extended", "suspend": "suspended",
               "end": "ended", "reinstate": "reinstated"}
#: When one name carries several verbs, the strongest wins ("suspended and begun the
#: process of ending" is a suspension; "rescinds ... and restores" a reinstatement).
_STRENGTH = {"reinstate": 5, "suspend": 4, "end": 3, "extend": 2, "establish": 1}
_REVERSING = {"suspend", "end", "reinstate"}
#: A memo is found by its date give or take this (signed one day, released the next).
MEMO_DAYS = 2

_VERBS = [
    # "suspends entry" is how an order closing the border reads: it establishes the order
    ("establish_entry", r"suspen\w* (?:the )?(?:entry|introduction)"),
    ("reinstate", r"reinstat\w*|restor\w*|resum\w*|re-?implement\w*|restart\w*|reopen\w*|"
                  r"reactivat\w*|bring\w* back"),
    ("suspend", r"suspen\w*|paus\w*|halt\w*|delay\w* (?:of )?(?:the )?effective date|freez\w*|"
                r"no new enrollments?|stop\w* accepting|no longer accept\w*"),
    ("end", r"terminat\w*|\bend(?:s|ed|ing)?\b|rescin\w*|rescission|revok\w*|revocation|"
            r"withdr[ae]w\w*|wind\w* down|vacat\w*|"
            r"remov\w* (?:the )?(?:regulations?|rule|program|changes|regulatory text)|"
            r"discontinu\w*|cancel\w*|repeal\w*|no longer|abolish\w*|not renew|"
            r"stop\w* (?:using|applying|enforcing|defending)|expir\w*|"
            r"clos\w*"),
    ("extend", r"extend\w*|extension|redesignat\w*|expand\w*|expansion"),
    ("establish", r"announc\w*|launch\w*|establish\w*|creat\w*|\bdesignat\w*|implement\w*|"
                  r"introduc\w*|issu\w*|unveil\w*|begin\w*|began|\bstart\w*|activat\w*|grant\w*|"
                  r"publish\w*|sign\w*|adopt\w*|final rule|takes? effect|new (?:process|program|rule)"),
]
_VERB = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _VERBS))
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|"
           "november|december")
_DATE = rf"(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}"
_MEMO_WORD = r"memorand(?:um|a)|memos?|notice|guidance|guidelines|directive|rescission|designation"
#: "the memorandum of June 15, 2012" / "the June 15, 2012 memorandum".
_MEMO = re.compile(rf"(?:(?:{_MEMO_WORD})\s+(?:of|dated|issued on|signed on)\s+(?P<a>{_DATE}))|"
                   rf"(?:(?P<b>{_DATE}),?\s+(?:[a-z]+\s+){{0,3}}?(?:{_MEMO_WORD}))")
#: A document that is itself a memo, notice or guidance (so it can be named by its date).
#: "the 2017 and 2018 memoranda": memos by year, resolved against the stored ones.
_MEMO_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\s+(?:[a-z]+\s+){0,2}?"
                        r"(?:memorand(?:um|a)|memos?)\b")
_SELF_MEMO = re.compile(
    r"\bthis (?:notice|memorandum)\b|\b(?:issu|sign)\w*\s+(?:\w+\s+){0,3}?"
    r"(?:memorand|memo\b|guidance|guidelines|directive|notice)|\bby this\b")
_RIN = re.compile(r"\brin\s*(\d{4}-[a-z]{2}\d{2})\b")
_DOCKET = re.compile(r"\b((?:uscis|dhs|ice|cbp|ices|iceb|tsa|fema|usbc|boep|eoir)-\d{4}-\d{4})\b")
_TPS = re.compile(r"temporary protected status|\btps\b")
#: Federal Register titles that name an earlier rule: "<rule>; Delay of Effective Date".
_TITLE_SUFFIX = re.compile(r"\s*[;:]\s*(?P<verb>delay of effective date|implementation of vacatur|"
                           r"withdrawal|rescission|removal|extension of comment period)\s*$")
_TITLE_PREFIX = re.compile(r"^(?P<verb>termination of|rescission of|removal of|vacatur of|"
                           r"withdrawal of|delay of effective date (?:for|of))\s+(?:the\s+)?")
_EXEMPT = re.compile(r"\b(?:except(?: for)?|other than|excluding|does not affect|not affect)\W+"
                     r"(?:\w+\W+){0,3}$")
_EXEMPT_AFTER = re.compile(r"[^.;]{0,40}?\b(?:remains?|will remain|stays?) in (?:effect|place)\b|"
                           r"\W+(?:is |are )?unaffected")
#: "expanded the process for Venezuelans to <the policy>": the policy is new.
_TO_NEW_SCOPE = re.compile(r"\bto\s+(?:the\s+)?$")
#: After another memo named just before: a relative clause about that one ("which
#: rescinded ..."), or its quoted title ("the March 21, 2022 notice, 'Rescission of ...'").
_RELATIVE = re.compile(r"\W*(?:which|that|who)\b|\s*[,(\"“'‘]\s*[\"“'‘]?[^.;]{0,40}$")
_NOT_THE_POLICY = re.compile(r"\b(?:understanding|interpretation|approach|standard|framework)\b")
_CLAUSE_END = re.compile(r"[.;!?]\s|\s[-–—]\s")
#: A statement about the past ("had been ended", "in 2017") is background, not an act.
_PAST_PERFECT = re.compile(r"\bhad (?:been |already )?\w+(?:ed|en)\b")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


@dataclass(frozen=True)
class Mention:
    """A policy named in a text, with where the name is."""

    key: str
    name: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Event:
    key: str
    name: str
    kind: str
    event: str
    statement_id: int | None


@lru_cache(maxsize=1)
def catalogue() -> dict:
    data = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    policies = []
    for entry in data["policy"]:
        policies.append(entry | {"regex": re.compile("|".join(f"(?:{p})" for p in entry["patterns"]))})
    demonyms = {d: country for country, names in data["tps_demonyms"].items() for d in names}
    names = sorted([*data["tps_countries"], *demonyms], key=len, reverse=True)
    country = re.compile(r"\b(?<!south )(" + "|".join(map(re.escape, names)) + r")\b")
    return {"policies": policies, "country": country, "demonyms": demonyms}


def mentions(text: str) -> list[Mention]:
    """Every policy named in ``text`` (catalogue names, memos by date, RINs, dockets)."""
    lowered = text.lower()
    found = []
    for entry in catalogue()["policies"]:
        for m in entry["regex"].finditer(lowered):
            found.append(Mention(entry["key"], entry["name"], entry["kind"], m.start(), m.end()))
    for m in _MEMO.finditer(lowered):
        day = _parse_date(m["a"] or m["b"])
        if day:
            found.append(Mention(f"memo {day}", f"Memo or notice of {_long_date(day)}", "memo",
                                 m.start(), m.end()))
    for m in _MEMO_YEAR.finditer(lowered):
        for year in filter(None, (m[1], m[2])):
            found.append(Mention(f"memo year {year}", f"Memo of {year}", "memo", m.start(), m.end()))
    for m in _RIN.finditer(lowered):
        rin = m[1].upper()
        found.append(Mention(f"rin {rin}", f"Rule RIN {rin}", "rule", m.start(), m.end()))
    for m in _DOCKET.finditer(lowered):
        docket = m[1].upper()
        found.append(Mention(f"docket {docket}", f"Rule docket {docket}", "rule", m.start(), m.end()))
    return sorted(found, key=lambda x: (x.start, -x.end))


def tps_mentions(text: str, in_tps_context: bool) -> list[Mention]:
    """TPS per country: countries named where Temporary Protected Status is the subject."""
    lowered = text.lower()
    if not (_TPS.search(lowered) or (in_tps_context and "designation" in lowered)):
        return []
    found = []
    for m in catalogue()["country"].finditer(lowered):
        country = catalogue()["demonyms"].get(m[1], m[1])
        found.append(Mention(f"tps {country}", f"Temporary Protected Status for {country.title()}",
                             "designation", m.start(), m.end()))
    return found


def verb_for(text: str, mention: Mention, others: list[Mention]) -> str | None:
    """The action done to the named policy: the strongest verb in its clause before the
    name (after the last other policy named there), else just after the name."""
    lowered = text.lower()
    start = max([0] + [m.end() for m in _CLAUSE_END.finditer(lowered, 0, mention.start)])
    memo_end = max([o.end for o in others if o.end <= mention.start and o.kind == "memo"
                    and o.key != mention.key], default=-1)
    start = max(start, mention.start - 160, memo_end)
    window = lowered[start:mention.start]
    if start == memo_end and _RELATIVE.match(window):
        return None  # "the 2022 notice, which rescinded the 2019 one": the verb is the 2022 notice's
    if _EXEMPT.search(window) or _EXEMPT_AFTER.match(lowered, mention.end):
        return None  # "except for DACA", "DACA will remain in effect"
    before = [(_verb_name(m), m) for m in _VERB.finditer(lowered, start, mention.start)]
    before = [verb for verb, m in before
              if verb != "reinstate" or _governs(lowered[m.end():mention.start])]
    if before:
        verb = max(before, key=_STRENGTH.get)
        if verb == "extend" and _TO_NEW_SCOPE.search(window):
            return "establish"  # "expanded the process for Venezuelans to Cubans, ...": a new one
        return verb
    stop = _CLAUSE_END.search(lowered, mention.end)
    stop = min(stop.start() if stop else len(lowered), mention.end + 80,
               *[o.start for o in others if o.start >= mention.end])
    after = [_verb_name(m) for m in _VERB.finditer(lowered, mention.end, stop)]
    return max(after, key=_STRENGTH.get) if after else None


def _governs(between: str) -> bool:
    """Whether a reinstating verb takes the policy as its object ("restores the July 23,
    2019 designation"), not something about it ("restores the historical understanding of")."""
    return len(between.split()) <= 6 and not _NOT_THE_POLICY.search(between)


def _verb_name(match: re.Match) -> str:
    return next(name for name, value in match.groupdict().items() if value).split("_")[0]


def document_events(title: str | None, published: str | None, label: str | None,
                    statements: list[tuple[int, str, str | None]]) -> list[Event]:
    """What a document does to which policy: one event per policy, the strongest.

    ``statements`` are (id, text, label). The headline counts when the document is a
    new policy or a reversal; a statement when it is labelled so itself. Statements
    about the past (a past perfect, or a year before the document's) are background.
    """
    year = int(published[:4]) if published and published[:4].isdigit() else None
    texts: list[tuple[int | None, str, str]] = []
    if any(slabel == "reversal" for _, _, slabel in statements):
        label = "reversal"  # a headline reads as its strongest statement
    if title:  # a headline names what the document is about, whatever its label
        texts.append((None, title, label))
    texts += [(sid, text, slabel) for sid, text, slabel in statements
              if slabel in ("new_policy", "reversal")]
    in_tps = bool(title and _TPS.search(title.lower()))
    best: dict[str, Event] = {}
    for sid, text, text_label in texts:
        named = mentions(text)
        if sid is not None and _background(text, named, year):
            continue
        for mention in named + tps_mentions(text, in_tps):
            if sid is not None and _PAST_PERFECT.search(text.lower(), 0, mention.start):
                continue  # "... which had expanded it": background
            verb = verb_for(text, mention, named)
            if verb in ("establish", "extend") and mention.key.startswith("memo ") and \
                    not _near(mention.key, published):
                continue  # naming an old memo is not issuing it
            if verb is None and sid is None and text_label == "new_policy" and \
                    len((text[:mention.start] + text[mention.end:]).split()) <= 3:
                verb = "establish"  # a new rule titled by its name: "International Entrepreneur Rule"
            if verb is None and mention.key.startswith(("rin ", "docket ")):
                verb = "end" if text_label == "reversal" else "establish"
            if verb is None:
                continue
            old = best.get(mention.key)
            if old is None or _STRENGTH[verb] > _STRENGTH[old.event] or (
                    verb == old.event and old.statement_id is None):  # a statement says more
                best[mention.key] = Event(mention.key, mention.name, mention.kind, verb, sid)
    return list(best.values())


def _near(memo_key: str, published: str | None) -> bool:
    """Whether a document published then can be the one issuing the memo named by the key
    ("memo 2012-06-15", or "memo year 2012" for "the 2012 memo")."""
    day = _day(published)
    if not day:
        return False
    named = memo_key.split()[-1]
    if memo_key.startswith("memo year "):
        return day.year == int(named)
    return abs((day - date.fromisoformat(named)).days) <= MEMO_DAYS


def _background(text: str, named: list[Mention], year: int | None) -> bool:
    lowered = text.lower()
    if year is None:
        return False
    for m in sorted(named, key=lambda m: m.start, reverse=True):  # a memo's date is its name
        lowered = lowered[:m.start] + lowered[m.end:]
    return any(int(y) < year for y in _YEAR.findall(lowered)
               if not re.search(rf"{y}\s+(?:[a-z]+\s+){{0,3}}?(?:{_MEMO_WORD}|rule|enforcement)",
                                lowered))


def self_memo(title: str | None, label: str | None,
              statements: list[tuple[int, str, str | None]]) -> int | None | bool:
    """Whether the document is itself a memo or notice (so a later one can name it by
    date): the statement that says so (None for the headline), or False."""
    if title and label in ("new_policy", "reversal") and _SELF_MEMO.search(title.lower()):
        return None
    for sid, text, slabel in statements:
        if slabel in ("new_policy", "reversal") and _SELF_MEMO.search(text.lower()):
            return sid
    return False


def title_rule(title: str | None) -> tuple[str, str] | None:
    """(rule title, verb) when a Federal Register title names an earlier rule."""
    if not title:
        return None
    text = " ".join(title.split())
    verb = None
    if m := _TITLE_SUFFIX.search(text.lower()):
        verb, text = m["verb"], text[:m.start()]
    elif m := _TITLE_PREFIX.match(text.lower()):
        verb, text = m["verb"], text[m.end():]
    if verb is None or len(text) < 12:
        return None
    event = "suspend" if "delay" in verb else "extend" if "extension" in verb else "end"
    return text.strip(" ,;:"), event


def rule_key(title: str) -> str:
    return "rule " + " ".join(re.sub(r"[^a-z0-9 ]", " ", title.lower()).split())


# --- the database -------------------------------------------------------------------


def record_document(db, document_id: int) -> set[int]:
    """Store what the document does to which policies (replacing what was stored for
    it before); returns the ids of the policies concerned, before and after."""
    doc = db.execute("select title, published, first_seen, label from documents where id = ?",
                     [document_id]).fetchone()
    if doc is None:
        return set()
    title, published, first_seen, label = doc
    day = _day(published) or _day(first_seen)
    statements = db.execute(
        "select id, text, label from statements where document_id = ? and last_seen_version = "
        "(select version from documents where id = ?) order by seq, id",
        [document_id, document_id]).fetchall()
    touched = {r[0] for r in db.execute(
        "select policy_id from policy_events where document_id = ?", [document_id])}
    db.execute("delete from policy_events where document_id = ?", [document_id])
    events = document_events(title, published, label, statements)
    own = self_memo(title, label, statements)
    if own is not False and day:
        events.append(Event(f"memo {day}", f"Memo or notice of {_long_date(day)}", "memo",
                            "establish", own))
    named = None
    if title and not (mentions(title) or tps_mentions(title, True)):  # else a known name says it
        named = title_rule(title)
    if named:
        events.append(Event(rule_key(named[0]), named[0], "rule", named[1], None))
    if title and label in ("new_policy", "reversal"):
        key = rule_key(title)
        if db.execute("select 1 from policies where key = ?", [key]).fetchone():
            events.append(Event(key, " ".join(title.split()), "rule", "establish", None))
    programs = {m.key for text in [title or "", *(t for _, t, _ in statements)]
                for m in mentions(text) + tps_mentions(text, False) if not m.key.startswith("memo")}
    events = _resolve_years(db, document_id, day, events, programs)
    for event in {e.key: e for e in events}.values():
        policy_id = _policy_id(db, event)
        db.execute("insert or replace into policy_events (policy_id, document_id, statement_id,"
                   " event, date) values (?, ?, ?, ?, ?)",
                   [policy_id, document_id, event.statement_id, event.event,
                    day.isoformat() if day else None])
        touched.add(policy_id)
    if own is not False and day:
        _name_memo(db, f"memo {day}", title)
    if named:  # the rule a later title names was established by the document titled so
        key = rule_key(named[0])
        for (earlier,) in db.execute(
                "select id from documents where id != ? and lower(title) = lower(?)",
                [document_id, named[0]]).fetchall():
            _add_event(db, key, earlier, "establish")
    return touched


def _resolve_years(db, document_id: int, day: date | None, events: list[Event],
                   named: set[str]) -> list[Event]:
    """"The 2017 memorandum" is the one stored memo of 2017 that acted on a policy this
    document also names; none or several: the reference is dropped (precision first)."""
    resolved = []
    for event in events:
        if not event.key.startswith("memo year "):
            resolved.append(event)
            continue
        year = event.key.split()[-1]
        if not named or not day:
            continue
        marks = ",".join("?" * len(named))
        found = db.execute(
            "select distinct m.date from policy_events m join policies pm on pm.id = m.policy_id "
            "where pm.key like 'memo %' and m.event = 'establish' and substr(m.date, 1, 4) = ? "
            "and m.date < ? and m.document_id != ? and m.document_id in ("
            f" select e.document_id from policy_events e join policies p on p.id = e.policy_id"
            f" where p.key in ({marks}))",
            [year, day.isoformat(), document_id, *named]).fetchall()
        if len(found) == 1:
            memo = date.fromisoformat(found[0][0])
            resolved.append(Event(f"memo {memo}", f"Memo or notice of {_long_date(memo)}", "memo",
                                  event.event, event.statement_id))
    return resolved


def _name_memo(db, key: str, title: str | None) -> None:
    """A memo known only by its date takes the title of the document that issued it."""
    if title:
        day = date.fromisoformat(key.split()[1])
        db.execute("update policies set name = ? where key = ? and name like 'Memo or notice of %'",
                   [f"{' '.join(title.split())} ({_long_date(day)})", key])


def _add_event(db, key: str, document_id: int, event: str) -> None:
    policy_id = db.execute("select id from policies where key = ?", [key]).fetchone()[0]
    row = db.execute("select published, first_seen from documents where id = ?",
                     [document_id]).fetchone()
    day = _day(row[0]) or _day(row[1])
    db.execute("insert or ignore into policy_events (policy_id, document_id, statement_id, event,"
               " date) values (?, ?, null, ?, ?)",
               [policy_id, document_id, event, day.isoformat() if day else None])


def _policy_id(db, event: Event) -> int:
    row = db.execute("select id from policies where key = ?", [event.key]).fetchone()
    if row:
        return row[0]
    aliases = next((p["aliases"] for p in catalogue()["policies"] if p["key"] == event.key), [])
    return db.execute("insert into policies (key, name, kind, aliases) values (?, ?, ?, ?)",
                      [event.key, event.name, event.kind, json.dumps(aliases)]).lastrowid


def reversing_documents(db, policy_ids: set[int]) -> list[int]:
    """Documents that suspend, end or reinstate any of these policies, oldest first."""
    if not policy_ids:
        return []
    marks = ",".join("?" * len(policy_ids))
    return [r[0] for r in db.execute(
        f"select distinct document_id from policy_events where policy_id in ({marks}) "
        f"and event in ('suspend', 'end', 'reinstate') order by date, document_id",
        list(policy_ids))]


def link_reversals(db, document_id: int, now: str) -> int:
    """Replace the document's ``reverses`` links by what its events undo; returns how many."""
    db.execute("delete from links where relation = 'reverses' and from_document_id = ?",
               [document_id])
    added = 0
    rows = db.execute(
        "select e.policy_id, p.key, e.event, e.statement_id, e.date from policy_events e "
        "join policies p on p.id = e.policy_id where e.document_id = ? "
        "and e.event in ('suspend', 'end', 'reinstate')", [document_id]).fetchall()
    for policy_id, key, event, statement_id, day in rows:
        target = _undone(db, policy_id, key, event, day, document_id)
        if target is None:
            continue
        to_document, to_statement = target
        added += db.execute(
            "insert or ignore into links (from_document_id, from_statement_id, to_document_id,"
            " to_statement_id, relation, score, created_at) values (?, ?, ?, ?, 'reverses', 1.0, ?)",
            [document_id, statement_id, to_document, to_statement, now]).rowcount
    return added


def _undone(db, policy_id: int, key: str, event: str, day: str | None, document_id: int
            ) -> tuple[int, int | None] | None:
    """(document, statement) that a suspension, end or reinstatement undoes, if stored."""
    if not day:
        return None
    if key.startswith("memo ") and event != "reinstate":
        return _memo_document(db, key, document_id)
    earlier = db.execute(
        "select e.document_id, e.statement_id, e.event, e.date, d.source, d.title from policy_events e "
        "join documents d on d.id = e.document_id where e.policy_id = ? and e.date < ? "
        "and e.document_id != ? order by e.date, e.document_id",
        [policy_id, day, document_id]).fetchall()
    if event == "reinstate":
        for doc, sid, kind, _, _, _ in reversed(earlier):
            if kind == "reinstate":
                return None  # the last termination was undone already
            if kind in ("end", "suspend"):
                return doc, sid
        return None
    ends = [i for i, row in enumerate(earlier) if row[2] == "end"]
    life = earlier[ends[-1] + 1:] if ends else earlier
    starts = [row for row in life if row[2] in ("establish", "reinstate")] or \
             [row for row in earlier if row[2] == "establish"]
    if not starts:
        return None
    first_day = starts[0][3]
    same_day = [row for row in starts if row[3] == first_day]
    best = min(same_day, key=lambda r: (r[4] == BASELINE_SOURCE, r[0]))
    return best[0], best[1]


def _memo_document(db, key: str, document_id: int) -> tuple[int, int | None] | None:
    """The stored document that issued the memo or notice of that date: one that says it
    is a memo, or that acts on a policy the naming document also acts on."""
    day = date.fromisoformat(key.split()[1])
    low, high = (day - timedelta(days=MEMO_DAYS)).isoformat(), (day + timedelta(days=MEMO_DAYS)).isoformat()
    rows = db.execute(
        "select e.document_id, e.statement_id, d.source, abs(julianday(e.date) - julianday(?)) "
        "from policy_events e join policies p on p.id = e.policy_id "
        "join documents d on d.id = e.document_id "
        "where e.document_id != ? and e.date between ? and ? and ("
        "  (p.key like 'memo %' and e.event = 'establish') or e.policy_id in ("
        "    select policy_id from policy_events where document_id = ?)) "
        "order by e.document_id", [day.isoformat(), document_id, low, high, document_id]).fetchall()
    if not rows:
        return None
    best = min(rows, key=lambda r: (r[2] == BASELINE_SOURCE, r[3], r[0]))
    _name_memo(db, key, db.execute("select title from documents where id = ?",
                                   [best[0]]).fetchone()[0])
    db.execute("insert or ignore into policy_events (policy_id, document_id, statement_id, event, date)"
               " select id, ?, ?, 'establish', ? from policies where key = ?",
               [best[0], best[1], day.isoformat(), key])
    return best[0], best[1]


def record_and_link(db, document_ids: list[int], now: str) -> int:
    """Policies and ``reverses`` links for these documents (given oldest first), and again
    for stored reversals of the same policies, since an earlier document may arrive late."""
    touched: set[int] = set()
    for document_id in document_ids:
        touched |= record_document(db, document_id)
    return sum(link_reversals(db, d, now) for d in reversing_documents(db, touched))


def backfill(db, now: str) -> int:
    """Compute every stored document's policies and links (a new or upgraded database)."""
    db.execute("delete from links where relation = 'reverses'")
    ids = [r[0] for r in db.execute(
        "select id from documents order by coalesce(published, first_seen), id")]
    return record_and_link(db, ids, now)


# --- reading ------------------------------------------------------------------------


def find_policy(db, name: str) -> tuple[dict | None, list[str]]:
    """The stored policy a reader means (key, name, alias or a catalogue name), else
    None and the closest names."""
    wanted = " ".join(name.lower().split())
    rows = db.execute("select id, key, name, kind, aliases from policies").fetchall()
    for row in rows:
        names = {row[1], row[2].lower(), *(a.lower() for a in json.loads(row[4] or "[]"))}
        if wanted in names:
            return _policy(row), []
    keys = {m.key for m in mentions(name) + tps_mentions(name, True)}
    for row in rows:
        if row[1] in keys:
            return _policy(row), []
    choices = {}
    for row in rows:
        for label in [row[1], row[2], *json.loads(row[4] or "[]")]:
            choices[label.lower()] = row[2]
    close = difflib.get_close_matches(wanted, list(choices), n=5, cutoff=0.5)
    close += [label for label in choices if wanted in label and label not in close]
    return None, list(dict.fromkeys(choices[c] for c in close))[:5]


def _policy(row) -> dict:
    return {"id": row[0], "key": row[1], "name": row[2], "kind": row[3],
            "aliases": json.loads(row[4] or "[]")}


def timeline(db, policy_id: int) -> list[dict]:
    """The policy's events, oldest first, with each document's title, source and URL."""
    rows = db.execute(
        "select e.date, e.event, d.id, d.title, d.source, d.url, s.text from policy_events e "
        "join documents d on d.id = e.document_id left join statements s on s.id = e.statement_id "
        "where e.policy_id = ? order by e.date, d.id", [policy_id]).fetchall()
    return [{"date": r[0], "event": r[1], "what": EVENT_NAMES[r[1]], "document_id": r[2],
             "title": r[3], "source": r[4], "url": r[5], "statement": r[6]} for r in rows]


def _parse_date(text: str) -> date | None:
    from datetime import datetime

    text = " ".join(text.replace(",", " ").split())
    try:
        return datetime.strptime(text, "%B %d %Y").date()
    except ValueError:
        return None


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None

"""Policies as things the history knows: what each document does to which policy.

A policy is recognised by its identity, never by topic similarity: a named program
and its aliases and descriptions (``data/policies.toml``: MPP / "Remain in Mexico" /
"the program that made asylum seekers wait in Mexico", DACA, Title 42, CHNV, ...),
Temporary Protected Status for one country (by name or demonym), any other program by
its proper name or acronym ("the Priority Enforcement Program (PEP)"), a memo or notice
by its date ("the June 15, 2012 memorandum", "the Sept. 5, 2017, memo"; each date of a list,
"the May 2, 2017 and March 9, 2018 memoranda"; a Federal Register notice titled by its own
act, "Extension of the Designation of ...", is one), or, when one
stored memo fits, by its month, year or signer ("the Morton memos"; named in the plural,
each memo of that date the description fits; of several of that year, the one it describes:
"the 2021 guidance that limited arrests"; with none stored of that month, the one document
of the month its description fits: "the October 2017 guidance that directed officers to
..."), by its description and the month it was
made ("the interim priorities set in January 2021"), or by its kind alone when brought
back ("would again apply the guidelines") or by its kind and subject when in force ("the
worksite enforcement guidelines"), a rule by its RIN (a proposal's, made by it), docket,
date, month or year and subject ("the March 2019 interim final rule on ...", "the 2022
rule": a rule's own Federal Register title makes it one; "published at 86 FR 1676 on
January 8, 2021" is its date) or Federal Register title (in a later title, quoted, or given
in the text of the press release that announced it), an order by its number ("Proclamation
9645"), guidance by its number ("Broadcast Message 2020-01"), and an earlier act by when it was done ("the
August 2022 wind-down", "the 2017 change", "the practice it dropped in 2018"; brought back "as it was until the
Department narrowed it in March 2022"): the one act
that period on a policy the reversal names, else the one document of that period whose
words the reversal shares most. A practice no name calls, in a reversal that names no
policy, is its verb and object ("will no longer hold families", "has resumed holding
families"), known only by its stopping and resuming. A policy a text says an earlier memo
made ("the DACA program created by the June 15, 2012 memorandum") was established by the
document that issued that memo. A memo named by its month alone ("the June memorandum") is
of the last such month before the document.

The event (establish, extend, suspend, end, reinstate) comes from the action verbs
in the clause that names the policy (a list of policies shares its verb), in the
headline and in the statements the classifier labelled ``new_policy`` or ``reversal``
(or ``none``, for what ends); background ("which had expanded", "ended DACA in 2017"),
exceptions ("except for DACA"), a court's ruling (unless the release carries it out: "DHS
has stopped applying the bar", and does not contest it: "disagrees with the decision"), an act someone is barred from ("an injunction barring DHS
from implementing the terminations", even when DHS complies with it), a new name ("reissued under a new name"), the policy
acting itself ("a memo pauses most deportations"), an act only promised or proposed ("a
bill that would end"), one in a clause of time ("the day after the order expired") and
one on a proposal about it ("withdraws the proposal to remove X") are not acts on it.
Ending an ending named as a noun ("withdraws the DACA rescission memos") reinstates.
"Announced that TPS for X will end" is an end (the verb after the name, not the announcing
one), and "pushing back" or "moving" a deadline postpones it.

``reverses`` links then go to what a reversal undoes: for an end or a suspension,
the document that established the policy (in its current life: after a termination,
what reinstated it or, for TPS, designated the country again; the one of the year the
reversal names, "the 2023 designation"; and the resumptions since, unless the reversal
names the years of what it undoes; for a memo named by its date, its resumptions since
too; with no founding document stored, the last extension, if recent; a partial vacatur
ends no life; a TPS end naming a designation year with none of that year stored, nothing;
an act named by its month is never a document acting only on other policies); for a
reinstatement, the termination it undoes. A
termination that supersedes an earlier termination undoes the policy, not that memo.
Of several reports of one act days apart, the agency's own is the one. When the
history holds no such document there is no link: a wrong link is worse than none.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from monitor.store import BASELINE_SOURCE

CATALOGUE = Path(__file__).parent / "data" / "policies.toml"
EVENTS = ("establish", "extend", "suspend", "end", "reinstate")
#: When one name carries several verbs, the strongest wins ("suspended and begun the
#: process of ending" is a suspension; "rescinds ... and restores" a reinstatement).
_STRENGTH = {"rename": 6, "reinstate": 5, "suspend": 4, "end": 3, "extend": 2, "establish": 1}
_REVERSING = {"suspend", "end", "reinstate"}
#: An extension is what an end undoes (no founding document stored) when at most this many
#: days older: TPS runs 6 to 18 months at a time, Deferred Enforced Departure up to two years.
EXTENSION_DAYS = 3 * 366
#: A memo is found by its date give or take this (signed one day, released the next).
MEMO_DAYS = 2

#: After "end", "close" or "lapse", what makes it a noun, not an act: "the end date", "the end of
#: the year", "at the close of business", "a lapse in funding".
_NOUN_AFTER = (r"(?!\s+(?:dates?|points?|results?|goals?|users?|in (?:funding|appropriations|coverage)|"
               r"of (?:[a-z-]+ ){0,2}?(?:years?|months?|weeks?|days?|period|quarter|term|decade|business|"
               r"january|february|march|april|may|june|july|august|september|october|november|december)"
               r")\b)")
#: Before "stop", "close" or "lapse", an article: a noun ("a brief stop", "the close").
_NOUN_BEFORE = r"(?<!\ba )(?<!\ban )(?<!\bthe )(?<!\bbrief )(?<!\bbus )"
#: Verbs of the past that do not end in "-ed".
_IRREGULAR_PAST = r"struck|undid|undone|wound|withdrew|withdrawn|froze|frozen|began|begun|brought|broke|chose|lost"
#: What a feature of a tool is called: "adds a scheduling function", "removes scheduling functionality".
_FEATURE = r"(?:feature|function|functionality|capability|scheduling|tool)s?\b"

_VERBS = [
    # "suspends entry" is how an order closing the border reads: it establishes the order
    ("establish_entry", r"(?:suspen\w*|halt\w*) (?:of |to |on )?(?:the )?(?:entry|introduction)"),
    # "the app expands to allow advance scheduling": a new feature, the mirror of removing one
    ("establish_feature", r"\bexpand\w* to (?:allow|include|offer|enable|permit|add) (?:[\w-]+ ){0,2}?" + _FEATURE),
    # "relaunched as CBP Home", "renamed": the program goes on under a new name, no act on it
    ("rename", r"\b(?:re-?launch|re-?brand|rebuil[dt]|re-?packag|recast)\w* (?:[\w()-]+ ){0,6}?as\b|"
               r"\b(?:re-?nam|re-?brand)\w*|"
               # "reissued under a new name", "now goes by the name", "now called CBP Home"
               r"\b(?:under|with|by|takes?|took|gets?|got|given) (?:a|the|its|their) new name\b|"
               r"\bnow (?:goes|go|going) by\b|\bnow (?:called|named|known as)\b"),
    # "replace it with a new Priority Enforcement Program": what follows is new
    # "lifts the upper age limit for DACA": more people qualify, nothing ends
    # "extends the wind-down period for X": the policy goes on longer, nothing new ends
    ("extend_transition", r"\bextend\w* (?:the |its |an? )?(?:orderly )?(?:wind[- ]down|transition(?:al)?) period\b"),
    ("extend_limit", r"\b(?:lift|rais|remov|eas)\w* (?:the |its |a |an )?(?:[\w-]+ ){0,2}?"
                     r"(?:limit|cap|ceiling|restriction|requirement|bar)s?\b"),
    # "a new app that replaces CBP One", "replaced by CBP One": the launch of a successor,
    # no act on the tool it replaces (new guidance that replaces a memo does undo it)
    ("rename_successor", r"\bnew (?:[\w-]+ ){0,2}?(?:app|application|tool|portal|platform|website|system)s?,? "
                         r"(?:that |which )?(?:will )?replac\w*|\breplac\w* by\b|"
                         # "has launched CBP Home, which replaces the CBP One app": the successor's launch
                         r"\b(?:launch|introduc|unveil|roll)\w*(?: out)? (?:the |a |an )?(?:[\w()-]+ ){1,4}?"
                         r"\(?[\w-]+\)?, (?:which|that) (?:will )?replac\w*"),
    ("establish_with", r"\breplac\w* (?:\w+ ){0,3}?with (?:a |an |the )?(?:new )?|"
                       # "Priority Enforcement Program to replace it": the subject is the new one
                       r"\b(?:to|will) replace (?:it|them)\b"),
    # "rescinds the January 18, 2018 termination of ...": a termination named by its date too
    ("reinstate", r"\b(?:revers|rescind|rescission|vacat|undo|undid|lift)\w* (?:of )?(?:the |its |a |their )?"
                  r"(?:[\w-]+ |[a-z]{3,9}\.? \d{1,2}, \d{4},? )?"
                  r"(?:termination|rescission|suspension|pause|ending|cancellation|wind-down|revocation)s?"
                  r"(?: of)?|reinstat\w*|restor\w*|resum\w*|re-?implement\w*|restart\w*|re-?open\w*|"
                  r"reactivat\w*|\bbring\w* back|\bbrought back|\breviv\w*|reinstitut\w*|re-?launch\w*|"
                  r"re-?establish\w*|reimpos\w*|unpaus\w*|"
                  r"\bagain (?:accept|allow|enroll|process|offer|open|apply|return|requir|implement|"
                  r"begin|take|be)\w*|"
                  r"\blift\w* (?:the |its |a )?(?:temporary )?(?:pause|suspension|freeze|hold)\b"),
    ("suspend", r"suspen\w*|paus\w*|halt\w*|delay\w* (?:of )?(?:the )?effective date|freez\w*|froze\w*|postpon\w*|"
                r"no new enrollments?|\bstop\w* (?:accepting|enrolling|processing|taking|scheduling|issuing)|"
                r"no longer accept\w*|\bput\w* (?:\w+ ){0,3}?on hold|\b(?:put|plac)\w* (?:a )?hold on"),
    ("end", r"terminat\w*|\bend(?:s|ed|ing)\b|\bend\b" + _NOUN_AFTER + r"|rescin\w*|rescission|revok\w*|revocation|"
            r"withdr[ae]w\w*|\bund(?:o|oes|oing|id|one)\b|wind\w*[- ]down|wound down|\bset\w* aside|\bstr(?:uck|ike|ikes|iking) down|vacat\w*|supersed\w*|"
            r"remov\w* (?:of )?(?:the )?(?:regulations?|rule|program|changes|regulatory text)|"
            r"\bremov\w* from (?:the )?(?:code of federal regulations|cfr)\b|"
            r"discontinu\w*|cancel\w*|repeal\w*|no longer|abolish\w*|"
            r"(?:not|won'?t|won’t) (?:to )?(?:be )?(?:renew|extend|continu)\w*|declin\w* to (?:renew|extend)|"
            r"\bsunset\w*|" +
            _NOUN_BEFORE + r"\bstop\w* (?!during|including|according|along)(?:using|applying|enforcing|defending|\w+ing)|"
            r"expir\w*|" + _NOUN_BEFORE + r"\blaps(?:e|es|ed|ing)\b" + _NOUN_AFTER + r"|" +
            _NOUN_BEFORE + r"\bclos\w*" + _NOUN_AFTER + r"|"
            # "removes the scheduling function from CBP One": the mirror of adding a feature
            r"\b(?:remov|disabl|eliminat|discontinu|retir)\w* (?:the |its |a |an )?(?:[\w-]+ ){0,2}?" + _FEATURE + r"|"
            r"\b(?:turn|switch|shut)\w* off (?:the |its |a |an )?(?:[\w-]+ ){0,2}?" + _FEATURE + r"|"
            r"\bceas\w*|\bscrap\w*|\bshut\w* (?:down|off)|\bshutter\w*|dismantl\w*|\bphas\w* out|"
            r"\broll\w* back|\brevers\w*|\bdo(?:es)? away with|\bdid away with|\bdoing away with|\babandon\w*|"
            r"\breplac\w*|\bdisabl\w*|\blift\w*|\bdrop\w* (?:its |the )?(?:defen[cs]e|plan|policy|program|rule)|"
            r"\blos(?:e|es|ing|t) (?:their |its |the )?(?:\w+ ){0,2}?"
            r"(?:status|protections?|parole|eligibility)"),
    ("extend", r"extend\w*|extension|redesignat\w*|expand\w*|expansion|\bwiden\w*|\bbroaden\w*"),
    ("establish", r"announc\w*|launch\w*|establish\w*|creat\w*|\bdesignat\w*|implement\w*|"
                  r"introduc\w*|issu\w*|unveil\w*|begin\w*|began|begun|\bstart\w*|activat\w*|grant\w*|"
                  r"publish\w*|sign\w*|adopt\w*|final rule|takes? effect|new (?:process|program|rule)|"
                  r"\broll\w* out|\bdebut\w*|\bkick\w* off|\bgo(?:es)? live|\bwent live|\binstitut\w*|"
                  r"\bput\w* in place|\bset\w* up|\bopen(?:s|ed|ing)?\b|\bcarr(?:y|ies|ied|ying) out|"
                  # "the process will be known as DACA": a new policy naming itself
                  r"\b(?:will|shall) be (?:known as|called|named)\b|"
                  # "the app adds appointment scheduling", "people can now use the app to": a new feature
                  r"\badd(?:s|ed|ing)? (?:a |an )?(?:new )?(?:[\w-]+ ){0,2}?(?:feature|function|functionality|"
                  r"capability|scheduling|tool)s?\b|\bcan now (?:use|access|request|schedule)\b"),
]
_VERB = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _VERBS))
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
          r"december|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
_MEMO_WORD = (r"memorand(?:um|a)|memos?|notice|guidance|guidelines|directive|rescission|designation|"
              r"broadcast message|decision")
#: Before "decision", a court: its ruling, not a notice ("the Supreme Court's June 30, 2022 decision").
_COURTS_DECISION = re.compile(r"\b(?:courts?|judges?|justices|circuit)(?:'s|’s|s')?\s+(?:[\w.,]+\s+){0,4}?$")
#: "the memorandum of June 15, 2012" / "the June 15, 2012 memorandum" / "the Sept. 5, 2017, memo";
#: a rule by its date too: "the interim final rule published on November 19, 2019".
_MEMO = re.compile(rf"(?:(?:{_MEMO_WORD}|rule(?:making)?|proposal|amendments|regulations)\s+(?:of|dated|(?:issued|signed|published)"
                   # "the amendments published at 86 FR 1676 on January 8, 2021": cited, then dated
                   rf"(?:\s+(?:at|in)\s+\d{{1,3}}\s+fr\s+[\d,]+,?)?(?: on)?)\s+"
                   rf"(?P<a>{_DATE}))|(?:\b(?P<b>{_DATE}),?\s+(?:[a-z]+\s+){{0,3}}?(?:{_MEMO_WORD}|rule\b))")
_DATE_RE = re.compile(_DATE)
#: Dates listed before or after the one a memo is named by.
_DATES_BEFORE = re.compile(rf"(?:{_DATE},?\s+(?:and|or)\s+|{_DATE},\s+)+$")
_DATES_AFTER = re.compile(rf"(?:,?\s+(?:and|or)\s+{_DATE}|,\s+{_DATE})+")
#: "the 2017 and 2018 memoranda": memos by year, resolved against the stored ones.
_MEMO_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\s+(?:[a-z-]+\s+){0,2}?"
                        r"(?:memorand(?:um|a)|memos?|guidance|guidelines|directives?)\b")
#: "the June 2018 policy memorandum", "a July 2019 notice", "the April 2018 queue-management
#: guidance": by month, resolved likewise.
_MEMO_MONTH = re.compile(rf"\b({_MONTH})\s+((?:19|20)\d\d),?\s+(?:[a-z-]+\s+){{0,2}}?"
                         rf"(?:memorand(?:um|a)|memos?|notices?|guidance|guidelines|directives?|proposed rules?|"
                         rf"proposals?)\b")
#: "the March 2019 interim final rule", "the 2020 rule that ...", "the rule it published in August
#: 2018": a rule by the month or year it was made, resolved against the stored rules.
_RULE_WHEN = re.compile(rf"\b(?:(?P<month>{_MONTH})\s+)?(?P<year>(?:19|20)\d\d),?\s+(?:[a-z-]+\s+){{0,3}}?rules?\b|"
                        rf"\brules?\s+(?:(?:it|dhs|uscis|ice|cbp|that|which|the department|the agency|was|were)\s+){{0,2}}"
                        rf"(?:published|issued|adopted|finalized|made)\s+in\s+(?:(?P<month2>{_MONTH})\s+)?"
                        rf"(?P<year2>(?:19|20)\d\d)\b")
#: An earlier act named by when it was done, which a reversal undoes: "the August 2022 wind-down",
#: "the 2017 change", "the decision it made in February 2019", "the practice it dropped in 2018",
#: "the approach adopted in 2017".
_ACT_NOUN = (r"(?:change|decision|determination|action|step|measure|shift|move|wind-down|shutdown|closure|closing|termination|rescission|"
             r"suspension|pause|ending|cancellation|revocation|rollback|reversal)")
_ACT_WHEN = re.compile(
    rf"\b(?:the|a|an|its|their|that)\s+(?:(?P<month>{_MONTH})\s+)?(?P<year>(?:19|20)\d\d)\s+(?:[a-z-]+\s+){{0,2}}?"
    rf"{_ACT_NOUN}s?\b(?!\s+(?:of|to)\b)|"
    rf"\b(?:{_ACT_NOUN}s?\s+(?:(?:it|that|which|dhs|uscis|ice|cbp|the department|the agency|was|were)\s+){{0,2}}"
    rf"(?:made|took|adopted|announced|carried out)|"
    rf"(?:practice|policy|approach|guidance)\s+(?:(?:it|that|which|dhs|uscis|ice|cbp|the department|the agency|was|"
    rf"were|had)\s+){{0,2}}(?:dropped|ended|abandoned|rescinded|stopped|discontinued|reversed|"
    # "the broad approach adopted in 2017": what was put in place then
    rf"adopted|introduced|instituted|put in place))\s+in\s+"
    rf"(?:(?P<month2>{_MONTH})\s+)?(?P<year2>(?:19|20)\d\d)\b")
#: "as it was from 2019 until the Department narrowed it in March 2022": the state before an
#: earlier act, named by when it was done, brought back.
_AS_IT_WAS_UNTIL = re.compile(
    rf"\bas (?:it|they|things) (?:was|were|had been|stood)\b[^.;]{{0,60}}?\b(?:until|before)\s+"
    rf"(?:the department|the agency|the secretary|dhs|uscis|ice|cbp|it|they|we)\s+(?:[a-z]+ed|{_IRREGULAR_PAST})\s+"
    rf"(?:it|them|its [a-z]+|their [a-z]+)\s+in\s+(?:(?P<month>{_MONTH})\s+)?(?P<year>(?:19|20)\d\d)\b"
    rf"(?P<month2>)?(?P<year2>)?")
#: How many content words a reversal must share with the one document of the period whose act
#: it names without naming the policy, and by how many more than with any other.
ACT_WORDS, ACT_MARGIN = 4, 3
#: A Federal Register title that says the document is a rule: it names what it makes.
_RULE_TITLE = re.compile(r"\((?:interim |temporary )?final rules?\b|\binterim final rules?\b")
#: "its July 6 directive": the latest such day on or before the naming document.
_MEMO_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?![\d,]|\s+\d{{4}})\s+(?:[a-z]+\s+){{0,2}}?"
                       rf"(?:memorand(?:um|a)|memos?|directive|guidance|notice|broadcast message)\b")
#: "the June memorandum", "its March guidance": a memo by the month alone, of this year or the last.
_MEMO_IN_MONTH = re.compile(r"\b(?:the|its|their|this|that|a|an)\s+(january|february|march|april|may|june|july|august|"
                            r"september|october|november|december)\s+(?:[a-z-]+\s+){0,2}?"
                            r"(?:memorand(?:um|a)|memos?|directives?|guidance|guidelines|notices?|broadcast message)\b")
#: "the interim priorities set in January 2021": a policy by its description and the month
#: it was made, found in the one document of that month the description fits.
_SET_IN_MONTH = re.compile(rf"\b(?:the|its|their)\s+((?:[a-z-]+\s+){{1,4}}?)(?:set|issued|announced|adopted|"
                           rf"established|put in place|signed|published)\s+(?:in|on)\s+({_MONTH})\s+((?:19|20)\d\d)\b")
#: "would again apply the guidelines": a memo named by its kind alone, which only a
#: reinstatement can resolve (the one memo of that kind out of force); "has suspended the
#: worksite enforcement guidelines": by its kind and what it is about, the one in force.
_BARE_MEMO = re.compile(r"\bthe ((?:[a-z-]+ ){0,3}?)(guidelines|memorandum|memo|directive)\b(?!\s+(?:of|on|for|from|dated|signed|"
                        r"issued|that|titled|by|to)\b)")
_MEMO_NOUN = r"(?:memos?|memorand(?:um|a)|guidelines|directives?|guidance)"
_MEMO_NOUNS = re.compile(r"memo|guid|directive|notice|broadcast message|propos")
#: A document that is itself a memo, notice or guidance (so it can be named by its date).
_SELF_MEMO = re.compile(
    r"\bthis (?:notice|memorandum|designation|(?:[a-z]+ ){0,2}?rule)\b|\b(?:issu|sign|releas|publish)\w*\s+(?:\w+\s+){0,3}?"
    # "issued “Guidelines for the Enforcement of ...”": the title quoted
    r"[\"“‘']?(?:memorand|memos?\b|guidance|guidelines|directive|notice)|\bby this\b|"
    # "a second memorandum signed today", "by separate memorandum", "Kelly memo on ..." (a headline)
    r"\b(?:memorand(?:um|a)|memos?|directives?)\s+(?:[\w-]+\s+){0,2}?(?:signed|issued)\s+(?:today|yesterday|this week)|"
    r"\bby (?:a )?separate (?:memorandum|memo|directive)\b|\(proposed rule\b|\((?:interim |temporary )?final rule\b|\bnotice of proposed rulemaking\b|"
    r"^summary: (?:\w+ ){1,3}?propos(?:es|ing) to\b|^(?:[\w'’.-]+(?:\s+[\w'’.-]+)?\s+)?(?:memo|memorandum)\s+(?:on|for|about)\b")
#: How a Federal Register rule begins: "Final rule; RIN ...", "ACTION: Interim final rule."
_RULE_ACTION = re.compile(r"\s*(?:action:\s*)?(?:interim |temporary )?final rules?\b")
_RIN = re.compile(r"\b(?:rin|regulation identifier number)\s*(?:no\.?\s*|number\s*)?:?\s*"
                  r"(\d{4}-[a-z]{2}\d{2})\b")
_DOCKET = re.compile(r"\b((?:uscis|dhs|ice|cbp|uscbp|ices|iceb|tsa|fema|usbc|boep|eoir|uscg)"
                     r"-\d{4}-\d{4})\b")
#: "SEVIS Broadcast Message 2020-01": guidance by its number, like a rule by its docket.
_BROADCAST = re.compile(r"\bbroadcast message\s+(?:no\.?\s*|number\s+)?(\d{4}-\d{2,3})\b")
#: Keys of documents named by their own number: a document that gives one and does nothing else
#: to it is that document ("RIN 1615-AC04", "the details are in Broadcast Message 2020-01").
_OWN_NUMBER = ("rin ", "docket ", "broadcast message ")
#: "Proclamation 9645", "Executive Order 13780": an order by its number.
_NUMBERED = re.compile(r"\b(proclamation|executive order)\s+(?:no\.?\s*|number\s+)?(\d{4,5})\b")
_TPS = re.compile(r"temporary protected status|\btps\b|protected status|temporary protection")
#: In a document about TPS, a country named with these words is its TPS too.
_TPS_CONTEXT_WORDS = re.compile(r"designation|protect(?:ed|ions?)\b|beneficiar|holders\b")
#: Federal Register titles that name an earlier rule: "<rule>; Delay of Effective Date".
_TITLE_SUFFIX = re.compile(r"\s*[;:]\s*(?P<verb>delay of effective date|implementation of vacatur|"
                           r"withdrawal|rescission|removal|extension of comment period)\s*$")
#: A Federal Register notice titled by its own act ("Extension of the Designation of Honduras
#: for Temporary Protected Status"): a later one can name it by its date or month.
_NOTICE_TITLE = re.compile(r"^(?:partial\s+)?(?:extension|designation|redesignation|termination|vacatur)\s+of\b")
_TITLE_PREFIX = re.compile(r"^(?P<verb>termination of|rescission of|removal of|vacatur of|"
                           r"withdrawal of|delay of effective date (?:for|of))\s+(?:the\s+)?")
#: A quoted title: "the interim final rule titled “Asylum Eligibility and Procedural Modifications”".
_QUOTED = re.compile(r"[\"“]([A-Z][^\"“”]{10,200}?)[,.]?[\"”]")
#: "except for DACA"; "exceptions to the Title 42 order": what is acted on is the exception.
_EXEMPT = re.compile(r"\b(?:except(?: for)?|exceptions? (?:to|from|under)|exemptions? (?:to|from|under)|other than|"
                     r"excluding|does not affect|not affect)\W+(?:\w+\W+){0,3}$")
_EXEMPT_AFTER = re.compile(r"[^.;]{0,40}?\b(?:remains?|will remain|stays?) in (?:effect|place)\b|"
                           r"[^.;]{0,40}?\b(?:handled|addressed|dealt with|decided|treated|extended|ended)"
                           r" (?:in (?:a |an )?separate\b|separately)|"
                           r"\W+(?:is |are )?unaffected|\W+(?:is |are |will )?not (?:be )?affected")
#: Right after a policy's name, a passive verb of now ("the 2022 rule are halted", "X will be ended").
_PASSIVE_AFTER = re.compile(r"\s+(?:is|are|will be|has been|have been|is being|are being)\s+(?:now\s+|also\s+)?")
#: Right after a policy's name, a participle that takes away what stopped it: "resuming requests
#: under the X process, lifting the hold placed in January" brings X back.
_LIFTING_AFTER = re.compile(r"(?:\s+[\w-]+){0,2}?\s*,\s+((?:lifting|ending|rescinding|reversing|undoing) "
                            r"(?:the|its|their|a) (?:[\w-]+ )?(?:hold|pause|suspension|freeze|moratorium)s?)\b")
#: Right after a policy's name, an act that ends it, named as a noun ("the DACA rescission memos").
_ENDING_AFTER = re.compile(r"(?:\s+(?:program|policy|process|protocols))?\s+(?:termination|rescission|revocation|"
                           r"wind-down|cancellation|repeal)s?\b")
#: After a tool's name, what it now lets people do: "expanded the CBP One app so that people in
#: Mexico can ... schedule an appointment" adds a feature, which sets it up (as "adds a scheduling
#: function" does), the mirror of removing it.
_FEATURE_AFTER = re.compile(r"(?:\s+[\w-]+){0,3}?\s+(?:so that|to allow|to let|allowing|letting)\b[^.;]{0,160}?"
                            r"\b(?:can|may|to)\s+(?:[\w-]+\s+){0,8}?(?:schedul\w*|book\w*|" + _FEATURE + r")")
#: A policy named as a date or deadline: extending it puts it off.
_DEADLINE_NAME = re.compile(r"(?:date|deadline)s?$")
#: "relaunches the X program as Y": a new name, not a reinstatement.
_RELAUNCH = re.compile(r"re-?launch|re-?brand|re-?build|rebuilt|recast")
_AS_NEW_NAME = re.compile(r"\s+(?:app|application|program|process|portal|\(\w+\))?\s*as\b")
#: "expanded the process for Venezuelans to <the policy>", "to nationals of <countries>": new.
_TO_NEW_SCOPE = re.compile(r"\bto\s+(?:the\s+)?(?:(?:nationals|citizens|people|residents) (?:of|from)\s+)?$")
#: Right after a memo's name, the start of an appositive that says what it is: ", the guidelines that".
_APPOSITION = re.compile(r"(?:\s*,\s*(?=(?:the|a|an|its|their)\s))?")
#: Right after another policy: a relative clause about that one ("which rescinded ...").
_RELATIVE = re.compile(r"\W*(?:which|that|who|whose)\b")
#: Between a verb and a policy, a second relative clause: the verb is the first one's ("those who
#: were granted parole, who came at a set time using the CBP One app": nothing is granted to CBP One).
_NEW_RELATIVE = re.compile(r",\s+(?:who|whom|whose|which|where)\b")
#: After a memo named just before: its title ("the March 21, 2022 notice, 'Rescission of ...'"),
#: quoted or capitalised; not a clause of its own ("the memo, issued today, supersedes ...").
_QUOTED_AFTER = re.compile(r"\s*(?:[,(]?\s*[\"“'‘]|[,(]\s*[A-Z])[^.;]{0,40}$")
#: Between two policies named in one list ("for Guinea, Liberia and Sierra Leone"), words
#: that are not a verb of their own and do not contrast them.
_CONTRAST = re.compile(r"\b(?:but|while|whereas|although|though|except|not|unlike|instead|rather|"
                       r"keeps?|remains?)\b")
#: ", and" between two clauses, each with its own subject and verb.
_NEXT_CLAUSE = re.compile(r",\s+(?:and|but|while|as|so)\s+")
#: After a policy's name, ", and" opens a clause whose verbs are its own subject's.
_JOINED_AFTER = re.compile(r",\s+(?:and|but|so)\s+")
#: After a verb, the start of its object: "pauses most deportations", "rescinds the memo".
_OBJECT = re.compile(r"\s+(?:the|a|an|its|their|his|her|most|all|any|some|new|certain|many|several|"
                     r"these|those|this|that|thousands|millions|nearly|about|more)\b")
#: "withdraws the May 2018 proposal to remove X": the act is on the proposal; "proposes to
#: remove X", "a proposal to end X": an act only proposed.
_PROPOSAL = re.compile(r"\bpropos(?:al|als|ed rules?)\b|\bnprm\b|notice of proposed rulemaking|"
                       # "withdraws the proposed removal of X", "Withdrawal of Proposed Termination of X"
                       r"(?<!\bas )\bproposed (?:[a-z-]+ )?(?:removal|rescission|termination|repeal|elimination|"
                       r"ending|end)\b")
_PROPOSED_ACT = re.compile(r"\b(?:propos|promis|pledg|vow|threaten|urg|want)\w*\s+(?:[\w,]+\s+){0,6}?to\s+$|"
                           r"\bpropos\w*\s+$|"
                           r"(?<!said it )(?<!said they )(?<!said that )(?<!announced it )"
                           r"\b(?:would|could|might)\s+(?:[a-z]+\s+){0,2}?$|"
                           # "a bill that would require DHS to restore X": only proposed
                           r"\b(?:would|could|might)\s+(?:require|force|direct|order|compel|make)\w*\s+"
                           r"(?:[\w,]+\s+){0,3}?to\s+$|"
                           r"\b(?:bills?|legislation|measures?|amendments?)\s+(?:[\w,]+\s+){0,6}?to\s+$|"
                           # "sued DHS over the termination of X": the act is the lawsuit's subject
                           r"\b(?:su(?:e|es|ed|ing|its?)|lawsuits?|litigation|challeng\w*|appeal\w*)\s+"
                           r"(?:[\w,]+\s+){0,5}?(?:over|against|of|to)\s+(?:the\s+|its\s+|a\s+)?$")
#: "MPP, before the program was ended last year": the act in a clause of time after the name.
_WHEN_BETWEEN = re.compile(r"\b(?:after|before|since|until|once|when)\b")
#: "(proposed rule, RIN 1615-AC04)": the number of a proposal, which its document makes.
_PROPOSING = re.compile(r"\bproposed rules?\b|\bpropos(?:es|ing) to\b|notice of proposed rulemaking|\bnprm\b")
_WITHDRAWING = re.compile(r"\bwithdr[ae]w")
_PROPOSED_RIN = re.compile(r"\bpropos(?:ed rule(?:making)?|al)\W{0,4}$")
_PAST_MARK = re.compile(r"\b(?:had|was|were|been)\b")
_NOT_THE_POLICY = re.compile(r"\b(?:understanding|interpretation|approach|standard|framework)\b")
#: ("U.S. Code": a period after a single letter abbreviates, it ends nothing)
_CLAUSE_END = re.compile(r"(?<!\b[a-z])[.!?]\s|;\s|\s[-–—]\s")
#: A statement about the past ("had been ended", "had not followed") is background, not an act.
_PAST_PERFECT = re.compile(r"\bhad (?:not |never )?(?:been |already )?\w+(?:ed|en)\b")
#: ...unless it is reported speech: "the State Department said the United States had suspended".
_REPORTED = re.compile(r"\b(?:said|says|announced|confirmed|stated|reported|told)\b(?:\s+[\w,'’-]+){0,6}?\s+$")
#: A policy as the subject of a clause of time: "the morning after the expulsion policy
#: expired", "since that program was ended": a point in time, not the news.
_WHEN_CLAUSE = re.compile(r"\b(?:after|since|before|when|once|until)\s+(?:[\w'’-]+\s+){0,3}?$")
#: A year as a time ("in 2017", "since March 2014"), not as a name ("the 2019 rule").
_WHEN = rf"\b(?:in|on|during|since|by|until|from)\s+(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?((?:19[89]|20\d)\d)\b"
_WHEN_RE = re.compile(_WHEN)
_NOW = re.compile(r"\b(?:today|now|this week|will)\b")
_WHEN_AFTER = re.compile(rf"\W*(?:[\w'’-]+\W+){{0,4}}?{_WHEN}")
#: "ten years ago", "last year", "last month": a time before the document's, with no date.
_AGO = re.compile(r"\b(?:(?:\w+|\d+) (?:years?|decades?|months?) ago|last (?:year|month))\b")
_AGO_AFTER = re.compile(r"\W*(?:[\w'’-]+\W+){0,4}?(?:(?:\w+|\d+) (?:years?|decades?|months?) ago|last (?:year|month))\b")
_YEARS_SINCE = re.compile(r"\b(?:(?:\w+|\d+) (?:years?|decades?|months?) since|anniversary)\b")
#: "rescinded in June": a month of this year, with no year after it.
_IN_MONTH_AFTER = re.compile(rf"\W*(?:[\w'’-]+\W+){{0,2}}?\b(?:in|on|during|since|by|until|from|last)\s+"
                             rf"({_MONTH})\b(?!\s+\d)")
#: "the 2023 designation of Venezuela", "the 2019 public charge rule": which one.
_YEAR_BEFORE = re.compile(r"(?<![\d,]\s)\b((?:19|20)\d\d)\s+"
                          r"(?:(?!(?:in|on|since|by|through|until|from|and|or|to|the|is|was|are|were|dhs|uscis|ice|cbp|department|"
                          r"secretary|it|they|we|he|she)\s|(?!protected)[a-z-]+ed\s)[a-z-]+\s+){0,6}?$")

#: A program's proper name in a sentence: capitalised words ending in one of these...
_NAME_HEADS = {"program", "programs", "programme", "protocols", "protocol", "process", "processes",
               "policy", "rule", "initiative", "pilot", "pilots", "agreement", "agreements",
               "parole", "guidelines", "directive", "model", "docket", "offices", "system",
               "registry", "procedures", "framework", "ban", "registration", "review"}
#: ...or followed by one of these in lower case ("the Central American Minors program").
_NAME_NEXT = {"program", "programs", "process", "processes", "pilot", "pilots", "policy",
              "initiative", "rule", "parole", "app", "offices", "agreements", "model", "docket"}
#: Words that do not tell one program from another.
_NAME_GENERIC = {"final", "interim", "proposed", "rule", "rules", "program", "programs", "programme",
                 "process", "processes", "policy", "policies", "new", "national", "federal",
                 "parole", "pilot", "pilots", "initiative", "temporary", "regulation", "regulations",
                 "guidance", "guidelines", "memorandum", "directive", "model", "department",
                 "homeland", "security", "dhs", "united", "states", "u.s.", "us", "of", "for", "and",
                 "to", "on", "in", "under", "with", "de", "la", "del", "the", "a", "system",
                 "review", "agreement", "agreements", "offices", "registration", "procedures",
                 "framework", "ban", "docket", "protocol", "protocols", "immigration", "border",
                 "president", "secretary", "administration", "government", "federal register",
                 "ice", "cbp", "uscis", "state", "executive", "order", "act", "law"}
#: Capitalised words that open a sentence or qualify a name without being part of it.
_NAME_LEADING = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her",
                 "our", "new", "under", "in", "on", "at", "for", "with", "after", "before", "since",
                 "until", "during", "through", "following", "as", "by", "from", "to", "and", "but",
                 "while", "when", "if", "beginning", "starting", "today", "effective", "also",
                 "both", "all", "each", "every", "any", "dhs", "ice", "cbp", "uscis", "tsa", "u.s",
                 "us", "united", "states"}
_NAME_TOKEN = r"(?:[A-Z][\w'’.-]*|\d{3}\([a-z]\))"
_NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:(?:of|for|the|and|to|on|in|under|with|de|la|del)\s+){{0,2}}"
                   rf"{_NAME_TOKEN})+")
#: "launched Family Expedited Removal Management, a process for families ...": a name said to be one.
_APPOSITIVE = re.compile(r",\s+(?:a|an)\s+(?:new\s+)?(?:[\w-]+\s+){0,2}?(?:program|process|pilot|initiative)\b")
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Z0-9]{1,7})\)")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")


@dataclass(frozen=True)
class Mention:
    """A policy named in a text, with where the name is."""

    key: str
    name: str
    kind: str
    start: int
    end: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    key: str
    name: str
    kind: str
    event: str
    statement_id: int | None
    aliases: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def catalogue() -> dict:
    data = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    policies = []
    for entry in data["policy"]:
        policies.append(entry | {"regex": re.compile("|".join(f"(?:{p})" for p in entry["patterns"]))})
    demonyms = {d: country for country, names in data["tps_demonyms"].items() for d in names}
    tps = set(data["tps_countries"])
    country = _country_regex([*tps, *(d for d, c in demonyms.items() if c in tps)])
    any_country = _country_regex([*tps, *data["other_countries"], *demonyms])
    signers = "|".join(map(re.escape, data["memo_signers"]))
    signer = re.compile(
        rf"(?:\b(?P<y1>(?:19|20)\d\d)\s+)?\b(?P<s1>{signers})(?:'s|’s)?\s+(?:[a-z-]+\s+){{0,3}}?"
        rf"{_MEMO_NOUN}\b|(?:\b(?P<y2>(?:19|20)\d\d)\s+)?\b{_MEMO_NOUN}\s+(?:(?:signed|issued|written)\s+)?"
        rf"(?:by|from)\s+(?:[a-z.]+\s+){{0,3}}?(?P<s2>{signers})\b")
    return {"policies": policies, "country": country, "any_country": any_country, "demonyms": demonyms,
            "signer": signer,
            # program made country by country -> the countries it can have (None: any)
            "per_country": {p["key"]: set(p["countries"]) if p.get("countries") else None
                            for p in policies if p.get("per_country")}}


def _country_regex(names: list[str]) -> re.Pattern:
    return re.compile(r"\b(?<!south )(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
                      + r")\b")


def mentions(text: str, known: dict[str, tuple[str, str]] | None = None) -> list[Mention]:
    """Every policy named in ``text``: catalogue names, memos by date, month, year or
    signer, RINs, dockets, numbered orders, quoted titles and programs' proper names.
    ``known`` maps how a known program is written (its acronym, or its name in lower
    case) to its (key, name)."""
    return list(_mentions(text, tuple(sorted((known or {}).items()))))


@lru_cache(maxsize=4096)
def _mentions(text: str, known_items: tuple) -> tuple[Mention, ...]:
    known = dict(known_items)
    lowered = text.lower()
    found = []
    for entry in catalogue()["policies"]:
        for m in entry["regex"].finditer(lowered):
            found.append(Mention(entry["key"], entry["name"], entry["kind"], m.start(), m.end()))
    for m in _MEMO.finditer(lowered):
        day = _parse_date(m["a"] or m["b"])
        if m.group().endswith("decision") and _COURTS_DECISION.search(lowered, max(0, m.start() - 60), m.start()):
            continue  # a court's decision is no notice
        if day:
            found.append(Mention(f"memo {day}", f"Memo or notice of {_long_date(day)}", "memo",
                                 m.start(), m.end()))
        # "the May 2, 2017 and March 9, 2018 memoranda", "the memoranda of May 2, 2017 and March 9,
        # 2018": every date of the list is a memo of its own
        listed = _DATES_BEFORE.search(lowered, 0, m.start("b")) if m["b"] else _DATES_AFTER.match(lowered, m.end())
        for other in _DATE_RE.finditer(lowered, *listed.span()) if listed else ():
            if other_day := _parse_date(other.group()):
                found.append(Mention(f"memo {other_day}", f"Memo or notice of {_long_date(other_day)}", "memo",
                                     other.start(), other.end()))
    signed = []
    memo_words = _MEMO_NOUNS.search(lowered)  # the memo patterns below all need one of these words
    for m in catalogue()["signer"].finditer(lowered) if memo_words else ():
        if m["s1"] and _VERB.search(lowered, m.end("s1"), m.end()):
            continue  # "Kelly today signed two memoranda" is a signing, not a name
        signer = (m["s1"] or m["s2"]).replace("ñ", "n")
        year = f" {m['y1'] or m['y2']}" if m["y1"] or m["y2"] else ""
        # "the Mayorkas memo, the guidelines that had narrowed ...": what it is, to tell several apart
        about = _described_after(lowered, m.end() + len(_APPOSITION.match(lowered, m.end())[0]))
        year += f" about {about}" if about else ""
        signed.append((m.start(), m.end()))
        found.append(Mention(f"memo signer {signer}{year}", f"Memo signed by {signer.title()}",
                             "memo", m.start(), m.end()))
    for m in _MEMO_MONTH.finditer(lowered) if memo_words else ():
        if not _inside(m, signed):
            month = _MONTHS.index(m[1][:3]) + 1
            about = _described_after(lowered, m.end())  # "the October 2017 guidance that ..."
            found.append(Mention(f"memo month {m[2]}-{month:02d} about {about}".removesuffix(" about "),
                                 f"Memo of {m[1].title()} {m[2]}", "memo", m.start(), m.end()))
            signed.append((m.start(), m.end()))
    for m in _RULE_WHEN.finditer(lowered) if "rule" in lowered else ():
        if _inside(m, signed) or _overlaps(m.start(), m.end(), [f for f in found if f.kind == "memo"]):
            continue
        year, month = m["year"] or m["year2"], m["month"] or m["month2"]
        when = f"{year}-{_MONTHS.index(month[:3]) + 1:02d}" if month else year
        about = _described_after(lowered, m.end())
        found.append(Mention(f"memo {'month' if month else 'year'} {when} rule {about}".rstrip(), f"Rule of {when}",
                             "memo", m.start(), m.end()))
        signed.append((m.start(), m.end()))
    for m in _MEMO_DAY.finditer(lowered) if memo_words else ():
        month = _MONTHS.index(m[1][:3]) + 1
        if 1 <= int(m[2]) <= 31:
            found.append(Mention(f"memo day {month:02d}-{int(m[2]):02d}", "Memo", "memo",
                                 m.start(), m.end()))
    for m in _MEMO_IN_MONTH.finditer(lowered) if memo_words else ():
        if not _inside(m, signed) and not _overlaps(m.start(), m.end(), [f for f in found if f.kind == "memo"]):
            about = _described_after(lowered, m.end())
            found.append(Mention(f"memo inmonth {_MONTHS.index(m[1][:3]) + 1:02d} about {about}".removesuffix(" about "),
                                 f"Memo of {m[1].title()}", "memo", m.start(), m.end()))
            signed.append((m.start(), m.end()))
    for m in _MEMO_YEAR.finditer(lowered) if memo_words else ():
        if _inside(m, signed) or re.search(rf"{_MONTH}\s*$", lowered[:m.start()]) or \
                _overlaps(m.start(), m.end(), [f for f in found if _DATED.match(f.key)]):
            continue  # "the June 2018 memo" is named by its month, "the 2017 Kelly memo" by its signer,
            # "the March 9, 2018 memoranda" by its date
        about = _described_after(lowered, m.end())  # "the 2021 guidance that limited arrests"
        for year in filter(None, (m[1], m[2])):
            found.append(Mention(f"memo year {year} about {about}".removesuffix(" about "), f"Memo of {year}",
                                 "memo", m.start(), m.end()))
    for m in [*_ACT_WHEN.finditer(lowered), *_AS_IT_WAS_UNTIL.finditer(lowered)]:
        if _inside(m, signed) or _overlaps(m.start(), m.end(), [f for f in found if f.kind in ("memo", "act")]):
            continue  # "the October 2021 termination memorandum" is a memo
        year, month = m["year"] or m["year2"], m["month"] or m["month2"]
        when = f"{year}-{_MONTHS.index(month[:3]) + 1:02d}" if month else year
        found.append(Mention(f"memo act {when}", f"Act of {when}", "act", m.start(), m.end()))
    for m in _SET_IN_MONTH.finditer(lowered):
        words = sorted(_words(m[1]))
        if len(words) >= DESCRIPTION_WORDS and not _inside(m, signed):
            month = _MONTHS.index(m[2][:3]) + 1
            found.append(Mention(f"memo described {m[3]}-{month:02d} {'+'.join(words)}", "Policy", "memo",
                                 m.start(), m.end()))
    for m in _BARE_MEMO.finditer(lowered) if memo_words else ():
        if not _overlaps(m.start(), m.end(), found):
            about = "+".join(sorted(_words(m[1])))
            found.append(Mention(f"memo kind {m[2]} {about}".rstrip(), "Memo", "memo", m.start(), m.end()))
    for m in _RIN.finditer(lowered):
        rin = m[1].upper()
        found.append(Mention(f"rin {rin}", f"Rule RIN {rin}", "rule", m.start(), m.end()))
    for m in _DOCKET.finditer(lowered):
        docket = m[1].upper()
        found.append(Mention(f"docket {docket}", f"Rule docket {docket}", "rule", m.start(), m.end()))
    for m in _BROADCAST.finditer(lowered):
        found.append(Mention(f"broadcast message {m[1]}", f"Broadcast Message {m[1]}", "rule",
                             m.start(), m.end()))
    for m in _NUMBERED.finditer(lowered) if "proclamation" in lowered or "executive order" in lowered else ():
        name = f"{m[1].title()} {m[2]}"
        found.append(Mention(f"{m[1]} {m[2]}", name, "order", m.start(), m.end()))
    if len(lowered) == len(text):  # the names are read in the original case, at the same places
        found += _quoted_titles(text, found)
        found += _proper_names(text, found, known)
    return tuple(sorted(found, key=lambda x: (x.start, -x.end)))


def _inside(match: re.Match, spans: list[tuple[int, int]]) -> bool:
    return any(a <= match.start() < b or a < match.end() <= b for a, b in spans)


def _overlaps(start: int, end: int, others: list[Mention]) -> bool:
    return any(o.start < end and start < o.end for o in others)


def _quoted_titles(text: str, known: list[Mention]) -> list[Mention]:
    """A rule or memo quoted by its title ("the rule titled “Security Bars and Processing”")."""
    found = []
    for m in _QUOTED.finditer(text):
        title = m[1].strip(" ,.")
        words = title.split()
        capitals = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
        if len(words) >= 3 and capitals >= 0.6 * len(words) and not _overlaps(m.start(), m.end(), known):
            found.append(Mention(rule_key(title), title, "rule", m.start(), m.end()))
    return found


def _proper_names(text: str, known: list[Mention], names: dict[str, tuple[str, str]]
                  ) -> list[Mention]:
    """Programs named by a proper name in a sentence: "the Priority Enforcement Program (PEP)",
    "the Prompt Asylum Claim Review program", "the Safe Mobility Offices". A headline in
    title case names nothing this way (every word is capitalised there)."""
    found: list[Mention] = []
    lowered = text.lower()
    for surface, (key, name) in names.items():  # names known from earlier documents
        if surface.isupper():  # an acronym, as written
            matches = re.finditer(rf"\b{re.escape(surface)}\b", text)
        else:  # a name: capitalised as a name, or followed by "program" and the like
            matches = (m for m in re.finditer(rf"\b{re.escape(surface)}\b(\s+[a-z]+)?", lowered)
                       if all(w[0].isupper() for w in text[m.start():m.end(0) - len(m[1] or "")].split()
                              if w.lower() not in _NAME_GENERIC)
                       or (m[1] or "").strip() in _NAME_NEXT)
        for m in matches:
            if not _overlaps(m.start(), m.end(), known + found) and text[m.start() - 1:m.start()] != "(":
                acronym = _ACRONYM_AFTER.match(text, m.end())  # "... Program (PEP)": its alias too
                found.append(Mention(key, name, "program", m.start(), m.end(), (acronym[1],) if acronym else ()))
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if words and sum(1 for w in words if w[0].isupper()) > 0.6 * len(words):
        return found  # a headline in title case: only names already known
    local: dict[str, tuple[str, str]] = {}
    for m in _NAME.finditer(text):
        tokens = [(t.group(), m.start() + t.start()) for t in re.finditer(r"\S+", m.group())]
        while tokens and (tokens[0][0].lower().strip(".") in _NAME_LEADING
                          or tokens[0][0].lower().endswith(("-era", "'s", "’s"))):
            tokens.pop(0)
        following = re.match(r"\s+([a-z]+)", text[m.end():])
        if not (following and following[1] in _NAME_NEXT) and not _APPOSITIVE.match(text, m.end()):  # else it ends at its last head word:
            heads = [i for i, (t, _) in enumerate(tokens) if t.lower().strip(".") in _NAME_HEADS]
            tokens = tokens[:heads[-1] + 1] if heads else []  # "the Safe Mobility Offices in Colombia"
        if len(tokens) < 2:
            continue
        start, end = tokens[0][1], tokens[-1][1] + len(tokens[-1][0])
        if _overlaps(start, end, found):
            continue  # already found as a known name
        normal = [t.lower().strip(".") for t, _ in tokens]
        while normal and normal[-1] in ("program", "programs", "programme", "process", "processes",
                                        "pilot", "pilots", "policy", "initiative"):
            normal.pop()
        distinctive = [w for w in normal if w not in _NAME_GENERIC]
        if len(normal) < 2 or len(distinctive) < 2 or _overlaps(start, end, known) or \
                _TPS.search(" ".join(normal)):
            continue
        key = "named " + " ".join(normal)
        name = " ".join(t for t, _ in tokens)
        acronym = _ACRONYM_AFTER.match(text, end)
        aliases = (acronym[1],) if acronym else ()
        found.append(Mention(key, name, "program", start, end, aliases))
        if acronym:
            local[acronym[1]] = (key, name)
    for acronym, (key, name) in local.items():
        for m in re.finditer(rf"\b{re.escape(acronym)}\b", text):
            if not _overlaps(m.start(), m.end(), known + found) and \
                    not text[max(0, m.start() - 1):m.start()] == "(":
                found.append(Mention(key, name, "program", m.start(), m.end()))
    return found


def tps_mentions(text: str, in_tps_context: bool, known: list[Mention] = ()) -> list[Mention]:
    """TPS per country: countries named where Temporary Protected Status is the subject
    (in the text, or in a document about TPS next to words such as "designation")."""
    lowered = text.lower()
    if not (_TPS.search(lowered) or (in_tps_context and _TPS_CONTEXT_WORDS.search(lowered))):
        return []
    found = []
    for m in catalogue()["country"].finditer(lowered):
        if _overlaps(m.start(), m.end(), list(known)):
            continue  # "Cubans, Haitians, Nicaraguans and Venezuelans" name CHNV
        country = catalogue()["demonyms"].get(m[1], m[1])
        found.append(Mention(f"tps {country}", f"Temporary Protected Status for {country.title()}",
                             "designation", m.start(), m.end()))
    return found


def verb_for(text: str, mention: Mention, others: list[Mention],
             published: str | None = None) -> tuple[str, int, int] | None:
    """The action done to the named policy, and where its verb is: the strongest verb in
    its clause before the name (after the last other policy named there, unless only a
    list joins them: "terminates TPS for Guinea, Liberia and Sierra Leone"), else just
    after the name (not in a relative clause about the past, and not a verb whose object
    is the next policy named: "X, issued today, supersedes Y"). A verb in a modifier of an
    earlier memo named just before ("the 2012 memo establishing X", "the memoranda winding
    down X") is that memo's act: none of this document's, unless this document ends the
    memo and the memo ended X, which brings X back."""
    lowered = text.lower()
    start = max([0] + [m.end() for m in _CLAUSE_END.finditer(lowered, 0, mention.start)])
    start = max(start, mention.start - 160)
    clause, edge = start, mention.start
    for other in sorted((o for o in others if o.key != mention.key and start < o.end <= mention.start),
                        key=lambda o: -o.end):
        if other.end > edge:
            continue  # overlaps one already passed
        between = lowered[other.end:edge]
        if _earlier_memo(other.key, published) and (act := _MODIFIER.match(lowered, other.end, edge)) and \
                (verb := _VERB.match(lowered, act.start(1) if act[1] else act.start(2))) and \
                not _VERB.search(lowered, verb.end(), edge) and len(lowered[verb.end():edge].split()) <= 6:
            memo_verb = verb_for(text, other, [o for o in others if o is not mention], published)
            if memo_verb and memo_verb[0] == "end" and _verb_name(verb) in ("end", "suspend"):
                return ("reinstate",) + memo_verb[1:]  # "rescinds the 2017 memoranda winding down DACA"
            return None  # "the June 15, 2012 memorandum establishing DACA": that memo's act
        if _RELATIVE.match(between) or (other.kind == "memo" and _QUOTED_AFTER.match(text[other.end:edge])):
            return None  # "the 2022 notice, which rescinded the 2019 one": the verb is the 2022 notice's
        listed = mention.kind == "act" or (_DATED.match(mention.key) and _DATED.match(other.key))
        if (other.kind == "memo" and not (listed and _glue(between))) or not _glue(between):
            start = other.end  # "the 2017 memorandum on DACA": the verb is the memo's
            break
        edge = other.start
    if edge == mention.start:  # "Title 42 expired at midnight, and CBP One appointments rose":
        joins = list(_NEXT_CLAUSE.finditer(lowered, start, mention.start))  # the verb is the first clause's
        if joins and not _VERB.search(lowered, joins[-1].end(), mention.start):
            start = joins[-1].end() if _VERB.search(lowered, start, joins[-1].start()) else start
    window = lowered[start:mention.start]
    if _exempted(lowered, clause, mention.start):
        return None  # "does not affect the 2012 memorandum establishing deferred action for ..."
    if mention.kind == "act" and (back := re.search(r"\breturn\w* to (?:the |its |their )?$", window)):
        return "reinstate", start + back.start(), start + back.end()  # "returning to the practice it dropped"
    if mention.kind == "act" and (was := _AS_IT_WAS_UNTIL.match(lowered, mention.start)):
        return "reinstate", was.start(), was.start() + 2  # "as it was until the Department narrowed it in ..."
    if _EXEMPT.search(window) or _EXEMPT_AFTER.match(lowered, mention.end):
        return None  # "except for DACA", "DACA will remain in effect"
    if (moved := _MOVED.search(window)) and _DEADLINE_NAME.search(lowered, mention.start, mention.end):
        return "suspend", start + moved.start(), start + moved.end()  # "pushing back the enforcement date"
    before = [(_verb_name(m), m) for m in _VERB.finditer(lowered, start, mention.start)]
    before = [(verb, m) for verb, m in before
              if (verb != "reinstate" or _governs(lowered[m.end():min(edge, mention.start)]))
              and not _PROPOSED_ACT.search(lowered, max(0, m.start() - 60), m.start())
              and (mention.key.startswith(_OWN_NUMBER)
                   or not _PROPOSAL.search(lowered, m.end(), mention.start))
              and not _NEW_RELATIVE.search(lowered, m.end(), mention.start)]
    said = None
    if before:
        verb, m = max(before, key=lambda vm: (_STRENGTH[vm[0]], vm[1].start()))
        if verb == "establish" and _SAYS_THAT.match(lowered, m.start(), mention.start):
            said, before = (verb, m.start(), m.end()), []  # "announced that X will end": X's own verb
    if before:
        passive = _PASSIVE_AFTER.match(lowered, mention.end)
        if passive and verb in ("establish", "extend") and \
                (later := _VERB.match(lowered, passive.end())) and _verb_name(later) in _REVERSING:
            return _verb_name(later), later.start(), later.end()  # "grants under the rule are halted"
        if verb in ("establish", "extend") and (lifting := _LIFTING_AFTER.match(lowered, mention.end)):
            return "reinstate", lifting.start(1), lifting.end(1)  # "requests under X, lifting the hold"
        if verb == "extend" and _FEATURE_AFTER.match(lowered, mention.end):
            return "establish", m.start(), m.end()  # "expanded the app so that people can schedule": a feature
        if verb == "extend" and _DEADLINE_NAME.search(lowered, mention.start, mention.end):
            return "suspend", m.start(), m.end()  # "extends the REAL ID enforcement deadline": postponed
        if verb == "reinstate" and _RELAUNCH.match(m.group()) and _AS_NEW_NAME.match(lowered, mention.end):
            return "rename", m.start(), m.end()  # "relaunches X as Y"
        if verb == "extend" and _TO_NEW_SCOPE.search(window):
            return "establish", m.start(), m.end()  # "expanded the process for Venezuelans to Cubans, ...": new
        if verb in ("end", "establish") and _ENDING_AFTER.match(lowered, mention.end):
            # "withdraws the DACA rescission memos": ending an ending brings the policy back;
            # "announces the MPP termination": the name qualifies the act that ends it
            return ("reinstate" if verb == "end" else "end"), m.start(), m.end()
        return verb, m.start(), m.end()
    end = mention.end
    for other in sorted((o for o in others if o.key != mention.key and o.start >= end), key=lambda o: o.start):
        if other.start >= end and other.kind != "memo" and _glue(lowered[end:other.start]):
            end = max(end, other.end)  # "Hondurans and Nicaraguans ... were granted": the list's verb
        elif other.start >= end:
            break
    stop = _CLAUSE_END.search(lowered, end)
    stop = min(stop.start() if stop else len(lowered), end + 80)
    if join := _JOINED_AFTER.search(lowered, end, stop):
        stop = join.start()  # "addresses X bonds, and requires those seeking to extend ...": the next clause's
    later = [o.start for o in others if o.key != mention.key and end <= o.start < stop]
    if later:  # verbs a few words before the next policy named are that one's
        head = lowered[end:min(later)]
        cut = [m.start() for m in re.finditer(r"\S+", head)][-6:]
        stop = end + (cut[0] if cut else 0)
    after_text = lowered[end:stop]
    after = [(_verb_name(m), m) for m in _VERB.finditer(lowered, end, stop)]
    if not after:
        return said
    if _RELATIVE.match(after_text) and (_PAST_MARK.search(after_text) or _told_past(after[0][1].group())):
        return said  # "the CAM program, which had been reopened", "MPP, which DHS wound down": background
    after = [(verb, m) for verb, m in after if not _OBJECT.match(lowered, m.end())
             and not _PROPOSED_ACT.search(lowered, max(end, m.start() - 60), m.start())
             and not _WHEN_BETWEEN.search(lowered, end, m.start())]
    if not after:
        return said  # "a memo from Secretary X pauses most deportations": the policy acts
    verb, m = max(after, key=lambda vm: (_STRENGTH[vm[0]], -vm[1].start()))
    return verb, m.start(), m.end()


#: "pushing back the enforcement date", "is moving the deadline": a date put off.
_MOVED = re.compile(r"\b(?:mov|push|shift)(?:e|es|ed|ing|s)?(?: back)? (?:the |its |their )?$")
#: "announced that TPS for X will end": the announcement reports the act the clause after "that"
#: makes, so the verb after the name is the one done to it (when there is one).
_SAYS_THAT = re.compile(r"announc\w*(?:\s+(?:today|yesterday|on\s+\w+))?\s+that\s+(?:(?!\bthat\b)[^,;])*$")
#: Right after an earlier memo, a modifier with its own verb: "the memo establishing", "the
#: memoranda that had wound down", "the notice, which ended", "the decision to extend".
_MODIFIER = re.compile(r",?\s+(?:(?:which|that)\s+(?:(?:had|has|have|was|were)\s+)?(?:been\s+)?)?([a-z]+(?:ing|ed)\b|"
                       rf"(?:{_IRREGULAR_PAST})\b)|\s+to\s+([a-z]+)\b")
#: An exemption and the start of its object: "does not affect", "except for", "other than".
_EXEMPTION = re.compile(r"\b(?:except(?: for)?|other than|excluding|does not affect|do not affect|will not affect|"
                        r"not affect)\b")


def _earlier_memo(key: str, published: str | None) -> bool:
    """Whether a memo is named as an earlier one: by a full date not the document's own, or
    by a year or month before the document's ("the Kelly memorandum" may be the document's own)."""
    if _DATED.match(key):
        return bool(published) and not _near(key, published)
    parts = key.split()
    if parts[1:2] == ["inmonth"]:  # "the June memorandum" in an August release
        return bool(published) and published[5:7] != parts[2]
    return parts[1:2] in (["year"], ["month"]) and bool(published) and parts[2] < published[:len(parts[2])]


def _exempted(lowered: str, clause: int, at: int) -> bool:
    """Whether the policy at ``at`` is in the object of an exemption opening its clause, with
    whatever modifies it ("does not affect the June 15, 2012 memorandum establishing deferred
    action"): no finite verb, contrast or new clause in between."""
    found = list(_EXEMPTION.finditer(lowered, clause, at))
    if not found:
        return False
    span = lowered[found[-1].end():at]
    return len(span.split()) <= 14 and not (_NEXT_CLAUSE.search(span) or _CONTRAST.search(span)) and \
        all(m.group().split()[0].endswith(("ing", "ed")) for m in _VERB.finditer(span))


#: A memo by its full date: in a list of dates ("the May 2, 2017 and March 9, 2018 memoranda") each
#: takes the list's verb.
_DATED = re.compile(r"memo \d{4}-\d\d-\d\d$")


def _glue(between: str) -> bool:
    """Whether only a list joins two policies ("Guinea, Liberia and Sierra Leone", "Uniting
    for Ukraine and under the parole processes for"): no verb of its own, no contrast."""
    return not (_VERB.search(between) or _CONTRAST.search(between) or _RELATIVE.match(between)
                or len(between.split()) > 8 or _CLAUSE_END.search(between))


def _governs(between: str) -> bool:
    """Whether a reinstating verb takes the policy as its object ("restores the July 23,
    2019 designation"), not something about it ("restores the historical understanding of")."""
    return len(between.split()) <= 6 and not _NOT_THE_POLICY.search(between)


def _verb_name(match: re.Match) -> str:
    return next(name for name, value in match.groupdict().items() if value).split("_")[0]


def document_events(title: str | None, published: str | None, label: str | None,
                    statements: list[tuple[int, str, str | None]],
                    known: dict[str, tuple[str, str]] | None = None) -> list[Event]:
    """What a document does to which policy: one event per policy, the strongest.

    ``statements`` are (id, text, label). The headline counts whatever the document's
    label; a statement when it is labelled a new policy or a reversal itself. An act
    told as past ("had been ended", "ended DACA in 2017") is background.
    """
    year = int(published[:4]) if published and published[:4].isdigit() else None
    month = int(published[5:7]) if published and published[5:7].isdigit() else None
    texts: list[tuple[int | None, str, str]] = []
    if any(slabel == "reversal" for _, _, slabel in statements):
        label = "reversal"  # a headline reads as its strongest statement
    if title:  # a headline names what the document is about, whatever its label
        texts.append((None, title, label))
    texts += [(sid, text, slabel) for sid, text, slabel in statements
              if slabel in ("new_policy", "reversal", "none")]
    in_tps = any(_TPS.search(text.lower()) for _, text, _ in texts)
    title_act = title_rule(title)
    # "Designation of El Salvador under Temporary Protected Status": a notice's title says its own act
    notice_title = bool(title and _NOTICE_TITLE.match(title.lower()))
    # A proposed rule's document makes the proposal its RIN or docket number names.
    everything_said = " ".join([title or "", *(text for _, text, _ in statements)]).lower()
    proposing = bool(_PROPOSING.search(everything_said)) and not _WITHDRAWING.search(everything_said)
    # "a court set aside the rule; DHS has stopped applying it": the agency carries the ruling out
    # ... unless it contests the ruling ("disagrees with the decision", "will appeal"): it complies, not decides
    carried_out = any(_CARRIES_OUT.search(text.lower()) for _, text, slabel in texts if slabel == "reversal") \
        and not _CONTESTS.search(everything_said)
    best: dict[str, Event] = {}
    renamed: set[str] = set()
    for sid, text, text_label in texts:
        lowered = text.lower()
        named = mentions(text, known)
        everything = named + tps_mentions(text, in_tps, named)
        if text_label == "reversal" and not any(m.kind != "memo" for m in everything):
            everything += _practices(lowered)  # "resumed holding families": a practice no name calls
        for mention in everything:
            if sid is not None and _past_perfect(lowered, mention.start):
                continue  # "... which had expanded it": background
            found = verb_for(text, mention, everything, published)
            verb = found[0] if found else None
            if found and found[1] > mention.start and found[0] in _REVERSING and \
                    _PAST_VERB.search(lowered[found[1]:found[2]]) and \
                    _WHEN_CLAUSE.search(lowered, 0, mention.start):
                continue  # "the morning after the expulsion policy expired": background
            if found and _told_as_past(lowered, mention, found[1], found[2], year, named, month):
                continue  # "DHS rescinded DACA in 2017", in a later document
            if found and found[0] in _REVERSING and (_barred(lowered, found[1]) or (
                    _by_a_court(lowered, found[1], found[2]) and not carried_out)):
                continue  # "A judge blocked the termination of TPS": a ruling, not the agency's act
            if verb in ("establish", "extend") and mention.key.startswith("memo ") and \
                    not _near(mention.key, published):
                continue  # naming an old memo is not issuing it
            if verb is None and sid is None and text_label == "new_policy" and \
                    len((text[:mention.start] + text[mention.end:]).split()) <= 3:
                verb = "establish"  # a new rule titled by its name: "International Entrepreneur Rule"
            own_number = verb is None and mention.key.startswith(_OWN_NUMBER) and \
                (proposing or bool(_PROPOSED_RIN.search(lowered, 0, mention.start)))
            if own_number:
                verb = "establish"  # "(proposed rule, RIN 1615-AC04)": the proposal itself
            if verb is None and sid is None and text_label == "new_policy" and mention.kind != "memo" and \
                    _RULE_TITLE.search(lowered):
                verb = "establish"  # "Public Charge ... (final rule, RIN ...)": a rule makes what its title names
            if verb is None and sid is None and title_act:
                verb = title_act[1]  # "Public Charge ...; Implementation of Vacatur": the title's act
            if verb is None and mention.key.startswith(_OWN_NUMBER):
                verb = "end" if text_label == "reversal" else "establish"
                # "The details are in Broadcast Message 2020-01", in a new policy: its own number
                own_number = own_number or (label == "new_policy" and text_label == "none")
            if verb is None and sid is None and mention.kind != "memo":
                verb = _anaphoric_verb(statements, mention)  # "X Is History" / "will no longer use the program"
            if mention.kind == "practice" and verb not in _REVERSING:
                continue  # a practice is known only by its stopping and resuming
            if verb == "rename":
                renamed.add(mention.key)
            if verb is None or verb == "rename" or (text_label == "none" and verb not in _REVERSING and not own_number
                                                     and not (sid is None and notice_title)):
                continue  # a statement the classifier calls no change says only what ends
            for key, name in _per_country(lowered, mention, everything):
                old = best.get(key)
                if old is None or _STRENGTH[verb] > _STRENGTH[old.event] or (
                        verb == old.event and old.statement_id is None):  # a statement says more
                    best[key] = Event(key, name, mention.kind, verb, sid,
                                      mention.aliases or (old.aliases if old else ()))
    # "X app relaunched" over "reissued under a new name": brought back only as its new name
    return [e for e in best.values() if not (e.event == "reinstate" and e.key in renamed)]


#: A practice no name calls, by what is stopped or resumed: "will no longer hold families",
#: "stops accepting applications", "has resumed holding families".
_PRACTICE = re.compile(r"\b(?P<cue>no longer|(?:stop|ceas|halt|resum|restart)\w*)\s+(?:the practice of\s+)?"
                       r"(?P<verb>[a-z]+)\s+(?:(?:the|its|their|all|any|some|new)\s+)?(?P<object>[a-z]+)\b")
#: Verbs and objects that say nothing of which practice: "no longer need to", "stop using the program".
_NO_PRACTICE = {"be", "bee", "have", "hav", "need", "requir", "use", "us", "apply", "appl", "get",
                "gett", "make", "mak", "do", "go", "want", "seek", "allow", "accept", "tak", "take",
                # a finding, not a practice: "no longer meets the conditions", "no longer supports"
                "meet", "support", "exist", "qualify", "qualifi", "warrant",
                "january", "february", "march", "april", "june", "july", "august", "september",
                "october", "november", "december",
                "program", "programs", "policy", "policies", "process", "processes", "practice",
                "rule", "rules", "them", "these", "those", "this", "that", "their", "with", "from",
                "into", "under", "after", "before", "until", "while", "because", "there", "here",
                "after", "when", "once", "since", "during", "pending", "effective"}


def _practices(lowered: str) -> list[Mention]:
    """Practices a text says are stopped or resumed, each known by its verb and its object
    ("practice hold famil" for "holding families"), at the object's place."""
    found = []
    for m in _PRACTICE.finditer(lowered):
        verb, thing = m["verb"], m["object"]
        if m["cue"] != "no longer" and not verb.endswith("ing"):
            continue  # "stopped at the port", "resumes today"
        stem = verb.removesuffix("ing") if verb.endswith("ing") else verb.removesuffix("s")
        if len(stem) < 3 or stem in _NO_PRACTICE or len(thing) < 4 or thing in _NO_PRACTICE:
            continue
        found.append(Mention(f"practice {stem[:4]} {thing[:5]}", f"{verb} {thing}".capitalize(), "practice",
                             m.start("object"), m.end("object")))
    return found


def _past_perfect(lowered: str, before: int) -> bool:
    """Whether an act told in the past perfect comes before ``before`` in the text, not
    as reported speech ("officials said the agreements had been suspended")."""
    return any(not _REPORTED.search(lowered, 0, m.start())
               for m in _PAST_PERFECT.finditer(lowered, 0, before))


def _per_country(lowered: str, mention: Mention, others: list[Mention]) -> list[tuple[str, str]]:
    """(key, name) of what the mention names: for a program made country by country (an
    asylum cooperative agreement, family reunification parole), the program for each
    country its sentence names ("suspended its agreements with El Salvador, Guatemala and
    Honduras"), not one named as an exception; else the mention's own."""
    if mention.key not in catalogue()["per_country"]:
        return [(mention.key, mention.name)]
    allowed = catalogue()["per_country"][mention.key]
    named = [o for o in others if o.kind != "designation" and o is not mention]
    countries = []
    for m in catalogue()["any_country"].finditer(lowered):
        if _overlaps(m.start(), m.end(), named) or _EXEMPT.search(lowered, max(0, m.start() - 40), m.start()) \
                or _EXEMPT_AFTER.match(lowered, m.end()):
            continue
        country = catalogue()["demonyms"].get(m[1], m[1])
        if country not in countries and (allowed is None or country in allowed):
            countries.append(country)
    return [(f"{mention.key} {c}", f"{mention.name} ({c.title()})") for c in countries] or \
        [(mention.key, mention.name)]


def program_of(key: str) -> str | None:
    """The program a policy of one country belongs to ("family reunification parole" for
    "family reunification parole cuba"), or None."""
    return next((p for p in catalogue()["per_country"] if key.startswith(p + " ")), None)


#: "the program", "it": what a reversing statement says of the policy its headline names.
_ANAPHOR = re.compile(r"\s+(?:\w+\s+){0,2}?(?:(?:the|this|that|its) (?:program|policy|process|processes|"
                      r"rule|protocols|agreements?|memo|memorandum|guidance|order|initiative|pilot|app)|"
                      r"it)\b")


def _anaphoric_verb(statements: list[tuple[int, str, str | None]], mention: Mention) -> str | None:
    """For a policy the headline names without a verb ("Priority Enforcement Program Is
    History"): the reversing verb a reversal statement naming no policy applies to "the
    program" or "it" ("will no longer use the program")."""
    for _, text, label in statements:
        lowered = text.lower()
        if label != "reversal" or mentions(text) or _TPS.search(lowered):
            continue
        for m in _VERB.finditer(lowered):
            verb = _verb_name(m)
            if verb in _REVERSING and _ANAPHOR.match(lowered, m.end()):
                return verb
    return None


#: A court as the one acting: "a federal judge blocked", "the Supreme Court allowed".
_COURT = re.compile(r"\b(?:judges?|courts?|justices|panel)\s+"
                    # "the U.S. District Court for the Northern District of Texas vacated"
                    r"(?:(?:for|of|in)\s+(?:the\s+)?(?:[\w.'’-]+\s+){1,6}?)?(?:\w+\s+){0,3}?(?:orders|ordered|blocks|"
                    r"blocked|rules|ruled|vacates|vacated|halts|halted|struck|strikes|enjoins|enjoined|"
                    r"stays|stayed|allows|allowed|upholds|upheld|lets|rejects|rejected|refuses|refused|stops|stopped|"
                    r"bars|barred|prevents|prevented|keeps|kept|paus\w*|suspend\w*|sets? aside|"
                    r"reinstat\w*|restor\w*)\b")


#: The agency itself stopping, after a ruling: "DHS has stopped applying the bar", "USCIS will no
#: longer apply the rule", "complying with the injunction" (not "will comply", "would appeal").
_CARRIES_OUT = re.compile(
    r"\b(?:dhs|uscis|ice|cbp|the department|the agency|(?:asylum )?officers)\b[^.;]{0,40}?\b(?:(?:has|have|will|is|are)\s+)?"
    r"(?:stopped|stops|stop|ceased|no longer)\s+(?:appl|enforc|us|accept|process|grant|requir)\w*|"
    r"\b(?:in compliance with|complying with|to comply with|pursuant to|following|as required by)\s+(?:a |an |the )?"
    r"(?:[\w'’-]+\s+){0,3}?(?:court(?:'s|’s)?\s+)?(?:order|injunction|vacatur)\b")


#: The agency contesting a ruling it complies with: what the court undid is not its act.
_CONTESTS = re.compile(r"\bdisagree(?:s|d)? with\b|\b(?:will|would|to|plans? to|intends? to|expects? to) appeal\b|"
                       r"\b(?:filed|files|filing) (?:an |a notice of )?appeal\b|\breviewing (?:its|all|the) (?:legal )?options\b")


def _by_a_court(lowered: str, verb_start: int, verb_end: int) -> bool:
    clause = max([0] + [m.end() for m in _CLAUSE_END.finditer(lowered, 0, verb_start)])
    return bool(_COURT.search(lowered, clause, verb_end) or _BY_COURT.match(lowered, verb_end))


def _barred(lowered: str, verb_start: int) -> bool:
    """Whether the act is one someone is kept from doing (an agency complying with the
    order that bars it does not do it either)."""
    clause = max([0] + [m.end() for m in _CLAUSE_END.finditer(lowered, 0, verb_start)])
    return bool(_BARRED.search(lowered, clause, verb_start))


#: An act someone is kept from doing: "an injunction barring DHS from implementing the
#: terminations", "an order enjoining the Department from putting into effect the decisions to
#: terminate", "DHS is prohibited from ending": whoever bars it, the act is not done.
_BARRED = re.compile(r"\b(?:barr|block|enjoin|prohibit|prevent|forbid|forbad)\w*\s+(?:[\w.'’-]+\s+){0,5}?"
                     r"from\s+(?:[\w'’-]+\s+){0,8}?$")


#: A court as the agent of a passive: "was struck down by the Supreme Court".
_BY_COURT = re.compile(r"\s+by (?:a |an |the )?(?:[\w.'’-]+ ){0,4}?(?:courts?|judges?|justices|panel)\b")
#: A verb of the past: "expired", "struck down", "set aside".
_PAST_VERB = re.compile(rf"ed\b|\b(?:{_IRREGULAR_PAST}|set aside)\b")
_IRREGULAR = re.compile(rf"\b(?:{_IRREGULAR_PAST})\b")


def _told_past(verb: str) -> bool:
    """Whether a verb as matched is in the past: "rescinded", "wound down", "withdrew".

    Unlike _PAST_VERB, which looks for any past form in a stretch of text, this judges one
    verb, so "set aside" (the same in the present: "DHS will set aside ...") is not past."""
    return verb.endswith("ed") or bool(_IRREGULAR.search(verb))


def _near(memo_key: str, published: str | None) -> bool:
    """Whether a memo named by its date was issued about when the document was."""
    day, memo = _day(published), _day(memo_key.split()[-1])
    return bool(day and memo and len(memo_key.split()) == 2) and abs((day - memo).days) <= MEMO_DAYS


def _told_as_past(lowered: str, mention: Mention, verb_start: int, verb_end: int,
                  year: int | None, named: list[Mention], month: int | None = None) -> bool:
    """Whether the act is dated in an earlier year than the document's: a time ("in 2014",
    "since March 2012") between the verb and the name, right after both, or opening the
    clause. A year that names something ("the 2019 rule", "the 2010 earthquake") is no time,
    and neither is a memo's date."""
    if year is None:
        return False
    for m in named:  # a memo's date is its name
        lowered = lowered[:m.start] + " " * (m.end - m.start) + lowered[m.end:]
    low, high = min(verb_start, mention.start), max(verb_end, mention.end)
    years = [int(y) for y in _WHEN_RE.findall(lowered, low, high)]
    clause = max([0] + [m.end() for m in _CLAUSE_END.finditer(lowered, 0, low)])
    if _told_past(lowered[verb_start:verb_end]) and not _NOW.search(lowered, clause, high):
        years += [int(y) for y in _WHEN_RE.findall(lowered, clause, low)]  # "In 2017, DHS rescinded"
    after = _WHEN_AFTER.match(lowered, high)
    if after and not (re.search(r"\b\w+ed\b", lowered[high:after.start(1)])
                      or _IRREGULAR.search(lowered, high, after.start(1))):
        years.append(int(after[1]))  # "ended DACA in 2017", not "the rule published on July 16, 2019"
        # nor "the pilot begun in 2022"
    if _told_past(lowered[verb_start:verb_end]) and (
            _AGO.search(lowered, clause, high) or _AGO_AFTER.match(lowered, high)):
        return True  # "Ten years ago DHS rescinded DACA", "ended the program last year"
    if _YEARS_SINCE.search(lowered, clause, high):
        return True  # "Ten years since the DACA rescission", "the anniversary of its end"
    in_month = _IN_MONTH_AFTER.match(lowered, high)
    if month and in_month and _told_past(lowered[verb_start:verb_end]) and \
            _MONTHS.index(in_month[1][:3]) + 1 < month:
        return True  # "DAPA was rescinded in June", in a September document
    return any(y < year for y in years)


def self_memo(title: str | None, label: str | None,
              statements: list[tuple[int, str, str | None]]) -> int | None | bool:
    """Whether the document is itself a memo or notice (so a later one can name it by
    date; a Federal Register title that acts on an earlier one is one): the statement
    that says so (None for the headline), or False."""
    if title and label in ("new_policy", "reversal") and (
            _SELF_MEMO.search(title.lower()) or _TITLE_PREFIX.match(title.lower())
            or _TITLE_SUFFIX.search(title.lower()) or _NOTICE_TITLE.match(title.lower())):
        return None  # "Rescission of the Notice of ...": a Federal Register notice itself
    if title and label in ("new_policy", "reversal") and statements and _RULE_ACTION.match(statements[0][1].lower()):
        return None  # "Final rule; RIN ...": a Federal Register rule says what it is first
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
    if verb is None or len(text) < 12 or _PROPOSAL.match(text.lower()):
        return None  # "Withdrawal of Proposed Removal of X": an act on the proposal, none on X
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
    texts = [title or "", *(t for _, t, _ in statements)]
    known = _known_names(db, texts, day) | _own_names(texts[1:])
    events = document_events(title, published, label, statements, known)
    # a document that undoes something acts, whatever the classifier called it ("This
    # memorandum implements ...; all conflicting guidance is rescinded")
    acts = label not in ("new_policy", "reversal") and any(e.event in _REVERSING for e in events)
    own = self_memo(title, "reversal" if acts else label,
                    [(sid, text, "reversal" if acts else slabel) for sid, text, slabel in statements])
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
    programs = {m.key for text in texts for m in mentions(text, known) + tps_mentions(text, False)
                if not m.key.startswith("memo")}
    events = _resolve_references(db, document_id, day, events, programs)
    for event in {e.key: e for e in events}.values():
        policy_id = _policy_id(db, event)
        db.execute("insert or replace into policy_events (policy_id, document_id, statement_id,"
                   " event, date) values (?, ?, ?, ?, ?)",
                   [policy_id, document_id, event.statement_id, event.event,
                    day.isoformat() if day else None])
        touched.add(policy_id)
    if own is not False and day:
        _name_memo(db, f"memo {day}", title)
    # "the DACA program created by the June 15, 2012 memorandum": the document that issued that
    # memo established the policy, though it did not call it by this name
    for key, memo in _origins(texts, published):
        issuers = {r[0] for r in db.execute(
            "select e.document_id from policy_events e join policies p on p.id = e.policy_id "
            "where p.key = ? and e.event = 'establish' and e.document_id != ?", [memo, document_id])}
        if len(issuers) == 1 and db.execute("select 1 from policies where key = ?", [key]).fetchone():
            _add_event(db, key, issuers.pop(), "establish")
    # A rule named by its title (in a later Federal Register title, or quoted) was
    # established by the document titled so, or by an earlier new policy that gives the title.
    for event in events:
        if event.key.startswith("rule ") and event.event in _REVERSING and day:
            for earlier in _documents_naming(db, event.name, document_id, day):
                _add_event(db, event.key, earlier, "establish")
    return touched


#: Between a policy's name and an earlier memo named by its date: the memo made it ("the DACA
#: program created by the June 15, 2012 memorandum", "MPP, which was set up under the ... memo").
_MADE_BY = re.compile(r"(?:\s+(?:program|policy|process|processes|initiative|protocols|rule|parole))?,?\s+"
                      r"(?:(?:which|that)\s+(?:was|were|had been)\s+)?(?:first\s+|originally\s+)?"
                      r"(?:created|established|set up|launched|introduced|begun|started|put in place|"
                      r"announced|adopted)\s+(?:by|in|under|through|with)\s+(?:the|a|an|its|his|her|their)\s+")


def _origins(texts: list[str], published: str | None) -> set[tuple[str, str]]:
    """(policy key, memo key) of each policy the texts say an earlier memo, named by its
    date, made."""
    found = set()
    for text in texts:
        lowered = text.lower()
        named = mentions(text)
        for m in named:
            if m.kind == "memo" or m.key in catalogue()["per_country"]:
                continue
            for memo in named:
                if _DATED.match(memo.key) and memo.start >= m.end and _earlier_memo(memo.key, published) \
                        and _MADE_BY.fullmatch(lowered, m.end, memo.start):
                    found.add((m.key, memo.key))
    return found


def _known_names(db, texts: list[str], day: date | None) -> dict[str, tuple[str, str]]:
    """Programs known by a proper name from documents dated before ``day`` that these texts
    name, however they write it: by acronym ("PEP"), or in a headline's title case or in
    lower case before "program" ("priority enforcement program"). Surface form -> (key,
    name). Only earlier documents count, so the answer does not depend on the order in
    which documents were stored."""
    found = {}
    if not day or not db.execute(
            "select 1 from policies where key >= 'named ' and key < 'named!' limit 1").fetchone():
        return found  # no program known by a proper name yet
    earlier = "exists (select 1 from policy_events e where e.policy_id = policies.id and e.date < ?)"
    acronyms = {m.group() for text in texts for m in _ACRONYM.finditer(text)}
    if acronyms:
        for key, name, aliases in db.execute(
                "select key, name, aliases from policies where key >= 'named ' and key < 'named!' "
                f"and aliases != '[]' and {earlier}", [day.isoformat()]):
            for alias in set(json.loads(aliases or "[]")) & acronyms:
                found[alias] = (key, name)
    spans = set()
    for text in texts:
        for run in _CAPITALISED_RUN.finditer(text):  # "Priority Enforcement Program Is History"
            spans |= _spans([w.strip(".").lower() for w in run.group().split()])
        for before in _BEFORE_HEAD.finditer(text.lower()):  # "... priority enforcement program"
            spans |= _spans(before[1].split(), ending=True)
    spans = sorted(spans)
    for chunk in range(0, len(spans), 400):
        part = spans[chunk:chunk + 400]
        for key, name in db.execute(
                f"select key, name from policies where key in ({','.join('?' * len(part))}) and {earlier}",
                ["named " + span for span in part] + [day.isoformat()]):
            found[key.removeprefix("named ")] = (key, name)
    return found


def _own_names(texts: list[str]) -> dict[str, tuple[str, str]]:
    """Programs the document's own statements call by a proper name, so that its headline in
    title case names them too ("DHS Launches Case Management Pilot Program" over a text that
    says "the Case Management Pilot Program"). Surface form -> (key, name), as _known_names."""
    found = {}
    for text in texts:
        for m in mentions(text):
            if m.key.startswith("named "):
                found[m.key.removeprefix("named ")] = (m.key, m.name)
                found.update({alias: (m.key, m.name) for alias in m.aliases})
    return found


_CAPITALISED_RUN = re.compile(r"(?:\b[A-Z][\w'’.-]*(?:\s+(?:of|for|the|and|to|on|in|under|with)\b)*\s*){2,}")
_BEFORE_HEAD = re.compile(r"((?:\b[a-z][\w'’.-]*\s+){2,6})(?:" + "|".join(sorted(_NAME_NEXT)) + r")\b")


def _spans(words: list[str], ending: bool = False) -> set[str]:
    """Runs of 2 to 7 words (only those ending at the last word, with ``ending``)."""
    found = set()
    for j in ([len(words)] if ending else range(2, len(words) + 1)):
        for i in range(max(0, j - 7), j - 1):
            found.add(" ".join(words[i:j]))
    return found


def _documents_naming(db, title: str, document_id: int, day: date) -> list[int]:
    """Documents titled ``title``, and earlier new policies whose text gives that title
    (a press release announcing the rule under another headline)."""
    ids = [r[0] for r in db.execute(  # "Collection of Biometrics (proposed rule)" too
        "select id from documents where id != ? and (lower(title) = lower(?) or lower(title) like lower(?))",
        [document_id, title, title.replace("%", "") + " (%)"])]
    words = re.findall(r"\w+", title.lower())
    if len(words) >= 4:
        try:
            ids += [r[0] for r in db.execute(
                "select d.id from documents_fts f join documents d on d.id = f.docid "
                "where documents_fts match ? and d.id != ? and d.label = 'new_policy' "
                "and coalesce(d.published, d.first_seen) < ?",
                ['"' + " ".join(words) + '"', document_id, day.isoformat()])]
        except sqlite3.OperationalError:
            pass  # no full-text index: the title alone
    return list(dict.fromkeys(ids))


def _resolve_references(db, document_id: int, day: date | None, events: list[Event],
                        named: set[str]) -> list[Event]:
    """A memo named by its year, month, day without a year or signer is the one stored memo
    that fits (preferring one that acted on a policy this document also names); none or
    several: the reference is dropped (precision first)."""
    resolved = []
    for event in events:
        parts = event.key.split()
        if parts[:2] == ["memo", "inmonth"]:  # "the June memorandum": the last June before this month
            if not day or int(parts[2]) == day.month:
                continue  # this month's: perhaps the document's own, not sure
            year = day.year if int(parts[2]) < day.month else day.year - 1
            parts = ["memo", "month", f"{year}-{parts[2]}", *parts[3:]]
        if parts[:2] == ["memo", "kind"]:
            about = set(parts[3].split("+")) if len(parts) > 3 else set()
            memo = None
            if day and event.event == "reinstate":
                memo = _out_of_force(db, document_id, day, parts[2])
            elif day and len(about) >= DESCRIPTION_WORDS:
                memo = _in_force(db, document_id, day, parts[2], about)
            if memo:
                resolved.append(Event(f"memo {memo}", f"Memo or notice of {_long_date(memo)}", "memo",
                                      event.event, event.statement_id))
            continue
        if parts[:2] == ["memo", "act"]:
            memo = _act_document(db, document_id, day, parts[2], named) if day and event.event in _REVERSING \
                else None
            if memo:  # whatever the verb ("reversing", "undoing", "returning to"), that act is undone
                resolved.append(Event(f"memo {memo}", f"Memo or notice of {_long_date(memo)}", "memo",
                                      "end", event.statement_id))
            continue
        if parts[:2] == ["memo", "described"]:
            memo = _described_in_month(db, document_id, day, parts[2], set(parts[3].split("+"))) if day else None
            if memo:
                resolved.append(Event(f"memo {memo}", f"Memo or notice of {_long_date(memo)}", "memo",
                                      event.event, event.statement_id))
            continue
        if parts[:2] not in (["memo", "year"], ["memo", "month"], ["memo", "day"], ["memo", "signer"]):
            resolved.append(event)
            continue
        if not day:
            continue
        if parts[1] == "day":
            memo = _latest_day(day, parts[2])
        else:
            memo = _stored_memo(db, document_id, day, parts[1], parts[2:], named)
        if memo is None and parts[1] == "month" and parts[3:4] == ["about"] and \
                not _stored_memo(db, document_id, day, "month", parts[2:3], set(), any_one=True):
            # "the October 2017 guidance that directed officers to ...": no memo of that month is
            # stored, so the one document of that month the description fits
            memo = _described_in_month(db, document_id, day, parts[2], set(parts[4].split("+")))
        if memo:
            resolved.append(Event(f"memo {memo}", f"Memo or notice of {_long_date(memo)}", "memo",
                                  event.event, event.statement_id))
    return resolved


def _memos_before(db, document_id: int, day: date) -> list[tuple[str, str | None, str | None]]:
    """(key, last event before ``day``, text of the documents that issued it) of every
    stored memo, leaving out what ``document_id`` itself recorded."""
    return db.execute(
        "select p.key, (select e2.event from policy_events e2 where e2.policy_id = p.id and e2.date < ? "
        "   and e2.document_id != ? order by e2.date desc, e2.document_id desc limit 1), "
        "  (select group_concat(coalesce(d.title, '') || ' ' || coalesce(d.body, ''), ' ') from policy_events e3 "
        "   join documents d on d.id = e3.document_id where e3.policy_id = p.id and e3.date < ? "
        "   and e3.document_id != ? and e3.event = 'establish') "
        "from policies p where p.key like 'memo 2%' or p.key like 'memo 1%'",
        [day.isoformat(), document_id, day.isoformat(), document_id]).fetchall()


def _out_of_force(db, document_id: int, day: date, noun: str) -> date | None:
    """The date of the one stored memo out of force on ``day`` (its last event an end or
    a suspension) whose own document calls it by that noun ("the guidelines" a court had
    vacated: the document that issued "Guidelines for the Enforcement of ..."); of several,
    the one whose words the naming document shares most (at least ``DESCRIPTION_WORDS``)."""
    rows = _memos_before(db, document_id, day)
    word = re.compile(rf"\b{noun[:5]}\w*")
    fits = {key: texts for key, last, texts in rows
            if last in ("end", "suspend") and texts and word.search(texts.lower())}
    if len(fits) > 1:  # several: the one whose words this document shares most
        own = {w[:6] for w in _words(_document_text(db, document_id))}  # "pregnancy" and "pregnant" alike
        scores = {key: len(own & {w[:6] for w in _words(texts)}) for key, texts in fits.items()}
        best = max(scores.values())
        fits = {key: 1 for key, score in scores.items() if score == best} if best >= DESCRIPTION_WORDS else {}
    return _day(next(iter(fits)).split()[1]) if len(fits) == 1 else None


def _in_force(db, document_id: int, day: date, noun: str, about: set[str]) -> date | None:
    """The date of the one stored memo in force on ``day`` (its last event not an end or a
    suspension) whose own document calls it by that noun and has every word of what the
    naming document says it is about ("the worksite enforcement guidelines")."""
    rows = _memos_before(db, document_id, day)
    word = re.compile(rf"\b{noun[:5]}\w*")
    fits = {key for key, last, texts in rows if last not in (None, "end", "suspend") and texts
            and word.search(texts.lower()) and about <= _words(texts)}
    return _day(next(iter(fits)).split()[1]) if len(fits) == 1 else None


def _described_in_month(db, document_id: int, day: date, month: str, description: set[str]) -> date | None:
    """The date of the one earlier document of that month the description fits best (at
    least ``DESCRIPTION_WORDS`` of its words, more than any other's); that document is
    recorded as establishing the memo of its date."""
    rows = db.execute(
        "select id, substr(coalesce(published, first_seen), 1, 10), source from documents "
        "where id != ? and substr(coalesce(published, first_seen), 1, 7) = ? "
        "and coalesce(published, first_seen) < ? and source != ?",
        [document_id, month, day.isoformat(), BASELINE_SOURCE]).fetchall()
    # in its own words, not only in a program's name ("Priority Enforcement Program" does not
    # describe "the guidance that narrowed enforcement to three priority groups")
    scores = {r[0]: len(description & _words_outside_names(db, r[0])) for r in rows}
    best = max(scores.values(), default=0)
    fits = [r for r in rows if scores[r[0]] == best]
    if best < DESCRIPTION_WORDS or len({r[1] for r in fits}) != 1:
        return None
    doc = min(fits, key=lambda r: (_news_story(r[2]), r[0]))
    key = f"memo {doc[1]}"
    _policy_id(db, Event(key, f"Memo or notice of {_long_date(date.fromisoformat(doc[1]))}", "memo",
                         "establish", None))
    _add_event(db, key, doc[0], "establish")
    return date.fromisoformat(doc[1])


def _act_document(db, document_id: int, day: date, when: str, named: set[str]) -> date | None:
    """The date of the earlier document whose act a reversal names by its month or year ("the
    August 2022 wind-down"): of that period's documents, the one act that ended or suspended a
    policy the reversal names; else the one whose words it shares most (``ACT_WORDS``, and
    ``ACT_MARGIN`` more than any other: "undoing the 2017 change" to a practice no name
    calls). That document is recorded as issuing the notice of its date."""
    rows = db.execute(
        "select id, substr(coalesce(published, first_seen), 1, 10), source from documents where id != ? "
        "and substr(coalesce(published, first_seen), 1, ?) = ? and coalesce(published, first_seen) < ? "
        "and source != ?", [document_id, len(when), when, day.isoformat(), BASELINE_SOURCE]).fetchall()
    if not rows:
        return None
    fits = []
    if named:
        ending = {r[0] for r in db.execute(
            "select distinct e.document_id from policy_events e join policies p on p.id = e.policy_id "
            f"where e.event in ('end', 'suspend') and p.key in ({','.join('?' * len(named))})", list(named))}
        fits = [r for r in rows if r[0] in ending]
        first = min((date.fromisoformat(r[1]) for r in fits), default=None)
        if fits and any(_days(r[1], first) > REPORT_DAYS for r in fits):
            return None  # several acts on it in that period
    if not fits and named:  # a document acting only on other policies is not the act on this one
        rows = [r for r in rows if not _acts_on_others(db, r[0], named)]
        if not rows:
            return None
    if not fits:
        scores = _described(db, [r[0] for r in rows], _words(_document_text(db, document_id)))
        ranked = sorted(scores.values(), reverse=True) + [0]
        if ranked[0] < ACT_WORDS or ranked[0] < ranked[1] + ACT_MARGIN:
            return None
        fits = [r for r in rows if scores[r[0]] == ranked[0]]
    doc = min(fits, key=lambda r: (_news_story(r[2]), r[1], r[0]))
    key = f"memo {doc[1]}"
    _policy_id(db, Event(key, f"Memo or notice of {_long_date(date.fromisoformat(doc[1]))}", "memo",
                         "establish", None))
    _add_event(db, key, doc[0], "establish")
    _name_memo(db, key, db.execute("select title from documents where id = ?", [doc[0]]).fetchone()[0])
    return date.fromisoformat(doc[1])


def _acts_on_others(db, document_id: int, named: set[str]) -> bool:
    """Whether a document acts on policies (memos aside) and none of them is named: "the June
    2024 action" on Haiti's TPS is not the extension of Ethiopia's published that month."""
    keys = {k for (k,) in db.execute("select p.key from policy_events e join policies p on "
                                     "p.id = e.policy_id where e.document_id = ?", [document_id])
            if not k.startswith("memo ")}
    return bool(keys) and not keys & named


def _latest_day(day: date, month_day: str) -> date | None:
    month, dom = map(int, month_day.split("-"))
    for year in (day.year, day.year - 1):
        try:
            candidate = date(year, month, dom)
        except ValueError:
            continue
        if candidate <= day:
            return candidate
    return None


def _stored_memo(db, document_id: int, day: date, how: str, what: list[str], named: set[str],
                 any_one: bool = False) -> date | None | bool:
    """The date of the one stored memo issued in that year or month, or signed by that person
    (with ``any_one``: whether any is stored)."""
    where, args, signer_about = "", [], []
    if how == "year":
        where, args = "and substr(m.date, 1, 4) = ?", [what[0]]
    elif how == "month":
        where, args = "and substr(m.date, 1, 7) = ?", [what[0]]
    else:  # signer, and maybe a year and what it is about
        if "about" in what:
            signer_about, what = what[what.index("about") + 1:], what[:what.index("about")]
        where = ("and (lower(d.title) like ? or exists (select 1 from statements s where "
                 "s.document_id = d.id and lower(s.text) like ?))")
        args = [f"%{what[0]}%", f"%{what[0]}%"]
        if len(what) > 1:
            where, args = where + " and substr(m.date, 1, 4) = ?", args + [what[1]]
    if what[1:2] == ["rule"]:  # "the 2020 rule": a document that calls itself a rule, in its title,
        # its Federal Register type or the action line that opens a Federal Register text
        where += (" and (lower(d.title) like '%rule%' or lower(d.title) like '%regulation%' "
                  "or d.doc_type in ('Rule', 'Proposed Rule') "
                  "or lower(substr(d.body, 1, 200)) like '%action:%rule%')")
    rows = db.execute(
        "select distinct m.date, m.document_id from policy_events m join policies pm on pm.id = m.policy_id "
        "join documents d on d.id = m.document_id where pm.key like 'memo %' and m.event = 'establish' "
        f"and m.date < ? and m.document_id != ? {where}",
        [day.isoformat(), document_id, *args]).fetchall()
    if any_one:
        return bool(rows)
    if named and rows:
        marks = ",".join("?" * len(named))
        acting = {r[0] for r in db.execute(
            "select e.document_id from policy_events e join policies p on p.id = e.policy_id "
            f"where p.key in ({marks}) and e.document_id in ({','.join('?' * len(rows))})",
            [*named, *(r[1] for r in rows)])}
        on_program = {r[0] for r in rows if r[1] in acting}
        if len(on_program) == 1:
            return date.fromisoformat(on_program.pop())
        if on_program or how == "year":
            return None  # several on the program, or a year with none on it: not sure
    dates = {r[0] for r in rows}
    if len(dates) > 1 and ((what[1:2] == ["about"] and len(what) > 2) or signer_about):
        # "the 2021 guidance that limited arrests", "the Mayorkas memo, the guidelines that narrowed
        # arrests": of that year's or that signer's memos, the one it describes best
        scores = _described(db, [r[1] for r in rows], set((signer_about or what[2:3])[0].split("+")))
        by_date = {d: max(scores[r[1]] for r in rows if r[0] == d) for d in dates}  # reports of one memo
        ranked = sorted(by_date.values(), reverse=True) + [0]
        if ranked[0] >= DESCRIPTION_WORDS and ranked[0] > ranked[1]:
            dates = {d for d, score in by_date.items() if score == ranked[0]}
    if len(dates) > 1 and what[1:2] == ["rule"] and len(what) > 2:
        # "the November 2020 interim final rule on farmworker housing": the one it describes
        scores = _described(db, [r[1] for r in rows], set(what[2].split("+")))
        best = max(scores.values())
        dates = {r[0] for r in rows if scores[r[1]] == best} if best else dates
    if len(dates) > 1 and how in ("year", "month"):
        dates = _closest_in_words(db, document_id, rows, dates)
    return date.fromisoformat(dates.pop()) if len(dates) == 1 else None


def _words_outside_names(db, document_id: int) -> set[str]:
    """A document's content words but those of the programs it names ("Priority Enforcement
    Program" says nothing about enforcement priorities)."""
    text = _document_text(db, document_id)
    for m in mentions(text):
        if m.kind != "memo":
            text = text[:m.start] + " " * (m.end - m.start) + text[m.end:]
    return _words(text)


def _closest_in_words(db, document_id: int, rows: list, dates: set[str]) -> set[str]:
    """Of several memos of the month or year a document names ("the moratorium in an October
    2021 memorandum"), the one whose words the naming document shares most, by ``ACT_MARGIN``
    more than any other (as for an act named by when it was done); else all of them."""
    scores = _described(db, [r[1] for r in rows], _words(_document_text(db, document_id)))
    by_date = {d: max(scores[r[1]] for r in rows if r[0] == d) for d in dates}
    ranked = sorted(by_date.values(), reverse=True) + [0]
    if ranked[0] < ACT_WORDS or ranked[0] < ranked[1] + ACT_MARGIN:
        return dates
    return {d for d, score in by_date.items() if score == ranked[0]}


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
    row = db.execute("select id, aliases from policies where key = ?", [event.key]).fetchone()
    if row:
        known = json.loads(row[1] or "[]")
        if set(event.aliases) - set(known):
            db.execute("update policies set aliases = ? where id = ?",
                       [json.dumps(known + [a for a in event.aliases if a not in known]), row[0]])
        return row[0]
    aliases = next((p["aliases"] for p in catalogue()["policies"] if p["key"] == event.key),
                   list(event.aliases))
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
    """Replace the document's ``reverses`` links by what its events undo; returns how many.

    A program made country by country is undone country by country (its program-wide
    announcement when none of the countries named has one of its own); named without a country, in
    all of them. A notice the document names by its date and undoes ("vacating the
    January 17, 2025 notice that extended ...") is what it reverses, not the policy that
    notice acted on."""
    db.execute("delete from links where relation = 'reverses' and from_document_id = ?",
               [document_id])
    rows = db.execute(
        "select e.policy_id, p.key, e.event, e.statement_id, e.date from policy_events e "
        "join policies p on p.id = e.policy_id where e.document_id = ? "
        "and e.event in ('suspend', 'end', 'reinstate')", [document_id]).fetchall()
    by_country = {program_of(key) for _, key, _, _, _ in rows} - {None}
    targets: dict[int, tuple[int | None, int, str]] = {}  # document -> (statement, its policy, key)
    # Programs of which a country named here has a founding document of its own: the
    # program-wide one (a framework rule) is no stand-in for the other countries'.
    own_found = {program_of(key) for policy_id, key, event, _, day in rows if program_of(key)
                 and _undone(db, policy_id, key, event, day, document_id) is not None}
    notices = set()
    for policy_id, key, event, statement_id, day in rows:
        if key in by_country:
            continue  # the countries it names say which
        candidates = [(policy_id, key)]
        program = program_of(key)
        if program:
            candidates.append(_policy_of(db, program))
        elif key in catalogue()["per_country"]:
            candidates += db.execute("select id, key from policies where key like ?",
                                     [key.replace("%", "") + " %"]).fetchall()
        year = _named_year(db, document_id, statement_id, key)
        if year is None and statement_id is not None:  # "Partial Vacatur of 2024 ... Decision for Haiti"
            year = _named_year(db, document_id, None, key)
        if year is None:  # "the designation extended in 2023", "the 2024 extension ... expires"
            year = _designation_year(db, document_id, key)
        for pid, pkey in (c for c in candidates if c[0] is not None):
            if program and pkey == program and program in own_found:
                break  # other countries named have their own: this one's is not stored
            memo = key.startswith("memo ") and event != "reinstate"
            found = _memo_documents(db, key, document_id) if memo and _names_memos(db, document_id, statement_id) \
                else []  # "the Kelly memos": each of them
            if not found:  # "the May 2, 2017 and March 9, 2018 memoranda": one of each date
                found = [t for t in [_undone(db, pid, pkey, event, day, document_id, year)] if t]
            if found and event in ("suspend", "end") and (not memo or len(found) == 1):
                years = _years_made(db, document_id, statement_id)  # "that it announced in 2022 and 2023"
                for resumed in (pid, *([_policy_of(db, program)[0]] if program and pkey != program else [])):
                    found += [t for t in (_resumptions(db, resumed, found[0][0], day, document_id)
                                          if resumed else []) if not years or _year_of(db, t[0]) in years]
            for target in found:
                targets.setdefault(target[0], (statement_id, target[1], pkey))
                if memo:
                    notices.add(target[0])
            if found:
                if program:
                    break  # the country's own, before the program-wide one
    # A notice that itself ended or suspended a policy this document ends or suspends too
    # is replaced, not undone ("again terminated MPP; it supersedes the June 1 memorandum"):
    # the link goes to what the policy's end undoes.
    ours = {key for _, key, event, _, _ in rows if event in ("suspend", "end") and not key.startswith("memo ")}
    back = {key for _, key, event, _, _ in rows if event == "reinstate"}
    for notice in sorted(notices):
        undone_here = back and db.execute(  # it brings back what the notice ended: undone
            "select 1 from policy_events e join policies p on p.id = e.policy_id where e.document_id = ? "
            f"and e.event in ('suspend', 'end') and p.key in ({','.join('?' * len(back))}) limit 1",
            [notice, *back]).fetchone()
        if ours and not undone_here and db.execute(
                "select 1 from policy_events e join policies p on p.id = e.policy_id where e.document_id = ? "
                f"and e.event in ('suspend', 'end') and p.key in ({','.join('?' * len(ours))}) limit 1",
                [notice, *ours]).fetchone():
            notices.discard(notice)
            if targets.get(notice, (None, None, ""))[2].startswith("memo "):
                del targets[notice]
    acted_on = {r[0] for r in db.execute(
        f"select distinct p.key from policy_events e join policies p on p.id = e.policy_id "
        f"where e.document_id in ({','.join('?' * len(notices))})", list(notices))} if notices else set()
    added = 0
    for to_document, (statement_id, to_statement, key) in targets.items():
        if notices and to_document not in notices and key in acted_on:
            continue  # the notice undone, not what it acted on
        added += db.execute(
            "insert into links (from_document_id, from_statement_id, to_document_id,"
            " to_statement_id, relation, score, created_at) values (?, ?, ?, ?, 'reverses', 1.0, ?)",
            [document_id, statement_id, to_document, to_statement, now]).rowcount
    return added


def _policy_of(db, key: str) -> tuple[int | None, str]:
    row = db.execute("select id from policies where key = ?", [key]).fetchone()
    return (row[0] if row else None), key


def _named_year(db, document_id: int, statement_id: int | None, key: str) -> str | None:
    """The year a reversal gives the thing it undoes: "the 2023 designation of Venezuela"."""
    if key.startswith("memo "):
        return None
    if statement_id is None:
        row = db.execute("select title from documents where id = ?", [document_id]).fetchone()
    else:
        row = db.execute("select text from statements where id = ?", [statement_id]).fetchone()
    text = (row[0] if row else None) or ""
    named = mentions(text)
    lowered = text.lower()
    for m in named:  # a memo's date is its name, not a year of this policy
        if m.kind == "memo":
            lowered = lowered[:m.start] + " " * (m.end - m.start) + lowered[m.end:]
    for mention in named + tps_mentions(text, True, named):
        if mention.key == key:
            found = _YEAR_BEFORE.search(lowered[max(0, mention.start - 80):mention.start])
            if found:
                return found[1]
    return None


#: "the 2024 extension and redesignation", "the designation extended in 2023": the year of the
#: TPS decision a termination undoes, said without the country's name.
_DESIGNATION_YEAR = re.compile(
    r"\bthe ((?:19|20)\d\d) (?:extension|designation|redesignation)s?\b|"
    r"\bthe (?:designation|extension|redesignation)s? (?:\w+ )?(?:made|extended|redesignated|issued|announced|"
    r"granted) in ((?:19|20)\d\d)\b")


def _designation_year(db, document_id: int, key: str) -> str | None:
    """The one year a TPS termination gives the decision it undoes in a sentence that names no
    other policy (the country may be named in another sentence or the headline)."""
    if not key.startswith("tps "):
        return None
    texts = _headline_and_statements(db, document_id)
    years = set()
    for text in texts:
        named = mentions(text)
        if any(m.key != key for m in named + tps_mentions(text, True, named) if m.kind != "memo"):
            continue  # another policy's year, perhaps
        years |= {m[1] or m[2] for m in _DESIGNATION_YEAR.finditer(text.lower())}
    return years.pop() if len(years) == 1 else None


#: Two reports of one act (a DHS release and a news story) are days apart at most.
REPORT_DAYS = 7


#: Memos named in the plural: "the Kelly memos of February 2017", "the November 2014 memoranda".
_PLURAL_MEMOS = re.compile(r"\b(?:memoranda|memorandums|memos|directives)\b")


def _names_memos(db, document_id: int, statement_id: int | None) -> bool:
    """Whether the reversing statement (or headline) names memos in the plural."""
    if statement_id is None:
        row = db.execute("select title from documents where id = ?", [document_id]).fetchone()
    else:
        row = db.execute("select text from statements where id = ?", [statement_id]).fetchone()
    return bool(_PLURAL_MEMOS.search(((row[0] if row else None) or "").lower()))


def _memo_documents(db, key: str, document_id: int) -> list[tuple[int, int | None]]:
    """Every stored memo of that date (give or take ``MEMO_DAYS``, the closest day first)
    that the naming document's description fits ("the November 2014 memoranda on
    enforcement priorities"; all of them when it gives none): memos named in the plural
    are undone together. One document per event (several reports of one memo)."""
    day = date.fromisoformat(key.split()[1])
    low, high = (day - timedelta(days=MEMO_DAYS)).isoformat(), (day + timedelta(days=MEMO_DAYS)).isoformat()
    rows = db.execute(
        "select e.document_id, e.statement_id, d.source, abs(julianday(e.date) - julianday(?)), d.event_id "
        "from policy_events e join policies p on p.id = e.policy_id join documents d on d.id = e.document_id "
        "where e.document_id != ? and e.date between ? and ? and p.key like 'memo %' "
        "and e.event = 'establish' order by e.document_id",
        [day.isoformat(), document_id, low, high]).fetchall()
    if not rows:
        return []
    closest = min(r[3] for r in rows)
    rows = [r for r in rows if r[3] == closest]
    description, policies = _memo_description(db, document_id, day)
    if policies:  # "the memoranda that created DAPA": those that acted on it
        acting = {r[0] for r in db.execute(
            "select distinct e.document_id from policy_events e join policies p on p.id = e.policy_id "
            f"where p.key in ({','.join('?' * len(policies))})", list(policies))}
        rows = [r for r in rows if r[0] in acting]
    elif description:
        scores = _described(db, [r[0] for r in rows], description)
        if not any(scores.values()):
            return []  # a description none of them fits: not these
        # "the March 2019 directives on courthouse arrests and detainers": each its part
        wide = _described(db, [r[0] for r in rows], _memo_description(db, document_id, day, lists=True)[0])
        rows = [r for r in rows if scores[r[0]] or wide[r[0]]]
    chosen: dict = {}
    for r in sorted(rows, key=lambda r: (r[2] == BASELINE_SOURCE, _news_story(r[2]), r[0])):
        chosen.setdefault(r[4] if r[4] is not None else ("doc", r[0]), (r[0], r[1]))
    return list(chosen.values())


def _undone(db, policy_id: int, key: str, event: str, day: str | None, document_id: int,
            year: str | None = None) -> tuple[int, int | None] | None:
    """(document, statement) that a suspension, end or reinstatement undoes, if stored."""
    if not day:
        return None
    if key.startswith("memo ") and event != "reinstate":
        return _memo_document(db, key, document_id)
    if event == "suspend" and key in _deadlines():
        return _last_postponement(db, policy_id, day, document_id)
    earlier = _earlier_events(db, policy_id, day, document_id)
    this_day = date.fromisoformat(day[:10])
    recent = {i for i, row in enumerate(earlier) if _days(row[3], this_day) <= REPORT_DAYS}
    if event == "reinstate":
        for i in reversed(range(len(earlier))):
            kind = earlier[i][2]
            if kind == "reinstate" and i not in recent:
                return None  # the last termination was undone already (not another report of this)
            if kind in ("end", "suspend"):
                last = date.fromisoformat(earlier[i][3][:10])
                return _first([row for row in earlier[:i + 1] if row[2] in ("end", "suspend")
                               and _days(row[3], last) <= REPORT_DAYS])
        return None
    earlier = _without_court_ordered(db, earlier)
    if year:  # the reversal says which: "the 2023 designation"
        named = [row for row in earlier if row[2] in ("establish", "reinstate", "extend")
                 and row[3][:4] == year]
        named = [row for row in named if row[2] != "extend"] or named
        if named:
            return _first(named)
        if key.startswith("tps "):
            return None  # "terminates the 2023 designation", none of 2023 stored: not the 2021 one
    ends = [i for i, row in enumerate(earlier) if row[2] == "end" and i not in recent
            and not _undoes_an_extension(db, row[0], policy_id) and not _partly(db, row)]
    life = earlier[ends[-1] + 1:] if ends else earlier
    # After an end, a program lives again when it is reinstated; a country's TPS by a new
    # designation too. A later "announces ... DACA" (a fee, a form) is not a new life.
    again = ("establish", "reinstate") if not ends or key.startswith("tps ") else ("reinstate",)
    starts = [row for row in life if row[2] in again] or \
             [row for row in earlier if row[2] == "establish"]
    if starts:
        return _first(starts)
    # Founded before the history began: the last extension stored is what kept it alive
    # ("does not renew X when the extension granted in 2016 runs out"), if recent enough to
    # be the one in force (not a 2015 extension of a designation ended in 2025).
    extended = [row for row in life if row[2] == "extend"
                and REPORT_DAYS < _days(row[3], this_day) <= EXTENSION_DAYS]
    if not extended:
        return None
    last = date.fromisoformat(extended[-1][3][:10])
    return _first([row for row in extended if _days(row[3], last) <= REPORT_DAYS])  # its reports


def _earlier_events(db, policy_id: int, day: str, document_id: int, event: str | None = None) -> list[tuple]:
    """The policy's events that other documents stored before ``day`` (only ``event`` ones if
    given), oldest first: (document, statement, event, date, source, title)."""
    return db.execute(
        "select e.document_id, e.statement_id, e.event, e.date, d.source, d.title from policy_events e "
        "join documents d on d.id = e.document_id where e.policy_id = ? and e.date < ? "
        "and e.document_id != ? and (? is null or e.event = ?) order by e.date, e.document_id",
        [policy_id, day, document_id, event, event]).fetchall()


def _deadlines() -> set[str]:
    """Keys of the policies that are a date things must be done by (``deadline = true``)."""
    return {p["key"] for p in catalogue()["policies"] if p.get("deadline")}


def _last_postponement(db, policy_id: int, day: str, document_id: int) -> tuple[int, int | None] | None:
    """What a further postponement of a deadline undoes: the postponement before it (which set
    the date now put off), one act however many reports; none stored, no link."""
    earlier = _earlier_events(db, policy_id, day, document_id, "suspend")
    this_day = date.fromisoformat(day[:10])
    earlier = [row for row in earlier if _days(row[3], this_day) > REPORT_DAYS]  # not this act's reports
    if not earlier:
        return None
    last = date.fromisoformat(earlier[-1][3][:10])
    return _first([row for row in earlier if _days(row[3], last) <= REPORT_DAYS])


#: "the processes that it announced in 2022 and 2023": the years of what a reversal undoes.
_MADE_IN = re.compile(r"\b(?:announced|established|created|launched|issued|designated|began|begun|started|"
                      r"introduced|opened|made)\s+in\s+((?:19|20)\d\d)((?:\s*(?:,|and|,\s*and)\s*(?:19|20)\d\d)*)")


def _years_made(db, document_id: int, statement_id: int | None) -> set[str]:
    if statement_id is None:
        row = db.execute("select title from documents where id = ?", [document_id]).fetchone()
    else:
        row = db.execute("select text from statements where id = ?", [statement_id]).fetchone()
    return {y for m in _MADE_IN.finditer(((row[0] if row else None) or "").lower())
            for y in re.findall(r"(?:19|20)\d\d", m.group())}


def _year_of(db, document_id: int) -> str:
    row = db.execute("select coalesce(published, first_seen) from documents where id = ?",
                     [document_id]).fetchone()
    return ((row[0] if row else None) or "")[:4]


def _resumptions(db, policy_id: int, since_document: int, day: str | None, document_id: int
                 ) -> list[tuple[int, int | None]]:
    """The reinstatements of the policy after the document that established its current
    life and before ``day`` (a resumption after a pause: the end undoes it too), one per
    act; not one a court ordered, nor another report of this act or of that document's."""
    if not day:
        return []
    since = db.execute("select coalesce(published, first_seen) from documents where id = ?",
                       [since_document]).fetchone()
    rows = db.execute(
        "select e.document_id, e.statement_id, e.event, e.date, d.source, d.title from policy_events e "
        "join documents d on d.id = e.document_id where e.policy_id = ? and e.date < ? and e.date > ? "
        "and e.document_id not in (?, ?) order by e.date, e.document_id",
        [policy_id, day, (since[0] or "")[:10] if since else "", document_id, since_document]).fetchall()
    this_day = date.fromisoformat(day[:10])
    start = date.fromisoformat((since[0] or day)[:10]) if since else this_day
    rows = [r for r in _without_court_ordered(db, rows) if r[2] == "reinstate"
            and _days(r[3], this_day) > REPORT_DAYS and _days(r[3], start) > REPORT_DAYS]
    found = []
    while rows:
        first = _first(rows)
        found.append(first)
        start = date.fromisoformat(next(r[3] for r in rows if r[0] == first[0])[:10])
        rows = [r for r in rows if _days(r[3], start) > REPORT_DAYS]
    return found


def _undoes_an_extension(db, document_id: int, policy_id: int) -> bool:
    """Whether the document ends or suspends a notice, named by its date, that extended
    the policy ("vacating the July 1, 2024 notice that extended ..."): it undoes that
    notice, and the policy lives on from what established it."""
    return db.execute(
        "select 1 from policy_events e join policies p on p.id = e.policy_id "
        "join policy_events m on m.policy_id = e.policy_id and m.event = 'establish' "
        "join policy_events x on x.document_id = m.document_id and x.policy_id = ? and x.event = 'extend' "
        "where e.document_id = ? and p.key like 'memo %' and e.event in ('end', 'suspend') limit 1",
        [policy_id, document_id]).fetchone() is not None


#: "Partial vacatur of ...", "partially rescinds": the policy goes on, shortened or narrowed.
_PARTLY = re.compile(r"\bpartial(?:ly)? (?:vacat|rescin|rescission|terminat|withdr|revo)\w*")


def _partly(db, row) -> bool:
    """Whether the end an event row records is only in part (its headline or statement says so)."""
    said = [r[0] for r in db.execute("select text from statements where id = ?", [row[1]])] \
        if row[1] is not None else []
    return any(_PARTLY.search((text or "").lower()) for text in [row[5], *said])


#: A reinstatement the agency makes because a court made it: "court-ordered reimplementation".
_COURT_ORDERED = re.compile(
    r"\bcourt[- ]ordered\b|\b(?:under|pursuant to|in compliance with|(?:to )?comply(?:ing)? with|"
    r"as required by) (?:a |an |the )?(?:[\w'’-]+ ){0,3}?(?:court(?:'s|’s)? (?:order|ruling)|injunction|"
    r"judge(?:'s|’s)? order)|\bordered by (?:a |the )?(?:[\w-]+ ){0,2}?(?:court|judge)")


def _without_court_ordered(db, earlier: list) -> list:
    """The events without a reinstatement a court ordered and the end it undid: the policy
    lives on from what established it ("ending the court-ordered implementation of MPP"
    undoes the announcement of MPP, not the court's)."""
    kept = list(earlier)
    for row in earlier:
        if row[2] != "reinstate":
            continue
        texts = [row[5] or ""]
        if row[1] is not None:
            texts += [r[0] for r in db.execute("select text from statements where id = ?", [row[1]])]
        if not any(_COURT_ORDERED.search(t.lower()) for t in texts):
            continue
        i = kept.index(row)
        undone = [j for j in range(i) if kept[j][2] in ("end", "suspend")]
        kept = [r for j, r in enumerate(kept) if j != i and j not in undone[-1:]]
    return kept


def _days(day: str, other: date) -> int:
    return abs((other - date.fromisoformat(day[:10])).days)


def _news_story(source: str | None) -> bool:
    """A third party's story, ranked after the agency's own release of the same act: the
    sources named "news" or "news-..." (feeds/news.toml names its feeds so), not a
    "newsroom" of the department."""
    return source == "news" or (source or "").startswith("news-")


def _first(rows: list) -> tuple[int, int | None]:
    """The document of the first act among these events, oldest first: of its reports
    (days apart at most), an agency's own before a news story and a baseline article."""
    first = date.fromisoformat(rows[0][3][:10])
    reports = [row for row in rows if _days(row[3], first) <= REPORT_DAYS]
    best = min(reports, key=lambda r: (r[4] == BASELINE_SOURCE, _news_story(r[4]),
                                       r[3], r[0]))
    return best[0], best[1]


#: Where the words describing a memo named by its date stop: "the November 20, 2014
#: memorandum on priorities and ...", "its July 6 directive, which ...".
_DESCRIPTION_END = re.compile(r"[.;,:]|\s(?:and|but|while|after|before|because)\s")
#: ...the same through a list ("on courthouse arrests and detainers"), for memos in the plural.
_LIST_END = re.compile(r"[.;:]|\s(?:but|while|after|before|because)\s")
_ASIDE = re.compile(r"\([^()]*\)")  # "(84 FR 35409)": a citation between the name and its description
#: Words that tell no memo from another.
_PLAIN = {"that", "this", "these", "those", "which", "would", "could", "should", "have", "been",
          "were", "with", "from", "into", "their", "there", "they", "about", "under", "over",
          "issued", "signed", "dated", "memo", "memorandum", "memoranda", "notice", "guidance",
          "directive", "policy", "department", "homeland", "security", "secretary", "agency",
          "will", "also", "more", "than", "when", "what", "other", "only", "such", "said", "says",
          "today", "year", "month", "week", "immigration", "border", "customs", "citizenship",
          "service", "protection", "united", "states", "federal", "government", "people", "program",
          "process", "release", "statement", "announced", "nation", "country",
          # a memo's date is its name, not its description
          "january", "february", "march", "april", "june", "july", "august", "september", "october",
          "november", "december"}


def _described_after(lowered: str, end: int) -> str:
    """What the words after a mention say it is about ("the 2021 guidance that limited
    arrests at courthouses"), up to where the description ends, as a key part."""
    cut = _DESCRIPTION_END.search(lowered, end, end + 100)
    return "+".join(sorted(_words(lowered[end:cut.start() if cut else end + 100])))


def _words(text: str) -> set[str]:
    """Content words, a plural's ``s`` dropped ("students" is "student")."""
    return {w.removesuffix("s") for w in re.findall(r"[a-z]{4,}", text.lower())} - \
        {w.removesuffix("s") for w in _PLAIN}


def _memo_description(db, document_id: int, day: date, lists: bool = False
                      ) -> tuple[set[str], set[str]]:
    """The words a document uses to describe the memo of ``day`` it names by its date
    ("the November 20, 2014 memorandum on priorities", "the July 6 broadcast message on
    online study"): what follows the name, to the end of its phrase; and the keys of the
    policies named there ("the memorandum that created DAPA")."""
    keys = {f"memo {day}", f"memo day {day:%m-%d}", f"memo month {day:%Y-%m}"}
    texts = _headline_and_statements(db, document_id)
    words: set[str] = set()
    policies: set[str] = set()
    for text in texts:
        named = mentions(text)
        text = _ASIDE.sub(lambda a: " " * len(a.group()), text)
        for m in named:
            if m.key in keys:
                cut = (_LIST_END if lists else _DESCRIPTION_END).search(text, m.end, m.end + 160)
                end = cut.start() if cut else min(len(text), m.end + 160)
                words |= _words(text[m.end:end])
                # "the November 20, 2014 enforcement priorities memorandum": the words between its
                # date and its noun describe it too
                if dated := _DATE_RE.search(text.lower(), m.start, m.end):
                    words |= _words(text[dated.end():m.end]) - _KIND_WORDS
                policies |= {o.key for o in named if o.kind != "memo" and m.end <= o.start < end
                             and not (o.key.startswith("rule ") and _TITLED.fullmatch(text, m.end, o.start))}
    return words, policies


#: Words between a memo's date and its noun that say what kind of document it is, not what about.
_KIND_WORDS = {"interim", "final", "rule", "rulemaking", "proposed", "temporary", "policy"}
#: Between a memo's name and its quoted title: "the 2014 memorandum “Policies for ...”", "entitled".
_TITLED = re.compile(r"\W*(?:(?:en)?titled|called|named)?\W*")


def _described(db, candidates: list[int], description: set[str]) -> dict[int, int]:
    """Candidate document -> how many of the description's words its title and text have."""
    return {doc: len(description & _words(_document_text(db, doc))) for doc in dict.fromkeys(candidates)}


def _headline_and_statements(db, document_id: int) -> list[str]:
    """A stored document's title and its current statements, each read on its own."""
    texts = [r[0] or "" for r in db.execute("select title from documents where id = ?", [document_id])]
    return texts + [r[0] for r in db.execute(
        "select text from statements where document_id = ? and last_seen_version = "
        "(select version from documents where id = ?)", [document_id, document_id])]


def _document_text(db, document_id: int) -> str:
    """A stored document's title and body, as its words are read."""
    row = db.execute("select coalesce(title, '') || ' ' || coalesce(body, '') from documents "
                     "where id = ?", [document_id]).fetchone()
    return row[0] if row else ""


#: A memo the history did not know as one is found by its description when it shares at
#: least this many words with one document of that day (and more than with any other).
DESCRIPTION_WORDS = 2


def _memo_document(db, key: str, document_id: int) -> tuple[int, int | None] | None:
    """The stored document that issued the memo or notice of that date: of several, the one
    the naming document describes ("the memorandum on priorities"); else one that acts on a
    policy the naming document also acts on, else the one that says it issued a memo then
    (several that are not reports of one event: no link). When no stored document says it
    issued a memo then, an agency's release of that day that the description fits (at
    least ``DESCRIPTION_WORDS`` of its words, more than any other's): the directive a
    release announced without calling it one."""
    day = date.fromisoformat(key.split()[1])
    low, high = (day - timedelta(days=MEMO_DAYS)).isoformat(), (day + timedelta(days=MEMO_DAYS)).isoformat()
    rows = db.execute(
        "select e.document_id, e.statement_id, d.source, abs(julianday(e.date) - julianday(?)), "
        "  p.key like 'memo %' and e.event = 'establish', d.event_id "
        "from policy_events e join policies p on p.id = e.policy_id "
        "join documents d on d.id = e.document_id "
        "where e.document_id != ? and e.date between ? and ? and ("
        "  (p.key like 'memo %' and e.event = 'establish') or e.policy_id in ("
        "    select policy_id from policy_events where document_id = ?)) "
        "order by e.document_id", [day.isoformat(), document_id, low, high, document_id]).fetchall()
    rows = [r for r in rows if r[2] != BASELINE_SOURCE] or rows  # the crawled one before a baseline article
    if not rows:  # "the January 10, 2025 decision", published in a notice of January 17
        rows = _published_later(db, document_id, day)
    description, policies = _memo_description(db, document_id, day)
    if not rows and description:  # not recorded as a memo: a later text must describe it too
        return _described_release(db, document_id, day, low, high, description)
    fallback = False
    if policies:  # "the memorandum that created DAPA": one that acted on DAPA
        acting = {r[0] for r in db.execute(
            "select distinct e.document_id from policy_events e join policies p on p.id = e.policy_id "
            f"where p.key in ({','.join('?' * len(policies))})", list(policies))}
        fallback = not any(r[0] in acting for r in rows)  # none did: what the description says
        rows = [r for r in rows if r[0] in acting] or rows
        if fallback and not description:
            return None
    if not fallback and (policies or len({r[0] for r in rows}) == 1):
        pass  # the memos that acted on what the description names, or the only one
    elif not rows and description:  # not recorded as a memo: a later text must describe it too
        return _described_release(db, document_id, day, low, high, description)
    elif description:
        scores = _described(db, [r[0] for r in rows], description)
        best = max(scores.values())
        if best and sum(1 for v in scores.values() if v == best) == 1 and \
                (not fallback or best >= DESCRIPTION_WORDS):
            rows = [r for r in rows if scores[r[0]] == best]  # "the memorandum on priorities"
        elif fallback:
            return None
    shared = [r for r in rows if not r[4]]
    if not shared:
        closest = min((r[3] for r in rows), default=0)
        rows = [r for r in rows if r[3] == closest]  # the memo of that very day, if there is one
        events = {r[5] if r[5] is not None else r[0] for r in rows}
        if len(events) != 1:
            return None  # none, or several memos of those days and nothing to tell them apart
    best = min(shared or rows, key=lambda r: (r[2] == BASELINE_SOURCE, r[3], r[0]))
    _name_memo(db, key, db.execute("select title from documents where id = ?",
                                   [best[0]]).fetchone()[0])
    db.execute("insert or ignore into policy_events (policy_id, document_id, statement_id, event, date)"
               " select id, ?, ?, 'establish', ? from policies where key = ?",
               [best[0], best[1], day.isoformat(), key])
    return best[0], best[1]


#: A decision named by its date is published in a notice up to this many days later.
NOTICE_DAYS = 21


def _published_later(db, document_id: int, day: date) -> list:
    """The one notice published within ``NOTICE_DAYS`` after ``day`` (before the naming
    document) that acts on a policy the naming document acts on too: a decision named by the
    day it was made ("the January 10 decision") in the notice that published it. Rows as
    ``_memo_document`` reads them; none when several acts fit."""
    rows = db.execute(
        "select distinct m.document_id, m.statement_id, d.source, julianday(m.date) - julianday(?), 1, d.event_id "
        "from policy_events m join policies pm on pm.id = m.policy_id join documents d on d.id = m.document_id "
        "where pm.key like 'memo %' and m.event = 'establish' and m.document_id != ? and m.date > ? "
        "and m.date <= ? and m.date < (select substr(coalesce(published, first_seen), 1, 10) from documents "
        "  where id = ?) and exists (select 1 from policy_events e join policies p on p.id = e.policy_id "
        "  where e.document_id = m.document_id and p.key not like 'memo %' and e.policy_id in "
        "    (select policy_id from policy_events where document_id = ?))",
        [day.isoformat(), document_id, (day + timedelta(days=MEMO_DAYS)).isoformat(),
         (day + timedelta(days=NOTICE_DAYS)).isoformat(), document_id, document_id]).fetchall()
    return rows if len({r[5] if r[5] is not None else r[0] for r in rows}) == 1 else []


def _described_release(db, document_id: int, day: date, low: str, high: str,
                       description: set[str]) -> tuple[int, None] | None:
    """The one release of those days (an agency's, not a news story or a baseline article)
    that the description fits best, if it fits well enough."""
    releases = db.execute(
        "select id, source, abs(julianday(coalesce(published, first_seen)) - julianday(?)), event_id "
        "from documents where id != ? and substr(coalesce(published, first_seen), 1, 10) between ? and ? "
        "and source != ?",
        [day.isoformat(), document_id, low, high, BASELINE_SOURCE]).fetchall()
    releases = [r for r in releases if not _news_story(r[1])]
    scores = _described(db, [r[0] for r in releases], description)
    best = max(scores.values(), default=0)
    fits = [r for r in releases if scores[r[0]] == best]
    if best < DESCRIPTION_WORDS or len(fits) != 1:
        return None
    return fits[0][0], None


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


def _parse_date(text: str) -> date | None:
    """"June 15, 2012", "Sept. 5, 2017" -> a date."""
    m = re.match(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", " ".join(text.lower().split()))
    if not m or m[1][:3] not in _MONTHS:
        return None
    try:
        return date(int(m[3]), _MONTHS.index(m[1][:3]) + 1, int(m[2]))
    except ValueError:
        return None


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None

"""Whether an ending a release speaks of is the release's own act.

A reversal is news only when the department or one of its components ends, suspends or
restores something now. Most texts that merely mention an ending do not announce one:
the ending is the setting of other news ("as Title 42 ends", "five years after the
rescission"), another actor's act (a court, a country, a county, a bank), a single
office's or system's interruption, or history ("had been ended"). Where the evidence
lives is the same whatever the wording: the words before the ending verb, in its
clause, name who acts and whether the ending is a circumstance. ``ending_is_own``
reads them; the model labels a document a reversal only when its headline or lead
holds such an ending (``model._announced_reversal``).
"""

from __future__ import annotations

import re

from monitor.classify.cues import STATES

#: Cues (``cues.CUES``) whose match is an ending (or a return) in the statement itself.
ENDING_CUES = ("end_verb", "soft_end_verb", "end_policy", "no_longer", "stop_defending",
               "reinstate", "reverse_word", "walk_back")
#: The headline's own ending cue (``cues.TITLE_CUES``); statements read it as context only.
TITLE_ENDING_CUE = "title_ending"

#: A subordinating word shortly before the ending: the ending is a circumstance of other news.
_SETTING = re.compile(r"\b(?:as|after|since|following|amid|before|until|once|when|upon|ahead of|"
                      r"if|unless|whether|in the wake of|years? after|months? after)\s+(?:[\w'’.-]+\s+){0,6}$|"
                      # "with the order set to expire": a lapse on its date is the setting, no act.
                      r"\bwith\s+(?:[\w'’.-]+\s+){0,8}?(?:set|due|scheduled|poised|about) to\s+$")
#: ... unless the department itself acts within that span ("after review, DHS will end").
_DEPARTMENT_ACTS = re.compile(r"\b(?:dhs|the department|uscis|ice|cbp|tsa|fema|the secretary|secretary)\b"
                              r"(?:\s+[\w'’-]+){0,2}?\s+(?:will|shall|is|are|has|to|announc\w*|decided)\b")
#: An ending as what someone may, tries or is kept from doing, not what is done: "the
#: authority to terminate", "efforts to end", "blocked the administration from ending".
_POSSIBILITY = re.compile(r"\b(?:authority|power|right|ability|efforts?|attempts?|bid|push|fight|"
                          r"tried|trying|sought|seeking|seeks|wants?|wanted|lets?|allow\w*) to (?:\w+ )?$|"
                          # Working on it with someone, or a bill that would do it, is not doing it.
                          r"\b(?:working|works?|worked|negotiat\w*|hop(?:e|es|ed|ing)|aim(?:s|ed|ing)?) "
                          r"(?:with (?:[\w'’.-]+ ){1,4}?)?to (?:\w+ )?$|"
                          r"\b(?:bills?|amendments?|legislation|measures?|resolutions?)\b(?: [\w'’.-]+){0,12}? "
                          r"(?:that would|which would|would|to) (?:\w+ )?$|"
                          r"\b(?:block\w*|barr?\w*|prevent\w*|stop\w*|kept|keeps?|keeping|enjoin\w*) (?:[\w'’.-]+ ){0,4}?"
                          r"from (?:\w+ )?$|"
                          r"\b(?:block\w*|challeng\w*|fight\w*|oppos\w*|decr(?:y|ies|ied)|condemn\w*|protest\w*|"
                          r"appeal\w*|sue\w* over) (?:the |its |this |that )?(?:[\w'’-]+ )?$|"
                          # Pressing someone to do it is not doing it: "seeking to force the administration to reinstate".
                          r"\b(?:forc\w*|compel\w*|press\w*|push\w*|urg\w*|ask\w*|petition\w*) (?:[\w'’.-]+ ){1,5}?to (?:\w+ )?$|"
                          # A claim about it is no act: "arguing that suspending the program ...".
                          r"\b(?:argu\w*|claim\w*|alleg\w*|contend\w*|assert\w*) (?:that )?(?:[\w'’.-]+ ){0,3}?$")
#: An ending named as a noun after a preposition is mentioned, not done: "the way for the
#: terminations", "a lawsuit over the rescission".
_ENDING_NOUN = re.compile(r"(?:terminations?|rescissions?|revocations?|suspensions?|withdrawals?|repeal|"
                          r"expiration|cancellations?|(?:the |an )?end (?:of|to))\b")
_PREPOSITION = re.compile(r"\b(?:for|of|against|about|over|on|to|with|from|by|after|before)\s+"
                          r"(?:the |its |this |that |a )?(?:[\w'’-]+ )?$")
#: Cues saying what ends is no policy (a pursuit, a search, a service outage), or that
#: nothing ends (a denial): the statement's endings announce nothing.
NOT_POLICY_CUES = ("event_concluded", "search_suspended", "service_disruption", "denial")
#: "Forms that no longer require paper filing": a state of what is named, no act.
_DESCRIPTION = re.compile(r"\b(?:that|which|who|where \w+|whose \w+)\s+$")
#: ... but reported speech shifts today's act back a tense: "CISA said it had paused ...".
_REPORTED = re.compile(r"\b(?:said|says|announced|confirmed|told \w+)\s+(?:\w+\s+)?(?:that\s+)?(?:it|they)\s+had\s+(?:\w+\s+)?$")
#: History: "had ended", "was rescinded".
_PAST_PERFECT = re.compile(r"\b(?:had|was|were) (?:been )?(?:\w+ )?$")

#: Who acts, as the last actor named before the ending verb in its clause. Department
#: actors; then other governments, courts, legislatures, companies and single places
#: (an office, a port, a system) whose interruption is no policy's.
_DEPARTMENT = (r"dhs|homeland security|the department|department['’]s|secretary|uscis|ice|cbp|tsa|fema|"
               r"coast guard|cisa|border patrol|sevp|the agency|agency|agencies|administration|we|officials?|"
               r"federal government|(?:the )?united states|u\.s\.")
#: The states by name ("Texas ends its busing program"): a state's act is no DHS policy.
_OTHER = (r"courts?|judges?|justices|congress|senate|the house|lawmakers|legislat\w+|states?|count(?:y|ies)|"
          r"city|cities|governors?|mayors?|sheriffs?|ministry|authorities|"
          r"(?:(?!(?:the|federal|our|us|u\.s\.|united|states|national)\b)[\w'’.-]+ )government|countr(?:y|ies)|nations?|"
          r"canada|mexico|guatemala|honduras|el salvador|cuba|haiti|venezuela|colombia|panama|ecuador|brazil|"
          r"china|india|the un|united nations|banks?|compan(?:y|ies)|contractors?|airlines?|carriers?|cruise lines?|"
          r"universit(?:y|ies)|schools?|unions?|employers?|shelters?|operators?|advocates?|critics?|activists?|"
          r"groups?|protesters?|lawyers?|attorneys?|plaintiffs?|leaders?|" + STATES + "|"
          r"field office|offices?|ports?(?: of entry)?|airports?|checkpoints?|terminals?|(?:service|support) centers?|"
          r"ferry|bridges?|crossings|lanes|systems?|websites?|accounts?|access|term")
_ACTOR = re.compile(rf"\b(?:(?P<department>{_DEPARTMENT})|(?P<other>{_OTHER}))\b")
#: A preposition before an actor makes it an object, not who acts ("TPS for Honduras").
_OBJECT = re.compile(r"\b(?:for|of|in|to|with|from|on|at|about|into|under|across|along|near|against|between|"
                     r"toward|towards|over)\s+(?:the\s+)?$")
_CLAUSE_BREAK = re.compile(r"[,;:—–()]|\s-\s")


def ending_is_own(text: str, found: dict[str, str], headline: bool) -> tuple[bool, str]:
    """Whether ``text`` (with its cues ``found``) holds an ending that is its speaker's
    own act now, and if not, why not (the reason of its first ending)."""
    lowered = text.lower()
    if not_policy := next((cue for cue in NOT_POLICY_CUES if cue in found), None):
        return False, not_policy
    cues = ENDING_CUES + ((TITLE_ENDING_CUE,) if headline else ())
    reason = "no ending of its own"
    for cue in cues:
        phrase = found.get(cue)
        if not phrase:
            continue
        at = lowered.find(phrase.lower())
        if at < 0:
            continue
        why = _not_own(lowered[:at]) or _done_by_other(lowered[at + len(phrase):])
        if not why and cue == "no_longer" and _DESCRIPTION.search(lowered[:at]):
            why = "description"
        if not why and _ENDING_NOUN.match(lowered, at) and _PREPOSITION.search(lowered[:at]):
            why = "mention"
        if not why:
            return True, ""
        reason = why
    return False, reason


#: An ending done by someone named after it: "the 2019 rule, vacated by a court".
_BY_AGENT = re.compile(r"\s*by (?:a |an |the )?(?:[\w'’.-]+ ){0,2}?(?:court|courts|judge|judges|congress|lawmakers|"
                       r"legislature|state|states|governor)\b")
#: A court's order or ruling right before the ending does it: "Court Order Delaying TPS Terminations".
_COURT_ACTS = re.compile(r"\b(?:court|judge|judge['’]s|ruling|injunction)(?: order| ruling| decision)?\s+"
                         r"(?:(?!dhs|uscis|ice|cbp|tsa|fema|the department|secretary|we)[\w'’-]+\s+){0,3}$")


def _done_by_other(after: str) -> str:
    """Why an ending followed by ``after`` is another actor's ('' if not)."""
    return "other actor" if _BY_AGENT.match(after) else ""


def _not_own(before: str) -> str:
    """Why an ending preceded by ``before`` is not the speaker's act now ('' if it is)."""
    clause = _CLAUSE_BREAK.split(before)[-1]
    if (setting := _SETTING.search(clause)) and not _DEPARTMENT_ACTS.search(setting.group(0)):
        return "setting"
    if _PAST_PERFECT.search(clause) and not _REPORTED.search(clause):
        return "history"
    if _POSSIBILITY.search(clause):
        return "possibility"
    if _COURT_ACTS.search(clause):
        return "other actor"
    actors = [a for a in _ACTOR.finditer(clause) if not _OBJECT.search(clause, 0, a.start())]
    if actors and actors[-1].group("other"):
        return "other actor"
    return ""

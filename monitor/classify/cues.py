"""Linguistic cues: which phrases of a statement are evidence of a label, found fast.

Each cue is one yes/no feature of a statement (``cue_matches``); ``features`` turns
them into the rows the model weighs. Needles, found per word through a four-byte gate
and remembered, rule out most cues before any regex is tried."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import chain
from functools import lru_cache

import numpy as np


_MONTHS = ("january february march april may june july august september october "
           "november december").split()
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_DAY = "(?:" + "|".join(_DAYS) + ")"
#: The states by name: a state's law or lawsuit is no act of the department's.
STATES = ("alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|"
           "idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|"
           "minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|"
           "north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|"
           "south dakota|tennessee|texas|utah|vermont|virginia|west virginia|wisconsin|wyoming|puerto rico")
_POLICY_NOUN = (r"(?:policy|policies|program|programs|process|processes|protocols?|parole|rule|"
                r"guidance|guidelines?|memo|memos|memorandum|directive|designation|status|order|"
                r"agreements?|practice|separations?|operations|raids|requirement|restrictions?|"
                r"priorities|ban|pilot|initiative|flexibilit(?:y|ies)|catch[- ]and[- ]release|daca|tps|mpp|title 42|"
                r"remain[- ]in[- ]mexico|"
                r"secure communities|public charge|cbp one)")

# name -> regex. Each is one yes/no feature; the model learns how much each one counts.
CUES: dict[str, str] = {
    # Ending something that exists.
    "end_verb": r"\b(?:terminat\w*|rescind\w*|rescission|revok\w*|revocation|repeal\w*|vacat(?:e|ed|es|ing|ur)|"
                r"discontinu\w*|abandon\w*|ceas(?:e|ed|es|ing)|cancel(?:s|ed|led|ing|ling)?|wind(?:s|ing)? (?:\w+ )?down|"
                r"phas(?:e|ed|es|ing) (?:\w+ )?out|scrap\w*|"
                # Endings worded as phrasal verbs: "do away with", "bring X to an end", "drop the directive".
                r"(?:do|does|doing|did|done) away with|(?:bring|brings|bringing|brought) (?:[\w'’()-]+ ){1,6}?to an end|"
                r"(?:put|puts|putting) an end to|back(?:s|ed|ing)? (?:off|away from)|"
                r"drop(?:s|ped|ping)? (?:the |its |a |their |this |that )?(?:[\w'’-]+ ){0,3}?"
                r"(?:directive|rule|policy|program|guidance|requirement|plan|proposal|pilot|practice))\b",
    "soft_end_verb": r"\b(?:suspend\w*|suspension|paus(?:e|ed|es|ing)|withdr[ae]w\w*|expire[sd]?|postpon\w*|"
                     r"delay(?:s|ed|ing)? (?:the |its )?(?:effective|compliance|enforcement|implementation) date|"
                     r"will not (?:be )?implement\w*|"
                     r"stop(?:s|ped|ping)? \w+ing|halt(?:s|ed|ing)?|"
                     r"lift(?:s|ed|ing)? (?:the )?(?:order|ban|restrictions?|pause|moratorium)|"
                     r"temporary waiver|waiv(?:e|es|ed|ing) (?:the )?(?:jones act|coastwise)|on hold)\b",
    # ... or whatever the department itself put in place before: "ending the five-year
    # validity adopted in 2023".
    "end_policy": r"\b(?:end(?:s|ed|ing)?|an end to|the end of)\s+(?:[\w'’-]+\s+){0,6}?" + _POLICY_NOUN + r"\b|"
                  r"\bend(?:s|ed|ing)? (?:the|its) (?:[\w'’-]+\s+){0,6}?(?:adopted|introduced|created|established|"
                  r"put in place) (?:in|last|under|during)\b",
    "no_longer": r"\b(?:no longer|not be renewed|not (?:to )?renew|will not continue)\b",
    "no_longer_doing": r"\bno longer (?:be )?\w+ing\b|\bno longer (?:release|detain|accept|apply|process|enforce|require|allow|permit|offer|use|send|return|refer)\w*",
    "stop_defending": r"\b(?:no longer defend|stop(?:s|ped)? defending|will not defend|not defend)\w*",
    "reinstate": r"\b(?:reinstat\w*|restor(?:e|es|ed|ing)|resum(?:e|es|ed|ing)|restart\w*|re-?implement\w*|"
                 r"bring(?:s|ing)? back|brought back|reviv\w*|"
                 # Going back to what applied before: "returns to the approach", "return to deferring".
                 r"return(?:s|ed|ing)? to (?:the |its |their |a )?(?:[\w'’-]+ ){0,3}?(?:approach|policy|policies|"
                 r"practice|guidance|standards?|framework|rules?|process|procedures?|\w+ing))\b|\bagain\b",
    "reverse_word": r"\b(?:revers(?:e|ed|es|al|ing)|walk(?:s|ed|ing)? back|roll(?:s|ed|ing)? back|undo\w*|overturn\w*)\b",
    # Walking back an earlier plan: "will not close the offices, reversing a plan announced in March".
    "walk_back": r"(?<!not )(?<!never )\b(?:revers(?:e|es|ed|ing)|abandon(?:s|ed|ing)?|scrap(?:s|ped|ping)?|"
                 r"walk(?:s|ed|ing)? back|back(?:s|ed|ing)? away from) (?:a |an |the |its |their |this |that )?"
                 r"(?:[\w'’-]+ ){0,3}?(?:plan|decision|announcement|proposal)s?\b",
    "prior_reference": r"\b(?:previous|prior|former|earlier|last) (?:administration|policy|rule|guidance|memo\w*|program)|"
                       r"\b(?:19|20)\d\d (?:rule|memo\w*|guidance|designation|policy|program|decision)\b|"
                       r"\b(?:created the|had been ended|was ended|had ended)\b|-era\b",
    # Establishing something.
    "establish_verb": r"\b(?:announc\w*|(?<!since )(?<!since its )(?<!since their )(?<!since the )launch\w*|unveil\w*|introduc\w*|establish\w*|creat(?:e|es|ed|ing)|"
                      r"implement\w*|institut\w*|adopt\w*|roll(?:s|ed|ing)? out|put in place)\b",
    "start_verb": r"\b(?:begin|begins|beginning|began|start(?:s|ed|ing)?|will now)\b",
    # How rules describe what they do: "This rule adjusts fees", "amends the regulations".
    "amend_verb": r"\b(?:adjust(?:s|ed|ing)?|amend(?:s|ed|ing)?|revis(?:e|es|ed|ing)|modif(?:y|ies|ied|ying))\b",
    "instrument": r"\b(?:memorand\w*|memos?|directive|guidance|guidelines|regulation|interim final rule|"
                  r"final rule|rule|notice|proclamation|executive order|federal register)\b",
    "issue_verb": r"\b(?:issu(?:e|es|ed|ing)|sign(?:s|ed|ing)?|publish\w*|finaliz\w*|direct(?:s|ed|ing)?)\b",
    # The act ("designation" is a policy noun); a county designated for FEMA assistance is disaster aid.
    "designate": r"\b(?:re)?designat(?:e|es|ed|ing)\b(?! for (?:individual|public) assistance)",
    "expand": r"\b(?:expand\w*|expansion|extend\w*|extension|broaden\w*|now (?:cover|apply|include)\w*|(?:can|may) now)\b",
    "effective": r"\b(?:takes? effect|took effect|effective (?:on|immediately|date)|go(?:es)? into effect|"
                 r"enter into force|(?:beginning|starting) (?:today|on|in|next|at the (?:end|start|beginning) of|"
                 + _DAY + "|" + _MONTH + r")|"
                 r"will be (?:put in place|implemented|applied|required|in place)|in the coming (?:days|weeks)|"
                 r"(?:filed|received|submitted|postmarked|arriving|made) on or after)\b",
    # ... and the future of reported speech: "the department said Friday it would end ...".
    "future": r"\b(?:will|shall|plans? to|intends? to|(?:said|says|announced|confirmed) (?:\w+ )?(?:that )?(?:it|they) would)"
              r"\s+(?!not\b|no\b|be no\b)\w+",
    "requirement": r"\b(?:must|required|requires|requirement|eligible|eligibility|apply for|may apply|can apply|"
                   r"(?<!not )mandatory|only acceptable|"
                   r"cannot be|may not|will not be able)\b",
    "policy_noun": r"\b" + _POLICY_NOUN + r"\b",
    "new_word": r"\b(?:new(?! (?:jersey|york|mexico|orleans|hampshire|england|haven)\b)|newly|first time)\b",
    "negated_future": r"\b(?:will not|won[’']t|will be no|there will be no|not intended|not meant)\b",
    "today": r"\b(?:today|this week|on " + _DAY + r")\b",
    # Figures.
    "number": r"\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s*(?:million|thousand|billion)\b|\b(?!(?:19|20)\d\d\b)\d{3,}\b",
    "metric": r"\b(?:encounter\w*|apprehen\w*|removals|deportations|detention population|in detention|"
              r"repatriat\w*|interdict\w*|expel\w*|expulsions?|"
              r"passengers|travell?ers|screened|backlog|pending|processing times?|crossings|stopped|turned away|"
              r"arrivals|evacuees|processed|enrolled|removed or returned|removals and returns|"
              r"passed through (?:\w+ )?checkpoints|throughput|granted parole|paroled into)\b",
    "period": r"\b(?:in|during|for|of|through) " + _MONTH + r"\b|\b(?:fiscal|calendar) year\b|"
              r"\bsince oct(?:ober|\.)? 1\b|\bfy ?\d{2,4}\b|"
              r"\b(?:this|last|the) (?:month|quarter|year|week)\b|\bmonthly\b|\bdaily average\b|"
              r"\b(?:a|the) (?:year|month) (?:earlier|before)\b|\bprevious year\b|\bon " + _DAY + r"\b",
    "comparison": r"\b(?:up|down) from\b|\bcompared (?:with|to)\b|\b(?:rose|fell|dropped|declined|increased|decreased|"
                  r"climbed|jumped|doubled|tripled|reached|topped|surpass\w*)\b|\d+(?:\.\d+)? ?(?:percent|%)|"
                  r"\b(?:record|lowest|highest|most ever|busiest)\b",
    # Not policy.
    "enforcement": r"\b(?:arrest\w*|seiz\w*|sentenc\w*|indict\w*|charged|pleaded|convicted|smuggl\w*|gangs?|ms-13|"
                   r"fugitive|counterfeit|cocaine|fentanyl|narcotics|firearms|rescu\w*|offload\w*|investigat\w*)\b",
    "meeting": r"\b(?:met with|meets? with|meeting|readout|discuss\w*|talks|visit\w*|tour\w*|delegation|testif\w*|"
               r"hearing|remarks|keynote|symposium|news conference|spoke)\b",
    "ceremony": r"\b(?:sworn in|ceremon\w*|honou?r\w*|wreath|anniversary|memorial|passing of|condolences|"
                r"thoughts are with|congratulat\w*|welcomed)\b",
    "disaster": r"\b(?:fema|disaster|hurricane|wildfire|flood\w*|survivors|grants?|ransomware|cyber\w*|"
                r"(?:individual|public) assistance|hazard mitigation|cost share)\b",
    "critic": r"\b(?:advocates?|activists?|critics?|rights groups?|civil (?:rights|liberties)|aclu|human rights|"
              r"lawsuit|sue|sued|condemn\w*|denounc\w*|vow\w* to (?:challenge|sue|fight)|called the (?:move|policy|rule|program)|"
              r"furious|reprehensible|cruel|morally|disaster|chaos|republicans|democrats|governor|former)\b",
    "commentary": r"\b(?:should|ought to|called on|calls on|urged?|urging|we urge|deserve|remind\w*|"
                  r"weirdly|somehow)\b",
    "background": r"\b(?:earlier this (?:week|month|year)|last (?:week|month|year)|already|"
                  # ... not in a relative clause describing what ends: "the policy that has been in place since".
                  r"(?<!that )(?<!which )(?:had been|has been in place)|"
                  r"remains? in (?:effect|place)|continues? to (?:operate|be)|while (?:the case|litigation)|is pending|"
                  r"since (?:" + _MONTH + r" (?:\d{1,2}, )?)?(?:19|20)\d\d|over the summer|in recent months|previously|would continue|"
                  r"(?:rule|notice|regulation|policy|guidance|fee schedule) (?:was )?(?:published|finalized) (?:on|in|last)|"
                  r"as (?:previously |already |we )?announced|"
                  r"since (?:its |the |their )?(?:[\w-]+ ){0,4}?(?:launch\w*|began|started|opened|took effect)|"
                  r"(?:was|were) (?:first |originally )?(?:designated|created|established|started|"
                  r"introduced|launched|announced|issued))\b",
    "department": r"\b(?:secretary|dhs|the department|homeland security|uscis|ice|cbp|tsa|administration|officials)\b",
    "quote": r"^[\"“‘']|[\"”’'],? (?:said|says|added)\b",
    # Ending a search, or correcting a notice, ends no policy.
    "search_suspended": r"\b(?:suspend\w*|ends?|ended|call(?:s|ed)? off|conclud\w*|resum\w*) (?:the |its |their |an |active )?"
                        r"(?:search|rescue)",
    "correction_notice": r"\bcorrect(?:s|ing|ion|ions)?\b (?:to |of )?(?:an? |the |two |several )?(?:[\w-]+ ){0,2}?"
                         r"(?:error|typographical|date|citation|cross-reference|notice|document)|"
                         r"\bthis (?:document|notice) corrects\b|\b(?:this|the|these) corrections?\b|"
                         r"\bcorrect(?:s|ing)\b[^.]{0,80}\b(?:notice|rule|document|preamble|regulatory text)\b",
    # Reminding people of what already applies.
    "reminder": r"\b(?:remind(?:s|ed|ing)?|reminder|don['’]t forget|remember (?:that|to))\b",
    # Telling the public, not changing a rule: awareness efforts and their materials.
    "awareness": r"\b(?:public awareness|awareness (?:campaign|effort|initiative|day|week|month)|posters?|"
                 r"public service announcements?|psas?|outreach materials|tip line)\b",
    # Looking back: what a speaker or a release recounts from before today.
    "retrospective": r"\b(?:(?:\w+ )?(?:years?|months?|weeks?) ago|when (?:i|we) (?:started|arrived|took office|came|began)|"
                     r"since (?:i|we) (?:took office|started|arrived|began)|over the past (?:\w+ )?(?:years?|months?|decade)|"
                     r"back in (?:19|20)\d\d|in (?:my|our) first (?:year|months?|days?)|"
                     r"summariz\w* (?:the )?(?:\w+ )?(?:steps|actions|measures|efforts)|"
                     r"(?:steps|actions|measures) (?:\w+ ){0,2}(?:has|have) taken|"
                     # An anniversary: "one year after the order ended", "Two Years On".
                     r"(?:years?|months?) (?:after|since) (?:the |its |their )?(?:[\w'’-]+ ){0,5}?(?:ended|began|started|"
                     r"took effect|went live|expired|opened|(?:was )?launched)|"
                     r"(?:years?|months?) (?:after|since) the (?:end|start|launch|expiration) of|(?:years?|months?) on,|"
                     r"(?:first|second|third|fifth|tenth) anniversary)\b",
    # The Federal Register's housekeeping: paperwork, privacy and meeting notices and
    # comment periods change no policy, whatever rule or form they concern.
    "admin_notice": r"\b(?:paperwork reduction act|information collection|omb control (?:no|number)|"
                    r"systems? of records|routine uses?|computer matching|\d+-day notice|"
                    r"(?:extend\w*|extension of|reopen\w*|reopening of) (?:the )?(?:public )?comment period|"
                    r"advisory (?:committee|council) (?:will )?meet\w*|open to the public|"
                    r"advance notice of proposed rulemaking|request for information|"
                    r"(?:announc\w* the|notice of(?: the)?) availability of)\b",
    # Saying nothing changes: denials, and decisions not (yet) taken.
    "denial": r"\b(?:reports? (?:are|is|were|was) (?:false|inaccurate|untrue|wrong|incorrect)|"
              r"(?:has|have|had) not (?:changed|ended|stopped|rescinded|terminated|been (?:changed|ended))|"
              r"(?:is|are) not (?:ending|changing|terminating|rescinding|suspending|pausing)|"
              r"no (?:policy )?changes? (?:to|in|has|have|is|are)|remains? unchanged|not under consideration|"
              r"no (?:final )?decision (?:has been|was|is|have been) (?:made|taken|reached)|"
              r"no new [\w ]{0,40}(?:is|was|are|were|has been) (?:announced|made|issued)|"
              r"(?:is|are|was|were) (?:simply |completely )?(?:false|untrue|not (?:accurate|true|correct))|"
              r"nothing (?:\w+ ){0,4}(?:has|have) changed|misstat\w*|mischaracteriz\w*|whether to|"
              r"(?:does|do|did|will) not change (?:federal |the |any |current |existing |its )?(?:policy|policies|rules?|law)|"
              r"reports? that [^.]{0,80}? (?:are|is|were|was) (?:false|inaccurate|untrue|wrong|incorrect))\b",
    # Something stopped or came back that is no policy: a system, an office, a service
    # disrupted by weather, a power cut or an IT failure.
    "service_disruption": r"\b(?:outages?|back online|technical (?:issues?|problems?|difficult\w*)|"
                          r"system (?:issues?|failures?|problems?|disruptions?)|inclement weather|"
                          r"power (?:outages?|failures?|restored)|(?:closed|delayed|disrupted) (?:due to|because of|by)|"
                          r"lapse in (?:appropriations|funding)|scheduled maintenance|"
                          r"(?:winter|snow|ice|tropical) storm|snowstorm|working again|up and running|"
                          r"(?:site|system|tool|website|app|portal|network|server)s? (?:was|were|went|is|are) down|"
                          r"clos(?:ed|ing|ures?) for (?:the )?(?:[\w'’]+ ){0,3}?holidays?|holiday (?:closures?|schedule)|"
                          r"(?:high|strong) winds|rough seas|poor visibility)\b",
    # People, not policies: arrivals, departures and commands.
    "personnel": r"\b(?:retir(?:e|es|ed|ing|ement)|resign\w*|step(?:s|ped|ping)? down|successor|tenure|"
                 r"farewell|assum(?:e|es|ed|ing) command|change of command|relieved|"
                 r"(?:was|has been|will be) (?:named|appointed|nominated|confirmed)|swore in|"
                 r"acting (?:secretary|director|commissioner|administrator) (?:of|until)|career)\b",
    # An event that ran its course: a campaign, an exercise, a visit.
    "event_concluded": r"\b(?:conclud\w*|wrap(?:s|ped|ping)? up|c(?:ame|omes) to a close|complet(?:e|es|ed|ing)|"
                       r"end(?:s|ed)?)\b[\w\s'’-]{0,40}?\b(?:campaign|exercise|conference|summit|visit|trip|tour|"
                       r"season|patrol|deployment|ceremony|event|drill|competition|games|week|month|mission|pursuit|"
                       r"chase|standoff)s?\b",
    # Someone else acting: a court, Congress, another government.
    "other_actor": r"\b(?:(?:court|judge|justices|panel)s? (?:\w+ )?(?:ruled|rules|blocked|blocks|ordered|orders|"
                   r"vacated|vacates|enjoined|struck|halted|halts|stayed|declined|denied|upheld|upholds|sided|found|"
                   r"held)|injunction|congress|lawmakers|the senate|the house (?:passed|voted|approved)|legislation|"
                   r"(?:the )?government of|(?:mexican|canadian|foreign|mexico's|canada's) (?:government|authorities)|"
                   r"ministry|gov\. \w+|governor \w+ (?:\w+ )?signed|signed (?:a |the )?(?:state )?bill|state(?:'s|’s)? (?:new )?law|"
                   r"state legislature)\b",
    # An ending as a condition, a possibility or a rule of the process, not an act:
    # "when a designation expires", "decides whether to extend or terminate".
    "conditional_ending": r"\b(?:if|when|whether|unless|before|until) (?:a |the |an |its |each |any )?(?:[\w-]+ ){0,3}?"
                          r"(?:expires?|ends?|is (?:terminated|ended|suspended|rescinded)|(?:to )?(?:terminate|end|suspend|rescind))\b|"
                          r"\b(?:extend or terminate|terminate or extend|extend, redesignate or terminate)\b",
    # Volumes expected, not counted: a holiday forecast is no statistic.
    "forecast": r"\b(?:expects?|expected|anticipates?|projects?|predicts?|forecasts?|estimates?) "
                r"(?:to (?:screen|see|process|handle|welcome)|(?:about |nearly |more than |over |roughly |up to )?\d|"
                r"(?:a )?record|(?:a )?busy|the busiest|heavy)|"
                r"\b(?:are|is) (?:expected|projected|forecast|anticipated) to (?:travel|fly|cross|pass through|be the busiest)\b",
    # Advice, not a requirement: voluntary guides and recommended practices.
    "advisory": r"\b(?:voluntary|non-?binding|recommend(?:s|ed|ing|ations?)?|best practices|not mandatory)\b",
}
# Matched against the lower-cased text: case-insensitive matching is several times slower.
_COMPILED = {name: re.compile(pattern) for name, pattern in CUES.items()}
#: Exact prefilters: every match of a cue contains one of its literals (checked by
#: tests/test_equivalence.py against the parsed pattern), so a statement holding none
#: of them cannot match and the search, ~2 µs for an alternation tried at every
#: position, is skipped. Most cues fire on few statements. Cues not listed are searched.
_CUE_NEEDLES: dict[str, tuple[str, ...]] = {
    "end_verb": ("abandon", "cancel", "ceas", "discontinu", "phas", "repeal", "rescind", "rescission",
                 "revocation", "revok", "scrap", "terminat", "vacat", "wind", "away with", "to an end",
                 "an end to", "back", "drop"),
    "soft_end_verb": ("delay", "expire", "halt", "lift", "paus", "postpon", "stop", "suspen",
                      "will not be implement", "will not implement", "withdr", "waiv", "on hold"),
    "end_policy": ("end",),
    "no_longer": ("no longer", "not be renewed", "not renew", "not to renew", "will not continue"),
    "no_longer_doing": ("no longer ",),
    "stop_defending": (" defending", "no longer defend", "not defend"),
    "reinstate": ("again", "bring", "brought back", "implement", "reinstat", "restart", "restor",
                  "resum", "reviv", "return"),
    "reverse_word": (" back", "overturn", "revers", "undo"),
    "walk_back": ("abandon", "back", "revers", "scrap"),
    "prior_reference": ("-era", "created the", "had been ended", "had ended", "was ended",
                        "previous", "prior", "former", "earlier", "last", "rule", "memo", "guidance",
                        "designation", "policy", "program", "decision"),
    "establish_verb": ("adopt", "announc", "creat", "establish", "implement", "institut", "introduc",
                       "launch", "put in place", "roll", "unveil"),
    "start_verb": ("began", "begin", "start", "will now"),
    "amend_verb": ("adjust", "amend", "modif", "revis"),
    "instrument": ("directive", "executive order", "federal register", "guidance", "guidelines",
                   "memo", "notice", "proclamation", "regulation", "rule"),
    "issue_verb": ("direct", "finaliz", "issu", "publish", "sign"),
    "designate": ("designat",),
    "expand": ("broaden", "expand", "expansion", "extend", "extension", "now ", "can now", "may now"),
    "effective": (" effect", " on or after", "beginning", "effective ", "enter into force",
                  "in the coming ", "starting", "will be "),
    "future": ("intend", "plan", "shall", "will", " would"),
    "requirement": ("apply for", "can apply", "cannot be", "eligib", "may apply", "may not", "must",
                    "require", "will not be able", "mandatory", "only acceptable"),
    "policy_noun": ("agreement", "ban", "cbp one", "daca", "designation", "directive", "guidance",
                    "guideline", "memo", "mpp", "operations", "order", "parole", "policies", "policy",
                    "practice", "priorities", "process", "program", "protocol", "public charge",
                    "raids", "release", "remain", "requirement", "restriction", "rule", "pilot", "initiative",
                   "flexibilit",
                    "secure communities", "separation", "status", "title 42", "tps"),
    "new_word": ("first time", "new"),
    "negated_future": ("not intended", "not meant", "will be no", "will not", "won"),
    "today": ("today", "this week", *_DAYS),
    "metric": ("apprehen", "backlog", "interdict", "repatriat", "expel", "expuls", "crossings",
               "deportations", "detention population",
               "encounter", "in detention", "passengers", "pending", "processing time", "removals",
               "screened", "stopped", "travel", "turned away", "arrivals", "evacuee",
               "processed", "enrolled", "removed or returned", "checkpoints", "throughput", "granted parole",
               "paroled into"),
    "period": ("fy", "may", "ber", "since oct", "january", "february", "march", "april", "june", "july",
               "august", *_DAYS, "daily average", "month", "quarter", "week", "year"),
    "comparison": ("up from", "down from", "compared ", "%", "percent", "busiest", "climbed",
                   "declined", "decreased", "doubled", "dropped", "fell", "highest", "increased",
                   "jumped", "lowest", "most ever", "reached", "record", "rose", "surpass", "topped",
                   "tripled"),
    "enforcement": ("arrest", "charged", "cocaine", "convicted", "counterfeit", "fentanyl",
                    "firearms", "fugitive", "gang", "indict", "investigat", "ms-13", "narcotics",
                    "offload", "pleaded", "rescu", "seiz", "sentenc", "smuggl"),
    "meeting": ("met with", "meet", "delegation", "discuss", "hearing", "keynote", "news conference",
                "readout", "remarks", "spoke", "symposium", "talks", "testif", "tour", "visit"),
    "ceremony": ("anniversary", "ceremon", "condolences", "congratulat", "hono", "memorial",
                 "passing of", "sworn in", "thoughts are with", "welcomed", "wreath"),
    "disaster": ("cyber", "disaster", "fema", "flood", "grant", "hurricane", "ransomware",
                 "survivors", "wildfire", "assistance", "mitigation", "cost share"),
    "critic": ("aclu", "activist", "advocate", "called the ", "chaos", "civil ", "condemn", "critic",
               "cruel", "democrats", "denounc", "disaster", "former", "furious", "governor",
               "human rights", "lawsuit", "morally", "reprehensible", "republicans", "rights group",
               "sue", "vow"),
    "commentary": ("called on", "calls on", "deserve", "ought to", "remind", "should", "somehow",
                   "urg", "weirdly"),
    "background": ("already", "announced", "continue", "created", "designated", "earlier this ",
                   "established", "had been", "has been in place", "in recent months",
                   "introduced", "is pending", "issued", "last ", "launched", "litigation",
                   "over the summer", "previously", "remain", "since ", "started", "the case", "published",
                   "finaliz"),
    "department": ("administration", "cbp", "dhs", "homeland security", "ice", "officials",
                   "secretary", "the department", "tsa", "uscis"),
    "quote": ('"', "'", "‘", "“", "”", "’"),
    "search_suspended": ("search", "rescue"),
    "correction_notice": ("correct",),
    "reminder": ("remind", "forget", "remember "),
    "awareness": ("awareness", "poster", "public service announcement", "psa", "outreach materials", "tip line"),
    "retrospective": (" ago", "when i ", "when we ", "since i ", "since we ", "over the past", "back in ",
                      "in my first", "in our first", "summariz", "taken", "year", "month", "anniversary"),
    "admin_notice": ("paperwork reduction act", "information collection", "omb control ", "system",
                     "routine use", "computer matching", "-day notice", "comment period",
                     "advisory c", "open to the public", "advance notice of proposed rulemaking",
                     "request for information", "availability of"),
    "denial": ("reports ", "report ", "not chang", "not end", "not stopp", "not rescind", "not termin",
               "not been ", "not suspend", "not paus", "no change", "no policy change", "false",
               "untrue", "not accurate", "not true", "not correct", "changed",
               "not under consideration", "decision", "no new ", "misstat", "mischaracteriz", "whether to"),
    "service_disruption": ("outage", "back online", "technical ", "system ", "inclement weather",
                           "power ", "closed ", "delayed ", "disrupted ", "lapse in ",
                           "scheduled maintenance", " storm", "snowstorm", "working again",
                           "up and running", " down", "holiday", "winds", "rough seas",
                           "poor visibility"),
    "personnel": ("retir", "resign", "step", "successor", "tenure", "farewell", "command",
                  "relieved", "named", "appointed", "nominated", "confirmed", "swore in", "acting ",
                  "career"),
    "event_concluded": ("conclud", "wrap", "came to a close", "comes to a close", "complet", "end"),
    "other_actor": ("court", "judge", "justices", "panel", "injunction", "congress", "lawmakers", "the senate",
                    "the house", "legislation", "government", "authorities", "ministry", "gov.", "governor",
                    "bill", "state"),
    "conditional_ending": ("expire", "end", "terminat", "rescind"),
    "forecast": ("expect", "anticipat", "project", "predict", "forecast", "estimate"),
    "advisory": ("voluntary", "binding", "recommend", "best practices", "not mandatory"),
}
_GRAM = 4


def _gram(needle: str) -> str:
    """One ``_GRAM``-character piece of ``needle``: the first without a space, if any
    ("the case" -> "case"; "the " would be found in almost every statement)."""
    grams = [needle[i:i + _GRAM] for i in range(len(needle) - _GRAM + 1)]
    return next((g for g in grams if " " not in g), grams[0])


def _needle_gate(needles: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A four-character piece of each long needle, and the needles shorter than that.

    A text holding a needle holds every piece of it, so a text that holds none of these
    pieces, and no short needle, holds no needle: the pieces a text holds (found for a
    document's statements at once by ``_pieces_held``) rule out most cues before any of
    their needles is tried.
    """
    return (frozenset(_gram(n) for n in needles if len(n) >= _GRAM),
            tuple(n for n in needles if len(n) < _GRAM))


#: Cues searched as the alternatives of their pattern, each only where its own needles
#: are (None: from the text's first digit, every match of it starting with one). A
#: pattern of many alternatives tries every one at every position of the text, and most
#: statements hold the needles of one alternative at most. The leftmost match of the
#: alternatives, the first of them on a tie, is the pattern's own match (checked by
#: tests/test_classify_speed_equivalence.py, as the needles are).
_CUE_PARTS: dict[str, tuple[tuple[str, ...] | None, ...]] = {
    "prior_reference": (("previous", "prior", "former", "earlier", "last"), None,
                        ("created the", "had been ended", "had ended", "was ended"), ("-era",)),
    "period": (("january", "february", "march", "april", "may", "june", "july", "august", "ber"),
               ("fiscal year", "calendar year"), ("since oct",), ("fy",), ("month", "quarter", "year", "week"),
               ("monthly",), ("daily average",), ("year", "month"), ("previous year",), tuple(_DAYS)),
    "comparison": (("up from", "down from"), ("compared ",),
                   ("rose", "fell", "dropped", "declined", "increased", "decreased", "climbed",
                    "jumped", "doubled", "tripled", "reached", "topped", "surpass"),
                   ("%", "percent"), ("record", "lowest", "highest", "most ever", "busiest")),
}


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern`` (split at each ``|`` outside groups,
    classes and escapes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1:i + 2] in ("]", "^"):  # a leading ] or ^ is part of the class
                i += 1
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return parts + [pattern[start:]]


def _searches() -> list[tuple]:
    """What ``cue_matches`` searches, in CUES order: (cue name, compiled pattern, needles
    or None, gate pieces, short needles) per cue, or per alternative of a ``_CUE_PARTS`` cue."""
    searches = []
    for name, pattern in CUES.items():
        if name in _CUE_PARTS:
            parts = zip(_alternatives(pattern), _CUE_PARTS[name], strict=True)
        else:
            parts = [(pattern, _CUE_NEEDLES.get(name))]
        searches += [(name, re.compile(part), needles, *_needle_gate(needles or ())) for part, needles in parts]
    return searches


_CUE_SEARCH = _searches()


#: Cues without needles whose every match starts with a digit (checked by
#: tests/test_classify_speed_equivalence.py): searched only in a text holding one, from
#: its first. Not needles: ``\d`` is any Unicode digit, so the test is a search for ``_DIGIT``.
_DIGIT_CUES = ("number",)
_DIGIT = re.compile(r"\d")


def _needles_by_piece() -> tuple[dict[str, list[tuple[int, str]]], list[tuple[int, str]],
                                 set[int], set[int]]:
    """The gate turned around, for ``cue_matches``: piece -> the (search position, needle)
    pairs it stands for; the (search position, needle) pairs tried directly (short
    needles); the searches made when the text holds a digit; the searches always made. A
    word's own pieces then name the few needles worth trying, instead of every cue
    testing its pieces and needles in turn."""
    by_piece: dict[str, list[tuple[int, str]]] = defaultdict(list)
    direct, digit, always = [], set(), set()
    for cue, (name, _, needles, _, short_needles) in enumerate(_CUE_SEARCH):
        if needles is None:
            (digit if name in _DIGIT_CUES or name in _CUE_PARTS else always).add(cue)
        for needle in needles or ():
            if needle in short_needles or not _gram(needle).isascii():
                direct.append((cue, needle))
            else:
                by_piece[_gram(needle)].append((cue, needle))
    return dict(by_piece), direct, digit, always


_PIECE_NEEDLES, _DIRECT_NEEDLES, _DIGIT_SEARCHED, _ALWAYS_SEARCHED = _needles_by_piece()
#: Per search of ``_CUE_SEARCH``: its cue's name and its pattern's search.
_SEARCHES = [(name, pattern.search) for name, pattern, *_ in _CUE_SEARCH]


def _piece_code(piece: str) -> int:
    """A four-character ASCII piece as the number its bytes make (little-endian)."""
    return int.from_bytes(piece.encode("ascii"), "little")


_PIECES = sorted(_PIECE_NEEDLES, key=_piece_code)
_PIECE_CODES = np.array([_piece_code(p) for p in _PIECES], dtype=np.uint32)
_NEEDLES_OF_PIECE = [_PIECE_NEEDLES[p] for p in _PIECES]


def _pieces_held(lowered: list[str]) -> list[set[int]]:
    """The gate pieces (positions in ``_PIECES``) each of ``lowered`` holds, found for
    all of them at once.

    Building a set of four-character slices per statement was most of the gate's cost.
    Here the texts' UTF-8 bytes are read as one overlapping four-byte number per
    position (as ``_piece_code`` reads a piece) and looked up among the pieces' numbers,
    in numpy. Pieces are ASCII, and an ASCII byte is part of no other character's
    encoding, so a text holds a piece exactly where its bytes hold the piece's bytes.
    The texts are joined with NUL bytes, which no piece holds.
    """
    encoded = [text.encode() for text in lowered]
    b = np.frombuffer(b"\0".join(encoded), dtype=np.uint8).astype(np.uint32)
    codes = b[:-3] | b[1:-2] << 8 | b[2:-1] << 16 | b[3:] << 24
    at = _PIECE_CODES.searchsorted(codes)
    np.minimum(at, len(_PIECE_CODES) - 1, out=at)
    positions = (_PIECE_CODES[at] == codes).nonzero()[0]
    pieces = at[positions].tolist()
    # Each text's share of the (ascending) positions: its bytes end where the next one's start.
    starts = np.array([0] + [len(e) + 1 for e in encoded]).cumsum()
    bounds = positions.searchsorted(starts).tolist()
    return [set(pieces[start:end]) for start, end in zip(bounds, bounds[1:])]


#: The needles a word is tried for when first met: those its gate pieces stand for, and
#: the short ones (or ones with a non-ASCII piece), tried in turn. A needle holds no
#: whitespace, so a text holds it exactly where one of its words (``str.split``) does.
_SHORT_WORD_NEEDLES = [(cue, needle) for cue, needle in _DIRECT_NEEDLES if " " not in needle]
#: Needles spanning words are tried on the whole text: those whose gate piece a word
#: holds (kept with the word), and those no piece without a space stands for, always.
_TEXT_NEEDLES = [(cue, needle) for cue, needle in _DIRECT_NEEDLES if " " in needle] + [
    pair for piece, pairs in _PIECE_NEEDLES.items() if " " in piece for pair in pairs]
#: Per word met so far: the cues with a needle in it, and the (cue, needle) pairs spanning
#: words that it makes worth trying, or () for neither. Newsroom text repeats its words
#: (on real releases about one word in six is new once the training texts were read), so
#: most are looked up, not gated again. Forgotten in one go at ``_WORDS_REMEMBERED``.
_WORD_GATES: dict[str, tuple[frozenset[int], tuple[tuple[int, str], ...]] | tuple[()]] = {}
_WORDS_REMEMBERED = 200_000


def _learn_words(words: list[str]) -> None:
    """Gate ``words`` (new ones) for ``_WORD_GATES``: the pieces of all of them at once."""
    for word, pieces in zip(words, _pieces_held(words)):
        held, spanning = set(), []
        for piece in pieces:
            for cue, needle in _NEEDLES_OF_PIECE[piece]:
                if " " in needle:
                    spanning.append((cue, needle))
                elif needle in word:
                    held.add(cue)
        for cue, needle in _SHORT_WORD_NEEDLES:
            if needle in word:
                held.add(cue)
        _WORD_GATES[word] = (frozenset(held), tuple(spanning)) if held or spanning else ()


#: Cues that describe the sentence but are not evidence of a label on their own: a figure
#: or a metric word alone ("mass deportations") is no statistic, a quotation is only
#: telling together with who is quoted, and the department is named in every kind of
#: sentence (it still decides ``speaker`` in the evidence).
CONTEXT_ONLY = ("number", "metric", "quote", "department")
#: Cues that only mean something together.
COMBOS = {
    "metric_compared": ("metric", "comparison"),
    "figure_with_metric": ("number", "metric"),
    "figure_for_period": ("number", "metric", "period"),
    "figure_compared": ("number", "metric", "comparison"),
    "ending_with_prior": ("no_longer", "prior_reference"),
    "ending_a_policy": ("end_verb", "policy_noun"),
    "critic_quote": ("critic", "quote"),
    "future_policy": ("future", "policy_noun"),
    "establish_instrument": ("issue_verb", "instrument"),
    # What is announced or takes effect is the ending: "announced it will end X effective ...".
    "announced_ending": ("establish_verb", "end_policy"),
    "ending_takes_effect": ("end_policy", "effective"),
    "termination_takes_effect": ("end_verb", "effective"),
}
#: Cues whose other words describe something else, as ``TITLE_OVERRIDES`` for headlines:
#: a denial names the ending it denies ("reports that TPS is being terminated are
#: false"), a search called off or resumed is no program suspended or restored. Their
#: look-alike cues are dropped.
CUE_OVERRIDES: dict[str, tuple[str, ...]] = {
    "denial": ("end_verb", "soft_end_verb", "end_policy", "no_longer", "reinstate", "reverse_word", "walk_back"),
    "search_suspended": ("soft_end_verb", "end_policy", "reinstate"),
    # What an awareness effort launches is the effort: "launched a new public awareness campaign".
    "awareness": ("establish_verb", "new_word", "policy_noun"),
}
#: name, parts, the first part (most texts lack it: tried before the others), all parts.
_COMBO_PARTS = [(name, parts, parts[0], frozenset(parts)) for name, parts in COMBOS.items()]
#: What a headline says about the kind of release, as context for every statement of the
#: document: a newsroom's genres (readouts, travel, personnel, disaster declarations,
#: monthly updates, Federal Register actions) are named in their titles, and the same
#: sentence ("will expand cooperation") means one thing in a readout and another in a rule.
#: Matched against the lower-cased headline.
TITLE_CUES: dict[str, str] = {
    "title_readout": r"\breadout\b|\b(?:call|meeting|meets|met|speaks|spoke) with\b|\bjoint statement\b",
    "title_travel": r"\bto travel to\b|\btravels? to\b|\bvisits?\b|\btrip to\b|\btours?\b",
    "title_personnel": r"\bsworn in\b|\bconfirm(?:s|ed)? (?:as|by)\b|\bnamed\b|\bnames\b|\bappoint(?:s|ed|ee|ees)?\b|\bretir\w*|"
                       r"\bnominat\w*|\bsteps? down\b|(?<!enforced )\bdepart(?:s|ed|ing|ure)?\b|\bwelcomes? new\b|\bnew (?:director|chief|"
                       r"commissioner|administrator|deputy)\b|\bcommand\b",
    "title_remarks": r"\bremarks\b|\bas prepared\b|\btestimony\b|\btestif\w*|\bspeech\b|\bkeynote\b|\bop-ed\b|"
                     r"\binterview\b|\bstate of\b",
    "title_statement": r"^(?:\w+: )?statement (?:by|from|on)\b|\bstatement (?:by|from) (?:\w+ )*secretary\b|"
                       r"\bstatement on\b|\bresponds? to\b|\breacts? to\b",
    # Critics as the headline's subject: the policy it names is what they react to.
    "title_reaction": r"^(?:[\w'’.-]+ ){0,4}?(?:advocates?|critics?|unions?|governors?|mayors?|lawmakers|democrats|"
                      r"republicans|groups?|protesters?|activists?|senators?)\b[^;:]*?\b(?:condemn\w*|decr(?:y|ies|ied)|"
                      r"slam\w*|blast\w*|denounc\w*|criticiz\w*|protest\w*|sue|sues|sued|react\w*|vow\w*|says?|"
                      r"warn\w*|urg\w*|call\w*|march\w*|rall(?:y|ies|ied))\b",
    "title_court": r"\bcourt\b|\bruling\b|\bjudge\b|\binjunction\b|\blawsuit\b|\bverdict\b",
    "title_ceremony": r"\banniversary\b|\bceremon\w*|\bhonou?rs?\b|\bremember\w*|\bmemorial\b|\bcommemorat\w*|"
                      r"\bheritage\b|\bawards?\b|\bcongratulat\w*|\bcondolence\w*|\bpassing of\b",
    "title_disaster": r"\bdisaster declaration\b|\bemergency declaration\b|\bdisaster (?:aid|assistance|"
                      r"recovery)\b|\bfema\b|\bhurricane\b|\bwildfires?\b|\bstorms?\b|\bfloods?\b|\btornado\w*|"
                      r"\b(?:major disaster|emergency) and related determinations\b|\bcost share\b|"
                      r"\b(?:individual|public) assistance\b|\bsurvivors?\b",
    "title_enforcement": r"\bseiz\w*|\barrest(?:s|ed)? \w+|\bsentenc\w*|\bindict\w*|\bconvict\w*|\bsmuggl\w*|"
                         r"\boffload\w*|\brescu\w*|\bmedevac\w*|\bsearch(?:es)? for\b|\bsearch\b|\bcharged\b|"
                         r"\bpleads?\b|\bintercept\w*|\bnabs?\b|\bcaught\b|\bdismantl\w*|\bbust\w*",
    "title_awareness": r"\bawareness\b|\bcampaign\b|\bremind\w*|\burges?\b|\bwarns?\b|\btips\b|\bprepare\w*|\bready\b|"
                       r"\bseason\b|\bbest practices\b|\bprinciples\b|\btoolkit\b|\bcatalog\b|\bguides?\b|\bplaybooks?\b|"
                       r"\bhandbooks?\b|\brecommendations\b|\bsecuring\b|"
                       r"\bpublic awareness\b|\bpsas?\b|\bposters?\b|\bvideo series\b|\brecogniz\w* the signs\b|"
                       r"\bspot (?:the )?(?:signs|fakes|counterfeits?|scams?)\b|"
                       r"\bencourag\w*|\bcelebrat\w*|\bpartner\w*|\bjoins?\b|\bhosts?\b|\bsummit\b|\bconference\b",
    "title_admin_notice": r"\binformation collection\b|\badvisory (?:committee|council)\b|\bmeeting\b|"
                          r"\bcomment period\b|\bnotice of availability\b|\brequest for information\b|"
                          r"\bflood (?:hazard|elevation) determinations?\b|"
                          r"\bprivacy act\b|\bsystem of records\b|\bcomputer matching\b|"
                          r"\bpaperwork reduction\b|\bsunshine act\b",
    # A notice correcting an earlier one changes nothing itself, whatever that one did.
    "title_correction": r"[;:,-] ?correct(?:ion|ing)\b|\bcorrection$|^correction\b",
    "title_denial": r"\b(?:has|have|did|does|is|are|was) not (?:chang|end|stopp|rescind|terminat|been)\w*|"
                    r"\bno (?:policy )?change\b|\b(?:false|inaccurate|misleading) (?:reports?|claims?)\b|"
                    r"\brumou?rs?\b|\bmyths?\b|\bsets? the record straight\b|\bcorrects? the record\b|\bno plans? to\b|"
                    r"\bnot (?:planning|plan) to\b|\bstays? in place\b|\bremains? (?:open|in (?:effect|place))\b|"
                    r"\bfact check\b|\bno decision\b|\bden(?:y|ies|ied) (?:the )?(?:reports?|claims?|rumou?rs?)\b|"
                    # What still applies changes nothing: "REAL ID Still Required for Labor Day Flyers".
                    r"\bstill (?:required|requires|applies|apply|in effect|valid|needed|mandatory)\b|\bremains? required\b",
    "title_explanation": r"\bexplain\w*|(?<!no longer )(?<!not )\bdefend\w*|\bdecision-making\b|\bon (?:her|his|the|this|my) decision\b|"
                         r"\bwhy\b|\bclarif\w*|\bstands? by\b|^how\b|\bhow (?:\w+ ){0,3}?(?:is|are|was|were|works?|decides?)\b|"
                         r"\b(?:statement|remarks) on (?:the |its )?(?:[\w-]+ ){0,4}?(?:review|decision(?:-making)?) process\b|"
                         r"\b(?:statement|remarks) on the process for\b|"
                         r"\bwhat happens\b|\bq&a\b|\bfaq\b|\bquestions and answers\b|\bwhat to know\b|"
                         r"\bwhat (?:\w+ ){0,3}means\b|\bexplainer\b",
    # Something stopped by a storm, a power cut or an IT failure: its return is no policy's.
    "title_disruption": r"\b(?:after|following|due to|because of) (?:the |a |an )?(?:[\w-]+ ){0,3}?(?:outages?|storms?|"
                        r"hurricanes?|snowstorms?|blizzards?|floods?|flooding|fires?|power|disruptions?|glitch\w*|"
                        r"evacuations?|earthquakes?|tornado\w*|weather|holidays?|shutdown|lapse|stoppage)\b|\boutages?\b|\bback online\b|"
                        r"\bglitch\w*|\bworking again\b|\bsystems? restored\b|\bholiday closures?\b",
    "title_office_notice": r"\bclos(?:es|ed|ing|ure)\b|\boutage\b|\breopen\w*|\breach(?:es|ed)? (?:the )?\S+ cap\b|"
                           r"\bselection (?:is )?complete\b|\bnew edition of\b|\bmaintenance\b|\bcap\b",
    "title_statistics": r"\bmonthly (?:operational )?update\b|\boperational update\b|\bmonthly\b|"
                        r"\breleases? (?:" + _MONTH + r"|fiscal year|fy)\b|\bfiscal year (?:19|20)\d\d\b|\bfy ?\d\d|"
                        r"\bannual (?:report|statistics|results)\b|\bstatistics\b|\bby the numbers\b|\bfiscal[- ]year\b|"
                        r"\b(?:year|month) in review\b|\bnumbers?\b|\brecord\b|\bmilestone\b",
    "title_figure": r"\d+(?:\.\d+)? ?(?:%|percent)|\b\d{1,3}(?:,\d{3})+\b|\b(?:increase[sd]?|decrease[sd]?|declines?|"
                    r"drops?|fell|falls?|rose|rises?|surge\w*|plummet\w*|surpass\w*|tops?|averag\w*)\b|"
                    r"\breach(?:es|ed) (?:\d|one |a (?:record|milestone|new high))",
    "title_ending": r"\bdelay of (?:the )?effective date\b|\bfurther delay\b|\bremoval of\b|\bremoves?\b|"
                    r"\brescission\b|\brescind\w*|\btermination of\b|\bterminat\w*|\bvacatur\b|\bwithdraw\w*|"
                    r"(?<!not )(?:\bends\b|\b(?:to|will) end\b|\bending\b)|\bpauses?\b|\bhalts?\b|\bdiscontinu\w*|\bcancel(?:s|ed|led|ing|ling)?\b|\bwill not renew\b|\breinstat\w*|\brestor\w*|"
                    r"\bresum(?:e|es|ed|ing)\b(?! (?:the |its |their )?search)|\brevok\w*|"
                    r"\brevocation\b|\bsunset\w*|\bwind(?:s|ing)? down\b|\bpostpon\w*|\bdelay\w*|\bwill not implement\b|"
                    r"\bno longer\b|\bsuspen(?:ds?|sion) (?!search)\w+|[;,] removal\b|\bjones act waiver\b|\bwaives? (?:the )?jones act\b|"
                    r"\btemporary waiver\b|\bon hold\b|\b(?:drops?|abandons?|scraps?|shelves|reverses?) (?:its |the |a )?(?:[\w-]+ ){0,2}?"
                    r"(?:plans?|proposals?|decision)\b|\bbacks? (?:away from|off)\b|\breverses? course\b|"
                    # Endings and returns as phrasal verbs: "to Stop Using", "Returns to Deferring", "Does Away With".
                    r"\bstop(?:s|ping)? \w+ing\b|\bdo(?:es)? away with\b|"
                    r"\breturns? to (?:the |its )?(?:[\w'’-]+ ){0,2}?(?:approach|policy|practice|guidance|standards?|\w+ing)\b",
    # The department as the headline's subject, ending something: it announces its own act
    # ("DHS Pauses ...", "USCIS to End ..."), not the setting of other news.
    "title_own_ending": r"^(?:dhs|uscis|ice|cbp|tsa|fema|cisa|the department|(?:department of )?homeland security|"
                        r"coast guard|(?:acting )?secretary(?: [\w.'’-]+){0,2})\b(?: [\w'’-]+){0,2}? "
                        r"(?:ends|terminates|rescinds|pauses|suspends|halts|withdraws|revokes|reinstates|restores|resumes|"
                        r"cancels|discontinues|winds down|phases out|(?:to|will) (?:end|terminate|rescind|suspend|pause|"
                        r"halt|withdraw|revoke|reinstate|restore|resume|cancel|discontinue|stop \w+ing)|stops \w+ing|"
                        r"returns to)\b(?! (?:the |its |their )?search)",
    "title_rule": r"\bproposed rule\b|\bfinal rule\b|\binterim (?:final )?rule\b|\bnotice of proposed rulemaking\b|"
                  r"\brulemaking\b|\bdirective\b|\bbulletin\b|\bregulations?\b|\bproclamation\b|"
                  r"\bexecutive order\b|\bmemorandum\b|\bpolicy\b|\bguidance\b",
    # Another actor as the headline's subject (a state, its lawmakers, a court, Congress):
    # what it requires, ends or revives is not the department's act.
    "title_other_actor": r"^(?:(?!(?:statement|remarks|response|on|of|for|to|after|with|by|in|about|over|as|dhs|"
                         r"secretary)\b)[\w'’.-]+ ){0,3}?(?:lawmakers|legislature|legislators|governors?|judges?|courts?|"
                         r"congress|senate|states)\b(?! (?:of|department|to travel)\b)|"
                         r"^(?:" + STATES + r")(?: and (?:" + STATES + r"))? (?:sues?|sued|pass(?:es|ed)?|requires?|"
                         r"bans?|signs?|enacts?|orders?|blocks?|asks?|seeks?|lawmakers|legislature|governor|attorney general)\b",
    # Volumes expected, not counted ("TSA Expects Record Holiday Travel").
    "title_forecast": r"\bexpect(?:s|ed|ing)?\b|\banticipat\w*|\bforecast\w*|\bpredict\w*|\bprojected\b",
    # A headline of two clauses, the second an action: "...Monthly Update; Announces ...",
    # "Screens Record ..., Expands ...": the action is the news, whatever the first says.
    "title_second_action": r"(?:[;,]|\band) (?:also )?(?:temporarily )?(?:announces|launches|expands|suspends|ends|"
                           r"pauses|resumes|begins|extends|reassigns|closes|halts|terminates|rescinds|restricts|"
                           r"requires|adds|opens|unveils|introduces|implements|to (?:end|suspend|expand|launch|begin))\b",
    "title_designation": r"\bextension (?:and redesignation )?of (?:the )?(?:designation|temporary protected status|tps)\b|"
                         r"\b(?:re)?designation of \w+(?: \w+)? for temporary protected status\b|"
                         r"\bextends? (?:temporary protected status|tps)\b|\bredesignat\w*|\bdesignates?\b",
    "title_launch": r"(?<!since )(?<!since its )\blaunch\w*|"
                    # A rollout to a new place worded as arrival: "Face Scans Come to Orlando".
                    r"\bcom(?:e|es|ing) to\b(?! (?:a close|an end|terms|the (?:united states|u\.s\.)))|\bgo(?:es)? live\b|\bdebuts?\b|"
                    r"\bunveil\w*|\bintroduc\w*|\bestablish\w*|\bexpand\w*|\bexpansion\b|"
                    r"\bnew\b(?! (?:jersey|york|mexico|orleans|hampshire|england|haven|citizens|officers|agents|recruits|"
                    r"graduates|members|americans|location|office|building|headquarters|look|edition|record|high|low)\b)|"
                    r"\bbegins?\b|(?<!still )(?<!remains )(?<!remain )\brequir\w*|\bimplement\w*|\bannounces\b|\bcreat\w*|\bextends?\b|"
                    r"\bstarts?\b|\brolls? out\b|\bpilot\b|\bprocess\b|\bprogram\b|(?<!not )\bmandatory\b|"
                    # An existing program reaching more places or partners ("PreCheck Adds Five Airlines").
                    r"\badds? (?:[\w-]+ ){0,2}?(?:airlines|carriers|airports|ports|countries|nations|locations|sites|"
                    r"states|cities|languages|forms)\b",
}
#: Headline cues that say who acts in the headline itself: context for no statement (a
#: meeting in the lead of "DHS Terminates ..." is still a meeting).
HEADLINE_ONLY_CUES = ("title_own_ending",)
_TITLE_COMPILED = [(name, re.compile(pattern)) for name, pattern in TITLE_CUES.items()]
#: Headline genres whose other words describe something else: a correction names the
#: notice it corrects, a denial the change it denies, a paperwork or meeting notice the
#: rule it concerns, a travel note or readout the policy in the news, a personnel
#: headline's "new" is a person and an awareness campaign's "launch" a campaign. Their
#: look-alike cues are dropped.
TITLE_OVERRIDES: dict[str, tuple[str, ...]] = {
    "title_correction": ("title_ending", "title_own_ending", "title_designation", "title_rule", "title_launch"),
    "title_denial": ("title_ending", "title_own_ending", "title_launch"),
    "title_admin_notice": ("title_ending", "title_own_ending", "title_rule", "title_launch"),
    "title_travel": ("title_ending", "title_own_ending", "title_launch"),
    "title_explanation": ("title_ending", "title_own_ending", "title_launch"),
    "title_reaction": ("title_ending", "title_own_ending", "title_launch", "title_rule", "title_designation"),
    "title_disruption": ("title_ending", "title_own_ending", "title_launch"),
    "title_readout": ("title_ending", "title_own_ending", "title_launch"),
    "title_personnel": ("title_launch",),
    "title_other_actor": ("title_ending", "title_own_ending", "title_launch", "title_rule", "title_designation"),
    "title_awareness": ("title_launch",),
    "title_forecast": ("title_statistics", "title_figure"),
}


@lru_cache(maxsize=4096)
def _title_cues(title: str | None) -> tuple[tuple[str, str], ...]:
    lowered = (title or "").lower()
    found = [(name, match.group(0)) for name, pattern in _TITLE_COMPILED
             if (match := pattern.search(lowered))]
    dropped = {cue for name, _ in found for cue in TITLE_OVERRIDES.get(name, ())}
    return tuple((name, match) for name, match in found if name not in dropped)


def title_cues(title: str | None) -> dict[str, str]:
    """Title cue name -> the phrase of the headline that matched."""
    return dict(_title_cues(title))


FEATURES = [name for name in CUES if name not in CONTEXT_ONLY] + list(COMBOS) + list(TITLE_CUES)
_FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}


def cue_matches(text: str) -> dict[str, str]:
    """Cue name -> the first phrase that matched, for every cue and combination that fires."""
    return cue_matches_many([text])[0]


def cue_matches_many(texts: list[str]) -> list[dict[str, str]]:
    """``cue_matches`` for each of ``texts`` (a document's statements: the words met for
    the first time are gated all at once)."""
    lowered = [text.lower() for text in texts]
    words = [low.split() for low in lowered]
    gates = [list(map(_WORD_GATES.get, text_words)) for text_words in words]
    if any(None in text_gates for text_gates in gates):
        new = {word for text_words, text_gates in zip(words, gates)
               for word, gate in zip(text_words, text_gates) if gate is None}
        if len(_WORD_GATES) + len(new) > _WORDS_REMEMBERED:
            _WORD_GATES.clear()
            new = set(chain.from_iterable(words))
        _learn_words(list(new))
        gates = [list(map(_WORD_GATES.__getitem__, text_words)) for text_words in words]
    return [_cues(text, low, text_gates) for text, low, text_gates in zip(texts, lowered, gates)]


def _cues(text: str, lowered: str, gates: list[tuple]) -> dict[str, str]:
    """``cue_matches`` of ``text``, given it lower-cased and its words' ``_WORD_GATES``."""
    # Search only the cues with a needle in the text: the others cannot match (see _CUE_NEEDLES).
    held: set[int] = set()
    spanning: set[tuple[int, str]] = set()
    for cues, pairs in filter(None, gates):
        held |= cues
        spanning.update(pairs)
    for cue, needle in chain(spanning, _TEXT_NEEDLES):
        if cue not in held and needle in lowered:
            held.add(cue)
    searched = dict.fromkeys(_ALWAYS_SEARCHED, 0)  # cue -> where to start searching
    searched.update(dict.fromkeys(held, 0))
    if digit := _DIGIT.search(lowered):
        searched.update(dict.fromkeys(_DIGIT_SEARCHED, digit.start()))
    # Quote the original wording when lower-casing kept every character in place.
    source = text if len(lowered) == len(text) else lowered
    spans: dict[str, tuple[int, int]] = {}
    for cue in sorted(searched):  # in CUES order, a cue's alternatives one after the other
        name, search = _SEARCHES[cue]
        if (match := search(lowered, searched[cue])) and (name not in spans or match.start() < spans[name][0]):
            spans[name] = match.span()
    found = {name: source[start:end].strip() for name, (start, end) in spans.items()}
    for name in [n for n in CUE_OVERRIDES if n in found]:
        for dropped in CUE_OVERRIDES[name]:
            found.pop(dropped, None)
    for name, parts, first, needed in _COMBO_PARTS:
        if first in found and needed <= found.keys():
            found[name] = " + ".join(found[p] for p in parts)
    return found


def features(found: list[dict[str, str]]) -> np.ndarray:
    """One row of 0/1 per text: which FEATURES fired."""
    x = np.zeros((len(found), len(FEATURES)))
    cells = [(row, _FEATURE_INDEX[name]) for row, f in enumerate(found)
             for name in f if name in _FEATURE_INDEX]
    if cells:
        rows, columns = zip(*cells)
        x[rows, columns] = 1.0
    return x

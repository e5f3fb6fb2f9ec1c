"""Figures a reporter can quote: what is counted, where, by whom, and for which period.

A statistics release says "In June, Border Patrol apprehended 83,536 people at the
southwest border, down 29% from 117,901 in May". Each number in such a sentence becomes
a ``Figure``: its metric (apprehensions), scope (southwest border), population (all, or
a subset such as family units), agency (USBP), kind (a level, a daily average, a
record, a percent change or a share), period (June 2024, first to last day) and the
words around it ("more than", "2.8 million"). A number the sentence quotes for
comparison ("117,901 in May") is a figure of its own, with its own period, and the
figure it is compared with knows about it; a quoted change ("down 29% from May") is
kept with the figure it describes.

A **series** is the figures that can honestly be compared: same metric, scope,
population, agency, kind and kind of period. ``monitor.series`` stores them and finds
each one's previous value. Nothing here touches the database.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from monitor.periods import (CALENDAR_YEAR, CUMULATIVE, DAY, DHS_AGENCIES, FISCAL_YEAR, MONTH,
                             MONTHS, QUARTER, RANGE, UNSPECIFIED, WEEK, YEAR_TO_DATE, Period,
                             add_months, calendar_year, fiscal_year, fiscal_year_of, month_end,
                             month_period)

_MON = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
        r"aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)"


#: Components whose every count is the whole country's.
NATIONAL_AGENCIES = ("ICE", "USCIS", "TSA")
#: Kinds of figure. A percent change or a share is never a level's previous.
LEVEL, DAILY_AVERAGE, RECORD, PERCENT_CHANGE, CHANGE_IN_NUMBER, SHARE, RATE = (
    "level", "daily average", "record", "percent change", "change", "share", "rate")
#: Metrics that count what stands on a day (a backlog, people held), not what happened in a
#: period: "as of March 31" is their period, and a sentence that names none measures on the
#: day the release last named for one ("On the same date, 190,000 ...").
STOCKS = ("backlog", "net backlog", "gross backlog", "detention population", "alternatives to detention")
#: Roles: a figure the release reports, one it quotes for comparison, or the percent
#: change it gives for a reported figure.
REPORTED, COMPARED, CHANGE = "reported", "compared", "change"


@dataclass
class Figure:
    metric: str
    value: float
    unit: str
    period: Period
    scope: str = ""
    population: str = ""
    agency: str = ""
    kind: str = LEVEL
    qualifier: str = ""
    as_written: str = ""
    role: str = REPORTED
    text: str = ""
    #: The earlier figure the text quotes for this one ("compared with 117,901 in May").
    compared: list[Figure] = field(default_factory=list)
    #: A change the text states for this figure (percent, signed) and from which period.
    stated_change_pct: float | None = None
    stated_change_from: Period | None = None
    #: Neither the sentence nor the headline names the period: it is the first one the
    #: release's sentences name.
    period_assumed: bool = False

    @property
    def series(self) -> str:
        """Figures with the same key can be compared honestly."""
        # ICE, USCIS and TSA count the whole country, Border Patrol apprehends at the southwest
        # border unless another border is named, CBP One appointments are at its ports: the
        # words add nothing to the series
        scope = self.scope
        if (scope == "nationwide" and self.agency in NATIONAL_AGENCIES) or \
                (scope == "southwest border" and self.metric == "apprehensions" and self.agency == "USBP") or \
                (self.metric == "appointments" and scope in ("southwest border", "ports of entry",
                                                              "southwest border, ports of entry")):
            scope = ""  # CBP One appointments are at the southwest border's ports
        # a sum of money is never a count's value ("civil penalties of up to $15,000" beside the
        # year's 6,737 firearms)
        unit = ("dollars",) if self.unit == "dollars" else ()
        return " | ".join((self.metric, scope or "-", self.population or "all",
                           self.agency or "-", self.kind, self.period.kind, *unit))

    def stated_previous(self) -> tuple[float | None, Period] | None:
        """(value or None, period) of the immediately preceding period as the text states it;
        for a record, the record it beat ("beating the record of 2,883,595 set on June 30");
        for a stock counted on a day, the earlier day's count the text gives."""
        if self.kind == RECORD:
            beaten = [o for o in self.compared if o.kind == RECORD and o.period.end and self.period.start
                      and o.period.end < self.period.start]
            return (beaten[0].value, beaten[0].period) if len(beaten) == 1 else None
        if self.metric in STOCKS and self.kind == LEVEL and self.period.kind == DAY:
            # "37,500 held on June 9, up from 36,200 on May 26": a stock's previous reading is the
            # earlier day the release quotes, within a quarter (not a year-ago comparison)
            day = date.fromisoformat(self.period.start)
            readings = [o for o in self.compared if o.period.kind == DAY and o.kind == LEVEL
                        and 0 < (day - date.fromisoformat(o.period.start)).days <= 100]
            if readings:
                latest = max(readings, key=lambda o: o.period.start)
                return latest.value, latest.period
        before = self.period.preceding()
        if before is None:
            return None
        for other in self.compared:
            if other.period == before:
                return other.value, other.period
        if self.stated_change_pct is not None and self.stated_change_from == before:
            return None, before
        return None


# --- what is counted ------------------------------------------------------------------

_NATIONALITIES = ("mexican|guatemalan|honduran|salvadoran|venezuelan|cuban|haitian|nicaraguan|"
                  "colombian|ecuadorian|chinese|indian|ukrainian|russian|brazilian|peruvian|"
                  "romanian|turkish|afghan|dominican|jamaican|bahamian|nigerian|senegalese|"
                  "mauritanian|eritrean|somali|sudanese|vietnamese|filipino")

#: (metric, unit, pattern): the keyword nearest a number names what it counts.
METRICS = [
    # "400 removal flights": flights, not the people on them
    ("flights", "flights", r"(?:removal|repatriation|deportation|charter|international)\s+(?:[a-z]+\s+)?flights?\b"),
    ("removals and returns", "people", r"remov\w* (?:and|or) return\w*|returns? (?:and|or) remov\w*"),
    ("expulsions", "people", r"expul\w*|expell\w*"),
    ("appointments", "appointments", r"appointments?|book(?:ed|ings?)\b(?![^.]{0,40}\binto\b)"),
    ("apprehensions", "people", r"apprehen\w*|arrests for illegal crossings?|taken into (?:[\w-]+\s+)?custody|"
                                 # "took 3,100 unaccompanied children into custody"
                                 r"(?:took|take|takes|taking)\s+(?:[\w,-]+\s+){1,4}?into (?:[\w-]+\s+)?custody"),
    # "total southwest border enforcement actions": what CBP called its encounters until 2020
    ("encounters", "encounters", r"encounter\w*|turned away|inadmissibles?|illegal crossings?|"
                                 r"(?:border|total)\s+enforcement actions\b|"
                                 r"enforcement actions\b(?=\s+(?:on|at|along)\s+the\s+(?:southwest|southern|northern)\s+border)|"
                                 r"(?<=migrants )cross(?:ing|ed)|(?<=people )cross(?:ing|ed)"),
    ("removals", "people", r"remov(?:al|als|ed)\b|deport\w*"),
    ("returns", "people", r"returns\b|returned\b"),
    ("repatriations", "people", r"repatriat\w*"),
    # of people, not of drugs or guns ("interdicted 2,600 pounds of cocaine" is a seizure)
    ("interdictions", "people", r"interdict\w*(?![^.;]{0,60}\b(?:pounds|lbs|kilograms|kilos|kg|cocaine|marijuana|"
                                r"fentanyl|methamphetamine|drugs|narcotics|firearms|guns|weapons|vessels)\b)|"
                                r"(?:migrant )?interdictions? of migrants|migrant interdictions?"),
    ("releases", "people", r"releas(?:ed|es)\b"),
    ("criminal arrests", "people", r"criminal arrests?"),
    ("arrests", "people", r"arrest\w*"),
    # "lodged 165,487 detainers with jails": requests to hold someone, not people held
    ("detainers", "detainers", r"detainers?\b"),
    # enrolled in a monitoring program instead of detained: not the detention population
    ("alternatives to detention", "people", r"alternatives to detention|\bATD\b"),
    # "book-ins to ICE detention": admissions into detention over a period, not the people held
    ("book-ins", "people", r"book-ins?\b|book(?:ed|ings?|s)?\s+(?:[\w,.]+\s+){0,5}?into\b"),
    ("detention population", "people", r"average daily population|(?<!into )(?<!into ice )(?<!\bto )(?<!\bto ice )detention|"
                                        r"detained|"
                                        r"in (?:ice )?custody"),
    ("passengers screened", "passengers", r"screen\w*|passengers|travell?ers|checkpoint (?:volumes?|throughput)|"
                                          r"(?:pass\w*|went|go\w*|mov\w*|came) through (?:\w+ )?checkpoints|"
                                          r"(?:daily|passenger|traveler|travel) volumes?"),
    ("naturalizations", "people", r"naturaliz\w*|new (?:u\.s\. )?citizens|sworn in|swore in|took the oath|"
                                  r"became (?:u\.s\. |american )?citizens|"
                                  r"oath of allegiance"),
    ("work permits", "documents", r"employment authorization(?: documents?)?|work permits?|\bEADs?\b"),
    ("paroles", "people", r"paroled\b"),
    # "under the parole processes for ..., 530,000 people had arrived": arrivals on parole
    ("parole arrivals", "people", r"parole (?:process(?:es)?|programs?)\b(?=[^.;]{0,150}?\barriv(?:ed|als?)\b)|"
                                  r"arriv(?:ed|als?)\s+(?:under|through)\s+(?:the\s+)?(?:Uniting for Ukraine|U4U|"
                                  r"Operation Allies Welcome|(?:[\w-]+\s+){0,3}?parole)\b"),
    ("receipts", "cases", r"receipts?|filings|received|took in\b|applications filed|petitions filed"),
    ("completions", "cases", r"complet(?:ed|ions?)|adjudicat\w*|decisions"),
    ("net backlog", "cases", r"net backlog\w*"),
    ("gross backlog", "cases", r"gross backlog\w*"),
    ("backlog", "cases", r"backlog\w*(?:\s+of\s+(?:[\w-]+\s+){0,2}?(?:applications|petitions|cases|filings|requests))?|pending(?!\s+(?:criminal\s+)?(?:charges|trial|prosecution|removal|litigation|court|hearings?))"),
    # E-Verify, the employment eligibility check: the cases employers run and who runs them
    ("E-Verify cases", "cases", r"E-Verify\b(?=(?:[^.;]|\.\d){0,200}?\bcases\b)|cases\s+(?:run|processed|submitted)\s+"
                                r"(?:through|in|via)\s+E-Verify"),
    ("employers enrolled", "employers", r"employers\s+(?:were\s+|are\s+|had\s+)?(?:enrolled|registered|participating)|"
                                        r"(?:enrolled|participating)\s+employers"),
    ("hiring sites", "sites", r"hiring sites?"),
    ("processing time", "months", r"processing times?|(?:median|average) time to \w+|time to (?:decide|process|"
                                  r"complete|adjudicate)"),
    # "stopped 6,737 firearms at checkpoints": guns found on travellers are seized
    ("seizures", "seizures", r"seiz\w*|interdict\w*|intercept\w*|confiscat\w*|firearms?\b|guns\b"),
]
class _Named(list):
    """Named patterns, ``(name, ..., pattern)``, with one alternation of them all: most
    windows ``_nearest`` looks in hold none of them, and one scan says so instead of one a
    pattern."""

    def __init__(self, entries):
        super().__init__(entries)
        flags = {entry[-1].flags for entry in entries}
        assert len(flags) == 1, "one alternation needs one set of flags"
        self.any = re.compile("|".join(f"(?:{entry[-1].pattern})" for entry in entries), flags.pop())


_METRIC_RES = _Named([(name, unit, re.compile(r"\b(?:" + p + r")", re.I)) for name, unit, p in METRICS])
_PROCESSING_TIME = next(entry for entry in _METRIC_RES if entry[0] == "processing time")
#: Any metric, or pounds of something: a statement without one and a digit holds no figure.
_ANY_METRIC = re.compile(r"\b(?:" + "|".join(p for _, _, p in METRICS) + r"|pounds|lbs)", re.I)

_POPULATIONS = [
    ("family units", r"family[- ]units?(?:[- ]members)?|family members|members of family units|"
                     r"individuals in famil\w+|families"),
    ("unaccompanied children", r"unaccompanied (?:alien )?(?:children|minors|kids|youths?|juveniles)|\bUACs?\b|\bUCs\b|"
                               r"(?:children|minors) (?:travell?ing|who travell?ed|arriving|who arrived) (?:alone|"
                               r"without (?:a |their )?(?:parents?|guardians?|adults?))"),
    ("single adults", r"single adults?|(?:lone adults|adults travell?ing (?:alone|without (?:children|famil\w+)))"),
    ("unique individuals", r"unique (?:individuals|encounters|people)"),
    ("repeat encounters", r"repeat (?:encounters|crossers)|re-encounter\w*|prior encounter"),
    ("with criminal records", r"criminal (?:records?|convictions?|histor\w+|noncitizens|aliens)|convicted criminals"),
    ("under Title 42", r"title 42"),
    ("under Title 8", r"title 8\b"),
    ("CBP One", r"cbp one"),
    ("gotaways", r"got-?aways"),
    ("Northern Triangle", r"northern triangle"),
    # what was seized: fentanyl seizures are not methamphetamine seizures
    ("fentanyl", r"fentanyl"),
    ("methamphetamine", r"methamphetamine|\bmeth\b"),
    ("cocaine", r"cocaine"),
    ("heroin", r"heroin"),
    ("marijuana", r"marijuana|cannabis"),
    ("firearms", r"firearms?\b|guns\b"),
]
_POPULATION_RES = _Named([(name, re.compile(r"\b(?:" + p + r")", re.I)) for name, p in _POPULATIONS])
_COUNTRIES = {"mexico": "Mexican", "guatemala": "Guatemalan", "honduras": "Honduran", "el salvador": "Salvadoran",
              "venezuela": "Venezuelan", "cuba": "Cuban", "haiti": "Haitian", "nicaragua": "Nicaraguan",
              "colombia": "Colombian", "ecuador": "Ecuadorian", "china": "Chinese", "india": "Indian",
              "ukraine": "Ukrainian", "russia": "Russian", "brazil": "Brazilian", "peru": "Peruvian",
              "romania": "Romanian", "turkey": "Turkish", "afghanistan": "Afghan", "dominican republic": "Dominican",
              "jamaica": "Jamaican", "bahamas": "Bahamian", "nigeria": "Nigerian", "senegal": "Senegalese",
              "mauritania": "Mauritanian", "eritrea": "Eritrean", "somalia": "Somali", "sudan": "Sudanese",
              "vietnam": "Vietnamese", "philippines": "Filipino"}
_COUNTRY = r"(?:the\s+)?(?:" + "|".join(_COUNTRIES) + r")\b"
#: "people from Mexico", "7,900 were from Venezuela", "nationals of El Salvador, Guatemala and
#: Honduras", "removals to Guatemala" (where people are removed to is their country; not
#: "crossing from Mexico", a place)
_FROM_COUNTRY = re.compile(r"\b(?:(?:were|are|people|persons|migrants|nationals|citizens|individuals|those)\s+"
                           r"(?:from|of)|(?:removals|removed|deportations|deported|repatriations|repatriated|"
                           rf"people|persons|migrants|individuals|noncitizens)\s+(?:back\s+)?to)\s+({_COUNTRY}(?:(?:\s*,\s*|\s*,?\s+and\s+){_COUNTRY})*)", re.I)
#: "Cuban migrants", "Haitian interdictions", "40 Cubans"
_NATIONALITY = re.compile(rf"\b({_NATIONALITIES})(?:s\b|\s+(?:nationals|migrants|citizens|people|"
                          r"individuals|aliens|noncitizens|adults|children|families|interdictions|encounters|"
                          r"apprehensions|removals|arrests|expulsions|repatriations)\b)", re.I)

#: "498 were Haitian", "the rest were Cuban"
_NATIONALITY_PREDICATE = re.compile(rf"\b(?:were|was|are)\s+({_NATIONALITIES})\b", re.I)

#: Agencies named near a figure; a foreign government's figure is never a DHS series.
_AGENCIES = [
    ("Mexico", r"\bmexic(?:o|an)(?:'s)? (?:authorities|government|officials|immigration|national guard)|\bINM\b|"
               r"national (?:migration|immigration) institute|instituto nacional de migraci"),
    ("Panama", r"panama(?:nian|'s)? (?:authorities|government|officials|immigration|migration)|"
               r"panama (?:reported|recorded|says|counted)"),
    ("Canada", r"canad\w+(?:'s)? (?:authorities|government|border services|border agency)|\bCBSA\b|\bRCMP\b"),
    ("Guatemala", r"guatemalan (?:authorities|government)"),
    ("EOIR", r"immigration courts?|\bEOIR\b|executive office for immigration review"),
    ("HHS", r"\bHHS\b|office of refugee resettlement|\bORR\b|health and human services"),
    # other federal bodies and industry groups whose counts DHS releases quote beside their own
    ("State Department", r"\bstate department\b|\bdepartment of state\b"),
    ("FAA", r"\bFAA\b|federal aviation administration"),
    ("Airlines for America", r"\bairlines for america\b|\bA4A\b"),
    ("USBP", r"border patrol|\bUSBP\b"),
    ("OFO", r"office of field operations|\bOFO\b"),
    ("ICE", r"\bICE\b|\bERO\b|\bHSI\b|immigration and customs enforcement|homeland security investigations"),
    ("USCIS", r"\bUSCIS\b|citizenship and immigration services"),
    ("TSA", r"\bTSA\b|transportation security|\bTSOs?\b"),
    ("USCG", r"coast guard"),
    ("CBP", r"\bCBP\b|customs and border protection"),
]
_AGENCY_RES = [(name, re.compile(p, re.I)) for name, p in _AGENCIES]
#: Countries whose own counts DHS releases quote beside its own.
_FOREIGN_COUNTERS = ("Mexico", "Panama", "Canada", "Guatemala", "Honduras", "Colombia", "Costa Rica", "Bahamas")
#: "Panama's National Migration Service", "Mexico's Foreign Ministry": another country's office
_AGENCY_RES += [(country, re.compile(rf"\b{country}(?:'s|’s)\s+(?:(?-i:[A-Z])[\w-]+\s+){{0,4}}(?:institute|service|"
                                     r"ministry|agency|office|police|authorities|government|officials|secretariat)\b",
                                     re.I))
                for country in _FOREIGN_COUNTERS]
_FOREIGN_ADJECTIVES = {"Mexico": "Mexican", "Panama": "Panamanian", "Canada": "Canadian", "Guatemala": "Guatemalan",
                       "Honduras": "Honduran", "Colombia": "Colombian", "Costa Rica": "Costa Rican",
                       "Bahamas": "Bahamian"}
#: "Panama's figures show", "Mexican immigration authorities", "Honduran officials": the
#: country's own count (not "Mexican nationals", who are counted by whoever counts them)
_AGENCY_RES += [(country, re.compile(rf"\b(?:{country}(?:'s|’s)?|{_FOREIGN_ADJECTIVES[country]})\s+(?:own\s+|"
                                     r"(?:federal|national|immigration|migration|border|government)\s+){0,2}"
                                     r"(?:figures|data|numbers|counts?|statistics|tally|tallies|authorities|"
                                     r"government|officials|police|agents|ministry|institute|agency|service|"
                                     r"office|secretariat|defen[cs]e forces?|navy|armed forces)\b", re.I))
                for country in _FOREIGN_COUNTERS]
#: "Mexico detained 9,800 migrants", "Panama separately reported", "encounters in Mexico
#: reached 9,800": the country counts
_AGENCY_RES += [(country, re.compile(rf"\b{country}\s+(?:(?:also|separately|alone|itself|then|later|has|had|have|"
                                     r"on\s+\w+day)\s+){0,2}(?:encountered|apprehended|detained|deported|returned|"
                                     r"removed|intercepted|reported|recorded|counted|registered|stopped|said|says)\b|"
                                     r"\b(?:encounters|apprehensions|detentions|arrests|deportations|crossings)"
                                     rf"\s+(?:of\s+migrants\s+)?(?:in|by)\s+{country}\b", re.I))
                for country in _FOREIGN_COUNTERS]
_AGENCY_RES = _Named(_AGENCY_RES)

_REGIONS = [
    ("southwest border", r"south(?:west|ern) (?:land )?border|\bSWB?\b|u\.s\.-mexico border|"
                         r"(?:at|along|across) the border"),
    ("northern border", r"northern border|u\.s\.-canada border"),
    ("coastal", r"\bat sea\b|coastal|maritime"),
    ("nationwide", r"nationwide|nationally|all (?:u\.s\. )?borders|across the country"),
]
_REGION_RES = [(name, re.compile(p, re.I)) for name, p in _REGIONS]
_AT_THE_BORDER = re.compile(r"\b(?:at|along|across) the border\b", re.I)
_OFO = re.compile(r"office of field operations|\bOFO\b", re.I)
#: "the Tucson Sector", "the Laredo Field Office", "ERO Houston", "the Chicago area", "in
#: Texas": a part of the country or of the border, a series of its own
_SECTOR = re.compile(
    r"\b(?!(?:By|Each|Every|The|Per|Which|That|This|Its|Their|Our|Any|Other|Another|One|Busiest|Largest)\s)"
    r"(?P<name>(?:[A-Z][a-z]+\s+){1,3})(?P<kind>[Ss]ector|[Ff]ield [Oo]ffice|[Aa]rea of [Rr]esponsibility)\b|"
    r"\bthe\s+(?P<area>(?:[A-Z][a-z]+\s+){1,2})(?:metro(?:politan)?\s+)?area\b|"
    r"\bERO\s+(?P<ero>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b(?!\s+(?:[A-Z]|officers|agents|\())|"
    r"\b(?:in|across)\s+(?P<state>Texas|Arizona|California|New Mexico|Florida|New York|Illinois|Georgia|"
    r"Louisiana|Puerto Rico)\b")
#: "The sector logged 6,925 apprehensions": a sector the release named before, never the whole border
_THE_SECTOR = re.compile(r"\b[Tt]he sector\b(?!s)")
THE_SECTOR = "the sector"
#: Border Patrol's sectors, named without the word: "El Paso had the most apprehensions"
_SECTOR_NAME = re.compile(r"\b(San Diego|El Centro|Yuma|Tucson|El Paso|Big Bend|Del Rio|Laredo|Rio Grande Valley|"
                          r"Blaine|Spokane|Havre|Grand Forks|Detroit|Buffalo|Swanton|Houlton|Ramey)\b"
                          r"(?!\s+(?:[Ss]ector|[Ff]ield [Oo]ffice|[Pp]orts?|[Ss]tation))")
_BETWEEN_PORTS = re.compile(r"between (?:the )?ports(?: of entry)?|between poes?", re.I)
_AT_PORTS = re.compile(r"\b(?:at|through) (?:the |our |u\.s\. )?(?:(?:south(?:west|ern)|northern) (?:land )?(?:border )?)?"
                       r"(?:land )?ports? of entry|\bat (?:the )?poes?\b|\bat the ports\b(?!\s+of\b)", re.I)

# --- numbers ----------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,/-])(\$\s?)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(\s*(?:million|thousand|billion)\b|(?<=\d)[MBK]\b)?(\s*(?:percent\b|per cent\b|%|percentage points?))?",
    re.I)
_WORD_COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_WORD_NUMBER = re.compile(r"(?<![\w-])(one|two|three|four|five|six|seven|eight|nine|ten|half a)\s+(million|billion)\b",
                          re.I)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3, "m": 1e6, "b": 1e9}
_QUALIFIER = re.compile(
    r"\b(more than|over|nearly|almost|about|approximately|roughly|around|some|at least|"
    r"fewer than|less than|under|upwards of|an estimated|close to|just over|just under|"
    r"exceed(?:ed|s)?|a record(?: high of)?|a total of)\s+$", re.I)
#: Words right before a number that make it something else than a count.
_NOT_A_COUNT_BEFORE = re.compile(
    r"(?:\btitle|\bsection|\bsec\.|\bpart|\bno\.|\bnumber|\bcovid|\bh\.r\.|\bs\.|\bper|\bage|"
    r"\bages|\bphase|\bexecutive order|\bform|\bi-|\bproclamation|\bchapter|\bfirst|\bpast|\blast)\s*$",
    re.I)
_NOT_A_COUNT_AFTER = re.compile(
    r"^\s*(?:-?year|years|-day|days|hours|hour|minutes|weeks|-month|states|countries|"
    r"ports|sectors|miles|feet|a\.m\.|p\.m\.|th\b|st\b|nd\b|rd\b|\(g\))", re.I)
_POUNDS = re.compile(r"^\s*(?:pounds|lbs?\.?)\b", re.I)

_DECREASE = re.compile(r"\b(?:down|decreas\w*|declin\w*|drop\w*|fell|fall\w*|lower|fewer|less|"
                       r"plung\w*|plummet\w*|reduc\w*|cut|dipped|slid|shr[iau]nk\w*)\b", re.I)
_INCREASE = re.compile(r"\b(?:up|increas\w*|ris\w*|rose|higher|more|jump\w*|grew|grow\w*|surg\w*|"
                       r"climb\w*|spik\w*|ahead)\b", re.I)
#: "beating the record of 2,883,595", "The old mark of 2,882,915": the record a new one beat
_RECORD_BEATEN_WORDS = (r"\b(?:old|previous|prior|former) (?:single-day )?(?:record|mark|high)\b|"
                        r"\b(?:beat\w*|br[oe]ke\w*|breaking|surpass\w*|topp\w*|eclips\w*|exceed\w*)\s+"
                        r"(?:the|its|a)\s+(?:(?:previous|old|prior|former|all-time|single-day)\s+)*(?:record|mark|high)\b")
_RECORD_BEATEN = re.compile(_RECORD_BEATEN_WORDS, re.I)
#: Words that name the base of a comparison wherever one is read ("versus 2023", "relative to May")
_BASE_WORDS = r"versus|vs\.?|relative to|as opposed to|in contrast (?:to|with)"
_COMPARISON = re.compile(r"\b(?:"
                         # "down from 117,901", "from May"; not "were from Venezuela", "people from Mexico"
                         rf"from(?!\s+(?!{_MON}(?![a-z])|FY|fiscal|calendar|the\b|a\b|an\b|its\b)(?-i:[A-Z])[a-z]+)|"
                         rf"compar\w* (?:with|to)|{_BASE_WORDS}|than|when|double(?!-)|twice|triple|"
                         # ", against 1,688,900 a year earlier", "relative to 63.9 million in January"
                         r"(?<=,\s)against|(?:as|set|measured|stacked up) against|"
                         # "over the 28-day month" is a span; "over May", "over the same month" compare
                         r"over(?!\s+(?:the|a|an|its|this)\s+(?!same\b|previous\b|prior\b|last\b)"
                         r"(?:[\w-]+\s+){0,2}?(?:month|year|period|week|weekend|days?|holiday|span|stretch)s?\b)|"
                         r"same (?:month|period|time)|(?:same|similar|close|equal|comparable) (?:as|to)|since the|"
                         r"(?:level|even|flat|in line|on par) with|"
                         # "below the", "32 percent below June's 83,536": a base named by its period
                         r"(?:above|below)(?=\s+(?:the|that|its|last)\b|\s+(?:[\w.-]+\s+){0,2}?[\w.-]+['’]s\s+$)|"
                         # "818,500 in fiscal year 2024, following 878,500 in fiscal year 2023"
                         r"following(?=\s*$))\b|"
                         + _RECORD_BEATEN_WORDS, re.I)
_DAILY = re.compile(r"\bper day\b|\ba day\b|\beach day\b|(?<=s )every day\b|\bdaily\b|\baverag\w+ of\b(?=.*\bper day\b)|"
                    r"\baverage daily\b|\bdaily average\b|\b(?:seven|7)-day (?:rolling |moving )?average\b", re.I)
_RATE = re.compile(r"^\s*[\w\s]{0,30}?\b(?:per|for (?:every|each)) (?:one |1 )?(?:million|100,000|thousand|hundred|capita)",
                   re.I)  # "7.4 firearms for every million people screened"
#: "46 million more than in 2023" (a difference), not "removals to more than 170 countries"
_MORE_THAN_AFTER = re.compile(r"\s*(?:[a-z]+\s+){0,2}?(more|fewer|less|higher|lower)\s+than\b(?!\s*[$\d])", re.I)
#: "56,500 encounters was lower than the 61,400 reported": two levels compared, not a difference
_LEVELS_COMPARED = re.compile(r"\s*(?:[a-z]+\s+)?(?:was|were|is|are|stood|remained)\s+(?:[a-z]+\s+)?"
                              r"(?:more|fewer|less|higher|lower)\s+than\s+(?:the|that|its)\s+[$\d]", re.I)
#: "23% more than in February", "2% fewer than in April", "80% above": a change, not a share
_RELATIVE_AFTER = re.compile(r"\s*(more|fewer|less|higher|lower|greater|above|below)\b(?:\s+than\b)?(?!\s*[$\d])",
                             re.I)
#: "the busiest day in the agency's history", "the most ever in a single day"; not "the
#: third-busiest day", "the busiest day of the holiday period"
_RECORD = re.compile(r"\brecord\b|\bhighest (?:ever|on record)|\ball-time\b|\bsingle-day high\b|"
                     r"(?<![\w-])(?:most|highest|largest|busiest)\b[^.;]{0,60}\b(?:ever|on record|"
                     r"(?:in|on) (?:a|one) single day|in (?:its|the agency[’']s|TSA[’']?s?|the department[’']s) history)\b",
                     re.I)


# --- periods --------------------------------------------------------------------------


def _month_index(name: str) -> int:
    name = name.lower().rstrip(".")
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name[:3]))


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    period: Period
    #: "from May", "than in May", "same month last year": the base of a comparison.
    comparison: bool
    #: "before the order ended in May": when something happened, not what a figure covers.
    incidental: bool = False


class _Periods:
    """Every period expression in a sentence, resolved against the release's date."""

    _FY = re.compile(r"\b(?:fiscal (?:year )?(?:\(FY\)\s*)?|FY\s?)(\d{4}|\d{2})\b(?!\s*-\s*\d)|"
                     r"\b(\d{4})\s+fiscal year\b", re.I)
    #: "this fiscal year"; "the fiscal year total", "for the fiscal year now": the running one;
    #: "over the fiscal year": the one the release reports
    _FY_WORDS = re.compile(r"\b(this|last|the current|the previous|the prior|the preceding|the past) fiscal year\b|"
                           r"\b(the) fiscal year(?='s\b|\s+(?:total|tally|count|so far|now|to date)\b)|"
                           r"\bfor (the) fiscal year\b(?=[^.;\d]{0,30}\b(?:now|so far|to date)\b)|"
                           # "seized 27,000 pounds over the fiscal year": the one the release reports
                           r"\b(?:over|during|in|throughout|across|for) (the) fiscal year\b"
                           r"(?!\s*(?:\d|\(|that\b|which\b|began\b|started\b|end\w*\b|before\b|earlier\b|prior\b))", re.I)
    #: "for the full fiscal year" in a September update: the fiscal year of the month reported,
    #: whole (not "in any full fiscal year since 2009", a comparison)
    _WHOLE_FY = re.compile(r"\b(?:(?:for|over|during|in|across|throughout)\s+)?(?:the (?:full|entire|whole|complete) "
                           r"fiscal year\b|the whole of the fiscal year\b|the fiscal year as a whole\b)", re.I)
    _YTD = re.compile(r"\b(?:fiscal )?year[- ]to[- ]date\b|\bso far (?:this|in) (?:fiscal )?(?:year)?|"
                      r"\bto date\b", re.I)
    _QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) (?:calendar )?quarter (?:of )?(?:calendar year )?"
                          r"(fiscal year |FY ?)?(\d{4})\b|"
                          r"\bQ([1-4]) (FY ?)?(\d{4})\b", re.I)
    _HALF = re.compile(r"\b(first|second) half of (?:(?:calendar year |the year )?(\d{4})\b|"
                       r"(the|this|last|the current|the previous|the past) (?:calendar )?year\b(?!\s+\d))", re.I)
    _FULL_DATE = rf"(?:{_WEEKDAY})?({_MON})\s+(\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
    _RANGE = re.compile(
        rf"\b(?:(?:from|between|since)\s+)?{_FULL_DATE},?\s*(?:to|through|and|until|-|–)\s*{_FULL_DATE}", re.I)
    _DAY_RANGE = re.compile(
        rf"\b(?:(?:from|between)\s+)?({_MON})\s+(\d{{1,2}})\s*(?:-|–|to|through|and)\s*(\d{{1,2}})(?!\d)(?:,?\s+(\d{{4}}))?",
        re.I)
    _MONTH_RANGE = re.compile(
        rf"\b(?:from|between)\s+({_MON})\s*(\d{{4}})?\s*(?:to|through|and|until|-|–)\s+({_MON})\s*(\d{{4}})?\b", re.I)
    #: "January through March 2024", "October–December 2023"
    _MONTH_SPAN = re.compile(
        rf"\b({_MON})\s*(\d{{4}})?\s*(?:through|thru|-to-|-|–)\s*({_MON})\s*(\d{{4}})?(?![\w-])", re.I)
    _SINCE = re.compile(rf"\b(since|beginning|starting)\s+(?:on\s+)?{_FULL_DATE}", re.I)
    _SINCE_MONTH = re.compile(rf"\b(since)\s+(?:(?:its|the|the app's|the program's)\s+)?(?:(?:launch|start|"
                              rf"inception|creation|introduction)\s+(?:in\s+)?)?({_MON})(?:\s+(\d{{4}}))?(?![\w-])",
                              re.I)
    #: "since the app began offering appointments in January", "since launching the
    #: operation in early August": counted from then, not during that month
    _SINCE_EVENT = re.compile(rf"\bsince\s+(?:[\w'’.-]+,?\s+){{1,14}}?in\s+(?:(?:early|mid|late)[- ]\s*)?"
                              rf"({_MON})(?:,?\s+(\d{{4}}))?(?![\w-])", re.I)
    _MONTHS_SINCE = re.compile(r"\b(?:in|over|during)\s+the\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|"
                               r"ten|eleven|twelve)\s+months\s+$", re.I)
    _SINCE_EVENT_DAY = re.compile(rf"\bsince\s+(?:[\w'’.-]+\s+){{1,14}}?on\s+{_FULL_DATE}", re.I)
    _NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "eleven", "twelve")
    #: "fiscal year 2024 through August", "FY2024 apprehensions through March", "the first
    #: five months of FY2024", "the first half of fiscal year 2024", "2024 through May": a
    #: year from its start to a month's end (never the month alone, nor the whole year)
    _YEAR_PART = re.compile(
        rf"\b(?:(fiscal (?:year )?|FY\s?)|(?:calendar year|CY|in)\s?)(\d{{4}}),?\s+(?:[a-z-]+,?\s+){{0,3}}?(?:through|thru)\s+"
        rf"(?:the end of\s+)?({_MON})\b|"
        rf"\bfirst\s+(\w+)\s+(months?|quarters?)\s+of\s+(?:(fiscal (?:year )?|FY\s?|calendar year |CY\s?)?(\d{{4}})|"
        rf"(?:the |this |the current |last |the previous |the prior )(fiscal )?year)\b|"
        rf"\bfirst half of\s+(fiscal (?:year )?|FY\s?)(\d{{4}})\b", re.I)
    #: "year to date" with no year named: the current fiscal year's (DHS counts fiscal
    #: years) unless it says calendar; "so far this year" is the calendar year's
    _TO_DATE = re.compile(r"\b(fiscal|calendar)?[- ]?year[- ]to[- ]date\b|\bso far this (calendar )?year\b|\bFYTD\b",
                          re.I)
    _THROUGH_MONTH = re.compile(rf"(?:[^.;]|\.(?=\d)){{0,80}}?\b(?:through|thru)\s+(?:the end of\s+)?({_MON})\b(?!\s+\d)", re.I)
    #: "the 12 months ending in June", "the six-month period ended March 31"
    #: "the two weeks ending July 14", "the first week of September"
    _WEEKS_ENDING = re.compile(rf"\b(\d|one|two|three|four|five|six)[- ]weeks?(?:[- ]period)?\s+(?:ending|ended|through)\s+"
                               rf"(?:on\s+)?{_FULL_DATE}", re.I)
    _WEEK_OF_MONTH = re.compile(rf"\b(first|second|third|fourth|last|final)\s+(?:full\s+)?week\s+of\s+({_MON})"
                                rf"(?:,?\s+(\d{{4}}))?(?![\w-])", re.I)
    _DAYS_AROUND = re.compile(rf"\b(\d{{1,3}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+days\s+"
                              rf"(before|prior to|leading up to|after|following)\s+(?:[\w'’-]+\s+){{0,6}}?(?:on\s+)?"
                              rf"{_FULL_DATE}", re.I)
    _PAST_YEARS = re.compile(r"\b(?:(?:over|in|during|across)\s+)?(?:the\s+)?(?:past|last|previous)\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)"
                             r"\s+(fiscal|calendar)\s+years\b", re.I)
    _SEVEN_DAY = re.compile(r"\b(?:seven|7)-day (?:rolling |moving )?average\b", re.I)
    #: "4.3 million cases at the end of September": a count taken on the month's last day
    _AT_END = re.compile(rf"\bat the (?:end|close) of ({_MON})(?:,?\s+(\d{{4}}))?(?![\w-])", re.I)
    _THROUGH_END = re.compile(rf"\b(?:through|thru|as of) the end of ({_MON})(?:,?\s+(\d{{4}}))?(?![\w-])", re.I)
    _MONTHS_ENDING = re.compile(
        rf"\b(\d{{1,2}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ]months?"
        rf"(?:[- ]period)?\s+(?:ending|ended|through)\s+(?:in\s+)?({_MON})(?:\s+\d{{1,2}})?(?:,?\s+(\d{{4}}))?", re.I)
    #: "the week ending June 15", "the week of June 9"
    _WEEK_OF = re.compile(rf"\bweek (ending|ended|of)\s+{_FULL_DATE}", re.I)
    _DAY = re.compile(rf"\b(?:on\s+)?{_FULL_DATE}", re.I)
    _MONTH = re.compile(rf"\b({_MON})(?:\s+of)?(?:,?\s+(\d{{4}}))?(?![\w-])", re.I)
    _CALENDAR = re.compile(r"\b(?:calendar year|calendar|CY)\s?(\d{4})\b|\b(?:the\s+)?(\d{4}) calendar year\b|"
                           r"\b(?:in|during|for|of|throughout|through|all of)\s+(\d{4})\b(?!\s*(?:-|–|to)\s*\d)|"
                           r"\b(?:the|its|a)\s+(\d{4})\s+(?=(?:total|figure|level|count|number)\b)", re.I)
    _MONTH_LAST_YEAR = re.compile(rf"\b({_MON})\s+(?:of\s+)?last year\b", re.I)
    _RELATIVE_MONTH = re.compile(r"\b(last month|the previous month|the prior month|this month|"
                                 r"the month before|a month earlier)\b", re.I)
    _LAST_YEAR = re.compile(r"\b(?:(the |this |that )?(?:same )?(month|period|time|quarter) (?:of |in )?last year|"
                            r"(?:this time )?(?:a|one) year (?:earlier|ago|before)|"
                            r"(?:the )?same (month|period) (?:a year (?:earlier|ago)|in the previous year)|"
                            r"(last year|the previous year|the prior year|the preceding year|the year before))\b", re.I)
    _WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    _ON_WEEKDAY = re.compile(rf"\b(on|this past|last|past) ((?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
                             rf"(?!,?\s+{_MON}\s+\d)", re.I)
    _RECENT_QUARTER = re.compile(r"\b(?:the )?(?:most recent|last|previous|past) quarter\b", re.I)
    _WEEK = re.compile(r"\b(?:in |during |over )?(?:the )?(?:(past|last|previous|prior) (?:seven days|7 days|week)|"
                       r"week (?:before|earlier))\b", re.I)
    _INCIDENTAL = re.compile(r"\b(?:ended|expired|lapsed|closed|concluded|began|begun|lifted|took effect|ending|"
                             r"launched|issued|signed|announced|introduced)\s+(?:on\s+|in\s+)?$", re.I)
    #: "the June 4 proclamation", "the Jan. 12 launch": a day that names an act, not a period counted
    _NAMED_BY_DAY = re.compile(r",?\s+(?:[\w-]+\s+){0,3}?(?:proclamation|rule|order|memo(?:randum)?|announcement|launch|"
                               r"deadline|decision|ruling|directive|guidance|agreement|policy|executive action|"
                               r"expiration|implementation|rollout|transition|change)s?\b", re.I)
    #: "since the start of the fiscal year", "since the fiscal year began October 1", "since the
    #: new fiscal year got under way in October", "in the fiscal year that began Oct. 1": the
    #: current fiscal year to date
    _START_OF_FY = re.compile(
        r"\b(?:since (?:the (?:start|beginning|opening|outset) of (?:the|this) (?:new |current )?fiscal year|"
        r"(?:the|this) (?:new |current )?fiscal year (?:began|started|opened|got under ?way|kicked off|commenced))|"
        r"(?:in|during|for|over|so far in) (?:the|this) (?:new |current )?fiscal year,? (?:that|which) "
        r"(?:began|started|opened|got under ?way|kicked off|commenced))"
        r"(?:,?\s+(?:on\s+|in\s+)?(?:Oct(?:ober|\.)?)(?:\s+1(?:st)?)?(?:,?\s+\d{4})?)?(?![\w-])", re.I)
    _COMPARE_BEFORE = re.compile(
        r"(?:\bfrom|\bthan(?: in| during| for)?|\bcompared (?:with|to)(?: the)?(?: \w+)?(?: in| during| for)?|"
        # "32 percent below June's 83,536", "above May": a period named right after above or below
        r"\b(?:above|below)|"
        rf"\b(?:{_BASE_WORDS})|\bagainst|\bover|\bsince|\b(?:level|even|flat|in line|on par) with|"
        r"\b(?:double|twice|triple|half)(?:\s+that\s+of|\s+the)?)\s*(?:in\s+|during\s+)?$|"
        # "54% below the count for August 2023", "ahead of the pace of 2023": a base named by a noun
        # "ahead of the same stretch of 2022" (whose "of" the period's words may take)
        r"\b(?:above|below|under|over|behind|ahead of|short of|than|from|with|to|compared (?:with|to)|versus)\s+"
        r"(?:the|that|its)\s+(?:[\w-]+\s+){0,2}?(?:count|total|tally|level|figure|number|pace|mark|stretch|period|"
        r"span)s?(?:\s+(?:for|of|in|during|from))?\s*$|"
        # "the lowest monthly total since January 2021": a comparison, not what is counted
        r"\b(?:lowest|highest|fewest|most|least|largest|smallest|biggest|first time)(?:\s+[\w-]+){0,3}\s*$",
        re.I)

    def __init__(self, text: str, anchor: date | None, context: Period | None,
                 starts: dict[tuple[int, int], date] | None = None, same: Period | None = None):
        self.anchor = anchor
        self.context = context
        self.same = same
        self.found: list[_Mention] = []
        taken: list[tuple[int, int]] = []
        lower = text.lower()

        def scan(pattern, *cues):  # most sentences have none of a pattern's words: skip it
            return pattern.finditer(text) if any(cue in lower for cue in cues) else ()

        def add(match, period, start=None, end=None):
            start = match.start() if start is None else start
            end = match.end() if end is None else end
            if period is None or any(s < end and start < e for s, e in taken):
                return
            taken.append((start, end))
            before = text[max(0, start - 30):start]
            # "compared with 9,860 in May": the base of a comparison
            comparison = bool(self._COMPARE_BEFORE.search(before)
                              or self._COMPARED_NUMBER.search(text[max(0, start - 60):start]))
            incidental = bool(self._INCIDENTAL.search(before)) or (
                period.kind == DAY and bool(re.search(r"\bthe\s+$", before, re.I))
                and bool(self._NAMED_BY_DAY.match(text, end)))
            self.found.append(_Mention(start, end, period, comparison, incidental))

        self._points_in_time(text, add, scan)
        for m in scan(self._HOLIDAY, 'thanksgiving', 'memorial day', 'labor day', 'independence day',
                      'fourth of july', 'christmas'):
            if m.group(1) or not self._AROUND_HOLIDAY.search(text, 0, m.start()):
                add(m, self._holiday(m))
        for m in self._RANGE.finditer(text):
            first = self._date(m.group(1), m.group(2), m.group(3) or m.group(6))
            last = self._date(m.group(4), m.group(5), m.group(6) or (first and str(
                first.year + (_month_index(m.group(4)) < first.month))))
            if first and last and first <= last:
                add(m, _range_or_year_to_date(first, last))
        for m in self._DAY_RANGE.finditer(text):  # "Nov. 22-28", "May 12 through 31, 2023"
            first = self._date(m.group(1), m.group(2), m.group(4))
            if first and int(m.group(2)) < int(m.group(3)) and not re.match(r",?\d", text[m.end():m.end() + 2]):
                try:
                    add(m, Period(RANGE, first.isoformat(), first.replace(day=int(m.group(3))).isoformat()))
                except ValueError:
                    pass
        for m in [*self._MONTH_RANGE.finditer(text), *self._MONTH_SPAN.finditer(text)]:
            year2 = int(m.group(4)) if m.group(4) else self._year_of(_month_index(m.group(3)))
            if year2 is None:
                continue
            i1, i2 = _month_index(m.group(1)), _month_index(m.group(3))
            year1 = int(m.group(2)) if m.group(2) else (year2 if i1 <= i2 else year2 - 1)
            first, last = date(year1, i1, 1), month_end(year2, i2)
            kind = QUARTER if (i2 - i1) % 12 == 2 and i1 in (1, 4, 7, 10) else RANGE
            add(m, Period(kind, first.isoformat(), last.isoformat()))
        for m in self._QUARTER.finditer(text):
            number = ("first second third fourth".split().index(m.group(1).lower()) + 1
                      if m.group(1) and m.group(1)[0].isalpha() else int((m.group(1) or m.group(4))[0]))
            fiscal = bool(m.group(2) or m.group(5))
            year = int(m.group(3) or m.group(6))
            first = add_months(date(year - 1, 10, 1), 3 * (number - 1)) if fiscal \
                else date(year, 3 * number - 2, 1)
            add(m, Period(QUARTER, first.isoformat(), (add_months(first, 3) - timedelta(days=1)).isoformat()))
        for m in scan(self._HALF, 'half'):
            if m.group(2):
                year = int(m.group(2))
            elif self.context and self.context.kind in (QUARTER, CALENDAR_YEAR, MONTH) \
                    and m.group(3).lower() in ("the", "this", "the current"):
                year = int(self.context.start[:4])  # "the first half of the year" in a release about Q3 2024
            elif self.anchor:  # a calendar year: the fiscal one is "the first half of fiscal year 2024"
                year = self.anchor.year - (m.group(3).lower() in ("last", "the previous", "the past"))
            else:
                continue
            first = date(year, 1 if m.group(1).lower() == "first" else 7, 1)
            add(m, Period(RANGE, first.isoformat(), (add_months(first, 6) - timedelta(days=1)).isoformat()))
        for m in scan(self._SINCE, 'since', 'beginning', 'starting'):
            first = self._date(m.group(2), m.group(3), m.group(4))
            if first:
                add(m, self._since(first))
        for m in scan(self._SINCE_MONTH, 'since'):
            index = _month_index(m.group(2))
            year = int(m.group(3)) if m.group(3) else self._year_of(index)
            if year:
                add(m, self._since(date(year, index, 1)))
        for m in scan(self._SINCE_EVENT_DAY, 'since'):
            first = self._date(m.group(1), m.group(2), m.group(3))
            if first:  # "since the app began offering appointments on Jan. 12"
                add(m, self._since(first))
        for m in scan(self._SINCE_EVENT, 'since'):
            index = _month_index(m.group(1))
            year = int(m.group(2)) if m.group(2) else self._year_of(index)
            if year:  # "launched in early August": the day the release gives elsewhere, if any
                first = (starts or {}).get((year, index)) or date(year, index, 1)
                months = self._MONTHS_SINCE.search(text, 0, m.start())
                count = self._count(months.group(1)) if months else 0
                if months and first.day == 1 and 1 <= count <= 24 and self.anchor \
                        and add_months(first, count) <= self.anchor:
                    # "in the six months since the processes were expanded in January": six whole months
                    add(m, Period(RANGE, first.isoformat(), (add_months(first, count) - timedelta(days=1)).isoformat()),
                        start=months.start())
                else:
                    add(m, Period(CUMULATIVE, first.isoformat(), self._running_end(first)))
        for m in scan(self._YEAR_PART, 'through', 'thru', 'first'):
            add(m, self._year_part(m))
        for m in scan(self._DAYS_AROUND, ' days '):
            count = self._count(m.group(1))
            day = self._date(m.group(3), m.group(4), m.group(5))
            if day and 1 <= count <= 120:  # "the seven days before the proclamation took effect on June 5"
                first, last = ((day - timedelta(days=count), day - timedelta(days=1)) if m.group(2).lower() in (
                    "before", "prior to", "leading up to") else (day + timedelta(days=1), day + timedelta(days=count)))
                add(m, Period(RANGE, first.isoformat(), last.isoformat()))
        for m in scan(self._PAST_YEARS, ' years'):
            count = self._count(m.group(1))
            if self.anchor and 2 <= count <= 12:  # "over the past four fiscal years": the last ones complete
                fiscal = m.group(2).lower().startswith("fiscal")
                last = (fiscal_year_of(self.anchor) - 1) if fiscal else self.anchor.year - 1
                first, end = (fiscal_year(last - count + 1).start, fiscal_year(last).end) if fiscal else (
                    f"{last - count + 1}-01-01", f"{last}-12-31")
                add(m, Period(CUMULATIVE, first, end))
        for m in scan(self._WEEKS_ENDING, 'week'):
            count = self._count(m.group(1))
            last = self._date(m.group(2), m.group(3), m.group(4))
            if last:
                first = last - timedelta(days=7 * count - 1)
                add(m, Period(WEEK if count == 1 else RANGE, first.isoformat(), last.isoformat()))
        for m in scan(self._WEEK_OF_MONTH, 'week of'):
            index = _month_index(m.group(2))
            year = int(m.group(3)) if m.group(3) else self._year_of(index)
            if year:
                order = m.group(1).lower()
                end = month_end(year, index)
                first = end - timedelta(days=6) if order in ("last", "final") else date(
                    year, index, 1 + 7 * ("first", "second", "third", "fourth").index(order))
                add(m, Period(RANGE, first.isoformat(), (first + timedelta(days=6)).isoformat()))
        for m in scan(self._THROUGH_END, 'end of'):
            index = _month_index(m.group(1))
            year = int(m.group(2)) if m.group(2) else self._year_of(index)
            if year:  # "Through the end of August": the fiscal year to that month's end
                add(m, _year_to_date(year, index))
        for m in scan(self._AT_END, 'end of', 'close of'):
            index = _month_index(m.group(1))
            year = int(m.group(2)) if m.group(2) else self._year_of(index)
            if year:
                last = month_end(year, index).isoformat()
                add(m, Period(DAY, last, last))
        for m in scan(self._MONTHS_ENDING, 'month'):
            count = self._count(m.group(1))
            index = _month_index(m.group(2))
            year = int(m.group(3)) if m.group(3) else self._year_of(index)
            if year and 1 <= count <= 24:
                first = add_months(date(year, index, 1), 1 - count)
                add(m, Period(RANGE, first.isoformat(), month_end(year, index).isoformat()))
        for m in scan(self._WEEK_OF, 'week'):
            day = self._date(m.group(2), m.group(3), m.group(4))
            if day:
                first = day if m.group(1).lower() == "of" else day - timedelta(days=6)
                add(m, Period(WEEK, first.isoformat(), (first + timedelta(days=6)).isoformat()))
        ytd = self._YTD.search(text)
        for m in self._FY.finditer(text):
            year = _year(m.group(1) or m.group(2))
            # "so far in fiscal year 2024", or fiscal year 2024 in a release from its course
            if self.anchor and fiscal_year(year).start <= self.anchor.isoformat() <= fiscal_year(year).end \
                    and (ytd or self.anchor.isoformat() < fiscal_year(year).end):
                add(m, Period(YEAR_TO_DATE, fiscal_year(year).start, self._ytd_end()))
            else:
                add(m, fiscal_year(year))
        for m in scan(self._WHOLE_FY, 'fiscal year'):
            if reported := self._reported_fiscal_year():
                add(m, reported)
            elif self.anchor:  # the last fiscal year over by the release
                add(m, fiscal_year(fiscal_year_of(self.anchor) - 1))
        for m in scan(self._FY_WORDS, 'fiscal year'):
            which = next(g for g in m.groups() if g).lower()
            if which in ("the previous", "the prior", "the preceding", "the past") and self.context \
                    and self.context.kind == FISCAL_YEAR:
                add(m, self.context.preceding())  # the fiscal year before the one reported
            elif which == "the" and (reported := self._reported_fiscal_year()) and self.anchor \
                    and reported.end < self.anchor.isoformat():
                # "the fiscal year total" in October's release about September: the year reported
                # (over by the release), whole once the period reported reaches its end
                add(m, reported if self.context.end >= reported.end
                    else Period(YEAR_TO_DATE, reported.start, self.context.end))
            elif self.anchor:
                current = fiscal_year_of(self.anchor)
                year = current if which in ("this", "the current", "the") else current - 1
                if year == current or ytd:
                    add(m, Period(YEAR_TO_DATE, fiscal_year(year).start, self._ytd_end()))
                else:
                    add(m, fiscal_year(year))
        if not any(f.period.kind in (FISCAL_YEAR, YEAR_TO_DATE) for f in self.found):
            for m in self._TO_DATE.finditer(text):
                if self.anchor and (m.group(1) or m.group(2) or "").lower().startswith("calendar") \
                        or (self.anchor and m.group(0).lower().startswith("so far")):
                    add(m, Period(YEAR_TO_DATE, f"{self.anchor.year}-01-01", self._ytd_end()))
                elif self.anchor:
                    current = fiscal_year_of(self.anchor)
                    through = self._THROUGH_MONTH.match(text, m.end())
                    index = _month_index(through.group(1)) if through else None
                    if index and date(current - (index >= 10), index, 1) <= self.anchor:
                        # "year-to-date apprehensions reached 1.5 million through June": to June's end
                        end = month_end(current - (index >= 10), index).isoformat()
                        add(m, Period(YEAR_TO_DATE, fiscal_year(current).start, end), end=through.end())
                    else:
                        add(m, Period(YEAR_TO_DATE, fiscal_year(current).start, self._ytd_end()))
        for m in scan(self._RECENT_QUARTER, 'quarter'):
            if self.anchor:
                first = add_months(date(self.anchor.year, (self.anchor.month - 1) // 3 * 3 + 1, 1), -3)
                add(m, Period(QUARTER, first.isoformat(),
                              (add_months(first, 3) - timedelta(days=1)).isoformat()))
        for m in scan(self._WEEK, 'week', 'days'):
            base = self._earlier(WEEK, m.start())
            if base and (m.group(1) or "previous").lower() in ("previous", "prior"):
                add(m, base.preceding())  # "up from 36,900 the previous week"
            elif self.anchor:
                add(m, Period(WEEK, (self.anchor - timedelta(days=7)).isoformat(),
                              (self.anchor - timedelta(days=1)).isoformat()))
        for m in self._ON_WEEKDAY.finditer(text):
            if self.anchor:  # "on Sunday" in Monday's release: the latest Sunday; "on Monday", that
                # day; "last Monday", the one before
                back = (self.anchor.weekday() - self._WEEKDAYS.index(m.group(2).lower()[:3])) % 7 or (
                    7 if m.group(1).lower() != "on" else 0)
                day = (self.anchor - timedelta(days=back)).isoformat()
                add(m, Period(DAY, day, day))
        for m in scan(self._MONTH_LAST_YEAR, 'last year'):
            if self.anchor:  # "June of last year"
                add(m, month_period(self.anchor.year - 1, _month_index(m.group(1))))
        for m in self._DAY.finditer(text):
            when = self._date(m.group(1), m.group(2), m.group(3))
            if when and not re.search(r"\b(?:through|until|to|ending|ended)\s+$", text[max(0, m.start() - 12):m.start()], re.I):
                add(m, Period(DAY, when.isoformat(), when.isoformat()))
        for m in self._MONTH.finditer(text):
            if m.group(1).lower() == "may" and not m.group(2) and not re.search(
                    r"\b(?:in|of|for|during|since|from|than|through|and|to)\s+$", text[max(0, m.start() - 8):m.start()], re.I) \
                    and not re.match(r"\s*:", text[m.end():]):  # "May: 117,901" is the month
                continue  # the verb "may"
            if not m.group(2) and m.group(1).lower() in ("mar", "jun", "jul", "aug", "oct", "dec", "sept", "sep", "nov", "jan", "feb", "apr") \
                    and not m.group(1).endswith("."):
                pass
            index = _month_index(m.group(1))
            year = int(m.group(2)) if m.group(2) else self._year_of(index)
            if year:
                add(m, month_period(year, index))
        for m in self._CALENDAR.finditer(text):
            year = int(m.group(1) or m.group(2) or m.group(3) or m.group(4))
            if self.anchor and year == self.anchor.year and self.anchor.isoformat() < f"{year}-12-31":
                add(m, Period(YEAR_TO_DATE, f"{year}-01-01", self._ytd_end()))  # a year still running
            elif 1990 <= year <= 2100:
                add(m, calendar_year(year))
        for m in scan(self._RELATIVE_MONTH, 'month'):
            # "last month" is the month before the release; "the previous month", the one
            # before the month the sentence (or else the release) reports
            base = self._earlier(MONTH, m.start()) or (
                self.context if self.context and self.context.kind == MONTH else None)
            if m.group(1).lower() == "this month" and self.anchor:
                add(m, month_period(self.anchor.year, self.anchor.month))
            elif base and (m.group(1).lower() != "last month" or self._comparing(text, m.start())):
                add(m, base.preceding())
            elif self.anchor:
                first = add_months(date(self.anchor.year, self.anchor.month, 1), -1)
                add(m, month_period(first.year, first.month))
        for m in scan(self._LAST_YEAR, 'year'):
            base = self.context
            year = self._earlier(FISCAL_YEAR, m.start()) or self._earlier(CALENDAR_YEAR, m.start()) or (
                base if base and base.kind in (FISCAL_YEAR, CALENDAR_YEAR) else None)
            if m.group(4) and year and (m.group(4).lower() != "last year" or self._comparing(text, m.start())):
                # "267,258 in fiscal year 2019, up from 256,085 the year before": the year before
                # the one reported, of its kind (a fiscal year's is a fiscal year)
                add(m, _shift_year(year, -1))
            elif m.group(4) and not (base and base.kind == MONTH and re.search(
                    r"\b(?:month|period)\b", text[max(0, m.start() - 40):m.start()], re.I)):
                if self.anchor:
                    add(m, calendar_year(self.anchor.year - 1))
            else:  # "a year earlier": the period the sentence names before it, else the release's
                tiling = (MONTH, QUARTER, DAY, WEEK, RANGE, FISCAL_YEAR, CALENDAR_YEAR)
                own = [f for f in self.found if f.end <= m.start() and not f.comparison and f.period.kind in tiling]
                base = max(own, key=lambda f: f.start).period if own else base
                if base and base.kind in tiling:
                    add(m, _shift_year(base, -1))
        if self._SEVEN_DAY.search(text):  # "As of July 28, the seven-day average": the week to that day
            self.found = [replace(m, period=Period(RANGE, (date.fromisoformat(m.period.start) - timedelta(days=6))
                                                   .isoformat(), m.period.end))
                          if m.period.kind == DAY and not m.comparison else m for m in self.found]
        # "Through the end of August, ... in fiscal year 2024": the year to date ends with August
        ends = {m.period.start: m.period.end for m in self.found
                if m.period.kind == YEAR_TO_DATE and self._THROUGH_END.fullmatch(text, m.start, m.end)}
        self.found = [replace(m, period=replace(m.period, end=ends[m.period.start]))
                      if m.period.kind == YEAR_TO_DATE and m.period.start in ends else m for m in self.found]
        self._running_totals_end(text)
        self.found.sort(key=lambda f: f.start)

    #: "nearly 278,000 people had booked ... through September 30": the day a running count ends
    _THROUGH_DAY = re.compile(rf"\b(?:through|thru|until|up to|as of)\s+{_FULL_DATE}(?!\s*(?:-|–|,?\s+and)\s*\d)", re.I)

    def _running_totals_end(self, text: str) -> None:
        """"Since ... on January 12, nearly 278,000 people had used it ... through September 30":
        a count since a day runs to the one day the sentence says it runs through (when that
        day is after its start and not after the release), not to the release."""
        if not any(word in text.lower() for word in ("through", "thru", "until", "up to", "as of")) \
                or not any(f.period.kind == CUMULATIVE for f in self.found):
            return
        ends = [m for m in self._THROUGH_DAY.finditer(text) if not any(f.start <= m.start() < f.end for f in self.found)]
        days = {self._date(m.group(1), m.group(2), m.group(3)) for m in ends}
        if len(days) != 1 or None in days:
            return
        last = days.pop()
        if self.anchor and last > self.anchor:
            return
        running = [f for f in self.found if f.period.kind == CUMULATIVE and not f.comparison and f.period.start
                   and f.period.start < last.isoformat()]
        if not running:
            return
        self.found = [replace(f, period=replace(f.period, end=last.isoformat())) if f in running else f
                      for f in self.found
                      # "as of September 30" ends the count: not a day of its own ("Through July
                      # 31, 2024" read as the month of July neither)
                      if not (f.period.kind in (DAY, MONTH) and f.period.end == last.isoformat()
                              and any(m.start() <= f.start < m.end() for m in ends))]

    #: "since the rule took effect on June 5, and through August 19": from one day to another
    _SINCE_THROUGH = re.compile(rf"\bsince\s+(?:[\w'’.-]+\s+){{0,14}}?(?:on\s+)?{_FULL_DATE},?\s+(?:and\s+)?"
                                rf"(?:through|thru|until|up to)\s+{_FULL_DATE}", re.I)
    #: "closed June with 8.6 million pending cases": a level on the month's last day (like
    #: "at the end of June", ``_AT_END``), not over the month
    _MONTH_END = re.compile(rf"\b(?:closed|ended|finished)\s+({_MON})(?:,?\s+(\d{{4}}))?\s+with\b", re.I)
    #: "over the same eleven months", "in that same period": the period of the figure reported just
    #: before (not "the same period last year", "the same month a year earlier")
    _SAME_SPAN = re.compile(r"\b(?:over|during|in|for|across|within)\s+(?:the|that|those)\s+same\s+(?:[\w-]+\s+){0,2}?"
                            r"(?:months?|period|span|stretch|weeks?|days|time(?:frame| frame)?|quarter|year)\b"
                            r"(?!,?\s+(?:a|one|last|the previous|the prior|in the previous|of|in \d|\d))", re.I)
    #: "the southwest border total through May": a year to date, by a month named without a year
    _TOTAL_THROUGH = re.compile(rf"\b(?:total|tally|count)s?\s+(?:so far\s+)?(?:through|thru)\s+(?:the end of\s+)?"
                                rf"({_MON})\b(?!\s+\d)", re.I)
    #: "a reduction of 200,000 over the quarter": the quarter the release is about
    _THE_QUARTER = re.compile(r"\b(?:over|during|in|for|throughout) the quarter\b", re.I)
    #: "stood at 1.35 million at quarter's end": a level on the last day of the quarter reported
    _QUARTER_END = re.compile(r"\b(?:at|by) (?:the )?quarter[’']s (?:end|close)\b|"
                              r"\b(?:at|by) the (?:end|close) of the quarter\b", re.I)

    #: "over fiscal years 2021 through 2024", "FY2021 to FY2024": whole fiscal years, end to end
    _FISCAL_YEARS = re.compile(r"\b(?:(?:from|between)\s+)?(?:fiscal years|FYs)\s*(\d{4})\s*(?:through|thru|to|and|-|–)\s*(?:FY\s?)?(\d{4})\b|"
                               r"\b(?:(?:from|between)\s+)?(?:fiscal year|FY)\s?(\d{4})\s*(?:through|thru|to|-|–)\s*(?:fiscal year|FY)\s?(\d{4})\b",
                               re.I)

    def _points_in_time(self, text: str, add, scan) -> None:
        """Spans ended by a date, levels at a month's end, "the quarter" of a quarterly
        release, the fiscal year since it began and spans of whole fiscal years: read before
        the plain dates, months and years they contain."""
        for m in scan(self._FISCAL_YEARS, 'fiscal year', 'fy'):
            first, last = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
            if first < last <= first + 20:
                add(m, Period(RANGE, fiscal_year(first).start, fiscal_year(last).end))
        if self.same and self.same.kind != UNSPECIFIED:
            for m in scan(self._SAME_SPAN, 'same'):
                add(m, self.same)  # "over the same eleven months": the period just reported
        for m in scan(self._START_OF_FY, 'fiscal year'):
            if self.anchor:
                current = fiscal_year_of(self.anchor)
                add(m, Period(YEAR_TO_DATE, fiscal_year(current).start, self._ytd_end()))
        for m in scan(self._SINCE_THROUGH, 'since'):
            first = self._date(m.group(1), m.group(2), m.group(3) or m.group(6))
            last = self._date(m.group(4), m.group(5), m.group(6) or (first and str(first.year)))
            if first and last and first < last:
                add(m, Period(RANGE, first.isoformat(), last.isoformat()))
        for m in scan(self._MONTH_END, 'closed', 'ended', 'finished'):
            index = _month_index(m.group(1))
            year = int(m.group(2)) if m.group(2) else self._year_of(index)
            if year:
                day = month_end(year, index).isoformat()
                add(m, Period(DAY, day, day))
        if self.context and self.context.kind == QUARTER:
            for m in scan(self._QUARTER_END, 'quarter'):
                add(m, Period(DAY, self.context.end, self.context.end))
            for m in scan(self._THE_QUARTER, 'the quarter'):
                add(m, self.context)
        for m in scan(self._TOTAL_THROUGH, 'through', 'thru'):
            index = _month_index(m.group(1))
            year = self._year_of(index)
            if year:  # "the total through May": the fiscal year (DHS counts them) to that month's end
                add(m, _year_to_date(year, index, calendar=bool(re.search(r"\bcalendar\b", text, re.I))))

    #: "the Wednesday before Thanksgiving", "the Sunday after Thanksgiving last year": a day
    #: fixed by a holiday, in the latest year whose holiday is not after the release (or the
    #: calendar year before the release's, or the year named); "the Thanksgiving travel period"
    #: is no one day
    _HOLIDAY = re.compile(r"\b(?:the\s+)?(?:((?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+(before|after|following)\s+)?"
                          r"(thanksgiving|memorial day|labor day|independence day|the fourth of july|christmas)"
                          r"(?:\s+day)?(?![\w-]|\s+(?:weekend|week|holiday|period|travel|rush)\b)"
                          r"(?:,?\s+(?:(last year|a year (?:earlier|ago)|the (?:year|previous year) before)|(\d{4})))?",
                          re.I)
    #: "the week of Thanksgiving", "the days around Christmas": a span, not the holiday itself
    _AROUND_HOLIDAY = re.compile(r"\b(?:week|weekend|days|stretch|period|rush|run-up)\s+(?:of|before|after|around|"
                                 r"leading up to|following)\s+$|\b(?:around|ahead of|through)\s+$", re.I)
    _HOLIDAYS = {"thanksgiving": lambda y: date(y, 11, 22) + timedelta(days=(3 - date(y, 11, 22).weekday()) % 7),
                 "memorial day": lambda y: date(y, 5, 31) - timedelta(days=date(y, 5, 31).weekday()),
                 "labor day": lambda y: date(y, 9, 1) + timedelta(days=(0 - date(y, 9, 1).weekday()) % 7),
                 "independence day": lambda y: date(y, 7, 4), "the fourth of july": lambda y: date(y, 7, 4),
                 "christmas": lambda y: date(y, 12, 25)}

    def _holiday(self, m: re.Match) -> Period | None:
        holiday = self._HOLIDAYS[" ".join(m.group(3).lower().split())]
        if m.group(5):
            year = int(m.group(5))
        elif self.anchor and m.group(4):  # "last year": the calendar year before the release's
            year = self.anchor.year - 1
        elif self.anchor:
            year = self.anchor.year if holiday(self.anchor.year) <= self.anchor else self.anchor.year - 1
        else:
            return None
        day = holiday(year)
        if m.group(1):  # the nearest such weekday before or after the holiday itself
            weekday = self._WEEKDAYS.index(m.group(1).lower()[:3])
            step = -1 if m.group(2).lower() == "before" else 1
            day += timedelta(days=step)
            while day.weekday() != weekday:
                day += timedelta(days=step)
        return Period(DAY, day.isoformat(), day.isoformat())

    def _count(self, word: str) -> int:
        """A count written in digits or as a word ("six")."""
        word = word.lower()
        return int(word) if word.isdigit() else self._NUMBER_WORDS.index(word) + 1

    def _since(self, first: date) -> Period:
        """"Since Oct. 1" or "since Jan. 1" within a year of the release (or in a release
        of unknown date) counts the fiscal or calendar year to date; other starts, from then."""
        if (first.month, first.day) in ((10, 1), (1, 1)) and (self.anchor is None or (
                first <= self.anchor and (self.anchor - first).days < 366)):
            return Period(YEAR_TO_DATE, first.isoformat(), self._ytd_end())
        return Period(CUMULATIVE, first.isoformat(), self._running_end(first))

    def _running_end(self, first: date) -> str | None:
        """A running count since some day runs, like a year to date, to the end of the month
        the release reports ("since the app launched on Jan. 12" in the September update is
        through September 30), else to the release's date."""
        end = self._ytd_end()
        if self.context and self.context.kind in (QUARTER, FISCAL_YEAR, CALENDAR_YEAR) and self.anchor \
                and first.isoformat() <= self.context.end <= self.anchor.isoformat() \
                and (self.anchor - date.fromisoformat(self.context.end)).days < 93:
            end = self.context.end  # "since January" in the release on the fiscal year just over: to its end
        return end if end and end >= first.isoformat() else self._today()

    #: "from 158,581 in", "above the 14,700 pounds of", "the record of 2,883,595 set on": the
    #: period of a number quoted for comparison
    _COMPARED_NUMBER = re.compile(r"\b(?:from|(?<!more )(?<!fewer )(?<!less )(?<!greater )than|compared (?:with|to)|"
                                  # "ran above 9,600 on average": more than, not a comparison
                                  rf"{_BASE_WORDS}|(?<!ran )(?<!was )(?<!were )(?<!stood )(?<!remained )(?<!stayed )"
                                  r"(?:above|below)|twice|double|triple|level with|against|"
                                  r"(?:record|mark|high) (?:of|was)|"
                                  r"(?<=, )following|"
                                  # "surpassing the 14,700 pounds seized in": the earlier figure
                                  r"(?:surpass|exceed|eclips|overt[oa]k)\w*\s+the|"
                                  # "5% fewer than the 61,400 reported for": a figure, not a qualifier
                                  r"(?:more|fewer|less|greater|higher|lower) than\s+the)"
                                  # "compared with a daily average of about 190 in June"
                                  r"\s+(?:the\s+|that\s+|its\s+|(?:a|an|the)\s+(?:[a-z-]+\s+){1,2}of\s+)?"
                                  r"(?:(?:roughly|about|around|nearly|almost|approximately|some)\s+)?[\d,.]+"
                                  r"(?:\s*(?:million|thousand))?(?:\s+[a-z]+){0,3}\s*(?:in\s+|of\s+|on\s+|from\s+|for\s+)?$", re.I)

    def _reported_fiscal_year(self) -> Period | None:
        """The fiscal year of the month, quarter or fiscal year the release reports."""
        if not self.context or self.context.kind not in (MONTH, QUARTER, FISCAL_YEAR) or not self.context.end:
            return None
        end = date.fromisoformat(self.context.end)
        return fiscal_year(fiscal_year_of(end))

    def _earlier(self, kind: str, start: int) -> Period | None:
        """The last period of this kind the sentence names before ``start``."""
        found = [f for f in self.found if f.start < start and f.period.kind == kind]
        return max(found, key=lambda f: f.start).period if found else None

    def _comparing(self, text: str, start: int) -> bool:
        """"up from 40,000 last month", "than last month": the base of a comparison."""
        before = text[max(0, start - 60):start]
        return bool(self._COMPARE_BEFORE.search(before) or self._COMPARED_NUMBER.search(before))

    def _year_part(self, m: re.Match) -> Period | None:
        """A fiscal or calendar year from its first day to the end of a month within it."""
        if m.group(2):  # "fiscal year 2024 through August"
            fiscal, year = bool(m.group(1)), int(m.group(2))
            start = date(year - 1, 10, 1) if fiscal else date(year, 1, 1)
            index = _month_index(m.group(3))
            last = date(year - (fiscal and index >= 10), index, 1)
        elif m.group(5):  # "the first five months of fiscal year 2024"
            count = m.group(4).lower()
            count = int(count) if count.isdigit() else (
                self._NUMBER_WORDS.index(count) + 1 if count in self._NUMBER_WORDS else None)
            if count is None:
                return None
            months = count * (3 if m.group(5).lower().startswith("quarter") else 1)
            if m.group(7):
                fiscal = bool(m.group(6)) and not m.group(6).lower().startswith(("calendar", "cy"))
                year = int(m.group(7))
            elif self.anchor:  # "the first 11 months of the fiscal year": the current one
                fiscal = bool(m.group(8))
                year = self.anchor.year + (fiscal and self.anchor.month >= 10) \
                    - bool(re.search(r"\b(?:last|previous|prior)\s", m.group(0), re.I))  # "of last year"
            else:
                return None
            start = date(year - 1, 10, 1) if fiscal else date(year, 1, 1)
            last = add_months(start, months - 1)
        else:  # "the first half of fiscal year 2024"
            year = int(m.group(10))
            start = date(year - 1, 10, 1)
            last = add_months(start, 5)
        if last < start or last >= add_months(start, 12):
            return None
        return Period(YEAR_TO_DATE, start.isoformat(), month_end(last.year, last.month).isoformat())

    def _ytd_end(self) -> str | None:
        """A year to date runs to the end of the month the release reports ("halfway
        through the fiscal year" in a March update is through March), else to its date."""
        if self.context and self.context.kind == MONTH and self.anchor \
                and self.context.end <= self.anchor.isoformat() \
                and (self.anchor - date.fromisoformat(self.context.end)).days < 93:
            return self.context.end
        return self._today()

    def _today(self) -> str | None:
        """A running count since some day ("since the app launched") runs to the release's date."""
        return self.anchor.isoformat() if self.anchor else None

    def _year_of(self, month: int) -> int | None:
        """A month named without a year is the latest such month on or before the release."""
        if self.anchor is None:
            return None
        return self.anchor.year if month <= self.anchor.month else self.anchor.year - 1

    def _date(self, month: str, day: str, year: str | None) -> date | None:
        try:
            index = _month_index(month)
            y = int(year) if year else self._year_of(index)
            return date(y, index, int(day)) if y else None
        except (ValueError, StopIteration):
            return None


def _range_or_year_to_date(first: date, last: date) -> Period:
    """"Between October 1, 2023 and February 29, 2024": a fiscal (or calendar) year from
    its first day to a month's end is that year to date, a period that recurs; "from Jan. 1
    through March 31" is a quarter."""
    if first.day == 1 and first.month in (1, 4, 7, 10) and last == add_months(first, 3) - timedelta(days=1):
        return Period(QUARTER, first.isoformat(), last.isoformat())
    year_start = (first.month, first.day) in ((10, 1), (1, 1))
    if year_start and last == month_end(last.year, last.month) and last < add_months(first, 12) - timedelta(days=1):
        return Period(YEAR_TO_DATE, first.isoformat(), last.isoformat())
    return Period(RANGE, first.isoformat(), last.isoformat())


def _shift_year(period: Period, years: int) -> Period:
    def shift(day: str | None) -> str | None:
        if not day:
            return None
        d = date.fromisoformat(day)
        try:
            return d.replace(year=d.year + years).isoformat()
        except ValueError:  # 29 February
            return d.replace(year=d.year + years, day=28).isoformat()
    end = period.end
    if period.kind in (MONTH, QUARTER) and end:
        e = date.fromisoformat(end)
        end = month_end(e.year + years, e.month).isoformat()
    else:
        end = shift(end)
    return Period(period.kind, shift(period.start), end)


def headline_period(title: str | None, anchor: date | None) -> Period | None:
    """The period a release is about when its headline names one ("June 2024 Monthly Update")."""
    if not title:
        return None
    found = [m.period for m in _Periods(title, anchor, None).found
             if m.period.kind in (MONTH, FISCAL_YEAR, QUARTER, CALENDAR_YEAR, RANGE, DAY)]
    return found[0] if found else None


def _anchor(published: str | None, context: Period | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        pass
    if context and context.end:  # no date: a release follows the period it is about
        return date.fromisoformat(context.end) + timedelta(days=15)
    return None


# --- extraction -------------------------------------------------------------------------


@dataclass
class _Number:
    start: int
    end: int
    value: float
    written: str
    percent: bool
    money: bool
    small: bool


def _numbers(text: str) -> list[_Number]:
    found = []
    for m in _NUMBER.finditer(text):
        dollar, digits, scale, percent = m.group(1), m.group(2), m.group(3), m.group(4)
        value = float(digits.replace(",", ""))
        before, after = text[max(0, m.start() - 25):m.start()], text[m.end():m.end() + 14]
        if _NOT_A_COUNT_BEFORE.search(before) and not scale and not percent:
            continue
        if not percent and _NOT_A_COUNT_AFTER.search(after) and not scale:
            continue
        if re.search(rf"\b{_MON}\s*$", before, re.I) and not scale and not percent and "," not in digits:
            continue  # a day of a month, or a year after one
        if re.search(rf"\b{_MON}\s+\d{{1,2}}\s*(?:-|–|to|through|thru|and|until)\s*$", before, re.I) \
                and not scale and not percent and value <= 31 and "." not in digits:
            continue  # "from March 3 to 9": the last day of a span
        if re.match(r"\s*,?\s*\d{4}\b", after) and value <= 31 and not scale:
            continue
        if not scale and not percent and "," not in digits and 1900 <= value <= 2100 and "." not in digits:
            continue  # a year
        if not scale and not percent and value < 120 and re.fullmatch(r"\d+", digits) \
                and re.search(r"\b[A-Z][\w'’-]+,\s*$", before) and re.match(r"\s*,", after):
            continue  # "Cesar Smith, 42, was removed": an age
        if scale:
            value *= _SCALE[scale.strip().lower()]
        small = not scale and not percent and "," not in digits and value < 100
        found.append(_Number(m.start(), m.end(), value, m.group(0).strip(), bool(percent),
                             bool(dollar), small))
    for m in _WORD_NUMBER.finditer(text) if "illion" in text else ():  # "nearly one million", "half a million"
        if _NOT_A_COUNT_BEFORE.search(text[max(0, m.start() - 25):m.start()]):
            continue  # "7.5 firearms per one million passengers"
        words = m.group(1).lower()
        count = 0.5 if "half" in words else _WORD_COUNTS.index(words) + 1
        found.append(_Number(m.start(), m.end(), count * _SCALE[m.group(2).lower()], m.group(0), False, False, False))
    for m in _ZERO.finditer(text) if ("no" in text or "zero" in text.lower()) else ():
        # "made no releases", "zero releases", "released no one": a count of none
        if (m.group(1) and m.group(1).lower().endswith("s") and _ZERO_NOUN_END.match(text, m.end(1))) \
                or (not m.group(1) and _ANY_METRIC.search(text, max(0, m.start() - 25), m.start())):
            found.append(_Number(m.start(), m.end(), 0.0, m.group(0), False, False, True))
    return sorted(found, key=lambda n: n.start)


#: "no releases", "zero apprehensions", "no one" (after a verb that counts): a count of none, in
#: words; read only where the sentence names the period it is for (``extract_figures``)
#: where the plural after "no" ends its noun phrase ("no releases along the border"; not "no
#: detention space", "no encounters decline")
_ZERO_NOUN_END = re.compile(r"\s*(?:[,.;:)]|$|(?:at|in|on|along|across|between|from|of|during|into|for|to|were|was|"
                            r"this|that|last|by|under|since|compared|against|versus|\w+ed)\b)", re.I)
_ZERO = re.compile(r"\b(?:zero|no)\b(?=\s+(" + "|".join(p for _, _, p in METRICS) + r")\b(?!-))|\bno one\b", re.I)


def _nearest(patterns: _Named, text: str, position: int, low: int, high: int, limit: int = 10_000):
    """The name whose pattern matches nearest to ``position`` within [low, high)."""
    if not patterns.any.search(text, low, high):
        return None
    best = None
    for entry in patterns:
        pattern = entry[-1]
        for m in pattern.finditer(text, low, high):
            distance = m.start() - position if m.start() >= position else position - m.end()
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, entry)
    return best[1] if best else None


def _sentence_agency(text: str) -> str:
    """The agency named first in the text."""
    found = _agency_mentions(text)
    return found[0][2] if found else ""


@functools.lru_cache(maxsize=64)
def _agency_mentions(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every agency the text names: (start, its pattern's rank, name), first first. A
    statement's numbers all ask, so it is read once."""
    if not _AGENCY_RES.any.search(text):
        return ()
    return tuple(sorted((m.start(), rank, entry[0]) for rank, entry in enumerate(_AGENCY_RES)
                        for m in entry[-1].finditer(text)))


def extract_figures(text: str, published: str | None = None, *, title: str | None = None,
                    agency: str | None = None, context: Period | None = None,
                    head: Figure | None = None, context_in_headline: bool = True,
                    starts: dict[tuple[int, int], date] | None = None,
                    earlier: list[Figure] | None = None, headline: str | None = None,
                    as_of: Period | None = None) -> list[Figure]:
    """Every figure in one statement, each with what it counts and its own period.

    ``context`` is the period the release is about (its headline's, or else, with
    ``context_in_headline=False``, the first one its sentences name), used when a
    sentence names none; ``head`` is the last figure reported before this sentence, which
    "This is a 29% decrease from May" refers to; ``starts`` are the exact days the
    release counts from ("since Aug. 8"), by month; ``earlier`` are the figures the
    release reported before this sentence, which "Haitian interdictions were down from
    7,175 in fiscal year 2022" names by its words; ``headline`` says what the release
    counts ("TSA Screens Record Number of Travelers"), for a count of people in a sentence
    that names nothing counted ("checkpoints handled 15.3 million people"); ``as_of`` is
    the day the release last gave a stock for (``STOCKS``).
    """
    if context is None:
        context = headline_period(title, _anchor(published, None))
    anchor = _anchor(published, context)
    numbers = _numbers(text)
    if not numbers:
        return []
    periods = _Periods(text, anchor, context, starts, same=head.period if head else None)
    # "the gross backlog, which counts every pending case, was 11.3 million": what a
    # relative clause mentions is not what the number counts
    plain = _RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group(0)), text)
    sentence_metric = _nearest(_METRIC_RES, plain, 0, 0, len(plain))
    figures: list[Figure] = []
    # "This is a 29% decrease from May": an earlier sentence's figure, only when referred to.
    last_reported = head if _ANAPHOR.match(text) or _TOTAL_REFERENCE.search(text[:numbers[0].start]) else None
    # "The southwest border accounted for 2,402,600 of those", "Haitians accounted for 455 and
    # Cubans for 301", "Crews also stopped 96 Dominican nationals": a sentence that names nothing
    # counted but says it shares out a total gives parts of the figure reported just before, each
    # told apart by who or where ("Agents rescued 340 migrants in the Tucson sector" does not)
    foreign = _sentence_agency(text) in _FOREIGN_COUNTERS
    # (not when another body counts them: "the State Department reported issuing 192,000 of them";
    # nor of a length of time or a sum of money, which have no parts that are counts)
    implicit = (sentence_metric is None and last_reported is None and head is not None
                and _sentence_agency(text) in DHS_AGENCIES + ("",) and head.role == REPORTED
                and head.kind in (LEVEL, DAILY_AVERAGE) and head.unit not in ("dollars", "months")
                and bool(_SHARE_CUE.search(text) or (re.search(r"\balso\b", text) and _NATIONALITY.search(text))
                         # "Unaccompanied children: 5,600." in a brief, after its total
                         or (_LABELLED_COUNT.fullmatch(text) and _nearest(_POPULATION_RES, text, 0, 0, len(text)))))
    if implicit:
        last_reported = head
    pending_from = None
    for i, number in enumerate(numbers):
        low = numbers[i - 1].end if i else 0
        high = numbers[i + 1].start if i + 1 < len(numbers) else len(text)
        # "39,206 (25%) repeat encounters": a share in brackets does not end the number's words
        words_end = next((n.start for n in numbers[i + 1:] if not _aside(text, n)), len(text))
        before, after = text[low:number.start], text[number.end:high]
        lead = _QUALIFIER.sub("", before[-45:])
        # "a drop of 88% from a year earlier and an average of 352 a day": the base belongs to
        # the words before the coordinator, not to the number after it
        lead = lead[max((m.end() for m in _NEW_PHRASE.finditer(lead)), default=0):]
        comparison = bool(_COMPARISON.search(lead)) and not number.percent
        if not comparison and figures and figures[-1].role == COMPARED and re.fullmatch(
                r"[^.;]{0,50}?(?:,\s*|\band\s+|\bor\s+)(?:\w+\s+){0,2}", before) \
                and not _nearest(_METRIC_RES, text, number.start, low, number.start) \
                and not _names_who(_SEPARATOR.split(before)[-1]):
            comparison = True  # "compared with 12,500 in May and 40,000 in June 2023"
        # A figure quoted for comparison is like for like with the one it is compared with.
        compared_to = last_reported if comparison and last_reported is not None else None
        if comparison:  # "The number of Haitian migrants interdicted was lower than the 4,850"
            compared_to = _named_earlier(text, number, low, [*(earlier or []), *figures],
                                         compared_to) or compared_to
        if comparison and compared_to is None and head is not None and head.role == REPORTED \
                and sentence_metric and head.metric == sentence_metric[0] and _WHEN_BASE.search(lead):
            compared_to = head  # "Apprehensions rose 32 percent from April, when 109,415 were recorded"
        if compared_to is not None and not _same_unit(text, number, compared_to):
            compared_to = None  # "from 10.5 months" is no earlier count of new citizens
        quoted = compared_to is not None or (comparison and bool(_QUOTED_BEFORE.search(lead)))
        period = _own_period(periods, number, low, high, quoted, text)
        if pending_from is not None and (to := _TO_AFTER_FROM.search(text, low, number.start)):
            # "from 10.5 months at the end of fiscal year 2022 to 6.1 months by the end of fiscal
            # year 2023": a period named before "to" is the first number's
            period = _own_period(periods, number, to.end(), high, quoted, text)
            if period is not None and period == pending_from[1]:
                period = None  # the sentence's one period is the first number's
        if number.value == 0 and period is None and not re.search(r"\d", number.written):
            continue  # "no releases" in a sentence that names no period: not a count we can place
        if _milestone(text, number):
            continue  # "the first time volume has passed 2.6 million": a threshold, not a count
        if (compared_to is None and not number.percent and (re.search(r"\bfrom\s*$", lead) or _FROM_AN_AVERAGE.search(lead))
                and i + 1 < len(numbers) and not numbers[i + 1].percent
                and re.search(r"\bto\s+$", _QUALIFIER.sub("", text[number.end:numbers[i + 1].start]))):
            # "fell from 5.2 million in FY 2022 to 4.3 million": compared with the one after it
            pending_from = (number, _own_period(periods, number, low, high, True, text))
            continue
        # what is counted, by whom, where and whether per day: read in the number's own clause
        # ("41,250 book-ins ..., and an average daily population of 22,600" are two series)
        c_low, c_high = _clause(text, number, low, high)
        region_metric = _nearest(_METRIC_RES, plain, number.start, c_low, c_high, limit=90)
        if region_metric is None and c_low > low and not number.percent and _OTHER_COUNT_AFTER.match(after) \
                and not _PERSONS_AFTER.match(after) and not _POUNDS.match(after) and not _names_who(after[:40]):
            continue  # "..., and 3.1 million cargo containers": its own clause counts something else
        if region_metric is None and c_low > low:
            # "..., and individuals traveling in family units for 29,800": the clause goes on
            # with what the sentence counted before it, not with what a later clause counts
            region_metric = _nearest(_METRIC_RES, plain, number.start, _sentence_start(plain, number.start),
                                     c_low, limit=200)
        metric_entry = region_metric or (sentence_metric if not number.small else None)
        if metric_entry is None and headline and not (number.small or number.percent or number.money) \
                and _PERSONS_AFTER.match(after) and (_headline_metric(headline) or ("", ""))[1] in (
                    "people", "passengers", "encounters"):
            metric_entry = _headline_metric(headline)  # "checkpoints handled more than 15.3 million people"
        if metric_entry is None and foreign and not (number.small or number.percent or number.money) \
                and (_PERSONS_AFTER.match(after) or _MOVEMENTS_AFTER.match(after)):
            # "Honduran officials registered 38,000 irregular entries": the migrants another country counts
            metric_entry = ("migrants", "people", None)
        if _POUNDS.match(after):
            metric_entry = ("seizures", "pounds", None)
        elif re.match(r"\s*months?\b", after, re.I) and (
                (sentence_metric or ("",))[0] == "processing time"
                or (compared_to is not None and compared_to.metric == "processing time")
                # ("processing times dropped from 10.5 months to 6.1 months": the words before "from")
                or _PROCESSING_TIME[2].search(text, max(pending_from[0].start - 120 if pending_from else low,
                                                        number.start - 200), number.start)):
            # "the median time to process a naturalization application fell to 6.1 months"
            metric_entry = _PROCESSING_TIME
        elif re.match(r"\s*months?\b", after, re.I) and not number.percent:
            continue  # "in the 12 months ending in June": a length of time
        elif compared_to is None and number.small and not (implicit and _population(
                text, number, low, words_end, head.metric)) and (region_metric is None or not (
                re.search(r"\b\w+(?:ed|ing)\s+$", before)
                # "the apprehension of 36 smugglers", "the removal of 54 people"
                or re.search(r"\b\w+(?:ions?|als?|ures?)\s+of\s+$", before)
                or _nearest(_METRIC_RES, text, number.end, number.end, high, limit=40))):
            sibling = figures[-1] if figures and figures[-1].role == REPORTED else None
            if not (sibling and re.fullmatch(r"[^.;]{0,40}\band\s+", before)):
                continue
            metric_entry = None  # "89 people to Haiti and 54 people to Cuba": like the one before
        if metric_entry is None and not number.percent and compared_to is None:
            part_of = figures[-1] if figures and figures[-1].role == REPORTED and not implicit else last_reported
            if implicit:
                part_of = head  # "The northern border contributed 18,950 of them, while 84,300 ..."
            leader = part_of is None and head is not None and head.role == REPORTED and bool(_LEADER.search(lead))
            another = part_of is None and head is not None and head.role == REPORTED and not number.money \
                and bool(re.search(r"\banother\s+$", lead, re.I)) and bool(_PERSONS_AFTER.match(after))
            # "Del Rio Sector followed with 480,931", "The El Paso Sector recorded 307,776": in a
            # run of places, the count of the place before, for a place of the sentence's own
            elsewhere = part_of is None and head is not None and head.role == REPORTED and head.kind == LEVEL \
                and head.scope and not (number.small or number.money) and bool(_NEXT_PLACE.search(lead)) \
                and _scope(text, number, low, high, head.metric, agency) not in ("", head.scope) \
                and bool(_SECTOR.search(text, 0, number.start))
            if elsewhere:
                figure = replace(head, value=number.value, as_written=number.written, compared=[],
                                 qualifier=_qualifier(text, number), text=text,
                                 scope=_scope(text, number, low, high, head.metric, agency),
                                 # "..., more than double its FY 2021 total": an earlier period is the comparison's
                                 period=head.period if period is None or period.end < head.period.start else period,
                                 stated_change_pct=None, stated_change_from=None)
                figures.append(figure)
                last_reported = figure
                continue
            if leader or another:
                # "Denver again led the country with 380": a part of the total before; "officers
                # at the ports processed another 51,900": the same count, where these were counted
                part_of = head
            if part_of is None:
                continue
            # "That total included 77,000 members of family units": like the figure before;
            # "That works out to an average of about 1,824 a day": its daily average
            kind = part_of.kind
            if kind in (LEVEL, DAILY_AVERAGE):
                daily = _DAILY.search(text[max(c_low, number.start - 70):min(c_high, number.end + 70)])
                kind = DAILY_AVERAGE if daily else LEVEL
            population = _population(text, number, low, words_end, part_of.metric) or (
                "part of a total" if leader else "")
            scope = part_of.scope
            if another:  # where these were counted, or else kept out of the total's series
                own_scope = _scope(text, number, low, high, part_of.metric, agency)
                scope = own_scope or scope
                population = population or ("" if own_scope and own_scope != part_of.scope else "part of a total")
            if implicit:
                scope = _scope(text, number, low, high, part_of.metric, agency) or scope
                if not population and scope == part_of.scope:
                    if not _OF_THOSE.match(after):
                        continue  # nothing says which part: not a figure we can place
                    population = "part of a total"
            figure = replace(part_of, value=number.value, as_written=number.written, kind=kind,
                             qualifier=_qualifier(text, number), compared=[], role=REPORTED,
                             population=population, scope=scope,
                             period=period or part_of.period, text=text,
                             period_assumed=part_of.period_assumed if period is None else False,
                             stated_change_pct=None, stated_change_from=None)
            figures.append(figure)
            # "..., against 2,231,700 a year earlier", "Of those, 460 were unaccompanied children,
            # down from 3,900 in January": a comparison after a part is the part's
            last_reported = figure
            continue
        if number.percent:
            figure = _percent(text, number, before, after, period, metric_entry, last_reported,
                              periods, low, high, context, as_of, clause=(c_low, c_high))
            if figure is not None:
                figures.append(figure)
            continue
        if compared_to is not None:
            if period is None or period == compared_to.period:
                continue  # "compared with 140,641" with no period of its own: not a figure we can place
            if compared_to.kind == DAILY_AVERAGE and number.value >= 10 * compared_to.value:
                # "an average of 300 a day, down from 29,000 in January": a number a daily
                # average could not have been is the earlier level of the total it averages
                compared_to = _total_averaged(compared_to, number.value, [*(earlier or []), *figures, head])
                if compared_to is None:
                    continue
                last_reported = compared_to  # the change quoted next is the total's too
            # the record a new record beat is a record; a record's ordinary day is a level
            record = compared_to.kind == RECORD and _RECORD_BEATEN.search(text[max(0, number.start - 60):number.start])
            figure = replace(compared_to, value=number.value, period=period, role=COMPARED,
                             as_written=number.written, qualifier=_qualifier(text, number),
                             compared=[], stated_change_pct=None, stated_change_from=None,
                             kind=compared_to.kind if record or compared_to.kind != RECORD else LEVEL)
            compared_to.compared.append(figure)
            figures.append(figure)
            continue
        metric, unit = metric_entry[0], metric_entry[1]
        if number.money:
            unit = "dollars"
        elif metric == "processing time" and re.match(r"\s*months?\b", after, re.I):
            unit = "months"
        window_low, window_high = max(c_low, number.start - 70), min(c_high, number.end + 70)
        kind, value = LEVEL, number.value
        if _RATE.match(after):
            kind = RATE
        elif (more := _MORE_THAN_AFTER.match(after)) and not _LEVELS_COMPARED.match(text, number.end):
            # "46 million more than in 2023", "12,450 fewer than in September": a difference, signed
            kind = CHANGE_IN_NUMBER
            value = -number.value if more.group(1).lower() in ("fewer", "less", "lower") else number.value
        elif sign := _change_by(lead):
            kind, value = CHANGE_IN_NUMBER, sign * number.value
        elif _DAILY.search(text[window_low:window_high]):
            kind = DAILY_AVERAGE
        if kind == LEVEL and period is None and metric in STOCKS:
            period = as_of  # "On the same date, 190,000 were enrolled": the day the release last gave
        assumed = period is None and not context_in_headline
        period = period or (context if context else Period())
        if kind == LEVEL and period.kind == DAY and _RECORD.search(text[max(0, number.start - 120):
                                                                        min(high, number.end + 120)]):
            kind = RECORD
        if kind == LEVEL and metric in STOCKS and period.kind in (MONTH, QUARTER, FISCAL_YEAR, CALENDAR_YEAR) \
                and _AT_PERIOD_END.search(text, _sentence_start(text, number.start), number.start):
            # "By the end of the fiscal year, the cases pending ... had fallen to 4.3 million": its last day
            period = Period(DAY, period.end, period.end)
        if kind == LEVEL and metric in STOCKS and period.kind in (MONTH, QUARTER, RANGE):
            # "when the quarter closed on March 31, ... stood at", "... in the quarter, which
            # closed on March 31": the day it was counted
            days = (periods._date(m.group(1), m.group(2), m.group(3))
                    for m in _Periods._DAY.finditer(text, low, high))
            if any(day and day.isoformat() == period.end for day in days):
                period = Period(DAY, period.end, period.end)
        figure = Figure(
            metric=metric, value=value, unit=unit, period=period,
            scope=_scope(text, number, low, high, metric, agency),
            population=_population(text, number, low, words_end, metric)
            or _part_of(text, number, before, words_end, metric,
                        next((f for f in reversed(figures) if f.role == REPORTED), last_reported)),
            agency=_agency(plain, number, metric, agency),
            kind=kind, qualifier=_qualifier(text, number), as_written=number.written, text=text,
            period_assumed=assumed)
        if figure.agency in _FOREIGN_COUNTERS and figure.period.kind == YEAR_TO_DATE and figure.period.end \
                and figure.period.start.endswith("-10-01") and not _FISCAL.search(text) \
                and _YEAR_ASSUMED.search(text):
            # another country counts calendar years: "through the end of August" is since Jan. 1
            figure.period = replace(figure.period, start=f"{figure.period.end[:4]}-01-01")
        if not figure.population and _OF_THOSE.match(after):
            figure.population = "part of a total"  # "accounted for 31,000 of those apprehensions"
        sibling = figures[-1] if figures and figures[-1].role == REPORTED else None
        if not figure.population and sibling and sibling.population and sibling.metric == metric \
                and region_metric is None and _ELLIPSIS_BEFORE.fullmatch(before) and _PERIOD_AFTER.match(after):
            figure.population = sibling.population  # "2,410 Haitians in fiscal year 2020 and 1,270 in fiscal year 2019"
        whole = next((f for f in reversed(figures) if f.role == REPORTED), None)
        if whole and whole.metric == metric and whole.scope and not figure.scope \
                and _PART_OF.search(_QUALIFIER.sub("", before[-40:])):
            figure.scope = whole.scope  # "ERO Houston arrested 10,500, including 4,000 with ...": Houston's
        if kind == DAILY_AVERAGE and not figures and head is not None and last_reported is head \
                and head.metric == metric and not figure.scope and not _agency_mentions(text):
            # "That works out to an average of about 1,820 encounters a day": the figure before it,
            # per day, counted where and by whom that one was
            figure.scope, figure.agency = head.scope, head.agency
            figure.population = figure.population or head.population
        figures.append(figure)
        last_reported = figure
        if pending_from is not None:
            first, first_period = pending_from
            pending_from = None
            if first_period is not None and first_period != figure.period:
                quoted = replace(figure, value=first.value, period=first_period, role=COMPARED,
                                 as_written=first.written, qualifier=_qualifier(text, first),
                                 compared=[], kind=LEVEL if figure.kind == RECORD else figure.kind)
                figure.compared.append(quoted)
                figures.append(quoted)
    return figures


#: "by the end of the fiscal year": a stock counted on the period's last day
_AT_PERIOD_END = re.compile(r"\b(?:by|at|as of) the (?:end|close) of (?:the|that|this) (?:fiscal )?(?:year|quarter|month)\b",
                            re.I)


def _total_averaged(average: Figure, value: float, candidates: list[Figure | None]) -> Figure | None:
    """The level a daily average was worked out from (same series but for the kind, same
    period), when ``value`` could be an earlier level of it; else None."""
    return next((f for f in reversed(candidates)
                 if f is not None and f.role == REPORTED and f.kind == LEVEL and f.metric == average.metric
                 and f.period == average.period and f.scope == average.scope
                 and f.population == average.population and f.agency == average.agency
                 and value / 5 <= f.value <= value * 5), None)


#: "up 32 percent from April, when 109,415 were recorded": the level of the period compared with
_WHEN_BASE = re.compile(r"\b(?:from|than|over|since)\s+(?:in\s+)?[^,;\d]{3,30},\s+when\s+$", re.I)
_FISCAL = re.compile(r"\bfiscal\b|\bFY", re.I)
#: "fell from a seven-day average of 3,450 ... to 390": the first of two numbers, like "from 3,450"
_FROM_AN_AVERAGE = re.compile(r"\bfrom\s+(?:an?|the|its)\s+(?:[\w-]+\s+){0,2}?(?:average|level|total|high|peak|low)"
                              r"\s+of\s*$", re.I)
#: The "to" of "from 5.2 million in FY 2022 to 4.3 million": the last one before the second number
_TO_AFTER_FROM = re.compile(r"\bto\b(?!.*\bto\b)", re.I | re.S)
#: "2,410 Haitians in fiscal year 2020 and 1,270 in fiscal year 2019": the second number leaves out
#: who it counts, which is the first's
_ELLIPSIS_BEFORE = re.compile(r"\s+[A-Za-z-]+\s+(?:in|during|for|over)\s+[^,;\d]{0,30}?\d{0,4}\s*,?\s+and\s+", re.I)
_PERIOD_AFTER = re.compile(r"\s+(?:in|during|for|over)\b", re.I)
_PASSED = r"(?:topp\w*|tops|surpass\w*|cross\w*|pass\w*|exceed\w*|broke|break\w*|hit)\s+(?:the\s+)?"
#: "the first time volume has passed 2.6 million", "crossed the 1 million mark": a round
#: threshold passed, not a count
_MILESTONE_BEFORE = re.compile(rf"\bfirst time\b[^.;\d]{{0,60}}\b{_PASSED}$|\b{_PASSED}$", re.I)
_MILESTONE_AFTER = re.compile(r"\s*(?:[a-z]+\s+)?(?:mark|milestone|threshold|barrier)\b", re.I)


def _milestone(text: str, number: _Number) -> bool:
    """A round number (a whole count of millions, thousands, ...) after "topped", "passed" or
    "crossed" in words that say it was a first time or a mark."""
    if number.percent or number.money or not re.fullmatch(r"\d+(?:\.\d)?\s*(?:million|billion|thousand)", number.written, re.I):
        return False
    m = _MILESTONE_BEFORE.search(text, max(0, number.start - 90), number.start)
    return bool(m and (m.group(0).lower().startswith("first time") or _MILESTONE_AFTER.match(text, number.end)))
#: Words that give a year to date without saying which year (``_Periods`` assumes the fiscal one)
_YEAR_ASSUMED = re.compile(r"\b(?:through|thru|as of) the end of\b|\byear[- ]to[- ]date\b|\bto date\b|\bso far\b", re.I)
#: "down from 7,175", "than 9,860", "compared with 140,641": a number quoted for comparison
_QUOTED_BEFORE = re.compile(rf"\b(?:from|than|compared (?:with|to)|against|{_BASE_WORDS})\s+(?:the\s+)?$", re.I)
_MOVEMENTS_AFTER = re.compile(r"\s+(?:[a-z-]+\s+)?(?:entries|crossings|crossers|arrivals|transits|departures)\b", re.I)
#: "3.1 million cargo containers": a number followed by a plural noun of its own
_OTHER_COUNT_AFTER = re.compile(r"\s+(?!(?:in|during|for|over|at|across|along|through|since|this|its|was|is|has|"
                                r"as|plus|less|thus|per|of|each|those|these)\b)(?:[a-z][a-z-]*\s+)?"
                                r"(?!(?:was|is|has|as|this|its|thus|plus|less)\b)[a-z][a-z-]*s\b")
_PERSONS_AFTER = re.compile(r"\s+(?:[a-z-]+\s+)?(?:people|persons|migrants|travell?ers|passengers|individuals|"
                            r"noncitizens|aliens)\b", re.I)


def _named_earlier(text: str, number: _Number, low: int, earlier: list[Figure],
                   nearest: Figure | None) -> Figure | None:
    """The figure that a comparison names by its words when they are not the nearest
    figure's: "Haitian interdictions were down from 7,175" compares with the release's
    Haitian interdictions. Only when the words name a metric and a population (or none)
    that the release reported, in one series."""
    metric = _nearest(_METRIC_RES, text, number.start, low, number.start)
    if metric is None:
        return None
    words = text[low:number.start]
    population = _nearest(_POPULATION_RES, words, len(words), 0, len(words))
    who = population[0] if population else _nationality(words, 0, len(words))
    if nearest is not None and metric[0] == nearest.metric and who in ("", nearest.population):
        return None  # "14,699 were encountered in May, compared with 12,162": the nearest one
    same = [f for f in earlier if f.role == REPORTED and f.metric == metric[0] and f.population == who
            and f.kind in (LEVEL, DAILY_AVERAGE) and _same_unit(text, number, f)]
    return same[-1] if same and len({f.series for f in same}) == 1 else None


def _unit_named(text: str, number: _Number) -> str:
    """The unit the words right after a number give it, if any: "8.6 per million" is a
    rate, "10.5 months" a length of time, "14,700 pounds" a weight."""
    after = text[number.end:number.end + 60]
    if _RATE.match(after):
        return RATE
    if re.match(r"\s*months?\b", after, re.I):
        return "months"
    if _POUNDS.match(after):
        return "pounds"
    return ""


def _same_unit(text: str, number: _Number, figure: Figure) -> bool:
    """Whether a number quoted for comparison can be a value of ``figure``: a number whose
    own words give it a unit (a rate, months, pounds) is compared only with a figure of
    that unit; one that gives none may be any figure's."""
    unit = _unit_named(text, number)
    if not unit:
        return True
    return figure.kind == RATE if unit == RATE else (figure.unit == unit and figure.kind != RATE)


#: "In the 2024 fiscal year, ..., the total was 818,500": the figure the release just gave
_TOTAL_REFERENCE = re.compile(r"\bthe (?:total|tally|count)\b(?! of)(?=\s+(?:was|were|stood|came|reached|rose|fell))|"
                              # "The April total was 67% below April 2016": the month's total just given
                              rf"\bthe (?:{_MON}|monthly|month's|quarterly|annual|year's)\s+(?:total|tally|count)\b(?! of)"
                              r"(?=\s+(?:was|were|stood|came|reached|rose|fell))|"
                              # "the southwest border total through May stands at": the release's count to date
                              r"\bthe (?:[\w-]+\s+){0,3}?(?:total|tally|count)(?=\s+(?:(?:through|thru)\s+[A-Z][a-z]+|so far|"
                              r"to date)\s+(?:was|were|stood|stands|is|came|comes|reached|reaches|rose|fell)\b)", re.I)
#: ", which ...,", ", working with CBP,": an aside that neither names what is counted nor who counted
_RELATIVE_CLAUSE = re.compile(r",\s*(?:which|who|(?:working|acting|partnering|cooperating)\s+(?:with|alongside))"
                              r"\s+[^,\d]{0,80},", re.I)
_ANAPHOR = re.compile(r"\s*(?:this|that|it|these|the (?:total|figure|number)(?! of)|which|"
                      r"the (?:old|previous|prior|former) (?:single-day )?(?:record|mark|high)|"
                      r"(?:of|among) (?:those|them|these|the total)\b[^,]*,?|including|"
                      # "Sunday's volume was up 6%", "June's total": the figure just reported
                      r"(?:the )?\w+['’]s (?:volume|total|tally|count|figure|number)(?! of))\b", re.I)


def _aside(text: str, number: _Number) -> bool:
    """A share put in brackets or between commas: "39,206 (25%) repeat encounters",
    "95,788 encounters, 45 percent of the total, were expelled"."""
    return number.percent and (text[number.start - 1:number.start] == "(" or bool(
        re.match(r"\s*of (?:the|all) (?:total|encounters|apprehensions)\s*,", text[number.end:])))


def _own_period(periods: _Periods, number: _Number, low: int, high: int, comparison: bool,
                text: str) -> Period | None:
    """The period expression nearest the number within its stretch of the sentence
    (from the number before it to the number after it)."""
    text_length = len(text)
    best = None
    for mention in periods.found:
        if mention.end <= low or mention.start >= high:
            continue
        if mention.incidental or (mention.comparison and not comparison):
            continue  # "83,536 in June, down from May": May is the comparison's
        left = mention.end <= number.start
        distance = number.start - mention.end if left else mention.start - number.end
        between = text[mention.end:number.start] if left else text[number.end:mention.start]
        if left and re.fullmatch(r"['’]s\s+(?:[a-z]+\s+){0,2}", between, re.I):
            return mention.period  # "June's 83,536", "fiscal 2022's nearly 2.4 million": its own
        if comparison and left:
            distance += 100  # "6.1 months in FY2023, from 10.5 months in FY2022"
        if _NEW_PHRASE.search(between):
            distance += 150  # "a drop of 88% from a year earlier and an average of 352": not its period
        if re.search(r"[.!?]\s+[A-Z]", between):
            distance += 300  # another sentence's
        # "3 million on Sunday, July 7, intercepted 3,269 firearms during the first half":
        # a period nearer the neighbouring number is that number's
        if (left and low and mention.start - low <= distance) or \
                (not left and high < text_length and high - mention.end <= distance):
            distance += 150
        elif left and low and re.fullmatch(r"\s*,?\s*(?:and|or|but|while)\s+", between, re.I):
            # "214,000 during the quarter and 438,000 so far this fiscal year": a period that
            # closes the number before the "and" is that number's when this one names its own
            distance += 150
        if best is None or distance < best[0]:
            best = (distance, mention.period)
    if best is None:
        # the sentence's first period, when it names just one ("In June, ... 83,536 ...")
        own = [m.period for m in periods.found if not (m.comparison or m.incidental)]
        if own and not comparison and len({p for p in own}) == 1:
            return own[0]
        return None
    return best[1]


_CHANGE_BY = re.compile(r"\b(?:(?:a|an)\s+(?:net\s+)?(reduction|decrease|decline|drop|fall|cut|increase|rise|jump|"
                        r"growth|gain)\s+of|(fell|dropped|declined|decreased|shr[ua]nk|rose|increased|grew|climbed|"
                        r"jumped)\s+by)\s+$", re.I)


def _change_by(lead: str) -> int:
    """"a reduction of about 200,000", "rose by 5,000": -1 or 1 for a change in number, else 0."""
    m = _CHANGE_BY.search(lead)
    if not m:
        return 0
    return -1 if _DECREASE.match(m.group(1) or m.group(2)) else 1


_QUALIFIERS_ANYWHERE = re.compile(r"\b(?:more|fewer|less) than\b", re.I)
_SHARE_AFTER = re.compile(r"\s*(?:of (?:the|all|which|those|them|encounters|apprehensions)\b|were\b|are\b|involved\b)", re.I)


def _percent(text, number, before, after, period, metric_entry, last_reported, periods, low, high,
             context, as_of=None, clause=None) -> Figure | None:
    # "more than 45 percent of the total" is a share: qualifiers are not changes
    window = _QUALIFIERS_ANYWHERE.sub(" ", text[max(low, number.start - 60):min(high, number.end + 40)])
    if _SHARE_AFTER.match(after):
        window = ""
    down, up = _DECREASE.search(window), _INCREASE.search(window)
    changed = down or up
    sign = -1 if down and not (up and up.start() < down.start()) else 1
    relative = _RELATIVE_AFTER.match(after)
    if relative:
        changed = True
        sign = -1 if relative.group(1).lower() in ("fewer", "less", "lower", "below") else 1
    base = next((m.period for m in periods.found if m.comparison and number.end <= m.start < high), None)
    c_low, c_high = clause or (low, high)
    # "apprehended 132,887 people crossing between ports of entry, a 32 percent increase over
    # April": the words before the comma are the figure's, and the change after it is the figure's
    comma = text.rfind(",", c_low, number.start)
    if changed and last_reported is not None and (metric_entry is None or metric_entry[0] == last_reported.metric
                                                  or _nearest(_METRIC_RES, text, number.start,
                                                              max(c_low, comma + 1), c_high, 90) is None):
        last_reported.stated_change_pct = sign * number.value
        last_reported.stated_change_from = base
        return replace(last_reported, value=sign * number.value, unit="percent", kind=PERCENT_CHANGE,
                       role=CHANGE, as_written=number.written, qualifier=_qualifier(text, number),
                       compared=[], stated_change_pct=None, stated_change_from=None)
    if metric_entry is None:
        return None
    own = period if period and period != base else (context or Period())
    if changed:
        return Figure(metric=metric_entry[0], value=sign * number.value, unit="percent",
                      period=own, kind=PERCENT_CHANGE, as_written=number.written,
                      qualifier=_qualifier(text, number), text=text,
                      scope=_scope(text, number, low, high, metric_entry[0], None),
                      agency=_agency(text, number, metric_entry[0], None),
                      stated_change_from=base)
    if period is None and metric_entry[0] in STOCKS and as_of:
        own = as_of  # "About 61% of those in custody": of the population counted that day
    return Figure(metric=metric_entry[0], value=number.value, unit="percent", period=own, kind=SHARE,
                  as_written=number.written, qualifier=_qualifier(text, number), text=text,
                  population=_population(text, number, low, high, metric_entry[0]))


def _qualifier(text: str, number: _Number) -> str:
    m = _QUALIFIER.search(text[max(0, number.start - 25):number.start])
    return m.group(1).lower() if m else ""


def _distance(start: int, end: int, number: _Number, low: int, high: int, text: str) -> int:
    """How far words are from a number; words nearer the neighbouring number, or in another
    clause ("In Yuma, apprehensions reached 7,900, while Big Bend agents ..."), are not its own."""
    if end <= number.start:
        return number.start - end + (150 if (low and start - low < number.start - end)
                                     or _NEXT_CLAUSE.search(text, end, number.start) else 0)
    if start >= number.end:
        return start - number.end + (150 if (high < len(text) and high - end < start - number.end)
                                     or _NEXT_CLAUSE.search(text, number.end, start) else 0)
    return 0


def _scope(text, number, low, high, metric, default_agency) -> str:
    # a border named anywhere in the sentence; "at the border" only in the number's own
    # stretch ("..., which it blamed on officers sent to help at the border" is not where)
    masked = _AT_THE_BORDER.sub(
        lambda m: m.group(0) if low <= m.start() and m.end() <= high else " " * len(m.group(0)), text)
    # "2,135,005 encounters at the southwest border and 2,901,142 nationwide": the nearer
    # word, counted from the number's end when it follows
    regions = [(m.start(), m.end(), entry) for entry in _REGION_RES for m in entry[1].finditer(masked)]
    region = min(regions, key=lambda r: _distance(r[0], r[1], number, low, high, text))[2] if regions else None
    if metric == "interdictions" and not region:
        region = ("coastal",)  # the Coast Guard interdicts at sea, said or not
    location = ""
    # within the number's stretch of the sentence; "including those at ports of entry"
    # describes a total, not a place
    c_low, c_high = _clause(text, number, low, high)
    lo = max(c_low, number.start - 120)
    # ("Including the 11,391 people deemed inadmissible at ports of entry, total encounters
    # reached 144,278": the ports are where the part was counted, not the total)
    window = _INCLUDING_PLACE.sub(lambda m: m.group(0) if m.start() <= number.start < m.end()
                                  else " " * len(m.group(0)), text)[lo:min(c_high, number.end + 120)]
    # the place named nearest the number ("2,045,838 between ports ..., while OFO
    # encountered 429,831 at ports of entry")
    places = [(abs(m.start() + lo - number.start) if m.start() + lo >= number.start
               else number.start - (m.end() + lo), name)
              for name, pattern in (("between ports", _BETWEEN_PORTS), ("ports of entry", _AT_PORTS),
                                    ("ports of entry", _OFO)) for m in pattern.finditer(window)]
    if places:
        location = min(places)[1]
    if metric == "apprehensions":
        location = ""  # Border Patrol apprehends between ports by definition
    # "Agents in the Tucson Sector", "the Laredo Field Office": a part of the border
    parts = [(m, _named_part(m) if m['name']
              else f"{' '.join((m['area'] or m['ero']).split())} area" if m['area'] or m['ero']
              else m['state']) for m in _SECTOR.finditer(window)]
    if metric == "apprehensions":  # "Tucson led with 58,900", "agents in Del Rio": Border Patrol's sectors
        parts += [(m, f"{m[1]} sector") for m in _SECTOR_NAME.finditer(window)
                  if not any(s.start() <= m.start() < s.end() for s, _ in parts)]
    if not parts and re.search(r"\b(?:agents|officers|personnel) there\b", window):
        # "The Tucson Sector, which covers ...: agents there apprehended 37,100": the place named before
        named = [m for m in _SECTOR.finditer(text, 0, number.start) if m['name']]
        if named:
            parts = [(re.search(r"there", window), _named_part(named[-1]))]
    if not parts and (the := _THE_SECTOR.search(window)):
        parts = [(the, THE_SECTOR)]  # "The sector logged 6,925": the one the release named (extract_document)
    if parts:
        location = min(parts, key=lambda part: _distance(part[0].start() + lo, part[0].end() + lo,
                                                         number, low, high, text))[1]
    if location.endswith(" sector"):
        return location  # a sector is on one border: "the Tucson Sector" whether or not the border is named
    return ", ".join(p for p in ((region[0] if region else ""), location) if p)


#: "including those at ports of entry", "Including the 11,391 people deemed inadmissible by CBP
#: officers at ports of entry": a part of a total and where it was counted
_INCLUDING_PLACE = re.compile(r"\b(?:includ|count|cover)\w* (?:(?:those |people |encounters |migrants )?(?:who \w+ |\w+ed )?|"
                              r"(?:the )?[\d,.]+(?: million)? [^,.;\d]{0,60}?)(?:at|between)[^,.;]*", re.I)


#: Where the words after a number stop being about it: another clause begins.
_NEXT_CLAUSE = re.compile(r",\s+(?:and|while|but|whereas)\b|;")
#: Where a new phrase of a sentence begins: another clause, or "and a(n) ..."
_NEW_PHRASE = re.compile(r",\s+(?:and|while|but|whereas)\b|;|\band\s+an?\s", re.I)


def _sentence_start(text: str, position: int) -> int:
    ends = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z\"“])", text[:position])]
    return ends[-1] if ends else 0


def _clause(text: str, number: _Number, low: int, high: int) -> tuple[int, int]:
    """The number's own clause within its stretch [low, high) of the sentence: from the last
    clause boundary before it to the first after it."""
    starts = [m.end() for m in _NEXT_CLAUSE.finditer(text, low, number.start)]
    end = _NEXT_CLAUSE.search(text, number.end, high)
    return (starts[-1] if starts else low), (end.start() if end else high)


def _population(text, number, low, high, metric) -> str:
    """Who is counted: the words after the number first ("11,507 were unaccompanied
    children"), then those before it ("family unit apprehensions were 9,000")."""
    after = min(high, number.end + 100)
    if clause := _NEXT_CLAUSE.search(text, number.end, after):  # "40,987, and removals to Mexico ..."
        after = clause.start()
    if aside := _SOME_OF_THEM.search(text, number.end, after):  # "38,700 people, most of them ..."
        after = aside.start()
    # "2,150 a day, while officers at the ports encountered 18,340": not before its clause
    clause_start = _clause(text, number, low, high)[0]
    if _LIST_NEXT.match(text, number.end):
        after = number.end  # "Haitians accounted for 698, Cubans for 290": the next item's words
    elif after == high and (item := _NEXT_ITEM.search(text, number.end, after)):
        after = item.start()  # "498 of them, Cubans 330", "2,700 of that total and Cubans 1,900": 330's, 1,900's
    for lo, hi in ((number.end, after), (max(clause_start, number.start - 80), number.start)):
        if lo < number.start and low and not _LIST_NEXT.match(text, low):
            # "5,700 members of family units in FY2019, out of 267,258 total removals": the
            # words right after the number before are that number's, up to a comma or "and"
            # ("4,300, down from 6,050 the year before, and Haitians 6,900")
            separator = _SEPARATOR.search(text, low, number.start)
            lo = max(lo, separator.end() if separator else low + 30)
            if lo >= hi:
                continue
        found = _nearest(_POPULATION_RES, text, number.start, lo, hi)
        if found and not (found[0] == "CBP One" and metric == "appointments") \
                and not (found[0] == "under Title 42" and metric == "expulsions"):
            return found[0]
        nationality = _nationality(text, lo, hi)
        if nationality:
            return nationality
    return ""


def _named_part(m: re.Match) -> str:
    """"Tucson sector", "Laredo field office": a ``_SECTOR`` match that names its place."""
    return f"{' '.join(m['name'].split())} {m['kind'].lower()}"


def _names_who(words: str) -> bool:
    """Whether words name a population or a nationality ("and Haitians 6,900")."""
    return bool(_nearest(_POPULATION_RES, words, len(words), 0, len(words)) or _nationality(words, 0, len(words)))


#: "the parole processes for Cubans, Haitians, Nicaraguans and Venezuelans": three or more
#: nationalities name a program or a group, not one nationality's part of a total
_NATIONALITY_LIST = re.compile(rf"\b(?:{_NATIONALITIES})s?(?:(?:,\s*|,?\s+and\s+)(?:{_NATIONALITIES})s?){{2,}}\b", re.I)


def _nationality(text: str, lo: int, hi: int) -> str:
    found = _NATIONALITY.search(text, lo, hi) or _NATIONALITY_PREDICATE.search(text, lo, hi)
    if found and any(m.start() <= found.start(1) < m.end() for m in _NATIONALITY_LIST.finditer(text)):
        return ""
    if found:
        return found.group(1).capitalize()
    found = _FROM_COUNTRY.search(text, lo, hi)
    if not found:
        return ""
    names = re.findall("|".join(_COUNTRIES), found.group(1), re.I)
    return ", ".join(_COUNTRIES[" ".join(n.lower().split())] for n in names)


#: Words that share out a total: "accounted for", "made up", "of those", "the largest group"
_SHARE_CUE = re.compile(r"\b(?:accounted for|accounting for|made up|make up|makes up|represented|comprised|contributed|"
                        r"(?:was|were) responsible for|numbered|totaled|totalled|(?:was|were) the (?:largest|biggest|"
                        r"second[- ]largest) group|followed by|of (?:them|those|these|whom|which)|"
                        r"of (?:that|this|the|the year's|the month's) (?:number|total|figure|count|tally))\b", re.I)
_LIST_NEXT = re.compile(r"\s*(?:[,;]|and\b)")
#: ", most of them Venezuelan": words about some of the number's people, not all
_SOME_OF_THEM = re.compile(r",\s+(?:many|most|some|several|few|half|a few|a third|a quarter)\s+of\s+"
                           r"(?:them|whom|those|these)\b", re.I)
_NEXT_ITEM = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)[^,\d]{0,30}$")
_SEPARATOR = re.compile(r"[,;]|\band\b")
_OF_THOSE = re.compile(r"\s+(?:[a-z]+\s+)?of\s+(?:those|them|these|the(?:se)?\s+(?:\w+\s+)?(?:total|encounters|"
                       r"apprehensions|removals|arrests|cases))\b", re.I)
_PART_OF = re.compile(r"\b(?:including|of whom|of which|among them|among those|of those)\s+$", re.I)
_NOUN_PHRASE = re.compile(r"\s*((?:[A-Za-z.'-]+\s+){0,5}?[A-Za-z.'-]+)\s*(?=[,;.)]|$|\s(?:who|which|that|were|was|in|at|during|from)\b)")


def _part_of(text, number, before, words_end, metric, whole: Figure | None) -> str:
    """"878,500 new citizens, including 12,000 members of the military": a part of the
    figure before it, named by its own words when no known population fits. A part
    counted by another metric ("including 1,050,000 expulsions") is told apart by it."""
    if whole is None or whole.metric != metric or not _PART_OF.search(_QUALIFIER.sub("", before[-40:])):
        return ""
    words = _NOUN_PHRASE.match(text, number.end, words_end)
    if words and re.match(r"(?:at|in|on|along|across|between|from|through)\b", words.group(1), re.I):
        return ""  # "including 61,400 at the southwest border": a place, which the scope says
    if not words or re.match(r"(?:that|which|who|were|was)\b", words.group(1), re.I):
        return "part of a total"
    return " ".join(words.group(1).split()).rstrip(".")


#: ", and returned 1,240 of them": a clause that goes on with the sentence's subject
#: "Family units: 24,500.": a count labelled by who it counts
_LABELLED_COUNT = re.compile(r"\s*[A-Z][^:\d.;]{2,60}:\s*(?:about |nearly |almost |roughly |more than |over )?[\d][\d,.]*"
                             r"(?:\s*(?:million|thousand))?\.?\s*")
#: "X again led the nation with", "topped all airports with": the largest part of a total
_NEXT_PLACE = re.compile(r"\b(?:followed|came next|was next|trailed|recorded|logged|counted|reported)\b"
                         r"(?:\s+[\w-]+){0,2}?\s+(?:with\s+)?$", re.I)
_LEADER = re.compile(r"\b(?:led|leads|topped|tops|ranked first|came first)\b(?:\s+[\w-]+){0,3}?\s+with\s+$", re.I)
_SAME_SUBJECT = re.compile(r"\s*(?:also\s+|then\s+|later\s+)?(?:\w+ed|made|took|saw|rose|fell|grew|had|kept|held|"
                           r"brought|caught|found|gave|sent|won|set|cut)\b", re.I)


def _agency(text, number, metric, default) -> str:
    """Who counted: the agency named in the number's own clause, else the sentence's, unless
    the sentence names it in a clause that counts something else ("Border Patrol apprehended
    61,020, while encounters at the ports reached 18,340": the encounters are CBP's)."""
    c_low, c_high = _clause(text, number, 0, len(text))
    found = _nearest(_AGENCY_RES, text, number.start, max(c_low, number.start - 150), min(c_high, number.end + 60))
    name = found[0] if found else ""
    if not found:
        mentions = [(start, name) for start, _, name in _agency_mentions(text)]
        if mentions:
            start, name = min(mentions)
            m_low, m_high = _clause(text, _Number(start, start, 0, "", False, False, False), 0, len(text))
            theirs = _nearest(_METRIC_RES, text, start, m_low, m_high)
            if name in ("USBP", "OFO") and theirs and theirs[0] != metric and (m_low, m_high) != (c_low, c_high) \
                    and not _SAME_SUBJECT.match(text, c_low):
                name = "CBP"  # a CBP component named for another count: the count is CBP's
    if not name and default and default.lower() not in _QUOTING_SOURCES:
        name = default
    if metric == "apprehensions" and name in ("CBP", "DHS", ""):
        name = "USBP"
    elif name in ("DHS", ""):
        name = _COUNTED_BY.get(metric, name)  # the department quoting its component's count
    return name


#: Sources that count none of what they quote: a figure they print is counted by whoever
#: the words name, else by whoever counts that metric.
_QUOTING_SOURCES = ("news", "federal register")
#: Who counts what, for a figure the department or no one in particular is said to count.
_COUNTED_BY = {"encounters": "CBP", "book-ins": "ICE", "passengers screened": "TSA", "interdictions": "USCG",
               "naturalizations": "USCIS", "detention population": "ICE", "alternatives to detention": "ICE"}


#: Periods a statistic printed outside a statistics release must have: ones that recur.
#: A day, a span of dates or "since 2021" is the tally of an event, not a statistic.
_RECURRING_PERIODS = (WEEK, MONTH, QUARTER, FISCAL_YEAR, CALENDAR_YEAR, YEAR_TO_DATE)
#: One operation's, raid's, flight's or ceremony's tally is news, not a series.
_ONE_OFF = re.compile(r"\b(?:operations?|raids?|(?:charter|removal) flights?|ceremon\w*|sweeps?|"
                      r"crackdowns?)\b", re.I)
#: "will welcome 19,000", "expects to screen 18.2 million": a forecast, not a count.
_FORECAST = re.compile(r"\b(?:will|would|could|expect\w*|plans? to|project\w*|forecast\w*|"
                       r"anticipat\w*|estimates? (?:that|to))\b", re.I)


def may_hold_figures(statements: list[str]) -> bool:
    """A quick test before reading a release that is not a statistics release: some
    statement has a digit and names something counted, or a list of numbers follows one
    that says what it counts ("Monthly apprehensions were as follows.")."""
    return any(re.search(r"\d", s) and (_ANY_METRIC.search(s) or (
        i and _LIST_LEAD_IN.search(statements[i - 1]) and _ANY_METRIC.search(statements[i - 1])))
        for i, s in enumerate(statements))


def periodic_statistic(figure: Figure, published: str | None) -> bool:
    """Whether a figure is a statistic wherever it is printed (a policy release quoting
    last month's encounters, an enforcement release with the fiscal year's removals, a
    news story with Mexico's detentions): a count of a recurring metric by a department
    component or another country's government, for a period of a kind that recurs and is
    over, said as a fact. A fee, a deadline, a share, a forecast or one operation's tally
    is not."""
    if figure.role != REPORTED or figure.kind not in (LEVEL, DAILY_AVERAGE, RECORD) \
            or figure.period_assumed:
        return False
    # another country's count is a statistic too, in a series of its own (``Figure.series``)
    if figure.unit in ("dollars", "percent") or figure.agency not in DHS_AGENCIES + _FOREIGN_COUNTERS:
        return False
    period = figure.period
    # a daily average over days named ("averaged 9,600 a day between Dec. 10 and 16") is a rate
    # of what recurs, and a running total since a program began is one too
    if period.kind not in _RECURRING_PERIODS and not (figure.kind == RECORD and period.kind == DAY) \
            and not (figure.metric in STOCKS and figure.kind == LEVEL and period.kind == DAY) \
            and not _whole_months(period) and not (figure.kind == DAILY_AVERAGE and period.kind == RANGE) \
            and not _running_total(figure, published):
        return False
    # a count of removal flights is a statistic; the tally of one flight is not
    words = _FLIGHTS.sub(" ", figure.text) if figure.metric == "flights" else figure.text
    return not (forecast(figure, published) or _ONE_OFF.search(words))


_FLIGHTS = re.compile(r"\b(?:charter|removal|repatriation|deportation)\s+(?:[a-z]+\s+)?flights\b", re.I)


def _running_total(figure: Figure, published: str | None) -> bool:
    """"More than 590,000 people have scheduled appointments since Jan. 12, 2023": a program's
    count from its start to the release (or to a day before it, "through September 30"), which
    the next release brings up to date (never anything's previous: a cumulative period has
    none). Not a tally of the last few weeks."""
    period = figure.period
    if period.kind != CUMULATIVE or figure.kind != LEVEL or not period.start or not published:
        return False
    # to the release, or to the day before it the sentence says it runs through, or to the end
    # of the month a monthly release reports
    if (period.end or published[:10]) != published[:10] and not (
            period.end < published[:10] and (_Periods._THROUGH_DAY.search(figure.text) or _month_end_before(
                period.end, published[:10]))):
        return False
    try:
        return (date.fromisoformat(published[:10]) - date.fromisoformat(period.start)).days >= 90
    except ValueError:
        return False


def _month_end_before(day: str, published: str) -> bool:
    """Whether ``day`` is the last day of a month that ended within a quarter before ``published``."""
    try:
        end, release = date.fromisoformat(day), date.fromisoformat(published)
    except ValueError:
        return False
    return end == month_end(end.year, end.month) and 0 <= (release - end).days < 93


def _whole_months(period: Period) -> bool:
    """"The 12 months ending in June", "from May through July": months from first day to
    last, a span that recurs."""
    if period.kind != RANGE or not period.start or not period.end:
        return False
    start, end = date.fromisoformat(period.start), date.fromisoformat(period.end)
    return start.day == 1 and end == month_end(end.year, end.month)


def forecast(figure: Figure, published: str | None) -> bool:
    """"will welcome 19,000 new citizens", "expects to screen 18.2 million", a cap "for
    the first half of fiscal year 2025": a number for a period not over when the release
    was published (a year or month to date ends on that day), or said of the future."""
    if published and figure.period.end and figure.period.end > published[:10]:
        return True
    return bool(_FORECAST.search(figure.text[:max(0, figure.text.find(figure.as_written))]))


def figure_json(figure: Figure) -> dict:
    """A figure as ``classify --json`` prints it."""
    return {"metric": figure.metric, "value": figure.value, "unit": figure.unit,
            "scope": figure.scope, "population": figure.population, "agency": figure.agency,
            "kind": figure.kind, "qualifier": figure.qualifier, "as_written": figure.as_written,
            "role": figure.role, "period": figure.period.label, "period_kind": figure.period.kind,
            "period_start": figure.period.start, "period_end": figure.period.end,
            "series": figure.series, "stated_change_pct": figure.stated_change_pct,
            "text": figure.text}


@functools.lru_cache(maxsize=64)
def _headline_metric(title: str) -> tuple | None:
    # "CBP Releases April 2024 Monthly Update": the verb, not released migrants
    title = re.sub(r"\b([A-Z]{2,}) Releases\b", lambda m: m.group(1) + " " * 9, title)
    return _nearest(_METRIC_RES, title, 0, 0, len(title))


def _exact_starts(texts: list[str], anchor: date | None) -> dict[tuple[int, int], date]:
    """The days a release counts from ("since Aug. 8"), by (year, month), so that "since
    launching the operation in early August" elsewhere in it starts on the same day."""
    starts = {}
    if not any("since" in text.lower() for text in texts):
        return starts
    reader = _Periods("", anchor, None)
    for text in texts:
        for m in _Periods._SINCE.finditer(text):
            day = reader._date(m.group(2), m.group(3), m.group(4))
            if day:
                starts.setdefault((day.year, day.month), day)
    return starts


def extract_document(title: str | None, statements: list[str], published: str | None,
                     agency: str | None = None) -> list[list[Figure]]:
    """Figures per statement of one release, each sentence read with the release's context."""
    context = headline_period(title, _anchor(published, None))
    in_headline = context is not None
    starts = _exact_starts([title or "", *statements], _anchor(published, context))
    head = None
    result = []
    regions: dict[str, str] = {}
    named = [m for text in (title or "", *statements) for m in (*_SECTOR.finditer(text), *_SECTOR_NAME.finditer(text))
             if m.re is _SECTOR_NAME or (m['name'] and m['kind'].lower() == "sector")] \
        if any("the sector" in s.lower() for s in statements) else []
    sector = f"{' '.join((named[0]['name'] if named[0].re is _SECTOR else named[0][1]).split())} sector" \
        if named else ""  # "the Swanton Sector" in the headline: what "the sector" is
    earlier: list[Figure] = []
    lead_in = None
    as_of = None
    for text in statements:
        figures = extract_figures(text, published, agency=agency, context=context, head=head,
                                  context_in_headline=in_headline, starts=starts, earlier=earlier,
                                  headline=title, as_of=as_of)
        if _LIST_LEAD_IN.search(text[-20:]) and _ANY_METRIC.search(text) and not re.search(r"\d", text):
            lead_in = text  # "Monthly apprehensions were as follows."
        elif lead_in and not figures and len(text.split()) <= 8 and not _ANY_METRIC.search(text):
            # "April: 128,900." read with the sentence that says what the list counts
            figures = extract_figures(f"{lead_in} {text}", published, agency=agency, context=context,
                                      context_in_headline=in_headline, starts=starts, earlier=earlier,
                                      headline=title)
        else:
            lead_in = None
        # "Apprehensions of family units fell to 9,000": at the border the release is about
        for figure in figures:
            region = next((r for r, _ in _REGIONS if figure.scope.startswith(r)), "")
            if not region and regions.get(figure.metric) and figure.agency in DHS_AGENCIES + ("",) \
                    and not figure.scope.endswith(" sector"):
                figure.scope = ", ".join(p for p in (regions[figure.metric], figure.scope) if p)
        for figure in figures:
            region = next((r for r, _ in _REGIONS if figure.scope.startswith(r)), "")
            if region and figure.role == REPORTED:
                regions[figure.metric] = region
            if figure.scope == THE_SECTOR and sector:
                figure.scope = sector  # "The sector logged 6,925": the Swanton Sector named before
            elif figure.scope.endswith(" sector") and figure.scope != THE_SECTOR:
                sector = figure.scope
        reported = [f for f in figures if f.role == REPORTED and f.kind != SHARE]
        if reported:  # "That is a 95% drop": the total, not its daily average beside it
            head = next((f for f in reversed(reported) if f.kind in (LEVEL, RECORD)), reported[-1])
        if context is None and figures:
            own = [f.period for f in figures if f.period.kind in (MONTH, FISCAL_YEAR, QUARTER)]
            if not own:  # "when the quarter closed on Dec. 31, the backlog stood at ...": the quarter
                own = [m.period for m in _Periods(text, _anchor(published, None), None).found
                       if m.period.kind in (MONTH, FISCAL_YEAR, QUARTER) and not (m.comparison or m.incidental)]
            context = own[0] if own else None
        if context is None and not figures and not earlier:
            context = _lead_period(text, published)
        as_of = _last_stock_day(figures) or as_of
        earlier += figures
        result.append(figures)
    _parts_of_one_total(earlier)
    _quoted_in_release(earlier)
    return result


def _year_to_date(year: int, index: int, calendar: bool = False) -> Period:
    """The fiscal year (or the calendar year) to date, through the end of month ``index``."""
    first = f"{year}-01-01" if calendar else fiscal_year(fiscal_year_of(date(year, index, 1))).start
    return Period(YEAR_TO_DATE, first, month_end(year, index).isoformat())


def _lead_period(text: str, published: str | None) -> Period | None:
    """"USCIS today reported its results for the second quarter of fiscal year 2024": the
    period a release's opening sentence says it reports, when its headline names none and
    that sentence gives no figure (a sentence with figures sets it by its own)."""
    own = [m.period for m in _Periods(text, _anchor(published, None), None).found
           if m.period.kind in (MONTH, FISCAL_YEAR, QUARTER) and not (m.comparison or m.incidental)]
    return own[0] if len({*own}) == 1 else None


def _last_stock_day(figures: list[Figure]) -> Period | None:
    days = [f.period for f in figures if f.role == REPORTED and f.metric in STOCKS and f.period.kind == DAY]
    return days[-1] if days else None


def _parts_of_one_total(figures: list[Figure]) -> None:
    """A release cannot give two totals of one series for one period: when it gives
    different values ("271,484 removals ... removals to Guatemala reached 40,987"), the
    largest is the total and the smaller ones count a part of it the words did not let us
    name, kept out of the series so that none becomes a "previous" of the total's."""
    groups: dict[tuple, list[Figure]] = {}
    for figure in figures:
        if figure.role == REPORTED and figure.kind in (LEVEL, RECORD, DAILY_AVERAGE):
            key = (figure.series, figure.period.start, figure.period.end)
            groups.setdefault(key, []).append(figure)
    for group in groups.values():
        largest = max(f.value for f in group)
        for figure in group:
            if figure.value < largest * 0.99:  # not the same total, rounded ("nearly 271,500")
                figure.population = "part of a total"


_LIST_LEAD_IN = re.compile(r"(?::|\bas follows\.?|\bthe following\.?|\bby month\.?)\s*$", re.I)


def _quoted_in_release(figures: list[Figure]) -> None:
    """"156,630 in February, essentially level with January's 157,358", or a release
    that gives each month of a quarter: the same series' preceding period, given anywhere
    in the release, is quoted for comparison with the figure, unless the release gives two
    values for it."""
    levels = [f for f in figures if f.role in (REPORTED, COMPARED) and f.kind in (LEVEL, DAILY_AVERAGE)]
    for figure in levels:
        before = figure.period.preceding()
        if before is None or any(c.period == before for c in figure.compared):
            continue
        same = [f for f in levels if f is not figure and f.series == figure.series and f.period == before]
        if same and len({f.value for f in same}) == 1:
            figure.compared.append(same[0])

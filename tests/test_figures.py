"""The figure model: what a number counts, for which period, and what it can be compared with."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.digest import sparkline
from monitor.evaluate_figures import parse_period, score, simulate
from monitor.figures import (
    COMPARED, CUMULATIVE, DAILY_AVERAGE, PERCENT_CHANGE, RECORD, REPORTED, WEEK, YEAR_TO_DATE, Period,
    extract_document, fiscal_year, month_period, periodic_statistic,
)
from monitor.series import statistics_quoted


def figures(text, published, title=None, agency=None):
    return [f for found in extract_document(title, [text], published, agency) for f in found]


def one(text, published, title=None, agency=None, role=REPORTED):
    found = [f for f in figures(text, published, title, agency) if f.role == role]
    assert len(found) == 1, found
    return found[0]


def test_a_monthly_update_quotes_the_month_before_and_the_same_month_last_year():
    found = figures("In May 2024, CBP encounters at the southwest border were 170,723, down 9% from "
                    "189,913 in April and down from 206,690 in May 2023.", "2024-06-18")
    by_value = {f.value: f for f in found}
    may, april, last_year = by_value[170_723], by_value[189_913], by_value[206_690]
    assert (may.role, may.period.label) == (REPORTED, "May 2024")
    assert (april.role, april.period.label) == (COMPARED, "April 2024")
    assert (last_year.role, last_year.period.label) == (COMPARED, "May 2023")
    assert may.series == april.series == last_year.series
    # only the month just before is the previous; the same month last year is not
    assert may.stated_previous() == (189_913, month_period(2024, 4))
    assert by_value[-9].kind == PERCENT_CHANGE and may.stated_change_pct == -9


def test_a_change_without_the_earlier_value_keeps_its_period():
    june = one("In June, Border Patrol apprehensions at the southwest border were 83,536, "
               "down 29% from May.", "2024-07-16")
    assert june.stated_change_pct == -29 and june.stated_previous() == (None, month_period(2024, 5))


def test_rounding_and_qualifiers_are_kept():
    figure = one("USCIS completed more than 2.8 million cases in fiscal year 2023.", "2023-11-01")
    assert (figure.value, figure.as_written, figure.qualifier) == (2_800_000, "2.8 million", "more than")
    assert figure.period == fiscal_year(2023) and figure.metric == "completions"


def test_a_daily_average_is_its_own_series():
    found = figures("Border Patrol apprehended 128,900 migrants at the southwest border in April, "
                    "an average of 4,297 per day.", "2024-05-15")
    total, daily = sorted(found, key=lambda f: -f.value)
    assert (total.kind, daily.kind) == ("level", DAILY_AVERAGE)
    assert total.period == daily.period == month_period(2024, 4) and total.series != daily.series


def test_fiscal_and_calendar_years_and_year_to_date():
    fy = one("In fiscal year 2022, Border Patrol expelled 1,050,000 migrants under Title 42.", "2022-10-21")
    cy = one("In calendar year 2022, Border Patrol apprehended 2.2 million migrants.", "2023-01-20")
    ytd = one("So far in fiscal year 2024, CBP has encountered 1.4 million migrants nationwide.", "2024-03-20")
    assert (fy.period.kind, fy.period.label, fy.metric) == ("fiscal year", "FY2022", "expulsions")
    assert (cy.period.kind, cy.period.label) == ("calendar year", "2022")
    assert (ytd.period.kind, ytd.period.start, ytd.period.end) == ("year to date", "2023-10-01", "2024-03-20")
    assert fiscal_year(2023).preceding() == fiscal_year(2022)
    assert ytd.period.preceding() is None  # a year to date has no honest previous in the history


def test_a_subset_is_not_the_total():
    found = extract_document("CBP Releases May 2019 Update", [
        "In May, Border Patrol apprehended 132,887 people at the southwest border.",
        "Of those, 84,542 were members of family units and 11,507 were unaccompanied children."],
        "2019-06-05")
    total, = found[0]
    families, children = found[1]
    assert (families.population, children.population) == ("family units", "unaccompanied children")
    assert len({total.series, families.series, children.series}) == 3
    assert families.period == total.period == month_period(2019, 5)


def test_a_part_introduced_by_including_is_named_by_its_own_words():
    whole, part = figures("In FY 2023, USCIS welcomed more than 878,500 new U.S. citizens, including "
                          "12,000 members of the military.", "2024-02-09", agency="USCIS")
    assert (whole.population, part.population) == ("", "members of the military")
    assert whole.series != part.series and whole.metric == part.metric == "naturalizations"


def test_from_one_value_to_another_quotes_the_first():
    figure = one("The backlog fell from 5.2 million in FY 2022 to 4.3 million at the end of FY 2023.",
                 "2023-12-01", agency="USCIS")
    assert figure.value == 4_300_000 and figure.period == fiscal_year(2023)
    assert figure.stated_previous() == (5_200_000, fiscal_year(2022))


def test_cbp_one_appointments_are_not_encounters():
    figure = one("In November, more than 40,000 people who scheduled appointments through the CBP One "
                 "app were processed at ports of entry.", "2024-12-17")
    assert (figure.metric, figure.scope, figure.qualifier) == ("appointments", "ports of entry", "more than")
    assert figure.period.label == "November 2024"  # never the publication date


def test_another_countrys_figure_says_whose_it_is():
    mexico = one("Mexican authorities apprehended 120,000 migrants in April.", "2023-05-12", agency="DHS")
    ours = one("U.S. Border Patrol apprehended 182,000 migrants in April.", "2023-05-12", agency="DHS")
    assert (mexico.agency, ours.agency) == ("Mexico", "USBP") and mexico.series != ours.series


def test_a_record_day():
    figure = one("TSA screened a record 2.99 million passengers on Sunday, June 23, 2024.", "2024-06-24")
    assert (figure.kind, figure.period.label, figure.agency) == (RECORD, "2024-06-23", "TSA")


def test_a_sentence_without_a_period_takes_the_headline_period():
    figure = one("Officers seized 1,870 pounds of fentanyl at ports of entry.", "2026-11-19",
                 title="CBP Releases October 2026 Monthly Update")
    assert (figure.metric, figure.unit, figure.period.label) == ("seizures", "pounds", "October 2026")


@pytest.mark.parametrize("text, published, title, expected", [
    # a year to date with no year named is the current fiscal year's, unless it says calendar
    ("Fiscal year to date, Border Patrol has apprehended 900,000 migrants.", "2024-03-15", None,
     (YEAR_TO_DATE, "2023-10-01", "2024-03-15")),
    ("Year to date, Border Patrol has apprehended 900,000 migrants.", "2024-11-15", None,
     (YEAR_TO_DATE, "2024-10-01", "2024-11-15")),
    ("Calendar year to date, TSA has screened 700 million travelers.", "2024-06-01", None,
     (YEAR_TO_DATE, "2024-01-01", "2024-06-01")),
    # a fiscal year, or a calendar year, still running when the release is published
    ("In fiscal year 2024, CBP has encountered 1.4 million migrants.", "2024-03-20", None,
     (YEAR_TO_DATE, "2023-10-01", "2024-03-20")),
    ("In 2024, TSA has screened 410 million travelers.", "2024-06-01", None,
     (YEAR_TO_DATE, "2024-01-01", "2024-06-01")),
    # part of a year, from its start
    ("In fiscal year 2024 through August, ICE removed 200,000 noncitizens.", "2024-09-20", None,
     (YEAR_TO_DATE, "2023-10-01", "2024-08-31")),
    ("In the first five months of fiscal year 2024, Border Patrol apprehended 800,000 migrants.",
     "2024-03-20", None, (YEAR_TO_DATE, "2023-10-01", "2024-02-29")),
    ("During the first 11 months of the fiscal year, agents apprehended 1.5 million migrants.",
     "2024-09-17", None, (YEAR_TO_DATE, "2023-10-01", "2024-08-31")),
    ("In the first half of fiscal year 2024, USCIS completed 5.2 million cases.", "2024-05-01", None,
     (YEAR_TO_DATE, "2023-10-01", "2024-03-31")),
    # month ranges, rolling months, weeks
    ("Between October and December 2023, ICE removed 60,000 people.", "2024-01-20", None,
     ("quarter", "2023-10-01", "2023-12-31")),
    ("January through March 2024, Border Patrol apprehended 402,000 migrants.", "2024-04-19", None,
     ("quarter", "2024-01-01", "2024-03-31")),
    ("In the 12 months ending in June, USCIS naturalized 800,000 people.", "2024-07-20", None,
     ("range", "2023-07-01", "2024-06-30")),
    ("For the week ending June 15, ICE detained an average of 37,000 people per day.", "2024-06-20", None,
     (WEEK, "2024-06-09", "2024-06-15")),
    # "last month" is the month before the release, even in a release about another month
    ("Last month, Border Patrol apprehended 50,000 migrants.", "2024-03-12",
     "CBP Releases February 2024 Monthly Update", ("month", "2024-02-01", "2024-02-29")),
    ("Last month, Border Patrol apprehended 50,000 migrants.", "2024-03-12", "Secretary Visits Border",
     ("month", "2024-02-01", "2024-02-29")),
    # counted since an event: from the exact day the release gives, not during its month
    ("Officers have seized more than 9,000 pounds of fentanyl since starting the surge in mid-March. "
     "The surge has run every day since March 13.", "2023-05-20", None,
     (CUMULATIVE, "2023-03-13", "2023-05-20")),
    # "the lowest since January 2021" compares; June is what is counted
    ("Border Patrol apprehended 83,536 migrants, the lowest monthly total since January 2021, in June.",
     "2024-07-16", None, ("month", "2024-06-01", "2024-06-30")),
])
def test_periods_as_a_careful_reader_dates_them(text, published, title, expected):
    figure = [f for f in figures(text, published, title) if f.role == REPORTED][0]
    assert (figure.period.kind, figure.period.start, figure.period.end) == expected


@pytest.mark.parametrize("text, published, title, expected", [
    # ranges of days, weeks and years, however they are written
    ("From Nov. 22-28, officers screened about 17.8 million travelers.", "2024-12-02", None,
     ("range", "2024-11-22", "2024-11-28")),
    ("In the two weeks ending July 14, TSA screened 38.5 million passengers.", "2024-07-16", None,
     ("range", "2024-07-01", "2024-07-14")),
    ("Encounters averaged about 3,200 a day in the first week of September.", "2023-09-12", None,
     ("range", "2023-09-01", "2023-09-07")),
    ("As of July 28, the seven-day average of encounters stood at 1,900 per day.", "2024-08-02", None,
     ("range", "2024-07-22", "2024-07-28")),
    ("In the seven days before the proclamation took effect on June 5, agents averaged 4,200 "
     "encounters a day.", "2024-08-02", None, ("range", "2024-05-29", "2024-06-04")),
    ("USCIS welcomed about 3.5 million new citizens over the past four fiscal years.", "2024-11-08", None,
     (CUMULATIVE, "2020-10-01", "2024-09-30")),
    # a year to date that a month ends; a fiscal year however it is named
    ("Through the end of August, CBP had seized about 19,600 pounds of fentanyl in fiscal year 2024.",
     "2024-09-18", None, (YEAR_TO_DATE, "2023-10-01", "2024-08-31")),
    ("In Fiscal Year (FY) 2024, ICE removed 271,484 noncitizens.", "2024-12-19", None,
     ("fiscal year", "2023-10-01", "2024-09-30")),
    ("In the 2024 fiscal year, USCIS naturalized 818,500 people.", "2025-01-30", None,
     ("fiscal year", "2023-10-01", "2024-09-30")),
    ("In calendar 2024, USCIS naturalized about 830,000 people.", "2025-01-30", None,
     ("calendar year", "2024-01-01", "2024-12-31")),
    # a date that ends the period named, or is the day of the release
    ("In fiscal year 2023, which closed on Sept. 30, CBP recorded 2,475,669 encounters.", "2023-10-21", None,
     ("fiscal year", "2022-10-01", "2023-09-30")),
    ("A cutter crew returned 40 Cubans to Bahia de Cabanas on Monday.", "2023-01-16", None,
     ("day", "2023-01-16", "2023-01-16")),
    # a span, not a comparison
    ("Agents apprehended 128,877 people over the 28-day month, or 4,603 a day on average.", "2023-03-15",
     "CBP Publishes Operational Statistics for February 2023", ("month", "2023-02-01", "2023-02-28")),
])
def test_more_periods_as_a_careful_reader_dates_them(text, published, title, expected):
    figure = [f for f in figures(text, published, title) if f.role == REPORTED][-1]
    assert (figure.period.kind, figure.period.start, figure.period.end) == expected


def test_a_change_said_as_more_or_fewer_than_a_month():
    more = one("Southwest border encounters climbed to 191,956 in March, 23% more than in February.",
               "2023-04-17")
    fewer = one("Encounters at the southwest border totaled 206,690 in May, 2% fewer than in April.",
                "2023-06-20")
    assert (more.stated_change_pct, fewer.stated_change_pct) == (23, -2)
    assert more.stated_previous() == (None, month_period(2023, 2))
    removals = one("ICE carried out 142,580 removals to more than 170 countries in fiscal year 2023.",
                   "2023-12-29", agency="ICE")
    assert removals.kind == "level"  # "more than 170 countries" qualifies the next number


def test_the_year_before_a_fiscal_year_is_the_fiscal_year_before():
    found = figures("ICE carried out 267,258 removals in fiscal year 2019, up from 256,085 the year before.",
                    "2019-12-11", agency="ICE")
    removals = next(f for f in found if f.role == REPORTED)
    assert removals.stated_previous() == (256_085, fiscal_year(2018))


def test_a_records_previous_is_the_record_it_beat():
    found = [f for s in extract_document("TSA Sets Single-Day Screening Record", [
        "Officers screened 2,883,595 people on Friday, June 30, the busiest day in the agency's history.",
        "The old mark of 2,882,915 dated from Nov. 27, 2019."], "2023-07-03", "TSA") for f in s]
    record = next(f for f in found if f.role == REPORTED)
    assert record.kind == RECORD and record.stated_previous() == (2_882_915, Period("day", "2019-11-27", "2019-11-27"))
    third = one("The busiest day of the period was Friday, Dec. 27, with 3,043,000 passengers, the "
                "third-busiest day in TSA history.", "2025-01-06")
    assert third.kind == "level"


def test_the_preceding_period_given_anywhere_in_the_release_is_its_previous():
    found = [f for s in extract_document("CBP Publishes Operational Statistics for February 2023", [
        "CBP logged 156,630 encounters along the southwest border in February, essentially level with "
        "January's 157,358."], "2023-03-15", "CBP") for f in s]
    february = next(f for f in found if f.value == 156_630)
    assert february.stated_previous() == (157_358, month_period(2023, 1))


def test_a_comparison_takes_the_figure_its_words_name():
    found = [f for s in extract_document("Coast Guard Fiscal 2024 Migrant Interdictions", [
        "During fiscal 2024, crews interdicted 2,470 Haitians, 1,330 Cubans and 960 Dominicans at sea.",
        "The number of Haitian migrants interdicted was sharply lower than the 4,850 stopped in fiscal 2023."],
        "2024-10-09", "USCG") for f in s]
    haitian, dominican = (next(f for f in found if f.value == v) for v in (2_470, 960))
    assert haitian.stated_previous() == (4_850, fiscal_year(2023)) and dominican.stated_previous() is None
    assert {f.population for f in found if f.role == REPORTED} == {"Haitian", "Cuban", "Dominican"}


@pytest.mark.parametrize("text, agency, expected", [
    ("Agents in the Tucson Sector apprehended 11,700 migrants in September.", "CBP", ("Tucson sector", "")),
    ("ERO Houston arrested 10,500 noncitizens in fiscal year 2024.", "ICE", ("Houston area", "")),
    ("Of those apprehended in June, 12,300 were people from Mexico.", "CBP", ("", "Mexican")),
    ("Nationals of El Salvador, Guatemala and Honduras accounted for 31,000 apprehensions in June.", "CBP",
     ("", "Salvadoran, Guatemalan, Honduran")),
    ("Border Patrol apprehended 31,000 of those migrants in June.", "CBP", ("", "part of a total")),
    ("Encounters with children traveling without a parent or guardian numbered 5,241 in October.", "CBP",
     ("", "unaccompanied children")),
    ("Seizures of methamphetamine rose to 176,000 pounds in fiscal year 2024.", "CBP", ("", "methamphetamine")),
])
def test_a_part_of_the_country_or_of_the_people_is_a_series_of_its_own(text, agency, expected):
    figure = one(text, "2024-12-20", agency=agency)
    assert (figure.scope, figure.population) == expected


def test_words_that_do_not_say_what_a_number_counts_or_where():
    arrests = one("Administrative arrests fell to 143,099 in fiscal year 2019, from 158,581 in fiscal year "
                  "2018, which the agency blamed on officers being sent to help at the border.",
                  "2019-12-11", agency="ICE")
    assert arrests.scope == ""  # "at the border" places the clause, not the arrests
    gross = [f for f in figures("USCIS's net backlog stood at 4.0 million cases, while the gross backlog, "
                                "which counts every pending case, was 11.3 million.", "2024-11-20",
                                agency="USCIS")]
    assert [f.metric for f in gross] == ["net backlog", "gross backlog"]
    mexico = one("Mexico's National Migration Institute said it encountered roughly 62,000 migrants in May.",
                 "2023-06-20", agency="CBP")
    assert mexico.agency == "Mexico"


def test_the_previous_month_and_week_are_the_ones_before_the_sentences():
    found = figures("Last month, Border Patrol apprehended 56,400 migrants, down from 83,536 the previous "
                    "month.", "2024-08-20")
    assert [(f.value, f.role, f.period.label) for f in found] == [
        (56_400, REPORTED, "July 2024"), (83_536, COMPARED, "June 2024")]
    week, before = figures("For the week ending June 15, 2024, ICE held an average of 37,400 people in "
                           "detention each day, up from 36,900 the week before.", "2024-06-21")
    assert (week.period.start, before.period.start, before.period.end) == ("2024-06-09", "2024-06-02", "2024-06-08")
    assert week.stated_previous() == (36_900, before.period)


@pytest.mark.parametrize("text, values", [
    ("In May, apprehensions were 117,901, and in April 128,900.", [117_901, 128_900]),  # not April 12
    ("HOUSTON — ICE removed Mario Ruiz-Paz, 37, to Honduras in March 2024.", []),  # an age
    ("In the 12 months ending in June, USCIS naturalized 800,000 people.", [800_000]),  # not 12 people
    ("The cutter's crew made the apprehension of 36 suspected smugglers in May.", [36]),
])
def test_what_is_a_count(text, values):
    assert [f.value for f in figures(text, "2024-06-15")] == values


def test_a_comparisons_month_is_not_the_figures_own():
    found = figures("Unaccompanied children encounters totaled 10,268, compared with 9,860 in May.",
                    "2023-07-18", title="CBP Monthly Update - June 2023")
    assert [(f.value, f.role, f.period.label) for f in found] == [
        (10_268, REPORTED, "June 2023"), (9_860, COMPARED, "May 2023")]


def test_who_is_counted_in_a_part():
    arrests, convicted = figures("ERO arrested 113,431 noncitizens in fiscal year 2024, 81,312 of whom had "
                                 "criminal convictions or pending charges.", "2024-12-19", agency="ICE")
    assert (convicted.metric, convicted.population) == ("arrests", "with criminal records")  # not a backlog
    total, border = figures("Nationwide, CBP encountered 106,000 migrants in January, including 61,400 at "
                            "the southwest border.", "2025-02-14")
    assert (border.scope, border.population) == ("southwest border", "")  # a place, not a population


def test_a_total_beside_a_subset_and_each_places_nearest_words():
    part, total = figures("ICE removed 5,700 members of family units in fiscal year 2019, out of 267,258 "
                          "total removals.", "2019-12-11", agency="ICE")
    assert (part.population, total.population) == ("family units", "")
    between, ports = figures("Border Patrol encountered 2,045,838 migrants between ports of entry in FY2023, "
                             "while OFO encountered 429,831 at ports of entry.", "2023-10-21")
    assert (between.scope, between.agency, ports.scope, ports.agency) == (
        "between ports", "USBP", "ports of entry", "OFO")


def test_another_countrys_count_and_the_year_it_is_compared_with():
    found = figures("Panama's immigration service counted 520,000 people crossing the Darien Gap in 2023, "
                    "double the 2022 total of 248,000.", "2024-01-18")
    assert [(f.value, f.role, f.agency, f.period.label) for f in found] == [
        (520_000, REPORTED, "Panama", "2023"), (248_000, COMPARED, "Panama", "2022")]


def test_that_refers_to_the_total_not_its_daily_average():
    found = [f for statement in extract_document("CBP Releases March 2025 Monthly Update", [
        "In March, Border Patrol recorded 7,181 apprehensions at the southwest border, an average of 232 per day.",
        "That is a 95% drop from March 2024, when agents apprehended 137,473."], "2025-04-15")
        for f in statement]
    total = next(f for f in found if f.value == 7_181)
    assert total.stated_change_pct == -95 and total.compared[0].value == 137_473
    assert total.compared[0].kind == "level" and total.compared[0].period.label == "March 2024"


def _quoted(text, published, title="DHS Announces a New Policy", agency="DHS"):
    statements = [s for s in text.split("\n") if s]
    found = statistics_quoted(extract_document(title, statements, published, agency), published)
    return [(f.value, f.role) for statement in found for f in statement]


def test_a_release_that_is_not_statistics_keeps_only_the_statistics_it_quotes():
    assert _quoted("The new fee of $5,000 applies to petitions filed within 30 days, and relief lasts 18 months.\n"
                   "In fiscal year 2023, ICE removed 142,580 noncitizens, up from 72,177 in fiscal year 2022.\n"
                   "That total included 5,700 members of family units.",
                   "2024-01-10") == [(142_580, REPORTED), (72_177, COMPARED), (5_700, REPORTED)]
    # a forecast, one operation's tally, a ceremony, a share, a period the sentence does not name
    assert _quoted("USCIS will welcome about 12,500 new citizens from June 28 through July 5.", "2024-06-25") == []
    assert _quoted("TSA expects to screen 18.2 million passengers during the Thanksgiving period.",
                   "2024-11-20") == []
    assert _quoted("ICE arrested 412 people during a week-long operation in North Texas last month.",
                   "2024-05-02") == []
    assert _quoted("Border Patrol apprehended 50,000 migrants in May.\nOf them, 40% were single adults.\n"
                   "More than 400 have already been removed.", "2024-06-10") == [(50_000, REPORTED)]
    # Mexico's count is kept as Mexico's, a series of its own that never meets Border Patrol's
    mexico = statistics_quoted(extract_document("DHS Announces a New Policy", [
        "Mexican authorities apprehended 120,000 migrants in June.",
        "Panama also said that 212,000 migrants had made the jungle crossing through the end of June."],
        "2024-07-16", "DHS"), "2024-07-16")
    assert [(f.value, f.agency, f.period.start) for s in mexico for f in s] == [
        (120_000, "Mexico", "2024-06-01"), (212_000, "Panama", "2024-01-01")]  # a calendar year to date
    assert "USBP" not in mexico[0][0].series and "CBP" not in mexico[1][0].series
    figure = one("Since Jan. 1, ICE has arrested 20,000 people.", "2024-03-01", agency="ICE")
    assert periodic_statistic(figure, "2024-03-01")  # a calendar year to date


def _stored(*releases):
    corpus = [{"id": f"r{i}", "title": title, "date": day, "agency": "CBP", "text": text,
               "statistics": [{"metric": "x", "value": 1, "period": "x"}]}
              for i, (title, day, text) in enumerate(releases)]
    rows = simulate(corpus)
    return {row["value"]: row for found in rows.values() for row in found}


def test_a_stored_value_the_release_contradicts_is_not_its_previous():
    rows = _stored(
        ("CBP Releases October 2024 Monthly Update", "2024-11-15",
         "CBP officers encountered 47,578 people at the southwest border in October."),
        ("CBP Releases November 2024 Monthly Update", "2024-12-17",
         "Southwest border encounters totaled 94,190 in November, down from 106,321 in October."))
    november = rows[94_190]
    assert (november["previous_value"], november["previous_source"]) == (106_321, "release")


def test_releases_that_disagree_about_a_period_give_no_previous():
    rows = _stored(
        ("CBP Releases October 2024 Monthly Update", "2024-11-15",
         "Southwest border encounters totaled 106,321 in October."),
        ("Port Processing in October", "2024-11-20",
         "CBP officers encountered 47,578 people at the southwest border in October."),
        ("CBP Releases November 2024 Monthly Update", "2024-12-17",
         "Southwest border encounters totaled 94,190 in November."),
        ("Agents in the Tucson Sector", "2024-12-18",
         "Agents in the Tucson Sector apprehended 11,700 migrants in November."))
    assert rows[94_190]["previous_value"] is None
    assert rows[11_700]["series"].split(" | ")[1] == "Tucson sector"


@pytest.mark.parametrize("text, expected", [
    ("February 2025", ("2025-02-01", "2025-02-28")),
    ("FY2023", ("2022-10-01", "2023-09-30")),
    ("since Oct. 1, 2022 (FY2023 to date)", ("2022-10-01", None)),
    ("Sunday, June 23, 2024", ("2024-06-23", "2024-06-23")),
    ("June 27 - July 8, 2024", ("2024-06-27", "2024-07-08")),
    ("first half of 2023", ("2023-01-01", "2023-06-30")),
    ("Q2 2024 (more than)", ("2024-04-01", "2024-06-30")),
    ("last year (2024)", ("2024-01-01", "2024-12-31")),
    ("2023-10-01 to 2023-12-31", ("2023-10-01", "2023-12-31")),
    ("week before release, July 2023", None),
    ("2024-06", ("2024-06-01", "2024-06-30")),
    ("2024-Q2", ("2024-04-01", "2024-06-30")),  # a calendar quarter
    ("FY2025 through 2025-05", ("2024-10-01", "2025-05-31")),
    ("2024-06-01/2024-06-15", ("2024-06-01", "2024-06-15")),
    ("CY2024 through 2024-06", ("2024-01-01", "2024-06-30")),
    # a year to date whose gold names no last day: open-ended, like "FY2025 to date"
    ("FY2021-YTD", ("2020-10-01", None)),
    ("CY2022-YTD", ("2022-01-01", None)),
    ("FY2024 to date", ("2023-10-01", None)),
])
def test_gold_periods_are_read_as_dates(text, expected):
    assert parse_period(text) == expected


def test_a_sparkline_leaves_a_gap_for_a_missing_period():
    spark = sparkline([10.0, 12.0, None, 11.0, 9.0])
    assert len(spark["lines"]) == 2 and spark["gaps"] == 1
    assert sparkline([10.0, None]) is None
    lone = sparkline([10.0, None, 12.0])
    assert lone["lines"] == [] and len(lone["dots"]) == 2


def test_evaluate_figures_meets_its_targets_on_the_held_out_releases(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate-figures", "--json"])
    assert result.exit_code == 0, result.output
    held = json.loads(result.output)["heldout"]
    assert held["releases"] >= 20 and held["value_recall"] >= 0.9
    assert held["period_accuracy"] >= 0.95 and held["previous_precision"] >= 0.98


def test_no_previous_value_falls_into_the_traps():
    """Missing months, fiscal years before months, running totals, sectors, other countries,
    record days, percent changes: a previous is given only where it is honest."""
    traps = Path(__file__).parent.parent / "monitor" / "data" / "figures" / "traps.jsonl"
    result = CliRunner().invoke(cli, ["evaluate-figures", "--json", "--corpus", str(traps)])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)["traps.jsonl"]
    assert scored["previous_precision"] == 1.0 and scored["previous_given"] >= 18


def test_evaluate_figures_reads_a_corpus_and_rejects_one_without_figures(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({
        "id": "x", "title": "CBP Releases May 2024 Monthly Update", "date": "2024-06-18", "agency": "CBP",
        "text": "Border Patrol apprehended 117,901 migrants at the southwest border in May.",
        "statistics": [{"metric": "apprehensions", "value": 117901, "period": "May 2024"}]}) + "\n")
    result = CliRunner().invoke(cli, ["evaluate-figures", "--corpus", str(corpus)])
    assert result.exit_code == 0 and "value recall        1.000" in result.output
    empty = tmp_path / "e.jsonl"
    empty.write_text(json.dumps({"id": "y", "text": "Nothing.", "statistics": []}) + "\n")
    result = CliRunner().invoke(cli, ["evaluate-figures", "--corpus", str(empty)])
    assert result.exit_code == 1 and "no releases with gold figures" in result.output
    assert Period().label is None


def test_removals_to_a_country_count_its_nationals_not_the_total():
    found = [f for s in extract_document("ICE Annual Report", [
        "The agency deported 198,300 people in fiscal year 2022.",
        "Deportations to Honduras came to 21,950, and deportations to Ecuador passed 6,100."],
        "2022-12-30", "ICE") for f in s]
    by_value = {f.value: f for f in found}
    assert by_value[198300].population == ""
    assert by_value[21950].population == "Honduran"  # not Ecuadorian: that is the next clause
    assert by_value[6100].series != by_value[198300].series


def test_a_release_never_gives_one_series_two_totals_for_one_period():
    """The smaller of two values the words could not tell apart is part of the total, kept
    out of its series, so it can never be a later total's "previous"."""
    found = figures("Officers made 143,250 administrative arrests in fiscal year 2021. In the "
                    "interior, officers made 38,900 administrative arrests in fiscal year 2021.",
                    "2021-12-15", agency="ICE")
    total, part = sorted(found, key=lambda f: -f.value)
    assert (total.value, part.value) == (143250, 38900)
    assert part.population == "part of a total" and part.series != total.series


# --- stocks on a day, quarters, spans and more wordings (issue 9, blind set 2) ----------

def test_a_stock_at_a_months_end_is_a_level_on_that_day_not_over_the_month():
    pending = one("At the end of June 2023, USCIS had some 5.1 million cases pending.", "2023-08-01")
    assert pending.period == Period("day", "2023-06-30", "2023-06-30")
    closed = one("The agency ended September with 4.9 million pending applications.", "2023-10-20",
                 agency="USCIS")
    assert closed.period == Period("day", "2023-09-30", "2023-09-30") and closed.metric == "backlog"


def test_a_stock_when_its_quarter_closed_is_on_that_day_while_a_flow_keeps_the_quarter():
    found = figures("The net backlog stood at 4.6 million cases in the second quarter of fiscal year 2023, "
                    "which closed on March 31, and the agency completed 2.5 million cases in that quarter.",
                    "2023-05-10", agency="USCIS")
    by_value = {f.value: f for f in found}
    assert by_value[4_600_000].period == Period("day", "2023-03-31", "2023-03-31")
    assert by_value[2_500_000].period == Period("quarter", "2023-01-01", "2023-03-31")


def test_a_stock_without_a_period_of_its_own_is_measured_on_the_releases_last_day():
    statements = ["ICE held 36,500 people in detention as of April 14, 2024, up from 35,200 two weeks before.",
                  "On that date about 180,000 people were enrolled in Alternatives to Detention.",
                  "Roughly 58% of those in custody had no criminal record."]
    found = [f for fs in extract_document("Detention newsletter", statements, "2024-04-20", "ICE") for f in fs]
    by_value = {f.value: f for f in found}
    day = Period("day", "2024-04-14", "2024-04-14")
    assert by_value[36_500].period == by_value[180_000].period == by_value[58].period == day
    # a monitoring program is not the detention population's series
    assert by_value[180_000].metric == "alternatives to detention"
    assert by_value[180_000].series != by_value[36_500].series
    # a detention count on a day is a statistic wherever it is printed; an arrest tally is not
    assert periodic_statistic(by_value[36_500], "2024-04-20")
    raid = one("ICE arrested 230 people on March 5, 2024.", "2024-03-10")
    assert raid.period.kind == "day" and not periodic_statistic(raid, "2024-03-10")


def test_a_span_of_months_written_with_to_is_a_quarter():
    found = one("During the April-to-June quarter, USCIS completed 240,000 naturalization applications.",
                "2023-08-01")
    assert found.period == Period("quarter", "2023-04-01", "2023-06-30")


def test_since_a_day_and_through_another_is_the_span_between_them():
    found = figures("Since the new rule took effect on May 12, and through July 31, DHS removed or returned "
                    "more than 90,000 people and ICE operated more than 250 removal flights.", "2023-08-10")
    people, flights = sorted(found, key=lambda f: -f.value)
    span = Period("range", "2023-05-12", "2023-07-31")
    assert people.period == flights.period == span
    assert (people.metric, flights.metric) == ("removals and returns", "flights")


def test_a_fiscal_year_from_its_first_day_to_a_months_end_is_that_year_to_date():
    found = one("USCIS approved about 640,000 initial work permits between October 1, 2022 and March 31, 2023.",
                "2023-04-20")
    assert found.period == Period(YEAR_TO_DATE, "2022-10-01", "2023-03-31") and found.metric == "work permits"
    assert periodic_statistic(found, "2023-04-20")  # a recurring period, quoted wherever
    whole = one("USCIS approved about 1.4 million work permits between October 1, 2022 and September 30, 2023.",
                "2023-11-20")
    assert whole.period.kind == "range"  # a whole year is not "to date"
    quarter = one("USCIS approved about 330,000 work permits between January 1, 2023 and March 31, 2023.",
                  "2023-04-20")
    assert quarter.period == Period("quarter", "2023-01-01", "2023-03-31")


def test_a_change_in_number_is_signed_and_for_the_quarter_the_release_covers():
    found = figures("USCIS ended September with 8.9 million pending cases, down from 9.1 million at the end "
                    "of June, a reduction of about 150,000 over the quarter.", "2023-11-02",
                    title="USCIS quarterly snapshot: July-September 2023", agency="USCIS")
    by_value = {f.value: f for f in found}
    change = by_value[-150_000]
    assert change.kind == "change" and change.period == Period("quarter", "2023-07-01", "2023-09-30")
    assert by_value[8_900_000].period == Period("day", "2023-09-30", "2023-09-30")
    june = by_value[9_100_000]
    assert june.role == COMPARED and june.period == Period("day", "2023-06-30", "2023-06-30")


@pytest.mark.parametrize("text, title, value, metric", [
    ("The net backlog shrank by 9% over the year.", "USCIS fiscal 2023 results", -9, "net backlog"),
    ("Officers also stopped 5,100 firearms at airport checkpoints.", "TSA results for 2022", 5_100, "seizures"),
    ("The median time to decide a green card application was 8.1 months in fiscal 2023.",
     "USCIS fiscal 2023 results", 8.1, "processing time"),
    ("USCIS took in 9.1 million applications in fiscal year 2023.", "USCIS fiscal 2023 results", 9_100_000,
     "receipts"),
    ("About 190,000 people took the oath of allegiance in fiscal year 2023.", "USCIS fiscal 2023 results",
     190_000, "naturalizations"),
    ("Daily volume averaged about 2.2 million in May.", "May checkpoint numbers", 2_200_000, "passengers screened"),
])
def test_values_in_more_wordings(text, title, value, metric):
    found = [f for f in figures(text, "2023-12-01", title=title, agency="TSA" if "TSA" in title or "checkpoint"
                                in title else "USCIS") if f.value == value]
    assert [f.metric for f in found] == [metric]


def test_running_ahead_is_a_rise_and_below_the_count_for_a_month_is_a_comparison():
    ahead = [f for f in figures("Since Jan. 1, checkpoint volumes are running 4% ahead of the same stretch of "
                                "2022.", "2023-05-20", agency="TSA") if f.kind == PERCENT_CHANGE]
    assert [f.value for f in ahead] == [4] and ahead[0].period.start == "2023-01-01"
    found = figures("Total southwest border encounters were 98,000, 40% below the count for July 2022.",
                    "2023-08-15", title="CBP Releases July 2023 Monthly Update")
    by_value = {f.value: f for f in found}
    assert by_value[98_000].period == month_period(2023, 7)
    assert by_value[98_000].stated_change_pct == -40


def test_people_released_pending_court_hearings_are_releases_not_a_backlog():
    change = one("The number of people released from custody pending court hearings has dropped 60% since "
                 "June 5.", "2024-08-20", agency="DHS")
    assert change.metric == "releases" and change.value == -60


def test_a_span_of_whole_months_and_a_count_of_removal_flights_recur():
    rolling = one("In the 12 months ending in March 2023, USCIS naturalized 910,000 people.", "2023-04-25")
    assert rolling.period == Period("range", "2022-04-01", "2023-03-31")
    assert periodic_statistic(rolling, "2023-04-25")
    flights = one("In April 2023 alone, ICE conducted 120 international removal flights.", "2023-05-20")
    assert flights.metric == "flights" and periodic_statistic(flights, "2023-05-20")
    one_flight = one("A removal flight carrying 130 people left Houston for Guatemala on April 4, 2023.",
                     "2023-04-05", agency="ICE")
    assert not periodic_statistic(one_flight, "2023-04-05")
    event = one("Between March 3, 2023, and April 17, 2023, DHS removed more than 60,000 people.", "2023-04-20")
    assert event.period.kind == "range" and not periodic_statistic(event, "2023-04-20")


def test_a_news_source_quotes_the_agency_that_counts():
    found = one("About 180,000 people were enrolled in Alternatives to Detention on April 14, 2024.",
                "2024-04-20", agency="News")
    assert found.agency == "ICE" and periodic_statistic(found, "2024-04-20")
    own = one("Some 9,800 children were in custody on April 14, 2024.", "2024-04-20", agency="HHS")
    assert own.agency == "HHS"


def test_taking_people_into_custody_is_not_taking_in_filings():
    found = figures("ICE took into custody 3,000 people who had final orders in fiscal year 2023.", "2023-11-01",
                    agency="ICE")
    assert "receipts" not in {f.metric for f in found}


def test_a_processing_time_after_another_figure_in_its_sentence_keeps_its_metric():
    found = figures("The agency swore in 700,000 new citizens, and the median time to decide a naturalization "
                    "application fell to 7.2 months from 9.9 months in fiscal year 2021.", "2023-01-20",
                    title="USCIS fiscal 2022 results", agency="USCIS")
    by_value = {f.value: f for f in found}
    assert by_value[7.2].metric == by_value[9.9].metric == "processing time"
    assert by_value[7.2].stated_previous() == (9.9, fiscal_year(2021))


def test_a_period_after_below_the_count_for_is_the_comparisons_base():
    """"12% above the level for March 2023": March 2023 is what the figure is compared with;
    the figure's own period is the release's month."""
    found = figures("Encounters at the northern border came to 19,300, which is 12% above the level "
                    "for March 2023.", "2024-04-16", title="CBP Releases March 2024 Monthly Update")
    reported = [f for f in found if f.role == REPORTED]
    assert {(f.value, f.period) for f in reported} == {(19300, month_period(2024, 3))}
    assert [f.period for f in found if f.kind == PERCENT_CHANGE] == [month_period(2024, 3)]


def test_a_stock_is_counted_on_a_day_and_a_flow_over_the_quarter():
    """A backlog "at the end of July" or "when the quarter ended on Dec. 31" is that day's;
    filings received "during the quarter" cover the quarter."""
    held = one("ICE was holding 38,500 people in detention at the end of July.", "2024-08-09")
    assert held.period == Period("day", "2024-07-31", "2024-07-31")
    found = [f for fs in extract_document("USCIS First-Quarter Update", [
        "When the first quarter of fiscal year 2025 ended on Dec. 31, the agency's net backlog stood at "
        "3.9 million cases.", "During the quarter, USCIS received 2.6 million filings."],
        "2025-02-12", "USCIS") for f in fs]
    assert {(f.metric, f.period.start, f.period.end) for f in found} == {
        ("net backlog", "2024-12-31", "2024-12-31"), ("receipts", "2024-10-01", "2024-12-31")}


@pytest.mark.parametrize("text, published", [
    ("FY2024 apprehensions through March stood at 900,000.", "2024-04-12"),
    ("Fiscal year 2024 southwest border encounters through March totaled 900,000.", "2024-04-12"),
    ("FY 2024 apprehensions, through March: 900,000.", "2024-04-12"),
    ("Fiscal year-to-date apprehensions reached 900,000 through March.", "2024-04-12"),
])
def test_a_fiscal_year_count_through_a_month_is_year_to_date_not_the_month(text, published):
    figure = one(text, published, agency="CBP")
    assert (figure.period.kind, figure.period.start, figure.period.end) == (YEAR_TO_DATE, "2023-10-01", "2024-03-31")


def test_a_year_to_date_count_through_a_month_is_never_the_next_months_previous():
    rows = _stored(
        ("CBP Releases March 2024 Monthly Update", "2024-04-12",
         "FY2024 apprehensions through March stood at 900,000."),
        ("CBP Releases April 2024 Monthly Update", "2024-05-15",
         "Border Patrol apprehended 128,900 people in April."))
    assert rows[128_900]["previous_value"] is None


@pytest.mark.parametrize("text, country", [
    ("Mexico encountered 120,000 migrants in February, its government said.", "Mexico"),
    ("Encounters in Mexico reached 120,000 in February.", "Mexico"),
    ("Guatemala deported 5,000 migrants in February.", "Guatemala"),
    ("Canada's border agency intercepted 1,800 people in February.", "Canada"),
])
def test_a_country_that_counts_is_the_agency_of_its_figure(text, country):
    assert one(text, "2024-03-15", agency="CBP").agency == country


def test_another_countrys_month_is_never_a_dhs_months_previous():
    rows = _stored(
        ("Regional Migration Update", "2024-03-10", "Encounters in Mexico reached 120,000 in February."),
        ("CBP Releases March 2024 Monthly Update", "2024-04-12", "Encounters totaled 150,000 in March."))
    assert rows[150_000]["previous_value"] is None


def test_a_forecast_takes_no_previous_from_the_stored_series():
    rows = _stored(
        ("CBP Releases February 2024 Monthly Update", "2024-03-15",
         "Southwest border encounters totaled 140,644 in February."),
        ("CBP Releases March 2024 Monthly Update", "2024-03-20",
         "CBP expects southwest border encounters to reach 190,000 in March."))
    assert 190_000 not in rows or rows[190_000]["previous_value"] is None


@pytest.mark.parametrize("text", [
    "Crews interdicted 300 Haitians in June, raising the fiscal year total to 2,400.",
    "ICE removed 18,000 people in June. Removals for the fiscal year now total 150,000.",
])
def test_a_running_fiscal_year_total_is_year_to_date_not_the_month(text):
    found = [f for f in figures(text, "2024-07-16", agency="USCG") if f.role == REPORTED]
    month, total = found
    assert (month.period.kind, total.period.kind) == ("month", YEAR_TO_DATE)
    assert total.period.start == "2023-10-01"


def test_gold_previous_values_follow_the_series_where_a_gold_file_gives_none():
    """A gold file may give only the previous values a release states: the rest are the
    same series' figure for the period before (issue 9's ``previous``), never a subset's
    or another kind's; a change names the period it is compared with, and keeps that."""
    from monitor.evaluate_figures import derive_previous

    total = {"metric": "encounters", "scope": "southwest border", "population": "", "kind": "level"}
    corpus = [
        {"id": "may", "date": "2024-06-15", "statistics": [
            total | {"value": 117_901, "period": "2024-05"},
            total | {"population": "family units", "value": 40_000, "period": "2024-05"}]},
        {"id": "june", "date": "2024-07-15", "statistics": [
            total | {"value": 83_536, "period": "2024-06"},
            total | {"population": "family units", "value": 30_000, "period": "2024-06",
                     "previous_value": 39_000, "previous_period": "2024-05"},  # stated: kept
            total | {"kind": "percent change", "value": -29, "period": "2024-06",
                     "previous_period": "2024-05"},
            total | {"value": 1_500_000, "period": "FY2024 through 2024-06"}]},
    ]
    derive_previous(corpus)
    june = corpus[1]["statistics"]
    assert (june[0]["previous_value"], june[0]["previous_period"]) == (117_901, "2024-05")
    assert june[1]["previous_value"] == 39_000
    assert "previous_value" not in june[2] and june[2]["previous_period"] == "2024-05"
    assert "previous_value" not in june[3]  # no month is a year to date's previous


def _document(title, published, agency, *statements):
    return [f for found in extract_document(title, list(statements), published, agency) for f in found]


def test_a_sentence_that_names_nothing_counted_shares_out_the_total_before_it():
    found = _document("CBP fiscal year 2023", "2023-10-25", "CBP",
                      "Nationwide, CBP encountered 3,050,800 people in fiscal year 2023.",
                      "The southwest border was responsible for 2,402,600 of those, set against 2,231,700 a year earlier.")
    total, part, before = found
    assert (total.scope, part.scope, part.metric) == ("nationwide", "southwest border", "encounters")
    assert part.series != total.series  # a part never joins its total's series
    assert (before.role, before.period, before.scope) == (COMPARED, fiscal_year(2022), "southwest border")
    assert part.stated_previous() == (2_231_700, fiscal_year(2022)) and total.stated_previous() is None

    found = _document("District Seven interdictions: February 2025", "2025-03-05", "USCG",
                      "Coast Guard crews interdicted 1,020 migrants at sea in February.",
                      "By nationality, Haitians accounted for 498 of them, Cubans 330 and Dominicans 96.",
                      "The cutters also picked up 52 Jamaicans near Puerto Rico.")
    assert [(f.value, f.population, f.metric) for f in found[1:]] == [
        (498, "Haitian", "interdictions"), (330, "Cuban", "interdictions"), (96, "Dominican", "interdictions"),
        (52, "Jamaican", "interdictions")]
    found = _document("Coast Guard, fiscal year to date", "2024-03-06", "USCG",
                      "Since the start of fiscal 2024, Coast Guard cutters have interdicted 5,010 migrants.",
                      "Haitians comprised 2,700 of that total and Cubans 1,900.")
    assert [(f.value, f.population) for f in found[1:]] == [(2_700, "Haitian"), (1_900, "Cuban")]
    # the words after a comparison name the next figure's population
    found = _document("Coast Guard fiscal year 2024", "2024-12-05", "USCG",
                      "Coast Guard crews interdicted 12,400 migrants at sea in fiscal year 2024.",
                      "Cubans numbered 4,300, down from 6,050 the year before, and Haitians 6,900.")
    assert [(f.value, f.population, f.role, f.period.label) for f in found[1:]] == [
        (4_300, "Cuban", REPORTED, "FY2024"), (6_050, "Cuban", COMPARED, "FY2023"), (6_900, "Haitian", REPORTED, "FY2024")]


def test_a_sentence_that_does_not_share_out_a_total_gives_no_part_of_it():
    found = _document("CBP November 2024 monthly update", "2024-12-13", "CBP",
                      "Border Patrol apprehended 46,600 migrants at the southwest border in November 2024.",
                      "In the Tucson sector, agents rescued 340 migrants in distress.")
    assert [f.value for f in found] == [46_600]
    # "Of those, 460 were ..., down from 3,900 in January": the part's previous, not the total's
    found = _document("CBP February 2025 monthly update", "2025-03-13", "CBP",
                      "CBP recorded 11,700 southwest border encounters in February 2025.",
                      "Of those, 460 were unaccompanied children, down from 3,900 in January.")
    total, part, january = found
    assert total.stated_previous() is None and part.stated_previous() == (3_900, month_period(2025, 1))


def test_periods_said_in_words():
    def period(text, published, title=None):
        return one(text, published, title).period
    assert period("CBP's data put the first half of the year at about 1.05 million southwest border encounters.",
                  "2024-07-22") == Period("range", "2024-01-01", "2024-06-30")
    assert period("In the second half of last year, apprehensions at the southwest border totaled 398,000.",
                  "2025-02-10") == Period("range", "2024-07-01", "2024-12-31")
    assert period("During the first six months of last year, agents apprehended 960,000 at the southwest border.",
                  "2024-01-25") == Period(YEAR_TO_DATE, "2023-01-01", "2023-06-30")
    for text in ("Since the fiscal year began October 1, ICE officers have made 51,000 arrests.",
                 "Since the fiscal year opened on Oct. 1, ICE officers have made 51,000 arrests.",
                 "In the fiscal year that began Oct. 1, ICE officers have made 51,000 arrests.",
                 "Since the new fiscal year got under way in October, ICE officers have made 51,000 arrests."):
        assert period(text, "2024-02-05") == Period(YEAR_TO_DATE, "2023-10-01", "2024-02-05"), text
    assert period("The third calendar quarter of 2024 brought 298,000 southwest border encounters.",
                  "2024-10-05") == Period("quarter", "2024-07-01", "2024-09-30")


def test_border_patrol_sectors_named_without_the_word():
    found = _document("CBP October 2024 monthly update", "2024-11-15", "CBP",
                      "In October 2024, Border Patrol apprehended 56,500 migrants at the southwest border.",
                      "In Yuma, apprehensions reached 7,900, while Big Bend agents apprehended 900.",
                      "By sector, the busiest was Tucson, with 8,900 apprehensions.")
    assert [(f.value, f.scope) for f in found] == [
        (56_500, "southwest border"), (7_900, "Yuma sector"), (900, "Big Bend sector"), (8_900, "Tucson sector")]
    houlton = _document("Apprehensions rise in the Houlton Sector", "2024-03-12", "CBP",
                        "The sector recorded 3,310 apprehensions during fiscal year 2022.")
    assert houlton[0].scope == "Houlton sector"


def test_a_stock_takes_the_earlier_day_its_release_quotes_as_previous():
    held = one("The detention population stood at 37,500 on June 9, 2024, compared with 36,200 on May 26.",
               "2024-06-12")
    assert held.stated_previous() == (36_200, Period("day", "2024-05-26", "2024-05-26"))
    a_year = one("The detention population stood at 37,500 on June 9, 2024, compared with 30,100 on June 9, 2023.",
                 "2024-06-12")
    assert a_year.stated_previous() is None  # a year-ago comparison is not the previous reading


def test_running_totals_and_daily_averages_outside_statistics_releases():
    running = one("More than 590,000 people have scheduled appointments through CBP One since it began "
                  "offering them on Jan. 12, 2023.", "2024-05-30", agency="CBP")
    assert running.period.kind == CUMULATIVE and periodic_statistic(running, "2024-05-30")
    assert running.period.preceding() is None  # never anything's previous, nor has one
    recent = one("CBP has scheduled 14,000 appointments since it began offering them on May 20.", "2024-05-30",
                 agency="CBP")
    assert not periodic_statistic(recent, "2024-05-30")  # a few days' tally
    daily = one("Two officials said daily apprehensions at the southwest border ran above 9,600 on average "
                "between Dec. 10 and Dec. 16.", "2023-12-22", agency="news")
    assert daily.kind == DAILY_AVERAGE and periodic_statistic(daily, "2023-12-22")
    assert [f.value for f in figures("From March 3 to 9, apprehensions averaged about 5,100 per day.",
                                     "2024-03-12")] == [5_100]  # "to 9" is a day


def test_the_wordings_set_meets_the_targets_with_no_wrong_previous():
    wordings = Path(__file__).parent.parent / "monitor" / "data" / "figures" / "wordings.jsonl"
    result = CliRunner().invoke(cli, ["evaluate-figures", "--json", "--corpus", str(wordings)])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)["wordings.jsonl"]
    assert scored["value_recall"] >= 0.95 and scored["period_accuracy"] >= 0.95
    assert scored["previous_precision"] == 1.0 and scored["previous_given"] >= 40


# --- a number's words are read in its own clause (figs8) ---------------------------------


def test_what_the_next_clause_counts_is_not_the_numbers():
    # the intake figure is a flow of its own; the per-day words belong to the clause after it
    found = figures("Admissions counted as book-ins to ICE detention came to 41,250 in fiscal year 2022, "
                    "and the average daily population held was 22,600.", "2022-12-01", agency="ICE")
    intake, held = (next(f for f in found if f.value == v) for v in (41_250, 22_600))
    assert (intake.metric, intake.kind) == ("book-ins", "level")
    assert (held.metric, held.kind) == ("detention population", DAILY_AVERAGE)
    assert intake.series != held.series and intake.population == ""


def test_another_clauses_component_and_place_do_not_travel():
    found = figures("In March, Border Patrol apprehensions between ports of entry came to 61,020, "
                    "while encounters at the ports reached 18,340.", "2024-04-16", agency="CBP")
    ports = next(f for f in found if f.value == 18_340)
    assert (ports.metric, ports.agency) == ("encounters", "CBP")
    assert "between ports" not in ports.scope and ports.scope.endswith("ports of entry")
    found = figures("Along the southwest border, encounters came to 95,400 in August, and Border Patrol "
                    "agents between ports of entry apprehended 2,150 a day.", "2024-09-17", agency="CBP")
    total = next(f for f in found if f.value == 95_400)
    assert (total.agency, total.kind, total.scope) == ("CBP", "level", "southwest border")


def test_a_component_keeps_its_figures_when_the_clause_goes_on_with_it():
    found = figures("Border Patrol apprehended 9,870 people in the Yuma Sector in May, and returned 1,240 "
                    "of them to Mexico.", "2024-06-10")
    assert {f.agency for f in found if f.role == REPORTED} == {"USBP"}
    found = figures("USCIS approved 412,000 green cards in the quarter, and its pending caseload fell "
                    "to 3.1 million.", "2024-04-20")
    assert next(f for f in found if f.value == 3_100_000).agency == "USCIS"


def test_some_of_them_does_not_name_the_numbers_population():
    figure = one("Officers at the ports encountered 38,700 people without documents in May, most of "
                 "them Venezuelan nationals.", "2024-06-12", agency="CBP")
    assert figure.population == ""


def test_a_relative_clause_naming_an_agency_does_not_say_who_counted():
    figure = one("Immigration courts, which hear cases that ICE files, completed 520,000 cases in fiscal "
                 "year 2023.", "2023-12-05", agency="ICE")
    assert figure.agency == "EOIR"


def test_a_difference_said_as_fewer_than_is_negative():
    found = figures("Southwest border encounters came to 98,200 in October, 12,450 fewer than in "
                    "September.", "2024-11-14")
    change = next(f for f in found if abs(f.value) == 12_450)
    assert (change.kind, change.value) == ("change", -12_450)
    more = next(f for f in figures("Passengers screened reached 71.2 million in July, 2.3 million more "
                                   "than in June.", "2024-08-05", agency="TSA") if f.kind == "change")
    assert more.value == 2_300_000
    # "lower than the 61,400 reported": two levels compared, not a difference
    found = figures("The 7,310 apprehensions of September were lower than the 8,020 counted for August.",
                    "2024-10-10")
    assert {f.kind for f in found} == {"level"}


def test_a_comparison_base_stops_at_and_a():
    found = figures("Border Patrol apprehended 10,920 people at the southwest border in March, a drop of "
                    "88% from a year earlier and an average of 352 apprehensions a day.", "2025-04-15")
    daily = next(f for f in found if f.value == 352)
    assert (daily.role, daily.kind, daily.period) == (REPORTED, DAILY_AVERAGE, month_period(2025, 3))


def test_a_base_after_double_is_a_comparison():
    found = figures("The report for fiscal year 2021 counts 59,011 removals, nearly double the previous "
                    "year, and 74,082 administrative arrests.", "2021-12-20", agency="ICE")
    arrests = next(f for f in found if f.value == 74_082)
    assert (arrests.metric, arrests.role, arrests.period) == ("arrests", REPORTED, fiscal_year(2021))


def test_a_round_threshold_passed_is_not_a_count():
    found = figures("Officers screened 2,611,040 travelers on Friday, Nov. 29, the busiest day ever and "
                    "the first time volume has passed 2.6 million.", "2024-12-02", agency="TSA")
    assert [f.value for f in found] == [2_611_040] and found[0].kind == RECORD
    assert [f.value for f in figures("Enrolment in Alternatives to Detention crossed the 1 million mark in "
                                     "March and stood at 1,004,300 on March 31.", "2024-04-02",
                                     agency="ICE")] == [1_004_300]


def test_a_list_that_leaves_out_who_keeps_the_first_items_population():
    found = figures("Crews interdicted 2,410 Haitians in fiscal year 2020 and 1,270 in fiscal year 2019.",
                    "2020-11-02", agency="USCG")
    assert {f.value: f.population for f in found} == {2_410: "Haitian", 1_270: "Haitian"}


def test_a_number_naming_another_noun_in_its_clause_counts_something_else():
    found = figures("CBP officers processed 31.4 million travelers in June, and 3.1 million cargo "
                    "containers.", "2024-07-20", agency="CBP")
    assert [f.value for f in found] == [31_400_000]


def test_another_countrys_count_with_a_partner_named_in_an_aside_is_that_countrys():
    figure = one("Guatemalan authorities, working with CBP, reported turning back more than 12,000 migrants "
                 "at their southern border during the month.", "2024-05-14",
                 title="CBP Releases April 2024 Monthly Update", agency="CBP")
    assert figure.agency == "Guatemala" and figure.metric != "releases"
    figure = one("The Royal Bahamas Defence Force said it intercepted about 240 people in fiscal year 2023.",
                 "2023-11-20", agency="USCG")
    assert figure.agency == "Bahamas"


def test_people_returned_to_a_country_are_its_nationals():
    found = figures("Cutter crews repatriated 61 people to Cuba and 112 people to Haiti after stops at sea "
                    "between March 3 and March 9.", "2024-03-11", agency="USCG")
    assert {f.value: f.population for f in found} == {61: "Cuban", 112: "Haitian"}


def read(statements, published, agency=None, title=None):
    return [f for found in extract_document(title, statements, published, agency) for f in found]


def test_a_comparison_in_months_is_not_an_earlier_count_of_people():
    # "naturalization" is the nearest metric word, but 9.2 months is a length of time
    found = read(["The department swore in 412,300 new citizens in fiscal year 2021.",
                  "The average processing time on naturalization cases dropped from 9.2 months at the end "
                  "of fiscal year 2020 to 7.4 months."], "2021-11-30", "USCIS")
    citizens = next(f for f in found if f.value == 412_300)
    assert citizens.compared == [] and citizens.stated_previous() is None
    time = next(f for f in found if f.value == 7.4)
    assert (time.metric, time.period) == ("processing time", fiscal_year(2021))
    assert time.stated_previous() == (9.2, fiscal_year(2020))


def test_a_comparison_per_million_is_the_earlier_rate_not_an_earlier_count():
    found = read(["Screeners checked 790 million travelers in 2021.",
                  "Officers found guns at a rate of 5.1 per million travelers in 2021, up from 4.4 per "
                  "million in 2020."], "2022-02-03", "TSA")
    travellers = next(f for f in found if f.value == 790_000_000)
    assert travellers.compared == [] and travellers.stated_previous() is None
    rate = next(f for f in found if f.value == 5.1)
    assert rate.stated_previous() == (4.4, Period("calendar year", "2020-01-01", "2020-12-31"))


def test_processing_time_named_before_from_covers_both_numbers():
    found = read(["The agency swore in 640,000 new citizens in fiscal year 2021.",
                  "Naturalization processing times fell from 11.2 months to 8.9 months."], "2021-11-30", "USCIS")
    time = next(f for f in found if f.value == 8.9)
    assert (time.metric, time.unit, time.period) == ("processing time", "months", fiscal_year(2021))
    assert next(f for f in found if f.value == 640_000).compared == []


def test_from_one_period_to_another_gives_each_number_its_own():
    found = figures("The median processing time for green card applications went from 14.8 months at the close "
                    "of fiscal year 2021 to 11.9 months by the close of fiscal year 2022.", "2022-12-01",
                    agency="USCIS")
    by_value = {f.value: f for f in found}
    assert (by_value[11.9].role, by_value[11.9].period) == (REPORTED, fiscal_year(2022))
    assert (by_value[14.8].role, by_value[14.8].period) == (COMPARED, fiscal_year(2021))
    assert by_value[11.9].stated_previous() == (14.8, fiscal_year(2021))


def test_the_full_fiscal_year_is_the_fiscal_year_of_the_month_reported():
    found = read(["Southwest border encounters were 227,500 in September.",
                  "Over the entire fiscal year, encounters at the southwest border came to 2.38 million, more "
                  "than in any full fiscal year on record."], "2022-10-24", "CBP",
                 title="CBP Releases September 2022 Monthly Update")
    by_value = {f.value: f for f in found}
    assert by_value[2_380_000].period == fiscal_year(2022)
    assert by_value[227_500].period == month_period(2022, 9) and by_value[227_500].population == ""


def test_a_running_total_ends_on_the_day_it_is_counted_through():
    figure = one("Since the app began offering slots on March 3, about 41,600 appointments had been booked "
                 "through June 30.", "2024-07-22", agency="CBP")
    assert (figure.period.kind, figure.period.start, figure.period.end) == (CUMULATIVE, "2024-03-03", "2024-06-30")
    assert periodic_statistic(figure, "2024-07-22")  # still a running total wherever it is printed
    # a day after the release ends nothing yet: counted to the release
    later = one("Since the app began offering slots on March 3, about 41,600 appointments had been booked, and "
                "the window stays open until Aug. 30.", "2024-07-22", agency="CBP")
    assert later.period.end == "2024-07-22"
    # "as of" a day, before or after the count: the count ends that day, and is no count of that day
    for text in ("Since the app began offering slots on March 3, about 41,600 appointments had been booked as of "
                 "June 30.", "As of June 30, about 41,600 appointments had been booked since March 3."):
        figure = one(text, "2024-07-22", agency="CBP")
        assert (figure.period.kind, figure.period.start, figure.period.end) == (CUMULATIVE, "2024-03-03",
                                                                                "2024-06-30"), text


def test_total_enforcement_actions_are_encounters():
    figure = one("Total enforcement actions on the southwest border came to 50,300 in March.", "2018-04-05",
                 agency="CBP")
    assert (figure.metric, figure.scope, figure.period) == ("encounters", "southwest border", month_period(2018, 3))
    # a policy's "enforcement action" against a person counts nothing
    assert figures("Officers took enforcement action against 40 people at the courthouse in March.",
                   "2018-04-05", agency="ICE") == []


def test_where_an_included_part_was_counted_is_not_the_totals_place():
    found = figures("Counting the 9,870 people found inadmissible by CBP officers at ports of entry, total "
                    "encounters at the southwest border reached 61,200 in March.", "2018-04-05", agency="CBP")
    by_value = {f.value: f for f in found}
    assert by_value[61_200].scope == "southwest border"
    assert by_value[9_870].scope == "southwest border, ports of entry"
    assert by_value[61_200].series != by_value[9_870].series
    # "including those processed at ports of entry" says what the total takes in, not where it is
    total = one("All southwest border encounters, including those processed at ports of entry, came to "
                "88,400 in May.", "2024-06-14", agency="CBP")
    assert total.scope == "southwest border"


def test_a_count_of_none_in_words_is_zero_where_a_period_is_named():
    found = figures("Border Patrol made zero releases at the southwest border in April, against 6,210 in "
                    "April 2024.", "2025-05-12", agency="CBP")
    by_value = {f.value: f for f in found}
    assert (by_value[0].metric, by_value[0].role, by_value[0].period) == ("releases", REPORTED, month_period(2025, 4))
    assert by_value[6_210].role == COMPARED
    one_ = one("Agents released no one into the interior in April.", "2025-05-12", agency="CBP")
    assert (one_.value, one_.metric) == (0, "releases")
    # no period of its own, or nothing counted: no figure
    assert figures("No one was hurt, and there will be no releases under the new policy.", "2025-05-12",
                   agency="CBP") == []
    # "no" before a word that is no count of people
    assert figures("There was no detention space left in April, and no encounters decline was seen in April.",
                   "2025-05-12", agency="CBP") == []


def test_a_sum_of_money_is_never_in_a_counts_series():
    found = read(["TSA officers found 5,910 firearms at checkpoints in 2024, down from the record 6,737 in 2023.",
                  "A traveler caught with a firearm can be fined up to about $15,000 in 2024."], "2025-01-15", "TSA")
    by_value = {f.value: f for f in found}
    count, fine = by_value[5_910], by_value[15_000]
    assert fine.unit == "dollars" and fine.series != count.series
    # the fine neither takes the count's comparison nor makes the count a part of a larger total
    assert fine.compared == [] and fine.stated_previous() is None
    assert count.population == "firearms"
    assert count.stated_previous() == (6_737, Period("calendar year", "2023-01-01", "2023-12-31"))


def test_a_change_after_a_comma_is_the_figures_before_it():
    # "people crossing" describes whom the agents apprehended: the change is the apprehensions'
    found = figures("Agents apprehended 41,800 people crossing between ports of entry in March, a 12 percent "
                    "drop from February.", "2021-04-08", agency="CBP")
    level = next(f for f in found if f.value == 41_800)
    change = next(f for f in found if f.kind == PERCENT_CHANGE)
    assert (change.role, change.metric, change.value) == ("change", "apprehensions", -12)
    assert (level.stated_change_pct, level.stated_change_from) == (-12, month_period(2021, 2))
    # a change whose own words name another count is that count's
    found = figures("Agents apprehended 41,800 people in March, while encounters at ports of entry fell "
                    "12 percent.", "2021-04-08", agency="CBP")
    assert next(f for f in found if f.value == 41_800).stated_change_pct is None


def test_another_federal_body_or_an_industry_group_counts_its_own_figures():
    found = read(["TSA screened 2.88 million travelers on Sunday, July 2.",
                  "Airlines for America had said U.S. carriers would carry about 2.6 million passengers that day."],
                 "2023-07-06", "TSA")
    assert {f.value: f.agency for f in found} == {2_880_000: "TSA", 2_600_000: "Airlines for America"}


def test_a_part_counted_by_another_body_or_of_a_length_of_time_is_no_part():
    # "of those" shares out the figure before only when the department counts the part
    assert [f.value for f in read(["USCIS approved 412,000 work permits in fiscal year 2023.",
                                   "The State Department accounted for 95,000 of those."],
                                  "2023-12-01", "USCIS")] == [412_000]
    # a length of time has no parts that are counts
    assert [f.value for f in read(["The median processing time for work permits fell to 2.1 months in fiscal "
                                   "year 2023.", "Officers accounted for 95,000 of those."],
                                  "2023-12-01", "USCIS")] == [2.1]


def test_a_span_of_fiscal_years_is_read_whole():
    found = figures("Removals reached 271,500 in fiscal year 2024, against an average of 190,000 a year over "
                    "fiscal years 2021 through 2023.", "2024-12-19", agency="ICE")
    average = next(f for f in found if f.value == 190_000)
    assert (average.role, average.period) == (COMPARED, Period("range", "2020-10-01", "2023-09-30"))
    assert next(f for f in found if f.value == 271_500).stated_previous() is None
    span = one("ICE removed 598,000 people from FY2021 to FY2024.", "2024-12-19", agency="ICE")
    assert (span.period.start, span.period.end) == ("2020-10-01", "2024-09-30")


def test_that_works_out_to_per_day_is_the_figure_befores_series():
    found = read(["Border Patrol recorded 62,100 encounters between ports of entry at the southwest border in "
                  "April.", "That comes to roughly 2,070 encounters a day."], "2024-05-15", "CBP")
    level, daily = (next(f for f in found if f.value == v) for v in (62_100, 2_070))
    assert daily.kind == DAILY_AVERAGE
    assert (daily.scope, daily.agency, daily.population) == (level.scope, level.agency, level.population)


def test_the_fiscal_year_after_it_ended_is_the_year_reported():
    # a September update or an annual report published once the next fiscal year has begun
    assert one("The fiscal year total reached 3.2 million encounters nationwide.", "2023-10-21",
               title="CBP Releases September 2023 Monthly Update", agency="CBP").period == fiscal_year(2023)
    assert one("The fiscal year total of removals was 142,580.", "2023-12-29",
               title="ICE Releases Fiscal Year 2023 Annual Report", agency="ICE").period == fiscal_year(2023)
    assert one("Encounters nationwide for the fiscal year as a whole came to 3.2 million.", "2023-10-21",
               title="CBP Releases September 2023 Monthly Update", agency="CBP").period == fiscal_year(2023)
    # within the year, still the year to date
    running = one("The fiscal year total reached 2.5 million encounters nationwide.", "2023-08-18",
                  title="CBP Releases July 2023 Monthly Update", agency="CBP")
    assert (running.period.kind, running.period.start, running.period.end) == (YEAR_TO_DATE, "2022-10-01",
                                                                               "2023-07-31")


def test_a_running_total_in_a_monthly_update_runs_to_the_end_of_the_month_reported():
    # a count since a day, in the update about a month, covers the days up to that month's end
    figure = one("Since the kiosks opened on June 3, travelers have used them 64,200 times at land ports.",
                 "2024-10-18", title="CBP Releases September 2024 Monthly Update", agency="CBP")
    assert (figure.period.kind, figure.period.start, figure.period.end) == (CUMULATIVE, "2024-06-03", "2024-09-30")
    assert periodic_statistic(figure, "2024-10-18")  # still a running total, brought up to date next month
    # a release about no month counts to its own date; a start after the month reported, too
    plain = one("Since the kiosks opened on June 3, travelers have used them 64,200 times at land ports.",
                "2024-10-18", agency="CBP")
    assert plain.period.end == "2024-10-18"
    late = one("Since the kiosks opened on October 7, travelers have used them 9,300 times at land ports.",
               "2024-10-18", title="CBP Releases September 2024 Monthly Update", agency="CBP")
    assert (late.period.start, late.period.end) == ("2024-10-07", "2024-10-18")


def test_over_the_fiscal_year_is_the_fiscal_year_the_release_reports():
    # after the year closed: the whole year; during it: the year to date through the month reported
    closed = one("Officers seized 8,200 pounds of methamphetamine at ports over the fiscal year.", "2022-10-25",
                 title="CBP Releases September 2022 Monthly Update", agency="CBP")
    assert closed.period == fiscal_year(2022)
    running = one("Officers seized 5,100 pounds of methamphetamine at ports during the fiscal year.", "2022-05-16",
                  title="CBP Releases April 2022 Monthly Update", agency="CBP")
    assert (running.period.kind, running.period.start, running.period.end) == (YEAR_TO_DATE, "2021-10-01",
                                                                               "2022-04-30")
    # "in the fiscal year that began" and "the fiscal year before" keep their own readings
    before = one("Agents made 4,400 arrests in fiscal year 2021, against 3,900 in the fiscal year before.",
                 "2021-11-02", agency="CBP")
    assert before.period == fiscal_year(2021)


def test_a_month_named_with_a_possessive_after_below_is_the_base_of_the_comparison():
    found = read(["Border Patrol apprehensions between ports of entry at the southwest border fell to 47,300 "
                  "in August, 18 percent below July's 57,700 and the fewest since March 2021.",
                  "That works out to about 1,526 a day."], "2024-09-17", "CBP")
    by_value = {f.value: f for f in found}
    august, july, daily = by_value[47_300], by_value[57_700], by_value[1_526]
    assert (july.role, july.period) == (COMPARED, month_period(2024, 7))
    assert july.series == august.series
    assert august.stated_previous() == (57_700, month_period(2024, 7))
    # the per-day figure is August's, not the month quoted for comparison
    assert (daily.kind, daily.period, daily.scope) == (DAILY_AVERAGE, month_period(2024, 8), august.scope)


def test_people_who_became_citizens_are_naturalizations():
    figure = one("About 812,000 people became U.S. citizens in fiscal year 2022.", "2022-11-20", agency="USCIS")
    assert (figure.metric, figure.value, figure.period) == ("naturalizations", 812_000, fiscal_year(2022))


def test_people_passing_through_checkpoints_on_a_day_are_passengers_screened():
    figure = one("On Friday, June 28, about 2.8 million people went through checkpoints nationwide.",
                 "2024-07-01", title="TSA Reports Record Number of Guns Found at Airports", agency="TSA")
    assert (figure.metric, figure.value) == ("passengers screened", 2_800_000)
    assert (figure.period.start, figure.period.end) == ("2024-06-28", "2024-06-28")


def test_the_place_that_led_the_country_is_a_part_of_the_total_before_it():
    found = read(["Officers found 5,300 firearms in carry-on bags at airport checkpoints in 2022.",
                  "Dallas Fort Worth again led the nation with 385."], "2023-01-20", "TSA",
                 title="TSA Reports Firearm Discoveries for 2022")
    total, part = (next(f for f in found if f.value == v) for v in (5_300, 385))
    assert part.metric == total.metric and part.period == total.period
    assert part.population == "part of a total" and part.series != total.series


def test_a_day_that_names_an_act_is_not_the_period_counted():
    figure = one("Border Patrol recorded 61,400 encounters at the southwest border, the first full month under "
                 "the March 8 interim final rule.", "2025-05-14", title="CBP April 2025 Monthly Update", agency="CBP")
    assert figure.period == month_period(2025, 4)
    # a day that is the period stays one
    day = one("TSA screened 2.9 million travelers on the July 7 weekend peak.", "2024-07-09", agency="TSA")
    assert (day.period.start, day.period.end) == ("2024-07-07", "2024-07-07")


def test_counts_labelled_by_who_they_count_are_parts_of_the_total_before_them():
    found = read(["Southwest border encounters came to 118,300 in October.", "Unaccompanied children: 7,450.",
                  "Members of family units: 31,800.", "Next edition: 12."], "2024-11-18", "CBP",
                 title="Border Brief - October 2024")
    by_value = {f.value: f for f in found}
    total, children, families = by_value[118_300], by_value[7_450], by_value[31_800]
    assert (children.population, families.population) == ("unaccompanied children", "family units")
    assert children.metric == families.metric == total.metric
    assert children.period == families.period == total.period == month_period(2024, 10)
    assert 12 not in by_value


def test_another_count_where_the_words_say_is_the_same_count_there():
    found = read(["Southwest border encounters reached 176,200 in May, 131,400 of them between ports of entry.",
                  "Officers at southwest ports of entry processed another 44,800 people."], "2024-06-18", "CBP")
    ports = next(f for f in found if f.value == 44_800)
    assert (ports.metric, ports.scope, ports.population) == ("encounters", "southwest border, ports of entry", "")
    assert ports.period == month_period(2024, 5)
    # where the words name no place of their own, the count is kept out of the total's series
    found = read(["Southwest border encounters reached 176,200 in May.", "Officers processed another 4,800 people."],
                 "2024-06-18", "CBP")
    other = next(f for f in found if f.value == 4_800)
    assert other.population == "part of a total"


def test_a_count_every_day_is_a_daily_average():
    figure = one("Agents averaged some 3,950 apprehensions every day along the southwest border in January.",
                 "2024-02-14", agency="CBP")
    assert (figure.kind, figure.period) == (DAILY_AVERAGE, month_period(2024, 1))


def test_from_an_average_of_one_number_to_another_gives_each_its_own_period():
    found = read(["Encounters of people from the three countries fell from a daily average of 2,140 in the week of "
                  "Feb. 4-10, 2024, to 610 a day in the last week of April 2024, a drop of 71%."], "2024-05-20", "CBP")
    by_value = {f.value: f for f in found}
    after, before = by_value[610], by_value[2_140]
    assert (after.role, after.period.start, after.period.end) == (REPORTED, "2024-04-24", "2024-04-30")
    assert (before.role, before.period.start, before.period.end) == (COMPARED, "2024-02-04", "2024-02-10")
    assert by_value[-71].period == after.period


def test_a_total_through_a_month_is_the_fiscal_year_to_that_month():
    found = read(["Southwest border encounters dropped to 141,900 in February.",
                  "With seven months to go, the southwest border total through February stands at 1.05 million."],
                 "2024-03-19", "CBP")
    month, to_date = (next(f for f in found if f.value == v) for v in (141_900, 1_050_000))
    assert month.period == month_period(2024, 2) and month.population == ""
    assert (to_date.metric, to_date.scope) == (month.metric, month.scope)
    assert (to_date.period.kind, to_date.period.start, to_date.period.end) == (YEAR_TO_DATE, "2023-10-01",
                                                                               "2024-02-29")
    # a total named by who it counts is no reference to the figure before it
    found = read(["Crews interdicted 3,100 Cuban migrants and 2,900 Haitian migrants in fiscal year 2023.",
                  "The Cuban total is the highest in years and compares with 610 in fiscal year 2022."],
                 "2023-10-10", "USCG")
    haitian = next(f for f in found if f.value == 2_900)
    assert 610 not in {c.value for c in haitian.compared}


def test_another_number_of_something_else_is_no_part_of_the_count():
    found = read(["Southwest border encounters reached 176,200 in May.",
                  "The department is sending another 1,500 agents to the border."], "2024-06-18", "CBP")
    assert {f.value for f in found} == {176_200}


def test_an_opening_sentence_without_figures_names_the_quarter_the_release_reports():
    statements = ["The immigration benefits agency today published its workload report for the third "
                  "quarter of fiscal year 2023, April through June.",
                  "It took in 2.4 million filings during the quarter and decided 2.2 million.",
                  "Work permit requests awaiting a decision numbered 900,000 at quarter's end."]
    found = [f for fs in extract_document("Quarterly workload report", statements, "2023-08-03", "USCIS")
             for f in fs]
    by_value = {f.value: f for f in found}
    quarter = Period("quarter", "2023-04-01", "2023-06-30")
    assert by_value[2_400_000].period == quarter
    assert by_value[900_000].period == Period("day", "2023-06-30", "2023-06-30")


def test_a_level_quoted_after_following_is_the_comparison_and_the_change_is_the_reported_years():
    found = figures("The Coast Guard interdicted 9,200 migrants at sea in fiscal year 2022, following "
                    "11,400 in fiscal year 2021, a drop of 19 percent.", "2022-10-25")
    by_value = {f.value: f for f in found}
    assert (by_value[9_200].role, by_value[9_200].period) == (REPORTED, fiscal_year(2022))
    assert (by_value[11_400].role, by_value[11_400].period) == (COMPARED, fiscal_year(2021))
    assert by_value[9_200].stated_previous() == (11_400, fiscal_year(2021))
    assert by_value[-19].kind == PERCENT_CHANGE and by_value[-19].period == fiscal_year(2022)
    # "following" that is not right before a number compares nothing
    later = one("Following the storm season, crews interdicted 4,100 migrants in fiscal year 2022.", "2022-11-01")
    assert later.role == REPORTED and later.period == fiscal_year(2022)


def test_a_day_named_by_a_holiday_is_that_days_date():
    friday = one("Officers screened 2.7 million travelers at airport checkpoints on the Friday after "
                 "Thanksgiving.", "2023-11-28", agency="TSA")
    assert friday.period == Period("day", "2023-11-24", "2023-11-24")
    found = figures("Airport checkpoints handled 2,600,000 passengers on Memorial Day, compared with "
                    "2,400,000 on the Tuesday before Thanksgiving last year.", "2024-05-29", agency="TSA")
    by_value = {f.value: f for f in found}
    assert by_value[2_600_000].period == Period("day", "2024-05-27", "2024-05-27")
    assert by_value[2_400_000].period == Period("day", "2023-11-21", "2023-11-21")
    # a holiday period is not one day
    span = one("During the week of Thanksgiving, checkpoints screened 18 million passengers.",
               "2023-11-28", agency="TSA")
    assert span.period.kind != "day"
    travel = one("Over the Thanksgiving travel period, checkpoints screened 18 million passengers.",
                 "2023-11-28", agency="TSA")
    assert travel.period.kind != "day"



def test_a_possessive_total_refers_to_the_figure_just_reported():
    statements = ["Border Patrol agents apprehended 41,000 migrants in March 2024.",
                  "March's total was down 12% from the same month a year earlier."]
    found = [f for fs in extract_document("Monthly update", statements, "2024-04-15", "CBP") for f in fs]
    change = next(f for f in found if f.kind == PERCENT_CHANGE)
    assert change.value == -12 and change.period == month_period(2024, 3)
    level = next(f for f in found if f.value == 41_000)
    assert level.stated_change_pct == -12 and level.stated_change_from == month_period(2023, 3)


def test_detainers_and_people_taken_into_custody_are_counts_of_their_own():
    found = figures("Officers lodged 120,300 detainers with county jails in fiscal year 2022 and made "
                    "142,000 administrative arrests.", "2022-12-20", agency="ICE")
    by_value = {f.value: f for f in found}
    assert by_value[120_300].metric == "detainers"
    assert by_value[120_300].series != by_value[142_000].series
    taken = one("Agents said 98,200 people were taken into custody at the southwest border in March 2022.",
                "2022-04-12", agency="CBP")
    assert taken.metric == "apprehensions" and taken.period == month_period(2022, 3)


def test_e_verify_cases_and_enrolled_employers_are_read():
    statements = ["E-Verify, which employers use to check that new staff may work in the country, handled "
                  "41.3 million cases in fiscal year 2021, up 3 percent from 40.1 million in fiscal year 2020.",
                  "About 950,000 employers were enrolled as of September 30, 2021."]
    found = [f for fs in extract_document("E-Verify use grows", statements, "2021-11-10", "USCIS") for f in fs]
    by_value = {f.value: f for f in found}
    assert (by_value[41_300_000].metric, by_value[41_300_000].period) == ("E-Verify cases", fiscal_year(2021))
    assert by_value[41_300_000].stated_previous() == (40_100_000, fiscal_year(2020))
    assert by_value[950_000].metric == "employers enrolled"
    assert by_value[950_000].period == Period("day", "2021-09-30", "2021-09-30")


def test_a_rate_for_every_million_is_a_rate_and_quotes_its_own_previous():
    statements = ["Officers found 5,900 firearms at checkpoints in calendar year 2022.",
                  "That is roughly 7.1 firearms for every million passengers screened in 2022, compared with "
                  "6.3 per million in 2021."]
    found = [f for fs in extract_document("Firearm finds in 2022", statements, "2023-01-20", "TSA") for f in fs]
    by_value = {f.value: f for f in found}
    rate, level = by_value[7.1], by_value[5_900]
    assert rate.kind == "rate" and rate.series != level.series
    assert rate.stated_previous() == (6.3, Period("calendar year", "2021-01-01", "2021-12-31"))


def test_the_level_quoted_for_a_period_compared_with_when_is_that_periods():
    statements = ["Border Patrol agents apprehended 97,300 people at the southwest border in March 2021.",
                  "Apprehensions climbed 71 percent from February, when 56,900 were recorded."]
    found = [f for fs in extract_document("Southwest border numbers", statements, "2021-04-08", "USBP") for f in fs]
    by_value = {f.value: f for f in found}
    assert (by_value[56_900].role, by_value[56_900].period) == (COMPARED, month_period(2021, 2))
    assert by_value[97_300].stated_previous() == (56_900, month_period(2021, 2))


def test_a_level_too_large_for_a_daily_average_is_the_earlier_total():
    # the sentence compares a daily average with last month's total: the total's previous
    found = extract_document("Border Patrol Releases October Figures", [
        "Agents apprehended 12,400 migrants at the southwest border in October 2024.",
        "That works out to about 400 apprehensions per day, down from 46,600 in September, a 73% decline."],
        "2024-11-14")
    total, = found[0]
    daily = next(f for f in found[1] if f.kind == DAILY_AVERAGE)
    assert not daily.compared
    assert [(c.value, c.kind, c.period) for c in total.compared] == [(46600, "level", month_period(2024, 9))]
    assert total.stated_change_pct == -73


def test_a_period_after_the_and_is_the_second_numbers_own():
    found = figures("USCIS naturalized 51,000 new citizens during the quarter and 130,000 so far this "
                    "fiscal year.", "2024-05-20", title="Agency Reports Second Quarter Fiscal Year 2024 Results")
    quarter, to_date = sorted(found, key=lambda f: f.value)
    assert to_date.period.kind == YEAR_TO_DATE and to_date.period.start == "2023-10-01"
    assert quarter.period != to_date.period


def test_one_number_given_twice_in_the_gold_is_scored_against_the_same_kind():
    # the gold lists one number as a record (no previous) and as a level (with the stated
    # month before); the stored level is scored against the level, whatever the order
    text = ("Agents apprehended 7,900 migrants at the southwest border in March 2025, the fewest "
            "in any month on record, down from 11,800 in February.")
    gold = [{"metric": "apprehensions", "kind": "record", "value": 7900, "period": "2025-03"},
            {"metric": "apprehensions", "kind": "level", "value": 7900, "period": "2025-03",
             "previous_value": 11800, "previous_period": "2025-02"}]
    result = score([{"id": "r1", "title": "Border Patrol Releases March Figures", "date": "2025-04-10",
                     "agency": "CBP", "text": text, "statistics": gold}])
    assert (result["found"], result["previous_given"], result["previous_precision"]) == (1, 1, 1.0)


def test_through_a_day_at_the_start_ends_the_count_since_a_launch_day():
    found = figures("Through June 30, 2024, about 420,000 travelers had booked an appointment through "
                    "the CBP One app since the feature went live on May 11, 2023.", "2024-07-20")
    booked, = [f for f in found if f.value == 420000]
    assert (booked.period.start, booked.period.end) == ("2023-05-11", "2024-06-30")


def test_the_months_total_refers_to_the_figure_just_given():
    found = extract_document("Border Figures for August", [
        "CBP counted 21,400 encounters at the southwest border in August 2018.",
        "The August total was 38% above August 2017."], "2018-09-12")
    total, = found[0]
    change, = found[1]
    assert (change.kind, change.value, change.metric, change.scope) == (PERCENT_CHANGE, 38, total.metric, total.scope)
    assert change.period == total.period == month_period(2018, 8)


def test_enforcement_actions_at_the_border_are_encounters():
    total = one("Since October 1, CBP has logged 401,200 enforcement actions along the southwest border.",
                "2019-03-08", agency="CBP")
    assert (total.metric, total.scope, total.period.kind) == ("encounters", "southwest border", YEAR_TO_DATE)
    assert total.period.start == "2018-10-01"


def test_a_run_of_sectors_counts_like_the_first():
    found = extract_document("Sector Apprehension Totals for Fiscal Year 2021", [
        "The Tucson Sector made the most apprehensions of any sector, with 191,200.",
        "The Laredo Sector came next with 88,300, up from its FY 2020 total of 41,900.",
        "The Big Bend Sector recorded 9,600."], "2021-10-20", "CBP")
    (tucson,), laredo_figures, (big_bend,) = found
    laredo = next(f for f in laredo_figures if f.role == REPORTED)
    assert (laredo.value, laredo.scope, laredo.period) == (88300, "Laredo sector", fiscal_year(2021))
    assert [(c.value, c.period) for c in laredo.compared] == [(41900, fiscal_year(2020))]
    assert (big_bend.scope, big_bend.metric, big_bend.period) == ("Big Bend sector", tucson.metric, fiscal_year(2021))


def test_arrivals_under_a_parole_process_for_several_nationalities():
    found = extract_document("Parole Processes Update", [
        "Under the parole processes for Cubans, Haitians, Nicaraguans and Venezuelans, 41,000 people "
        "arrived by air in fiscal year 2023.",
        "Venezuelans were the largest group, with 16,000 arrivals."], "2023-11-02", "DHS")
    total, = found[0]
    assert (total.metric, total.population, total.period) == ("parole arrivals", "", fiscal_year(2023))
    part, = found[1]
    assert (part.metric, part.population) == ("parole arrivals", "Venezuelan")


def test_arrivals_under_a_named_parole_program():
    arrived = one("In fiscal year 2023, 96,000 Ukrainians arrived under Uniting for Ukraine.", "2023-11-02",
                  agency="DHS")
    assert (arrived.metric, arrived.population, arrived.period) == ("parole arrivals", "Ukrainian", fiscal_year(2023))


def test_a_running_count_in_the_release_on_a_year_just_over_ends_with_that_year():
    found = figures("Since the program opened on March 6, 2023, about 58,000 appointments have been booked at "
                    "ports of entry.", "2023-10-25", title="CBP Releases Fiscal Year 2023 Statistics", agency="CBP")
    processed, = [f for f in found if f.value == 58000]
    assert (processed.period.start, processed.period.end) == ("2023-03-06", "2023-09-30")


def test_the_months_since_a_program_began_are_whole_months():
    found = figures("In the four months since the parole process for Venezuelans, Cubans and Haitians was "
                    "widened in February, some 61,000 people have arrived by air through it.", "2023-06-20",
                    agency="DHS")
    arrived, = [f for f in found if f.value == 61000]
    assert arrived.metric == "parole arrivals"
    assert (arrived.period.start, arrived.period.end) == ("2023-02-01", "2023-05-31")


def test_children_taken_into_custody_are_apprehensions():
    found = figures("Agents also took 2,400 unaccompanied children into custody during March.", "2024-04-16",
                    title="Border Patrol Releases March 2024 Figures", agency="CBP")
    children, = found
    assert (children.metric, children.population, children.period) == (
        "apprehensions", "unaccompanied children", month_period(2024, 3))


def test_a_backlog_at_the_end_of_the_year_is_counted_on_its_last_day():
    found = figures("By the end of the fiscal year, the backlog of pending cases had fallen to 7.1 million.",
                    "2024-01-30", title="USCIS Reports Fiscal Year 2023 Results", agency="USCIS")
    backlog, = found
    assert (backlog.period.start, backlog.period.end) == ("2023-09-30", "2023-09-30")

"""The figure model: what a number counts, for which period, and what it can be compared with."""

import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.digest import sparkline
from monitor.evaluate_figures import parse_period
from monitor.figures import (
    COMPARED, DAILY_AVERAGE, PERCENT_CHANGE, RECORD, REPORTED, Period, extract_document,
    fiscal_year, month_period,
)


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

"""Periods a figure is counted over, and the DHS components a figure can belong to: what
the digest needs of the figure model without the patterns that read figures from text
(compiling those is most of ``monitor.figures``' import time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")

#: Period kinds; figures are compared only within one kind, and only the kinds below
#: that tile time (a month follows a month) have an immediately preceding period.
DAY, WEEK, MONTH, QUARTER, FISCAL_YEAR, CALENDAR_YEAR = (
    "day", "week", "month", "quarter", "fiscal year", "calendar year")
YEAR_TO_DATE, RANGE, CUMULATIVE, UNSPECIFIED = "year to date", "range", "cumulative", "unspecified"
TILING = (DAY, WEEK, MONTH, QUARTER, FISCAL_YEAR, CALENDAR_YEAR)

#: The department's own components; a figure counted by anyone else is labelled as such.
DHS_AGENCIES = ("CBP", "USBP", "OFO", "ICE", "USCIS", "TSA", "USCG", "DHS", "FEMA", "CISA")


@dataclass(frozen=True)
class Period:
    kind: str = UNSPECIFIED
    start: str | None = None
    end: str | None = None

    @property
    def label(self) -> str | None:
        """"June 2024", "FY2024", "2024", "Q2 2024", "2024-06-23", "2023-10-01 to 2024-03-31"."""
        if self.kind == UNSPECIFIED or not self.start:
            return None
        first = date.fromisoformat(self.start)
        if self.kind == MONTH:
            return f"{MONTHS[first.month - 1].capitalize()} {first.year}"
        if self.kind == FISCAL_YEAR:
            return f"FY{first.year + 1}"
        if self.kind == CALENDAR_YEAR:
            return str(first.year)
        if self.kind == QUARTER:
            return f"Q{(first.month - 1) // 3 + 1} {first.year}"
        if self.kind == DAY:
            return self.start
        if self.kind == CUMULATIVE and not self.end:
            return f"since {self.start}"
        return f"{self.start} to {self.end or '…'}"

    def preceding(self) -> Period | None:
        """The period just before this one, of the same kind, when periods of this kind tile time."""
        if self.kind not in TILING or not self.start or not self.end:
            return None
        start, end = date.fromisoformat(self.start), date.fromisoformat(self.end)
        last = start - timedelta(days=1)
        if self.kind == DAY:
            return Period(DAY, last.isoformat(), last.isoformat())
        if self.kind == WEEK:
            return Period(WEEK, (start - timedelta(days=7)).isoformat(), last.isoformat())
        months = {MONTH: 1, QUARTER: 3}.get(self.kind, 12)
        first = add_months(start, -months)
        return Period(self.kind, first.isoformat(), last.isoformat()) if end > start else None


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(year: int, month: int) -> date:
    return add_months(date(year, month, 1), 1) - timedelta(days=1)


def month_period(year: int, month: int) -> Period:
    return Period(MONTH, date(year, month, 1).isoformat(), month_end(year, month).isoformat())


def fiscal_year(year: int) -> Period:
    return Period(FISCAL_YEAR, f"{year - 1}-10-01", f"{year}-09-30")


def fiscal_year_of(day: date) -> int:
    """The fiscal year a day falls in: it begins on October 1 of the year before."""
    return day.year + (day.month >= 10)


def calendar_year(year: int) -> Period:
    return Period(CALENDAR_YEAR, f"{year}-01-01", f"{year}-12-31")

"""A DHS-shaped loopback site of ~30 documents for the fault suite (tests/test_faults.py).

Three newsroom listing pages of eight releases each, a news feed of four stories whose
pages are fetched, and a Federal-Register-like feed whose abstracts are stored: every
path of the crawl a kill can interrupt. The texts are our own, written to exercise each
label (reversals of earlier announcements, new policies, monthly figures, routine news).
"""

from __future__ import annotations

from pathlib import Path

from sites import news_article, rss, write_newsroom

PROGRAMS = ["Migrant Protection Protocols", "the CHNV parole processes", "Title 42 expulsions",
            "the Secure Communities program", "worksite enforcement operations",
            "the 287(g) agreements"]
PORTS = ["Laredo", "Nogales", "El Paso", "San Ysidro", "Calexico", "Del Rio"]
MONTHS = ["January", "February", "March", "April", "May", "June"]


def _release(n: int) -> tuple[str, str, str, list[str]]:
    """(slug, title, iso date, paragraphs) of release ``n`` (0-23), oldest first."""
    program = PROGRAMS[n % len(PROGRAMS)]
    day = f"2024-{1 + n // 4:02d}-{1 + 6 * (n % 4):02d}T10:00:00-05:00"
    kind = n % 4
    if kind == 0:
        title = f"DHS Announces Expansion of {program.removeprefix('the ')}"
        text = [f"The Department of Homeland Security today announced a new policy expanding "
                f"{program} to additional locations.",
                "The new guidance takes effect on the first day of next month.",
                f"Officers will receive training on the updated procedures for {program}."]
    elif kind == 1:
        title = f"DHS Ends {program.removeprefix('the ')}"
        text = [f"The Secretary issued a memorandum terminating {program}.",
                f"The Department will no longer enroll new cases under {program}.",
                "Existing cases will be reviewed over the coming months."]
    elif kind == 2:
        month = MONTHS[n // 4]
        title = f"CBP Releases {month} 2024 Monthly Update"
        text = [f"U.S. Border Patrol encounters between ports of entry were {100_000 + 731 * n:,} "
                f"in {month}, down from {120_000 + 517 * n:,} the month before.",
                "CBP continues to apply consequences for unlawful entry."]
    else:
        port = PORTS[n // 4]
        title = f"CBP Officers at {port} Seize Narcotics in Vehicle {n}"
        text = [f"Officers at the {port} port of entry seized {20 + n} pounds of methamphetamine "
                "hidden in a passenger vehicle.",
                "The driver was turned over to Homeland Security Investigations."]
    return f"2024/release-{n:02d}", title, day, text


RELEASES = [_release(n) for n in range(24)]
STORIES = [
    ("courier-mpp.html", "Administration formally ends Remain in Mexico", "2024-01-08T09:00:00Z",
     ["The Department of Homeland Security formally ended the Migrant Protection Protocols.",
      "\u201cThis is overdue,\u201d said a lawyer who represents asylum seekers."]),
    ("courier-parole.html", "Parole program for four countries expands", "2024-01-02T09:00:00Z",
     ["The administration expanded the CHNV parole processes to additional applicants.",
      "Sponsors in the United States must file a declaration of financial support."]),
    ("courier-border.html", "Border crossings fell in March", "2024-04-14T09:00:00Z",
     ["Border Patrol encounters between ports of entry fell in March, officials said.",
      "Advocates said the figures hide long waits at the ports."]),
    ("courier-seizure.html", "Drug seizure at a southern port", "2024-02-20T09:00:00Z",
     ["Officers seized methamphetamine hidden in a passenger vehicle at a southern port.",
      "The case was referred to federal prosecutors."]),
]
NOTICES = [
    ("https://www.federalregister.gov/d/2024-00101", "Extension of the Designation of Haiti for "
     "Temporary Protected Status", "Mon, 05 Feb 2024 08:45:00 GMT",
     "This notice announces that the Secretary is extending the designation of Haiti for "
     "Temporary Protected Status for 18 months."),
    ("https://www.federalregister.gov/d/2024-00202", "Termination of the Parole Processes",
     "Tue, 12 Mar 2024 08:45:00 GMT",
     "This notice announces the termination of the parole processes for nationals of four "
     "countries. Parole granted before this notice ends on its own terms."),
    ("https://www.federalregister.gov/d/2024-00303", "Agency Information Collection Activities",
     "Wed, 20 Mar 2024 08:45:00 GMT",
     "The Department invites comment on a revision of an existing information collection."),
]
PER_PAGE = 8
DOCUMENTS = len(RELEASES) + len(STORIES) + len(NOTICES)


def build_fault_site(root: Path) -> int:
    """Write the site under ``root``; returns how many documents a full crawl stores."""
    write_newsroom(root, RELEASES, listing="news", folder="release", per_page=PER_PAGE)
    stories = root / "stories"
    stories.mkdir()
    for name, title, iso, paragraphs in STORIES:
        (stories / name).write_text(news_article(title, iso, paragraphs))
    (root / "stories.xml").write_text(rss([
        (f"/stories/{name}", title, "Mon, 01 Jan 2024 09:00:00 GMT", title)
        for name, title, _, _ in STORIES]))
    (root / "notices.xml").write_text(rss(NOTICES))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    return DOCUMENTS


SOURCES = {
    "dhs": 'kind = "html"\nurl = "{base}/news"\nmax_pages = 5\ndelay = 0\nretries = 0\n',
    "courier": 'kind = "feed"\nurl = "{base}/stories.xml"\ndelay = 0\nretries = 0\n',
    "federal-register": 'kind = "feed"\nurl = "{base}/notices.xml"\nfetch_articles = false\n'
                        'delay = 0\n',
}


def fault_sources(base_url: str, names=tuple(SOURCES)) -> str:
    """The sources of the fault site (or the named ones), with no delay between requests."""
    return "".join(f'[[source]]\nname = "{name}"\n' + SOURCES[name].format(base=base_url)
                   for name in names)

import time
from pathlib import Path

import pytest

from monitor.statements import clean_paragraphs, is_boilerplate, split_statements

BASELINE = Path(__file__).resolve().parent.parent / "monitor" / "baseline"


def baseline(name_prefix: str) -> list[str]:
    (path,) = BASELINE.glob(f"{name_prefix}_*.txt")
    return split_statements(path.read_text(encoding="utf-8"))


# --- sentence splitting -----------------------------------------------------------

def test_plain_sentences_split_and_whitespace_is_normalised():
    text = "The rule takes effect\u00a0today.  It  applies to all ports.\nA review follows in May!"
    assert split_statements(text) == [
        "The rule takes effect today.",
        "It applies to all ports.",
        "A review follows in May!",
    ]


@pytest.mark.parametrize("sentence", [
    "Flights left Tucson, Ariz. Monday for Guadalajara.",
    "Gen. John Kelly met Dr. Smith and Mr. Jones at St. Paul.",
    "Sec. Noem spoke at 9 a.m. Eastern on Jan. 5 about Executive Order No. 14159.",
    "The program cost $3.5 million in fiscal 2019.",
    "John F. Kennedy International Airport reopened at 6 p.m. Thursday.",
    "Officials from the U.N. High Commissioner for Refugees attended.",
])
def test_abbreviations_initials_and_decimals_do_not_split(sentence):
    assert split_statements(sentence) == [sentence]


def test_acronym_at_sentence_end_splits_before_a_sentence_opener():
    assert split_statements("They were returned to the U.S. The flights resume Monday.") == [
        "They were returned to the U.S.", "The flights resume Monday."]


def test_abbreviations_that_are_also_words_end_sentences_before_an_opener():
    assert split_statements("Mexico said no. The talks ended.") == [
        "Mexico said no.", "The talks ended."]
    assert split_statements("Two detainees fell ill. They were treated in Seattle, Wash. Officials "
                            "said so.") == [
        "Two detainees fell ill.", "They were treated in Seattle, Wash.", "Officials said so."]


def test_quote_and_attribution_stay_together():
    text = ("\u201cWe will treat everyone humanely and with dignity,\u201d the official added, "
            "per the Post. \u201cBut we\u2019re going to execute the laws of the United States.\u201d")
    assert split_statements(text) == [
        "\u201cWe will treat everyone humanely and with dignity,\u201d the official added, per the Post.",
        "\u201cBut we\u2019re going to execute the laws of the United States.\u201d",
    ]


def test_multi_sentence_quote_with_trailing_attribution_is_one_statement():
    text = ("\u201cLet me be very clear. There will be no mass deportations. None,\u201d Kelly said. "
            "He then left.")
    assert split_statements(text) == [
        "\u201cLet me be very clear. There will be no mass deportations. None,\u201d Kelly said.",
        "He then left.",
    ]


def test_quote_ending_in_full_stop_keeps_following_speaker():
    assert split_statements('"We are here to stay." Senator Ruiz said. Others agreed.') == [
        '"We are here to stay." Senator Ruiz said.', "Others agreed."]
    assert split_statements("\u201cWe listened closely.\u201d he said.") == [
        "\u201cWe listened closely.\u201d he said."]


def test_unclosed_quote_does_not_swallow_the_paragraph():
    # Newspapers leave a quote open when it continues in the next paragraph.
    text = "\u201cThe first point is safety. The second is speed. The third is cost."
    assert len(split_statements(text)) == 3


def test_paragraphs_on_single_newlines_are_separate():
    text = ("A long first paragraph that ends without any closing punctuation mark at all\n"
            "Second one is a sentence.")
    assert split_statements(text) == [
        "A long first paragraph that ends without any closing punctuation mark at all",
        "Second one is a sentence."]


# --- boilerplate ------------------------------------------------------------------

@pytest.mark.parametrize("paragraph", [
    # Held-out style: none of these strings occur in the baseline.
    "Subscribe to our morning newsletter for the day's top stories.",
    "Sign up for breaking news alerts",
    "By signing up, you agree to our Privacy Policy and Terms of Use.",
    "Download the NBC News app for breaking news.",
    "Tap here to get the Telemundo app",
    "Read more: Border wall construction resumes in Arizona",
    "RELATED: What to know about asylum appointments",
    "See also \u2014 Five things to know about TPS",
    "Advertisement",
    "Story continues below advertisement",
    "Share this article",
    "Follow us on Twitter and Facebook",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "\u00a9 2021 Gannett Co., Inc.",
    "This article was automatically translated from Portuguese.",
    "Media Contact: CBP Public Affairs, (202) 344-1780",
    "press@example.gov",
    "DHS Press Office",
    "# # #",
    "Last Updated: 01/21/2025",
    "Topics: Border Security, Immigration Enforcement",
    "A Border Patrol agent inspects a vehicle near Yuma. (Photo by Maria Lopez/Getty Images)",
    "Photo: Customs and Border Protection",
    "SECRETARY VISITS EL PASO AS CROSSINGS FALL TO FOUR-YEAR LOW",
    "You can watch the full hearing here.",
    "12 Comments",
    "Editor\u2019s note: An earlier version of this story misstated the date of the hearing.",
    "Additional information about the program can be found at uscis.gov/example.",
    "Stay up to date by following @CBPSouthTexas for breaking news.",
    "Classifieds: Apartment for rent near downtown, call after 6 p.m.",
])
def test_boilerplate_rules_generalise(paragraph):
    assert is_boilerplate(paragraph)


@pytest.mark.parametrize("paragraph", [
    "Sign up for DACA renewals rose 12 percent in March, the agency said.",
    "The Secretary said the agency will share data with local police.",
    "Agents seized 120 pounds of methamphetamine near Nogales, Ariz., on Tuesday.",
    "\u201cFollow the law,\u201d she said.",
    "The ICE Office of Public Affairs declined to comment on the arrests, citing the ongoing case.",
    "FEMA approved $12.5 million in assistance for Puerto Rico.",
    "The smugglers kept following us on the highway, the driver told agents.",
    "Officers found a loaded handgun and a photo of the victim in the vehicle.",
])
def test_reporting_is_not_boilerplate(paragraph):
    assert not is_boilerplate(paragraph)


def test_repeated_caption_dropped_in_every_copy_other_repeats_kept_once():
    caption = "Migrants board a flight in Tucson. (CBP)"
    pull_quote = "The program will expand to three more cities."
    text = "\n\n".join([caption, "Flights began in December.", caption, pull_quote,
                        "Officials welcomed it.", pull_quote])
    assert clean_paragraphs(text) == ["Flights began in December.", pull_quote,
                                      "Officials welcomed it."]


def test_short_heading_without_punctuation_is_dropped():
    assert clean_paragraphs("\u2018Operational partnerships in the region\u2019\n\nThey met.") == [
        "They met."]


def test_an_article_body_may_keep_its_headings_but_not_its_furniture():
    text = "Where the money comes from\n\nSign up for our newsletter alerts\n\nThey met."
    assert clean_paragraphs(text, keep_headings=True) == ["Where the money comes from", "They met."]
    assert split_statements(text) == ["They met."]


def test_scripts_without_capitals_are_not_shouting():
    # Korean has no case: a whole paragraph equals its upper case, yet is no all-caps teaser.
    korean = "\ubc95\ubb34\ubd80\ub294 \uc774\ubbfc \uc815\ucc45\uc744 \ubc1c\ud45c\ud588\ub2e4."
    assert clean_paragraphs(korean) == [korean]
    assert is_boilerplate("SIGN THE PETITION TODAY")


# --- the baseline articles ----------------------------------------------------------

def test_baseline_footers_teasers_and_captions_removed():
    joined = "\n".join(s for prefix in "000 001 002 003 004".split() for s in baseline(prefix))
    for leaked in ["Sign up to receive", "By submitting this form", "FOX NEWS APP",
                   "CHAD WOLF VOWS", "photo by Jerry Glaser", "interior. (DHS)", "traducido",
                   "EFE News Services", "NewsEdge", "No votes yet", "Please wait",
                   "Also Read", "You can read a Q&A", "Operational and strategic"]:
        assert leaked not in joined


def test_baseline_quotes_kept_whole():
    statements = baseline("002")
    assert ("\u201cWe will treat everyone humanely and with dignity,\u201d the official added, "
            "per the Post.") in statements
    memo_quote = [s for s in statements if s.startswith("\u201cThese memos confirm")]
    assert len(memo_quote) == 1 and memo_quote[0].endswith("We are here to stay.\u201d")
    kelly = baseline("004")
    assert any(s.startswith("\u201cLet me be very, very clear") and s.endswith("Kelly said.")
               for s in kelly)
    assert "Flights" not in baseline("001")[1] and baseline("001")[1].endswith("in December.")


def test_baseline_statement_counts():
    assert [len(baseline(p)) for p in "000 001 002 003 004".split()] == [11, 22, 15, 11, 17]


def test_fast_enough_for_thousands_of_articles():
    texts = [p.read_text(encoding="utf-8") for p in sorted(BASELINE.glob("*.txt"))] * 40
    started = time.perf_counter()
    count = sum(len(split_statements(t)) for t in texts)
    assert count / (time.perf_counter() - started) > 5_000  # ~15,000/s on a laptop


def test_hostile_paragraph_with_many_quotes_and_sentences_stays_linear():
    text = '\u201cFirst. Second,\u201d he said. Third one. ' * 20_000
    started = time.perf_counter()
    statements = split_statements(text)
    assert len(statements) == 40_000
    assert statements[0] == "\u201cFirst. Second,\u201d he said."
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("text", [
    "a." + " " * 500_000 + "b",
    "a" + "." * 200_000 + "b",
    "\u201c" * 100_000 + "x.",
    "(" * 100_000 + "photo by",
    "x" * 1_000_000 + ". The end.",
])
def test_pathological_input_is_handled_quickly(text):
    started = time.perf_counter()
    split_statements(text)
    assert time.perf_counter() - started < 2

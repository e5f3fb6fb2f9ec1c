"""Mailbox sources: GovDelivery-shaped bulletins from a Maildir, stored once beside the website."""

import os

import pytest

from monitor.config import ConfigError, load_sources
from monitor.mailbox import parse_bulletin
from monitor.sampleserver import SiteServer
from sites import (RELEASES, build_site, govdelivery_bulletin, query, run_monitor, tracking_link,
                   website_and_bulletins, write_maildir)

NEW_RELEASE = ("DHS Announces New Processing Steps for Parole Requests",
               ["The Department announced new processing steps for parole requests filed from abroad.",
                "The new steps take effect on April 1, 2024 and apply to all pending requests."])
UNLINKED_RELEASE = ("Secretary Visits Port of Entry in El Paso",
                    ["The Secretary visited the port of entry in El Paso and met officers.",
                     "He thanked the workforce for their service."])
BOILERPLATE = ("Manage Subscriptions", "Unsubscribe", "GovDelivery", "This email was sent to",
               "Having trouble viewing", "View it as a Web page", "FOR IMMEDIATE RELEASE",
               "Read the release online", "Stay connected", "245 Murray Lane")


def _bulletins(base):
    tps_slug, tps_title, _, tps_paragraphs = RELEASES[5]
    _, cbp_title, _, cbp_paragraphs = RELEASES[2]
    return [
        # on the website too, linked through a click-tracking link: matched by URL
        govdelivery_bulletin(tps_title, "Fri, 08 Mar 2024 12:05:00 -0500", tps_paragraphs,
                             f"{base}/news/{tps_slug}", "3b1001"),
        # on the website too, but the bulletin does not link it: matched by title and day
        govdelivery_bulletin(cbp_title, "Tue, 13 Feb 2024 11:30:00 -0500", cbp_paragraphs,
                             None, "3b1002"),
        # only in the mail
        govdelivery_bulletin(NEW_RELEASE[0], "Wed, 20 Mar 2024 09:00:00 -0400", NEW_RELEASE[1],
                             f"{base}/news/2024/03/20/new-parole-steps", "3b1003"),
        govdelivery_bulletin(UNLINKED_RELEASE[0], "Thu, 21 Mar 2024 16:00:00 -0400",
                             UNLINKED_RELEASE[1], None, "3b1004"),
    ]


def _run(tmp_path):
    result = run_monitor(tmp_path, "run")
    assert result.returncode == 0, result.stderr
    return result


def _snapshot(folder):
    return sorted((p.relative_to(folder).as_posix(), p.stat().st_mtime_ns, p.read_bytes())
                  for p in folder.rglob("*") if p.is_file())


def test_maildir_bulletins_are_stored_once_beside_the_website_and_read_once(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    build_site(root)
    with SiteServer(root) as site:
        maildir = tmp_path / "Maildir"
        write_maildir(maildir, _bulletins(site.base_url))
        before = _snapshot(maildir)
        (tmp_path / "sources.toml").write_text(
            website_and_bulletins(site.base_url, "Maildir", as_fallback=False))

        _run(tmp_path)
        docs = query(tmp_path, "select * from documents where source != 'baseline'")
        assert len(docs) == len(RELEASES) + 2  # the two duplicates are not stored again
        assert len({d["url"] for d in docs}) == len(docs)
        channels = {}
        for row in query(tmp_path, "select d.title, c.source, c.url from document_channels c "
                                    "join documents d on d.id = c.document_id"):
            channels.setdefault(row["title"], set()).add((row["source"], row["url"]))
        tps_slug, tps_title = RELEASES[5][0], RELEASES[5][1]
        assert channels[tps_title] == {
            ("dhs-news", f"{site.base_url}/news/{tps_slug}"),
            ("dhs-bulletins", "https://content.govdelivery.com/accounts/USDHS/bulletins/3b1001")}
        assert {s for s, _ in channels[RELEASES[2][1]]} == {"dhs-news", "dhs-bulletins"}

        new = next(d for d in docs if d["title"] == NEW_RELEASE[0])
        assert new["url"] == f"{site.base_url}/news/2024/03/20/new-parole-steps"
        assert new["source"] == "dhs-bulletins" and new["published"] == "2024-03-20"
        assert new["label"] == "new_policy"
        unlinked = next(d for d in docs if d["title"] == UNLINKED_RELEASE[0])
        assert unlinked["url"] == "https://content.govdelivery.com/accounts/USDHS/bulletins/3b1004"
        for doc in (new, unlinked):
            title, paragraphs = NEW_RELEASE if doc is new else UNLINKED_RELEASE
            for paragraph in paragraphs:
                assert paragraph in doc["body"]
            for phrase in BOILERPLATE:
                assert phrase not in doc["body"], phrase
            assert title not in doc["body"]  # the heading is the title, not a statement
        assert site.hits["/news/2024/03/20/new-parole-steps"] == 0  # the mail carried the text
        assert _snapshot(maildir) == before  # nothing moved to cur/, nothing flagged

        counts = query(tmp_path, "select (select count(*) from documents) d, "
                                  "(select count(*) from document_channels) c, "
                                  "(select count(*) from mailbox_seen) m")[0]
        assert counts["m"] == 4
        # A mail client marks one read: moved to cur/ with flags, it is the same message.
        first = sorted((maildir / "new").iterdir())[0]
        first.rename(maildir / "cur" / (first.name + ":2,S"))
        _run(tmp_path)
        assert query(tmp_path, "select (select count(*) from documents) d, "
                                "(select count(*) from document_channels) c, "
                                "(select count(*) from mailbox_seen) m")[0] == counts
        last = query(tmp_path, "select new_documents from runs order by id desc limit 1")[0]
        assert last["new_documents"] == 0

        # A later delivery, delivered twice (two subscriptions): only it is read, once.
        later = govdelivery_bulletin(
            "DHS Publishes Updated Detention Statistics", "Mon, 25 Mar 2024 10:00:00 -0400",
            ["ICE held 38,000 people in detention in March, up from 36,000 in February."],
            None, "3b1005")
        (maildir / "new" / "1799999998.M9P9.testhost").write_bytes(later)
        (maildir / "new" / "1799999999.M9P9.testhost").write_bytes(later)
        _run(tmp_path)
        assert query(tmp_path, "select count(*) n from mailbox_seen")[0]["n"] == 6
        assert query(tmp_path, "select new_documents from runs order by id desc limit 1"
                      )[0]["new_documents"] == 1


def test_a_bulletin_without_a_release_link_keeps_its_web_page_and_drops_the_footer():
    raw = govdelivery_bulletin("Title", "Fri, 08 Mar 2024 12:05:00 -0500",
                               ["First sentence of the release."], None, "99")
    bulletin = parse_bulletin(raw, "https://www.dhs.gov/")
    assert bulletin.url == bulletin.channel_url == \
        "https://content.govdelivery.com/accounts/USDHS/bulletins/99"
    assert bulletin.title == "Title" and bulletin.published == "2024-03-08"
    html = bulletin.html.decode()
    assert "First sentence of the release." in html
    assert "Unsubscribe" not in html and "GovDelivery" not in html


def test_release_links_are_read_through_click_tracking_but_only_on_the_agency_site():
    raw = govdelivery_bulletin("Title", "Fri, 08 Mar 2024 12:05:00 -0500", ["Text."],
                               "https://www.dhs.gov/news/2024/03/08/title", "98")
    assert parse_bulletin(raw).url == "https://www.dhs.gov/news/2024/03/08/title"
    assert parse_bulletin(raw, "https://www.dhs.gov/").url == \
        "https://www.dhs.gov/news/2024/03/08/title"
    elsewhere = parse_bulletin(raw, "https://www.ice.gov/")
    assert elsewhere.url == "https://content.govdelivery.com/accounts/USDHS/bulletins/98"
    assert "lnks.gd" in tracking_link("https://www.dhs.gov/x")


@pytest.mark.parametrize("body, error", [
    ('kind = "mailbox"', "needs either 'maildir' or 'imap'"),
    ('kind = "mailbox"\nmaildir = "a"\nimap = "imaps://u@h/INBOX"\npassword_env = "P"',
     "needs either 'maildir' or 'imap'"),
    ('kind = "mailbox"\nimap = "imaps://u@h/INBOX"', "needs 'password_env'"),
    ('kind = "mailbox"\nimap = "imaps://u:pw@h/INBOX"\npassword_env = "P"', "must not contain the password"),
    ('kind = "mailbox"\nimap = "pop3://u@h/INBOX"\npassword_env = "P"', "must look like imaps://"),
    ('kind = "html"\nurl = "https://example.gov/"\nfallbacks = ["nope"]', "fallback 'nope' is not a configured source"),
    ('kind = "html"\nurl = "https://example.gov/"\nfallbacks = ["s"]', "cannot be its own fallback"),
    ('kind = "html"\nurl = "https://example.gov/"\nfallbacks = "other"', "'fallbacks' must be a list"),
])
def test_mailbox_and_fallback_settings_are_checked(tmp_path, body, error):
    path = tmp_path / "x.toml"
    path.write_text(f'[[source]]\nname = "s"\n{body}\n')
    with pytest.raises(ConfigError, match=error):
        load_sources(path)


def test_a_relative_maildir_is_relative_to_its_file(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "dhs.toml").write_text(
        '[[source]]\nname = "m"\nkind = "mailbox"\nmaildir = "../mail/dhs"\n')
    [source] = load_sources(tmp_path / "feeds")
    assert source.maildir == os.fspath((tmp_path / "mail" / "dhs").resolve())
    assert source.location == source.maildir

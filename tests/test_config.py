"""Source configuration: the shipped defaults load, and every mistake names file, source, reason."""

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import ConfigError, is_http_url, load_sources

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, text, name="agency.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_feeds_point_at_the_real_sites():
    sources = {s.name: s for s in load_sources(ROOT / "feeds")}
    assert sources["dhs-news"].url == "https://www.dhs.gov/all-news-updates"
    assert sources["uscis-news"].kind == "feed"
    fr = [s for s in sources.values() if s.kind == "federal_register"]
    assert all(s.url == "https://www.federalregister.gov/api/v1/documents.json" for s in fr)
    for slug in ("homeland-security-department", "u-s-citizenship-and-immigration-services",
                 "u-s-customs-and-border-protection",
                 "u-s-immigration-and-customs-enforcement"):
        assert any(slug in s.agencies for s in fr)
    assert any(s.agency == "News" for s in sources.values())
    assert {"DHS", "ICE", "CBP", "USCIS"} <= {s.agency for s in sources.values()}


@pytest.mark.parametrize("body, reason", [
    ('[[source]]\nname = "a"\nkind = "html"\nurl = "https://x.gov/"\ncolour = "red"\n',
     "source 'a': unknown key(s) colour"),
    ('[[source]]\nname = "a"\nkind = "html"\n', "source 'a': 'url' is required"),
    ('[[source]]\nname = "a"\nkind = "html"\nurl = "ftp://x.gov/"\n',
     "source 'a': 'url' must be an absolute http(s) URL"),
    ('[[source]]\nname = "a"\nkind = "pdf"\nurl = "https://x.gov/"\n',
     "source 'a': 'kind' must be one of html, feed"),
    ('[[source]]\nname = "a"\nkind = "html"\nurl = "https://x.gov/"\n[source.selectors]\nlinks = "a["\n',
     "source 'a': selector 'links' is not a valid CSS selector"),
    ('[[source]]\nname = "a"\nkind = "html"\nurl = "https://x.gov/"\n[source.selectors]\nheadline = "h1"\n',
     "source 'a': unknown selector 'headline'"),
    ('[[source]]\nname = "a"\nkind = "html"\nurl = "https://x.gov/"\ndelay = -1\n',
     "source 'a': 'delay' must be a number from 0 to 3600"),
    ('[[source]]\nkind = "html"\nurl = "https://x.gov/"\n', "source without a name: 'name' is required"),
    ('[[source]\nname = "a"\n', "not valid TOML"),
    ('sources = []\n', "unknown top-level key(s) sources"),
])
def test_mistakes_are_reported_with_file_source_and_reason(tmp_path, body, reason):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_sources(tmp_path)
    assert str(info.value).startswith(str(path))
    assert reason in str(info.value)


def test_duplicate_names_across_files(tmp_path):
    source = '[[source]]\nname = "same"\nkind = "feed"\nurl = "https://x.gov/rss"\n'
    write(tmp_path, source, "a.toml")
    write(tmp_path, source, "b.toml")
    with pytest.raises(ConfigError, match=r"b.toml: source 'same': name already used in .*a.toml"):
        load_sources(tmp_path)


def test_agency_defaults_to_the_file_name(tmp_path):
    write(tmp_path, '[[source]]\nname = "n"\nkind = "feed"\nurl = "https://x.gov/rss"\n', "cbp.toml")
    assert load_sources(tmp_path)[0].agency == "CBP"


def test_only_absolute_http_urls_are_followable():
    assert is_http_url("https://www.dhs.gov/news/2025/01/21/x")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "/news/x", "mailto:a@b.gov",
                "https://x.gov/a\r\nHost: evil", "http://"):
        assert not is_http_url(bad)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_bad_configuration_is_one_line_and_non_zero(tmp_path):
    write(tmp_path, '[[source]]\nname = "a"\nkind = "html"\n')
    result = cli("--config", str(tmp_path), "--db", str(tmp_path / "m.db"), "run")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "'url' is required" in result.stderr
    missing = cli("--config", str(tmp_path / "nope"), "sources")
    assert missing.returncode != 0 and "no such configuration file or folder" in missing.stderr


def test_unusable_database_is_one_line_and_non_zero(tmp_path):
    write(tmp_path, '[[source]]\nname = "a"\nkind = "feed"\nurl = "https://x.gov/rss"\n')
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are my notes, not a database\n" * 10)
    result = cli("--config", str(tmp_path), "--db", str(not_a_db), "run")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "is not a SQLite database" in result.stderr
    assert not_a_db.read_text().startswith("these are my notes")  # untouched


def test_sources_lists_the_configuration(tmp_path):
    result = cli("--config", str(ROOT / "feeds"), "--db", str(tmp_path / "m.db"), "sources")
    assert result.returncode == 0, result.stderr
    assert "dhs-news" in result.stdout and "https://www.dhs.gov/all-news-updates" in result.stdout

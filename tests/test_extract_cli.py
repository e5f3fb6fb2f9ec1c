"""`policy-monitor extract FILE_OR_URL --json`: the same extraction as `run`, for one page."""

import json
import subprocess
import sys

from monitor.sampleserver import SiteServer
from sites import RELEASES, build_site


def extract(*args):
    return subprocess.run([sys.executable, "-m", "monitor", "extract", *args, "--json"],
                          capture_output=True, text=True, timeout=60)


def test_extract_a_file_and_a_url_alike(tmp_path):
    build_site(tmp_path)
    slug, title, iso, paragraphs = RELEASES[0]
    from_file = extract(str(tmp_path / "news" / slug))
    assert from_file.returncode == 0, from_file.stderr
    page = json.loads(from_file.stdout)
    assert set(page) == {"url", "title", "published", "text", "statements"}
    assert page["title"] == title and page["published"] == iso[:10]
    assert page["statements"][0] == paragraphs[0]
    assert "FOR IMMEDIATE RELEASE" not in page["text"]

    with SiteServer(tmp_path) as server:
        from_url = extract(f"{server.base_url}/news/{slug}")
    assert from_url.returncode == 0, from_url.stderr
    fetched = json.loads(from_url.stdout)
    assert fetched["url"] == f"{server.base_url}/news/{slug}"
    assert {k: fetched[k] for k in ("title", "published", "text", "statements")} == \
        {k: page[k] for k in ("title", "published", "text", "statements")}


def test_extract_errors_are_one_line(tmp_path):
    missing = extract(str(tmp_path / "nope.html"))
    assert missing.returncode != 0
    assert missing.stderr.strip() == f"Error: {tmp_path / 'nope.html'}: no such file (or not an http(s) URL)"
    with SiteServer(tmp_path) as server:
        gone = extract(f"{server.base_url}/missing")
    assert gone.returncode != 0 and "HTTP 404" in gone.stderr
    assert gone.stderr.strip().count("\n") == 0

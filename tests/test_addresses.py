"""Links found on the web reach only public addresses: the policy on address literals
(never connected to), the fetcher against an "internal" server on 127.0.0.2, and a
whole run whose feed tries to make the monitor read it."""

import ipaddress
import socket
import sqlite3
import subprocess
import sys

import httpcore
import pytest

from monitor import addresses
from monitor.addresses import AddressPolicy, AddressRefused, is_public, parse_ipv4
from monitor.config import ConfigError, load_sources
from monitor.fetch import Fetcher, RequestLimits
from monitor.sampleserver import SiteServer
from monitor.settings import SettingsError, load_settings
from sites import dhs_listing, dhs_release, news_article, rss, self_signed

NOT_PUBLIC = [
    # IPv4: loopback, RFC 1918, link-local (cloud metadata), CGNAT, "this network",
    # multicast, broadcast, reserved, documentation, benchmarking, IETF assignments
    "127.0.0.1", "127.0.0.2", "127.255.255.254", "10.0.0.1", "10.255.255.255",
    "172.16.0.1", "172.31.255.254", "192.168.0.1", "169.254.169.254", "169.254.0.1",
    "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1",
    "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.7",
    "203.0.113.9", "198.18.0.1", "192.0.0.8", "192.88.99.1",
    # IPv6: loopback, unspecified, link-local, unique-local, site-local, multicast,
    # documentation, Teredo, discard, SRv6
    "::1", "::", "fe80::1", "fe80::a9fe:a9fe", "fc00::1", "fd12:3456:789a::1", "fec0::1",
    "ff02::1", "ff0e::1", "2001:db8::1", "3fff::1", "2001::1", "100::1", "5f00::1",
    # IPv4 inside IPv6: mapped, compatible, 6to4, NAT64 (well-known and local-use)
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1",
    "::127.0.0.1", "::10.0.0.1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808",
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111",
          "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_internal_and_special_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(AddressRefused, match=r"^refused: .* is not a public address$"):
        AddressPolicy().resolve(address, 80)  # a literal: neither resolved nor connected to


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_without_a_lookup(address, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)
    assert is_public(ipaddress.ip_address(address))
    assert AddressPolicy().resolve(address, 443) == [str(ipaddress.ip_address(address))]


@pytest.mark.parametrize("spelling, address", [
    ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
    ("0x7F.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"), ("127.0.0.1.", "127.0.0.1"), ("0", "0.0.0.0"),
    ("3232235777", "192.168.1.1"), ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ("0251.0376.0251.0376", "169.254.169.254"), ("10.1", "10.0.0.1"),
])
def test_numeric_spellings_are_read_as_resolvers_read_them_and_refused(spelling, address,
                                                                       monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)
    assert parse_ipv4(spelling) == ipaddress.IPv4Address(address)
    with pytest.raises(AddressRefused) as refused:
        AddressPolicy().resolve(spelling, 80)
    assert str(refused.value) == f"refused: {spelling} is {address}, not a public address"


@pytest.mark.parametrize("host", ["example.org", "1.2.3.4.5", "256.1.1.1", "09.1.1.1", "1e3",
                                  "0x7g.1", "1..1", ""])
def test_names_are_not_mistaken_for_addresses(host):
    assert parse_ipv4(host) is None


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "api.localhost"])
def test_localhost_names_are_refused_without_a_lookup(host, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)
    with pytest.raises(AddressRefused, match=f"refused: {host} is not a public address"):
        AddressPolicy().resolve(host, 80)


def test_a_name_is_judged_by_every_address_it_resolves_to(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({
        "news.example": ["93.184.216.34"],
        "sneaky.example": ["93.184.216.34", "10.0.0.7"],
        "metadata.example": ["169.254.169.254"]}))
    assert AddressPolicy().resolve("news.example", 80) == ["93.184.216.34"]
    with pytest.raises(AddressRefused, match="refused: sneaky.example is 10.0.0.7, not a public"):
        AddressPolicy().resolve("sneaky.example", 80)
    with pytest.raises(AddressRefused, match="metadata.example is 169.254.169.254"):
        AddressPolicy().resolve("metadata.example", 80)


def test_the_allow_list_admits_its_hosts_and_networks_only(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"wiki.corp.example": ["10.2.0.4"]}))
    policy = AddressPolicy.parse(["Intranet.Example.org.", "10.1.0.0/16", "fd00::/8",
                                  "127.0.0.2"])
    assert policy.hosts == {"intranet.example.org"}
    assert policy.resolve("intranet.example.org", 80) == []  # connect by name, as allowed
    assert policy.resolve("10.1.200.3", 80) and policy.resolve("fd00::5", 80)
    assert policy.resolve("127.0.0.2", 80)
    for refused in ("10.2.0.1", "127.0.0.1", "wiki.corp.example", "0x7f000001"):
        with pytest.raises(AddressRefused):
            policy.resolve(refused, 80)


@pytest.mark.parametrize("entry, reason", [
    ("http://intranet.example.org", "must be host names"),
    ("intranet.example.org:8080", "must be host names"),
    ("10.1.2.0/16", "has host bits set"),
    ("10.0.0.0/33", "allow_internal"),
    ("0x7f000001", "allow_internal"),
    ("", "must be host names"),
    (7, "must be host names"),
])
def test_bad_allow_list_entries_are_named(entry, reason):
    with pytest.raises(ValueError, match=reason):
        AddressPolicy.parse([entry])


def test_allow_lists_are_checked_in_sources_and_settings(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[source]]\nname = "intranet"\nkind = "html"\n'
                     'url = "http://intranet.example.org/news"\n'
                     'allow_internal = ["intranet.example.org", "10.1.0.0/16"]\n')
    [source] = load_sources(feeds)
    assert source.allow_internal == ("intranet.example.org", "10.1.0.0/16")
    feeds.write_text('[[source]]\nname = "intranet"\nkind = "html"\n'
                     'url = "http://intranet.example.org/news"\nallow_internal = ["http://x/"]\n')
    with pytest.raises(ConfigError, match=r"source 'intranet': 'allow_internal' entries must"):
        load_sources(feeds)

    settings = tmp_path / "settings.toml"
    settings.write_text('allow_internal = ["intranet.example.org", "10.1.0.0/16"]\n')
    assert load_settings(settings, env={}).allow_internal == ("intranet.example.org",
                                                              "10.1.0.0/16")
    settings.write_text('allow_internal = "10.1.0.0/16"\n')
    with pytest.raises(SettingsError, match="settings.toml: 'allow_internal' must be a list"):
        load_settings(settings, env={})


# -- the fetcher, against servers on loopback -------------------------------------

@pytest.fixture
def internal(tmp_path):
    """A service on 127.0.0.2 standing in for cloud metadata or an intranet page."""
    root = tmp_path / "internal"
    (root / "latest" / "meta-data").mkdir(parents=True)
    page = news_article("Instance credentials", "2024-03-08T18:00:00Z",
                        ["The secret access key is SECRET-KEY-0123456789 for this instance."])
    for name in ("credentials", "credentials@via=redirect", "credentials@via=listing"):
        (root / "latest" / "meta-data" / name).write_text(page)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    with SiteServer(root, host="127.0.0.2") as server:
        yield server


@pytest.fixture
def public(tmp_path):
    """The configured source: loopback too, reachable only as a configured origin."""
    root = tmp_path / "public"
    root.mkdir()
    (root / "page").write_text("<p>configured origin</p>")
    with SiteServer(root) as server:
        yield server


def test_only_the_configured_origin_is_reached_on_loopback(public, internal):
    limits = RequestLimits(delay=0, retries=0, configured_url=public.base_url + "/feed.xml")
    with Fetcher() as fetcher:
        assert fetcher.get(public.base_url + "/page", limits).ok
        other = fetcher.get(internal.base_url + "/latest/meta-data/credentials", limits)
        rows = fetcher.take_log()
    assert other.error == "refused: 127.0.0.2 is not a public address"
    assert not internal.hits  # not even robots.txt
    assert rows[-1]["url"] == internal.base_url + "/latest/meta-data/credentials"
    assert rows[-1]["error"] == other.error and rows[-1]["status"] is None


def test_a_name_resolving_to_an_internal_address_is_refused(public, internal, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"intranet.test": ["127.0.0.2"]}))
    limits = RequestLimits(delay=0, retries=0, configured_url=public.base_url)
    with Fetcher() as fetcher:
        response = fetcher.get(f"http://intranet.test:{internal.port}/latest/meta-data/"
                               "credentials", limits)
    assert response.error == "refused: intranet.test is 127.0.0.2, not a public address"
    assert not internal.hits


def test_a_name_that_changes_its_answer_is_refused_at_connection(public, internal, monkeypatch):
    """The early check saw nothing wrong (as after DNS rebinding): the connection's own
    resolution is checked, for robots.txt and the page alike, and nothing is sent."""
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"rebind.test": ["127.0.0.2"]}))
    monkeypatch.setattr(Fetcher, "address_refusal", lambda self, url, limits: None)
    url = f"http://rebind.test:{internal.port}/latest/meta-data/credentials"
    with Fetcher() as fetcher:
        response = fetcher.get(url, RequestLimits(delay=0, retries=2))
        rows = fetcher.take_log()
        assert fetcher._host(url).robots is None  # an address refusal is not remembered
    assert response.error == "refused: rebind.test is 127.0.0.2, not a public address"
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == ["robots.txt", "credentials"]
    assert all(r["error"] == response.error for r in rows)  # and not retried
    assert not internal.hits


def test_a_name_that_cannot_be_resolved_is_a_plain_failure(monkeypatch):
    def unencodable(host, *args, **kwargs):
        raise UnicodeError("label too long")  # what Python's idna codec says, before any query
    monkeypatch.setattr(socket, "getaddrinfo", unencodable)
    with Fetcher() as fetcher:
        response = fetcher.get(f"http://{'a' * 70}.test/x", RequestLimits(delay=0, retries=0))
    assert response.error.startswith(f"cannot find {'a' * 70}.test: DNS lookup failed (")
    assert response.error.endswith("label too long)")


def test_the_connected_peer_is_checked_too(internal, monkeypatch):
    """Should a connection land elsewhere than asked, its peer address decides."""
    real = httpcore.SyncBackend.connect_tcp

    def misrouted(self, host, port, *args):
        return real(self, "127.0.0.2", port, *args)
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", misrouted)
    backend = addresses.GuardedBackend(AddressPolicy.parse(["127.0.0.1"]))
    with pytest.raises(AddressRefused, match="refused: 127.0.0.1 is 127.0.0.2, not a public"):
        backend.connect_tcp("127.0.0.1", internal.port, timeout=2)
    assert not internal.hits


def test_allowed_hosts_and_networks_are_reached(public, internal):
    with Fetcher() as fetcher:
        by_network = fetcher.get(internal.base_url + "/latest/meta-data/credentials",
                                 RequestLimits(delay=0, retries=0, configured_url=public.base_url,
                                               allow=AddressPolicy.parse(["127.0.0.2"])))
        by_name = fetcher.get(f"http://localhost:{public.port}/page",
                              RequestLimits(delay=0, retries=0,
                                            allow=AddressPolicy.parse(["localhost"])))
        unlisted = fetcher.get(f"http://localhost:{public.port}/page",
                               RequestLimits(delay=0, retries=0))
    assert by_network.ok and b"SECRET-KEY" in by_network.content
    assert by_name.ok and by_name.content == b"<p>configured origin</p>"
    assert unlisted.error == "refused: localhost is not a public address"


def test_redirects_off_the_origin_are_checked_at_every_hop(public, internal):
    def to(location):
        def handler(h):
            h.send_body(302, b"", "text/plain", {"Location": location})
        return handler
    target = internal.base_url + "/latest/meta-data/credentials?via=redirect"
    public.routes.update({"/go": to(target), "/hop": to("/go"),
                          "/numeric": to(f"http://2130706434:{internal.port}/latest")})
    limits = RequestLimits(delay=0, retries=0, configured_url=public.base_url)
    with Fetcher() as fetcher:
        hopped = fetcher.get(public.base_url + "/hop", limits)
        numeric = fetcher.get(public.base_url + "/numeric", limits)
    assert hopped.error == "refused: 127.0.0.2 is not a public address"
    assert hopped.final_url == target and hopped.url == public.base_url + "/hop"
    assert numeric.error == "refused: 2130706434 is 127.0.0.2, not a public address"
    assert not internal.hits


def test_tls_is_verified_for_the_host_name_while_connecting_to_the_checked_address(
        tmp_path, monkeypatch):
    context = self_signed(tmp_path, "DNS:secure.test", monkeypatch)
    monkeypatch.setattr(socket, "getaddrinfo", _fake_dns({"secure.test": ["127.0.0.2"]}))
    (tmp_path / "page").write_text("<p>over TLS</p>")
    limits = RequestLimits(delay=0, retries=0, allow=AddressPolicy.parse(["127.0.0.2"]))
    with SiteServer(tmp_path, host="127.0.0.2") as server, Fetcher() as fetcher:
        server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
        by_name = fetcher.get(f"https://secure.test:{server.port}/page", limits)
        by_address = fetcher.get(f"https://127.0.0.2:{server.port}/page", limits)
    assert by_name.ok and by_name.content == b"<p>over TLS</p>"
    assert "CERTIFICATE_VERIFY_FAILED" in by_address.error  # the name, not the IP, is checked


def test_same_origin_is_judged_as_httpx_connects():
    from monitor.fetch import _same_origin

    home = "http://127.0.0.1:8000/all-news-updates"
    assert _same_origin("http://127.0.0.1:8000/news/1", home)
    assert _same_origin("HTTP://127.0.0.1:80/x", "http://127.0.0.1/")
    assert _same_origin("https://www.dhs.gov:443/news", "https://www.dhs.gov/all-news-updates")
    for other in ("http://127.0.0.1:8001/x", "https://127.0.0.1:8000/x",
                  "http://127.0.0.1:8000@127.0.0.2/x", "http://127.0.0.1:8000\\@127.0.0.2/x",
                  "http://127.0.0.1.nip.io:8000/x", "http://[::1]:8000/x"):
        assert not _same_origin(other, home), other
    assert not _same_origin("http://127.0.0.1:8000/x", "")


# -- a whole run --------------------------------------------------------------------

def _feed_site(root, internal, elsewhere=None):
    """A feed and a listing on 127.0.0.1 whose links and redirects lead to ``internal``
    (and, for the feed, to a page on another loopback origin, ``elsewhere``)."""
    secret = f"{internal.base_url}/latest/meta-data/credentials"
    root.mkdir()
    (root / "story.html").write_text(news_article(
        "DHS extends TPS for Haiti", "2024-03-08T18:00:00Z",
        ["The Department of Homeland Security extended Temporary Protected Status for Haiti."]))
    items = [(secret, "Credentials", "Fri, 08 Mar 2024 18:00:00 GMT", "a"),
             ("/go", "Redirect", "Fri, 08 Mar 2024 18:00:00 GMT", "b"),
             ("/story.html", "Story", "Fri, 08 Mar 2024 18:00:00 GMT", "c")]
    if elsewhere:
        items.append((f"{elsewhere.base_url}/story.html", "Elsewhere",
                      "Fri, 08 Mar 2024 18:00:00 GMT", "d"))
    (root / "feed.xml").write_text(rss(items))
    (root / "news").mkdir()
    (root / "news" / "release").write_text(dhs_release(
        "DHS Announces New Parole Process", "2024-03-08T12:00:00-05:00",
        ["The Department announced a new parole process for Haitian nationals."]))
    (root / "all-news-updates").write_text(dhs_listing(
        [("/news/release", "DHS Announces New Parole Process", "2024-03-08T12:00:00-05:00"),
         (secret + "?via=listing", "Credentials", "2024-03-07T12:00:00-05:00")],
        next_href=f"{internal.base_url}/all-news-updates?page=1"))
    return {"/go": _redirect(secret + "?via=redirect")}


def _redirect(location):
    def route(handler):
        handler.send_body(302, b"", "text/plain", {"Location": location})
    return route


FEED_SOURCE = """
[[source]]
name = "news"
kind = "feed"
url = "{base}/feed.xml"
delay = 0
retries = 0
"""
SOURCES = FEED_SOURCE + """
[[source]]
name = "newsroom"
kind = "html"
url = "{base}/all-news-updates"
delay = 0
retries = 0
"""


def _run(tmp_path, config_text, *extra):
    config = tmp_path / "sources.toml"
    config.write_text(config_text)
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(config),
                           "--db", str(tmp_path / "monitor.db"), *extra, "run"],
                          capture_output=True, text=True, timeout=120)


def _query(tmp_path, sql):
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        return db.execute(sql).fetchall()


def test_a_feed_cannot_make_the_monitor_read_an_internal_service(tmp_path, internal):
    elsewhere_root = tmp_path / "elsewhere"
    elsewhere_root.mkdir()
    (elsewhere_root / "story.html").write_text("<p>another loopback origin</p>")
    with SiteServer(elsewhere_root) as elsewhere:
        routes = _feed_site(tmp_path / "site", internal, elsewhere)
        with SiteServer(tmp_path / "site", routes=routes) as site:
            result = _run(tmp_path, SOURCES.format(base=site.base_url))
    assert result.returncode == 0, result.stderr
    assert not internal.hits  # no request at all, not even /robots.txt
    assert not elsewhere.hits  # loopback too, but not the configured origin
    assert _query(tmp_path, "select source, url from documents where source != 'baseline' "
                            "order by source") == [
        ("news", f"{site.base_url}/story.html"),
        ("newsroom", f"{site.base_url}/news/release")]
    assert _query(tmp_path, "select count(*) from documents where instr(body, 'SECRET-KEY')") == [(0,)]
    secret = f"{internal.base_url}/latest/meta-data/credentials"
    refused = _query(tmp_path, "select source, url, error from fetches where error like "
                               "'refused:%' order by id")
    assert sorted(refused) == sorted([
        ("news", secret, "refused: 127.0.0.2 is not a public address"),
        ("news", secret + "?via=redirect", "refused: 127.0.0.2 is not a public address"),
        ("news", f"{elsewhere.base_url}/story.html",
         "refused: 127.0.0.1 is not a public address"),
        ("newsroom", secret + "?via=listing", "refused: 127.0.0.2 is not a public address"),
        ("newsroom", f"{internal.base_url}/all-news-updates?page=1",
         "refused: 127.0.0.2 is not a public address"),
    ])
    healthy = _query(tmp_path, "select name from sources where consecutive_failures = 0")
    assert sorted(healthy) == [("news",), ("newsroom",)]


def test_the_allow_list_lets_an_intranet_source_be_crawled(tmp_path, internal):
    root = tmp_path / "site"
    routes = _feed_site(root, internal)
    settings = tmp_path / "policy-monitor.toml"
    settings.write_text('allow_internal = ["127.0.0.2"]\n')
    with SiteServer(root, routes=routes) as site:
        result = _run(tmp_path, FEED_SOURCE.format(base=site.base_url),
                      "--settings", str(settings))
    assert result.returncode == 0, result.stderr
    stored = dict(_query(tmp_path, "select url, body from documents where source = 'news'"))
    secret = f"{internal.base_url}/latest/meta-data/credentials"
    assert "SECRET-KEY-0123456789" in stored[secret]
    assert internal.hits["/latest/meta-data/credentials"] == 1
    assert internal.hits["/latest/meta-data/credentials?via=redirect"] == 1
    assert _query(tmp_path, "select count(*) from fetches where error like 'refused:%'") == [(0,)]


def test_a_source_may_allow_its_own_internal_hosts(tmp_path, internal):
    from monitor.pipeline import run_cycle
    from monitor.store import Store

    root = tmp_path / "site"
    routes = _feed_site(root, internal)
    config = tmp_path / "sources.toml"
    with SiteServer(root, routes=routes) as site:
        config.write_text(SOURCES.format(base=site.base_url).replace(
            'name = "news"', 'name = "news"\nallow_internal = ["127.0.0.0/30"]'))
        summary = run_cycle(Store(tmp_path / "monitor.db"), load_sources(config))
    news, newsroom = summary.reports
    assert news.new_documents == 3 and not news.failures  # story, and credentials twice
    secret = f"{internal.base_url}/latest/meta-data/credentials"
    assert newsroom.failures == [  # the other source's links are still refused
        f"{secret}?via=listing: refused: 127.0.0.2 is not a public address",
        f"{internal.base_url}/all-news-updates?page=1: "
        "refused: 127.0.0.2 is not a public address"]


def _no_lookup(*args, **kwargs):
    raise AssertionError(f"unexpected DNS lookup {args}")


def _fake_dns(names: dict[str, list[str]]):
    """``socket.getaddrinfo`` answering ``names`` itself; loopback literals as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port)) for a in names[host]]
        assert host.startswith(("127.", "::1", "localhost")), f"unexpected lookup of {host}"
        return real(host, port, *args, **kwargs)
    return getaddrinfo


def test_serve_and_extract_apply_the_settings_allow_list(tmp_path, internal):
    from click.testing import CliRunner

    from monitor.cli import cli
    from monitor.daemon import Daemon
    from monitor.settings import Settings

    root = tmp_path / "site"
    routes = _feed_site(root, internal)
    config = tmp_path / "sources.toml"
    with SiteServer(root, routes=routes) as site:
        config.write_text(FEED_SOURCE.format(base=site.base_url))
        [source] = load_sources(config)
        Daemon(Settings(db=str(tmp_path / "monitor.db"), allow_internal=("127.0.0.2",)),
               [source]).run_source(source)
        refused = CliRunner().invoke(cli, ["extract", f"{site.base_url}/go"])
    assert internal.hits["/latest/meta-data/credentials"] == 1  # by the daemon, allowed
    assert _query(tmp_path, "select count(*) from documents where source = 'news'") == [(3,)]
    assert refused.exit_code != 0 and refused.output.strip() == (
        f"Error: {site.base_url}/go: refused: 127.0.0.2 is not a public address")
    assert internal.hits["/latest/meta-data/credentials?via=redirect"] == 1  # only the daemon

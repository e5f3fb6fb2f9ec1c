"""The fetcher against a real HTTP server on 127.0.0.1."""

import socket
import time

import pytest

from monitor import fetch
from monitor.addresses import AddressPolicy
from monitor.fetch import Fetcher, RequestLimits
from monitor.sampleserver import SiteServer

#: The fixture servers are an internal host these tests allow, as a user would an intranet.
LOOPBACK = AddressPolicy.parse(["127.0.0.1"])
FAST = RequestLimits(delay=0, timeout=2, max_bytes=10_000, retries=2, allow=LOOPBACK)


@pytest.fixture
def site(tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (tmp_path / "page").write_text("<h1>page</h1>")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "x").write_text("secret")
    (tmp_path / "big").write_bytes(b"x" * 20_000)
    with SiteServer(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(fetch, "BACKOFF_BASE", 0.01)


def test_conditional_get_echoes_validators_and_gets_304(site):
    with Fetcher() as f:
        first = f.get(site.base_url + "/page", FAST)
        assert first.ok and first.content == b"<h1>page</h1>" and first.etag
        again = f.get(site.base_url + "/page", FAST, etag=first.etag,
                      last_modified=first.last_modified)
        assert again.not_modified and again.content == b""
        rows = f.take_log()
    assert [r["status"] for r in rows] == [200, 200, 304]  # robots.txt, page, page
    assert rows[-1]["not_modified"] == 1


def test_robots_disallow_is_honoured_and_logged(site):
    with Fetcher() as f:
        response = f.get(site.base_url + "/private/x", FAST)
        rows = f.take_log()
    assert response.error == "disallowed by robots.txt"
    assert site.hits["/private/x"] == 0
    assert rows[-1]["error"] == "disallowed by robots.txt"


def test_missing_robots_allows_and_unreachable_robots_blocks(tmp_path):
    (tmp_path / "page").write_text("ok")
    with SiteServer(tmp_path) as server, Fetcher() as f:
        assert f.get(server.base_url + "/page", FAST).ok  # robots.txt is a 404
    def broken(handler):
        handler.send_body(503, b"down", "text/plain")
    with SiteServer(tmp_path, routes={"/robots.txt": broken}) as server, Fetcher() as f:
        response = f.get(server.base_url + "/page", FAST)
    assert response.error == "robots.txt unavailable (HTTP 503), so keeping out"
    assert server.hits["/page"] == 0


def test_an_unreachable_host_is_not_blamed_on_robots_txt():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once the socket closes
    with Fetcher() as f:
        response = f.get(f"http://127.0.0.1:{port}/page", RequestLimits(delay=0, retries=0, allow=LOOPBACK))
    assert response.error == f"cannot connect to 127.0.0.1:{port}: connection refused"


def test_retries_5xx_then_succeeds_honouring_retry_after(tmp_path):
    calls = []

    def flaky(handler):
        calls.append(time.monotonic())
        if len(calls) < 3:
            handler.send_body(503, b"busy", "text/plain", {"Retry-After": "1"})
        else:
            handler.send_body(200, b"finally", "text/html")
    with SiteServer(tmp_path, routes={"/flaky": flaky}) as server, Fetcher() as f:
        response = f.get(server.base_url + "/flaky", FAST)
    assert response.ok and response.content == b"finally"
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.95  # waited for Retry-After, not the 10 ms backoff


def test_gives_up_after_bounded_retries(tmp_path):
    def failing(handler):
        handler.send_body(500, b"boom", "text/plain")
    with SiteServer(tmp_path, routes={"/fail": failing}) as server, Fetcher() as f:
        response = f.get(server.base_url + "/fail", FAST)
    assert response.error == "HTTP 500"
    assert server.hits["/fail"] == FAST.retries + 1


def test_long_retry_after_gives_up_at_once(tmp_path):
    def limited(handler):
        handler.send_body(429, b"slow down", "text/plain", {"Retry-After": "3600"})
    with SiteServer(tmp_path, routes={"/rl": limited}) as server, Fetcher() as f:
        response = f.get(server.base_url + "/rl", FAST)
    assert "Retry-After 3600" in response.error
    assert server.hits["/rl"] == 1


def test_size_cap_by_header_and_by_stream(site):
    with Fetcher() as f:
        response = f.get(site.base_url + "/big", FAST)
    assert response.error == "response larger than 10000 bytes" and response.content == b""

    def no_length(handler):  # lies by omission: no Content-Length, streams past the cap
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(30):
            handler.wfile.write(b"y" * 1000)
    site.routes["/stream"] = no_length
    with Fetcher() as f:
        response = f.get(site.base_url + "/stream", FAST)
    assert response.error == "response larger than 10000 bytes"


def test_redirects_followed_loops_and_bad_schemes_refused(site):
    def to(location):
        def handler(h):
            h.send_body(302, b"", "text/plain", {"Location": location})
        return handler
    site.routes.update({"/moved": to("/page"), "/a": to("/b"), "/b": to("/a"),
                        "/evil": to("file:///etc/passwd")})
    with Fetcher() as f:
        moved = f.get(site.base_url + "/moved", FAST)
        loop = f.get(site.base_url + "/a", FAST)
        evil = f.get(site.base_url + "/evil", FAST)
    assert moved.ok and moved.final_url == site.base_url + "/page"
    assert moved.url == site.base_url + "/moved"
    assert loop.error.startswith("redirect loop")
    assert evil.error.startswith("refused non-http(s) URL")


def test_timeout_is_reported(tmp_path):
    def slow(handler):
        time.sleep(1.5)
        handler.send_body(200, b"late", "text/html")
    limits = RequestLimits(delay=0, timeout=0.3, retries=0, allow=LOOPBACK)
    with SiteServer(tmp_path, routes={"/slow": slow}) as server, Fetcher() as f:
        response = f.get(server.base_url + "/slow", limits)
    assert response.error == f"timed out after 0.3 s waiting for 127.0.0.1:{server.port} to answer"


def test_per_host_delay_spaces_requests(site):
    limits = RequestLimits(delay=0.3, timeout=2, retries=0, allow=LOOPBACK)
    with Fetcher() as f:
        start = time.monotonic()
        for _ in range(3):
            assert f.get(site.base_url + "/page", limits).ok
        elapsed = time.monotonic() - start
    # robots.txt + 3 pages = 4 requests, 3 gaps of at least 0.3 s
    assert elapsed >= 0.9


def test_user_agent_is_honest(tmp_path):
    seen = []

    def echo(handler):
        seen.append(handler.headers.get("User-Agent"))
        handler.send_body(200, b"ok", "text/html")
    with SiteServer(tmp_path, routes={"/ua": echo}) as server, Fetcher() as f:
        f.get(server.base_url + "/ua", FAST)
    assert seen[0].startswith("policy-monitor/") and "+https://" in seen[0]


def test_network_failures_say_what_failed_and_where(tmp_path):
    """DNS (injected: tests reach only loopback), TLS (HTTPS to a plain-HTTP server) and a
    connect timeout each name the kind of failure and the host, once."""
    import httpx

    from monitor.errors import network_error

    def refuse(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    with Fetcher(mounts={"https://www.dhs.gov": httpx.MockTransport(refuse)}) as f:
        dns = f.get("https://www.dhs.gov/news", RequestLimits(delay=0, retries=0))
    assert dns.error == "cannot find www.dhs.gov: DNS lookup failed (Name or service not known)"
    (tmp_path / "page").write_text("ok")
    with SiteServer(tmp_path) as server, Fetcher() as f:
        tls = f.get(f"https://127.0.0.1:{server.port}/page",
                    RequestLimits(delay=0, retries=0, allow=LOOPBACK))
    assert tls.error.startswith(f"TLS with 127.0.0.1:{server.port} failed (")
    timeout = httpx.ConnectTimeout("timed out")
    assert network_error(timeout, "https://www.ice.gov/x", 20) == (
        "timed out after 20 s connecting to www.ice.gov")

"""Polite HTTP: robots.txt, a minimum delay per host, conditional GET, bounded retries.

Government newsrooms throttle and block aggressive clients, so every request goes
through one ``Fetcher``: requests to the same host are spaced by the source's
delay (hosts proceed independently in their own threads), validators are echoed
exactly as received, bodies are capped, and every attempt is logged. A host whose
bot protection answers (``monitor.blocking``) is asked nothing more in the run, and
a host still backed off from an earlier run is not asked at all. A URL off the
configured source's origin (a feed's item, a redirect) may only reach the addresses
``monitor.addresses`` allows, checked on the connection itself.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from monitor import __version__
from monitor.addresses import REFUSED, AddressPolicy, AddressRefused, guarded_transport
from monitor.blocking import blocked_message, bot_protection
from monitor.config import is_http_url
from monitor.errors import network_error
from monitor.store import utcnow

USER_AGENT = (
    f"policy-monitor/{__version__} (+https://github.com/policy-monitor/policy-monitor; "
    "monitors public DHS press releases)"
)
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After gives up for this run
BACKOFF_BASE = 0.5
RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ROBOTS_MAX_BYTES = 512_000
HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
CONNECTION_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=16)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Response:
    """Outcome of one logical GET (after redirects and retries)."""

    url: str
    final_url: str
    status: int | None = None
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    error: str | None = None
    #: The vendor whose bot protection answered (or still holds the host), if any.
    blocked: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares, which outranks the page's own."""
        match = _CHARSET.search(self.content_type)
        return match.group(1) if match else None


_ORIGIN = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\]*")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass
class RequestLimits:
    """Per-source knobs, copied from ``Source`` so the fetcher needs no config."""

    delay: float = 1.0
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    retries: int = 2
    #: The source's own URL: anything on its origin is reached whatever its address.
    configured_url: str = ""
    #: The internal hosts and networks other URLs may reach besides public addresses.
    allow: AddressPolicy = AddressPolicy()


class _TooLarge(Exception):
    pass


@dataclass
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_allowed: float = 0.0
    robots: RobotFileParser | None = None
    robots_unavailable: str | None = None
    #: (vendor, message) once the host's bot protection answered, or while it is backed off.
    blocked: tuple[str, str] | None = None
    #: In this run the host answered without bot protection / with it.
    answered: bool = False
    blocked_now: bool = False


class Fetcher:
    """Shared by all sources of a run; thread-safe."""

    def __init__(self, mounts: dict[str, httpx.BaseTransport] | None = None):
        """``mounts``: transports for URL prefixes (the demo serves ``http://demo.invalid``)."""
        self.user_agent = USER_AGENT
        #: For configured origins only: the user chose them, proxies from the environment apply.
        self.client = httpx.Client(headers=HEADERS, follow_redirects=False,
                                   limits=CONNECTION_LIMITS, mounts=mounts)
        #: For everything else, one per address policy: a connection checked for one
        #: source's allow-list must not be reused for another's.
        self._guarded: dict[AddressPolicy, httpx.Client] = {}
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()
        self._log: list[dict] = []
        self._log_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()
        for client in self._guarded.values():
            client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the fetch log -------------------------------------------------------
    def take_log(self) -> list[dict]:
        """Return and forget the fetch rows recorded so far (for the ``fetches`` table)."""
        with self._log_lock:
            rows, self._log = self._log, []
        return rows

    def _record(self, url: str, source: str | None, started: float, status: int | None,
                size: int, error: str | None) -> None:
        row = {
            "url": url, "source": source,
            "fetched_at": utcnow(),
            "status": status, "bytes": size,
            "elapsed_ms": int((time.monotonic() - started) * 1000),
            "not_modified": int(status == 304), "error": error,
        }
        with self._log_lock:
            self._log.append(row)

    # -- bot protection --------------------------------------------------------
    def hold(self, host: str, vendor: str, message: str) -> None:
        """Ask ``host`` nothing in this run (it is backed off after an earlier block)."""
        with self._hosts_lock:
            self._hosts.setdefault(host.lower(), _HostState()).blocked = (vendor, message)

    def block_outcomes(self) -> tuple[dict[str, str], set[str]]:
        """Hosts whose bot protection answered in this run (host -> vendor), and hosts
        that answered normally: what the store's back-off records learn from the run."""
        with self._hosts_lock:
            states = list(self._hosts.items())
        blocked = {host: s.blocked[0] for host, s in states if s.blocked_now}
        answered = {host for host, s in states if s.answered and not s.blocked_now}
        return blocked, answered

    def _held(self, url: str, original: str) -> Response | None:
        state = self._host(url)
        with state.lock:
            held = state.blocked
        if held is None:
            return None
        return Response(original, url, error=held[1], blocked=held[0])

    # -- where a URL may lead ------------------------------------------------
    def _client_for(self, url: str, limits: RequestLimits) -> httpx.Client:
        if _same_origin(url, limits.configured_url):
            return self.client
        with self._hosts_lock:
            client = self._guarded.get(limits.allow)
            if client is None:
                # Never through a proxy: it would resolve the name where we can't check it.
                client = self._guarded[limits.allow] = httpx.Client(
                    headers=HEADERS, follow_redirects=False, trust_env=False,
                    transport=guarded_transport(limits.allow, CONNECTION_LIMITS))
            return client

    def address_refusal(self, url: str, limits: RequestLimits) -> str | None:
        """Why ``url`` may not be requested at all (not even its robots.txt), or None."""
        if _same_origin(url, limits.configured_url):
            return None
        return limits.allow.url_refusal(url)

    # -- politeness ----------------------------------------------------------
    def _host(self, url: str) -> _HostState:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            return self._hosts.setdefault(key, _HostState())

    def _wait_turn(self, state: _HostState, delay: float) -> None:
        """Block until this host may be asked again, then reserve the next slot."""
        with state.lock:
            now = time.monotonic()
            wait = state.next_allowed - now
            state.next_allowed = max(now, state.next_allowed) + delay
        if wait > 0:
            time.sleep(wait)

    def robots_refusal(self, url: str, limits: RequestLimits,
                       source: str | None = None) -> str | None:
        """Why robots.txt keeps us from ``url``, or None if it may be fetched.

        RFC 9309: a 4xx robots.txt means no rules; a 5xx or an unreachable one means
        keep out. An unreachable host is reported as the network failure it is, not
        blamed on the site's rules.
        """
        state = self._host(url)
        with state.lock:
            parser = state.robots
        if parser is None:
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = RobotFileParser(robots_url)
            robots_limits = replace(limits, max_bytes=min(limits.max_bytes, ROBOTS_MAX_BYTES))
            response = self._get_once(robots_url, robots_limits, {}, source)
            if response.error and response.error.startswith(REFUSED):
                return response.error  # the address, not the site's rules: not remembered
            unavailable = None
            if response.status == 200:
                parser.parse(response.text.splitlines())
            elif response.status is not None and 400 <= response.status < 500:
                parser.allow_all = True
            else:
                parser.disallow_all = True
                # an unreachable host is the failure to report, not the site's rules
                unavailable = response.error if response.status is None else (
                    f"robots.txt unavailable ({response.error}), so keeping out")
            with state.lock:
                state.robots, state.robots_unavailable = parser, unavailable
        if parser.can_fetch(self.user_agent, url):
            return None
        return state.robots_unavailable or "disallowed by robots.txt"

    # -- requests --------------------------------------------------------------
    def get(
        self,
        url: str,
        limits: RequestLimits,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        source: str | None = None,
    ) -> Response:
        """GET with robots, redirects, retries; conditional when validators are given."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited: list[str] = []
        current = url
        while True:
            if not is_http_url(current):
                return Response(url, current, error=f"refused non-http(s) URL {current!r}")
            refusal = self.address_refusal(current, limits)
            held = None if refusal else self._held(current, url)
            if held:
                return held  # no request: the host's bot protection answers for it
            refusal = refusal or self.robots_refusal(current, limits, source)
            held = self._held(current, url)  # robots.txt itself may meet the block
            if held:
                return held
            if refusal:
                self._record(current, source, time.monotonic(), None, 0, refusal)
                return Response(url, current, error=refusal)
            response = self._get_with_retries(current, limits, headers, source)
            if response.status not in REDIRECT_STATUSES or response.error:
                response.url = url
                return response
            visited.append(current)
            location = response.content.decode("latin-1")
            target = urljoin(current, location)
            if target in visited:
                return Response(url, current, status=response.status,
                                error=f"redirect loop at {target}")
            if len(visited) > MAX_REDIRECTS:
                return Response(url, current, status=response.status,
                                error=f"more than {MAX_REDIRECTS} redirects")
            current = target

    def _get_with_retries(self, url: str, limits: RequestLimits, headers: dict,
                          source: str | None) -> Response:
        for attempt in range(limits.retries + 1):
            response = self._get_once(url, limits, headers, source)
            retryable = not response.blocked and (response.status in RETRY_STATUSES or (
                response.status is None and response.error is not None
                and not response.error.startswith(("response larger", REFUSED))
            ))
            if not retryable or attempt == limits.retries:
                return response
            wait = BACKOFF_BASE * (2 ** attempt)
            retry_after = _retry_after_seconds(response)
            if retry_after is not None:
                if retry_after > MAX_RETRY_AFTER:
                    response.error = f"HTTP {response.status}, Retry-After {retry_after:.0f} s"
                    return response
                wait = max(wait, retry_after)
            time.sleep(wait)
        return response

    def _get_once(self, url: str, limits: RequestLimits, headers: dict,
                  source: str | None) -> Response:
        self._wait_turn(self._host(url), limits.delay)
        started = time.monotonic()
        deadline = started + limits.timeout * 3  # bounds slow-drip bodies too
        result = Response(url, url)
        size = 0
        try:
            with self._client_for(url, limits).stream(
                    "GET", url, headers=headers, timeout=httpx.Timeout(limits.timeout)) as r:
                result.status = r.status_code
                result.content_type = r.headers.get("content-type", "")
                result.etag = r.headers.get("etag")
                result.last_modified = r.headers.get("last-modified")
                result.retry_after = r.headers.get("retry-after")
                if r.status_code in REDIRECT_STATUSES:
                    result.content = r.headers.get("location", "").encode("latin-1", "replace")
                    self._record(url, source, started, r.status_code, 0, None)
                    return result
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                    raise _TooLarge()
                chunks = []
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise _TooLarge()
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("body took too long")
                    chunks.append(chunk)
                result.content = b"".join(chunks)
                if r.status_code not in (200, 304):
                    result.error = f"HTTP {r.status_code}"
                self._note_protection(url, result, r.headers)
        except _TooLarge:
            result.status, result.content = None, b""
            result.error = f"response larger than {limits.max_bytes} bytes"
        except httpx.HTTPError as exc:
            result.status = None
            result.error = str(exc) if isinstance(exc.__cause__, AddressRefused) else \
                network_error(exc, url, limits.timeout)
        self._record(url, source, started, result.status, size, result.error)
        return result

    def _note_protection(self, url: str, result: Response, headers) -> None:
        """Mark the response and its host when bot protection answered instead of the site."""
        vendor = bot_protection(result.status, result.content, headers)
        state = self._host(url)
        with state.lock:
            if vendor is None:
                state.answered = state.answered or result.status is not None
                return
            result.blocked, result.error = vendor, blocked_message(vendor)
            state.blocked, state.blocked_now = (vendor, result.error), True


def _same_origin(url: str, configured_url: str) -> bool:
    """Same scheme, host and port, as httpx reads them (it makes the connection)."""
    if not configured_url:
        return False
    origin = _ORIGIN.match(configured_url)
    if origin and url.startswith(origin[0]) and _ends_authority(url, origin.end()) \
            and _ends_authority(configured_url, origin.end()):
        return True  # the very same scheme and authority text: the fast, common case
    try:
        a, b = httpx.URL(url), httpx.URL(configured_url)
    except httpx.InvalidURL:
        return False
    return (a.scheme, a.raw_host.lower(), a.port or DEFAULT_PORTS.get(a.scheme)) == \
        (b.scheme, b.raw_host.lower(), b.port or DEFAULT_PORTS.get(b.scheme))


def _ends_authority(url: str, at: int) -> bool:
    return url[at:at + 1] in ("", "/", "?", "#")


def _retry_after_seconds(response: Response) -> float | None:
    value = response.retry_after
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())

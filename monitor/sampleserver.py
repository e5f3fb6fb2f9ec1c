"""A small HTTP server for a folder of fixture pages on 127.0.0.1 (or another loopback address).

It backs ``policy-monitor demo`` (the bundled offline sample), the end-to-end
tests and the benchmarks. It behaves like a well-run newsroom server: strong
ETags, Last-Modified, and 304 answers to conditional requests.

URL to file mapping: ``/a/b`` -> ``ROOT/a/b`` (or ``ROOT/a/b/index.html`` for a
folder) and ``/a/b?page=1`` -> ``ROOT/a/b@page=1``. Extensionless files are
served as HTML. ``routes`` maps a path to a callable taking the request handler,
for behaviour files can't express (errors, slowness, redirect loops).
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import Counter
from datetime import date, timedelta
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import httpx

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}

Route = Callable[[BaseHTTPRequestHandler], None]
#: The address the demo stores its sample under, whichever port serves it: the same
#: sample is the same history (``.invalid`` can never be a real host).
DEMO_BASE = "http://demo.invalid"


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, each keep-alive response
    # would wait ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - quiet by design
        pass

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        site = self.server.site
        parts = urlsplit(self.path)
        with site.lock:
            site.hits[self.path] += 1
        route = site.routes.get(self.path) or site.routes.get(parts.path)
        if route is not None:
            route(self)
            return
        file = site.file_for(parts.path, parts.query)
        if file is None:
            self.send_body(404, b"not found", "text/plain")
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = int(file.stat().st_mtime)
        last_modified = formatdate(mtime, usegmt=True)
        if self._not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = CONTENT_TYPES.get(file.suffix, "text/html; charset=utf-8")
        self.send_body(200, body, ctype, {"ETag": etag, "Last-Modified": last_modified},
                       head=head)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")]
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return mtime <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def send_body(self, status: int, body: bytes, ctype: str,
                  headers: dict | None = None, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    site: "SiteServer"

    def handle_error(self, request, client_address):
        """A client that gave up (a timeout test, a size cap) is not a server error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """Serve ``root`` on ``host`` in a background thread; use as a context manager."""

    def __init__(self, root: str | Path, port: int = 0,
                 routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        self.root = Path(root).resolve()
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.host = host
        self._server = _Server((host, port), _Handler)
        self._server.site = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def file_for(self, path: str, query: str = "") -> Path | None:
        relative = path.lstrip("/")
        if query:
            relative += "@" + query
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def start(self) -> "SiteServer":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class FederalRegisterAPI:
    """A route answering like the Federal Register's ``/api/v1/documents.json``.

    It filters ``documents`` (dicts shaped like the API's results) by agency slug,
    type code and publication date, orders them, pages them with ``next_page_url``,
    returns only the ``fields[]`` asked for, and refuses pages past the result window
    as the real API does. ``rate_limited`` answers that many requests with 429 and a
    Retry-After first.
    """

    TYPE_CODES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice",
                  "PRESDOCU": "Presidential Document"}

    def __init__(self, documents: list[dict], window: int = 2000, rate_limited: int = 0,
                 retry_after: str = "1"):
        self.documents = documents
        self.window = window
        self.rate_limited = rate_limited
        self.retry_after = retry_after

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        import json
        from urllib.parse import parse_qs, urlencode

        if self.rate_limited > 0:
            self.rate_limited -= 1
            handler.send_body(429, b'{"errors": {"request": "rate limited"}}',
                              "application/json", {"Retry-After": self.retry_after})
            return
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        first = lambda key, default="": query.get(key, [default])[0]  # noqa: E731
        agencies = set(query.get("conditions[agencies][]", []))
        types = {self.TYPE_CODES.get(t, t) for t in query.get("conditions[type][]", [])}
        since = first("conditions[publication_date][gte]", "0000")
        until = first("conditions[publication_date][lte]", "9999")
        found = [d for d in self.documents
                 if since <= d["publication_date"] <= until
                 and (not agencies or agencies & {a.get("slug") for a in d.get("agencies", [])})
                 and (not types or d.get("type") in types)]
        found.sort(key=lambda d: (d["publication_date"], d["document_number"]),
                   reverse=first("order", "newest") == "newest")
        per_page, page = int(first("per_page", "20")), int(first("page", "1"))
        if (page - 1) * per_page >= self.window:
            handler.send_body(400, json.dumps({"errors": {"page": (
                f"too large: at most {self.window} results are available")}}).encode(),
                "application/json")
            return
        results = found[(page - 1) * per_page: page * per_page]
        fields = query.get("fields[]")
        answer = {"count": len(found), "total_pages": -(-min(len(found), self.window) // per_page),
                  "results": [{k: v for k, v in d.items() if not fields or k in fields}
                              for d in results]}
        if page * per_page < min(len(found), self.window):
            pairs = [(k, v) for k, values in query.items() for v in values if k != "page"]
            host = handler.headers.get("Host", "127.0.0.1")
            answer["next_page_url"] = (f"http://{host}{parts.path}?"
                                       + urlencode(pairs + [("page", str(page + 1))]))
        body = json.dumps(answer).encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        if etag in [t.strip() for t in (handler.headers.get("If-None-Match") or "").split(",")]:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_body(200, body, "application/json; charset=utf-8", {"ETag": etag})


def demo_federal_register(path: Path, today: date) -> FederalRegisterAPI:
    """The demo's API over the sample's documents (see the file's ``about``): the current
    ones' coming dates move forward with the calendar, so "Taking effect" and "Comments
    closing" always show something."""
    import json

    sample = json.loads(path.read_text(encoding="utf-8"))
    shift = timedelta(days=max(0, (today - date.fromisoformat(sample["anchor"])).days))
    documents = []
    for doc in sample["documents"]:
        doc = dict(doc)
        if doc["publication_date"] >= sample["current_from"]:
            for key in ("effective_on", "comments_close_on"):
                if doc[key]:
                    doc[key] = (date.fromisoformat(doc[key]) + shift).isoformat()
        documents.append(doc)
    return FederalRegisterAPI(documents)


class LoopbackTransport(httpx.BaseTransport):
    """Sends requests for a stand-in host (``DEMO_BASE``) to a ``SiteServer``'s port."""

    def __init__(self, port: int):
        self.port = port
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()

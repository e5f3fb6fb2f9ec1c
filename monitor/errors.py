"""Failures worded for the people who read them: what failed, and where.

A reporter reading "ConnectError: [Errno -2] Name or service not known" cannot tell
whether the site is down or the laptop is offline; these say "cannot find
www.dhs.gov (DNS lookup failed: ...)". Paths are checked before they are used, so a
mistyped ``--db`` is named for what is wrong with it, not "[Errno 17] File exists".
"""

from __future__ import annotations

import os
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

#: Texts of resolver failures when the original exception is not in the chain.
_DNS_TEXTS = ("name or service not known", "temporary failure in name resolution",
              "nodename nor servname", "no address associated with hostname",
              "getaddrinfo failed", "cannot resolve ")


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc) or \
        type(exc).__name__


def network_error(exc: httpx.HTTPError, url: str, timeout: float) -> str:
    """One line naming the kind of failure (DNS, connect, TLS, timeout) and the host."""
    import httpx  # here, not at the top: commands that never fetch start faster

    parts = urlsplit(url)
    host = parts.hostname or parts.netloc
    where = parts.netloc or host
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {timeout:g} s connecting to {where}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s waiting for {where} to answer"
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return f"cannot find {host}: DNS lookup failed ({_reason(cause)})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS with {where} failed ({_reason(cause)})"
        if isinstance(cause, ConnectionRefusedError):
            return f"cannot connect to {where}: connection refused"
    text = str(exc)
    if any(marker in text.lower() for marker in _DNS_TEXTS):
        return f"cannot find {host}: DNS lookup failed ({text.split('] ')[-1]})"
    if isinstance(exc, httpx.ConnectError):
        if "ssl" in text.lower() or "tls" in text.lower():
            return f"TLS with {where} failed ({text})"
        return f"cannot connect to {where} ({text or 'connection failed'})"
    return f"{where}: {type(exc).__name__}: {text}".strip().rstrip(":")


def folder_problem(folder: str | Path) -> str | None:
    """What stops ``folder`` from being used (or created) as a folder to write into."""
    folder = Path(folder)
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else f"{path} is a file, not a folder"
    return None


def path_problem(path: str | Path, *, create: bool) -> str | None:
    """What stops ``path`` from being used as a database file (or created, with ``create``)."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if problem := folder_problem(path.parent):
        return problem
    if create and not path.exists():
        existing = next(p for p in (path.parent, *path.parent.parents) if p.exists())
        if not os.access(existing, os.W_OK | os.X_OK):
            return f"cannot create {path}: no permission to write in {existing}"
    return None

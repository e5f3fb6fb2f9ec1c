"""Source configuration: ``feeds/*.toml``, one file per agency, validated strictly.

A mistake in a source file is reported with the file, the source and the reason,
because a typo that silently disables a source is worse than a failed start.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

KINDS = ("html", "feed", "federal_register", "mailbox")
#: Document types the Federal Register API filters on (``conditions[type][]``).
FR_TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")
SELECTOR_KEYS = ("links", "next_page", "title", "date", "body")


class ConfigError(Exception):
    """The configuration cannot be used; the message names file, source and reason."""


@dataclass(frozen=True)
class Source:
    """One place to watch: a listing page (``html``), an RSS/Atom feed (``feed``), the
    Federal Register's JSON API (``federal_register``, ``url`` is its documents.json) or a
    mailbox of press-release emails (``mailbox``, read from ``maildir`` or ``imap``)."""

    name: str
    kind: str
    url: str = ""
    agency: str = ""
    #: CSS selectors; unset ones fall back to the DHS-shaped defaults, then generic extraction.
    selectors: dict[str, str] = field(default_factory=dict)
    #: Listing pages followed through "next" links per run.
    max_pages: int = 3
    #: Minutes between checks when run by ``serve``.
    interval: int = 60
    #: Minimum seconds between two requests to this source's hosts.
    delay: float = 1.0
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    retries: int = 2
    #: Days after which a stored article is fetched again (conditionally) to catch edits.
    recheck_days: float = 7.0
    #: Feeds only: fetch each item's page, or store the feed's own summary (Federal Register).
    fetch_articles: bool = True
    #: Federal Register only: agency slugs, optional document types, and how many days
    #: back the first run reads (later runs read from the newest stored document on).
    agencies: tuple[str, ...] = ()
    document_types: tuple[str, ...] = ()
    lookback_days: int = 30
    enabled: bool = True
    #: Internal hosts and networks this source's links may reach (an intranet source).
    allow_internal: tuple[str, ...] = ()
    #: Sources read instead while this one's site is blocked by bot protection.
    fallbacks: tuple[str, ...] = ()
    #: Mailbox sources: a Maildir folder, or imaps://USER@HOST[:PORT]/FOLDER ...
    maildir: str = ""
    imap: str = ""
    #: ... with the password in this environment variable (never in a file).
    password_env: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def location(self) -> str:
        """Where the source reads from, for listings and the ``sources`` table."""
        return self.imap or self.maildir or self.url


_FIELD_TYPES = {f.name: f.type for f in fields(Source)}
_NUMBERS = {
    "max_pages": (int, 1, 1000), "interval": (int, 1, 60 * 24 * 31),
    "delay": ((int, float), 0, 3600), "timeout": ((int, float), 0.05, 600),
    "max_bytes": (int, 1024, 1_000_000_000), "retries": (int, 0, 10),
    "recheck_days": ((int, float), 0, 3650), "lookback_days": (int, 1, 3650),
}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_http_url(url: object) -> bool:
    """Only absolute http(s) URLs with a host are ever followed."""
    if not isinstance(url, str) or any(c in url for c in "\r\n\t "):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def number_problem(key: str, value: object, types, low, high) -> str | None:
    """Why ``value`` is not a number of ``types`` from ``low`` to ``high`` (TOML's
    true/false are not numbers), or None."""
    if isinstance(value, bool) or not isinstance(value, types) or not low <= value <= high:
        return f"'{key}' must be a number from {low} to {high}, not {value!r}"
    return None


def unknown_keys_problem(table: dict, allowed) -> str | None:
    """Which keys of ``table`` are not ``allowed`` (a typo must not be ignored), or None."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        return f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(allowed))}"
    return None


def allow_list(value: object, error) -> tuple[str, ...]:
    """A checked ``allow_internal`` list; ``error(reason)`` makes the exception to raise."""
    from monitor.addresses import AddressPolicy  # httpx is slow to import; most files lack this

    if not isinstance(value, list):
        raise error("'allow_internal' must be a list of host names and networks")
    try:
        AddressPolicy.parse(value)
    except ValueError as exc:
        raise error(str(exc)) from exc
    return tuple(value)


def _check_selector(selector: object) -> str | None:
    if not isinstance(selector, str) or not selector.strip():
        return "must be a non-empty CSS selector"
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        return f"is not a valid CSS selector: {selector!r}"
    return None


def parse_source(raw: dict, *, agency: str, where: str) -> Source:
    name = raw.get("name")
    label = f"{where}: source {name!r}" if name else f"{where}: source without a name"

    def fail(reason: str) -> ConfigError:
        return ConfigError(f"{label}: {reason}")

    if not isinstance(name, str) or not name.strip():
        raise fail("'name' is required")
    if problem := unknown_keys_problem(raw, _FIELD_TYPES):
        raise fail(problem)
    if raw.get("kind") not in KINDS:
        raise fail(f"'kind' must be one of {', '.join(KINDS)}, not {raw.get('kind')!r}")
    if raw["kind"] == "mailbox":
        _check_mailbox(raw, fail)
    elif "url" not in raw:
        raise fail("'url' is required")
    if "url" in raw and not is_http_url(raw["url"]):
        raise fail(f"'url' must be an absolute http(s) URL, not {raw['url']!r}")
    selectors = raw.get("selectors", {})
    if not isinstance(selectors, dict):
        raise fail("'selectors' must be a table")
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            raise fail(f"unknown selector {key!r}; known: {', '.join(SELECTOR_KEYS)}")
        problem = _check_selector(value)
        if problem:
            raise fail(f"selector {key!r} {problem}")
    for key, (types, low, high) in _NUMBERS.items():
        if key in raw:
            problem = number_problem(key, raw[key], types, low, high)
            if problem:
                raise fail(problem)
    for key in ("fetch_articles", "enabled"):
        if key in raw and not isinstance(raw[key], bool):
            raise fail(f"'{key}' must be true or false")
    if "agency" in raw and not isinstance(raw["agency"], str):
        raise fail("'agency' must be a string")
    values = dict(raw)
    fallbacks = raw.get("fallbacks", [])
    if not isinstance(fallbacks, list) or not all(isinstance(f, str) and f for f in fallbacks):
        raise fail("'fallbacks' must be a list of source names")
    if name in fallbacks:
        raise fail("a source cannot be its own fallback")
    values["fallbacks"] = tuple(fallbacks)
    if "allow_internal" in raw:
        values["allow_internal"] = allow_list(raw["allow_internal"], fail)
    if problem := _federal_register_problem(raw):
        raise fail(problem)
    for key in ("agencies", "document_types"):
        values[key] = tuple(raw.get(key, ()))
    values.setdefault("agency", agency)
    values["selectors"] = dict(selectors)
    return Source(**values)


def _federal_register_problem(raw: dict) -> str | None:
    """What is wrong with a source's Federal Register keys, or None."""
    is_fr = raw.get("kind") == "federal_register"
    for key in ("agencies", "document_types", "lookback_days"):
        if key in raw and not is_fr:
            return f"'{key}' is only for kind = \"federal_register\""
    if not is_fr:
        return None
    agencies = raw.get("agencies")
    if (not isinstance(agencies, list) or not agencies
            or not all(isinstance(a, str) and _SLUG.fullmatch(a) for a in agencies)):
        return ("'agencies' must be a list of Federal Register agency slugs, e.g. "
                "[\"homeland-security-department\"]")
    types = raw.get("document_types", [])
    if not isinstance(types, list) or not all(t in FR_TYPES for t in types):
        return f"'document_types' must be a list of {', '.join(FR_TYPES)}"
    return None


def _check_mailbox(raw: dict, fail) -> None:
    """A mailbox source names exactly one Maildir or IMAP folder; IMAP is always TLS."""
    for key in ("maildir", "imap", "password_env"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise fail(f"'{key}' must be a non-empty string")
    if ("maildir" in raw) == ("imap" in raw):
        raise fail("a mailbox source needs either 'maildir' or 'imap'")
    if "imap" in raw:
        parts = urlsplit(raw["imap"])
        if parts.scheme not in ("imaps", "imap") or not parts.username or not parts.hostname:
            raise fail("'imap' must look like imaps://USER@HOST/FOLDER (imap:// means "
                       f"STARTTLS), not {raw['imap']!r}")
        if parts.password is not None:
            raise fail("'imap' must not contain the password; name its environment "
                       "variable in 'password_env'")
        if "password_env" not in raw:
            raise fail("an IMAP mailbox needs 'password_env', the environment variable "
                       "holding the password")


def read_toml(path: Path, error: type[Exception]) -> dict:
    """Parse a TOML file, or raise ``error`` naming the file and what is wrong."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from exc


def load_file(path: Path) -> list[Source]:
    data = read_toml(path, ConfigError)
    unknown = sorted(set(data) - {"source", "agency"})
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s) {', '.join(unknown)}; "
                          "expected [[source]] tables and an optional 'agency'")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: 'source' must be an array of tables ([[source]])")
    agency = data.get("agency", path.stem.upper())
    return [_resolve_maildir(parse_source(e, agency=agency, where=str(path)), path.parent)
            for e in entries]


def _resolve_maildir(source: Source, folder: Path) -> Source:
    """A relative Maildir is relative to the file that names it, not to the working folder."""
    if not source.maildir:
        return source
    path = Path(source.maildir).expanduser()
    return replace(source, maildir=str(path if path.is_absolute() else (folder / path).resolve()))


def load_sources(path: str | Path) -> list[Source]:
    """Load a TOML file or every ``*.toml`` in a folder; names must be unique."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ConfigError(f"{path}: no *.toml source files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise ConfigError(f"{path}: no such configuration file or folder")
    sources: list[Source] = []
    seen: dict[str, Path] = {}
    for file in files:
        for source in load_file(file):
            if source.name in seen:
                raise ConfigError(f"{file}: source {source.name!r}: name already used "
                                  f"in {seen[source.name]}")
            seen[source.name] = file
            sources.append(source)
    for source in sources:
        for fallback in source.fallbacks:
            if fallback not in seen:
                raise ConfigError(f"{seen[source.name]}: source {source.name!r}: fallback "
                                  f"{fallback!r} is not a configured source")
    return sources

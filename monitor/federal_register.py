"""The Federal Register's JSON API: documents with their type, action and dates.

RSS drops what matters most about a rule: its type, its action line, when it takes
effect and when comments close. The API (keyless) gives them when they are named in
``fields[]``. A search returns at most ``MAX_RESULTS`` documents however it is paged,
so a date range holding more is split in two until each part fits. Documents come
oldest first: the newest publication date stored for a source is then a safe place
for the next run to start from, even after a run was killed part-way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlencode, urlsplit

from monitor.config import Source, is_http_url

#: Named in ``fields[]``: the API leaves out what is not asked for (``comments_close_on``).
FIELDS = (
    "document_number", "type", "action", "title", "abstract", "publication_date",
    "effective_on", "comments_close_on", "docket_ids", "regulation_id_numbers",
    "cfr_references", "significant", "html_url", "agencies", "correction",
)
PER_PAGE = 100
#: The API's result window: no page beyond the 2,000th document of a search.
MAX_RESULTS = 2000
#: Days re-read before the newest stored document, for documents indexed late.
OVERLAP_DAYS = 3


class FederalRegisterError(Exception):
    """An API answer that is not what the API documents."""


@dataclass
class FederalRegisterDocument:
    """One document as the API describes it; ``document_number`` is its stable key."""

    document_number: str
    type: str
    title: str
    publication_date: str
    html_url: str
    action: str = ""
    abstract: str = ""
    effective_on: str | None = None
    comments_close_on: str | None = None
    docket_ids: tuple[str, ...] = ()
    regulation_id_numbers: tuple[str, ...] = ()
    cfr_references: tuple[str, ...] = ()
    significant: bool | None = None
    agencies: tuple[str, ...] = ()
    correction: bool = False

    @property
    def url(self) -> str:
        """The document's address by number (``/d/NUMBER``, the site's short link): the
        slug in ``html_url`` follows the title, which a correction can change."""
        parts = urlsplit(self.html_url)
        return f"{parts.scheme}://{parts.netloc}/d/{quote(self.document_number, safe='')}"

    @property
    def body(self) -> str:
        """What is stored and classified: the abstract says what the document does."""
        return self.abstract or self.title

    def row(self) -> dict:
        """The ``federal_register_documents`` columns (lists as JSON)."""
        return {
            "document_number": self.document_number, "type": self.type,
            "action": self.action, "publication_date": self.publication_date,
            "effective_on": self.effective_on, "comments_close_on": self.comments_close_on,
            "docket_ids": json.dumps(self.docket_ids),
            "regulation_id_numbers": json.dumps(self.regulation_id_numbers),
            "cfr_references": json.dumps(self.cfr_references),
            "significant": self.significant, "agencies": json.dumps(self.agencies),
            "correction": self.correction, "html_url": self.html_url,
        }


@dataclass
class ResultPage:
    count: int
    next_url: str | None
    documents: list[FederalRegisterDocument]


def search_url(source: Source, since: date, until: date, page: int = 1) -> str:
    """The documents.json search of ``source`` published from ``since`` to ``until``."""
    params: list[tuple[str, str]] = [("per_page", str(PER_PAGE)), ("page", str(page)),
                                     ("order", "oldest")]
    params += [("fields[]", f) for f in FIELDS]
    params += [("conditions[agencies][]", a) for a in source.agencies]
    params += [("conditions[type][]", t) for t in source.document_types]
    params += [("conditions[publication_date][gte]", since.isoformat()),
               ("conditions[publication_date][lte]", until.isoformat())]
    return f"{source.url}?{urlencode(params)}"


def same_api(next_url: str, source: Source) -> bool:
    """A next page is followed only on the configured API's own scheme, host and path."""
    if not is_http_url(next_url):
        return False
    a, b = urlsplit(next_url), urlsplit(source.url)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)


def split(since: date, until: date) -> list[tuple[date, date]]:
    """Two halves of a date range too large for one search, older first."""
    middle = since + (until - since) // 2
    return [(since, middle), (middle + timedelta(days=1), until)]


def parse_page(content: bytes) -> ResultPage:
    """One page of a documents.json answer; anything malformed is a ``FederalRegisterError``."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FederalRegisterError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or "errors" in data:
        raise FederalRegisterError(f"API error: {_short(data.get('errors') if isinstance(data, dict) else data)}")
    count = data.get("count", 0)
    results = data.get("results", [])
    next_url = data.get("next_page_url")
    if not isinstance(count, int) or not isinstance(results, list):
        raise FederalRegisterError("answer without a count and a list of results")
    documents = [doc for raw in results if (doc := _document(raw)) is not None]
    return ResultPage(count, next_url if isinstance(next_url, str) else None, documents)


def _document(raw: object) -> FederalRegisterDocument | None:
    """A result, or None when it lacks what identifies and dates it."""
    if not isinstance(raw, dict):
        return None
    number, title, published, url = (raw.get(k) for k in
                                      ("document_number", "title", "publication_date", "html_url"))
    if not (isinstance(number, str) and number and isinstance(title, str)
            and _iso_date(published) and is_http_url(url)):
        return None
    return FederalRegisterDocument(
        document_number=number, type=_text(raw.get("type")), title=" ".join(title.split()),
        publication_date=published, html_url=url, action=_text(raw.get("action")),
        abstract=_text(raw.get("abstract")),
        effective_on=_iso_date(raw.get("effective_on")),
        comments_close_on=_iso_date(raw.get("comments_close_on")),
        docket_ids=_strings(raw.get("docket_ids")),
        regulation_id_numbers=_strings(raw.get("regulation_id_numbers")),
        cfr_references=tuple(
            f"{ref.get('title')} CFR {ref.get('part')}" for ref in raw.get("cfr_references") or ()
            if isinstance(ref, dict) and ref.get("title") and ref.get("part")),
        significant=raw.get("significant") if isinstance(raw.get("significant"), bool) else None,
        agencies=tuple(a.get("name") or a.get("raw_name") for a in raw.get("agencies") or ()
                       if isinstance(a, dict) and isinstance(a.get("name") or a.get("raw_name"), str)),
        correction=raw.get("correction") is True,
    )


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _iso_date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 200 else text[:199] + "…"


def document_label(doc_type: str, action: str, title: str, correction: bool,
                   predicted: str) -> str:
    """The label the document's type, action and formulaic title settle, else ``predicted``.

    Corrections and information-collection notices change no policy; a TPS notice says
    in its title whether it designates, extends or terminates; a rule or proposed rule
    is at least a new policy (the text decides whether it ends one)."""
    action, title = (action or "").lower(), (title or "").lower()
    if correction or "correction" in action or title.endswith("; correction"):
        return "none"
    if "information collection" in action or title.startswith("agency information collection"):
        return "none"
    if title.startswith(("termination of the designation", "rescission of")) or any(
            word in action for word in ("termination", "rescission", "withdrawal of")):
        return "reversal"
    if predicted == "reversal":
        return predicted
    if "designation of" in title and "temporary protected status" in title:
        return "new_policy"
    if doc_type in ("Rule", "Proposed Rule") and "technical amendment" not in action + title:
        return "new_policy"
    return predicted

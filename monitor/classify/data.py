"""The labels and the labelled examples the model learns from: the gold baseline, the
dev set and the own-words training documents (``monitor/data/training/*.jsonl``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from monitor.statements import split_statements as _split_statements

#: Most significant first: a document takes the first label its evidence reaches.
PRECEDENCE = ("reversal", "new_policy", "statistic_update")
LABELS = PRECEDENCE + ("none",)
DATA_DIR = Path(__file__).parent.parent / "data"

#: The packaged documents are split for the statement examples and again for the
#: document examples: once is enough.
split_statements = lru_cache(maxsize=4096)(_split_statements)


@dataclass(frozen=True)
class Example:
    """A labelled text the model learns from; ``origin`` says where it came from."""

    text: str
    label: str
    origin: str
    #: The headline of the document it comes from: its genre is context for every statement.
    title: str | None = None
    #: Whether it is one of the nearest examples a statement is compared with (the body
    #: statements of ``none`` documents teach the regression only: they are most of the
    #: examples, and comparing with them was most of the cost of classifying).
    neighbour: bool = True


def load_devset() -> list[dict]:
    with open(DATA_DIR / "devset.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def tune_documents() -> list[dict]:
    """The dev set's tune split: the dev-set documents the model learns from."""
    return [d for d in load_devset() if d["split"] == "tune"]


def load_gold_baseline() -> list[dict]:
    return json.loads((DATA_DIR / "baseline.json").read_text(encoding="utf-8"))["documents"]


#: Own-words training documents (``{"id", "title", "text", "label", "genre", "agency",
#: "date"}`` per line), document labels only; one in ``HOLDOUT_EVERY`` (by a hash of its
#: id, so adding documents never moves another one) is held out as the project's own
#: test split and never trained on.
TRAINING_DIR = DATA_DIR / "training"
HOLDOUT_EVERY = 5


def read_labelled_jsonl(path: str | Path, required: str) -> list[tuple[int, dict]]:
    """(line number, object) of each line of a JSONL file, every one checked to have a
    ``label`` and a string ``required`` field, so a bad line is one clear ValueError."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            if not isinstance(record, dict) or not isinstance(record.get(required), str):
                raise ValueError(f"{path}:{number}: needs a \"{required}\" string")
            if record.get("label") not in LABELS:
                raise ValueError(f"{path}:{number}: label {record.get('label')!r} is not one of "
                                 + ", ".join(LABELS))
            records.append((number, record))
    return records


def load_corpus(path: str | Path) -> list[dict]:
    """A JSONL file of labelled documents (``title``, ``text``, ``label``; optional
    ``id``, ``genre``, ``date``)."""
    records = read_labelled_jsonl(path, "text")
    for number, doc in records:
        doc.setdefault("id", f"{Path(path).stem}:{number}")
    return [doc for _, doc in records]


def held_out(doc_id: str) -> bool:
    """Whether an own-words training document belongs to the held-out split."""
    return hashlib.sha1(doc_id.encode("utf-8")).digest()[0] % HOLDOUT_EVERY == 0


@lru_cache(maxsize=1)
def _training_corpus() -> tuple[dict, ...]:
    return tuple(doc for path in sorted(TRAINING_DIR.glob("*.jsonl")) for doc in load_corpus(path))


#: Labelled sets written by other contributors, each in their own voice (the blind sets,
#: the mechanism sets and the training sets in ``writers/``): the n-gram reader learns from
#: them, so it knows more than one writer's wording. The sets kept as untouched tests
#: (``blind3/labels-b``, ``blind5/labels``, ``blind9/labels``) are not among them.
WRITER_SETS = ("blind/labels-tune.jsonl", "blind/labels-final.jsonl", "blind2/labels-tune.jsonl",
               "blind2/labels-final.jsonl", "blind3/labels-a.jsonl", "blind4/labels.jsonl",
               "labels/fresh.jsonl", "labels/mechanisms.jsonl", "labels/mechanisms7.jsonl",
               "writers/train6a.jsonl", "writers/train6b.jsonl", "writers/train7.jsonl")


@lru_cache(maxsize=1)
def writer_documents() -> tuple[dict, ...]:
    """The documents of ``WRITER_SETS``."""
    return tuple(doc for name in WRITER_SETS for doc in load_corpus(DATA_DIR / name))


def training_documents(split: str = "tune") -> list[dict]:
    """The own-words documents of one split: ``tune`` (trained on) or ``test`` (held out)."""
    return [doc for doc in _training_corpus() if held_out(doc["id"]) == (split == "test")]


def document_examples(docs: list[dict], origin: str) -> list[Example]:
    """Examples from documents labelled as a whole: the headline and the lead statement
    carry the document's label (they state the news); every statement of a ``none``
    document is ``none`` (precedence); the other statements' labels are unknown."""
    examples = []
    for doc in docs:
        label = doc["label"]
        if doc.get("title"):
            examples.append(Example(doc["title"], label, f"{origin} {doc['id']} headline", doc["title"]))
        statements = split_statements(doc["text"])
        known = statements if label == "none" else statements[:DOCUMENT_LABEL_LEAD]
        examples += [Example(s, label, f"{origin} {doc['id']} #{i}", context_title(doc.get("title"), i),
                             neighbour=i < DOCUMENT_LABEL_LEAD) for i, s in enumerate(known)]
    return examples


#: How many leading statements read their headline's cues as context: the lead says what
#: the headline announces; later statements are background, quotes and reactions, which
#: a headline's "Ends" or "Monthly Update" says nothing about.
CONTEXT_STATEMENTS = 2


def context_title(title: str | None, i: int) -> str | None:
    """The headline the ``i``-th statement of a document reads as context, if any."""
    return title if i < CONTEXT_STATEMENTS else None


#: How many leading statements of a document labelled as a whole carry its label.
DOCUMENT_LABEL_LEAD = 1


def training_examples(devset: list[dict], baseline: list[dict], documents: list[dict] = ()
                      ) -> list[Example]:
    """Statement-level examples: every gold baseline statement and headline; for dev
    documents their headline (document label), and their statements where their label is
    known: hand labels (``statement_labels``), or ``none`` for every statement of a
    ``none`` document; and ``document_examples`` of the own-words ``documents``."""
    examples = []
    for doc in baseline:
        stem = Path(doc["file"]).stem
        examples.append(Example(doc["title"], doc["label"], f"baseline {stem} headline", doc["title"]))
        examples += [Example(s["text"], s["label"], f"baseline {stem} #{i}", context_title(doc["title"], i))
                     for i, s in enumerate(doc["statements"])]
    for doc in devset:
        examples.append(Example(doc["title"], doc["label"], f"devset {doc['id']} headline", doc["title"]))
        statements = split_statements(doc["text"])
        labels = statement_gold(doc) or []
        examples += [Example(s, label, f"devset {doc['id']} #{i}", context_title(doc["title"], i))
                     for i, (s, label) in enumerate(zip(statements, labels))]
    return examples + document_examples(list(documents), "training")


@dataclass(frozen=True)
class LabelledDocument:
    """A document the document-level model learns from."""

    title: str | None
    statements: tuple[str, ...]
    label: str


def labelled_documents(devset: list[dict], baseline: list[dict], documents: list[dict] = ()
                       ) -> list[LabelledDocument]:
    """The documents behind ``training_examples``, each whole with its label."""
    return ([LabelledDocument(d["title"], tuple(s["text"] for s in d["statements"]), d["label"])
             for d in baseline]
            + [LabelledDocument(d.get("title"), tuple(split_statements(d["text"])), d["label"])
               for d in [*devset, *documents]])


def statement_gold(doc: dict) -> list[str] | None:
    """Hand statement labels; a ``none`` document's statements are all ``none`` (precedence)."""
    if doc.get("statement_labels"):
        return doc["statement_labels"]
    return ["none"] * len(split_statements(doc["text"])) if doc["label"] == "none" else None

"""Storing documents through the real store and linking code, for the link tests (the
``store`` fixture they take is in ``conftest.py``)."""

from monitor.history import classify_documents
from monitor.policies import document_events
from monitor.statements import split_statements


def stored(store, docs):
    """Store (key, date, title, text[, source]) oldest first, one run each; key -> id."""
    ids = {}
    for key, day, title, text, *source in docs:
        saved = store.save_document(source=(source or ["dhs"])[0], url=f"https://example.org/{key}",
                                    title=title, published=day, body=text,
                                    statements=split_statements(text))
        ids[key] = saved.document_id
        classify_documents(store, [saved.document_id])
    return ids


def reverses(store, ids):
    """The (from, to) keys of every 'reverses' link stored."""
    name = {v: k for k, v in ids.items()}
    return {(name[a], name[b]) for a, b in store.db.execute(
        "select from_document_id, to_document_id from links where relation = 'reverses'")}


def statement_acts(text, label="reversal", title=None, published="2024-05-06"):
    """(policy key, event) of what one statement does."""
    return {(e.key, e.event) for e in document_events(title, published, label, [(1, text, label)])}

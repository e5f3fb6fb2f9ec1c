"""Readers correct labels: kept as gold by reclassify, learnt from, marked, shared as JSONL."""

import json

import pytest
from click.testing import CliRunner

from monitor import classify
from monitor.cli import cli
from monitor.corrections import use_corrections
from monitor.history import classify_documents
from monitor.statements import split_statements
from monitor.store import MIGRATIONS, Store

TITLE = "Secretary hosts roundtable on port modernization"
BODY = ("The Secretary today hosted a roundtable with port directors on modernizing inspection "
        "lanes. Participants discussed staffing and new scanning equipment.")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "monitor.db"
    store = Store(path)
    saved = store.save_document(source="dhs", url="https://dhs.gov/roundtable", title=TITLE,
                                published="2025-03-03", body=BODY, statements=split_statements(BODY))
    classify_documents(store, [saved.document_id])
    store.close()
    yield path, saved.document_id
    classify.set_corrections(None, ())  # the next test fits without this database's corrections


def run(path, *args, input=None):
    return CliRunner().invoke(cli, ["--db", str(path), *args], input=input)


def query(path, sql, params=()):
    store = Store(path)
    try:
        return [tuple(r) for r in store.db.execute(sql, list(params)).fetchall()]
    finally:
        store.close()


def test_schema_has_the_corrections_table(db):
    path, _ = db
    assert query(path, "pragma user_version") == [(len(MIGRATIONS),)]
    assert query(path, "select count(*) from corrections") == [(0,)]


def test_a_correction_survives_reclassify_and_changes_the_next_fit(db):
    path, doc = db
    assert query(path, "select label from documents where id = ?", [doc]) == [("none",)]
    before = classify.classify_document(TITLE, split_statements(BODY))
    result = run(path, "label", str(doc), "new_policy", "--note", "it launched a program")
    assert result.exit_code == 0, result.output
    assert "none -> new_policy" in result.output
    assert query(path, "select label, confidence from documents where id = ?", [doc]) == [("new_policy", 1.0)]
    assert query(path, "select kind, row_id, label from label_history") == [("document", doc, "none")]
    assert query(path, "select label, previous_label, note from corrections") == [
        ("new_policy", "none", "it launched a program")]

    assert run(path, "reclassify").exit_code == 0
    assert query(path, "select label from documents where id = ?", [doc]) == [("new_policy",)]
    store = Store(path)
    classify_documents(store, [doc])  # as a crawl does when the page changes
    store.close()
    assert query(path, "select label from documents where id = ?", [doc]) == [("new_policy",)]

    # The model in use now learnt from the correction: the same text scores differently.
    store = Store(path)
    use_corrections(store)
    store.close()
    after = classify.classify_document(TITLE, split_statements(BODY))
    assert any(e.origin == f"training correction {doc} headline" for e in classify.default_model().examples)
    assert after.evidence["scores"]["new_policy"] > before.evidence["scores"]["new_policy"]


def test_digest_marks_corrected_items(db, tmp_path):
    path, doc = db
    run(path, "label", "https://dhs.gov/roundtable", "reversal")
    out = tmp_path / "digests"
    result = run(path, "digest", "--since", "2000-01-01", "--until", "2100-01-01", "--out", str(out),
                 "--include-backlog")
    assert result.exit_code == 0, result.output
    html = next(out.glob("20*.html")).read_text()
    assert "corrected by a reader" in html


def test_typos_and_unknown_documents_are_one_line_errors(db):
    path, doc = db
    typo = run(path, "label", str(doc), "reversl")
    assert typo.exit_code != 0 and "unknown label 'reversl'" in typo.output
    assert len(typo.output.strip().splitlines()) == 1
    unknown = run(path, "label", "https://dhs.gov/nowhere", "none")
    assert unknown.exit_code != 0 and "no stored document" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1
    assert query(path, "select count(*) from corrections") == [(0,)]


def test_export_import_round_trips(db, tmp_path):
    path, doc = db
    run(path, "label", str(doc), "new_policy", "--note", "program launch")
    exported = tmp_path / "corrections.jsonl"
    assert run(path, "corrections", "export", str(exported)).exit_code == 0
    records = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [(r["url"], r["label"], r["note"]) for r in records] == [
        ("https://dhs.gov/roundtable", "new_policy", "program launch")]

    # Another newsroom's database with the same document.
    other = tmp_path / "other.db"
    store = Store(other)
    store.save_document(source="dhs", url="https://dhs.gov/roundtable", title=TITLE,
                        published="2025-03-03", body=BODY, statements=split_statements(BODY))
    store.close()
    result = run(other, "corrections", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert "imported: 1" in result.output
    again = tmp_path / "again.jsonl"
    run(other, "corrections", "export", str(again))
    # The same corrections; the label each replaced is this database's own.
    assert [{**json.loads(line), "previous_label": None} for line in again.read_text().splitlines()] == \
        [{**r, "previous_label": None} for r in records]
    # Importing twice stores nothing twice.
    assert "already stored: 1" in run(other, "corrections", "import", str(exported)).output
    assert query(other, "select count(*) from corrections") == [(1,)]


def test_import_rejects_a_bad_file_before_writing(db, tmp_path):
    path, _ = db
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://dhs.gov/roundtable", "label": "none"}\n'
                   '{"url": "https://dhs.gov/roundtable", "label": "nope"}\n')
    result = run(path, "corrections", "import", str(bad))
    assert result.exit_code != 0 and "bad.jsonl:2" in result.output
    assert query(path, "select count(*) from corrections") == [(0,)]

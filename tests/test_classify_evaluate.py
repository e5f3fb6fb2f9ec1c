"""`evaluate --corpus`: scores any labelled JSONL, per label, per genre, and cross-validated."""

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.classify import LABELS, held_out, load_corpus, training_documents
from monitor.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "own_words_corpus.jsonl"


def evaluate(*args):
    return CliRunner().invoke(cli, ["evaluate", "--corpus", *args])


def test_evaluate_corpus_prints_per_label_genre_and_full_label_names():
    result = evaluate(str(FIXTURE), "--by", "genre")
    assert result.exit_code == 0, result.output
    assert "statistic_update" in result.output.split("confusion")[1]  # not cut to "statistic_"
    assert "reversal precision" in result.output
    assert "readout" in result.output and "1/1" in result.output


def test_evaluate_corpus_json_counts_every_document_and_genre():
    data = json.loads(evaluate(str(FIXTURE), "--by", "genre", "--json").output)
    docs = load_corpus(FIXTURE)
    assert data["n"] == len(docs)
    assert set(data["per_class"]) == set(LABELS)
    assert sum(g["n"] for g in data["by"].values()) == len(docs)
    assert sum(sum(row.values()) for row in data["confusion"].values()) == len(docs)
    assert data["reversal_precision"] == data["per_class"]["reversal"]["precision"]


def test_a_wrong_gold_label_shows_as_an_error(tmp_path):
    corpus = tmp_path / "c.jsonl"
    doc = json.loads(FIXTURE.read_text().splitlines()[0])  # a readout: none
    corpus.write_text(json.dumps({**doc, "label": "reversal"}) + "\n")
    data = json.loads(evaluate(str(corpus), "--json").output)
    assert data["errors"][0]["gold"] == "reversal" and data["errors"][0]["predicted"] == "none"
    assert data["per_class"]["reversal"]["recall"] == 0.0


def test_cross_validation_scores_every_document_once():
    data = json.loads(evaluate(str(FIXTURE), "--folds", "4", "--json").output)
    assert data["folds"] == 4 and data["n"] == len(load_corpus(FIXTURE))


def test_bad_corpus_lines_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "x", "text": "y", "label": "reversl"}\n')
    result = evaluate(str(bad))
    assert result.exit_code != 0 and "bad.jsonl:1: label 'reversl'" in result.output
    bad.write_text("not json\n")
    result = evaluate(str(bad))
    assert result.exit_code != 0 and "bad.jsonl:1: not JSON" in result.output


def test_held_out_split_is_stable_and_never_trained_on():
    assert held_out("x") == held_out("x")
    assert all(held_out(d["id"]) for d in training_documents("test"))
    assert not any(held_out(d["id"]) for d in training_documents("tune"))
    # About one document in five is held out.
    assert 0.1 < sum(held_out(f"doc-{i}") for i in range(1000)) / 1000 < 0.3

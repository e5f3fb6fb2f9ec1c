"""evaluate-links: the bundled own-words corpora scored through the real linking code."""

import json

from click.testing import CliRunner

from monitor.cli import cli
from monitor.evaluate_links import CORPUS


def test_evaluate_links_on_the_bundled_sets_meets_the_targets():
    for name in ("reversals.jsonl", "heldout.jsonl", "fresh.jsonl"):
        result = CliRunner().invoke(cli, ["evaluate-links", "--json", "--corpus",
                                          str(CORPUS.parent / name)])
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        scored = report["splits"]["all"]
        assert scored["precision"] == 1.0, (name, report["errors"])
        assert scored["recall"] >= 0.85, (name, report["errors"])


def test_evaluate_links_scores_wrong_and_missed_links(tmp_path):
    """Gold that names the wrong predecessor: the link made counts against precision and
    the one asked for is missed."""
    corpus = tmp_path / "c.jsonl"
    records = [
        {"id": "a", "date": "2018-12-20", "title": "Secretary announces the Migrant Protection Protocols",
         "text": "The Secretary today announced the Migrant Protection Protocols."},
        {"id": "b", "date": "2019-03-01", "title": "CBP monthly update",
         "text": "Encounters rose in February."},
        {"id": "c", "date": "2021-06-01", "title": "Secretary terminates MPP",
         "text": "The Secretary issued a memorandum terminating the Migrant Protection Protocols.",
         "reverses": ["b"], "split": "test"},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(cli, ["evaluate-links", "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "wrong link: c -> a (test)" in result.output
    assert "missed: c -> b (test)" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    failed = CliRunner().invoke(cli, ["evaluate-links", "--corpus", str(bad)])
    assert failed.exit_code != 0 and "missing title, text" in failed.output


def test_a_memo_named_by_its_year_in_a_new_rule_is_not_issued_by_it():
    """"the 2012 memo" in a 2022 rule names an old memo: no event for it, and no crash."""
    from monitor.policies import document_events

    events = document_events("Final rule on deferred action", "2022-08-24", "new_policy",
                             [(1, "DHS today issued a final rule that codifies the 2012 "
                                  "memorandum on deferred action.", "new_policy")])
    assert not any(e.key.startswith("memo year") for e in events)

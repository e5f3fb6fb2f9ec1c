"""The n-gram reader (monitor.classify.ngrams): it learns vocabulary no cue names, fits
the same weights in every process, and keeps them between processes safely."""

import json
import os
import subprocess
import sys

import numpy as np

from monitor.classify import ngrams
from monitor.classify.data import LABELS

#: Own-words documents: the reversals say "sunset" and "wind down", words no cue list needs.
TRAINING = [
    ("Agency Will Sunset Its Pilot Visa Line", ["The department will sunset the pilot visa line next month.",
                                                "Pending requests will be returned."], "reversal"),
    ("Port Program Wound Down", ["Officials wound down the port program after review.",
                                 "No new requests are taken."], "reversal"),
    ("Sunset of the Kiosk Program", ["The kiosk program sunsets on Friday, the office said."], "reversal"),
    ("Office Opens a Kiosk Program", ["The office opened a kiosk program for renewals.",
                                      "It starts at three airports."], "new_policy"),
    ("New Visa Line Starts", ["A new visa line starts taking requests on Monday."], "new_policy"),
    ("Pilot Begins at Ports", ["The pilot begins at four ports this spring."], "new_policy"),
    ("March Figures Released", ["Officers recorded 41,200 encounters in March, down 3 percent."],
     "statistic_update"),
    ("Quarterly Totals", ["Screeners checked 2.1 million travellers in the quarter."], "statistic_update"),
    ("Chief Visits Port", ["The chief toured the port and thanked the staff."], "none"),
    ("Ceremony Held", ["Graduates of the academy were honoured at a ceremony."], "none"),
]


def _fit() -> ngrams.NgramModel:
    titles, texts, labels = zip(*TRAINING)
    return ngrams.NgramModel(list(titles), [list(t) for t in texts], [LABELS.index(x) for x in labels],
                             len(LABELS))


def test_the_reader_learns_wording_from_its_examples(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    model = _fit()
    p = model.probabilities("Office Will Sunset the Port Kiosk", ["The office will sunset its kiosk line."])
    assert LABELS[int(np.argmax(p))] == "reversal"
    p = model.probabilities("Kiosk Program Begins", ["A new kiosk program begins at two ports."])
    assert LABELS[int(np.argmax(p))] == "new_policy"
    assert abs(float(p.sum()) - 1) < 1e-9


def _probabilities_in_a_process(cache: str, hash_seed: str) -> list[float]:
    code = ("import json, test_ngrams as t;"
            "m = t._fit();"
            "print(json.dumps(m.probabilities('Pilot Wound Down', ['The pilot was wound down.']).tolist()))")
    env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(__file__))
    return json.loads(done.stdout)


def test_weights_kept_by_one_process_read_the_same_in_another(tmp_path):
    """Feature ids must not follow string hashing, which differs per process: a kept fit
    read with other ids would silently give other labels."""
    fresh = _probabilities_in_a_process(str(tmp_path / "a"), "1")
    assert len(list((tmp_path / "a" / "policy-monitor").glob("ngrams-*.npz"))) == 1
    again = _probabilities_in_a_process(str(tmp_path / "a"), "2")  # reads the kept fit
    other = _probabilities_in_a_process(str(tmp_path / "b"), "3")  # fits afresh
    assert np.allclose(fresh, again) and np.allclose(fresh, other)


def test_a_damaged_or_unwritable_cache_only_costs_a_fit(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = _fit().probabilities("Pilot Begins", ["The pilot begins today."])
    kept = next((tmp_path / "policy-monitor").glob("ngrams-*.npz"))
    kept.write_bytes(b"not a numpy archive")
    assert np.allclose(_fit().probabilities("Pilot Begins", ["The pilot begins today."]), expected)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert np.allclose(_fit().probabilities("Pilot Begins", ["The pilot begins today."]), expected)


def test_only_the_newest_fits_are_kept(tmp_path, monkeypatch):
    """Every set of readers' corrections is a new fit: the cache must not grow without end."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    titles, texts, labels = zip(*TRAINING)
    for extra in range(ngrams.KEPT_FITS + 3):
        ngrams.NgramModel([*titles, f"Correction {extra}"], [list(t) for t in texts] + [["A ceremony."]],
                          [LABELS.index(x) for x in labels] + [LABELS.index("none")], len(LABELS))
    kept = list((tmp_path / "policy-monitor").iterdir())
    assert len(kept) == ngrams.KEPT_FITS and all(p.suffix == ".npz" for p in kept)

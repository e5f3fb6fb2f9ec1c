"""Labels and links in the stored history: baseline, reverses, statistics, same_event, reclassify."""

import json

from click.testing import CliRunner

from monitor import classify as classify_module
from monitor.cli import cli
from monitor.history import (
    BASELINE_SOURCE, classify_documents, load_baseline, policy_subjects, reclassify,
)
from monitor.statements import split_statements
from monitor.store import Store


def save(store, url, title, published, body, source="dhs"):
    saved = store.save_document(source=source, url=url, title=title, published=published,
                                body=body, statements=split_statements(body))
    return saved.document_id


def rows(store, sql, params=()):
    return [tuple(r) for r in store.db.execute(sql, list(params)).fetchall()]


MPP_ANNOUNCED = ("Secretary announces Migrant Protection Protocols",
                 "The Secretary today announced the Migrant Protection Protocols. Under the new "
                 "program, certain migrants arriving from Mexico will be returned to Mexico for "
                 "the duration of their immigration proceedings. The protocols take effect in January.")
MPP_ENDED = ("DHS terminates Remain in Mexico",
             "The Secretary today issued a memorandum terminating the Migrant Protection Protocols. "
             "No new enrollments will be accepted.")


def test_baseline_is_loaded_once_with_gold_labels(store):
    assert load_baseline(store) == 5
    assert load_baseline(store) == 0
    docs = rows(store, "select url, label, confidence from documents where source = ? order by url",
                [BASELINE_SOURCE])
    gold = json.loads((classify_module.DATA_DIR / "baseline.json").read_text())["documents"]
    assert [d[0] for d in docs] == [f"urn:policy-monitor:baseline:{g['file'][:-4]}" for g in gold]
    assert [d[1] for d in docs] == [g["label"] for g in gold]
    assert {d[2] for d in docs} == {1.0}
    n_gold = sum(len(g["statements"]) for g in gold)
    assert rows(store, "select count(*) from statements")[0][0] == n_gold
    labelled = rows(store, "select label, evidence from statements where label = 'reversal'")
    assert len(labelled) == sum(s["label"] == "reversal" for g in gold for s in g["statements"])
    assert json.loads(labelled[0][1]) == {"source": "baseline label"}
    # Gold labels are re-asserted on every call (e.g. after a hand edit of the database).
    store.db.execute("update statement_rows set label = 'none' where label = 'reversal'")
    assert load_baseline(store) == 0
    assert len(rows(store, "select id from statements where label = 'reversal'")) == len(labelled)


def test_termination_links_to_the_announcement_it_reverses(store):
    announced = save(store, "https://dhs.gov/mpp", *MPP_ANNOUNCED[:1], "2018-12-20", MPP_ANNOUNCED[1])
    unrelated = save(store, "https://dhs.gov/tps", "DHS designates Venezuela for TPS", "2019-03-08",
                     "The Secretary today designated Venezuela for Temporary Protected Status. "
                     "The designation takes effect immediately.")
    ended = save(store, "https://dhs.gov/mpp-end", MPP_ENDED[0], "2021-06-01", MPP_ENDED[1])
    counts = classify_documents(store, [announced, unrelated, ended])
    assert counts["reverses"] == 1
    assert rows(store, "select label from documents where id = ?", [ended]) == [("reversal",)]
    link = rows(store, "select from_document_id, to_document_id, from_statement_id, to_statement_id "
                       "from links where relation = 'reverses'")
    assert [l[:2] for l in link] == [(ended, announced)]
    from_text = rows(store, "select text from statements where id = ?", [link[0][2]])[0][0]
    assert "terminating the Migrant Protection Protocols" in from_text


def test_no_reverses_link_to_a_later_announcement(store):
    ended = save(store, "https://dhs.gov/mpp-end", MPP_ENDED[0], "2021-06-01", MPP_ENDED[1])
    announced = save(store, "https://dhs.gov/mpp", MPP_ANNOUNCED[0], "2022-01-01", MPP_ANNOUNCED[1])
    classify_documents(store, [ended, announced])
    assert rows(store, "select * from links where relation = 'reverses'") == []


def test_statistics_record_previous_value_and_change(store):
    first = save(store, "https://cbp.gov/march", "March apprehensions", "2025-04-15",
                 "Border Patrol recorded 7,200 apprehensions at the southwest border in March, "
                 "down from 8,300 in February.", source="cbp")
    second = save(store, "https://cbp.gov/april", "April apprehensions", "2025-05-14",
                  "Border Patrol recorded 9,000 apprehensions at the southwest border in April, "
                  "up from 7,200 in March.", source="cbp")
    classify_documents(store, [second, first])  # order of ids does not matter: by period
    stats = rows(store, "select id, document_id, metric, value, period, role, previous_id, "
                        "previous_value, previous_period, previous_source, change, change_pct "
                        "from statistics where role = 'reported' order by period_end")
    march_id = stats[0][0]
    assert [s[1:] for s in stats] == [
        # No stored February figure: the one the release quotes, with its period.
        (first, "apprehensions", 7200.0, "March 2025", "reported", None, 8300.0, "February 2025",
         "release", -1100.0, -13.3),
        # The stored March figure, which is the month just before.
        (second, "apprehensions", 9000.0, "April 2025", "reported", march_id, 7200.0, "March 2025",
         "series", 1800.0, 25.0),
    ]
    # the quoted figures are stored too, as what the release compares with
    assert rows(store, "select value, period from statistics where role = 'compared' "
                       "order by period_end") == [(8300.0, "February 2025"), (7200.0, "March 2025")]
    classify_documents(store, [first, second])
    assert len(rows(store, "select id from statistics")) == 4  # idempotent


def test_a_stale_stored_figure_loses_to_the_one_the_text_quotes(store):
    old = save(store, "https://cbp.gov/2023", "May 2023", "2023-06-15",
               "Border Patrol recorded 100,000 apprehensions at the southwest border in May 2023.",
               source="cbp")
    new = save(store, "https://cbp.gov/2025", "June 2025", "2025-07-15",
               "Border Patrol recorded 6,000 apprehensions at the southwest border in June, "
               "up from 8,000 in May.", source="cbp")
    classify_documents(store, [old, new])
    assert rows(store, "select previous_id, previous_value from statistics where document_id = ? "
                       "and role = 'reported'", [new]) == [(None, 8000.0)]


def test_same_event_links_reports_of_one_announcement(store):
    release = save(store, "https://dhs.gov/chnv", "DHS terminates CHNV parole", "2025-03-21",
                   "DHS today announced it is terminating the parole program for Cubans, Haitians, "
                   "Nicaraguans and Venezuelans. Parole will end 30 days after the Federal Register "
                   "notice is published.")
    story = save(store, "https://news.example/chnv", "Administration ends parole for 530,000 migrants",
                 "2025-03-22",
                 "The administration said it is terminating the parole program for Cubans, Haitians, "
                 "Nicaraguans and Venezuelans, ending the status of 530,000 people. Parole will end "
                 "30 days after the notice is published.", source="news")
    other = save(store, "https://news.example/fema", "FEMA sends aid after floods", "2025-03-22",
                 "FEMA sent water and generators to flooded towns.", source="news")
    counts = classify_documents(store, [release, story, other])
    assert counts["same_event"] == 1
    assert rows(store, "select from_document_id, to_document_id from links "
                       "where relation = 'same_event'") == [(story, release)]
    events = dict(rows(store, "select id, event_id from documents"))
    assert events[release] == events[story] == release and events[other] is None


def test_new_statements_get_labels_existing_keep_theirs(store):
    url = "https://dhs.gov/page"
    doc = save(store, url, MPP_ANNOUNCED[0], "2018-12-20", MPP_ANNOUNCED[1])
    classify_documents(store, [doc])
    first_id = rows(store, "select min(id) from statements")[0][0]
    store.db.execute("update statement_rows set label = 'none', confidence = 0.5 where id = ?", [first_id])
    edited = MPP_ANNOUNCED[1] + " Officials met with Mexican counterparts on Tuesday."
    save(store, url, MPP_ANNOUNCED[0], "2018-12-20", edited)
    classify_documents(store, [doc])
    assert rows(store, "select label from statements where id = ?", [first_id]) == [("none",)]
    assert rows(store, "select count(*) from statements where label is null") == [(0,)]


def test_reclassify_keeps_history_and_gold(store, monkeypatch):
    load_baseline(store)
    doc = save(store, "https://dhs.gov/mpp-end", MPP_ENDED[0], "2021-06-01", MPP_ENDED[1])
    classify_documents(store, [doc])
    assert rows(store, "select label from documents where id = ?", [doc]) == [("reversal",)]
    before = rows(store, "select id, label from statements where document_id = ?", [doc])

    # A "new classifier" that calls everything none.
    real = classify_module.Model.classify

    def everything_none(self, title, statements, published=None):
        result = real(self, title, statements, published)
        result.label, result.confidence = "none", 0.9
        for s in result.statements:
            s.label, s.confidence = "none", 0.9
            s.evidence["classifier"] = "test-none"
        return result

    monkeypatch.setattr(classify_module.Model, "classify", everything_none)
    counts = reclassify(store)
    assert counts["changed_documents"] == 1
    assert rows(store, "select label, confidence from documents where id = ?", [doc]) == [("none", 0.9)]
    history = rows(store, "select kind, row_id, label, classifier from label_history order by id")
    assert ("document", doc, "reversal", classify_module.CLASSIFIER_VERSION) in history
    changed = [(sid, label) for sid, label in before if label != "none"]
    for sid, label in changed:
        assert ("statement", sid, label, classify_module.CLASSIFIER_VERSION) in history
    # Baseline gold labels untouched, and no history rows for them.
    assert rows(store, "select distinct confidence from documents where source = ?",
                [BASELINE_SOURCE]) == [(1.0,)]
    baseline_ids = {r[0] for r in rows(store, "select id from documents where source = ?",
                                       [BASELINE_SOURCE])}
    assert not any(kind == "document" and row in baseline_ids for kind, row, _, _ in history)
    # Same classifier again: nothing changes, nothing more remembered.
    reclassify(store)
    assert len(rows(store, "select id from label_history")) == len(history)


def test_policy_subjects_name_programs_and_tps_countries():
    assert policy_subjects("ends Remain-in-Mexico") == {"mpp"}
    assert policy_subjects("terminates Temporary Protected Status for Haiti and Sudan") == {
        "tps haiti", "tps sudan"}
    assert "daca" in policy_subjects("Deferred Action for Childhood Arrivals")


def test_cli_reclassify(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # init writes its starter files here
    db = tmp_path / "m.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    result = runner.invoke(cli, ["--db", str(db), "reclassify"])
    assert result.exit_code == 0, result.output
    assert "classifier" in result.output


TPS_DESIGNATED = ("Attorney General designates El Salvador for Temporary Protected Status",
                  "The Attorney General today designated El Salvador for Temporary Protected Status "
                  "after the earthquakes. The designation takes effect immediately and allows eligible "
                  "Salvadorans to remain and work for 18 months.")
TPS_ENDED_RELEASE = ("Secretary terminates Temporary Protected Status for El Salvador",
                     "The Secretary today announced the termination of Temporary Protected Status for "
                     "El Salvador. The termination is delayed by 18 months to allow for an orderly "
                     "transition. Salvadorans with TPS must obtain another status or depart.")
TPS_ENDED_NOTICE = ("Termination of the Designation of El Salvador for Temporary Protected Status",
                    "Through this notice, DHS announces that the Secretary is terminating the "
                    "designation of El Salvador for Temporary Protected Status. The termination is "
                    "delayed by 18 months to allow for an orderly transition, and Salvadorans with TPS "
                    "must obtain another status or depart.")


def test_a_later_notice_of_the_same_termination_is_the_same_event_not_its_target(store):
    designated = save(store, "https://dhs.gov/tps-sv", *TPS_DESIGNATED[:1], "2001-03-02",
                      TPS_DESIGNATED[1])
    release = save(store, "https://dhs.gov/tps-sv-end", TPS_ENDED_RELEASE[0], "2018-01-08",
                   TPS_ENDED_RELEASE[1])
    notice = save(store, "https://federalregister.gov/tps-sv", TPS_ENDED_NOTICE[0], "2018-01-18",
                  TPS_ENDED_NOTICE[1], source="federal-register")
    classify_documents(store, [designated, release, notice])
    assert sorted(rows(store, "select from_document_id, to_document_id from links "
                              "where relation = 'reverses'")) == [(release, designated), (notice, designated)]
    assert rows(store, "select from_document_id, to_document_id from links "
                       "where relation = 'same_event'") == [(notice, release)]


def test_terminations_for_different_countries_on_one_day_are_different_events(store):
    honduras = save(store, "https://dhs.gov/tps-hn", "DHS terminates TPS for Honduras", "2023-06-01",
                    "DHS today announced the termination of Temporary Protected Status for Honduras. "
                    "The termination takes effect in 60 days.")
    nepal = save(store, "https://news.example/tps-np", "DHS terminates TPS for Nepal", "2023-06-01",
                 "DHS today announced the termination of Temporary Protected Status for Nepal. "
                 "The termination takes effect in 60 days.", source="news")
    classify_documents(store, [honduras, nepal])
    assert rows(store, "select * from links where relation = 'same_event'") == []


def test_reclassify_with_the_same_classifier_rebuilds_the_same_links_and_figures(store):
    load_baseline(store)
    ids = [
        save(store, "https://dhs.gov/mpp", MPP_ANNOUNCED[0], "2018-12-20", MPP_ANNOUNCED[1]),
        save(store, "https://dhs.gov/mpp-end", MPP_ENDED[0], "2021-06-01", MPP_ENDED[1]),
        save(store, "https://cbp.gov/march", "March apprehensions", "2025-04-15",
             "Border Patrol recorded 7,200 apprehensions at the southwest border in March.", source="cbp"),
        save(store, "https://cbp.gov/april", "April apprehensions", "2025-05-14",
             "Border Patrol recorded 9,000 apprehensions at the southwest border in April.", source="cbp"),
    ]
    classify_documents(store, ids)

    def snapshot():
        return (rows(store, "select document_id, statement_id, metric, value, period, previous_value, "
                            "change from statistics order by document_id, statement_id"),
                rows(store, "select from_document_id, to_document_id, relation from links order by 1, 2"),
                rows(store, "select id, label, confidence from documents order by id"))

    before = snapshot()
    assert before[0] and before[1]
    counts = reclassify(store)
    assert snapshot() == before
    assert counts.get("changed_documents", 0) == 0
    assert rows(store, "select count(*) from label_history") == [(0,)]


def test_a_memo_named_by_its_year_is_the_stored_memo_of_that_year_on_the_same_program(store):
    """"Rescinding the 2017 and 2018 memoranda ... the DACA policy" undoes the 2017 rescission
    memo, not the 2012 memo that created DACA; a 2014 memo on another program is not it."""
    created = save(store, "https://dhs.gov/daca", "Secretary announces Deferred Action for Childhood Arrivals",
                   "2012-06-15", "The Secretary today issued a memorandum establishing Deferred Action "
                   "for Childhood Arrivals for young people brought to the country as children.")
    other = save(store, "https://dhs.gov/dapa", "Secretary creates Deferred Action for Parents of Americans",
                 "2017-02-20", "The Secretary today issued a memorandum creating Deferred Action for "
                 "Parents of Americans.")
    rescinded = save(store, "https://dhs.gov/daca-end", "Acting Secretary rescinds DACA", "2017-09-05",
                     "The Acting Secretary today issued a memorandum rescinding Deferred Action for "
                     "Childhood Arrivals. No new requests will be accepted.")
    reconsidered = save(store, "https://dhs.gov/daca-2020", "Acting Secretary reconsiders DACA", "2020-07-28",
                        "By this memorandum, the Acting Secretary is rescinding the 2017 and 2018 "
                        "memoranda, and making certain immediate changes to the DACA policy.")
    classify_documents(store, [created, other, rescinded, reconsidered])
    links = rows(store, "select from_document_id, to_document_id from links where relation = 'reverses' "
                        "order by 1")
    assert links == [(rescinded, created), (reconsidered, rescinded)]


def test_linking_a_chunk_at_a_time_with_shared_candidates_builds_the_same_history(
        tmp_path, monkeypatch):
    """Documents are read a chunk at a time, and reports of one day and source share one
    index of their same-event candidates: the links, events and figures are those of
    reading every document at once and indexing the candidates for each."""
    from monitor import history

    class Unshared(history._Candidates):
        def indexed(self, others):
            self.index = None  # each document its own index, as before they were shared
            return super().indexed(others)

    def build(name: str, chunk: int, candidates) -> tuple:
        monkeypatch.setattr(history, "CHUNK", chunk)
        monkeypatch.setattr(history, "_Candidates", candidates)
        store = Store(tmp_path / name)
        ids = [save(store, "https://dhs.gov/chnv", "DHS terminates CHNV parole", "2025-03-21",
                    "DHS today announced it is terminating the parole program for Cubans, "
                    "Haitians, Nicaraguans and Venezuelans. Parole will end 30 days after the "
                    "Federal Register notice is published.")]
        for n, outlet in enumerate(("wire", "paper", "radio")):  # one day, one source each...
            ids.append(save(store, f"https://news.example/chnv-{n}",
                            f"{outlet.title()}: administration ends parole for 530,000", "2025-03-22",
                            "The administration said it is terminating the parole program for "
                            "Cubans, Haitians, Nicaraguans and Venezuelans, ending the status of "
                            f"530,000 people, the {outlet} reported. Parole will end 30 days after "
                            "the notice is published.", source="news"))
        ids.append(save(store, "https://news.example/fema", "FEMA sends aid after floods",
                        "2025-03-22", "FEMA sent water and generators to flooded towns.",
                        source="news"))
        for month, value in (("March", "7,200"), ("April", "9,000"), ("May", "8,100")):
            ids.append(save(store, f"https://cbp.gov/{month}", f"{month} apprehensions",
                            f"2025-0{MONTHS.index(month) + 2}-14",  # the month after
                            f"Border Patrol recorded {value} apprehensions at the southwest "
                            f"border in {month}.", source="cbp"))
        classify_documents(store, ids)
        url = dict(rows(store, "select id, url from documents"))
        snapshot = (
            sorted((url[a], url[b], r, s) for a, b, r, s in rows(
                store, "select from_document_id, to_document_id, relation, score from links")),
            sorted((url[i], url.get(e)) for i, e in rows(store, "select id, event_id from documents")),
            sorted((url[d], m, v, p, pv) for d, m, v, p, pv in rows(
                store, "select document_id, metric, value, period, previous_value from statistics")),
        )
        store.close()
        return snapshot

    one_go = build("one-go.db", 10_000, Unshared)
    assert len([link for link in one_go[0] if link[2] == "same_event"]) == 3
    assert {s[0].rsplit("/", 1)[1]: s[4] for s in one_go[2] if s[1] == "apprehensions"} == {
        "March": None, "April": 7200.0, "May": 9000.0}
    assert build("chunked.db", 1, history._Candidates) == one_go


MONTHS = ["January", "February", "March", "April", "May", "June"]


def test_figures_a_worker_read_are_stored_only_if_the_document_still_reads_the_same(tmp_path):
    """A crawl's workers read figures (series.prepare_figures) and the writer keeps them for
    this run only: they are stored as read when the document reads the same, and figures
    read from other words are never stored in their place."""
    import pickle

    from monitor.figures import extract_document
    from monitor.series import prepare_figures

    store = Store(tmp_path / "m.db")
    title, published = "CBP Releases June 2024 Monthly Update", "2024-07-16"
    texts = ["Border Patrol apprehended 83,536 migrants at the southwest border in June."]
    other = ["Border Patrol apprehended 1,234 migrants at the southwest border in June."]
    saved = [store.save_document(source="cbp", url=f"https://www.cbp.gov/{n}", title=title,
                                 published=published, body=" ".join(texts), statements=texts).document_id
             for n in ("a", "b")]
    read_from, _ = prepare_figures(title, texts, published, None, "statistic_update")
    # the first: figures under its own text's digest are taken as they are (here, planted ones)
    store.keep_prepared_figures(saved[0], read_from, pickle.dumps(extract_document(title, other, published, None)))
    # the second: figures read from other words are not its figures
    store.keep_prepared_figures(saved[1], *prepare_figures(title, other, published, None, "statistic_update"))
    classify_documents(store, saved)
    values = store.db.execute("select document_id, value from statistics order by document_id").fetchall()
    assert values == [(saved[0], 1234), (saved[1], 83536)]
    assert store.take_prepared_figures(saved[0]) is None  # taken once
    store.close()
    reopened = Store(tmp_path / "m.db")
    assert reopened.db.execute("select count(*) from sqlite_master where name = 'prepared_figures'"
                               ).fetchone() == (0,)  # never in the database file
    reopened.close()

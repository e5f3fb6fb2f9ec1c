"""A crawl's memory does not grow with its size: what it holds at once is bounded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from faultsite import RELEASES, build_fault_site, fault_sources
from monitor import pipeline
from monitor.config import load_sources
from monitor.pipeline import run_cycle
from monitor.sampleserver import SiteServer
from monitor.store import Store


class _SlowAnalyser:
    """One worker that analyses a page every 20 ms, in order: slower than the fetching."""

    def __init__(self):
        self.jobs: list[tuple[Future, tuple]] = []
        self.lock = threading.Condition()
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def submit(self, *args) -> Future:
        future: Future = Future()
        with self.lock:
            self.jobs.append((future, args))
            self.lock.notify()
        return future

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.jobs:
                    self.lock.wait()
                future, args = self.jobs.pop(0)
            time.sleep(0.02)
            future.set_result(pipeline.analyse_article(*args))

    def close(self) -> None:
        pass


def test_a_crawl_that_fetches_faster_than_it_analyses_holds_at_most_in_flight_pages(
        tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    build_fault_site(root)
    held: list[int] = []
    bodies: list[int] = []
    hand_over, emit = pipeline._Crawler.hand_over, pipeline._Crawler.emit

    def counting_hand_over(self, wait):
        hand_over(self, wait)
        held.append(sum(isinstance(e, pipeline._Analysing) for e in self.analysing))

    def checking_emit(self, event):
        if getattr(event, "response", None) is not None:
            bodies.append(len(event.response.content))
        emit(self, event)

    monkeypatch.setattr(pipeline, "IN_FLIGHT", 3)
    monkeypatch.setattr(pipeline, "_Analyser", _SlowAnalyser)
    monkeypatch.setattr(pipeline._Crawler, "hand_over", counting_hand_over)
    monkeypatch.setattr(pipeline._Crawler, "emit", checking_emit)
    with SiteServer(root) as server:
        config = tmp_path / "sources.toml"
        config.write_text(fault_sources(server.base_url, ["dhs"]))
        store = Store(tmp_path / "monitor.db")
        summary = run_cycle(store, load_sources(str(config)))
    assert summary.total("new_documents") == len(RELEASES)
    assert store.db.execute("select count(*) from documents where source = 'dhs' and label is "
                            "not null").fetchone()[0] == len(RELEASES)
    store.close()
    # The crawler waited for the oldest page whenever three were being analysed...
    assert max(held) == 3
    # ...and the writer was handed each article's validators, never its page.
    assert len(bodies) > len(RELEASES) and set(bodies) == {0}

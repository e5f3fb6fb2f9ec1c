"""The ``policy-monitor`` command line.

Every user-facing failure ends as one line on stderr and a non-zero exit code
(``click.ClickException``); tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import click

from monitor.config import ConfigError, load_sources
from monitor.errors import folder_problem, path_problem
from monitor.lock import LockError, WriterLock
from monitor.settings import (
    DEFAULT_FILE, Settings, SettingsError, load_settings, with_mail_flags,
)
from monitor.store import Store, StoreError, local_fault

DEFAULT_CONFIG = "feeds"
DEFAULT_DB = Settings.db
#: How long a backfill step waits for a running `run` to finish writing.
BACKFILL_LOCK_WAIT = 3600.0
#: ``run`` exits with this status when every source failed (with ``--strict``: any).
EXIT_SOURCES_FAILED = 3


@dataclass
class Context:
    """What the global options select; commands open only what they need."""

    config_path: str
    quiet: bool
    #: The settings file and environment, with ``--db`` applied.
    settings: Settings = Settings()
    #: Where the settings file is (or where ``init`` writes one).
    settings_path: str = DEFAULT_FILE

    @property
    def db_path(self) -> str:
        return self.settings.db

    def sources(self):
        if not Path(self.config_path).exists() and Path(self.config_path).suffix != ".toml":
            raise click.ClickException(
                f"{self.config_path}: no such configuration file or folder; "
                f"`policy-monitor init` writes the starter sources there")
        try:
            return load_sources(self.config_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def store(self, create: bool = False) -> Store:
        """The history; only ``create`` (init, run, serve, demo) may start a new one, so a
        mistyped ``--db`` is an error, not a new empty history."""
        if problem := path_problem(self.db_path, create=create):
            raise click.ClickException(f"--db {self.db_path}: {problem}")
        if not create and not Path(self.db_path).exists():
            raise click.ClickException(
                f"{self.db_path}: no such database; `policy-monitor init` creates one "
                f"(or check --db and the settings' db)")
        try:
            return Store(self.db_path)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc

    @contextmanager
    def writer_lock(self, command: str, wait: float = 0.0):
        """Hold the database's writer lock, or fail with who holds it."""
        if problem := path_problem(self.db_path, create=True):
            raise click.ClickException(f"--db {self.db_path}: {problem}")
        lock = WriterLock(self.db_path, command, wait=wait)
        try:
            lock.acquire()
        except LockError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(f"cannot create the lock file {lock.path}: "
                                       f"{exc.strerror or exc}") from exc
        try:
            yield
        finally:
            lock.release()


pass_context = click.make_pass_decorator(Context)

class _Commands(click.Group):
    """Every command ends a local fault with one line and a non-zero exit."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, OSError) as exc:
            obj = ctx.obj if isinstance(ctx.obj, Context) else None
            message = local_fault(exc, obj.db_path if obj else DEFAULT_DB)
            if message is None:
                raise
            raise click.ClickException(message) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=DEFAULT_CONFIG, show_default=True,
              envvar="POLICY_MONITOR_CONFIG",
              help="Source configuration: a TOML file or a folder of them.")
@click.option("--db", "db_path", envvar="POLICY_MONITOR_DB",
              help=f"SQLite database.  [default: the settings' db, else {DEFAULT_DB}]")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False),
              help="Settings file (database, digests, schedule, mail).  [default: "
                   "$POLICY_MONITOR_SETTINGS, else ./policy-monitor.toml if present]")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.version_option(package_name="policy-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str | None, settings_path: str | None,
        quiet: bool) -> None:
    """Watch DHS newsrooms and the Federal Register for immigration policy changes."""
    settings_path = settings_path or os.environ.get("POLICY_MONITOR_SETTINGS") or None
    try:
        if ctx.invoked_subcommand == "init" and settings_path and not Path(settings_path).exists():
            # init writes it; the environment still counts
            settings = load_settings(None, env={k: v for k, v in os.environ.items()
                                                if k != "POLICY_MONITOR_SETTINGS"})
        else:
            settings = load_settings(settings_path)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = Context(config_path=config_path, quiet=quiet,
                      settings=replace(settings, db=db_path or settings.db),
                      settings_path=settings_path or DEFAULT_FILE)


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _interactive(ctx: Context) -> bool:
    """Progress is for people at a terminal; under cron only failures are printed."""
    return not ctx.quiet and sys.stderr.isatty()


@cli.command()
@pass_context
def init(ctx: Context) -> None:
    """Create the database (or upgrade its schema) and load the labelled baseline.

    Also writes the starter sources (the real DHS, ICE, CBP, USCIS, Federal Register
    and news feeds) to the --config folder and a commented settings file, when they
    are not there yet; nothing existing is overwritten.
    """
    from monitor.history import load_baseline
    from monitor.starter import write_feeds, write_settings

    store = ctx.store(create=True)
    added = load_baseline(store)
    lines = [f"{ctx.db_path}: schema version {store.schema_version}, "
             f"{added} baseline document(s) added"]
    config = Path(ctx.config_path)
    if not (config.is_file() or config.suffix == ".toml"):  # a sources file is the user's own
        if problem := folder_problem(config):
            raise click.ClickException(f"--config {config}: {problem}")
        lines.append(write_feeds(config))
    settings = Path(ctx.settings_path)
    if problem := path_problem(settings, create=True):
        raise click.ClickException(f"--settings {settings}: {problem}")
    lines.append(write_settings(settings, db=ctx.db_path, digests=ctx.settings.digests))
    if not ctx.quiet:
        click.echo("\n".join(lines))


@cli.command()
@pass_context
def schema(ctx: Context) -> None:
    """Print the database schema (the README shows the same)."""
    store = ctx.store() if Path(ctx.db_path).exists() else Store(":memory:")
    click.echo(store.schema(), nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@pass_context
def sources(ctx: Context, as_json: bool) -> None:
    """List the configured sources (loading them validates the configuration)."""
    from monitor.blocking import backed_off_until

    configured = ctx.sources()
    status, blocked = {}, {}
    if Path(ctx.db_path).exists():
        store = ctx.store()
        status = {row["name"]: row for row in store.db["sources"].rows}
        for name, failing, given_up in store.db.execute(
                "select source, count(*) - count(gave_up_at), count(gave_up_at) from failures"
                " where resolved_at is null group by source"):
            if name in status:
                status[name] |= {"failing_articles": failing, "given_up_articles": given_up}
        blocked = backed_off_until(store, configured)
    if as_json:
        echo_json([s.as_dict() | {"status": status.get(s.name), "blocked": blocked.get(s.name)}
                   for s in configured])
        return
    for s in configured:
        state = status.get(s.name) or {}
        health = ""
        if s.name in blocked:
            block = blocked[s.name]
            health = (f"  BLOCKED by bot protection ({block['vendor']}) until "
                      f"{block['blocked_until']}; " + (
                          f"fallbacks: {', '.join(s.fallbacks)}" if s.fallbacks
                          else "no fallbacks configured"))
        elif state.get("consecutive_failures"):
            health = f"  FAILING x{state['consecutive_failures']}: {state['last_error']}"
        elif state.get("last_ok_at"):
            health = f"  ok {state['last_ok_at']}"
        if state.get("failing_articles") or state.get("given_up_articles"):
            health += (f"; articles not stored: {state['failing_articles']} being retried, "
                       f"{state['given_up_articles']} given up")
        standing_in = [o.name for o in configured if s.name in o.fallbacks]
        flag = "" if s.enabled else (
            f" (runs while {', '.join(standing_in)} is blocked)" if standing_in else " (disabled)")
        click.echo(f"{s.name:<28} {s.kind:<16} every {s.interval:>4} min  "
                   f"{_shown_location(s)}{flag}{health}")
    if not ctx.quiet:
        click.echo(f"{len(configured)} source(s) in {ctx.config_path}", err=True)


def _shown_location(source) -> str:
    """Where a source reads from, a Maildir inside the current folder relative to it."""
    if source.maildir:
        try:
            return str(Path(source.maildir).relative_to(Path.cwd().resolve()))
        except ValueError:
            pass
    return source.location


@cli.command()
@click.option("--source", "only", multiple=True, help="Run only this source (repeatable).")
@click.option("--strict", is_flag=True,
              help=f"Exit with status {EXIT_SOURCES_FAILED} if any source failed "
                   f"(by default only if every source failed).")
@pass_context
def run(ctx: Context, only: tuple[str, ...], strict: bool) -> None:
    """Run one full cycle: fetch, extract, store and classify (for cron and timers).

    Exit status: 0 when the cycle completed, 3 when every source failed (with --strict,
    when any did), 1 for a bad configuration, database or held lock.
    """
    configured = ctx.sources()
    selected = _selected_sources(ctx, only, configured)
    # A backfill holds the lock only while it writes a step: wait for our turn.
    wait = ctx.settings.schedule.lock_wait_seconds if WriterLock.held_by(
        ctx.db_path, "policy-monitor backfill") else 0.0
    with ctx.writer_lock("policy-monitor run", wait=wait):
        store = ctx.store(create=True)
        summary = run_once(store, selected, interactive=_interactive(ctx),
                           allow_internal=ctx.settings.allow_internal, catalogue=configured)
        if ctx.settings.mail.configured:  # digests that could not be sent before
            from monitor.mail import flush_outbox

            sent, failed = flush_outbox(store, ctx.settings.mail)
            if failed:
                click.echo(f"mail: {failed} queued digest message(s) still not sent", err=True)
    failed, ran = len(summary.failed), len(summary.reports)
    if failed and (strict or failed == ran):
        click.echo(f"Error: {'every source' if failed == ran else f'{failed} of {ran} sources'}"
                   f" failed (exit status {EXIT_SOURCES_FAILED})", err=True)
        sys.exit(EXIT_SOURCES_FAILED)


@cli.command()
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Walk back to this publication date (YYYY-MM-DD).")
@click.option("--source", "only", multiple=True,
              help="Backfill only this source (repeatable); default: every html and "
                   "federal_register source.")
@pass_context
def backfill(ctx: Context, since, only: tuple[str, ...]) -> None:
    """Store the archive back to a date; resumes where a stopped backfill left off."""
    from monitor.backfill import backfill as walk, describe
    from monitor.fetch import Fetcher

    selected = _selected_sources(ctx, only)
    if not only:
        selected = [s for s in selected if s.kind not in ("feed", "mailbox") and s.enabled]
    today = date.today()
    if since.date() > today:
        raise click.ClickException(f"--since {since:%Y-%m-%d} is in the future")
    live = _interactive(ctx)

    def progress(state) -> None:
        if live:
            click.echo(f"\r\033[K  {describe(state, today)}", nl=False, err=True)

    lock = WriterLock(ctx.db_path, "policy-monitor backfill", wait=BACKFILL_LOCK_WAIT)

    @contextmanager
    def writing():
        try:
            with lock:
                yield
        except LockError as exc:
            raise click.ClickException(str(exc)) from exc

    with writing():
        store = ctx.store(create=True)
    with Fetcher() as fetcher:
        reports = walk(store, selected, since.date(), fetcher=fetcher, writing=writing,
                       progress=progress, today=today,
                       allow_internal=ctx.settings.allow_internal)
    for state in reports:
        if live:
            click.echo(f"\r\033[K  {describe(state, today)}", err=True)
        if state.error:
            click.echo(f"source {state.source} stopped: {state.error} "
                       "(run the same backfill again to resume)", err=True)
    if any(state.error for state in reports):
        sys.exit(1)


def _selected_sources(ctx: Context, only: tuple[str, ...], configured=None):
    """The configured sources, or those named (each must exist)."""
    selected = ctx.sources() if configured is None else configured
    if only:
        unknown = set(only) - {s.name for s in selected}
        if unknown:
            raise click.ClickException(f"unknown source(s): {', '.join(sorted(unknown))}")
        selected = [s for s in selected if s.name in only]
    return selected


def run_once(store: Store, selected, *, interactive: bool, fetcher=None,
             allow_internal: tuple[str, ...] = (), catalogue=()):
    """One cycle for ``run`` and ``demo``: progress on a terminal, each failure once."""
    from monitor.pipeline import run_cycle

    last_tick = 0.0

    def progress(report, finished: bool) -> None:
        nonlocal last_tick
        if not interactive:
            return
        if not finished:  # a live status line on terminals, redrawn at most 5 times a second
            if sys.stderr.isatty() and time.monotonic() - last_tick > 0.2:
                last_tick = time.monotonic()
                click.echo(f"\r\033[K  {report.name}: {report.new_documents} new, "
                           f"{report.fetched} fetched...", nl=False, err=True)
            return
        state = f"FAILED: {report.error}" if report.error else (
            f"{report.new_documents} new, {report.new_versions} changed, "
            f"{report.fetched} fetched, {report.not_modified} unchanged")
        extra = f", {len(report.failures)} article(s) failed" if report.failures else ""
        click.echo(f"\r\033[K  {report.name}: {state}{extra} ({report.seconds:.1f} s)", err=True)

    summary = run_cycle(store, selected, progress=progress, fetcher=fetcher,
                        allow_internal=allow_internal, catalogue=catalogue)
    if interactive:
        click.echo(
            f"{len(summary.reports)} source(s), {len(summary.failed)} failed; "
            f"{summary.total('new_documents')} new document(s), "
            f"{summary.total('new_versions')} new version(s), "
            f"{summary.total('new_statements')} new statement(s); "
            f"{summary.fetches} request(s), {summary.bytes:,} bytes", err=True)
    if not interactive:  # a terminal has seen each failure in its source's line
        for report in summary.failed:
            click.echo(f"source {report.name} failed: {report.error}", err=True)
    return summary


@cli.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def extract(ctx: Context, target: str, as_json: bool) -> None:
    """Extract one page (a file or an http(s) URL) exactly as `run` would."""
    from monitor.config import is_http_url
    from monitor.extract import extract_article, extract_text
    from monitor.addresses import AddressPolicy
    from monitor.fetch import Fetcher, RequestLimits
    from monitor.statements import split_statements

    if is_http_url(target):
        with Fetcher() as fetcher:  # the URL given is trusted as a configured one; redirects are not
            response = fetcher.get(target, RequestLimits(
                delay=0, configured_url=target,
                allow=AddressPolicy.parse(ctx.settings.allow_internal)))
        if not response.ok:
            raise click.ClickException(f"{target}: {response.error or response.status}")
        _refuse_binary(target, response.content)
        article = extract_article(response.content, response.final_url,
                                  charset=response.charset)
    else:
        path = Path(target)
        if not path.is_file():
            raise click.ClickException(f"{target}: no such file (or not an http(s) URL)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{target}: cannot read: {exc.strerror or exc}") from exc
        _refuse_binary(target, data)
        if path.suffix.lower() == ".txt":
            article = extract_text(data.decode("utf-8", errors="replace"), target)
        else:
            article = extract_article(data, path.resolve().as_uri())
            article.url = target
    result = {
        "url": article.url, "title": article.title, "published": article.published,
        "text": article.text, "statements": split_statements(article.text),
    }
    if as_json:
        echo_json(result)
        return
    click.echo(f"{result['title'] or '(no title)'}\n{result['published'] or '(no date)'}  "
               f"{result['url']}\n")
    for number, statement in enumerate(result["statements"], 1):
        click.echo(f"{number:>3}. {statement}")


def _refuse_binary(target: str, data: bytes) -> None:
    """Text and HTML have no NUL bytes; a program, image or PDF does."""
    if b"\0" in data[:8192]:
        raise click.ClickException(f"{target}: not a web page or text file (binary data)")


@cli.command()
@click.option("--port", default=8765, show_default=True,
              help="Port for the sample site on 127.0.0.1; any port gives the same "
                   "history, stored under http://demo.invalid/.")
@click.pass_context
def demo(click_ctx: click.Context, port: int) -> None:
    """Serve the bundled offline sample on 127.0.0.1 and run the real pipeline on it.

    The history goes to state/demo.db (or --db), never into your real one, and the
    week's digest beside it (state/demo-digests/). The sample's releases date from
    2018 to 2026, so the digest lists the older ones under "Found in the archive",
    as `digest --include-backlog` does.
    """
    import tempfile
    from importlib.resources import files

    from monitor import digest as digests
    from monitor.fetch import Fetcher
    from monitor.sampleserver import DEMO_BASE, LoopbackTransport, SiteServer, demo_federal_register

    ctx: Context = click_ctx.obj
    if click_ctx.parent.get_parameter_source("db_path").name == "DEFAULT":
        ctx.settings = replace(ctx.settings, db="state/demo.db")  # never mix in the sample
    db = Path(ctx.db_path)
    out = db.with_name(f"{db.stem}-digests")
    if problem := folder_problem(out):
        raise click.ClickException(f"{out}: {problem}")
    sample = files("monitor") / "sample"
    try:
        server = SiteServer(Path(str(sample / "site")), port=port, routes={
            "/api/v1/documents.json": demo_federal_register(
                Path(str(sample / "federal-register-api.json")), date.today())})
    except OSError as exc:
        raise click.ClickException(f"cannot serve the sample on 127.0.0.1:{port} "
                                   f"({exc.strerror}); choose another --port") from exc
    with server, Fetcher(mounts={DEMO_BASE: LoopbackTransport(server.port)}) as fetcher, \
            tempfile.TemporaryDirectory() as tmp, ctx.writer_lock("policy-monitor demo"):
        config = Path(tmp) / "sample.toml"
        config.write_text((sample / "feeds.toml").read_text(encoding="utf-8")
                          .replace("{base}", DEMO_BASE), encoding="utf-8")
        ctx.config_path = str(config)
        store = ctx.store(create=True)
        if not ctx.quiet:
            click.echo(f"Serving the sample newsroom on {server.base_url} (stored as "
                       f"{DEMO_BASE}/...), crawling it into {ctx.db_path}", err=True)
        run_once(store, ctx.sources(), interactive=not ctx.quiet, fetcher=fetcher)
        week = digests.iso_week(date.today().strftime("%G-W%V"))
        result = digests.publish(store, week, out, include_backlog=True,
                                 datasette_url=ctx.settings.datasette_url)
    click.echo(f"Database: {ctx.db_path}  (browse it: policy-monitor --db {ctx.db_path} "
               f"datasette, after pip install 'policy-monitor[datasette]')")
    click.echo(f"Digest:   {result.html_path}  (this week's; the sample's older releases "
               f"are under \"Found in the archive\", as digest --include-backlog lists them)")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def classify(file: str, as_json: bool) -> None:
    """Label an article (text or HTML file, or - for stdin): new policy, reversal, statistic, none."""
    from monitor.classify import classify_text
    from monitor.figures import figure_json

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot read: {exc.strerror or exc}") from exc
    if not text.strip():
        raise click.ClickException(f"{file}: empty input, nothing to classify")
    result = classify_text(text)
    if as_json:
        echo_json({"label": result.label, "confidence": result.confidence,
                   "statements": [{"text": s.text, "label": s.label, "confidence": s.confidence,
                                   "evidence": s.evidence} for s in result.statements],
                   "statistics": [figure_json(s) for s in result.statistics],
                   "evidence": result.evidence})
        return
    click.echo(f"{result.label} ({result.confidence:.2f})")
    for s in result.statements:
        if s.label != "none":
            cues = ", ".join(c["match"] for c in s.evidence["cues"][:3])
            click.echo(f"  [{s.label} {s.confidence:.2f}] {s.text}" + (f"  <- {cues}" if cues else ""))
    for stat in result.statistics:
        unit = "" if stat.unit == "percent" else f" {stat.unit}"
        click.echo(f"  {stat.metric}: {stat.as_written}{unit} ({stat.role}, "
                   f"{stat.period.label or 'period not stated'}; series {stat.series})")


@cli.command()
@pass_context
def reclassify(ctx: Context) -> None:
    """Re-label the whole history with the current classifier (earlier labels kept in label_history)."""
    from monitor.history import reclassify as reclassify_all

    store = ctx.store()
    with ctx.writer_lock("policy-monitor reclassify"):
        counts = reclassify_all(store)
    if not ctx.quiet:  # the same fields on every database, zeros included
        click.echo(f"classifier {counts['classifier']}: " + ", ".join(
            f"{counts.get(key, 0)} {name}" for key, name in RECLASSIFY_SUMMARY))


#: What ``reclassify`` reports: key of its counts -> what they count.
RECLASSIFY_SUMMARY = (
    ("documents", "documents"), ("changed_documents", "changed their label"),
    ("statements", "statements"), ("changed_statements", "changed their label"),
    ("statistics", "figures"), ("reverses", "reversal links"),
    ("same_event", "same-event links"),
)


@cli.command("label")
@click.argument("document", metavar="URL_OR_ID")
@click.argument("label")
@click.option("--note", help="Why (kept with the correction).")
@pass_context
def label_command(ctx: Context, document: str, label: str, note: str | None) -> None:
    """Correct a document's label (new_policy, reversal, statistic_update, none): kept as gold."""
    from monitor.corrections import CorrectionError, correct

    with ctx.writer_lock("policy-monitor label"):
        try:
            row = correct(ctx.store(), document, label, note)
        except CorrectionError as exc:
            raise click.ClickException(str(exc)) from exc
    if not ctx.quiet:
        click.echo(f"{row['url']}: {row['previous_label'] or 'unlabelled'} -> {label}, corrected by a reader")


@cli.group()
def corrections() -> None:
    """Share readers' label corrections as JSONL (one correction per line)."""


@corrections.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@pass_context
def corrections_export(ctx: Context, file: str) -> None:
    """Write every stored correction to FILE."""
    from monitor.corrections import export_corrections

    try:
        n = export_corrections(ctx.store(), file)
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot write: {exc.strerror or exc}") from exc
    if not ctx.quiet:
        click.echo(f"{n} corrections written to {file}")


@corrections.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@pass_context
def corrections_import(ctx: Context, file: str) -> None:
    """Store the corrections in FILE for documents this database holds (by URL)."""
    from monitor.corrections import CorrectionError, import_corrections

    with ctx.writer_lock("policy-monitor corrections import"):
        try:
            counts = import_corrections(ctx.store(), file)
        except (OSError, UnicodeDecodeError, CorrectionError) as exc:
            raise click.ClickException(str(exc)) from exc
    if not ctx.quiet:
        click.echo(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items()))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--corpus", type=click.Path(dir_okay=False, exists=True),
              help="Score this JSONL of {title, text, label} documents instead.")
@click.option("--by", type=click.Choice(["genre", "agency"]),
              help="With --corpus: accuracy per genre (or agency) too.")
@click.option("--folds", type=click.IntRange(min=2), metavar="K",
              help="With --corpus: K-fold cross-validation, training on the other folds "
                   "(for a corpus that was trained or tuned on).")
def evaluate(as_json: bool, corpus: str | None, by: str | None, folds: int | None) -> None:
    """Score the classifier on the held-out splits and leave-one-article-out on the baseline."""
    if corpus:
        _evaluate_corpus(corpus, by, folds, as_json)
        return
    if by or folds:
        raise click.UsageError("--by and --folds need --corpus")
    from monitor.classify import (
        default_model, evaluate_devset, evaluate_documents, leave_one_article_out,
        load_gold_baseline, training_documents, tune_documents,
    )
    from monitor.classify.evaluate import cross_validate_tune, out_of_fold_scores

    test, test_statements, errors = evaluate_devset(default_model(), "test")
    own = evaluate_documents(default_model(), training_documents("test"), "genre")
    scored = out_of_fold_scores(tune_documents(), load_gold_baseline(), own=training_documents())
    report = {"test_documents": test, "test_statements": test_statements, "test_errors": errors,
              "own_held_out": own,
              "tune_documents_5fold": cross_validate_tune(scored),
              "baseline_leave_one_article_out": leave_one_article_out()}
    if as_json:
        echo_json(report)
        return
    _print_scores(f"Held-out dev set (test split, {test['n']} documents)", test)
    for e in errors:
        click.echo(f"  wrong: {e['id']} {e['gold']} -> {e['predicted']}: {e['title']}")
    _print_scores(f"\nHeld-out statements ({test_statements['n']})", test_statements)
    if own["n"]:
        _print_corpus_report(f"\nOwn-words held-out split ({own['n']} documents of "
                             "monitor/data/training)", own)
    loao = report["baseline_leave_one_article_out"]
    click.echo("\nBaseline, leave one article out (model fitted without the article):")
    for row in loao["documents"]:
        mark = "ok " if row["gold"] == row["predicted"] else "MISS"
        click.echo(f"  {mark} {row['file']}: gold {row['gold']}, predicted {row['predicted']} "
                   f"({row['confidence']:.2f})")
    _print_scores("Baseline statements (leave one article out)", loao["statement_scores"])
    _print_scores("\nTraining documents (dev set tune split and own-words training split), "
                  "5-fold cross-validation", report["tune_documents_5fold"])


def _evaluate_corpus(path: str, by: str | None, folds: int | None, as_json: bool) -> None:
    from monitor.classify import evaluate_corpus, load_corpus

    try:
        docs = load_corpus(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not docs:
        raise click.ClickException(f"{path}: no documents")
    report = evaluate_corpus(docs, folds or 0, by)
    if as_json:
        echo_json(report)
        return
    how = f"{folds}-fold cross-validation" if folds else "the packaged model"
    _print_corpus_report(f"{path} ({report['n']} documents, {how})", report)


def _print_corpus_report(heading: str, report: dict) -> None:
    _print_scores(heading, report)
    click.echo(f"  reversal precision {report['reversal_precision']:.3f}")
    for field_value, group in report.get("by", {}).items():
        click.echo(f"  {field_value:<48}{group['correct']:>4}/{group['n']:<4}{group['accuracy']:>7.2f}")
    for e in report["errors"]:
        click.echo(f"  wrong: {e['id']} {e['gold']} -> {e['predicted']}: {e['title']}")


def _print_scores(heading: str, scores: dict) -> None:
    click.echo(f"{heading}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f}")
    labels = list(scores["confusion"])
    click.echo(f"  {'label':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
    for label in labels:
        c = scores["per_class"][label]
        click.echo(f"  {label:<18}{c['precision']:>10.3f}{c['recall']:>8.3f}{c['f1']:>7.3f}"
                   f"{c['support']:>5}")
    click.echo("  confusion (rows gold, columns predicted):")
    width = max(len(label) for label in labels) + 2  # whole names: statistic_update
    click.echo("  " + " " * 18 + "".join(f"{p:>{width}}" for p in labels))
    for gold in labels:
        click.echo(f"  {gold:<18}" + "".join(f"{scores['confusion'][gold][p]:>{width}}"
                                             for p in labels))


def _mail_options(command):
    """``--smtp``, ``--mail-from`` and ``--mail-to``: they override the settings' [mail]."""
    command = click.option("--mail-to", "mail_to", multiple=True, metavar="ADDR",
                           help="Recipient (repeatable).")(command)
    command = click.option("--mail-from", "mail_from", metavar="ADDR", help="Sender.")(command)
    return click.option("--smtp", metavar="HOST:PORT", help="SMTP server.")(command)


@cli.command()
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Digest folder.  [default: the settings' digests, else digests/]")
@click.option("--include-backlog", is_flag=True,
              help="Also list documents published over 30 days before they were first "
                   "seen (a first crawl's archive).")
@click.option("--email", is_flag=True, help="Mail the digest (and any mail still queued).")
@_mail_options
@pass_context
def digest(ctx: Context, week, since, until, out_dir, include_backlog, email, smtp, mail_from,
           mail_to) -> None:
    """Write the digest of a period (default: the last complete ISO week) as HTML and text.

    Also rewrites DIGESTS/index.html and the Atom feed DIGESTS/changes.atom. A week
    already written is replaced; a digest already mailed to someone is not mailed again.
    """
    from monitor import digest as digests
    from monitor.mail import flush_outbox, queue_digest

    try:
        if week and (since or until):
            raise digests.DigestError("use either --week or --since/--until, not both")
        if week:
            period = digests.iso_week(week)
        elif since or until:
            if not (since and until):
                raise digests.DigestError("--since and --until go together")
            period = digests.date_range(since.date(), until.date())
        else:
            period = digests.last_complete_week()
        mail = with_mail_flags(ctx.settings.mail, smtp=smtp, sender=mail_from,
                               recipients=mail_to)
    except (digests.DigestError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    if email and not mail.configured:
        raise click.ClickException(
            "--email needs an SMTP host, a sender and a recipient: set [mail] in the "
            "settings file or pass --smtp, --mail-from and --mail-to")
    out_dir = out_dir or ctx.settings.digests
    if problem := folder_problem(out_dir):
        raise click.ClickException(f"--out {out_dir}: {problem}")
    store = ctx.store()
    with ctx.writer_lock("policy-monitor digest"):
        result = digests.publish(store, period, out_dir, include_backlog=include_backlog,
                                 datasette_url=ctx.settings.datasette_url)
        if not ctx.quiet:
            click.echo(f"{result.subject}\n  {result.html_path}\n  {result.text_path}")
        if email:
            queue_digest(store, digest=result.name, subject=result.subject,
                         text=result.text, html=result.html, mail=mail)
            sent, failed = flush_outbox(store, mail)
            if not ctx.quiet:
                click.echo(f"mail: {sent} sent, {failed} failed")
            if failed:
                raise click.ClickException(
                    f"{failed} message(s) could not be sent; they stay in the outbox and "
                    f"are retried by the next run or digest --email")


@cli.command()
@pass_context
def serve(ctx: Context) -> None:
    """Run as a daemon: each source on its interval, the digest weekly (settings [schedule]).

    Stops cleanly on SIGTERM or Ctrl-C, after the job that is running.
    """
    import logging

    from monitor.daemon import Daemon

    logging.basicConfig(level=logging.WARNING if ctx.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("httpx", "apscheduler"):  # a line per request or job: warnings only
        logging.getLogger(chatty).setLevel(logging.WARNING)
    ctx.store(create=True).close()  # a database that cannot be used fails now, not later
    sys.exit(Daemon(ctx.settings, ctx.sources()).serve())


@cli.command("evaluate-extraction")
@click.option("--data", "data_dir", default=None,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of labelled pages (.html + .json); default: the bundled set.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def evaluate_extraction(data_dir: Path | None, as_json: bool) -> None:
    """Score article extraction, ours vs trafilatura, on labelled pages per split."""
    from monitor.evaluate_extraction import DATA, evaluate, format_table

    rows = evaluate(data_dir or DATA)
    if not rows:
        raise click.ClickException(f"no labelled pages (*.json) in {data_dir or DATA}")
    if as_json:
        echo_json(rows)
    else:
        click.echo(format_table(rows))


@cli.command("evaluate-links")
@click.option("--corpus", "corpus", default=None, type=click.Path(dir_okay=False),
              help="JSON Lines of documents with the ids each one reverses; "
                   "default: the bundled own-words set.")
@click.option("--gold", "gold", default=None, type=click.Path(dir_okay=False),
              help="JSON object: document id -> ids it reverses, for a corpus without "
                   "'reverses' (e.g. monitor/data/links/realtext-gold.json).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def evaluate_links(corpus: str | None, gold: str | None, as_json: bool) -> None:
    """Precision and recall of reverses links on a corpus stored through the real code."""
    from monitor.evaluate_links import CORPUS, CorpusError, evaluate, format_report

    try:
        report = evaluate(corpus or CORPUS, gold)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def policy(ctx: Context, name: str, as_json: bool) -> None:
    """Print a policy's timeline: announced, extended, suspended, ended, reinstated.

    NAME is its name or an alias ("Remain in Mexico", "DACA", "TPS Haiti", "memo 2012-06-15").
    """
    from monitor.policies import find_policy
    from monitor.timeline import timeline

    if not Path(ctx.db_path).exists():
        raise click.ClickException(f"{ctx.db_path}: no such database (run `policy-monitor init`)")
    store = ctx.store()
    found, close = find_policy(store.db, name)
    if found is None:
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise click.ClickException(f"no policy named {name!r} in the history{hint}")
    events = timeline(store.db, found["id"])
    if as_json:
        echo_json(found | {"timeline": events})
        return
    click.echo(f"{found['name']} ({found['kind']})")
    for e in events:
        click.echo(f"  {e['date'] or '(no date)':<10}  {e['what']:<10}  {e['title'] or e['url']}"
                   f"  [{e['source']}]  {e['url']}")


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_context
def datasette(ctx: Context, args: tuple[str, ...]) -> None:
    """Browse and search the history in Datasette, with the canned queries.

    Needs pip install 'policy-monitor[datasette]'. ARGS go to `datasette serve`
    (e.g. --port 8002, --open).
    """
    import importlib.util
    import signal
    import subprocess
    import tempfile

    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException(
            "Datasette is not installed: pip install 'policy-monitor[datasette]'")
    from monitor.starter import datasette_metadata

    ctx.store().close()  # a missing or unusable database fails here, in one line
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(datasette_metadata(Path(ctx.db_path))), encoding="utf-8")
        command = [sys.executable, "-m", "datasette", "serve", ctx.db_path,
                   "--metadata", str(metadata), *args]
        server = subprocess.Popen(command)
        # A service manager stops us with SIGTERM (or SIGHUP): pass it on, so Datasette
        # does not outlive the command that started it.
        stops = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s]
        before = {s: signal.signal(s, lambda signum, _: server.send_signal(signum))
                  for s in stops}
        try:
            status = server.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Datasette too; it is stopping
            server.wait()
            status = 0
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)
    if status < 0:  # Datasette ended by a signal: stopped as asked, or the shell's 128+N
        status = 0 if status == -signal.SIGTERM else 128 - status
    sys.exit(status)


@cli.command("evaluate-figures")
@click.option("--corpus", "corpus_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines of releases with gold figures (field statistics); default: "
                   "the bundled tune and held-out sets.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with every miss.")
@click.option("--misses", is_flag=True, help="Also list the figures missed or misread.")
def evaluate_figures(corpus_path: Path | None, as_json: bool, misses: bool) -> None:
    """Score figures: value recall, period accuracy and previous-value precision."""
    from monitor.evaluate_figures import DATA, SPLITS, format_report, load_corpus, score, \
        statistics_releases

    try:
        corpora = ({corpus_path.name: load_corpus(corpus_path)} if corpus_path else
                   {split: load_corpus(DATA / f"{split}.jsonl") for split in SPLITS})
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read the corpus: {exc}") from exc
    results = {}
    for name, corpus in corpora.items():
        if not statistics_releases(corpus):
            raise click.ClickException(f"{name}: no releases with gold figures (field statistics)")
        results[name] = score(corpus)
    if as_json:
        echo_json(results)
        return
    for name, result in results.items():
        click.echo(format_report(name, result))
        if misses:
            for miss in result["misses"]:
                click.echo(f"    {miss['id']}: {miss['value']:,} ({miss['period']}): {miss['why']}")

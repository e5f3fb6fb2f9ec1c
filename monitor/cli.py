"""The ``policy-monitor`` command line.

Every user-facing failure ends as one line on stderr and a non-zero exit code
(``click.ClickException``); tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import click

from monitor.config import ConfigError, load_sources
from monitor.lock import LockError, WriterLock
from monitor.settings import Settings, SettingsError, load_settings, with_mail_flags
from monitor.store import Store, StoreError

DEFAULT_CONFIG = "feeds"
DEFAULT_DB = Settings.db


@dataclass
class Context:
    """What the global options select; commands open only what they need."""

    config_path: str
    quiet: bool
    #: The settings file and environment, with ``--db`` applied.
    settings: Settings = Settings()

    @property
    def db_path(self) -> str:
        return self.settings.db

    def sources(self):
        try:
            return load_sources(self.config_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def store(self) -> Store:
        try:
            return Store(self.db_path)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc

    @contextmanager
    def writer_lock(self, command: str, wait: float = 0.0):
        """Hold the database's writer lock, or fail with who holds it."""
        lock = WriterLock(self.db_path, command, wait=wait)
        try:
            lock.acquire()
        except LockError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            yield
        finally:
            lock.release()


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    try:
        settings = load_settings(settings_path)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = Context(config_path=config_path, quiet=quiet,
                      settings=replace(settings, db=db_path or settings.db))


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _interactive(ctx: Context) -> bool:
    """Progress is for people at a terminal; under cron only failures are printed."""
    return not ctx.quiet and sys.stderr.isatty()


@cli.command()
@pass_context
def init(ctx: Context) -> None:
    """Create the database (or upgrade its schema) and load the labelled baseline."""
    from monitor.history import load_baseline

    store = ctx.store()
    added = load_baseline(store)
    if not ctx.quiet:
        click.echo(f"{ctx.db_path}: schema version {store.schema_version}, "
                   f"{added} baseline document(s) added")


@cli.command()
@pass_context
def schema(ctx: Context) -> None:
    """Print the database schema (the README shows the same)."""
    click.echo(ctx.store().schema(), nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@pass_context
def sources(ctx: Context, as_json: bool) -> None:
    """List the configured sources (loading them validates the configuration)."""
    from monitor.blocking import backed_off_until

    configured = ctx.sources()
    status, blocked = {}, {}
    if Path(ctx.db_path).exists():
        status = {row["name"]: row for row in ctx.store().db["sources"].rows}
        blocked = backed_off_until(ctx.store(), configured)
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
        standing_in = [o.name for o in configured if s.name in o.fallbacks]
        flag = "" if s.enabled else (
            f" (runs while {', '.join(standing_in)} is blocked)" if standing_in else " (disabled)")
        click.echo(f"{s.name:<28} {s.kind:<7} every {s.interval:>4} min  {s.location}{flag}{health}")
    if not ctx.quiet:
        click.echo(f"{len(configured)} source(s) in {ctx.config_path}", err=True)


@cli.command()
@click.option("--source", "only", multiple=True, help="Run only this source (repeatable).")
@pass_context
def run(ctx: Context, only: tuple[str, ...]) -> None:
    """Run one full cycle: fetch, extract, store and classify (for cron and timers)."""
    configured = selected = ctx.sources()
    if only:
        unknown = set(only) - {s.name for s in selected}
        if unknown:
            raise click.ClickException(f"unknown source(s): {', '.join(sorted(unknown))}")
        selected = [s for s in selected if s.name in only]
    with ctx.writer_lock("policy-monitor run"):
        store = ctx.store()
        run_once(store, selected, interactive=_interactive(ctx),
                 allow_internal=ctx.settings.allow_internal, catalogue=configured)
        if ctx.settings.mail.configured:  # digests that could not be sent before
            from monitor.mail import flush_outbox

            sent, failed = flush_outbox(store, ctx.settings.mail)
            if failed:
                click.echo(f"mail: {failed} queued digest message(s) still not sent", err=True)


def run_once(store: Store, selected, *, interactive: bool,
             allow_internal: tuple[str, ...] = (), catalogue=()) -> None:
    """One cycle for ``run`` and ``demo``: progress on a terminal, failures always."""
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

    summary = run_cycle(store, selected, progress=progress, allow_internal=allow_internal,
                        catalogue=catalogue)
    if interactive:
        click.echo(
            f"{len(summary.reports)} source(s), {len(summary.failed)} failed; "
            f"{summary.total('new_documents')} new document(s), "
            f"{summary.total('new_versions')} new version(s), "
            f"{summary.total('new_statements')} new statement(s); "
            f"{summary.fetches} request(s), {summary.bytes:,} bytes", err=True)
    for report in summary.failed:
        click.echo(f"source {report.name} failed: {report.error}", err=True)


@cli.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def extract(ctx: Context, target: str, as_json: bool) -> None:
    """Extract one page (a file or an http(s) URL) exactly as ``run`` would."""
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
        article = extract_article(response.content, response.final_url,
                                  charset=response.charset)
    else:
        path = Path(target)
        if not path.is_file():
            raise click.ClickException(f"{target}: no such file (or not an http(s) URL)")
        data = path.read_bytes()
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


@cli.command()
@click.option("--port", default=8765, show_default=True,
              help="Port for the sample site; a fixed one keeps its URLs, and so the "
                   "stored history, the same from one demo to the next.")
@click.pass_context
def demo(click_ctx: click.Context, port: int) -> None:
    """Serve the bundled offline sample on 127.0.0.1 and run the real pipeline on it."""
    import tempfile
    from datetime import date
    from importlib.resources import files

    from monitor import digest as digests
    from monitor.sampleserver import SiteServer

    ctx: Context = click_ctx.obj
    if click_ctx.parent.get_parameter_source("db_path").name == "DEFAULT":
        ctx.settings = replace(ctx.settings, db="state/demo.db")  # never mix in the sample
    out = Path(ctx.settings.digests) / "demo"
    sample = files("monitor") / "sample"
    try:
        server = SiteServer(Path(str(sample / "site")), port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot serve the sample on 127.0.0.1:{port} "
                                   f"({exc.strerror}); choose another --port") from exc
    with server, \
            tempfile.TemporaryDirectory() as tmp, ctx.writer_lock("policy-monitor demo"):
        config = Path(tmp) / "sample.toml"
        config.write_text((sample / "feeds.toml").read_text(encoding="utf-8")
                          .replace("{base}", server.base_url), encoding="utf-8")
        ctx.config_path = str(config)
        click.echo(f"Serving the sample site at {server.base_url}", err=True)
        store = ctx.store()
        run_once(store, ctx.sources(), interactive=not ctx.quiet)
        week = digests.iso_week(date.today().strftime("%G-W%V"))
        # the sample's releases stay in "this week" even once their dates are old news
        result = digests.publish(store, week, out, include_backlog=True)
    click.echo(f"Database: {ctx.db_path}  (browse it: pip install datasette; datasette "
               f"{ctx.db_path} --metadata deploy/datasette-metadata.yml)")
    click.echo(f"Digest:   {result.html_path}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def classify(file: str, as_json: bool) -> None:
    """Label an article (text or HTML file, or - for stdin): new policy, reversal, statistic, none."""
    from monitor.classify import classify_text

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
                   "statistics": [vars(s) for s in result.statistics],
                   "evidence": result.evidence})
        return
    click.echo(f"{result.label} ({result.confidence:.2f})")
    for s in result.statements:
        if s.label != "none":
            cues = ", ".join(c["match"] for c in s.evidence["cues"][:3])
            click.echo(f"  [{s.label} {s.confidence:.2f}] {s.text}" + (f"  <- {cues}" if cues else ""))
    for stat in result.statistics:
        click.echo(f"  {stat.metric}: {stat.value:,.0f} {stat.unit} ({stat.period or 'period not stated'})")


@cli.command()
@pass_context
def reclassify(ctx: Context) -> None:
    """Re-label the whole history with the current classifier (earlier labels kept in label_history)."""
    from monitor.history import reclassify as reclassify_all

    with ctx.writer_lock("policy-monitor reclassify"):
        counts = reclassify_all(ctx.store())
    if not ctx.quiet:
        click.echo(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items()))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--tune", is_flag=True,
              help="Also choose thresholds on the tune split (cross-validated) and print them.")
def evaluate(as_json: bool, tune: bool) -> None:
    """Score the classifier on the held-out dev set and leave-one-article-out on the baseline."""
    from monitor.classify import (
        THRESHOLDS, cross_validate_tune, default_model, evaluate_devset, leave_one_article_out,
        load_gold_baseline, out_of_fold_scores, tune_documents, tune_thresholds,
    )

    test, test_statements, errors = evaluate_devset(default_model(), "test")
    scored = out_of_fold_scores(tune_documents(), load_gold_baseline())
    report = {"test_documents": test, "test_statements": test_statements, "test_errors": errors,
              "tune_documents_5fold": cross_validate_tune(scored),
              "baseline_leave_one_article_out": leave_one_article_out(),
              "thresholds": THRESHOLDS}
    if tune:
        report["tuned_thresholds"] = tune_thresholds(scored)
    if as_json:
        echo_json(report)
        return
    _print_scores(f"Held-out dev set (test split, {test['n']} documents)", test)
    for e in errors:
        click.echo(f"  wrong: {e['id']} {e['gold']} -> {e['predicted']}: {e['title']}")
    _print_scores(f"\nHeld-out statements ({test_statements['n']})", test_statements)
    loao = report["baseline_leave_one_article_out"]
    click.echo("\nBaseline, leave one article out (model fitted without the article):")
    for row in loao["documents"]:
        mark = "ok " if row["gold"] == row["predicted"] else "MISS"
        click.echo(f"  {mark} {row['file']}: gold {row['gold']}, predicted {row['predicted']} "
                   f"({row['confidence']:.2f})")
    _print_scores("Baseline statements (leave one article out)", loao["statement_scores"])
    _print_scores("\nTune split, 5-fold cross-validation (documents)", report["tune_documents_5fold"])
    click.echo(f"\nThresholds in use: {THRESHOLDS}")
    if tune:
        click.echo(f"Thresholds chosen on the tune split now: {report['tuned_thresholds']}")


def _print_scores(heading: str, scores: dict) -> None:
    click.echo(f"{heading}: macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f}")
    labels = list(scores["confusion"])
    click.echo(f"  {'label':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
    for label in labels:
        c = scores["per_class"][label]
        click.echo(f"  {label:<18}{c['precision']:>10.3f}{c['recall']:>8.3f}{c['f1']:>7.3f}"
                   f"{c['support']:>5}")
    click.echo("  confusion (rows gold, columns predicted):")
    click.echo("  " + " " * 18 + "".join(f"{p[:10]:>11}" for p in labels))
    for gold in labels:
        click.echo(f"  {gold:<18}" + "".join(f"{scores['confusion'][gold][p]:>11}" for p in labels))


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
    with ctx.writer_lock("policy-monitor digest"):
        store = ctx.store()
        result = digests.publish(store, period, out_dir or ctx.settings.digests,
                                 include_backlog=include_backlog)
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
    ctx.store().close()  # a database that cannot be used fails now, not at the first job
    sys.exit(Daemon(ctx.settings, ctx.sources()).serve())


@cli.command("evaluate-extraction")
@click.option("--data", "data_dir", default=None,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of labelled pages (.html + .json); default: the bundled set.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def evaluate_extraction(data_dir: Path | None, as_json: bool) -> None:
    """Score article extraction, ours vs trafilatura, on labelled pages per split."""
    try:
        from monitor.evaluate_extraction import DATA, evaluate, format_table
    except ImportError as exc:  # trafilatura is the comparison, not a dependency
        raise click.ClickException(
            f"{exc.name} is needed to compare extractors: pip install 'policy-monitor[eval]'"
        ) from exc

    rows = evaluate(data_dir or DATA)
    if not rows:
        raise click.ClickException(f"no labelled pages (*.json) in {data_dir or DATA}")
    if as_json:
        echo_json(rows)
    else:
        click.echo(format_table(rows))

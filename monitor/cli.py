"""The ``policy-monitor`` command line.

Every user-facing failure ends as one line on stderr and a non-zero exit code
(``click.ClickException``); tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from monitor.config import ConfigError, load_sources
from monitor.store import Store, StoreError

DEFAULT_CONFIG = "feeds"
DEFAULT_DB = "state/monitor.db"


@dataclass
class Context:
    """What the global options select; commands open only what they need."""

    config_path: str
    db_path: str
    quiet: bool

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


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=DEFAULT_CONFIG, show_default=True,
              envvar="POLICY_MONITOR_CONFIG",
              help="Source configuration: a TOML file or a folder of them.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              envvar="POLICY_MONITOR_DB", help="SQLite database.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.version_option(package_name="policy-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str, quiet: bool) -> None:
    """Watch DHS newsrooms and the Federal Register for immigration policy changes."""
    ctx.obj = Context(config_path=config_path, db_path=db_path, quiet=quiet)


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))

"""What an installed package brings along: starter sources, settings and Datasette metadata.

``monitor/defaults/`` holds the real sources (``feeds/``), the commented settings file
and the Datasette metadata, so that ``pip install policy-monitor`` works outside a
checkout. The repository's top-level ``feeds/``, ``policy-monitor.example.toml`` and
``deploy/datasette-metadata.yml`` are the same files (a test keeps them equal).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

DEFAULTS = files("monitor") / "defaults"
SETTINGS_DEFAULTS = {"db": "state/monitor.db", "digests": "digests"}


def write_feeds(folder: Path) -> str:
    """Copy the packaged sources into ``folder`` unless something is there already."""
    if folder.exists():
        return f"{folder}: already there, left as it is"
    folder.mkdir(parents=True)
    written = []
    for source in sorted((DEFAULTS / "feeds").iterdir(), key=lambda f: f.name):
        if source.name.endswith(".toml"):
            (folder / source.name).write_text(source.read_text(encoding="utf-8"),
                                              encoding="utf-8")
            written.append(source.name)
    return (f"{folder}/: wrote {len(written)} source files ({', '.join(written)}); "
            f"`policy-monitor sources` lists them")


def write_settings(path: Path, **values: str) -> str:
    """Write the commented settings file with ``db`` and ``digests`` as given, never over
    an existing file."""
    if path.exists():
        return f"{path}: already there, left as it is"
    text = (DEFAULTS / "policy-monitor.toml").read_text(encoding="utf-8")
    for key, value in values.items():  # JSON strings are TOML basic strings
        text = text.replace(f'{key} = {json.dumps(SETTINGS_DEFAULTS[key])}',
                            f"{key} = {json.dumps(value)}", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"{path}: wrote the settings (database, digests, schedule, mail), commented"


def datasette_metadata(database: Path) -> dict:
    """The packaged metadata, with its canned queries and search also under the name
    Datasette gives ``database`` (its file name without the extension)."""
    import yaml  # Datasette's own dependency

    metadata = yaml.safe_load((DEFAULTS / "datasette-metadata.yml").read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases.setdefault(database.stem, databases["monitor"])
    return metadata

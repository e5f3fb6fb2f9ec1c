"""The README is documentation tested against the code: schema, commands, quickstart."""

import re
from pathlib import Path

from monitor.classify import LABELS
from monitor.cli import cli
from monitor.store import Store

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_schema_section_matches_the_database(tmp_path):
    block = re.search(r"<!-- schema -->\n```sql\n(.*?)```\n<!-- /schema -->", README, re.S)
    assert block, "README lost its schema markers"
    assert block.group(1) == Store(tmp_path / "m.db").schema(), (
        "README schema is stale: paste the output of `policy-monitor schema`")


def test_every_command_is_documented():
    section = README.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    table = {m.group(1) for m in re.finditer(r"^\| `([a-z-]+)[ `]", section, re.M)}
    assert table == set(cli.commands)


def test_quickstart_opens_with_the_demo_and_the_ci_command():
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = [line for line in quickstart.splitlines()
                if line and not line.startswith(("#", "`"))]
    assert commands[0].endswith("policy-monitor demo")
    assert commands[1] == "bash .ci/run"


def test_labels_are_defined():
    for label in LABELS:
        assert f"| `{label}` |" in README

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


def walkthrough() -> list[tuple[str, list[str]]]:
    """The README's console walk-through: (command, the lines it prints)."""
    block = re.search(r"<!-- walkthrough -->\n```console\n(.*?)```\n<!-- /walkthrough -->",
                      README, re.S)
    assert block, "README lost its walk-through markers"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def test_walkthrough_prints_what_the_readme_shows(tmp_path, monkeypatch):
    """Commands shown with their output are run in an empty folder and compared (the
    schema version grows with each migration, so only its shape is compared)."""
    import shlex

    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    shown = [(command, output) for command, output in walkthrough() if output]
    assert [command for command, _ in shown] == ["policy-monitor init", "policy-monitor sources"]
    for command, expected in shown:
        result = CliRunner().invoke(cli, shlex.split(command)[1:],
                                    env={"POLICY_MONITOR_SETTINGS": "", "POLICY_MONITOR_DB": ""})
        assert result.exit_code == 0, result.output
        normal = re.compile(r"schema version \d+")
        assert normal.sub("schema version N", result.output) == normal.sub(
            "schema version N", "\n".join(expected) + "\n")

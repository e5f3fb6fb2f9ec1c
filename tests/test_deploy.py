"""Deployment files and settings: units verified by systemd, command lines accepted by the CLI."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest_data import WEEK, build_week
from monitor.cli import cli
from monitor.settings import SettingsError, load_settings
from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/policy-monitor/venv/bin/policy-monitor"
UNITS = ["policy-monitor.service", "policy-monitor-run.service", "policy-monitor-run.timer",
         "policy-monitor-digest.service", "policy-monitor-digest.timer"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def accepted_by_cli(argv: list[str]) -> None:
    """The command line parses: every option exists where it is used."""
    assert argv[0] == INSTALLED
    result = CliRunner().invoke(cli, [*argv[1:], "--help"], env={"POLICY_MONITOR_SETTINGS": ""})
    assert result.exit_code == 0, (argv, result.output)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_analyze_verify(tmp_path):
    # verify insists that ExecStart exists: point it at this checkout's installed script.
    script = Path(sys.executable).with_name("policy-monitor")
    assert script.exists()
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(INSTALLED, str(script))
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *(str(tmp_path / name) for name in UNITS)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_units_run_the_right_commands():
    expected = {"policy-monitor.service": ("simple", "serve"),
                "policy-monitor-run.service": ("oneshot", "run"),
                "policy-monitor-digest.service": ("oneshot", "digest")}
    for name, (kind, command) in expected.items():
        service = unit(name)["Service"]
        assert service["Type"] == kind
        argv = shlex.split(service["ExecStart"])
        assert command in argv
        accepted_by_cli(argv)
        assert shlex.split(service["Environment"]) == [
            "POLICY_MONITOR_SETTINGS=/etc/policy-monitor/policy-monitor.toml", "XDG_CACHE_HOME=/var/cache"]
        # ProtectSystem=strict leaves only these writable: the classifier's kept fit goes
        # to the cache directory, or every run would fit it again.
        assert service["CacheDirectory"] == "policy-monitor" and service["ProtectSystem"] == "strict"
        assert "PASSWORD" not in (DEPLOY / name).read_text().replace("_PASSWORD=...", "")
    assert unit("policy-monitor.service")["Service"]["KillSignal"] == "SIGTERM"
    assert "--email" in unit("policy-monitor-digest.service")["Service"]["ExecStart"]
    for timer, calendar in (("policy-monitor-run.timer", "hourly"),
                            ("policy-monitor-digest.timer", "Mon *-*-* 07:00:00")):
        section = unit(timer)["Timer"]
        assert section["OnCalendar"] == calendar and section["Persistent"] == "true"
        assert (DEPLOY / timer.replace(".timer", ".service")).exists()


def test_crontab_lines_are_valid_commands():
    jobs = [line for line in (DEPLOY / "crontab.example").read_text().splitlines()
            if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(jobs) == 2
    for job in jobs:
        fields = job.split(None, 5)
        assert len(fields) == 6
        command = fields[5].split("&&")[-1]
        accepted_by_cli(shlex.split(command))


def test_example_settings_load_and_hold_no_secret(tmp_path):
    settings = load_settings(ROOT / "policy-monitor.example.toml", env={})
    assert settings.db == "state/monitor.db" and settings.digests == "digests"
    assert settings.schedule.digest_cron == "0 7 * * mon"
    assert not settings.mail.configured  # a starter file mails nothing to example.org
    text = (ROOT / "policy-monitor.example.toml").read_text()
    uncommented = tmp_path / "mail.toml"
    uncommented.write_text(text.replace("\n# host", "\nhost").replace("\n# sender", "\nsender")
                           .replace("\n# recipients", "\nrecipients"))
    assert load_settings(uncommented, env={}).mail.configured
    assert not any(line.strip().lstrip("# ").startswith("password") for line in text.splitlines())


@pytest.mark.parametrize("content, message", [
    ("db = 5", "'db' must be a string"),
    ("colour = 'blue'", "unknown key(s) colour"),
    ("[mail]\nport = 70000", "[mail]: 'port' must be a number from 1 to 65535"),
    ("[mail]\npassword = 'x'", "'password' is not read from files; set POLICY_MONITOR_SMTP_PASSWORD"),
    ("[mail]\nsecurity = 'tls'", "'security' must be one of none, starttls, ssl"),
    ("[mail]\nrecipients = ['not an address']", "'recipients' must be an e-mail address"),
    ("[schedule]\ndigest_cron = '0 7 * *'", "'digest_cron' is not a crontab expression"),
    ("[schedule]\nsource_interval_seconds = 0", "'source_interval_seconds' must be a number"),
    ("db = ", "not valid TOML"),
])
def test_settings_errors_name_file_key_and_reason(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["--settings", str(path), "sources"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}: ") and message in line, line


def test_environment_overrides_the_file_and_flags_override_both(tmp_path):
    build_week(tmp_path / "full.db")
    Store(tmp_path / "empty.db").close()
    (tmp_path / "s.toml").write_text(f'db = "{tmp_path / "full.db"}"\ndigests = "{tmp_path / "a"}"\n'
                                     '[mail]\nhost = "file.example.org"\n')

    def page(*args, env=None):
        result = CliRunner().invoke(cli, ["--settings", str(tmp_path / "s.toml"), *args,
                                          "digest", "--week", WEEK], env=env or {})
        assert result.exit_code == 0, result.output
        return result.output.splitlines()[1].strip()

    assert "Asylum processing rule" in Path(page()).read_text()
    empty_env = {"POLICY_MONITOR_DB": str(tmp_path / "empty.db"),
                 "POLICY_MONITOR_DIGESTS": str(tmp_path / "b")}
    shown = page(env=empty_env)
    assert shown.startswith(str(tmp_path / "b")) and "Nothing new" in Path(shown).read_text()
    flagged = page("--db", str(tmp_path / "full.db"), env=empty_env)
    assert "Asylum processing rule" in Path(flagged).read_text()

    settings = load_settings(tmp_path / "s.toml", env={
        "POLICY_MONITOR_SMTP_HOST": "env.example.org", "POLICY_MONITOR_SMTP_PORT": "2525",
        "POLICY_MONITOR_SMTP_PASSWORD": "secret", "POLICY_MONITOR_MAIL_TO": "a@x.org, b@y.org"})
    assert (settings.mail.host, settings.mail.port, settings.mail.password) == \
        ("env.example.org", 2525, "secret")
    assert settings.mail.recipients == ("a@x.org", "b@y.org")
    assert "secret" not in repr(settings)
    with pytest.raises(SettingsError, match="POLICY_MONITOR_SMTP_PORT must be a port number"):
        load_settings(None, env={"POLICY_MONITOR_SMTP_PORT": "smtp"})

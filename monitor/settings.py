"""Settings for everything that is not a source: database, digest folder, schedule, mail.

They come from a TOML file (``--settings PATH``, else ``POLICY_MONITOR_SETTINGS``,
else ``policy-monitor.toml`` in the working directory if it exists), then
``POLICY_MONITOR_*`` environment variables override the file, and command-line
flags override both. The SMTP password is only ever read from the environment
(``POLICY_MONITOR_SMTP_PASSWORD``) so that no secret sits in a file under version
control. A mistake is reported as one line naming the file, the key and the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from monitor.config import allow_list, is_http_url, number_problem, read_toml, unknown_keys_problem

DEFAULT_FILE = "policy-monitor.toml"
SECURITY_MODES = ("none", "starttls", "ssl")
PASSWORD_ENV = "POLICY_MONITOR_SMTP_PASSWORD"


class SettingsError(Exception):
    """The settings cannot be used; the message names file, key and reason."""


@dataclass(frozen=True)
class ScheduleSettings:
    """When ``serve`` runs what."""

    #: Crontab fields "minute hour day month day_of_week" in local time.
    digest_cron: str = "0 7 * * mon"
    #: Replaces ``digest_cron`` when set: a digest every N seconds (tests, demos).
    digest_interval_seconds: int | None = None
    #: Replaces every source's ``interval`` (minutes) when set (tests, demos).
    source_interval_seconds: int | None = None
    #: How late a job may still start after a busy or sleeping machine.
    misfire_grace_seconds: int = 900
    #: How long a job waits for another writer (a manual ``run``) before skipping.
    lock_wait_seconds: float = 120.0


@dataclass(frozen=True)
class MailSettings:
    """SMTP delivery of digests; mail is configured when host, sender and recipients are."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    recipients: tuple[str, ...] = ()
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender and self.recipients)


@dataclass(frozen=True)
class Settings:
    db: str = "state/monitor.db"
    digests: str = "digests"
    #: Where Datasette serves the database (e.g. https://data.example.org): digests then
    #: link each policy to its timeline there. Optional.
    datasette_url: str = ""
    schedule: ScheduleSettings = ScheduleSettings()
    mail: MailSettings = MailSettings()
    #: Internal hosts and networks that links found in any source may reach.
    allow_internal: tuple[str, ...] = ()


_SCHEDULE_NUMBERS = {
    "digest_interval_seconds": (int, 1, 60 * 60 * 24 * 31),
    "source_interval_seconds": (int, 1, 60 * 60 * 24 * 31),
    "misfire_grace_seconds": (int, 1, 60 * 60 * 24 * 7),
    "lock_wait_seconds": ((int, float), 0, 3600),
}


def _number(where: str, key: str, value: object, types, low, high):
    problem = number_problem(key, value, types, low, high)
    if problem:
        raise SettingsError(f"{where}: {problem}")
    return value


def _string(where: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{where}: '{key}' must be a string, not {value!r}")
    return value


def _address(where: str, key: str, value: object) -> str:
    text = _string(where, key, value).strip()
    if "@" not in text or any(c.isspace() or ord(c) < 32 for c in text):
        raise SettingsError(f"{where}: '{key}' must be an e-mail address, not {value!r}")
    return text


def _known(where: str, table: dict, allowed: set[str]) -> None:
    if problem := unknown_keys_problem(table, allowed):
        raise SettingsError(f"{where}: {problem}")


def check_cron(where: str, expression: str) -> str:
    """Validate now, so a typo fails at start-up rather than silently never firing."""
    from apscheduler.triggers.cron import CronTrigger  # only when a schedule is set
    try:
        CronTrigger.from_crontab(expression)
    except ValueError as exc:
        raise SettingsError(f"{where}: 'digest_cron' is not a crontab expression "
                            f"(minute hour day month day_of_week): {exc}") from exc
    return expression


def _schedule(where: str, raw: object) -> ScheduleSettings:
    where = f"{where}: [schedule]"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where} must be a table")
    _known(where, raw, {"digest_cron", *_SCHEDULE_NUMBERS})
    values = {}
    if "digest_cron" in raw:
        values["digest_cron"] = check_cron(where, _string(where, "digest_cron",
                                                          raw["digest_cron"]))
    for key, (types, low, high) in _SCHEDULE_NUMBERS.items():
        if key in raw:
            values[key] = _number(where, key, raw[key], types, low, high)
    return ScheduleSettings(**values)


def _mail(where: str, raw: object) -> MailSettings:
    where = f"{where}: [mail]"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where} must be a table")
    if "password" in raw:
        raise SettingsError(f"{where}: 'password' is not read from files; set "
                            f"{PASSWORD_ENV} in the environment")
    _known(where, raw, {"host", "port", "security", "username", "sender", "recipients",
                        "timeout"})
    values: dict = {}
    for key in ("host", "username"):
        if key in raw:
            values[key] = _string(where, key, raw[key]).strip()
    if "port" in raw:
        values["port"] = _number(where, "port", raw["port"], int, 1, 65535)
    if "timeout" in raw:
        values["timeout"] = _number(where, "timeout", raw["timeout"], (int, float), 1, 600)
    if "security" in raw:
        values["security"] = _security(where, raw["security"])
    if "sender" in raw:
        values["sender"] = _address(where, "sender", raw["sender"])
    if "recipients" in raw:
        recipients = raw["recipients"]
        if not isinstance(recipients, list):
            raise SettingsError(f"{where}: 'recipients' must be a list of addresses")
        values["recipients"] = tuple(_address(where, "recipients", r) for r in recipients)
    return MailSettings(**values)


def _base_url(where: str, value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not is_http_url(value):
        raise SettingsError(f"{where}: 'datasette_url' must be an http(s) URL, not {value!r}")
    return value


def _security(where: str, value: object) -> str:
    if value not in SECURITY_MODES:
        raise SettingsError(f"{where}: 'security' must be one of "
                            f"{', '.join(SECURITY_MODES)}, not {value!r}")
    return value


def _from_file(path: Path) -> Settings:
    where = str(path)
    data = read_toml(path, SettingsError)
    _known(where, data, {"db", "digests", "datasette_url", "schedule", "mail", "allow_internal"})
    values: dict = {}
    for key in ("db", "digests"):
        if key in data:
            if not _string(where, key, data[key]).strip():
                raise SettingsError(f"{where}: '{key}' must not be empty")
            values[key] = data[key]
    if "datasette_url" in data:
        values["datasette_url"] = _base_url(where, _string(where, "datasette_url",
                                                           data["datasette_url"]))
    if "schedule" in data:
        values["schedule"] = _schedule(where, data["schedule"])
    if "mail" in data:
        values["mail"] = _mail(where, data["mail"])
    if "allow_internal" in data:
        values["allow_internal"] = allow_list(
            data["allow_internal"], lambda reason: SettingsError(f"{where}: {reason}"))
    return Settings(**values)


def _from_env(settings: Settings, env: dict[str, str]) -> Settings:
    """Apply ``POLICY_MONITOR_*`` variables; each is checked like its file key, and an
    empty one counts as unset."""
    top: dict = {}
    if value := env.get("POLICY_MONITOR_DB"):
        top["db"] = value
    if value := env.get("POLICY_MONITOR_DIGESTS"):
        top["digests"] = value
    if value := env.get("POLICY_MONITOR_DATASETTE_URL"):
        top["datasette_url"] = _base_url("environment: POLICY_MONITOR_DATASETTE_URL", value)
    mail: dict = {}
    if value := env.get("POLICY_MONITOR_SMTP_HOST"):
        mail["host"] = value.strip()
    if value := env.get("POLICY_MONITOR_SMTP_PORT"):
        if not value.isdigit():
            raise SettingsError(f"environment: POLICY_MONITOR_SMTP_PORT must be a port "
                                f"number, not {value!r}")
        mail["port"] = _number("environment", "POLICY_MONITOR_SMTP_PORT", int(value),
                               int, 1, 65535)
    if value := env.get("POLICY_MONITOR_SMTP_SECURITY"):
        mail["security"] = _security("environment: POLICY_MONITOR_SMTP_SECURITY", value)
    if value := env.get("POLICY_MONITOR_SMTP_USER"):
        mail["username"] = value
    if value := env.get(PASSWORD_ENV):
        mail["password"] = value
    if value := env.get("POLICY_MONITOR_MAIL_FROM"):
        mail["sender"] = _address("environment", "POLICY_MONITOR_MAIL_FROM", value)
    if value := env.get("POLICY_MONITOR_MAIL_TO"):
        mail["recipients"] = tuple(_address("environment", "POLICY_MONITOR_MAIL_TO", r)
                                   for r in value.split(",") if r.strip())
    return replace(settings, **top, mail=replace(settings.mail, **mail))


def load_settings(path: str | Path | None = None,
                  env: dict[str, str] | None = None) -> Settings:
    """Settings from ``path`` (or the usual places), then the environment on top."""
    env = dict(os.environ if env is None else env)
    if path is None:
        path = env.get("POLICY_MONITOR_SETTINGS") or None
        if path is None and Path(DEFAULT_FILE).is_file():
            path = DEFAULT_FILE
    settings = Settings()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise SettingsError(f"{path}: no such settings file")
        settings = _from_file(path)
    return _from_env(settings, env)


def parse_smtp(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``) from the ``--smtp`` flag."""
    host, _, port = value.rpartition(":")
    if not host:
        return value.strip(), MailSettings.port
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"command line: '--smtp' must be HOST:PORT, not {value!r}")
    return host.strip("[] "), int(port)


def with_mail_flags(mail: MailSettings, *, smtp: str | None, sender: str | None,
                    recipients: tuple[str, ...]) -> MailSettings:
    """Command-line mail flags win over environment and file."""
    values: dict = {}
    if smtp:
        values["host"], values["port"] = parse_smtp(smtp)
    if sender:
        values["sender"] = _address("command line", "--mail-from", sender)
    if recipients:
        values["recipients"] = tuple(_address("command line", "--mail-to", r)
                                     for r in recipients)
    return replace(mail, **values)

"""The executor's settings, read from Airflow's own configuration (airflow.cfg or AIRFLOW__* variables).

Our section is ``[temporal_ecs_executor]``; ``check_health_on_startup`` is read from Airflow's
``[aws_ecs_executor]`` section, which our worker reads too, so one airflow.cfg serves both. The
executor passes its ``self.conf`` (Airflow's ExecutorConf), so a team's executor reads the team's
values: ``AIRFLOW__<TEAM>___TEMPORAL_ECS_EXECUTOR__<KEY>`` or ``[<team>=temporal_ecs_executor]``.
Nothing here connects anywhere or reads a file: bad values are reported all at once, each with
the option, the value and what is expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["SECTION", "OPTIONS", "Settings", "SettingsError", "load_settings"]

SECTION = "temporal_ecs_executor"
AWS_ECS_SECTION = "aws_ecs_executor"

_EXECUTOR_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ConfLike(Protocol):
    def get(self, section: str, key: str, **kwargs: Any) -> str | None: ...


class SettingsError(ValueError):
    """One or more settings are invalid; ``problems`` has one line per option."""

    def __init__(self, problems: list[str], team_name: str | None) -> None:
        self.problems = tuple(problems)
        where = f" of team {team_name!r}" if team_name else ""
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"Invalid TemporalEcsExecutor configuration{where} ({count}):\n" + "\n".join(f"  - {p}" for p in problems))


class _Invalid(ValueError):
    pass


def _text(value: str) -> str:
    return value


def _boolean(value: str) -> bool:
    # Airflow's getboolean rules (a trailing "# comment" ignored).
    text = value.split("#")[0].strip().lower()
    if text in ("t", "true", "1"):
        return True
    if text in ("f", "false", "0"):
        return False
    raise _Invalid("expected true or false")


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise _Invalid(f"expected a number of seconds from {low:g} to {high:g}") from None
        if not math.isfinite(number) or number < low or number > high:
            raise _Invalid(f"expected a number of seconds from {low:g} to {high:g}")
        return number

    return parse


def _executor_name(value: str) -> str:
    if not _EXECUTOR_NAME.match(value):
        raise _Invalid('expected 1 to 64 letters, digits, ".", "_" or "-" (it scopes sync and terminate to this executor\'s tasks)')
    return value


def _task_queue(value: str) -> str:
    if len(value) > 255:
        raise _Invalid("expected at most 255 characters")
    return value


def _address(value: str) -> str:
    if not re.match(r"^[^\s/]+:\d{1,5}$", value):
        raise _Invalid("expected host:port, e.g. temporal.example.com:7233 (no scheme)")
    return value


@dataclass(frozen=True)
class Option:
    key: str
    field: str
    default: str | None
    parse: Callable[[str], Any]
    description: str
    section: str = SECTION
    secret: bool = False


#: Every option the executor reads, in the order the README lists them.
OPTIONS: tuple[Option, ...] = (
    Option("address", "address", "localhost:7233", _address, "Temporal frontend host:port (Temporal Cloud: <namespace>.<account>.tmprl.cloud:7233)"),
    Option("namespace", "namespace", "default", _text, "Temporal namespace"),
    Option("task_queue", "task_queue", "ecs-executor", _task_queue, "task queue our workers poll (the workers' ECS_EXECUTOR_TASK_QUEUE)"),
    Option(
        "executor_name",
        "executor_name",
        None,
        _executor_name,
        "scopes sync, adoption and the task log to this executor's tasks; default: the team name for a team's executor, else `default` (the workers need no setting)",
    ),
    Option("tls", "tls", None, _boolean, "TLS to Temporal (true/false); default: on when api_key or a tls_* path is set"),
    Option("tls_client_cert_path", "tls_client_cert_path", None, _text, "client certificate (PEM) for mTLS"),
    Option("tls_client_key_path", "tls_client_key_path", None, _text, "client private key (PEM) for mTLS"),
    Option("tls_server_ca_cert_path", "tls_server_ca_cert_path", None, _text, "CA certificate (PEM) that signs the server's certificate (default: the system roots)"),
    Option("tls_server_name", "tls_server_name", None, _text, "server name to verify the certificate against and send as SNI"),
    Option("api_key", "api_key", None, _text, "Temporal Cloud API key (sent as a bearer token; turns TLS on)", secret=True),
    Option("codec_key_file", "codec_key_file", None, _text, 'key ring file {"current": id, "keys": {id: base64}}: encrypts every payload (AES-256-GCM), the same file as the workers\' ECS_EXECUTOR_CODEC_KEY_FILE'),
    Option("codec_key", "codec_key", None, _text, "one base64 AES-256 key instead of a key file (`openssl rand -base64 32`)", secret=True),
    Option("codec_key_id", "codec_key_id", None, _text, "the id stored with payloads encrypted by codec_key (default: `default`)"),
    Option("sync_lag_seconds", "sync_lag_seconds", "10", _seconds(0, 86_400), "how far behind sync's watermark a change may show in visibility and still be reported within about 5 s (each sync re-reads at most 2 s; every 5 s one re-reads this far)"),
    Option(
        "task_log_events",
        "task_log_events",
        "True",
        _boolean,
        "write each finished task's executor-side event log beside its log file (`<log>.ecs-executor.log`), so Airflow's log view shows it",
    ),
    Option(
        "check_health_on_startup",
        "check_health_on_startup",
        "True",
        _boolean,
        "start(): a worker runs Airflow's ECS health check and the scheduler does not start when it fails",
        section=AWS_ECS_SECTION,
    ),
)


@dataclass(frozen=True)
class Settings:
    address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "ecs-executor"
    executor_name: str = "default"
    tls: bool | None = None
    tls_client_cert_path: str | None = None
    tls_client_key_path: str | None = None
    tls_server_ca_cert_path: str | None = None
    tls_server_name: str | None = None
    api_key: str | None = field(default=None, repr=False)
    codec_key_file: str | None = None
    codec_key: str | None = field(default=None, repr=False)
    codec_key_id: str | None = None
    sync_lag_seconds: float = 10.0
    task_log_events: bool = True
    check_health_on_startup: bool = True
    team_name: str | None = None

    @property
    def tls_enabled(self) -> bool:
        if self.tls is not None:
            return self.tls
        return bool(self.api_key or self.tls_client_cert_path or self.tls_client_key_path or self.tls_server_ca_cert_path or self.tls_server_name)


def _env_name(option: Option, team_name: str | None) -> str:
    team = f"{team_name.upper()}___" if team_name else ""
    return f"AIRFLOW__{team}{option.section.upper()}__{option.key.upper()}"


def load_settings(conf: ConfLike, team_name: str | None = None) -> Settings:
    """Reads every option through ``conf`` (team-aware when it is the executor's ExecutorConf).

    An empty value counts as unset. Raises SettingsError listing every problem.
    """
    values: dict[str, Any] = {"team_name": team_name}
    problems: list[str] = []
    for option in OPTIONS:
        try:
            raw = conf.get(option.section, option.key, fallback=None)
        except Exception as err:  # an unreadable _cmd/_secret option, a bad interpolation...
            problems.append(f"[{option.section}] {option.key} ({_env_name(option, team_name)}): cannot be read: {err}")
            continue
        text = raw.strip() if isinstance(raw, str) else None
        if not text:
            text = option.default
        if text is None:
            continue
        try:
            values[option.field] = option.parse(text)
        except _Invalid as err:
            shown = "<hidden>" if option.secret else repr(text)
            problems.append(f"[{option.section}] {option.key} ({_env_name(option, team_name)}) = {shown}: {err}")
    if "executor_name" not in values:
        values["executor_name"] = team_name if team_name and _EXECUTOR_NAME.match(team_name) else "default"
    if bool(values.get("tls_client_cert_path")) != bool(values.get("tls_client_key_path")):
        problems.append(
            f"[{SECTION}] tls_client_cert_path and tls_client_key_path go together (mTLS needs both the certificate and its key): set both or neither"
        )
    if values.get("tls") is False and (values.get("api_key") or values.get("tls_client_cert_path")):
        problems.append(f"[{SECTION}] tls = False, but api_key or a client certificate is set: they are only sent over TLS; remove tls or set it to True")
    if problems:
        raise SettingsError(problems, team_name)
    return Settings(**values)

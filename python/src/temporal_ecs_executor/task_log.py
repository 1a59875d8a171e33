"""The executor-side event log of a task, as lines Airflow's log view reads.

Airflow 3's log reader parses each line as a JSON log record (``timestamp``, ``event``, ``level``)
and interleaves the sources by time, so the executor's lines (launch failures, ECS stop codes and
reasons, exit codes, where the container's own output is) sit among the task's own lines.

Airflow asks the executor for logs (``get_task_log``) only while a task instance is RUNNING. For a
finished task the executor writes the same lines into a file beside the task's log file,
``<log>.ecs-executor.log``: the log reader reads every file whose name starts with the task log's
(``<log>*``), so the log view of a finished or failed try shows them too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from temporal_ecs_executor.workflow_contract import short_key

__all__ = ["EVENT_LOG_SUFFIX", "event_log_lines", "write_event_log"]

EVENT_LOG_SUFFIX = ".ecs-executor.log"
LOGGER = "temporal_ecs_executor"


def _line(at: str | None, level: str, event: str) -> str:
    record: dict[str, Any] = {"timestamp": at, "event": event, "level": level, "logger": LOGGER}
    if at is None:
        del record["timestamp"]
    return json.dumps(record, ensure_ascii=False)


def _attempt_summary(attempt: Mapping[str, Any]) -> tuple[str, str]:
    """One line per attempt: what ECS did with it, and its level."""
    number = attempt.get("attempt", "?")
    outcome = attempt.get("outcome")
    reasons = [str(r) for r in attempt.get("reasons") or []]
    arn = attempt.get("taskArn")
    if arn is None:
        why = "; ".join(reasons) or "no ECS task was launched"
        return f"Attempt {number}: launch failed: {why}", "error"
    parts = [f"Attempt {number}: ECS task {arn}"]
    if attempt.get("cluster"):
        parts[0] += f" on cluster {attempt['cluster']}"
    details = []
    if attempt.get("lastStatus"):
        details.append(f"last status {attempt['lastStatus']}")
    if attempt.get("stopCode"):
        details.append(f"stop code {attempt['stopCode']}")
    if attempt.get("stoppedReason"):
        details.append(f"stopped reason: {attempt['stoppedReason']}")
    for container in attempt.get("containers") or []:
        name = container.get("name") or "container"
        text = f"container {name}"
        if container.get("exitCode") is not None:
            text += f" exit code {container['exitCode']}"
        if container.get("reason"):
            text += f" ({container['reason']})"
        details.append(text)
    if outcome:
        details.append(f"outcome {outcome}")
    # The reasons repeat the stop code and exit codes when ECS gave them; they are news otherwise (MISSING...).
    if reasons and not (attempt.get("stopCode") or attempt.get("stoppedReason") or any(c.get("exitCode") is not None for c in attempt.get("containers") or [])):
        details.append("; ".join(reasons))
    if attempt.get("logLocation"):
        details.append(f"the container's output: {attempt['logLocation']}")
    line = parts[0] + (": " + ", ".join(details) if details else "")
    level = "info" if outcome in (None, "SUCCESS", "RUNNING") else "error"
    return line, level


def event_log_lines(status: Mapping[str, Any], *, workflow_id: str, outcome: Mapping[str, Any] | None = None) -> list[str]:
    """The event log of one try (an AirflowTaskStatus, plus the closed workflow's result when known)."""
    events = [e for e in status.get("events") or [] if isinstance(e, Mapping)]
    attempts = [a for a in status.get("attempts") or [] if isinstance(a, Mapping)]
    first_at = events[0].get("at") if events else None
    last_at = events[-1].get("at") if events else None
    key = status.get("key") or (outcome or {}).get("key")
    label = short_key(key) if isinstance(key, Mapping) and ("callbackId" in key or "dagId" in key) else "this task"
    adopted = " (an adopted ECS task)" if status.get("adopted") else ""
    lines = [_line(first_at, "info", f"::group::Executor-side event log of {label}{adopted}: Temporal workflow {workflow_id} (TemporalEcsExecutor)")]
    for event in events:
        lines.append(_line(event.get("at"), str(event.get("level") or "info"), str(event.get("message", ""))))
    for attempt in attempts:
        text, level = _attempt_summary(attempt)
        lines.append(_line(attempt.get("stoppedAt") or last_at, level, text))
    if outcome is not None and outcome.get("state"):
        state = outcome["state"]
        reason = outcome.get("reason") or ""
        # The executor's view: SUCCESS means every container exited 0; the task's own state is what it reported to Airflow.
        lines.append(_line(last_at, "info" if state == "SUCCESS" else "error", f"Executor outcome: {state}{': ' + reason if reason else ''}"))
    elif status.get("state"):
        lines.append(_line(last_at, "info", f"Executor state now: {status['state']} (phase {status.get('phase', '?')}, attempt {status.get('attempt', '?')})"))
    lines.append(_line(last_at, "info", "::endgroup::"))
    return lines


def write_event_log(base_log_folder: str | os.PathLike[str], log_path: str, lines: Iterable[str]) -> Path:
    """Writes the lines beside the task's log file (``<base>/<log_path>.ecs-executor.log``), atomically.

    The temporary file's name does not start with the log's name, so a log view that reads
    ``<log>*`` meanwhile never sees half a file.
    """
    base = Path(base_log_folder).resolve()
    target = (base / (log_path + EVENT_LOG_SUFFIX)).resolve()
    if os.path.commonpath([base, target]) != str(base):
        raise ValueError(f"the task's log path {log_path!r} leads outside the base log folder {base}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{os.getpid()}.tmp"
    temporary.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.replace(temporary, target)
    return target

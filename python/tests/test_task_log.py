"""The executor-side event log as Airflow's log reader parses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.utils.log.file_task_handler import StructuredLogMessage

from temporal_ecs_executor.task_log import EVENT_LOG_SUFFIX, event_log_lines, write_event_log

KEY = {"dagId": "etl", "taskId": "load", "runId": "r", "tryNumber": 1, "mapIndex": -1}

STATUS = {
    "key": KEY,
    "adopted": False,
    "phase": "DONE",
    "state": "FAILED",
    "attempt": 2,
    "attempts": [
        {"attempt": 1, "containers": [], "reasons": ["RESOURCE:MEMORY"], "outcome": "LAUNCH_FAILED", "stops": []},
        {
            "attempt": 2,
            "taskArn": "arn:aws:ecs:us-east-1:000000000000:task/default/abc",
            "cluster": "default",
            "lastStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "stoppedAt": "2026-12-01T12:00:09.000Z",
            "containers": [{"name": "airflow", "exitCode": 1}],
            "outcome": "FAILED",
            "reasons": [],
            "logLocation": "/tmp/local-ecs/abc.log",
            "stops": [],
        },
    ],
    "events": [
        {"at": "2026-12-01T12:00:00.000Z", "level": "warning", "message": "RunTask failed: RESOURCE:MEMORY; attempt 2 in 4 s"},
        {"at": "2026-12-01T12:00:05.000Z", "level": "info", "message": "Launched ECS task arn:aws:ecs:us-east-1:000000000000:task/default/abc (attempt 2 of 3)."},
        {"at": "2026-12-01T12:00:10.000Z", "level": "error", "message": "Task failed: container airflow exited with code 1"},
    ],
}


def test_every_line_is_a_record_airflows_log_reader_parses_with_its_time() -> None:
    lines = event_log_lines(STATUS, workflow_id="airflow-task/etl/load/r/-1/1", outcome={"state": "FAILED", "reason": "exit code 1"})
    records = [StructuredLogMessage.model_validate_json(line) for line in lines]
    assert all(r.timestamp is not None for r in records)
    text = "\n".join(r.event for r in records)
    assert records[0].event.startswith("::group::Executor-side event log of etl.load try 1") and records[-1].event == "::endgroup::"
    for expected in (
        "RunTask failed: RESOURCE:MEMORY",
        "Attempt 1: launch failed: RESOURCE:MEMORY",
        "stop code EssentialContainerExited",
        "stopped reason: Essential container in task exited",
        "container airflow exit code 1",
        "the container's output: /tmp/local-ecs/abc.log",
        "Executor outcome: FAILED: exit code 1",
    ):
        assert expected in text, text
    levels = {json.loads(line)["level"] for line in lines}
    assert {"warning", "info", "error"} <= levels


def test_a_running_task_says_where_it_is() -> None:
    status = {"key": KEY, "state": "RUNNING", "phase": "RUNNING", "attempt": 1, "attempts": [{"attempt": 1, "taskArn": "arn:x", "containers": [], "reasons": []}], "events": []}
    text = "\n".join(json.loads(line)["event"] for line in event_log_lines(status, workflow_id="wf"))
    assert "Attempt 1: ECS task arn:x" in text and "Executor state now: RUNNING" in text


def test_the_file_is_written_beside_the_task_log_where_the_log_reader_globs(tmp_path: Path) -> None:
    log_path = "dag_id=etl/run_id=r/task_id=load/attempt=1.log"
    target = write_event_log(tmp_path, log_path, ['{"event": "x"}'])
    assert target == tmp_path / (log_path + EVENT_LOG_SUFFIX)
    task_log = tmp_path / log_path
    # FileTaskHandler._read_from_local reads sorted(parent.glob(name + "*")).
    assert target in list(task_log.parent.glob(task_log.name + "*"))
    assert target.read_text() == '{"event": "x"}\n'
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left behind


def test_a_log_path_cannot_escape_the_base_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside the base log folder"):
        write_event_log(tmp_path / "logs", "../../etc/passwd", [])

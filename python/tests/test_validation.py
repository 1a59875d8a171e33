"""Task workflow inputs against contract/task-workflow-input.schema.json (Draft 2020-12)."""

from __future__ import annotations

import json

import pytest

from temporal_ecs_executor.workflow_contract import InvalidTaskInput, validate_adopted_input, validate_key, validate_task_input

TOKEN = "exec-api-token.eyJzdWIiOiJ0aSJ9.c2lnbmF0dXJl"
TI_ID = "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69"


def valid(**overrides: object) -> dict:
    task_input: dict = {
        "key": {"dagId": "etl", "taskId": "load", "runId": "manual__2026-12-01T00:00:00+00:00", "tryNumber": 1, "mapIndex": -1, "tiId": TI_ID},
        "executorName": "default",
        "workload": json.dumps({"type": "ExecuteTask", "token": TOKEN}),
        "queue": "default",
    }
    task_input.update(overrides)
    return task_input


def test_a_workload_input_is_valid() -> None:
    validate_task_input(valid())
    validate_task_input(valid(executorConfig={"overrides": {"memory": "1024"}}, queue=None))


def test_a_command_input_is_valid() -> None:
    task_input = valid(command=["python", "-c", "print(1)"])
    del task_input["workload"]
    validate_task_input(task_input)


def test_a_callback_key_is_valid() -> None:
    validate_task_input(valid(key={"callbackId": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70", "dagId": "etl", "runId": "r"}))


def failure(task_input: dict) -> InvalidTaskInput:
    with pytest.raises(InvalidTaskInput) as caught:
        validate_task_input(task_input)
    return caught.value


def test_exactly_one_of_command_and_workload() -> None:
    both = failure(valid(command=["true"]))
    assert both.failure_type == "InvalidTaskCommand" and "exactly one of command" in str(both)
    neither = valid()
    del neither["workload"]
    assert "exactly one of command" in str(failure(neither))


def test_key_problems_name_the_field_and_the_value() -> None:
    err = failure(valid(key={"dagId": "", "taskId": "t", "runId": "r", "tryNumber": -1, "mapIndex": -2}))
    assert err.failure_type == "InvalidTaskKey"
    message = str(err)
    assert "key" in message and "Expected {dagId, taskId, runId, tryNumber, mapIndex" in message
    for field in ("dagId", "tryNumber", "mapIndex"):
        assert field in message, message


def test_control_characters_in_a_key_are_rejected() -> None:
    assert validate_key({"dagId": "d\n", "taskId": "t", "runId": "r", "tryNumber": 1})
    assert validate_key({"dagId": "d", "taskId": "t", "runId": "r" * 251, "tryNumber": 1})
    assert not validate_key({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1})


def test_the_task_instance_uuid_must_be_a_uuid() -> None:
    assert validate_key({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1, "tiId": "not-a-uuid"})
    assert validate_key({"callbackId": "nope"})


def test_unknown_fields_are_rejected() -> None:
    err = failure(valid(extra="x"))
    assert "extra" in str(err)


def test_executor_config_must_be_an_object() -> None:
    err = failure(valid(executorConfig=["overrides"]))
    assert err.failure_type == "InvalidExecutorConfig"
    assert "executorConfig" in str(err)


def test_the_executor_name_is_checked() -> None:
    err = failure(valid(executorName="has space"))
    assert "executorName" in str(err)


def test_messages_never_contain_the_workload_the_command_or_executor_config_values() -> None:
    secret = "super-secret-value-123"
    cases = [
        valid(workload=7),
        valid(workload="x"),
        {**{k: v for k, v in valid().items() if k != "workload"}, "command": [f"--token={secret}\u0000"]},
        valid(executorConfig=[secret]),
        valid(command=[secret]),
    ]
    for task_input in cases:
        message = str(failure(task_input))
        assert TOKEN not in message and secret not in message, message


def test_adopted_inputs_are_checked_against_their_schema() -> None:
    good = {"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/abc", "cluster": "c", "key": valid()["key"], "executorName": "default"}
    assert validate_adopted_input(good) == []
    assert validate_adopted_input({**good, "taskArn": "abc"})
    assert validate_adopted_input({**good, "cluster": ""})


def test_an_executor_config_key_runtask_does_not_have_is_rejected_at_submit_naming_it_and_its_path() -> None:
    err = failure(valid(executorConfig={"overrides": {"containerOverrides": [{"name": "airflow", "memmory": 512}]}}))
    assert err.failure_type == "InvalidExecutorConfig"
    assert "executorConfig.overrides.containerOverrides.0" in str(err)
    assert "'memmory' was unexpected" in str(err)
    assert "512" not in str(err)

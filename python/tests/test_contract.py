"""The workflow contract on the Python side against the generated files in contract/ (the TypeScript source of truth)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from importlib import resources

import pytest
from conftest import CONTRACT

from temporal_ecs_executor import workflow_contract as wc


@pytest.mark.parametrize("name", ["names.json", "task-workflow-input.schema.json", "adopted-task-input.schema.json"])
def test_the_packaged_contract_is_the_generated_one(name: str) -> None:
    packaged = resources.files("temporal_ecs_executor").joinpath("contract", name).read_text(encoding="utf-8")
    generated = (CONTRACT / name).read_text(encoding="utf-8")
    assert json.loads(packaged) == json.loads(generated), (
        f"python/src/temporal_ecs_executor/contract/{name} is stale: copy contract/{name} over it after regenerating the contract"
    )


def test_every_generated_schema_is_packaged() -> None:
    """A schema the lead adds to contract/ (the executor_config RunTask shape...) must ship with the package too."""
    packaged = {p.name for p in resources.files("temporal_ecs_executor").joinpath("contract").iterdir()}
    generated = {p.name for p in CONTRACT.glob("*.schema.json")}
    assert generated <= packaged, f"copy {sorted(generated - packaged)} into python/src/temporal_ecs_executor/contract/"


VECTORS = json.loads((CONTRACT / "workflow-id-vectors.json").read_text())


@pytest.mark.parametrize("vector", VECTORS["taskWorkflowIds"], ids=lambda v: v["workflowId"])
def test_task_workflow_ids_match_the_typescript_vectors(vector: dict) -> None:
    assert wc.task_workflow_id(vector["key"]) == vector["workflowId"]


@pytest.mark.parametrize("vector", VECTORS["adoptedTaskWorkflowIds"], ids=lambda v: v["workflowId"])
def test_adopted_task_workflow_ids_match_the_typescript_vectors(vector: dict) -> None:
    assert wc.adopted_task_workflow_id(vector["taskArn"]) == vector["workflowId"]


def test_only_percent_and_slash_are_escaped() -> None:
    key = {"dagId": "d%/x", "taskId": "t:1 +", "runId": "r'\"\\", "tryNumber": 2, "mapIndex": 3}
    assert wc.task_workflow_id(key) == "airflow-task/d%25%2Fx/t:1 +/r'\"\\/3/2"
    # Unmapped when the key has no map index (the zod schema's default).
    assert wc.task_workflow_id({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1}) == "airflow-task/d/t/r/-1/1"


def test_search_attribute_keys_cover_names_json_with_their_types() -> None:
    names = json.loads((CONTRACT / "names.json").read_text())["searchAttributes"]
    assert set(wc.SA) == set(names)
    assert wc.SA["AirflowDagId"].value_type is str and wc.SA["AirflowTryNumber"].value_type is int
    assert wc.SA["AirflowStateChangedAt"].value_type is datetime
    assert wc.SA["EcsTaskArns"].indexed_value_type.name == "KEYWORD_LIST"


def test_key_search_attributes_round_trip_through_key_from_search_attributes() -> None:
    for key in (
        {"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 3, "mapIndex": 2, "tiId": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69"},
        {"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1, "mapIndex": -1},
        {"callbackId": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70", "dagId": "etl", "runId": "r1"},
        {"callbackId": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70"},
    ):
        attributes = {pair.key.name: pair.value for pair in wc.key_search_attributes(key)}
        assert wc.key_from_search_attributes(attributes.get) == key


def test_search_attributes_never_carry_anything_but_the_key() -> None:
    names = {p.key.name for p in wc.key_search_attributes({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1, "mapIndex": -1, "tiId": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69"})}
    assert names == {"AirflowDagId", "AirflowTaskId", "AirflowRunId", "AirflowTryNumber", "AirflowMapIndex", "AirflowWorkloadId"}


def test_a_workflow_without_key_attributes_has_no_key() -> None:
    assert wc.key_from_search_attributes({"AirflowState": "RUNNING"}.get) is None
    # A task key needs dag, task, run and try; a lone dag id is not one.
    assert wc.key_from_search_attributes({"AirflowDagId": "d"}.get) is None


def test_visibility_literals_are_quoted_and_times_written_like_the_typescript_client() -> None:
    assert wc.visibility_literal("it's a \\ test") == "'it\\'s a \\\\ test'"
    assert wc.visibility_literal(7) == "7"
    at = datetime(2026, 12, 1, 8, 5, 30, 418_999, tzinfo=timezone(timedelta(hours=2)))
    # JavaScript's toISOString: UTC, milliseconds, Z.
    assert wc.visibility_literal(at) == "'2026-12-01T06:05:30.418Z'"


def test_names_come_from_names_json() -> None:
    assert wc.WORKFLOW_TYPES["task"] == "airflowTaskWorkflow"
    assert wc.TERMINATE_SIGNAL == "terminate" and wc.STATUS_QUERY == "status"
    assert wc.DEFAULT_TERMINATE_REASON == "Airflow Executor received a SIGTERM"
    assert wc.FAILURE_TYPES["AirflowTaskFailed"] == "AirflowTaskFailed"


def test_short_keys_read_like_the_typescript_ones() -> None:
    assert wc.short_key({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 2, "mapIndex": 3}) == "d.t[3] try 2"
    assert wc.short_key({"dagId": "d", "taskId": "t", "runId": "r", "tryNumber": 1, "mapIndex": -1}) == "d.t try 1"
    assert wc.short_key({"callbackId": "abc"}) == "callback abc"


def test_task_arn_problems() -> None:
    assert wc.task_arn_problem("arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef") is None
    assert wc.task_arn_problem(None) == "no external_executor_id (ECS task ARN)"
    assert "must be an ECS task ARN" in (wc.task_arn_problem("0123456789abcdef") or "")

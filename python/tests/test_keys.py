"""Airflow keys and workloads to contract keys and back."""

from __future__ import annotations

import uuid
from pathlib import Path

import factories
import pytest
from airflow.executors import workloads
from airflow.executors.workloads.callback import CallbackDTO, CallbackFetchMethod
from airflow.models.callback import CallbackKey
from airflow.models.taskinstancekey import TaskInstanceKey

from temporal_ecs_executor.keys import airflow_key, callback_contract_key, contract_key, ti_contract_key
from temporal_ecs_executor.workflow_contract import task_workflow_id, validate_key

TI_ID = uuid.UUID("0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69")
CALLBACK_ID = "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70"


def execute_task(map_index: int = -1, try_number: int = 2) -> workloads.ExecuteTask:
    return factories.execute_task(run_id="scheduled__2026-12-01T00:00:00+00:00", try_number=try_number, map_index=map_index, ti_id=TI_ID)


def test_a_task_workload_becomes_the_contract_key_with_the_task_instance_uuid() -> None:
    workload = execute_task(map_index=7)
    key = ti_contract_key(workload.ti)
    assert key == {"dagId": "etl", "taskId": "load", "runId": "scheduled__2026-12-01T00:00:00+00:00", "tryNumber": 2, "mapIndex": 7, "tiId": str(TI_ID)}
    assert validate_key(key) == []
    assert task_workflow_id(key) == "airflow-task/etl/load/scheduled__2026-12-01T00:00:00+00:00/7/2"
    assert airflow_key(key) == workload.ti.key


def test_airflow_keys_round_trip() -> None:
    ti_key = TaskInstanceKey("d", "t", "r", 3, -1)
    assert airflow_key(contract_key(ti_key)) == ti_key
    callback_key = CallbackKey(id=CALLBACK_ID)
    assert contract_key(callback_key) == {"callbackId": CALLBACK_ID}
    assert airflow_key({"callbackId": CALLBACK_ID, "dagId": "d"}) == callback_key


def test_get_task_log_asks_for_the_requested_try() -> None:
    assert ti_contract_key(execute_task().ti, try_number=1)["tryNumber"] == 1


def callback_workload(log_path: str, data: dict | None = None) -> workloads.ExecuteCallback:
    return workloads.ExecuteCallback(
        callback=CallbackDTO(id=CALLBACK_ID, fetch_method=CallbackFetchMethod.IMPORT_PATH, data=data or {"path": "x.y", "kwargs": {}}),
        dag_rel_path=Path("etl.py"),
        token="secret-token",
        log_path=log_path,
        bundle_info=workloads.BundleInfo(name="dags-folder"),
    )


def test_a_callback_key_carries_its_dag_run_from_the_log_path_airflow_writes() -> None:
    workload = callback_workload(f"executor_callbacks/etl/manual__2026-12-01T00:00:00+00:00/{CALLBACK_ID}")
    key = callback_contract_key(workload)
    assert key == {"callbackId": CALLBACK_ID, "dagId": "etl", "runId": "manual__2026-12-01T00:00:00+00:00"}
    assert validate_key(key) == []
    assert task_workflow_id(key) == f"airflow-callback/{CALLBACK_ID}"
    assert airflow_key(key) == workload.callback.key


@pytest.mark.parametrize(
    ("log_path", "data", "expected"),
    [
        ("somewhere/else", {"path": "x", "kwargs": {}}, {"callbackId": CALLBACK_ID}),
        ("somewhere/else", {"path": "x", "kwargs": {}, "dag_id": "etl"}, {"callbackId": CALLBACK_ID, "dagId": "etl"}),
        # The data's dag wins; a run from a log path of another dag is not taken.
        (f"executor_callbacks/other/r/{CALLBACK_ID}", {"path": "x", "kwargs": {}, "dag_id": "etl"}, {"callbackId": CALLBACK_ID, "dagId": "etl"}),
    ],
)
def test_a_callback_key_without_a_recognisable_dag_run(log_path: str, data: dict, expected: dict) -> None:
    assert callback_contract_key(callback_workload(log_path, data)) == expected

"""Airflow's keys and workloads as the workflow contract spells them, and back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from temporal_ecs_executor.workflow_contract import ContractKey, is_callback_key

if TYPE_CHECKING:
    from airflow.executors.workloads import ExecuteCallback
    from airflow.executors.workloads.types import WorkloadKey

__all__ = ["airflow_key", "callback_contract_key", "contract_key", "ti_contract_key"]


def airflow_key(key: Mapping[str, Any]) -> WorkloadKey:
    """The TaskInstanceKey or CallbackKey of a contract key (from a workflow's search attributes)."""
    from airflow.models.callback import CallbackKey
    from airflow.models.taskinstancekey import TaskInstanceKey

    if is_callback_key(key):
        return CallbackKey(id=str(key["callbackId"]))
    return TaskInstanceKey(
        dag_id=key["dagId"],
        task_id=key["taskId"],
        run_id=key["runId"],
        try_number=int(key["tryNumber"]),
        map_index=int(key.get("mapIndex", -1)),
    )


def ti_contract_key(ti: Any, try_number: int | None = None) -> ContractKey:
    """A task instance (ORM row, workload DTO or TaskInstanceKey) as a contract key, with its UUID when it has one."""
    key: ContractKey = {
        "dagId": ti.dag_id,
        "taskId": ti.task_id,
        "runId": ti.run_id,
        "tryNumber": int(ti.try_number if try_number is None else try_number),
        "mapIndex": int(ti.map_index),
    }
    ti_id = getattr(ti, "id", None)
    if ti_id is not None:
        key["tiId"] = str(ti_id)
    return key


def contract_key(key: WorkloadKey) -> ContractKey:
    """An Airflow key (TaskInstanceKey or CallbackKey) as a contract key (without the TI UUID, which the key lacks)."""
    from airflow.models.callback import CallbackKey

    if isinstance(key, CallbackKey):
        return {"callbackId": key.id}
    return ti_contract_key(key)


def callback_contract_key(workload: ExecuteCallback) -> ContractKey:
    """An ExecuteCallback's key, with the DAG run it belongs to when the workload says so.

    Airflow writes a callback's log path as ``executor_callbacks/<dag_id>/<run_id>/<callback id>``
    (ExecuteCallback.make); a DAG id has no "/", so the first part is the DAG and the rest the run.
    """
    callback_id = str(workload.callback.id)
    key: ContractKey = {"callbackId": callback_id}
    data = workload.callback.data if isinstance(workload.callback.data, dict) else {}
    dag_id = data.get("dag_id") if isinstance(data.get("dag_id"), str) else None
    run_id = None
    match = re.fullmatch(rf"executor_callbacks/([^/]+)/(.+)/{re.escape(callback_id)}", str(workload.log_path or ""))
    if match:
        dag_id = dag_id or match.group(1)
        if dag_id == match.group(1):
            run_id = match.group(2)
    if dag_id:
        key["dagId"] = dag_id
    if run_id:
        key["runId"] = run_id
    return key

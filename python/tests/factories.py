"""Airflow workloads as the scheduler builds them, for tests."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import uuid6
from airflow.executors import workloads

TOKEN = "exec-api-token.eyJzdWIiOiJ0aS1zZWNyZXQifQ.c2lnbmF0dXJlLXNlY3JldA"


def execute_task(
    dag_id: str = "etl",
    task_id: str = "load",
    run_id: str = "manual__2026-12-01T00:00:00+00:00",
    try_number: int = 1,
    map_index: int = -1,
    executor_config: Any = None,
    queue: str = "default",
    ti_id: uuid.UUID | None = None,
) -> workloads.ExecuteTask:
    ti = workloads.TaskInstanceDTO(
        id=ti_id or uuid6.uuid7(),
        dag_version_id=uuid.uuid4(),
        task_id=task_id,
        dag_id=dag_id,
        run_id=run_id,
        try_number=try_number,
        map_index=map_index,
        pool_slots=1,
        priority_weight=1,
        queue=queue,
        executor_config=executor_config,
    )
    map_part = f"map_index={map_index}/" if map_index >= 0 else ""
    return workloads.ExecuteTask(
        ti=ti,
        dag_rel_path=Path(f"{dag_id}.py"),
        token=TOKEN,
        log_path=f"dag_id={dag_id}/run_id={run_id}/task_id={task_id}/{map_part}attempt={try_number}.log",
        bundle_info=workloads.BundleInfo(name="dags-folder"),
    )

"""The end-to-end test's DAG: every kind of task the issue asks for, each held at a gate.

Every task waits for the file named by E2E_GATE_FILE (set in the environment of the local ECS
endpoint, which its task processes inherit), so the test can kill the scheduler while all of them
run, and then let them finish.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task


def wait_for_gate() -> None:
    gate = os.environ["E2E_GATE_FILE"]
    deadline = time.monotonic() + 600
    while not os.path.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the gate {gate} never opened")
        time.sleep(0.2)


@dag(
    dag_id="temporal_ecs_e2e",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["temporal-ecs-executor-e2e"],
)
def temporal_ecs_e2e():
    @task
    def push_xcom() -> str:
        wait_for_gate()
        return "hello from ECS via Temporal"

    @task(retries=1, retry_delay=timedelta(seconds=1))
    def always_fails() -> None:
        wait_for_gate()
        raise RuntimeError("this task fails on purpose")

    @task
    def mapped(x: int) -> int:
        wait_for_gate()
        return x * 10

    @task(executor_config={"overrides": {"containerOverrides": [{"name": "airflow", "memory": 1536}]}})
    def big_memory() -> str:
        wait_for_gate()
        return "ran with more memory"

    push_xcom()
    always_fails()
    mapped.expand(x=[1, 2, 3])
    big_memory()


temporal_ecs_e2e()

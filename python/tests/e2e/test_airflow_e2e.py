"""A real Airflow 3.3 (scheduler, API server, DAG processor; SQLite) running a DAG through TemporalEcsExecutor.

The executor is configured in airflow.cfg exactly as the README tells users; our TypeScript worker
reads the same file's [aws_ecs_executor] section. The local ECS endpoint runs each task's real
container command, ``python -m airflow.sdk.execution_time.execute_workload --json-string ...``,
as a local process whose ``python`` is this venv's, so every task talks back to the API server's
Execution API. Half way through, the scheduler is killed with SIGKILL and started again: every
task instance must be adopted (no second RunTask) and end in the right state.

Everything is polled with generous deadlines; nothing sleeps a fixed time. ``-s`` prints the
figures (task instances, RunTask calls per try, timings).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import stack

pytestmark = pytest.mark.e2e

DAG_ID = "temporal_ecs_e2e"
VENV_BIN = Path(sys.executable).parent
EXPECTED = {
    ("push_xcom", -1): "success",
    ("always_fails", -1): "failed",
    ("mapped", 0): "success",
    ("mapped", 1): "success",
    ("mapped", 2): "success",
    ("big_memory", -1): "success",
}


def airflow_cfg(home: Path, *, api_port: int, temporal: str, task_queue: str) -> str:
    """What the README tells users to write (first three sections), plus this test's local settings."""
    return textwrap.dedent(
        f"""\
        [core]
        executor = temporal_ecs_executor.TemporalEcsExecutor
        dags_folder = {home / "dags"}
        load_examples = False
        dags_are_paused_at_creation = False
        execution_api_server_url = http://127.0.0.1:{api_port}/execution/
        simple_auth_manager_all_admins = True
        parallelism = 32

        [temporal_ecs_executor]
        address = {temporal}
        namespace = default
        task_queue = {task_queue}
        sync_lag_seconds = 2

        [aws_ecs_executor]
        cluster = default
        container_name = airflow
        task_definition = airflow
        launch_type = FARGATE
        region_name = us-east-1
        check_health_on_startup = True

        [database]
        sql_alchemy_conn = sqlite:///{home / "airflow.db"}

        [api]
        base_url = http://127.0.0.1:{api_port}
        port = {api_port}
        host = 127.0.0.1
        workers = 1

        [api_auth]
        jwt_secret = e2e-test-secret-not-for-production

        [logging]
        base_log_folder = {home / "logs"}

        [scheduler]
        scheduler_heartbeat_sec = 1
        scheduler_health_check_threshold = 6
        orphaned_tasks_check_interval = 2
        task_queued_timeout = 900

        [dag_processor]
        refresh_interval = 5
        """
    )


@dataclass
class Airflow:
    home: Path
    api: str
    env: dict[str, str]
    logs: Path
    procs: dict[str, stack.Proc] = field(default_factory=dict)

    def start(self, component: str, *args: str) -> stack.Proc:
        name = f"{component}-{len([p for p in self.procs if p.startswith(component)]) + 1}"
        proc = stack.spawn(name, [str(VENV_BIN / "airflow"), component, *args], self.logs, self.env, cwd=self.home)
        self.procs[name] = proc
        return proc

    def rest(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.api}/api/v2/{path}", data=data, method=method, headers={"content-type": "application/json", "accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode() or "null")

    def db(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop(timeout=20)


@dataclass
class Timer:
    t0: float = field(default_factory=time.monotonic)
    marks: list[tuple[str, float]] = field(default_factory=list)

    def mark(self, what: str) -> None:
        self.marks.append((what, time.monotonic() - self.t0))


@pytest.fixture
def e2e_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="temporal-ecs-e2e-"))
    yield root
    if os.environ.get("E2E_KEEP") != "1":
        shutil.rmtree(root, ignore_errors=True)


def task_instances(airflow: Airflow, run_id: str) -> dict[tuple[str, int], dict[str, Any]]:
    answer = airflow.rest("GET", f"dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")
    return {(ti["task_id"], ti["map_index"]): ti for ti in answer["task_instances"]}


def run_task_calls(ecs: stack.LocalEcs) -> Counter[tuple[str, int, int]]:
    """RunTask requests per (task, map index, try), read from the workload in each container command."""
    calls: Counter[tuple[str, int, int]] = Counter()
    for request in ecs.run_task_requests():
        for override in ((request.get("body") or {}).get("overrides") or {}).get("containerOverrides") or []:
            command = override.get("command") or []
            if command[:4] == ["python", "-m", "airflow.sdk.execution_time.execute_workload", "--json-string"]:
                ti = json.loads(command[4])["ti"]
                calls[(ti["task_id"], ti["map_index"], ti["try_number"])] += 1
    return calls


def log_view(airflow: Airflow, run_id: str, task_id: str, try_number: int) -> str:
    """Airflow's log view of one try, through the REST API (what the UI shows)."""
    answer = airflow.rest("GET", f"dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}?full_content=true")
    # Every record as JSON: the task's own exception is in its record's error_detail, not its event.
    content = answer["content"]
    return "\n".join(json.dumps(c) if isinstance(c, dict) else str(c) for c in content) if isinstance(content, list) else str(content)


def test_a_real_airflow_runs_a_dag_through_temporal_and_survives_a_scheduler_sigkill(e2e_root: Path) -> None:  # noqa: PLR0915
    timer = Timer()
    home = e2e_root / "airflow"
    (home / "dags").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "dags" / "temporal_ecs_e2e.py", home / "dags")
    logs = e2e_root / "process-logs"
    gate = e2e_root / "gate"
    started: list[Any] = []
    airflow: Airflow | None = None
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        temporal = stack.start_temporal(logs)
        started.append(temporal)
        api_port = stack.free_port()
        task_queue = "e2e"
        (home / "airflow.cfg").write_text(airflow_cfg(home, api_port=api_port, temporal=temporal.address, task_queue=task_queue))
        airflow_env = {**base_env, "AIRFLOW_HOME": str(home), "PATH": f"{VENV_BIN}:{base_env.get('PATH', '')}"}
        # The "container image": the venv's python first on PATH, the same airflow.cfg, and the gate.
        ecs = stack.start_local_ecs(
            logs,
            env={"PATH": f"{VENV_BIN}:{stack.node_path()}", "AIRFLOW_HOME": str(home), "E2E_GATE_FILE": str(gate)},
            config={"lifecycle": {"provisioningMs": 50, "pendingMs": 50, "deactivatingMs": 20, "deprovisioningMs": 20}, "stopTimeoutMs": 5000},
            base_env=base_env,
        )
        started.append(ecs)
        # The worker: the Temporal and endpoint settings from the environment, [aws_ecs_executor] from airflow.cfg.
        worker = stack.start_worker(
            temporal, ecs, task_queue, logs,
            {"AIRFLOW_HOME": str(home), "ECS_EXECUTOR_CLUSTER": "", "ECS_EXECUTOR_CONTAINER_NAME": "", "ECS_EXECUTOR_TASK_DEFINITION": "",
             "ECS_EXECUTOR_LAUNCH_TYPE": "", "ECS_EXECUTOR_REGION_NAME": "", "ECS_EXECUTOR_POLL_INTERVAL_SECONDS": "0.5"},
            base_env=base_env,
        )
        started.append(worker)
        timer.mark("Temporal dev server, local ECS endpoint and worker up")

        airflow = Airflow(home, f"http://127.0.0.1:{api_port}", airflow_env, logs)
        migrate = stack.spawn("db-migrate", [str(VENV_BIN / "airflow"), "db", "migrate"], logs, airflow_env, cwd=home)
        assert migrate.popen.wait(180) == 0, migrate.tail()
        timer.mark("airflow db migrate")
        api = airflow.start("api-server")
        airflow.start("dag-processor")
        scheduler = airflow.start("scheduler")
        stack.wait_for("the API server", lambda: airflow.rest("GET", "version"), timeout=180, interval=1, proc=api)
        stack.wait_for(f"DAG {DAG_ID} to be parsed", lambda: airflow.rest("GET", f"dags/{DAG_ID}").get("dag_id") == DAG_ID, timeout=180, interval=1)
        timer.mark("Airflow API server, DAG processor and scheduler up, DAG parsed")

        run_id = airflow.rest("POST", f"dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": {}})["dag_run_id"]

        def all_running() -> bool:
            tis = task_instances(airflow, run_id)
            return set(tis) == set(EXPECTED) and all(ti["state"] == "running" for ti in tis.values())

        stack.wait_for("every task instance RUNNING (held at the gate)", all_running, timeout=240, interval=1, proc=scheduler)

        def arns_stored() -> list[tuple[Any, ...]] | None:
            rows = airflow.db("SELECT task_id, map_index, try_number, external_executor_id, queued_by_job_id FROM task_instance WHERE run_id = ?", run_id)
            return rows if len(rows) == len(EXPECTED) and all(r[3] and r[3].startswith("arn:aws:ecs:") for r in rows) else None

        before = stack.wait_for("every task instance's ECS task ARN (external_executor_id) stored", arns_stored, timeout=60, interval=0.5)
        calls_before = run_task_calls(ecs)
        assert sorted(calls_before.values()) == [1] * len(EXPECTED), calls_before
        timer.mark("DAG run triggered, all 6 task instances RUNNING on ECS")
        # While a task runs, the API server asks the executor (its own instance) for the event log.
        running_view = stack.wait_for(
            "the executor's event log in the log view of a running task",
            lambda: (lambda v: v if "Executor state now: RUNNING" in v else None)(log_view(airflow, run_id, "push_xcom", 1)),
            timeout=60, interval=1,
        )
        assert "Launched ECS task arn:aws:ecs:" in running_view and "TemporalEcsExecutor: Temporal workflow airflow-task/temporal_ecs_e2e/push_xcom/" in running_view

        # The scheduler dies mid-run. Its tasks keep running: their state lives in Temporal.
        scheduler.kill()
        scheduler.popen.wait(30)
        old_job = before[0][4]
        second = airflow.start("scheduler")

        def adopted() -> list[tuple[Any, ...]] | None:
            rows = airflow.db("SELECT task_id, map_index, try_number, state, queued_by_job_id, external_executor_id FROM task_instance WHERE run_id = ?", run_id)
            return rows if all(r[4] is not None and r[4] != old_job for r in rows) else None

        after = stack.wait_for("every task instance adopted by the new scheduler", adopted, timeout=120, interval=0.5, proc=second)
        new_job = after[0][4]
        timer.mark("scheduler SIGKILLed and restarted, every task instance adopted")
        before_by_ti = {(r[0], r[1]): r for r in before}
        for task_id, map_index, try_number, state, job, arn in after:
            assert job == new_job and state == "running" and try_number == before_by_ti[(task_id, map_index)][2] == 1
            assert arn == before_by_ti[(task_id, map_index)][3]  # the same ECS task: nothing was relaunched
        scheduler_log = second.log.read_text(errors="replace")
        assert "Adopted the following 6 tasks from a dead executor" in scheduler_log, second.tail(80)

        gate.touch()

        def finished() -> str | None:
            state = airflow.rest("GET", f"dags/{DAG_ID}/dagRuns/{run_id}")["state"]
            return state if state in ("success", "failed") else None

        run_state = stack.wait_for("the DAG run to finish", finished, timeout=240, interval=1, proc=second)
        timer.mark("gate opened, DAG run finished")

        # --- what Airflow recorded --------------------------------------------------------------
        assert run_state == "failed"  # always_fails fails both its tries
        tis = task_instances(airflow, run_id)
        final = {key: (ti["state"], ti["try_number"]) for key, ti in tis.items()}
        assert {key: state for key, (state, _) in final.items()} == EXPECTED, final
        assert final[("always_fails", -1)][1] == 2  # retried once (retries=1), then failed
        assert all(tries == 1 for key, (_, tries) in final.items() if key[0] != "always_fails")
        xcom = airflow.rest("GET", f"dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/push_xcom/xcomEntries/return_value")
        assert xcom["value"] in ("hello from ECS via Temporal", json.dumps("hello from ECS via Temporal"))
        for index in range(3):
            value = airflow.rest("GET", f"dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/mapped/xcomEntries/return_value?map_index={index}")["value"]
            assert str(value) == str((index + 1) * 10)

        # --- what ECS was asked ----------------------------------------------------------------
        calls = run_task_calls(ecs)
        assert calls == Counter({("push_xcom", -1, 1): 1, ("always_fails", -1, 1): 1, ("always_fails", -1, 2): 1, ("mapped", 0, 1): 1,
                                 ("mapped", 1, 1): 1, ("mapped", 2, 1): 1, ("big_memory", -1, 1): 1}), calls
        memory = {}
        for request in ecs.run_task_requests():
            body = request["body"]
            assert body["cluster"] == "default" and body["taskDefinition"] == "airflow" and body["launchType"] == "FARGATE"
            (override,) = body["overrides"]["containerOverrides"]
            assert {"name": "AIRFLOW_IS_EXECUTOR_CONTAINER", "value": "true"} in override["environment"]
            memory[json.loads(override["command"][4])["ti"]["task_id"]] = override.get("memory")
        assert memory["big_memory"] == 1536 and memory["push_xcom"] is None

        # --- Airflow's log view of the failed task shows our event log ---------------------------
        for try_number in (1, 2):
            text = stack.wait_for(
                f"our event log in the log view of always_fails try {try_number}",
                lambda t=try_number: (lambda v: v if "Executor-side event log" in v else None)(log_view(airflow, run_id, "always_fails", t)),
                timeout=60, interval=1,
            )
            assert "Task failed with exception" in text and "this task fails on purpose" in text  # the task's own log, in the same view
            assert "Launched ECS task arn:aws:ecs:" in text and "container airflow exit code" in text and "the container's output:" in text
        timer.mark("assertions on states, XCom, RunTask inputs and the log view")

        print("\n\nE2E: task instances (final state, try number):")
        for (task_id, map_index), (state, tries) in sorted(final.items()):
            print(f"  {task_id}{f'[{map_index}]' if map_index >= 0 else ''}: {state} (try {tries})")
        print(f"E2E: RunTask calls per (task, map index, try): {dict(sorted(calls.items()))}")
        print(f"E2E: adopted by the restarted scheduler (job {new_job}, was {old_job}): {len(after)} of {len(EXPECTED)}; second RunTask for none")
        previous = 0.0
        for what, at in timer.marks:
            print(f"E2E: {at:6.1f} s (+{at - previous:5.1f}) {what}")
            previous = at
    except BaseException:
        if airflow is not None:
            for proc in airflow.procs.values():
                print(f"\n===== {proc.name} (last lines) =====\n{proc.tail(60)}")
        raise
    finally:
        if airflow is not None:
            airflow.stop_all()
        for part in reversed(started):
            part.stop()

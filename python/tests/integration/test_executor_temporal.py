"""TemporalEcsExecutor against a real Temporal dev server, our TypeScript worker and the local ECS endpoint."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import factories
import pytest
from airflow.exceptions import AirflowException
from airflow.models.callback import CallbackKey
from airflow.utils.state import CallbackState, TaskInstanceState
from temporalio.client import Client, WorkflowExecutionStatus

import stack
from integration.conftest import Driver, Stack
from temporal_ecs_executor.task_log import EVENT_LOG_SUFFIX
from temporal_ecs_executor.workflow_contract import task_workflow_id

pytestmark = pytest.mark.integration


def unique_run() -> str:
    return f"manual__{uuid.uuid4().hex[:12]}"


def ti_of(workload: Any, arn: str | None = None) -> SimpleNamespace:
    ti = workload.ti
    return SimpleNamespace(
        dag_id=ti.dag_id, task_id=ti.task_id, run_id=ti.run_id, map_index=ti.map_index, try_number=ti.try_number,
        id=ti.id, external_executor_id=arn, key=ti.key, state="running",
    )


def run_task_calls(it_stack: Stack, workload: Any) -> int:
    """RunTask requests the endpoint received for this try (read from the workload in the container command)."""
    count = 0
    for request in it_stack.ecs.run_task_requests():
        for override in ((request.get("body") or {}).get("overrides") or {}).get("containerOverrides") or []:
            command = override.get("command") or []
            if len(command) >= 2 and command[-2] == "--json-string":
                ti = json.loads(command[-1]).get("ti") or {}
                if ti.get("id") == str(workload.ti.id):
                    count += 1
    return count


def workflow_status(it_stack: Stack, workflow_id: str) -> WorkflowExecutionStatus | None:
    async def describe() -> WorkflowExecutionStatus | None:
        client = await Client.connect(it_stack.temporal.address)
        return (await client.get_workflow_handle(workflow_id).describe()).status

    return asyncio.run(describe())


def test_start_checks_health_and_reads_the_server_clock(make_executor: Any) -> None:
    executor = make_executor()
    executor.start()
    assert abs(executor._feed._clock_offset_ms) < 5_000  # same machine: the server's clock is ours


def test_start_says_clearly_when_no_worker_polls_the_queue(make_executor: Any) -> None:
    executor = make_executor(task_queue="nobody-polls-this")
    with pytest.raises(AirflowException, match='No worker is polling task queue "nobody-polls-this"'):
        executor.start()


def test_start_raises_when_the_workers_ecs_health_check_fails(it_stack: Stack, make_executor: Any) -> None:
    it_stack.ecs.admin("faults", "POST", {"endpoint": {"error": {"next": 1, "operations": ["StopTask"], "code": "AccessDeniedException", "message": "not authorized to perform ecs:StopTask"}}})
    try:
        executor = make_executor()
        with pytest.raises(AirflowException, match="not authorized to perform ecs:StopTask"):
            executor.start()
    finally:
        it_stack.ecs.admin("faults", "DELETE")


def test_a_launch_failure_fails_the_task_with_ecs_reason_in_its_event_log(it_stack: Stack, make_executor: Any) -> None:
    it_stack.ecs.admin("faults", "POST", {"endpoint": {"runTaskFailure": {"next": 1, "reason": "RESOURCE:MEMORY"}}})
    try:
        executor = make_executor()
        driver = Driver(executor)
        workload = factories.execute_task(dag_id="it", task_id="ok_no_capacity", run_id=unique_run())
        executor.queue_workload(workload, session=None)
        state, info = driver.until("the failure", lambda: driver.final(workload.ti.key))
    finally:
        it_stack.ecs.admin("faults", "DELETE")
    assert state == "failed" and "RESOURCE:MEMORY" in info
    assert "running" not in driver.states(workload.ti.key)  # never launched, never RUNNING
    sources, lines = executor.get_task_log(ti_of(workload), 1)
    text = "\n".join(json.loads(line)["event"] for line in lines)
    assert "Attempt 1: launch failed: RESOURCE:MEMORY" in text


def test_with_the_check_off_start_goes_on_at_once_without_a_worker(make_executor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__AWS_ECS_EXECUTOR__CHECK_HEALTH_ON_STARTUP", "False")
    executor = make_executor(task_queue="nobody-polls-this-either")
    started = time.monotonic()
    executor.start()
    assert time.monotonic() - started < 10


def test_tasks_succeed_and_fail_with_their_reasons_in_the_task_log(it_stack: Stack, make_executor: Any) -> None:
    from airflow.configuration import conf

    executor = make_executor()
    executor.start()
    driver = Driver(executor)
    run_id = unique_run()
    # Gated, so that a sync sees both running: a task that ends between two syncs may skip RUNNING.
    ok = factories.execute_task(dag_id="it", task_id="gate_ok_1", run_id=run_id)
    failing = factories.execute_task(dag_id="it", task_id="gate_fail_1", run_id=run_id)
    for workload in (ok, failing):
        executor.queue_workload(workload, session=None)
    driver.until("both RUNNING", lambda: all("running" in driver.states(w.ti.key) for w in (ok, failing)))
    for workload in (ok, failing):
        it_stack.open_gate(f"it.{workload.ti.task_id}.1")
    driver.until("both outcomes", lambda: driver.final(ok.ti.key) and driver.final(failing.ti.key))

    assert driver.final(ok.ti.key) == ("success", None)
    state, info = driver.final(failing.ti.key)  # type: ignore[misc]
    assert state == "failed" and "exit code 3" in info
    for workload in (ok, failing):
        running = [(s, i) for k, s, i in driver.events if k == workload.ti.key and str(s) == "running"]
        assert running and all(str(i).startswith("arn:aws:ecs:us-east-1:") for _, i in running)  # external_executor_id
        assert run_task_calls(it_stack, workload) == 1
    assert not executor.running
    (event,) = [e for e in executor._task_event_logs if e.event == "ecs task failure"]
    assert "exit code 3" in event.extra

    # The event log beside the failed task's log file, where Airflow's log reader finds it.
    event_log = Path(conf.get("logging", "base_log_folder")) / (failing.log_path + EVENT_LOG_SUFFIX)
    text = "\n".join(json.loads(line)["event"] for line in event_log.read_text().splitlines())
    assert "Launched ECS task arn:aws:ecs:" in text and "container airflow exit code 3" in text and "the container's output:" in text
    assert factories.TOKEN not in event_log.read_text()


def test_the_same_try_again_attaches_and_never_launches_twice(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = factories.execute_task(dag_id="it", task_id="ok_again", run_id=unique_run())
    executor.queue_workload(workload, session=None)
    driver.until("the first outcome", lambda: driver.final(workload.ti.key))
    driver.events.clear()
    executor.queue_workload(workload, session=None)
    driver.until("the outcome of the attached workflow", lambda: driver.final(workload.ti.key))
    assert driver.final(workload.ti.key) == ("success", None)
    assert run_task_calls(it_stack, workload) == 1 and not executor.running


def test_a_bad_executor_config_fails_at_once_with_the_workers_reason_and_no_runtask(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = factories.execute_task(dag_id="it", task_id="ok_bad_config", run_id=unique_run(), executor_config={"name": "mine"})
    executor.queue_workload(workload, session=None)
    state, info = driver.until("the failure", lambda: driver.final(workload.ti.key))
    assert state == "failed" and 'should never override "name" or "command"' in info
    assert run_task_calls(it_stack, workload) == 0


def test_a_workflow_terminated_from_the_temporal_side_fails_once_with_how_it_closed(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = factories.execute_task(dag_id="it", task_id="gate_terminated", run_id=unique_run())
    executor.queue_workload(workload, session=None)
    driver.until("RUNNING", lambda: "running" in driver.states(workload.ti.key))

    async def terminate() -> None:
        client = await Client.connect(it_stack.temporal.address)
        await client.get_workflow_handle(task_workflow_id(factories_key(workload))).terminate(reason="operator cleanup")

    asyncio.run(terminate())
    state, info = driver.until("the failure", lambda: driver.final(workload.ti.key))
    assert state == "failed" and "terminated from the Temporal side" in info and "operator cleanup" in info
    for _ in range(5):
        driver.beat()
    assert driver.states(workload.ti.key).count("failed") == 1


def factories_key(workload: Any) -> dict:
    ti = workload.ti
    return {"dagId": ti.dag_id, "taskId": ti.task_id, "runId": ti.run_id, "tryNumber": ti.try_number, "mapIndex": ti.map_index}


def test_sync_is_one_visibility_query_and_a_scheduler_clock_5_minutes_off_changes_nothing(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    skew = -300.0
    executor._feed._clock = lambda: time.time() + skew  # the scheduler's clock runs 5 minutes behind
    executor._feed._last_deep_at = executor._feed._now_ms()
    executor.start()  # the probe's server time fixes the first read's window
    assert abs(executor._feed._clock_offset_ms - 300_000) < 5_000
    ops = executor._ops()
    queries: list[str] = []
    original = ops.list

    def counting(query: str) -> Any:
        queries.append(query)
        return original(query)

    ops.list = counting  # type: ignore[method-assign]
    driver = Driver(executor)
    run_id = unique_run()
    workloads = [factories.execute_task(dag_id="it", task_id=f"ok_skew_{i}", run_id=run_id) for i in range(3)]
    for workload in workloads:
        executor.queue_workload(workload, session=None)
    driver.until("every outcome", lambda: all(driver.final(w.ti.key) for w in workloads))
    beats = len(queries)
    for _ in range(3):
        driver.beat()
    assert len(queries) == beats + 3  # exactly one visibility query per sync
    for workload in workloads:
        # RUNNING is skipped when a task ends between two syncs (as with Airflow's own executor); the outcome never is, and comes once, last.
        assert driver.states(workload.ti.key) in (["running", "success"], ["success"])
    assert executor._feed.watermark is not None and abs(executor._feed.watermark.timestamp() - time.time()) < 60


def test_adoption_after_a_scheduler_restart_attaches_and_never_launches_twice(it_stack: Stack, make_executor: Any) -> None:
    name = f"it-adopt-{uuid.uuid4().hex[:6]}"
    first = make_executor(name)
    driver = Driver(first)
    run_id = unique_run()
    with_arn = factories.execute_task(dag_id="it", task_id="gate_adopt_a", run_id=run_id)
    without_arn = factories.execute_task(dag_id="it", task_id="gate_adopt_b", run_id=run_id)
    for workload in (with_arn, without_arn):
        first.queue_workload(workload, session=None)
    arn = driver.until("RUNNING with the ARN", lambda: next((i for k, s, i in driver.events if k == with_arn.ti.key and str(s) == "running"), None))
    driver.until("RUNNING", lambda: "running" in driver.states(without_arn.ti.key))
    first._runner.close()  # the scheduler dies: nothing of it is left but what Temporal has

    second = make_executor(name)
    second.start()
    # One TI with its ARN, one whose ARN Airflow never stored (its try's workflow runs all the same).
    assert second.try_adopt_task_instances([ti_of(with_arn, arn), ti_of(without_arn)]) == []
    assert {with_arn.ti.key, without_arn.ti.key} <= second.running
    it_stack.open_gate(f"it.gate_adopt_a.1")
    it_stack.open_gate(f"it.gate_adopt_b.1")
    after = Driver(second)
    after.until("both outcomes", lambda: after.final(with_arn.ti.key) and after.final(without_arn.ti.key))
    assert after.final(with_arn.ti.key) == ("success", None) and after.final(without_arn.ti.key) == ("success", None)
    assert run_task_calls(it_stack, with_arn) == 1 and run_task_calls(it_stack, without_arn) == 1


def test_adopting_an_ecs_task_launched_elsewhere_tracks_it_by_its_arn(it_stack: Stack, make_executor: Any) -> None:
    ecs = boto3.client("ecs", endpoint_url=it_stack.ecs.url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    launched = ecs.run_task(
        cluster="default", taskDefinition="airflow", launchType="FARGATE",
        overrides={"containerOverrides": [{"name": "airflow", "command": ["sleep", "1"]}]},
    )
    arn = launched["tasks"][0]["taskArn"]
    executor = make_executor()
    executor.start()
    run_id = unique_run()
    elsewhere = factories.execute_task(dag_id="it", task_id="by_aws_ecs_executor", run_id=run_id)
    unknown = factories.execute_task(dag_id="it", task_id="unknown_arn", run_id=run_id)
    no_arn = factories.execute_task(dag_id="it", task_id="no_arn", run_id=run_id)
    unknown_arn = arn.rsplit("/", 1)[0] + "/" + "f" * 32
    not_adopted = executor.try_adopt_task_instances([ti_of(elsewhere, arn), ti_of(unknown, unknown_arn), ti_of(no_arn)])
    assert sorted(ti.task_id for ti in not_adopted) == ["no_arn", "unknown_arn"]
    driver = Driver(executor)
    assert driver.until("the adopted task's outcome", lambda: driver.final(elsewhere.ti.key)) == ("success", None)

    async def tracker() -> str:
        client = await Client.connect(it_stack.temporal.address)
        return (await client.get_workflow_handle(f"ecs-task/{arn}").describe()).workflow_type

    assert asyncio.run(tracker()) == "ecsTaskWorkflow"


def revoke_running(it_stack: Stack, executor: Any, driver: Driver, task_id: str) -> Any:
    workload = factories.execute_task(dag_id="it", task_id=task_id, run_id=unique_run())
    workflow_id = task_workflow_id(factories_key(workload))
    executor.queue_workload(workload, session=None)
    driver.until("RUNNING", lambda: "running" in driver.states(workload.ti.key))
    executor.revoke_task(ti=ti_of(workload))
    assert workload.ti.key not in executor.running
    stack.wait_for("the revoked workflow to close", lambda: workflow_status(it_stack, workflow_id) != WorkflowExecutionStatus.RUNNING, timeout=60)
    return workload


def test_revoke_stops_the_task_and_reports_nothing(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = revoke_running(it_stack, executor, driver, "gate_revoke")
    for _ in range(5):
        driver.beat()
    assert driver.final(workload.ti.key) is None  # revoke_task adds no event
    (task,) = [t for t in it_stack.ecs.admin("tasks")["tasks"] if t["taskArn"] == next(i for k, s, i in driver.events if k == workload.ti.key)]
    assert task["lastStatus"] == "STOPPED" and "Revoked by the Airflow scheduler" in task["stoppedReason"]


def test_a_try_requeued_after_revoke_runs_again(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = revoke_running(it_stack, executor, driver, "gate_requeue")
    # Airflow's stuck-in-queued handling queues the same try again: it runs in a new workflow run.
    driver.events.clear()
    executor.queue_workload(workload, session=None)
    driver.until("RUNNING again", lambda: "running" in driver.states(workload.ti.key))
    it_stack.open_gate("it.gate_requeue.1")
    assert driver.until("the outcome", lambda: driver.final(workload.ti.key), timeout=15) == ("success", None)
    assert run_task_calls(it_stack, workload) == 2


def test_terminate_stops_every_running_task_and_end_waits_for_them(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = factories.execute_task(dag_id="it", task_id="gate_terminate", run_id=unique_run())
    executor.queue_workload(workload, session=None)
    driver.until("RUNNING", lambda: "running" in driver.states(workload.ti.key))
    started = time.monotonic()
    executor.terminate()
    assert time.monotonic() - started < 60 and not executor.running
    state, info = executor.get_event_buffer()[workload.ti.key]
    assert state == TaskInstanceState.FAILED and "Airflow Executor received a SIGTERM" in info


def test_get_task_log_shows_the_event_log_of_a_running_and_of_a_finished_try(it_stack: Stack, make_executor: Any) -> None:
    executor = make_executor()
    driver = Driver(executor)
    workload = factories.execute_task(dag_id="it", task_id="gate_log", run_id=unique_run())
    executor.queue_workload(workload, session=None)
    driver.until("RUNNING", lambda: "running" in driver.states(workload.ti.key))
    viewer = make_executor(executor.settings.executor_name)  # the API server's own instance
    sources, lines = viewer.get_task_log(ti_of(workload), 1)
    text = "\n".join(json.loads(line)["event"] for line in lines)
    assert sources and "Launched ECS task arn:aws:ecs:" in text and "Executor state now: RUNNING" in text
    it_stack.open_gate("it.gate_log.1")
    driver.until("the outcome", lambda: driver.final(workload.ti.key))
    sources, lines = viewer.get_task_log(ti_of(workload), 1)
    text = "\n".join(json.loads(line)["event"] for line in lines)
    assert "container airflow exit code 0" in text and "Executor state now: SUCCESS" in text
    assert viewer.get_task_log(ti_of(workload), 2) == ([], [])  # a try that never ran here


def test_a_callback_workload_runs_as_its_own_workflow(it_stack: Stack, make_executor: Any) -> None:
    from airflow.executors import workloads
    from airflow.executors.workloads.callback import CallbackDTO, CallbackFetchMethod

    callback_id = str(uuid.uuid4())
    workload = workloads.ExecuteCallback(
        callback=CallbackDTO(id=callback_id, fetch_method=CallbackFetchMethod.IMPORT_PATH, data={"path": "it.cb", "kwargs": {}}),
        dag_rel_path=Path("it.py"),
        token=factories.TOKEN,
        log_path=f"executor_callbacks/it/{unique_run()}/{callback_id}",
        bundle_info=workloads.BundleInfo(name="dags-folder"),
    )
    executor = make_executor()
    driver = Driver(executor)
    executor.queue_workload(workload, session=None)
    key = CallbackKey(id=callback_id)
    state, _ = driver.until("the callback's outcome", lambda: driver.final(key))
    assert state == CallbackState.SUCCESS
    assert workflow_status(it_stack, f"airflow-callback/{callback_id}") == WorkflowExecutionStatus.COMPLETED


def test_payloads_are_encrypted_when_a_codec_key_is_configured(it_stack: Stack, make_executor: Any, tmp_path: Path) -> None:
    key = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="  # test key only
    queue = f"it-codec-{uuid.uuid4().hex[:6]}"
    worker = stack.start_worker(
        it_stack.temporal, it_stack.ecs, queue, it_stack.root / "logs",
        {"ECS_EXECUTOR_CODEC_KEY": key, "ECS_EXECUTOR_CODEC_KEY_ID": "it", "ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS": "1"},
    )
    try:
        executor = make_executor(task_queue=queue, codec_key=key, codec_key_id="it")
        executor.start()
        driver = Driver(executor)
        workload = factories.execute_task(dag_id="it", task_id="ok_codec", run_id=unique_run())
        executor.queue_workload(workload, session=None)
        assert driver.until("the outcome", lambda: driver.final(workload.ti.key)) == ("success", None)

        async def raw_history() -> Any:
            client = await Client.connect(it_stack.temporal.address)  # no codec: what the server stores
            return await client.get_workflow_handle(task_workflow_id(factories_key(workload))).fetch_history()

        history = asyncio.run(raw_history())
        stored = b"".join(event.SerializeToString() for event in history.events)
        assert factories.TOKEN.encode() not in stored and b"dag_id" not in stored
        (started,) = [e for e in history.events if e.HasField("workflow_execution_started_event_attributes")]
        (payload,) = started.workflow_execution_started_event_attributes.input.payloads
        assert payload.metadata["encoding"] == b"binary/encrypted" and payload.metadata["encryption-key-id"] == b"it"
        # The executor's own client (with the key) reads it back: the event log has the attempts.
        sources, lines = executor.get_task_log(ti_of(workload), 1)
        assert sources and any("exit code 0" in line for line in lines)
    finally:
        worker.stop()

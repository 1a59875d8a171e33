"""The executor's surface as the scheduler calls it, with nothing listening where Temporal should be.

What can be decided without Temporal is decided here: which workloads are accepted, what a bad
task does (fails, with its reason in the event buffer and the task's event log), and that an
unreachable Temporal never raises out of a scheduler call (tasks wait, an adoption is kept).
"""

from __future__ import annotations

import socket
import uuid
from types import SimpleNamespace
from typing import Any

import factories
import pytest
from airflow.executors import workloads
from airflow.models.taskinstancekey import TaskInstanceKey
from airflow.utils.state import TaskInstanceState

from temporal_ecs_executor import TemporalEcsExecutor


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def executor(monkeypatch: pytest.MonkeyPatch) -> TemporalEcsExecutor:
    monkeypatch.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__ADDRESS", f"127.0.0.1:{closed_port()}")
    executor = TemporalEcsExecutor(parallelism=8)
    yield executor
    executor._runner.close()


def test_task_and_callback_workloads_are_queued_and_others_rejected_with_airflows_message(executor: TemporalEcsExecutor) -> None:
    task = factories.execute_task()
    executor.queue_workload(task, session=None)
    assert executor.queued_tasks == {task.ti.key: task}
    assert executor.slots_available == 7 and executor.slots_occupied == 1
    connection_test = workloads.TestConnection(connection_test_id=uuid.uuid4(), connection_id="aws_default", timeout=10, token="t")
    with pytest.raises(NotImplementedError, match="TemporalEcsExecutor does not support TestConnection workloads"):
        executor.queue_workload(connection_test, session=None)
    assert executor.queued_connection_tests == {}


def test_an_executor_config_that_is_not_json_fails_the_task_at_submit_with_its_reason(executor: TemporalEcsExecutor, capsys: pytest.CaptureFixture[str]) -> None:
    task = factories.execute_task(executor_config={"overrides": {"memory": object()}})
    executor.queue_workload(task, session=None)
    executor.trigger_tasks(open_slots=8)
    state, info = executor.get_event_buffer()[task.ti.key]
    assert state == TaskInstanceState.FAILED and "plain JSON" in info
    assert task.ti.key not in executor.running and not executor.queued_tasks
    (event,) = executor._task_event_logs
    assert event.event == "temporal ecs executor submit failure" and "plain JSON" in event.extra
    logged = capsys.readouterr()
    assert "plain JSON" in logged.out + logged.err
    assert factories.TOKEN not in logged.out + logged.err and factories.TOKEN not in info


def test_a_bad_key_fails_the_task(executor: TemporalEcsExecutor) -> None:
    task = factories.execute_task(run_id="r\n1")
    executor.queue_workload(task, session=None)
    executor.trigger_tasks(open_slots=8)
    state, info = executor.get_event_buffer()[task.ti.key]
    assert state == TaskInstanceState.FAILED and "runId" in info and "does not match" in info


def test_an_unreachable_temporal_never_raises_and_the_task_waits(executor: TemporalEcsExecutor, capsys: pytest.CaptureFixture[str]) -> None:
    task = factories.execute_task()
    executor.queue_workload(task, session=None)
    executor.heartbeat()  # trigger_tasks + sync, as the scheduler calls them
    executor.sync()
    assert task.ti.key in executor.running  # still ours, tried again later
    assert executor.get_event_buffer() == {}
    assert list(executor._pending) == ["airflow-task/etl/load/manual__2026-12-01T00:00:00+00:00/-1/1"]
    logged = capsys.readouterr()
    assert "Connection refused" in logged.out and "retrying at the next heartbeat" in logged.out
    assert factories.TOKEN not in logged.out + logged.err


def test_during_an_outage_heartbeats_skip_temporal_until_the_back_off_ends(executor: TemporalEcsExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    executor.queue_workload(factories.execute_task(), session=None)
    executor.heartbeat()
    assert executor._in_outage()
    calls: list[str] = []
    monkeypatch.setattr(executor._runner, "run", lambda coro, timeout: (calls.append("run"), coro.close()))
    monkeypatch.setattr(executor._runner, "submit", lambda coro: (calls.append("submit"), coro.close()))
    second = factories.execute_task(task_id="second")
    executor.queue_workload(second, session=None)
    executor.heartbeat()  # a new task waits too, without a call
    assert calls == [] and second.ti.key in executor.running and len(executor._pending) == 2
    # The back-off is over: the next sync tries both again (and, still failing, reads no state changes).
    monkeypatch.setattr(executor, "_outage_until", 0.0)
    for submission in executor._pending.values():
        submission.next_try_at = 0.0
    monkeypatch.setattr(executor._runner, "submit", lambda coro: (calls.append("submit"), coro.close(), _failed_future())[-1])
    executor.sync()
    assert calls == ["submit", "submit"] and executor._in_outage() and len(executor._pending) == 2


def test_get_task_log_says_why_it_has_nothing(executor: TemporalEcsExecutor) -> None:
    ti = SimpleNamespace(dag_id="etl", task_id="load", run_id="r", map_index=-1, try_number=1, id=uuid.uuid4())
    sources, lines = executor.get_task_log(ti, 1)
    assert sources == [] and len(lines) == 1 and "could not read the executor-side event log" in lines[0]


def test_revoke_and_terminate_never_raise(executor: TemporalEcsExecutor) -> None:
    key = TaskInstanceKey("etl", "load", "r", 1, -1)
    executor.running.add(key)
    executor.revoke_task(ti=SimpleNamespace(key=key))
    assert key not in executor.running
    executor.terminate()  # nothing running: returns


def test_an_adoption_that_cannot_reach_temporal_keeps_the_task_instances(executor: TemporalEcsExecutor) -> None:
    ti = SimpleNamespace(
        dag_id="etl", task_id="load", run_id="r", map_index=-1, try_number=1, id=uuid.uuid4(),
        external_executor_id="arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef", key=TaskInstanceKey("etl", "load", "r", 1, -1),
    )
    # Resetting it would launch the try a second time while its ECS task may still run.
    assert executor.try_adopt_task_instances([ti]) == []
    assert ti.key in executor.running and len(executor._pending_adoptions) == 1
    executor.sync()  # tried again, still unreachable: kept
    assert len(executor._pending_adoptions) == 1


def test_start_raises_when_the_check_is_on_and_temporal_is_unreachable(executor: TemporalEcsExecutor) -> None:
    from airflow.exceptions import AirflowException

    with pytest.raises(AirflowException, match="start-up check failed"):
        executor.start()


def test_start_goes_on_when_the_check_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__ADDRESS", f"127.0.0.1:{closed_port()}")
    monkeypatch.setenv("AIRFLOW__AWS_ECS_EXECUTOR__CHECK_HEALTH_ON_STARTUP", "False")
    executor = TemporalEcsExecutor()
    try:
        executor.start()
    finally:
        executor._runner.close()


def _failed_future() -> Any:
    import concurrent.futures

    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_exception(ConnectionError("still down"))
    return future

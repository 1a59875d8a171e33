"""The real parts for the integration tests: a Temporal dev server, the local ECS endpoint and our
TypeScript worker, started once per session on free loopback ports and stopped at the end.

The local ECS endpoint runs each container command as a local process; its PATH starts with a
directory whose `python` plays execute_workload (stack.FAKE_PYTHON), so a task's outcome comes
from its task id and no Airflow API server is needed here (the e2e tests run the real one).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import stack

pytestmark = pytest.mark.integration


@dataclass
class Stack:
    temporal: stack.TemporalServer
    ecs: stack.LocalEcs
    worker: stack.Worker
    gates: Path
    root: Path

    @property
    def task_queue(self) -> str:
        return self.worker.task_queue

    def open_gate(self, label: str = "all") -> None:
        (self.gates / label).touch()


@pytest.fixture(scope="session")
def it_stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="temporal-ecs-it-"))
    gates = root / "gates"
    gates.mkdir()
    fake = stack.fake_python_dir(root / "fake-bin")
    started: list[Any] = []
    try:
        temporal = stack.start_temporal(root / "logs")
        started.append(temporal)
        ecs = stack.start_local_ecs(
            root / "logs",
            env={"PATH": f"{fake}:{stack.node_path()}", "FAKE_GATE_DIR": str(gates)},
            config={"lifecycle": {"provisioningMs": 50, "pendingMs": 50, "deactivatingMs": 20, "deprovisioningMs": 20}, "stopTimeoutMs": 2000},
        )
        started.append(ecs)
        worker = stack.start_worker(temporal, ecs, f"it-{uuid.uuid4().hex[:8]}", root / "logs", {"ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS": "1"})
        started.append(worker)
        yield Stack(temporal, ecs, worker, gates, root)
    finally:
        for part in reversed(started):
            part.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Driver:
    """Runs the executor as the scheduler does (heartbeat = trigger_tasks + sync) and keeps every event."""

    executor: Any
    events: list[tuple[Any, Any, Any]] = field(default_factory=list)

    def beat(self) -> None:
        self.executor.heartbeat()
        for key, (state, info) in self.executor.get_event_buffer().items():
            self.events.append((key, state, info))

    def until(self, what: str, done: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.beat()
            result = done()
            if result:
                return result
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; events so far: {self.events}")

    def states(self, key: Any) -> list[str]:
        return [str(state) for k, state, _ in self.events if k == key]

    def final(self, key: Any) -> tuple[str, Any] | None:
        for k, state, info in reversed(self.events):
            if k == key and str(state) in ("success", "failed"):
                return str(state), info
        return None


@pytest.fixture
def make_executor(it_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    from temporal_ecs_executor import TemporalEcsExecutor

    made: list[Any] = []

    def make(name: str | None = None, **settings: str) -> Any:
        values = {
            "ADDRESS": it_stack.temporal.address,
            "TASK_QUEUE": it_stack.task_queue,
            "EXECUTOR_NAME": name or f"it-{uuid.uuid4().hex[:8]}",
            "SYNC_LAG_SECONDS": "2",
            **{k.upper(): v for k, v in settings.items()},
        }
        for key, value in values.items():
            monkeypatch.setenv(f"AIRFLOW__TEMPORAL_ECS_EXECUTOR__{key}", value)
        executor = TemporalEcsExecutor(parallelism=32)
        made.append(executor)
        return executor

    yield make
    for executor in made:
        executor._runner.close()

"""Starts and stops the real parts for integration and end-to-end tests.

A Temporal dev server (with every search attribute of contract/names.json registered on its
command line, as src/dev/dev-server.ts does), the local ECS endpoint and our TypeScript worker,
each a process of its own on free loopback ports, each stopped by the test that started it.
Readiness is polled with a generous deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "contract"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-access-key", "AWS_SECRET_ACCESS_KEY": "test-secret-key", "AWS_REGION": "us-east-1"}

_SA_TYPES = {"KEYWORD": "Keyword", "INT": "Int", "DATETIME": "Datetime", "KEYWORD_LIST": "KeywordList", "BOOL": "Bool", "DOUBLE": "Double", "TEXT": "Text"}


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 0.2, proc: Proc | None = None) -> Any:
    """Polls ``check`` until it returns something truthy; fails with ``what`` and the process's log tail."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise StackError(f"{proc.name} exited with code {proc.popen.returncode} while waiting for {what}:\n{proc.tail()}")
        try:
            result = check()
            if result:
                return result
        except Exception as err:  # noqa: BLE001 - retried until the deadline
            last = err
        time.sleep(interval)
    tail = f"\n{proc.tail()}" if proc is not None else ""
    raise StackError(f"timed out after {timeout:g} s waiting for {what} (last error: {last!r}){tail}")


def versions() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (REPO / "scripts" / "versions.env").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = os.environ.get(key.strip(), value.strip())
    return values


def temporal_cli() -> Path:
    explicit = os.environ.get("TEMPORAL_CLI_PATH")
    path = Path(explicit) if explicit else REPO / ".cache" / "temporal-cli" / versions()["TEMPORAL_CLI_VERSION"] / "temporal"
    if not path.is_file():
        raise StackError(f"the Temporal CLI is not at {path}: run `bash scripts/setup.sh temporal-cli` (or set TEMPORAL_CLI_PATH)")
    return path


_node_path: str | None = None


def node_path() -> str:
    """PATH with the Node our scripts use first (scripts/lib/node.sh)."""
    global _node_path
    if _node_path is None:
        out = subprocess.run(
            ["bash", "-c", 'source scripts/lib/node.sh >&2 && printf %s "$PATH"'], cwd=REPO, capture_output=True, text=True, check=False
        )
        if out.returncode != 0:
            raise StackError(f"no usable Node: {out.stderr.strip()}")
        _node_path = out.stdout
    return _node_path


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive:
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the process group, SIGKILL after ``timeout``."""
        if not self.alive:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        except ProcessLookupError:
            pass


def spawn(name: str, args: list[str], log_dir: Path, env: Mapping[str, str], cwd: Path = REPO) -> Proc:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    handle = open(log, "ab")  # noqa: SIM115 - the child owns it
    popen = subprocess.Popen(args, cwd=cwd, env=dict(env), stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    handle.close()
    return Proc(name, popen, log)


@dataclass
class TemporalServer:
    proc: Proc
    address: str

    def stop(self) -> None:
        self.proc.stop()


def start_temporal(log_dir: Path, db_file: Path | None = None) -> TemporalServer:
    port = free_port()
    names = json.loads((CONTRACT / "names.json").read_text())["searchAttributes"]
    args = [str(temporal_cli()), "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port), "--log-level", "error"]
    if db_file is not None:
        args += ["--db-filename", str(db_file)]
    for name, kind in names.items():
        args += ["--search-attribute", f"{name}={_SA_TYPES[kind]}"]
    # As the TypeScript side's dev server (DEV_SERVER_DYNAMIC_CONFIG in src/dev/dev-server.ts): the
    # attributes above exist before the server serves, so its search-attribute cache needs no
    # database read on every lookup.
    for setting in ("history.hostLevelCacheMaxSize=32768", "system.forceSearchAttributesCacheRefreshOnRead=false"):
        args += ["--dynamic-config-value", setting]
    proc = spawn(f"temporal-{port}", args, log_dir, os.environ)
    address = f"127.0.0.1:{port}"

    def ready() -> bool:
        from temporalio.client import Client

        async def probe() -> bool:
            client = await Client.connect(address)
            await client.count_workflows()
            return True

        return asyncio.run(probe())

    try:
        wait_for(f"the Temporal dev server at {address}", ready, timeout=90, interval=0.5, proc=proc)
    except BaseException:
        proc.stop()
        raise
    return TemporalServer(proc, address)


@dataclass
class LocalEcs:
    proc: Proc
    url: str
    log_dir: Path

    def admin(self, path: str, method: str = "GET", body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_local/{path}", data=data, method=method, headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def run_task_requests(self) -> list[dict[str, Any]]:
        answer = self.admin("run-task-requests")
        return answer["requests"] if isinstance(answer, dict) and "requests" in answer else answer

    def stop(self) -> None:
        self.proc.stop()


def start_local_ecs(
    log_dir: Path, env: Mapping[str, str] | None = None, config: Mapping[str, Any] | None = None, base_env: Mapping[str, str] | None = None
) -> LocalEcs:
    task_logs = log_dir / "local-ecs-tasks"
    task_logs.mkdir(parents=True, exist_ok=True)
    args = ["./bin/ecs-executor", "local-ecs", "--port", "0", "--log-dir", str(task_logs)]
    if config is not None:
        config_file = log_dir / "local-ecs.json"
        config_file.write_text(json.dumps(config))
        args += ["--config", str(config_file)]
    full_env = {**(os.environ if base_env is None else base_env), "PATH": node_path(), "ECS_EXECUTOR_FROM_SOURCE": "1", **(env or {})}
    proc = spawn(f"local-ecs-{free_port()}", args, log_dir, full_env)

    def url() -> str | None:
        match = re.search(r"(?i)local ECS endpoint at (http://127\.0\.0\.1:\d+)", proc.log.read_text(errors="replace"))
        return match.group(1) if match else None

    try:
        found = wait_for("the local ECS endpoint to listen", url, timeout=120, interval=0.3, proc=proc)
    except BaseException:
        proc.stop()
        raise
    return LocalEcs(proc, found, task_logs)


def worker_env(temporal: TemporalServer, ecs: LocalEcs, task_queue: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The worker's settings, as the README's configuration section names them."""
    return {
        "TEMPORAL_ADDRESS": temporal.address,
        "ECS_EXECUTOR_ENDPOINT_URL": ecs.url,
        "ECS_EXECUTOR_CLUSTER": "default",
        "ECS_EXECUTOR_CONTAINER_NAME": "airflow",
        "ECS_EXECUTOR_TASK_DEFINITION": "airflow",
        "ECS_EXECUTOR_LAUNCH_TYPE": "FARGATE",
        "ECS_EXECUTOR_REGION_NAME": "us-east-1",
        "ECS_EXECUTOR_TASK_QUEUE": task_queue,
        "ECS_EXECUTOR_POLL_INTERVAL_SECONDS": "0.2",
        "ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS": "60",
        "ECS_EXECUTOR_LOG_LEVEL": "info",
        **CREDENTIALS,
        **(extra or {}),
    }


@dataclass
class Worker:
    proc: Proc
    task_queue: str
    env: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        self.proc.stop(timeout=30)


def pollers(address: str, task_queue: str) -> int:
    import temporalio.api.enums.v1
    import temporalio.api.taskqueue.v1
    import temporalio.api.workflowservice.v1
    from temporalio.client import Client

    async def count() -> int:
        client = await Client.connect(address)
        response = await client.workflow_service.describe_task_queue(
            temporalio.api.workflowservice.v1.DescribeTaskQueueRequest(
                namespace="default",
                task_queue=temporalio.api.taskqueue.v1.TaskQueue(name=task_queue),
                task_queue_type=temporalio.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return len(response.pollers)

    return asyncio.run(count())


def start_worker(
    temporal: TemporalServer,
    ecs: LocalEcs,
    task_queue: str,
    log_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
) -> Worker:
    settings = worker_env(temporal, ecs, task_queue, extra_env)
    env = {**(os.environ if base_env is None else base_env), "PATH": node_path(), "ECS_EXECUTOR_FROM_SOURCE": "1", **settings}
    proc = spawn(f"worker-{task_queue}", ["./bin/ecs-executor", "worker"], log_dir, env)
    try:
        wait_for(f"a worker polling task queue {task_queue}", lambda: pollers(temporal.address, task_queue) > 0, timeout=180, interval=0.5, proc=proc)
    except BaseException:
        proc.stop()
        raise
    return Worker(proc, task_queue, settings)


FAKE_PYTHON = r'''#!{python}
"""Stands in for `python -m airflow.sdk.execution_time.execute_workload --json-string <workload>` in integration tests.

What it does comes from the task id: gate* first waits for the file $FAKE_GATE_DIR/<dag>.<task>.<try>
(or $FAKE_GATE_DIR/all); then an id with "fail" in it exits 3, any other exits 0. It never prints the workload.
"""
import json, os, sys, time
args = sys.argv[1:]
if args[:2] != ["-m", "airflow.sdk.execution_time.execute_workload"] or "--json-string" not in args:
    os.execv({python!r}, [{python!r}, *args])
workload = json.loads(args[args.index("--json-string") + 1])
ti = workload.get("ti") or {{}}
task = ti.get("task_id") or "callback"
label = f"{{ti.get('dag_id')}}.{{task}}.{{ti.get('try_number')}}"
print(f"fake execute_workload: {{label}} ({{workload.get('type')}})", flush=True)
gates = os.environ.get("FAKE_GATE_DIR", "/nonexistent")
if task.startswith("gate"):
    deadline = time.time() + 600
    while time.time() < deadline and not (os.path.exists(os.path.join(gates, label)) or os.path.exists(os.path.join(gates, "all"))):
        time.sleep(0.1)
if "fail" in task:
    print("fake task failed", flush=True)
    sys.exit(3)
sys.exit(0)
'''


def fake_python_dir(directory: Path) -> Path:
    """A directory whose `python` plays execute_workload (put it first on the local ECS endpoint's PATH)."""
    import sys

    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "python"
    script.write_text(FAKE_PYTHON.format(python=sys.executable))
    script.chmod(0o755)
    return directory

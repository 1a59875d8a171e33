#!/usr/bin/env python3
"""Drive Airflow's real AwsEcsExecutor the way the scheduler does, and measure it.

Run with the Python of a venv that has apache-airflow and apache-airflow-providers-amazon
(nothing of this project is imported: Airflow and the standard library only):

    .cache/airflow-venv/bin/python scripts/bench/airflow_harness.py \
        --endpoint-url http://127.0.0.1:4599 -n 200 --command 'sleep 20'

What it does, in the scheduler's order: builds the executor from `[aws_ecs_executor]` settings
given as AIRFLOW__AWS_ECS_EXECUTOR__* environment variables and an `aws_default` connection whose
`endpoint_url` is the given ECS endpoint; calls start(); queues N task instances with
execute_async() (as BaseExecutor._process_workloads does: command, queue, executor_config, then
the key added to `running`); then calls sync() every --sync-interval seconds (a scheduler loop),
reading get_event_buffer() after each call, until every key has a final state or --timeout
passes; then end(). The executor's logic is not patched. Two passive observers are added:
botocore event handlers that time each ECS API call and read the ARNs and ECS timestamps in its
response, and a structlog processor that counts the executor's warnings and errors (sync()
swallows every exception and only logs it).

The metadata database is not used on this path (configuration, the connection and the event
buffer are all in memory), so no `airflow db migrate` is run. AIRFLOW_HOME is a fresh temporary
directory, removed at exit.

Prints one JSON document on stdout (or to --output); Airflow's own logs go to stderr. Nothing is
asserted: exit 0 when every key reached a final state (whichever), 3 on timeout, 130 when
interrupted, 2 on bad arguments, 1 when the harness itself failed (the JSON then carries the
error).

Clocks: `mono_ms` is CLOCK_MONOTONIC in milliseconds (comparable across processes on one host,
e.g. with Node's `Number(process.hrtime.bigint()) / 1e6`); `wall_ms` is Unix epoch milliseconds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import resource
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

SCHEMA_VERSION = 1
FINAL_STATES_EXCLUDED = ("running", "queued", "scheduled")
MAX_LOG_SAMPLES = 20
ECS_TIMESTAMPS = (
    ("startedAt", "started_at_ms"),
    ("stoppingAt", "stopping_at_ms"),
    ("executionStoppedAt", "execution_stopped_at_ms"),
    ("stoppedAt", "stopped_at_ms"),
)


def now() -> Dict[str, float]:
    return {"mono_ms": round(time.monotonic() * 1000, 3), "wall_ms": round(time.time() * 1000, 3)}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> Optional[int]:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def percentile(values: List[float], p: float) -> Optional[float]:
    """Nearest-rank percentile (the same definition as scripts/bench/stats.ts)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def spread(values: List[float], digits: int = 3) -> Optional[Dict[str, float]]:
    if not values:
        return None
    return {
        "count": len(values),
        "min": round(min(values), digits),
        "p50": round(percentile(values, 50), digits),  # type: ignore[arg-type]
        "p99": round(percentile(values, 99), digits),  # type: ignore[arg-type]
        "max": round(max(values), digits),
        "mean": round(sum(values) / len(values), digits),
    }


def epoch_ms(value: Any) -> Optional[float]:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return round(value.timestamp() * 1000, 3)
    return None


class UsageError(Exception):
    pass


def positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {raw!r}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {raw!r}")
        return value

    return parse


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="airflow_harness.py",
        description="Measure Airflow's AwsEcsExecutor against an ECS endpoint (prints JSON).",
    )
    parser.add_argument("--endpoint-url", required=True, help="ECS endpoint, e.g. http://127.0.0.1:4599")
    parser.add_argument("-n", "--tasks", type=positive(int), required=True, help="task instances to submit")
    parser.add_argument("--command", default="sleep 20", help="container command, split like a shell (default: %(default)s)")
    parser.add_argument("--cluster", default="default")
    parser.add_argument("--task-definition", default="airflow")
    parser.add_argument("--container-name", default="airflow")
    parser.add_argument("--launch-type", default="FARGATE")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--max-run-task-attempts",
        type=positive(int),
        default=1,
        help="[aws_ecs_executor] max_run_task_attempts (Airflow's default is 3; default here %(default)s, like the benchmark)",
    )
    parser.add_argument(
        "--check-health-on-startup",
        choices=("true", "false"),
        default="true",
        help="[aws_ecs_executor] check_health_on_startup (default %(default)s, Airflow's default)",
    )
    parser.add_argument("--sync-interval", type=positive(float), default=1.0, help="seconds between sync() calls (default %(default)s)")
    parser.add_argument("--timeout", type=positive(float), default=900.0, help="seconds from the first submit until giving up (default %(default)s)")
    parser.add_argument(
        "--end-timeout",
        type=positive(float),
        default=60.0,
        help="after a timeout, seconds to wait for terminate() (StopTask for every task, then end()) (default %(default)s)",
    )
    parser.add_argument("--dag-id", default="bench_airflow")
    parser.add_argument("--run-id", default=None, help="default: bench__<UTC time>")
    parser.add_argument("--queue", default="default", help="the task instances' queue (passed to execute_async)")
    parser.add_argument("--log-level", default="WARNING", help="Airflow's [logging] logging_level (default %(default)s)")
    parser.add_argument("--no-api-trace", action="store_true", help="do not observe ECS API calls (no per-call timings, ARNs or ECS timestamps)")
    parser.add_argument("--no-sync-log", action="store_true", help="leave the per-sync() list out of the output")
    parser.add_argument("--output", default=None, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    args.command_list = shlex.split(args.command)
    if not args.command_list:
        parser.error(f"--command must not be empty, got {args.command!r}")
    if args.run_id is None:
        args.run_id = "bench__" + datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return args


def configure_environment(args: argparse.Namespace, airflow_home: str) -> Dict[str, str]:
    """The settings a deployment would put in airflow.cfg, as Airflow's environment variables."""
    settings = {
        "AIRFLOW_HOME": airflow_home,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": args.log_level.upper(),
        # A fixed secret keeps BaseExecutor.__init__ from warning that it generated one.
        "AIRFLOW__API_AUTH__JWT_SECRET": "airflow-harness-" + os.urandom(8).hex(),
        "AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER": args.cluster,
        "AIRFLOW__AWS_ECS_EXECUTOR__CONTAINER_NAME": args.container_name,
        "AIRFLOW__AWS_ECS_EXECUTOR__TASK_DEFINITION": args.task_definition,
        "AIRFLOW__AWS_ECS_EXECUTOR__LAUNCH_TYPE": args.launch_type,
        "AIRFLOW__AWS_ECS_EXECUTOR__REGION_NAME": args.region,
        "AIRFLOW__AWS_ECS_EXECUTOR__CHECK_HEALTH_ON_STARTUP": "True" if args.check_health_on_startup == "true" else "False",
        "AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS": str(args.max_run_task_attempts),
        # The executor's default conn_id; the provider sends every service to extra.endpoint_url.
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
            {
                "conn_type": "aws",
                "login": "test",
                "password": "test",
                "extra": {"endpoint_url": args.endpoint_url, "region_name": args.region},
            }
        ),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    # An inherited config file or AWS profile would leak another deployment's settings in.
    for name in ("AIRFLOW_CONFIG", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"):
        os.environ.pop(name, None)
    os.environ.update(settings)
    return {k: v for k, v in settings.items() if k != "AIRFLOW__API_AUTH__JWT_SECRET"}


class ApiTrace:
    """Passive botocore handlers: time each ECS call, read ARNs and ECS timestamps from responses."""

    def __init__(self) -> None:
        self.calls: Dict[str, Dict[str, float]] = {}
        self.run_task_accepted: Dict[str, Dict[str, float]] = {}
        self.ecs: Dict[str, Dict[str, Any]] = {}
        self.describe_arns: List[int] = []
        self.transport_errors = 0
        self.enabled = True

    def install(self) -> None:
        # Every botocore Session registers BUILTIN_HANDLERS when it is created, so the executor's
        # client (and any client it rebuilds after a failed health check) carries these.
        from botocore import handlers

        handlers.BUILTIN_HANDLERS.append(("provide-client-params.ecs", self.on_start))
        handlers.BUILTIN_HANDLERS.append(("after-call.ecs", self.on_response))
        handlers.BUILTIN_HANDLERS.append(("after-call-error.ecs", self.on_transport_error))

    def stat(self, operation: str) -> Dict[str, float]:
        return self.calls.setdefault(operation, {"calls": 0, "seconds": 0.0, "failed": 0})

    def on_start(self, params: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        if not self.enabled:
            return None
        if context is not None:
            context["harness_started"] = time.perf_counter()
            context["harness_operation"] = model.name if model is not None else "unknown"
        if model is not None and model.name == "DescribeTasks" and isinstance(params, dict):
            self.describe_arns.append(len(params.get("tasks") or []))
        return None  # None keeps the caller's parameters.

    def finish(self, context: Any, failed: bool) -> Dict[str, float]:
        operation = context.get("harness_operation", "unknown") if isinstance(context, dict) else "unknown"
        stat = self.stat(operation)
        stat["calls"] += 1
        if failed:
            stat["failed"] += 1
        started = context.get("harness_started") if isinstance(context, dict) else None
        if started is not None:
            stat["seconds"] += time.perf_counter() - started
        return stat

    def on_response(self, http_response: Any = None, parsed: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        if not self.enabled:
            return
        failed = http_response is not None and getattr(http_response, "status_code", 200) >= 300
        self.finish(context, failed)
        if failed or not isinstance(parsed, dict) or model is None:
            return
        at = now()
        if model.name == "RunTask":
            for task in parsed.get("tasks") or []:
                arn = task.get("taskArn")
                if arn:
                    self.run_task_accepted.setdefault(arn, at)
        elif model.name == "DescribeTasks":
            for task in parsed.get("tasks") or []:
                arn = task.get("taskArn")
                if not arn:
                    continue
                seen = self.ecs.setdefault(arn, {})
                status = task.get("lastStatus")
                seen["last_status"] = status
                if status == "RUNNING":
                    seen.setdefault("first_seen_running", at)
                if status == "STOPPED":
                    seen.setdefault("first_seen_stopped", at)
                self.note_timestamps(seen, task)

    @staticmethod
    def note_timestamps(seen: Dict[str, Any], task: Dict[str, Any]) -> None:
        for field, name in ECS_TIMESTAMPS:
            stamp = epoch_ms(task.get(field))
            if stamp is not None:
                seen[name] = stamp

    def complete_timestamps(self, ecs: Any, cluster: str, arns: List[str]) -> None:
        """After the run: the executor stops describing a task once it reports it (on
        DEPROVISIONING, before ECS sets stoppedAt), so fetch the final timestamps once more."""
        self.enabled = False
        for i in range(0, len(arns), 100):
            response = ecs.describe_tasks(cluster=cluster, tasks=arns[i : i + 100])
            for task in response.get("tasks") or []:
                arn = task.get("taskArn")
                if arn:
                    self.note_timestamps(self.ecs.setdefault(arn, {}), task)

    def on_transport_error(self, exception: Any = None, context: Any = None, **_: Any) -> None:
        # No HTTP response at all (connection refused, timeout) after botocore's own retries.
        if not self.enabled:
            return
        self.finish(context, True)
        self.transport_errors += 1

    def summary(self) -> Dict[str, Any]:
        calls = {
            op: {
                "calls": int(s["calls"]),
                "failed": int(s["failed"]),
                "seconds": round(s["seconds"], 4),
                "mean_ms": round(1000 * s["seconds"] / s["calls"], 3) if s["calls"] else None,
            }
            for op, s in sorted(self.calls.items())
        }
        arns = sum(self.describe_arns)
        return {
            # `failed`: an HTTP status >= 300 or no response. The start-up health check's StopTask
            # of a made-up task fails by design (InvalidParameterException means healthy).
            "calls": calls,
            "transport_errors": self.transport_errors,
            "describe_tasks": {
                "calls": len(self.describe_arns),
                "arns": arns,
                "arns_per_call": round(arns / len(self.describe_arns), 2) if self.describe_arns else None,
            },
        }


class LogCapture:
    """A structlog processor that counts warnings and errors, keeping the first few messages."""

    LEVELS = {"warning": "warnings", "warn": "warnings", "error": "errors", "exception": "errors", "critical": "errors", "fatal": "errors"}

    def __init__(self) -> None:
        self.counts = {"warnings": 0, "errors": 0}
        self.samples: List[Dict[str, Any]] = []

    def __call__(self, logger: Any, method_name: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
        kind = self.LEVELS.get(method_name)
        if kind is not None:
            self.counts[kind] += 1
            if len(self.samples) < MAX_LOG_SAMPLES:
                sample = {"level": method_name, "logger": str(event_dict.get("logger", "")), "message": str(event_dict.get("event", ""))[:2000], "at": now()}
                exception = event_dict.get("exception") or event_dict.get("exc_info")
                if exception is True:
                    exception = traceback.format_exc()
                if exception:
                    sample["exception"] = str(exception)[-2000:]
                self.samples.append(sample)
        return event_dict

    def install(self) -> bool:
        """Structlog loggers (the executor's) and stdlib ones (e.g. the provider's backoff helper)."""
        import logging

        capture = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                exception = None
                if record.exc_info:
                    exception = "".join(traceback.format_exception(*record.exc_info))
                capture({}, record.levelname.lower(), {"logger": record.name, "event": record.getMessage(), "exception": exception})

        logging.getLogger().addHandler(Handler(level=logging.WARNING))
        try:
            import structlog

            # Before the renderer, after Airflow's formatters, so messages are interpolated.
            processors = list(structlog.get_config()["processors"])
            processors.insert(max(0, len(processors) - 1), self)
            structlog.configure(processors=processors)
            return True
        except Exception:  # noqa: BLE001 - the capture is an extra; measuring goes on without it
            return False


class Interrupted(BaseException):
    """A signal: a BaseException, so the executor's `except Exception` in sync() cannot swallow it."""


def versions() -> Dict[str, Optional[str]]:
    from importlib import metadata

    found: Dict[str, Optional[str]] = {"python": sys.version.split()[0]}
    for dist in ("apache-airflow", "apache-airflow-providers-amazon", "boto3", "botocore"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def run(args: argparse.Namespace, report: Dict[str, Any]) -> int:
    errors: List[Dict[str, Any]] = report["errors"]
    trace = None if args.no_api_trace else ApiTrace()
    if trace is not None:
        trace.install()

    import_started = time.perf_counter()
    from airflow.providers.amazon.aws.executors.ecs.ecs_executor import AwsEcsExecutor

    try:
        from airflow.models.taskinstancekey import TaskInstanceKey
    except ImportError:  # Airflow 2 kept it in taskinstance.
        from airflow.models.taskinstance import TaskInstanceKey  # type: ignore[no-redef]
    report["harness"]["import_seconds"] = round(time.perf_counter() - import_started, 3)
    report["harness"]["versions"] = versions()

    log_capture = LogCapture()
    report["log"] = {"captured": log_capture.install(), "counts": log_capture.counts, "samples": log_capture.samples}

    timeline: Dict[str, Any] = report["timeline"]
    cpu_marks: Dict[str, float] = {}

    timeline["construct"] = now()
    executor = AwsEcsExecutor()
    cpu_marks["constructed"] = cpu_seconds()

    timeline["start_called"] = now()
    started = time.perf_counter()
    try:
        executor.start()
    except Exception as err:  # noqa: BLE001 - reported, then the run stops
        errors.append({"phase": "start", "type": type(err).__name__, "message": str(err)})
        timeline["start_returned"] = now()
        return 1
    timeline["start_returned"] = now()
    report["totals"]["start_seconds"] = round(time.perf_counter() - started, 4)

    keys = [TaskInstanceKey(args.dag_id, f"sleep_{i:05d}", args.run_id, 1, -1) for i in range(args.tasks)]
    tasks: Dict[Any, Dict[str, Any]] = {}
    for key in keys:
        tasks[key] = {
            "key": {"dag_id": key.dag_id, "task_id": key.task_id, "run_id": key.run_id, "try_number": key.try_number, "map_index": key.map_index},
            "submit": None,
            "running": None,
            "final": None,
            "arns": [],
            "events": 0,
        }

    pending = set(keys)
    cpu_marks["submit_started"] = cpu_seconds()
    submit_started = time.perf_counter()
    for key in keys:
        tasks[key]["submit"] = now()
        try:
            executor.execute_async(key=key, command=list(args.command_list), queue=args.queue, executor_config={})
        except Exception as err:  # noqa: BLE001 - the scheduler would log and go on
            errors.append({"phase": "execute_async", "key": key.task_id, "type": type(err).__name__, "message": str(err)})
            pending.discard(key)  # never queued: nothing will report it
            continue
        # What BaseExecutor._process_workloads does right after execute_async.
        executor.running.add(key)
    submit_seconds = time.perf_counter() - submit_started
    cpu_marks["submit_done"] = cpu_seconds()
    timeline["first_submit"] = tasks[keys[0]]["submit"]
    timeline["last_submit"] = now()

    sync_durations: List[float] = []
    sync_log: List[List[float]] = []
    deadline = time.monotonic() + args.timeout
    next_tick = time.monotonic()
    timed_out = False
    interrupted = False
    unknown_events = 0

    def record(events: Dict[Any, Any], sync_index: int) -> None:
        nonlocal unknown_events
        at = now()
        for key, value in events.items():
            task = tasks.get(key)
            if task is None:
                unknown_events += 1
                continue
            state, info = value if isinstance(value, tuple) else (value, None)
            state_name = str(getattr(state, "value", state))
            task["events"] += 1
            if state_name == "running":
                if info:
                    task["arns"].append(str(info))
                if task["running"] is None:
                    task["running"] = {**at, "arn": str(info) if info else None, "sync": sync_index}
            elif state_name not in FINAL_STATES_EXCLUDED:
                task["final"] = {**at, "state": state_name, "sync": sync_index}
                pending.discard(key)

    timeline["sync_loop_started"] = now()
    cpu_marks["sync_started"] = cpu_seconds()
    try:
        while pending:
            if time.monotonic() >= deadline:
                timed_out = True
                break
            sync_index = len(sync_durations)
            began = time.perf_counter()
            began_mono = time.monotonic() * 1000
            executor.sync()
            duration = time.perf_counter() - began
            events = executor.get_event_buffer()
            record(events, sync_index)
            sync_durations.append(duration)
            sync_log.append([round(began_mono, 3), round(duration * 1000, 3), len(events)])
            if not pending:
                break
            # A fixed-rate loop, like a scheduler heartbeat: a sync that overruns starts the next one at once.
            next_tick += args.sync_interval
            delay = next_tick - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            else:
                next_tick = time.monotonic()
    except Interrupted:
        interrupted = True
    timeline["sync_loop_ended"] = now()
    cpu_marks["sync_done"] = cpu_seconds()

    timeline["end_called"] = now()
    end_started = time.perf_counter()
    if not timed_out and not interrupted:
        try:
            executor.end(heartbeat_interval=args.sync_interval)
        except Exception as err:  # noqa: BLE001
            errors.append({"phase": "end", "type": type(err).__name__, "message": str(err)})
        record(executor.get_event_buffer(), len(sync_durations))
    else:
        # end() waits, without a bound, for every task still tracked; terminate() stops them
        # first. Run it on a thread so an unreachable endpoint cannot hang the harness.
        stopper = threading.Thread(target=executor.terminate, name="terminate", daemon=True)
        stopper.start()
        stopper.join(args.end_timeout)
        if stopper.is_alive():
            errors.append({"phase": "terminate", "type": "Timeout", "message": f"terminate() did not return within {args.end_timeout} s; tasks may still run on the endpoint"})
    timeline["end_returned"] = now()
    cpu_marks["end_done"] = cpu_seconds()
    end_seconds = time.perf_counter() - end_started

    if trace is not None:
        arns = sorted({arn for task in tasks.values() for arn in ([task["running"]["arn"]] if task["running"] and task["running"]["arn"] else []) + task["arns"]})
        try:
            trace.complete_timestamps(executor.ecs, args.cluster, arns)
        except Exception as err:  # noqa: BLE001 - only the post-run timestamps are missing then
            errors.append({"phase": "post_run_describe", "type": type(err).__name__, "message": str(err)})

    # Per-task output, in submit order, joined with what the API trace saw for each ARN.
    out_tasks = []
    for key in keys:
        task = tasks[key]
        if trace is not None:
            arn = task["running"]["arn"] if task["running"] else None
            task["run_task_accepted"] = trace.run_task_accepted.get(arn) if arn else None
            seen = trace.ecs.get(arn) if arn else None
            task["ecs"] = dict(seen) if seen else None
        if len(task["arns"]) <= 1:
            task.pop("arns")
        out_tasks.append(task)
    report["tasks"] = out_tasks

    totals: Dict[str, Any] = report["totals"]
    n = len(keys)
    first_submit_ms = timeline["first_submit"]["mono_ms"]
    states: Dict[str, int] = {}
    for task in out_tasks:
        name = task["final"]["state"] if task["final"] else "none"
        states[name] = states.get(name, 0) + 1

    def since_first_submit(values: List[float]) -> Optional[float]:
        return round((max(values) - first_submit_ms) / 1000, 3) if values else None

    accepted = [t["run_task_accepted"]["mono_ms"] for t in out_tasks if t.get("run_task_accepted")]
    running = [t["running"]["mono_ms"] for t in out_tasks if t["running"]]
    finals = [t["final"]["mono_ms"] for t in out_tasks if t["final"]]
    launch_marks = accepted if trace is not None else running
    launch_seconds = since_first_submit(launch_marks)
    def reported_after(field: str) -> List[float]:
        return [
            (t["final"]["wall_ms"] - t["ecs"][field]) / 1000
            for t in out_tasks
            if t["final"] and t.get("ecs") and t["ecs"].get(field) is not None
        ]

    totals.update(
        {
            "tasks": n,
            "final_states": states,
            "all_final": len(finals) == n,
            "submit_seconds": round(submit_seconds, 6),
            "submit_calls_per_second": round(n / submit_seconds, 1) if submit_seconds > 0 else None,
            "first_run_task_accepted_seconds": round((min(accepted) - first_submit_ms) / 1000, 3) if accepted else None,
            "launch_seconds": launch_seconds,
            "launch_measured_by": "RunTask response (API trace)" if trace is not None else "RUNNING in the event buffer",
            "launch_tasks_per_second": round(len(launch_marks) / launch_seconds, 2) if launch_seconds else None,
            "all_running_reported_seconds": since_first_submit(running) if len(running) == n else None,
            "all_final_reported_seconds": since_first_submit(finals) if not pending else None,
            # ECS stoppedAt -> final state out of get_event_buffer(). Negative when the executor
            # reports a task on DEPROVISIONING (containers exited), before ECS sets stoppedAt.
            "detection_latency_seconds": spread(reported_after("stopped_at_ms")),
            "detection_after_execution_stopped_seconds": spread(reported_after("execution_stopped_at_ms")),
            "end_seconds": round(end_seconds, 4),
            "sync": {
                "calls": len(sync_durations),
                "interval_seconds": args.sync_interval,
                "duration_seconds": spread(sync_durations, 5),
                "total_seconds": round(sum(sync_durations), 4),
            },
            "cpu_seconds": {
                "process": round(cpu_marks["end_done"], 3),
                # Python start-up, importing Airflow, building the executor (its boto3 client).
                "before_start": round(cpu_marks["constructed"], 3),
                "start": round(cpu_marks["submit_started"] - cpu_marks["constructed"], 3),
                "submit": round(cpu_marks["submit_done"] - cpu_marks["submit_started"], 3),
                "sync_loop": round(cpu_marks["sync_done"] - cpu_marks["sync_started"], 3),
                "end": round(cpu_marks["end_done"] - cpu_marks["sync_done"], 3),
                "run": round(cpu_marks["end_done"] - cpu_marks["constructed"], 3),
                "run_per_task_ms": round(1000 * (cpu_marks["end_done"] - cpu_marks["constructed"]) / n, 3),
            },
            "peak_rss_bytes": peak_rss_bytes(),
            "rss_bytes_at_end": current_rss_bytes(),
            "unknown_events": unknown_events,
        }
    )
    if trace is not None:
        api = trace.summary()
        describe = api["describe_tasks"]
        describe["calls_per_sync"] = round(describe["calls"] / len(sync_durations), 3) if sync_durations else None
        describe["calls_per_task"] = round(describe["calls"] / n, 3)
        api_seconds = sum(c["seconds"] for c in api["calls"].values())
        api["seconds_in_api_calls"] = round(api_seconds, 4)
        totals["ecs_api"] = api
    if not args.no_sync_log:
        report["syncs"] = {"columns": ["start_mono_ms", "duration_ms", "events"], "rows": sync_log}
    report["complete"] = not pending
    report["timed_out"] = timed_out
    report["interrupted"] = interrupted
    if interrupted:
        return 130
    return 3 if timed_out else 0


def main(argv: List[str]) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code in (0, None) else 2

    # Airflow's logging writes to stdout; keep stdout for the JSON document only.
    json_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def on_signal(signum: int, _frame: Any) -> None:
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    airflow_home = tempfile.mkdtemp(prefix="airflow-harness-")
    report: Dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "harness": {
            "executor": "airflow.providers.amazon.aws.executors.ecs.ecs_executor.AwsEcsExecutor",
            "metadata_db": "not used",
            "pid": os.getpid(),
            "args": {
                "endpoint_url": args.endpoint_url,
                "tasks": args.tasks,
                "command": args.command_list,
                "cluster": args.cluster,
                "task_definition": args.task_definition,
                "container_name": args.container_name,
                "launch_type": args.launch_type,
                "region": args.region,
                "max_run_task_attempts": args.max_run_task_attempts,
                "check_health_on_startup": args.check_health_on_startup == "true",
                "sync_interval_seconds": args.sync_interval,
                "timeout_seconds": args.timeout,
                "dag_id": args.dag_id,
                "run_id": args.run_id,
                "api_trace": not args.no_api_trace,
            },
        },
        "clocks": {"mono_ms": "CLOCK_MONOTONIC, ms", "wall_ms": "Unix epoch, ms"},
        "timeline": {},
        "totals": {},
        "errors": [],
        "complete": False,
        "timed_out": False,
        "interrupted": False,
    }
    code = 1
    try:
        report["harness"]["environment"] = configure_environment(args, airflow_home)
        code = run(args, report)
    except Interrupted as err:
        report["interrupted"] = True
        report["errors"].append({"phase": "run", "type": "Interrupted", "message": f"stopped by {err}"})
        code = 130
    except Exception as err:  # noqa: BLE001 - the JSON must still come out, with the failure in it
        report["errors"].append({"phase": "harness", "type": type(err).__name__, "message": str(err), "traceback": traceback.format_exc()[-4000:]})
        code = 1
    finally:
        shutil.rmtree(airflow_home, ignore_errors=True)
    report["exit_code"] = code
    text = json.dumps(report, separators=(",", ":"))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
            out.write("\n")
    else:
        json_out.write(text)
        json_out.write("\n")
        json_out.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

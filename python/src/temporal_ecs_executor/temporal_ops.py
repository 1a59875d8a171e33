"""Every Temporal call the executor makes, over the Temporal Python SDK (all coroutines).

The TypeScript client (src/client/) is the reference: the same workflows, IDs, policies, search
attributes, queries and messages. Nothing here knows Airflow; the executor turns what these
return into Airflow's states and keys. Nothing here logs or returns a workload or a command.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import temporalio.api.enums.v1
import temporalio.api.taskqueue.v1
import temporalio.api.workflowservice.v1
import temporalio.converter
from temporalio.client import (
    Client,
    TLSConfig,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHistoryEventFilterType,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from temporal_ecs_executor.feed import VisibilityRow
from temporal_ecs_executor.settings import Settings
from temporal_ecs_executor.workflow_contract import (
    FAILURE_TYPES,
    PREFIX,
    SA,
    STATUS_QUERY,
    TERMINATE_SIGNAL,
    WORKFLOW_TYPES,
    ContractKey,
    adopted_task_workflow_id,
    is_callback_key,
    key_from_search_attributes,
    key_search_attributes,
    short_key,
    task_arn_problem,
    task_workflow_id,
    validate_adopted_input,
    validate_key,
    visibility_literal,
)

__all__ = ["AdoptCandidate", "AdoptOutcome", "NoWorkerError", "StartResult", "TemporalOps", "connect_options", "is_transient"]

#: How long start() waits for a worker to run the probe (the TypeScript client's PROBE_TIMEOUT_MS).
PROBE_TIMEOUT = timedelta(seconds=30)
#: How long adoption waits for a worker to describe the ARNs (adopt.ts LOOKUP_TIMEOUT_MS).
LOOKUP_TIMEOUT = timedelta(seconds=60)
#: How long a query of a running workflow may take before we say no worker answers it.
QUERY_DEADLINE = timedelta(seconds=5)
#: Deadline of every other single RPC: an unreachable Temporal must not hold the scheduler loop.
RPC_TIMEOUT = timedelta(seconds=10)
#: Workflows named in one visibility query (adopt.ts batches of 50).
QUERY_BATCH = 50
#: Calls to Temporal in flight at once when one operation covers many tasks.
CALL_CONCURRENCY = 20

# Statuses that mean "the server is not reachable or not answering right now": retried later.
_TRANSIENT_CODES = frozenset(
    {
        RPCStatusCode.CANCELLED,
        RPCStatusCode.UNKNOWN,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.ABORTED,
        RPCStatusCode.INTERNAL,
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.UNAUTHENTICATED,
        RPCStatusCode.PERMISSION_DENIED,
    }
)


class NoWorkerError(RuntimeError):
    """No worker polls the task queue, or none answered in time."""


def is_transient(err: BaseException) -> bool:
    """True for an outage (retried at the next heartbeat), False for a request Temporal rejects for good.

    Credentials (UNAUTHENTICATED, PERMISSION_DENIED) count as an outage, as AwsEcsExecutor treats
    expired AWS credentials: the task waits instead of failing. A connection that cannot be made
    raises a plain RuntimeError from the SDK's core: an outage too.
    """
    if isinstance(err, RPCError):
        return err.status in _TRANSIENT_CODES
    return isinstance(err, (RuntimeError, asyncio.TimeoutError, TimeoutError, ConnectionError, OSError))


def _read_file(path: str | None, what: str) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read the {what} {path}: {err.strerror or err}; check [temporal_ecs_executor] and the file's permissions") from None


def connect_options(settings: Settings) -> dict[str, Any]:
    """Client.connect keyword arguments (without the data converter) for these settings."""
    tls: bool | TLSConfig = False
    if settings.tls_enabled:
        ca = _read_file(settings.tls_server_ca_cert_path, "TLS server CA certificate")
        cert = _read_file(settings.tls_client_cert_path, "TLS client certificate")
        key = _read_file(settings.tls_client_key_path, "TLS client key")
        if ca or cert or key or settings.tls_server_name:
            tls = TLSConfig(server_root_ca_cert=ca, client_cert=cert, client_private_key=key, domain=settings.tls_server_name)
        else:
            tls = True
    return {
        "namespace": settings.namespace,
        "api_key": settings.api_key,
        "tls": tls,
    }


@dataclass(frozen=True)
class StartResult:
    workflow_id: str
    run_id: str | None
    #: A workflow with this ID existed (running or closed): nothing new was launched.
    attached: bool


@dataclass(frozen=True)
class ProbeResult:
    #: The server's clock when the worker ran the probe (or when the server accepted it, if no worker ran it).
    now: datetime
    health: Mapping[str, Any] | None
    ran: bool


@dataclass(frozen=True)
class AdoptCandidate:
    """A task instance Airflow hands over for adoption: its key and its ECS task ARN."""

    key: ContractKey
    external_executor_id: str | None
    #: Whatever the caller needs back (the Airflow TaskInstance).
    ref: Any = None


@dataclass
class AdoptOutcome:
    #: (candidate, the workflow ID that tracks it)
    adopted: list[tuple[AdoptCandidate, str]] = field(default_factory=list)
    #: (candidate, why not)
    not_adopted: list[tuple[AdoptCandidate, str]] = field(default_factory=list)


def _status_name(status: WorkflowExecutionStatus | None) -> str:
    return status.name if status is not None else "UNSPECIFIED"


def row_from_execution(info: WorkflowExecution) -> VisibilityRow:
    sa = info.typed_search_attributes

    def get(name: str) -> Any:
        return sa.get(SA[name])

    return VisibilityRow(
        workflow_id=info.id,
        run_id=info.run_id,
        status=_status_name(info.status),
        key=key_from_search_attributes(get),
        state=get("AirflowState"),
        state_changed_at=get("AirflowStateChangedAt"),
        close_time=info.close_time,
        task_arn=get("EcsTaskArn"),
        workflow_type=info.workflow_type,
        task_queue=info.task_queue,
    )


async def _limited(limit: int, coros: Iterable[Any]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)


class TemporalOps:
    """The executor's Temporal client: connects lazily, on the event loop it is used from."""

    def __init__(self, settings: Settings, data_converter: temporalio.converter.DataConverter | None = None, client: Client | None = None) -> None:
        self.settings = settings
        self._data_converter = data_converter or temporalio.converter.DataConverter.default
        self._client = client
        self._lock: asyncio.Lock | None = None

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is None:
                self._client = await Client.connect(
                    self.settings.address,
                    data_converter=self._data_converter,
                    connect_timeout=RPC_TIMEOUT,
                    **connect_options(self.settings),
                )
        return self._client

    @property
    def namespace(self) -> str:
        return self.settings.namespace

    # --- start-up ------------------------------------------------------------------------------

    async def assert_worker_polls(self, task_queue: str | None = None) -> None:
        """Says so, within seconds, when no worker polls the queue a query or a workflow needs."""
        queue = task_queue or self.settings.task_queue
        client = await self.client()
        response = await client.workflow_service.describe_task_queue(
            temporalio.api.workflowservice.v1.DescribeTaskQueueRequest(
                namespace=self.namespace,
                task_queue=temporalio.api.taskqueue.v1.TaskQueue(name=queue),
                task_queue_type=temporalio.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=RPC_TIMEOUT,
        )
        if len(response.pollers) == 0:
            raise NoWorkerError(
                f'No worker is polling task queue "{queue}" in namespace "{self.namespace}" at {self.settings.address}: '
                f"start one (ecs-executor worker, with ECS_EXECUTOR_TASK_QUEUE={queue}) — until then tasks stay queued."
            )

    async def probe(self, check_health: bool, *, require_worker: bool) -> ProbeResult:
        """executorProbeWorkflow: proves a worker polls the queue, reads the server's clock, runs the ECS health check.

        With ``require_worker`` False a missing worker is not an error: the server's clock is then
        the probe's start time, which needs no worker.
        """
        client = await self.client()
        try:
            await self.assert_worker_polls()
            polled = True
        except NoWorkerError:
            if require_worker:
                raise
            polled = False
        handle = await client.start_workflow(
            WORKFLOW_TYPES["probe"],
            {"checkHealth": check_health},
            id=f"{PREFIX['probe']}{self.settings.executor_name}/{uuid.uuid4()}",
            task_queue=self.settings.task_queue,
            execution_timeout=PROBE_TIMEOUT,
            static_summary=f"start-up probe of executor {self.settings.executor_name}{' (with the ECS health check)' if check_health else ''}",
            rpc_timeout=RPC_TIMEOUT,
        )
        if not polled:
            # Nobody would run it now: the server's clock is when it accepted the probe.
            description = await handle.describe(rpc_timeout=RPC_TIMEOUT)
            return ProbeResult(now=description.start_time, health=None, ran=False)
        try:
            result = await asyncio.wait_for(handle.result(), timeout=PROBE_TIMEOUT.total_seconds() + 5)
        except (WorkflowFailureError, asyncio.TimeoutError, TimeoutError) as err:
            if require_worker:
                raise NoWorkerError(
                    f'The start-up probe on task queue "{self.settings.task_queue}" did not complete within '
                    f"{PROBE_TIMEOUT.total_seconds():g} s ({_describe_error(err)}): check that the workers run and are healthy."
                ) from None
            description = await handle.describe(rpc_timeout=RPC_TIMEOUT)
            return ProbeResult(now=description.start_time, health=None, ran=False)
        now = datetime.fromisoformat(str(result["now"]).replace("Z", "+00:00"))
        return ProbeResult(now=now, health=result.get("health"), ran=True)

    # --- submit --------------------------------------------------------------------------------

    async def start_task(self, task_input: Mapping[str, Any], *, after_revoke: bool = False) -> StartResult:
        """Starts one task workflow; the same key again attaches to the first, never launches twice.

        ``after_revoke``: this executor terminated the key's workflow itself (revoke_task) and
        Airflow queued the same try again; only then may a closed, failed run be replaced.
        """
        key = task_input["key"]
        workflow_id = task_workflow_id(key)
        client = await self.client()
        run = f" ({key['runId']})" if key.get("runId") is not None else ""
        try:
            handle = await client.start_workflow(
                WORKFLOW_TYPES["task"],
                dict(task_input),
                id=workflow_id,
                task_queue=self.settings.task_queue,
                # A workflow with this ID, running or closed, means this try was submitted already.
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY if after_revoke else WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [
                        *key_search_attributes(key),
                        SearchAttributePair(SA["AirflowState"], "QUEUED"),
                        SearchAttributePair(SA["EcsExecutorName"], task_input["executorName"]),
                    ]
                ),
                static_summary=f"{short_key(key)}{run}",
                rpc_timeout=RPC_TIMEOUT,
            )
            return StartResult(workflow_id, handle.first_execution_run_id or handle.result_run_id, attached=False)
        except WorkflowAlreadyStartedError as err:
            return StartResult(workflow_id, getattr(err, "run_id", None), attached=True)

    # --- sync ----------------------------------------------------------------------------------

    async def list(self, query: str) -> AsyncIterator[VisibilityRow]:
        client = await self.client()
        async for info in client.list_workflows(query, page_size=1000, rpc_timeout=RPC_TIMEOUT):
            yield row_from_execution(info)

    async def close_reason(self, row: VisibilityRow) -> str:
        """"terminated by <identity>: <reason>", "timed out", ...: the close event says how a workflow closed from outside."""
        return await self.close_reason_of(row.workflow_id, row.run_id, row.status)

    async def close_reason_of(self, workflow_id: str, run_id: str | None, status: str) -> str:
        fallback = f"the task workflow {workflow_id} closed as {status} without a final Airflow state"
        try:
            client = await self.client()
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            async for event in handle.fetch_history_events(event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT, rpc_timeout=RPC_TIMEOUT):
                if event.HasField("workflow_execution_terminated_event_attributes"):
                    attrs = event.workflow_execution_terminated_event_attributes
                    reason = f": {attrs.reason}" if attrs.reason else ""
                    return (
                        f"The task workflow {workflow_id} was terminated from the Temporal side by {attrs.identity or 'an unknown identity'}{reason}; "
                        "its ECS task, if any, is stopped by the observer's reconciliation."
                    )
                if event.HasField("workflow_execution_timed_out_event_attributes"):
                    return f"The task workflow {workflow_id} timed out (a Temporal workflow timeout)."
                if event.HasField("workflow_execution_canceled_event_attributes"):
                    return f"The task workflow {workflow_id} was cancelled."
                if event.HasField("workflow_execution_failed_event_attributes"):
                    failure = await client.data_converter.decode_failure(event.workflow_execution_failed_event_attributes.failure)
                    return f"The task workflow {workflow_id} failed: {failure}."
                break
        except Exception:  # noqa: BLE001 - the reason is informative; the FAILED state is what matters
            return fallback
        return fallback

    async def closed_outcome(self, workflow_id: str, run_id: str | None, key: ContractKey) -> dict[str, Any]:
        """The AirflowTaskResult of a closed task workflow, read without a worker.

        The SUCCESS result, or the FAILED result carried in its AirflowTaskFailed failure. A workflow
        closed from outside (Temporal-side terminate, timeout) has neither: its outcome is FAILED,
        with how it closed (src/client/inspect.ts closedResult).
        """
        client = await self.client()
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        try:
            result = await handle.result(follow_runs=run_id is None, rpc_timeout=RPC_TIMEOUT)
            return result if isinstance(result, dict) else {"key": key, "state": "SUCCESS", "reason": "", "status": None}
        except WorkflowFailureError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == FAILURE_TYPES["AirflowTaskFailed"] and cause.details:
                detail = cause.details[0]
                if isinstance(detail, dict):
                    return detail
            description = await handle.describe(rpc_timeout=RPC_TIMEOUT)
            status = _status_name(description.status)
            reason = await self.close_reason_of(workflow_id, description.run_id, status)
            closed_at = (description.close_time or datetime.now(timezone.utc)).isoformat()
            return {
                "key": key,
                "state": "FAILED",
                "terminated": status == "TERMINATED",
                "attempts": 0,
                "reason": reason,
                "status": {
                    "key": key,
                    "adopted": False,
                    "phase": "DONE",
                    "state": "FAILED",
                    "attempt": 0,
                    "terminateRequested": False,
                    "attempts": [],
                    "events": [{"at": closed_at, "level": "error", "message": reason}],
                },
            }

    # --- inspect -------------------------------------------------------------------------------

    async def workflow_for_key(self, key: ContractKey) -> str | None:
        """The key's task workflow, or the tracker of its adopted ECS task when only that exists."""
        client = await self.client()
        own = task_workflow_id(key)
        try:
            await client.get_workflow_handle(own).describe(rpc_timeout=RPC_TIMEOUT)
            return own
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
        if is_callback_key(key):
            return None
        query = " AND ".join(
            f"({name} = {visibility_literal(value)})"
            for name, value in (
                ("EcsExecutorName", self.settings.executor_name),
                ("AirflowDagId", key["dagId"]),
                ("AirflowTaskId", key["taskId"]),
                ("AirflowRunId", key["runId"]),
                ("AirflowTryNumber", int(key["tryNumber"])),
                ("AirflowMapIndex", int(key.get("mapIndex", -1))),
            )
        )
        async for info in client.list_workflows(query, limit=1, rpc_timeout=RPC_TIMEOUT):
            if info.id.startswith(PREFIX["adopted"]):
                return info.id
        return None

    async def status(self, workflow_id: str, key: ContractKey) -> dict[str, Any]:
        """Every attempt and the event log: the running workflow's query, or a closed one's result without a worker."""
        client = await self.client()
        handle = client.get_workflow_handle(workflow_id)
        description = await handle.describe(rpc_timeout=RPC_TIMEOUT)
        if description.status != WorkflowExecutionStatus.RUNNING:
            outcome = await self.closed_outcome(workflow_id, description.run_id, key)
            return outcome.get("status") or {"key": key, "attempts": [], "events": [], "state": outcome.get("state")}
        await self.assert_worker_polls(description.task_queue or self.settings.task_queue)
        try:
            return await handle.query(STATUS_QUERY, rpc_timeout=QUERY_DEADLINE)
        except Exception as err:  # noqa: BLE001 - said as what it means for the caller
            raise NoWorkerError(
                f"No worker answered the status query of {workflow_id} within {QUERY_DEADLINE.total_seconds():g} s ({_describe_error(err)}): "
                f'are the workers of task queue "{self.settings.task_queue}" overloaded or stopped?'
            ) from None

    async def running_among(self, workflow_ids: Sequence[str]) -> set[str]:
        """Which of these workflows run now (one visibility query per QUERY_BATCH IDs)."""
        client = await self.client()
        running: set[str] = set()
        for start in range(0, len(workflow_ids), QUERY_BATCH):
            batch = workflow_ids[start : start + QUERY_BATCH]
            query = f"(WorkflowId IN ({', '.join(map(visibility_literal, batch))})) AND (ExecutionStatus = 'Running')"
            async for info in client.list_workflows(query, rpc_timeout=RPC_TIMEOUT):
                running.add(info.id)
        return running

    # --- terminate -----------------------------------------------------------------------------

    async def signal_terminate(self, workflow_id: str, reason: str, run_id: str | None = None) -> None:
        client = await self.client()
        await client.get_workflow_handle(workflow_id, run_id=run_id).signal(TERMINATE_SIGNAL, {"reason": reason}, rpc_timeout=RPC_TIMEOUT)

    async def describe_run(self, workflow_id: str) -> tuple[str, str]:
        """The current run of a workflow: its status name and run ID."""
        client = await self.client()
        description = await client.get_workflow_handle(workflow_id).describe(rpc_timeout=RPC_TIMEOUT)
        return _status_name(description.status), description.run_id

    async def current_run_id(self, workflow_id: str) -> str | None:
        client = await self.client()
        try:
            return (await client.get_workflow_handle(workflow_id).describe(rpc_timeout=RPC_TIMEOUT)).run_id
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise

    # --- adopt ---------------------------------------------------------------------------------

    async def adopt(self, candidates: Sequence[AdoptCandidate]) -> AdoptOutcome:
        """Airflow's try_adopt_task_instances, as src/client/adopt.ts does it.

        A task whose ECS task a running workflow tracks is adopted as it is; an ARN that ECS still
        knows gets a tracker keyed by the ARN (attaching to one that runs: never a second tracker,
        never a RunTask). Each task instance is judged on its own. Beyond adopt.ts: a task instance
        whose own try's workflow runs is adopted even without an ARN (Airflow had not stored it yet):
        resetting it would launch the same try a second time.
        """
        outcome = AdoptOutcome()
        # (candidate, own workflow ID, ARN or None, why the ARN cannot be used)
        checked: list[tuple[AdoptCandidate, str, str | None, str | None]] = []
        for candidate in candidates:
            key_problems = validate_key(candidate.key)
            if key_problems:
                outcome.not_adopted.append((candidate, f"invalid key: {'; '.join(key_problems)}"))
                continue
            problem = task_arn_problem(candidate.external_executor_id)
            arn = None if problem else candidate.external_executor_id
            checked.append((candidate, task_workflow_id(candidate.key), arn, problem))
        if not checked:
            return outcome

        client = await self.client()
        running: set[str] = set()
        tracked: dict[str, str] = {}  # current ECS task ARN -> the running workflow that tracks it
        for start in range(0, len(checked), QUERY_BATCH):
            batch = checked[start : start + QUERY_BATCH]
            arns = [arn for _, _, arn, _ in batch if arn is not None]
            by_id = f"WorkflowId IN ({', '.join(visibility_literal(wid) for _, wid, _, _ in batch)})"
            scope = f"({by_id}) OR (EcsTaskArns IN ({', '.join(map(visibility_literal, arns))}))" if arns else by_id
            async for info in client.list_workflows(f"({scope}) AND (ExecutionStatus = 'Running')", rpc_timeout=RPC_TIMEOUT):
                running.add(info.id)
                current = info.typed_search_attributes.get(SA["EcsTaskArn"])
                if current is not None:
                    tracked[current] = info.id

        untracked: list[tuple[AdoptCandidate, str]] = []
        for candidate, own, arn, problem in checked:
            if own in running:
                outcome.adopted.append((candidate, own))
            elif arn is not None and arn in tracked:
                outcome.adopted.append((candidate, tracked[arn]))
            elif arn is None:
                outcome.not_adopted.append((candidate, f"{problem}, and no workflow of this try runs"))
            else:
                untracked.append((candidate, arn))
        if not untracked:
            return outcome

        lookup = await client.execute_workflow(
            WORKFLOW_TYPES["lookup"],
            {"taskArns": sorted({arn for _, arn in untracked})},
            id=f"{PREFIX['lookup']}{uuid.uuid4()}",
            task_queue=self.settings.task_queue,
            execution_timeout=LOOKUP_TIMEOUT,
            static_summary=f"Adoption: which of {len(untracked)} ECS tasks ECS still knows",
            rpc_timeout=RPC_TIMEOUT,
        )
        found = {f["taskArn"]: f["cluster"] for f in lookup.get("found", [])}
        missing = {f["taskArn"]: f.get("reason", "MISSING") for f in lookup.get("notFound", [])}

        async def adopt_one(candidate: AdoptCandidate, arn: str) -> tuple[AdoptCandidate, str, str | None]:
            cluster = found.get(arn)
            if cluster is None:
                return candidate, arn, f"ECS does not know {arn} ({missing.get(arn, 'MISSING')})"
            adopted_input = {"taskArn": arn, "cluster": cluster, "key": candidate.key, "executorName": self.settings.executor_name}
            problems = validate_adopted_input(adopted_input)
            if problems:
                return candidate, arn, f"cannot track {arn}: {'; '.join(problems)}"
            await self._start_tracker(client, adopted_input)
            return candidate, arn, None

        results = await _limited(CALL_CONCURRENCY, (adopt_one(c, arn) for c, arn in untracked))
        for (candidate, arn), result in zip(untracked, results):
            if isinstance(result, BaseException):
                outcome.not_adopted.append((candidate, f"could not start the tracker of {arn}: {_describe_error(result)}"))
            elif result[2] is not None:
                outcome.not_adopted.append((candidate, result[2]))
            else:
                outcome.adopted.append((candidate, adopted_task_workflow_id(arn)))
        return outcome

    async def _start_tracker(self, client: Client, adopted_input: Mapping[str, Any]) -> None:
        key = adopted_input["key"]
        try:
            await client.start_workflow(
                WORKFLOW_TYPES["adoptedTask"],
                dict(adopted_input),
                id=adopted_task_workflow_id(adopted_input["taskArn"]),
                task_queue=self.settings.task_queue,
                # Attach to the tracker that already runs for this ARN: never a second one.
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                search_attributes=TypedSearchAttributes(
                    [
                        *key_search_attributes(key),
                        SearchAttributePair(SA["EcsExecutorName"], adopted_input["executorName"]),
                        SearchAttributePair(SA["AirflowState"], "QUEUED"),
                    ]
                ),
                static_summary=f"{short_key(key)}: adopted ECS task {adopted_input['taskArn']}",
                rpc_timeout=RPC_TIMEOUT,
            )
        except WorkflowAlreadyStartedError:
            pass


def _describe_error(err: BaseException) -> str:
    if isinstance(err, WorkflowFailureError) and err.cause is not None:
        return f"{type(err.cause).__name__}: {err.cause}"
    if isinstance(err, (asyncio.TimeoutError, TimeoutError)):
        return "timed out"
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


describe_error = _describe_error

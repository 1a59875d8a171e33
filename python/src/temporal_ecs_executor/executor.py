"""TemporalEcsExecutor: Airflow's AwsEcsExecutor, with every task a Temporal workflow.

``[core] executor = temporal_ecs_executor.TemporalEcsExecutor``. The scheduler side only starts
workflows and reads their state: our TypeScript workers launch and track the ECS tasks, and
build the RunTask input from the same ``[aws_ecs_executor]`` settings. Nothing about a task lives
only in this process, so a scheduler restart loses nothing and adoption never launches twice.

Rules every method keeps: none raises out of the scheduler loop for a bad task or an unreachable
Temporal (the task fails with its reason in the task log, or the call is retried at the next
heartbeat); none logs a workload or a command (they carry the task's Execution API token).
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow.exceptions import AirflowConfigException, AirflowException
from airflow.executors.base_executor import BaseExecutor
from airflow.models.taskinstancekey import TaskInstanceKey

from temporal_ecs_executor.codec import CodecConfigError, data_converter, load_key_ring
from temporal_ecs_executor.feed import StateChangeFeed, StateEvent
from temporal_ecs_executor.keys import airflow_key, callback_contract_key, contract_key, ti_contract_key
from temporal_ecs_executor.loop import LoopThread
from temporal_ecs_executor.settings import SECTION, Settings, SettingsError, load_settings
from temporal_ecs_executor.task_log import event_log_lines, write_event_log
from temporal_ecs_executor.temporal_ops import (
    LOOKUP_TIMEOUT,
    PROBE_TIMEOUT,
    AdoptCandidate,
    NoWorkerError,
    StartResult,
    TemporalOps,
    describe_error,
    is_transient,
)
from temporal_ecs_executor.workflow_contract import (
    DEFAULT_TERMINATE_REASON,
    SUBMIT_CONCURRENCY,
    InvalidTaskInput,
    task_workflow_id,
    validate_task_input,
)

if TYPE_CHECKING:
    from airflow.executors import workloads
    from airflow.executors.workloads.types import WorkloadKey
    from airflow.models.taskinstance import TaskInstance

__all__ = ["TemporalEcsExecutor"]

#: How long one heartbeat waits for its submits; slower ones are picked up by the next sync().
SUBMIT_WAIT_SECONDS = 10.0
#: Deadline of one sync()'s visibility read, and of fetching the outcomes of what finished.
SYNC_TIMEOUT_SECONDS = 30.0
OUTCOME_TIMEOUT_SECONDS = 15.0
#: get_task_log: the status query has its own 5 s deadline; this bounds the whole read.
TASK_LOG_TIMEOUT_SECONDS = 20.0
#: A submit that failed because Temporal was unreachable is tried again after min(2**n, this) seconds.
MAX_RETRY_DELAY_SECONDS = 60.0
REVOKE_REASON = (
    "Revoked by the Airflow scheduler (revoke_task): the task instance was queued longer than "
    "[scheduler] task_queued_timeout; the scheduler queues it again or fails it"
)


@dataclass
class _Submission:
    key: WorkloadKey
    workflow_id: str
    task_input: dict[str, Any]
    log_path: str | None
    attempts: int = 0
    next_try_at: float = 0.0


@dataclass
class _PendingAdoption:
    candidate: AdoptCandidate
    key: WorkloadKey
    log_path: str | None


class TemporalEcsExecutor(BaseExecutor):
    """Runs each Airflow task instance (and callback) as a Temporal workflow that launches an ECS task.

    Configuration: ``[temporal_ecs_executor]`` (the Temporal connection, task queue, executor name,
    payload codec; see ``temporal_ecs_executor.settings.OPTIONS``) and ``[aws_ecs_executor]``
    ``check_health_on_startup``; everything about the ECS task itself is read by the workers from
    ``[aws_ecs_executor]``. A team's executor reads the team's values.
    """

    supports_multi_team: bool = True
    supports_callbacks: bool = True
    is_local: bool = False
    is_production: bool = True
    serve_logs: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.settings: Settings = load_settings(self.conf, self.team_name)
        except SettingsError as err:
            raise AirflowConfigException(str(err)) from None
        self._runner = LoopThread(f"temporal-ecs-executor{'-' + self.team_name if self.team_name else ''}")
        self._ops_instance: TemporalOps | None = None
        self._ops_loop: Any = None
        self._feed = StateChangeFeed(self.settings.executor_name, lag_seconds=self.settings.sync_lag_seconds)
        #: Workflow ID -> the Airflow key it runs, for what this executor submitted or adopted.
        self._workflow_keys: dict[str, WorkloadKey] = {}
        #: Workflow ID -> the task's log file (relative to the base log folder), for the event log file.
        self._log_paths: dict[str, str] = {}
        #: Submits whose start call has not answered yet, by workflow ID.
        self._inflight: dict[str, tuple[_Submission, concurrent.futures.Future[StartResult]]] = {}
        #: Submits waiting to be tried again (Temporal was unreachable), by workflow ID.
        self._pending: dict[str, _Submission] = {}
        #: Workflow ID -> the run this executor terminated in revoke_task (its rows are never reported).
        self._revoked: dict[str, str | None] = {}
        self._pending_adoptions: list[_PendingAdoption] = []
        self._outage: str | None = None
        #: While Temporal is unreachable, calls wait until then (monotonic time), so a dead Temporal costs the scheduler loop nothing.
        self._outage_until: float | None = None
        self._outage_failures = 0
        self._submit_slots: Any = None

    # --- plumbing ------------------------------------------------------------------------------

    def _ops(self) -> TemporalOps:
        """The Temporal client of this process (built on first use: the API server loads the executor only for logs)."""
        loop = self._runner.loop()
        if self._ops_instance is None or self._ops_loop is not loop:
            # A new loop (first use, or a forked child): the old client belongs to the old loop.
            try:
                key_ring = load_key_ring(self.settings.codec_key_file, key=self.settings.codec_key, key_id=self.settings.codec_key_id)
            except CodecConfigError as err:
                raise AirflowConfigException(f"[{SECTION}] codec_key_file / codec_key / codec_key_id: {err}") from None
            self._ops_instance = TemporalOps(self.settings, data_converter(key_ring))
            self._ops_loop = loop
            self._submit_slots = None
        return self._ops_instance

    def _where(self) -> str:
        return f'Temporal at {self.settings.address}, namespace "{self.settings.namespace}", task queue "{self.settings.task_queue}"'

    def _note_outage(self, what: str, err: BaseException) -> None:
        message = describe_error(err)
        self._outage_failures += 1
        delay = min(2.0**self._outage_failures, MAX_RETRY_DELAY_SECONDS)
        self._outage_until = time.monotonic() + delay
        if self._outage is None:
            self.log.warning("%s: %s failed (%s); retrying at the next heartbeat after %g s", self._where(), what, message, delay)
        else:
            self.log.debug("%s still failing: %s failed (%s); next try in %g s", self._where(), what, message, delay)
        self._outage = message

    def _note_recovered(self) -> None:
        self._outage_failures = 0
        self._outage_until = None
        if self._outage is not None:
            self.log.info("%s answers again (it failed with: %s)", self._where(), self._outage)
            self._outage = None

    def _in_outage(self) -> bool:
        """True while an outage's back-off runs: sync and submits then skip Temporal and try again later."""
        return self._outage_until is not None and time.monotonic() < self._outage_until

    # --- start ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Proves a worker polls the task queue, learns the server's clock and, with
        ``[aws_ecs_executor] check_health_on_startup``, has a worker run Airflow's ECS health check.

        With the check on, anything wrong raises so the scheduler does not start (as AwsEcsExecutor
        does); with it off, problems are logged and the scheduler starts.
        """
        check = self.settings.check_health_on_startup
        self.log.info("Starting TemporalEcsExecutor (%s, executor name %s)%s", self._where(), self.settings.executor_name, "; checking health" if check else "")
        try:
            result = self._runner.run(self._ops().probe(check, require_worker=check), timeout=PROBE_TIMEOUT.total_seconds() + 30)
        except AirflowConfigException:
            raise
        except Exception as err:  # noqa: BLE001 - said as what it means for the scheduler
            detail = str(err) if isinstance(err, NoWorkerError) else describe_error(err)
            message = f"TemporalEcsExecutor start-up check failed: {detail.rstrip('.')}"
            if check:
                self.log.error("%s. Stopping the Airflow Scheduler from starting until the issue is resolved.", message)
                raise AirflowException(message) from None
            self.log.warning("%s; starting anyway ([aws_ecs_executor] check_health_on_startup is off)", message)
            return
        self._feed.set_server_time(result.now)
        health = result.health
        if health is not None and not health.get("healthy"):
            message = str(health.get("message") or "the ECS health check failed").rstrip(".")
            self.log.error("%s. Stopping the Airflow Scheduler from starting until the issue is resolved.", message)
            raise AirflowException(message)
        if health is not None:
            self.log.info("%s", health.get("message"))
        if not result.ran:
            self.log.warning("No worker ran the start-up probe on task queue %s yet: tasks stay queued until one polls it", self.settings.task_queue)

    # --- submit --------------------------------------------------------------------------------

    def _process_workloads(self, workload_items: Sequence[workloads.ExecutorWorkload]) -> None:
        submissions: list[_Submission] = []
        for workload in workload_items:
            try:
                submission = self._submission_for(workload)
            except Exception:  # noqa: BLE001 - one bad workload never stops the others
                self.log.exception("TemporalEcsExecutor could not read a %s workload", type(workload).__name__)
                continue
            if submission is None:
                continue
            self.running.add(submission.key)
            submissions.append(submission)
        if submissions:
            self._start(submissions)

    def _submission_for(self, workload: Any) -> _Submission | None:
        from airflow.executors import workloads

        if isinstance(workload, workloads.ExecuteTask):
            key: WorkloadKey = workload.ti.key
            self.queued_tasks.pop(key, None)
            ckey = ti_contract_key(workload.ti)
            queue = workload.ti.queue
            executor_config = workload.ti.executor_config
            log_path = workload.log_path
        elif isinstance(workload, workloads.ExecuteCallback):
            key = workload.callback.key
            self.queued_callbacks.pop(key, None)
            ckey = callback_contract_key(workload)
            queue, executor_config, log_path = None, None, None
        else:
            # BaseExecutor.queue_workload rejects every other type with Airflow's own message.
            self.log.error("%s cannot handle workloads of type %s", type(self).__name__, type(workload).__name__)
            return None
        task_input: dict[str, Any] = {
            "key": ckey,
            "executorName": self.settings.executor_name,
            "workload": workload.model_dump_json(),
            "queue": queue,
        }
        if executor_config:
            task_input["executorConfig"] = executor_config
        return _Submission(key=key, workflow_id=task_workflow_id(ckey), task_input=task_input, log_path=log_path)

    def _start(self, submissions: list[_Submission]) -> None:
        """Validates each submit at the edge, starts the valid ones concurrently, waits a bounded time."""
        started: list[_Submission] = []
        for submission in submissions:
            problem = self._input_problem(submission.task_input)
            if problem is not None:
                self._fail_submission(submission, problem)
            else:
                started.append(submission)
        if self._in_outage():
            for submission in started:
                submission.next_try_at = self._outage_until or 0.0
                self._pending[submission.workflow_id] = submission
            return
        for submission in started:
            self._inflight[submission.workflow_id] = (submission, self._runner.submit(self._start_one(submission)))
        self._collect_inflight(wait=SUBMIT_WAIT_SECONDS)

    @staticmethod
    def _input_problem(task_input: dict[str, Any]) -> str | None:
        executor_config = task_input.get("executorConfig")
        if executor_config is not None:
            try:
                if json.loads(json.dumps(executor_config)) != executor_config:
                    raise ValueError("it changes when written as JSON")
            except (TypeError, ValueError) as err:
                return f"Invalid executor_config: it must be a plain JSON object of RunTask arguments ({type(err).__name__}: {str(err)[:200]})"
        try:
            validate_task_input(task_input)
        except InvalidTaskInput as err:
            return str(err)
        return None

    async def _start_one(self, submission: _Submission) -> StartResult:
        import asyncio

        if self._submit_slots is None:  # created on the loop's thread, the first time it is needed
            self._submit_slots = asyncio.Semaphore(SUBMIT_CONCURRENCY)
        async with self._submit_slots:
            ops = self._ops()
            after_revoke = submission.workflow_id in self._revoked
            result = await ops.start_task(submission.task_input, after_revoke=after_revoke)
            if result.attached:
                status, run_id = await ops.describe_run(submission.workflow_id)
                if status == "RUNNING":
                    if after_revoke:
                        # Airflow queued the revoked try again and its run is still terminating: try again later.
                        raise _RevokedRunStillThere(submission.workflow_id, run_id)
                    return result
                # Closed already (this try ran before: an earlier scheduler submitted it, or it
                # finished before a revoke's terminate arrived): its outcome is this try's outcome.
                outcome = await ops.closed_outcome(submission.workflow_id, run_id, submission.task_input["key"])
                raise _AttachedToClosedRun(run_id, outcome)
            return result

    def _collect_inflight(self, wait: float = 0.0) -> None:
        if not self._inflight:
            return
        if wait > 0:
            concurrent.futures.wait([f for _, f in self._inflight.values()], timeout=wait)
        for workflow_id, (submission, future) in list(self._inflight.items()):
            if not future.done():
                continue
            del self._inflight[workflow_id]
            try:
                result = future.result()
            except _RevokedRunStillThere:
                self._retry_later(submission, None)
                continue
            except _AttachedToClosedRun as closed:
                self.log.info("Task %s: its workflow %s had already finished (%s); nothing new is launched", submission.key, workflow_id, closed.outcome.get("state"))
                self._revoked.pop(workflow_id, None)
                self._track(workflow_id, submission.key, submission.log_path)
                state = "SUCCESS" if closed.outcome.get("state") == "SUCCESS" else "FAILED"
                reason = None if state == "SUCCESS" else closed.outcome.get("reason")
                self._report(StateEvent(workflow_id, closed.run_id, submission.task_input["key"], state, info=reason), closed.outcome)
                continue
            except Exception as err:  # noqa: BLE001 - sorted into an outage or a task failure
                if is_transient(err):
                    self._note_outage("starting a task workflow", err)
                    self._retry_later(submission, err)
                else:
                    self._fail_submission(submission, f"Temporal refused to start the task's workflow {workflow_id}: {describe_error(err)}")
                continue
            self._note_recovered()
            if submission.workflow_id in self._revoked:
                self._revoked.pop(submission.workflow_id, None)
            self._track(result.workflow_id, submission.key, submission.log_path)
            if result.attached:
                self.log.info("Task %s: attached to its existing workflow %s (nothing new is launched)", submission.key, result.workflow_id)
            else:
                self.log.info("Task %s: started workflow %s", submission.key, result.workflow_id)

    def _retry_later(self, submission: _Submission, err: BaseException | None) -> None:
        submission.attempts += 1
        submission.next_try_at = time.monotonic() + min(2.0**submission.attempts, MAX_RETRY_DELAY_SECONDS)
        self._pending[submission.workflow_id] = submission

    def _retry_pending(self) -> None:
        now = time.monotonic()
        due = [s for s in self._pending.values() if s.next_try_at <= now and s.workflow_id not in self._inflight]
        for submission in due:
            del self._pending[submission.workflow_id]
        if due:
            for submission in due:
                self._inflight[submission.workflow_id] = (submission, self._runner.submit(self._start_one(submission)))
            self._collect_inflight(wait=SUBMIT_WAIT_SECONDS)

    def _fail_submission(self, submission: _Submission, message: str) -> None:
        self.log.error("Task %s failed at submit: %s", submission.key, message)
        self.log_task_event(event="temporal ecs executor submit failure", ti_key=submission.key, extra=message)
        self.fail(submission.key, info=message)

    def _track(self, workflow_id: str, key: WorkloadKey, log_path: str | None) -> None:
        self._workflow_keys[workflow_id] = key
        if log_path:
            self._log_paths[workflow_id] = log_path

    def _forget(self, workflow_id: str) -> None:
        self._workflow_keys.pop(workflow_id, None)
        self._log_paths.pop(workflow_id, None)

    # --- sync ----------------------------------------------------------------------------------

    def sync(self) -> None:
        """State changes since the last call, from one visibility query; never raises."""
        for step in (self._collect_inflight, self._retry_pending, self._retry_adoptions, self._read_changes):
            if step is not self._collect_inflight and self._in_outage():
                break
            try:
                step()
            except Exception:  # noqa: BLE001 - the scheduler loop must go on
                self.log.exception("TemporalEcsExecutor sync step %s failed; the next sync catches up", step.__name__)

    def _read_changes(self) -> None:
        try:
            events = self._runner.run(self._feed.read(self._ops()), timeout=SYNC_TIMEOUT_SECONDS)
        except AirflowConfigException:
            raise
        except Exception as err:  # noqa: BLE001 - an outage: the feed changed nothing, the next read catches up
            self._note_outage("reading state changes", err)
            return
        self._note_recovered()
        outcomes = self._outcomes([e for e in events if e.state != "RUNNING"])
        for event in events:
            self._report(event, outcomes.get((event.workflow_id, event.run_id)))

    def _outcomes(self, finals: list[StateEvent]) -> dict[tuple[str, str], dict[str, Any]]:
        """The closed workflows' results (the reason and every attempt), for our own tasks only.

        One history read per finished task: for a failure's reason, and for the event log file
        beside the task's log (only when task_log_events is on)."""
        wanted = [
            e
            for e in finals
            if e.workflow_id in self._workflow_keys and (self.settings.task_log_events or (e.state == "FAILED" and e.info is None))
        ]
        if not wanted:
            return {}
        import asyncio

        ops = self._ops()

        async def fetch() -> list[Any]:
            return await asyncio.gather(*(ops.closed_outcome(e.workflow_id, e.run_id, e.key) for e in wanted), return_exceptions=True)

        try:
            results = self._runner.run(fetch(), timeout=OUTCOME_TIMEOUT_SECONDS)
        except Exception as err:  # noqa: BLE001 - the states are reported anyway
            self.log.warning("Could not read the outcomes of %d finished task workflows (%s): reported without their reasons", len(wanted), describe_error(err))
            return {}
        outcomes: dict[tuple[str, str], dict[str, Any]] = {}
        for event, result in zip(wanted, results):
            if isinstance(result, dict):
                outcomes[(event.workflow_id, event.run_id)] = result
            else:
                self.log.warning("Could not read the outcome of %s (%s)", event.workflow_id, describe_error(result))
        return outcomes

    def _report(self, event: StateEvent, outcome: dict[str, Any] | None) -> None:
        own = event.workflow_id in self._workflow_keys
        try:
            key = self._workflow_keys.get(event.workflow_id) or airflow_key(event.key)
        except Exception:  # noqa: BLE001 - a row with an unusable key (written by hand?) is skipped
            self.log.warning("Skipping workflow %s: its search attributes do not make an Airflow key", event.workflow_id)
            return
        if event.state == "RUNNING":
            self.running_state(key, event.external_executor_id)
            return
        if event.state == "SUCCESS":
            self.success(key)
        else:
            info = event.info or (outcome or {}).get("reason") or f"the task workflow {event.workflow_id} failed"
            self.fail(key, info=info)
            if own:
                self.log.warning("Task %s failed: %s", key, info)
                self.log_task_event(event="ecs task failure", ti_key=key, extra=info)
        if own:
            self._write_task_log(event, key, outcome)
            self._forget(event.workflow_id)

    def _write_task_log(self, event: StateEvent, key: WorkloadKey, outcome: dict[str, Any] | None) -> None:
        log_path = self._log_paths.get(event.workflow_id)
        if not self.settings.task_log_events or not log_path or not isinstance(key, TaskInstanceKey):
            return
        status = (outcome or {}).get("status")
        if not isinstance(status, dict):
            status = {"key": event.key, "events": [], "attempts": []}
            outcome = {"state": event.state, "reason": event.info or ""}
        try:
            from airflow.configuration import conf

            lines = event_log_lines(status, workflow_id=event.workflow_id, outcome=outcome)
            write_event_log(conf.get("logging", "base_log_folder"), log_path, lines)
        except Exception as err:  # noqa: BLE001 - the log view loses a file; the state is reported
            self.log.warning("Could not write the executor event log of %s beside its task log (%s)", key, describe_error(err))

    # --- adoption ------------------------------------------------------------------------------

    def try_adopt_task_instances(self, tis: Sequence[TaskInstance]) -> Sequence[TaskInstance]:
        """Adopts task instances whose try's workflow runs, or whose ECS task (external_executor_id) ECS still knows.

        Never a RunTask: a running workflow is attached to; an ARN gets a tracker keyed by the ARN.
        Returns the task instances that could not be adopted (Airflow resets and reschedules them).
        While Temporal cannot be reached, the task instances are kept (not reset: they may be
        running) and adoption is tried again at every sync.
        """
        candidates: list[_PendingAdoption] = []
        not_adopted: list[TaskInstance] = []
        for ti in tis:
            try:
                candidates.append(
                    _PendingAdoption(AdoptCandidate(ti_contract_key(ti), ti.external_executor_id, ref=ti), ti.key, self._log_path_of(ti))
                )
            except Exception as err:  # noqa: BLE001 - judged alone
                self.log.warning("Cannot adopt %s: %s", ti, describe_error(err))
                not_adopted.append(ti)
        if not candidates:
            return not_adopted
        try:
            outcome = self._runner.run(self._ops().adopt([c.candidate for c in candidates]), timeout=LOOKUP_TIMEOUT.total_seconds() + 30)
        except Exception as err:  # noqa: BLE001 - kept and tried again, never reset while unknown
            self.log.error(
                "Could not adopt %d task instances (%s): keeping them and trying again at every heartbeat", len(candidates), describe_error(err)
            )
            for candidate in candidates:
                self.running.add(candidate.key)
            self._pending_adoptions.extend(candidates)
            return not_adopted
        by_candidate = {id(c.candidate): c for c in candidates}
        adopted = []
        for candidate, workflow_id in outcome.adopted:
            pending = by_candidate[id(candidate)]
            self._track(workflow_id, pending.key, pending.log_path)
            self.running.add(pending.key)
            adopted.append(f"{candidate.ref} via workflow {workflow_id}")
        if adopted:
            self.log.info("Adopted the following %d tasks from a dead executor:\n\t%s", len(adopted), "\n\t".join(adopted))
        for candidate, reason in outcome.not_adopted:
            self.log.info("Not adopted: %s (%s)", candidate.ref, reason)
            not_adopted.append(candidate.ref)
        return not_adopted

    def _log_path_of(self, ti: Any) -> str | None:
        try:
            from airflow.utils.helpers import log_filename_template_renderer

            return log_filename_template_renderer()(ti=ti, try_number=ti.try_number)
        except Exception:  # noqa: BLE001 - only the event log file needs it
            return None

    def _retry_adoptions(self) -> None:
        if not self._pending_adoptions:
            return
        pending, self._pending_adoptions = self._pending_adoptions, []
        try:
            outcome = self._runner.run(self._ops().adopt([p.candidate for p in pending]), timeout=LOOKUP_TIMEOUT.total_seconds() + 30)
        except Exception as err:  # noqa: BLE001 - still an outage
            self._note_outage("adopting task instances", err)
            self._pending_adoptions = pending
            return
        by_candidate = {id(p.candidate): p for p in pending}
        for candidate, workflow_id in outcome.adopted:
            item = by_candidate[id(candidate)]
            self._track(workflow_id, item.key, item.log_path)
            self.log.info("Adopted %s via workflow %s", candidate.ref, workflow_id)
        for candidate, reason in outcome.not_adopted:
            # Too late to hand it back to the scheduler for a reset: it fails, and Airflow's retries apply.
            item = by_candidate[id(candidate)]
            message = f"Could not adopt the task after a scheduler restart: {reason}"
            self.log_task_event(event="temporal ecs executor adoption failure", ti_key=item.key, extra=message)
            self.fail(item.key, info=message)

    # --- revoke, terminate, end ----------------------------------------------------------------

    def revoke_task(self, *, ti: TaskInstance) -> None:
        """Stops the task's workflow (terminate signal: StopTask, no relaunch) and forgets it.

        Changes no Airflow state and adds no event; the revoked run's own outcome is never
        reported. When Airflow queues the same try again, it gets a new workflow run.
        """
        key = ti.key
        try:
            self.queued_tasks.pop(key, None)
            self.running.discard(key)
            workflow_ids = {task_workflow_id(contract_key(key))} | {wid for wid, k in self._workflow_keys.items() if k == key}
            for workflow_id in workflow_ids:
                self._pending.pop(workflow_id, None)
                inflight = self._inflight.pop(workflow_id, None)
                if inflight is not None:
                    concurrent.futures.wait([inflight[1]], timeout=SUBMIT_WAIT_SECONDS)
                ops = self._ops()

                async def revoke(wid: str = workflow_id) -> str | None:
                    run_id = await ops.current_run_id(wid)
                    if run_id is not None:
                        await ops.signal_terminate(wid, REVOKE_REASON, run_id=run_id)
                    return run_id

                try:
                    run_id = self._runner.run(revoke(), timeout=SYNC_TIMEOUT_SECONDS)
                except Exception as err:  # noqa: BLE001 - logged; revoke must not raise
                    self.log.warning("revoke_task %s: could not terminate workflow %s (%s)", key, workflow_id, describe_error(err))
                    continue
                self._forget(workflow_id)
                if run_id is not None:
                    self._revoked[workflow_id] = run_id
                    self._feed.ignored_runs.add((workflow_id, run_id))
                    self.log.info("Revoked %s: terminate signalled to workflow %s (run %s)", key, workflow_id, run_id)
        except Exception:  # noqa: BLE001
            self.log.exception("revoke_task %s failed", key)

    def terminate(self) -> None:
        """Stops every task this executor runs (the terminate signal: StopTask, no relaunch), then end()."""
        try:
            for submission in list(self._pending.values()):
                self._fail_submission(submission, "the executor was terminated before the task's workflow started")
            self._pending.clear()
            self._collect_inflight(wait=SUBMIT_WAIT_SECONDS)
            workflow_ids = [wid for wid, key in self._workflow_keys.items() if key in self.running]
            if workflow_ids:
                ops = self._ops()

                async def signal_all() -> list[Any]:
                    import asyncio

                    slots = asyncio.Semaphore(20)

                    async def one(wid: str) -> None:
                        async with slots:
                            await ops.signal_terminate(wid, DEFAULT_TERMINATE_REASON)

                    return await asyncio.gather(*(one(w) for w in workflow_ids), return_exceptions=True)

                results = self._runner.run(signal_all(), timeout=120)
                failed = [(w, r) for w, r in zip(workflow_ids, results) if isinstance(r, BaseException)]
                for workflow_id, err in failed:
                    self.log.error("terminate: could not signal %s (%s)", workflow_id, describe_error(err))
                self.log.info("terminate signalled to %d task workflows (%s)", len(workflow_ids) - len(failed), DEFAULT_TERMINATE_REASON)
        except Exception:  # noqa: BLE001 - the scheduler is going down; say why and go on to end()
            self.log.exception("Failed to terminate TemporalEcsExecutor")
        self.end()

    def end(self, heartbeat_interval: float = 5.0) -> None:
        """Waits until every task this executor submitted or adopted has finished, reporting each; never raises."""
        try:
            while True:
                self.sync()
                self._reconcile()
                if not self.running:
                    break
                self.log.info("TemporalEcsExecutor.end: waiting for %d tasks to finish", len(self.running))
                time.sleep(heartbeat_interval)
        except Exception:  # noqa: BLE001
            self.log.exception("Failed to end TemporalEcsExecutor")

    def _reconcile(self) -> None:
        """Reports the outcome of any task whose workflow closed without sync() having seen it (end() only)."""
        known = {wid: key for wid, key in self._workflow_keys.items() if key in self.running}
        known_keys = set(known.values())
        waiting = {s.key for s in self._pending.values()} | {s.key for s, _ in self._inflight.values()} | {p.key for p in self._pending_adoptions}
        for key in list(self.running):
            if key not in known_keys and key not in waiting:
                self.log.warning("TemporalEcsExecutor.end: %s has no workflow this executor knows; no longer waiting for it", key)
                self.running.discard(key)
        if not known:
            return
        try:
            running = self._runner.run(self._ops().running_among(list(known)), timeout=SYNC_TIMEOUT_SECONDS)
        except Exception as err:  # noqa: BLE001
            self._note_outage("checking running workflows", err)
            return
        closed = [wid for wid in known if wid not in running]
        for workflow_id in closed:
            key = known[workflow_id]
            ckey = contract_key(key)
            try:
                outcome = self._runner.run(self._ops().closed_outcome(workflow_id, None, ckey), timeout=OUTCOME_TIMEOUT_SECONDS)
            except Exception as err:  # noqa: BLE001
                self.log.warning("Could not read the outcome of %s (%s)", workflow_id, describe_error(err))
                continue
            state = "SUCCESS" if outcome.get("state") == "SUCCESS" else "FAILED"
            self._report(StateEvent(workflow_id=workflow_id, run_id="", key=ckey, state=state, info=None if state == "SUCCESS" else outcome.get("reason")), outcome)

    # --- logs ----------------------------------------------------------------------------------

    def get_task_log(self, ti: TaskInstance, try_number: int) -> tuple[list[str], list[str]]:
        """The executor-side event log of the try: launch failures, ECS stop codes and reasons, exit
        codes and where the container's output is. Read from the running workflow (status query) or
        from a closed one's result (no worker needed). Never raises."""
        ckey = ti_contract_key(ti, try_number)
        ckey.pop("tiId", None)

        async def read() -> tuple[list[str], list[str]]:
            ops = self._ops()
            workflow_id = await ops.workflow_for_key(ckey)
            if workflow_id is None:
                return [], []
            status = await ops.status(workflow_id, ckey)
            source = f"TemporalEcsExecutor: Temporal workflow {workflow_id} ({self._where()})"
            return [source], event_log_lines(status, workflow_id=workflow_id)

        try:
            return self._runner.run(read(), timeout=TASK_LOG_TIMEOUT_SECONDS)
        except Exception as err:  # noqa: BLE001 - the log view says why instead of failing
            message = f"TemporalEcsExecutor could not read the executor-side event log ({self._where()}): {describe_error(err) if not isinstance(err, NoWorkerError) else err}"
            return [], [json.dumps({"event": message, "level": "warning", "logger": "temporal_ecs_executor"})]


class _AttachedToClosedRun(Exception):
    def __init__(self, run_id: str, outcome: dict[str, Any]) -> None:
        super().__init__(f"the run {run_id} had already closed")
        self.run_id = run_id
        self.outcome = outcome


class _RevokedRunStillThere(Exception):
    def __init__(self, workflow_id: str, run_id: str | None) -> None:
        super().__init__(f"the revoked run {run_id} of {workflow_id} has not closed yet")

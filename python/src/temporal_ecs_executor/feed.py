"""What sync() reports: the algorithm of the TypeScript client's StateChangeFeed (src/client/sync.ts).

One visibility listing per read, whose cost grows with what changed, not with how many tasks exist.
The watermark is kept in the server's time (the workflows' AirflowStateChangedAt and close times),
never the scheduler's clock. Every read overlaps the last by FRESH_OVERLAP_SECONDS; every
FULL_EVERY_SECONDS one goes back to the lag allowance behind the watermark the last such read left.
De-duplicated, so that a change visibility shows within the allowance is reported by the first full
read after it shows (or sooner), and none twice. The feed knows nothing of Airflow or of the Temporal
client: rows come from a ``RowSource`` (tests give it rows, the executor lists visibility).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from temporal_ecs_executor.workflow_contract import ContractKey, visibility_literal

__all__ = ["FRESH_OVERLAP_SECONDS", "FULL_EVERY_SECONDS", "RowSource", "StateChangeFeed", "StateEvent", "VisibilityRow", "changed_since_query"]

FINAL_STATES = frozenset({"SUCCESS", "FAILED"})

#: How much of the lag window a routine read lists again (FRESH_OVERLAP_MS in sync.ts). Listing the
#: whole allowance on every read read each change about lag / heartbeat times.
FRESH_OVERLAP_SECONDS = 2.0
#: How often a read lists the whole allowance again (FULL_EVERY_MS in sync.ts): from the watermark
#: the last such read left, minus the lag, which covers every routine read's old window since,
#: however far the watermark moved in between.
FULL_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class VisibilityRow:
    """One workflow run as visibility shows it: what its search attributes say."""

    workflow_id: str
    run_id: str
    #: Temporal's execution status name: RUNNING, COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELED, CONTINUED_AS_NEW.
    status: str
    key: ContractKey | None
    state: str | None = None
    state_changed_at: datetime | None = None
    close_time: datetime | None = None
    task_arn: str | None = None
    workflow_type: str = ""
    task_queue: str = ""


@dataclass(frozen=True)
class StateEvent:
    """A state change since the last read, as the scheduler needs it."""

    workflow_id: str
    run_id: str
    key: ContractKey
    state: str  # RUNNING, SUCCESS or FAILED
    #: The ECS task ARN: Airflow's external_executor_id.
    external_executor_id: str | None = None
    #: Why, when the workflow was closed from the Temporal side (terminated, timed out...).
    info: str | None = None


class RowSource(Protocol):
    def list(self, query: str) -> AsyncIterator[VisibilityRow]: ...

    async def close_reason(self, row: VisibilityRow) -> str: ...


def changed_since_query(executor_name: str, since: datetime) -> str:
    """This executor's workflows whose Airflow state changed, or that closed, since ``since``.

    Closing counts because a Temporal-side terminate or timeout runs no workflow code and so sets
    no state: such a task is reported FAILED.
    """
    at = visibility_literal(since)
    return f"(EcsExecutorName = {visibility_literal(executor_name)}) AND ((AirflowStateChangedAt >= {at}) OR ((ExecutionStatus != 'Running') AND (CloseTime >= {at})))"


def _ms(value: datetime | None) -> float:
    return value.timestamp() * 1000 if value is not None else 0.0


class StateChangeFeed:
    def __init__(
        self,
        executor_name: str,
        *,
        lag_seconds: float,
        deep_lag_seconds: float = 300.0,
        deep_every_seconds: float = 300.0,
        lookback_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.executor_name = executor_name
        self._lag_ms = lag_seconds * 1000
        self._deep_lag_ms = deep_lag_seconds * 1000
        self._deep_every_ms = deep_every_seconds * 1000
        self._lookback_ms = lookback_seconds * 1000
        self._clock = clock
        self._watermark: float | None = None
        self._reported: dict[tuple[str, str], tuple[str, float]] = {}
        self._last_deep_at = self._now_ms()
        self._last_full_at = float("-inf")
        #: The watermark the last full (or first, or deep) read left: the next full read lists from it minus the lag.
        self._full_base: float | None = None
        self._clock_offset_ms = 0.0
        #: What the feed has read: rows listed, and reads that listed the whole allowance.
        self.stats = {"rows_listed": 0, "full_reads": 0}
        #: Runs whose rows are never reported (revoked by this executor).
        self.ignored_runs: set[tuple[str, str]] = set()

    def _now_ms(self) -> float:
        return self._clock() * 1000

    @property
    def watermark(self) -> datetime | None:
        return None if self._watermark is None else datetime.fromtimestamp(self._watermark / 1000, timezone.utc)

    def set_server_time(self, server_now: datetime, client_now: float | None = None) -> None:
        """The server's time at a moment of the client's (``client_now``, epoch seconds), as the start-up probe measured it."""
        now = self._now_ms() if client_now is None else client_now * 1000
        self._clock_offset_ms = _ms(server_now) - now

    def forget(self, workflow_id: str, run_id: str) -> None:
        self._reported.pop((workflow_id, run_id), None)

    def next_query(self, now: float | None = None) -> tuple[str, bool, bool, float]:
        """The query of a read at ``now`` (epoch ms, default the clock's), whether it is a deep one, whether a full one, and its ``since``."""
        now = self._now_ms() if now is None else now
        deep = now - self._last_deep_at >= self._deep_every_ms
        full = self._full_base is not None and not deep and now - self._last_full_at >= FULL_EVERY_SECONDS * 1000
        if self._watermark is None or self._full_base is None:
            since = now + self._clock_offset_ms - self._lookback_ms
        else:
            full_since = self._full_base - self._lag_ms
            if deep:
                since = min(self._watermark - self._deep_lag_ms, full_since)
            elif full:
                since = full_since
            else:
                since = self._watermark - min(self._lag_ms, FRESH_OVERLAP_SECONDS * 1000)
        return changed_since_query(self.executor_name, datetime.fromtimestamp(since / 1000, timezone.utc)), deep, full, since

    async def read(self, source: RowSource) -> list[StateEvent]:
        """The changes since the last read. All or nothing: a read that fails or is cancelled part way
        changes no state, so the next read reports everything this one would have."""
        started_at = self._now_ms()
        query, deep, full, since = self.next_query(started_at)
        rows = [row async for row in source.list(query)]
        events: list[StateEvent] = []
        reported: dict[tuple[str, str], tuple[str, float]] = {}
        newest = self._watermark if self._watermark is not None else float("-inf")
        for row in rows:
            at = max(_ms(row.state_changed_at), _ms(row.close_time))
            newest = max(newest, at)
            run = (row.workflow_id, row.run_id)
            if run in self.ignored_runs:
                continue
            state = self._state_of(row)
            if state is None:
                continue
            fingerprint = f"{state[0]}|{row.task_arn or ''}"
            seen = reported.get(run) or self._reported.get(run)
            if seen is not None and seen[0] == fingerprint:
                continue
            # Only a change not reported yet costs the close-event read.
            info = await source.close_reason(row) if state[1] else None
            reported[run] = (fingerprint, at)
            events.append(
                StateEvent(workflow_id=row.workflow_id, run_id=row.run_id, key=row.key, state=state[0], external_executor_id=row.task_arn, info=info)  # type: ignore[arg-type]
            )
        self._reported.update(reported)
        self.stats["rows_listed"] += len(rows)
        if deep:
            self._last_deep_at = self._now_ms()
        if newest > float("-inf"):
            self._watermark = newest
        if deep or full or self._full_base is None:
            # When it started, not when it ended: a slow read must not stretch the period.
            self._last_full_at = started_at
            self._full_base = self._watermark
            self.stats["full_reads"] += int(full)
        # What fell out of every future window cannot be listed again: forget it.
        watermark = self._watermark if self._watermark is not None else since
        full_base = self._full_base if self._full_base is not None else watermark
        horizon = min(watermark - max(self._lag_ms, self._deep_lag_ms), full_base - self._lag_ms)
        for run, (_, at) in list(self._reported.items()):
            if at < horizon:
                del self._reported[run]
        return events

    @staticmethod
    def _state_of(row: VisibilityRow) -> tuple[str, bool] | None:
        """What a row reports (RUNNING, SUCCESS or FAILED) and whether it was closed from outside; None for nothing."""
        if row.key is None:
            return None
        if row.status == "RUNNING":
            return ("RUNNING", False) if row.state == "RUNNING" else None
        if row.status == "CONTINUED_AS_NEW":
            # The task goes on in the next run of the same workflow ID, which has its own rows.
            return None
        if row.state in FINAL_STATES:
            return (row.state, False)
        # Closed without recording a final state: Temporal-side terminate, timeout, or a failure of our code.
        return ("FAILED", True)

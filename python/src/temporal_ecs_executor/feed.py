"""What sync() reports: the algorithm of the TypeScript client's StateChangeFeed (src/client/sync.ts).

One visibility listing and one count per read, whose cost grows with what changed, not with how many tasks exist.
The watermark is kept in the server's time (the workflows' AirflowStateChangedAt and close times),
never the scheduler's clock, and every read overlaps the last by the lag allowance (the last
FRESH_OVERLAP_SECONDS listed, the rest counted and listed when the count finds a late row),
de-duplicated, so no change is missed or reported twice. The feed knows nothing of Airflow or of the Temporal
client: rows come from a ``RowSource`` (tests give it rows, the executor lists visibility).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from temporal_ecs_executor.workflow_contract import ContractKey, visibility_literal

__all__ = ["FRESH_OVERLAP_SECONDS", "RowSource", "StateChangeFeed", "StateEvent", "VisibilityRow", "changed_between_query", "changed_since_query"]

FINAL_STATES = frozenset({"SUCCESS", "FAILED"})

#: How much of the lag window each routine read lists again (FRESH_OVERLAP_MS in sync.ts). The rest
#: of the window is counted, and listed only when the count differs from what the feed has seen
#: there: listing the whole window on every read read each change about lag / heartbeat times.
FRESH_OVERLAP_SECONDS = 2.0


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

    async def count(self, query: str) -> int: ...

    async def close_reason(self, row: VisibilityRow) -> str: ...


def changed_since_query(executor_name: str, since: datetime) -> str:
    """This executor's workflows whose Airflow state changed, or that closed, since ``since``.

    Closing counts because a Temporal-side terminate or timeout runs no workflow code and so sets
    no state: such a task is reported FAILED.
    """
    at = visibility_literal(since)
    return f"(EcsExecutorName = {visibility_literal(executor_name)}) AND ((AirflowStateChangedAt >= {at}) OR ((ExecutionStatus != 'Running') AND (CloseTime >= {at})))"


def changed_between_query(executor_name: str, since: datetime, until: datetime) -> str:
    """This executor's workflows whose Airflow state changed, or that closed, in [since, until): the
    older part of a read's window, counted rather than listed."""
    a, b = visibility_literal(since), visibility_literal(until)
    return (
        f"(EcsExecutorName = {visibility_literal(executor_name)}) AND "
        f"(((AirflowStateChangedAt >= {a}) AND (AirflowStateChangedAt < {b})) OR ((ExecutionStatus != 'Running') AND (CloseTime >= {a}) AND (CloseTime < {b})))"
    )


@dataclass(frozen=True)
class _SeenRun:
    """A run as the feed last saw it, enough to tell whether changed_between_query matches it."""

    changed_at: float | None
    #: Only for a closed run: SQL visibility matches a running one to any CloseTime bound.
    closed_at: float | None
    at: float

    def within(self, since: float, until: float) -> bool:
        return any(t is not None and since <= t < until for t in (self.changed_at, self.closed_at))


def _ms(value: datetime | None) -> float:
    return value.timestamp() * 1000 if value is not None else 0.0


def _at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


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
        #: Every run listed inside the window, reported or not.
        self._seen: dict[tuple[str, str], _SeenRun] = {}
        #: What the feed has read: reads, rows listed, counts, and reads whose count found late rows.
        self.stats = {"reads": 0, "rows_listed": 0, "counts": 0, "late_window_reads": 0}
        self._last_deep_at = self._now_ms()
        self._clock_offset_ms = 0.0
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

    def next_query(self) -> tuple[str, bool, float]:
        """The query of the next read's (first) listing, whether the read is a deep one, and its ``since`` (epoch ms)."""
        deep = self._now_ms() - self._last_deep_at >= self._deep_every_ms
        lag = self._deep_lag_ms if deep else self._lag_ms
        if self._watermark is None:
            since = self._now_ms() + self._clock_offset_ms - self._lookback_ms
        elif deep or lag <= FRESH_OVERLAP_SECONDS * 1000:
            since = self._watermark - lag
        else:
            since = self._watermark - FRESH_OVERLAP_SECONDS * 1000
        return changed_since_query(self.executor_name, _at(since)), deep, since

    async def read(self, source: RowSource) -> list[StateEvent]:
        """The changes since the last read. All or nothing: a read that fails or is cancelled part way
        changes no state, so the next read reports everything this one would have."""
        query, deep, since = self.next_query()
        lag = self._deep_lag_ms if deep else self._lag_ms
        events: list[StateEvent] = []
        reported: dict[tuple[str, str], tuple[str, float]] = {}
        seen: dict[tuple[str, str], _SeenRun] = {}
        newest = self._watermark if self._watermark is not None else float("-inf")
        newest = max(newest, await self._list(source, query, events, reported, seen))
        if self._watermark is not None and not deep and lag > FRESH_OVERLAP_SECONDS * 1000:
            # The older part of the window: listed again only if visibility now shows rows there this feed has not seen.
            window_from = float(int(self._watermark - lag))
            window_until = float(int(since))
            self.stats["counts"] += 1
            count = await source.count(changed_between_query(self.executor_name, _at(window_from), _at(window_until)))
            known = sum(1 for run, entry in self._seen.items() if run not in seen and entry.within(window_from, window_until))
            known += sum(1 for entry in seen.values() if entry.within(window_from, window_until))
            if count != known:
                self.stats["late_window_reads"] += 1
                since = window_from
                newest = max(newest, await self._list(source, changed_since_query(self.executor_name, _at(since)), events, reported, seen))
        # Nothing above failed: commit.
        self.stats["reads"] += 1
        self._reported.update(reported)
        self._seen.update(seen)
        if deep:
            self._last_deep_at = self._now_ms()
        if newest > float("-inf"):
            self._watermark = newest
        # What fell out of every future window cannot be listed again: forget it.
        horizon = (self._watermark if self._watermark is not None else since) - max(lag, self._deep_lag_ms)
        for run, (_, at) in list(self._reported.items()):
            if at < horizon:
                del self._reported[run]
        for run, entry in list(self._seen.items()):
            if entry.at < horizon:
                del self._seen[run]
        return events

    async def _list(
        self,
        source: RowSource,
        query: str,
        events: list[StateEvent],
        reported: dict[tuple[str, str], tuple[str, float]],
        seen: dict[tuple[str, str], _SeenRun],
    ) -> float:
        """Lists one query into this read's findings; returns the newest time it saw."""
        newest = float("-inf")
        rows = [row async for row in source.list(query)]
        self.stats["rows_listed"] += len(rows)
        for row in rows:
            at = max(_ms(row.state_changed_at), _ms(row.close_time))
            newest = max(newest, at)
            run = (row.workflow_id, row.run_id)
            seen[run] = _SeenRun(
                changed_at=_ms(row.state_changed_at) if row.state_changed_at is not None else None,
                closed_at=_ms(row.close_time) if row.status != "RUNNING" and row.close_time is not None else None,
                at=at,
            )
            if run in self.ignored_runs:
                continue
            state = self._state_of(row)
            if state is None:
                continue
            fingerprint = f"{state[0]}|{row.task_arn or ''}"
            known = reported.get(run) or self._reported.get(run)
            if known is not None and known[0] == fingerprint:
                continue
            # Only a change not reported yet costs the close-event read.
            info = await source.close_reason(row) if state[1] else None
            reported[run] = (fingerprint, at)
            events.append(
                StateEvent(workflow_id=row.workflow_id, run_id=row.run_id, key=row.key, state=state[0], external_executor_id=row.task_arn, info=info)  # type: ignore[arg-type]
            )
        return newest

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

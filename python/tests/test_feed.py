"""The sync algorithm (src/client/sync.ts StateChangeFeed) against an in-memory visibility store.

The store answers the feed's own query text (the since literal is parsed back out of it), with
rows stamped in the *server's* time, and a visibility lag: a change becomes listable only after
``lag`` seconds. The scheduler's clock is a separate clock that may be off.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import pytest

from temporal_ecs_executor.feed import FRESH_OVERLAP_SECONDS, FULL_EVERY_SECONDS, StateChangeFeed, VisibilityRow, changed_since_query

T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)


def key(task: str, try_number: int = 1) -> dict:
    return {"dagId": "d", "taskId": task, "runId": "r", "tryNumber": try_number, "mapIndex": -1}


@dataclass
class Clock:
    now: datetime = T0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeVisibility:
    server: Clock
    #: Seconds before a change shows in visibility (Elasticsearch-style lag).
    lag: float = 0.0
    #: (visible_from, row): the newest version of each run that is visible wins.
    versions: list[tuple[datetime, VisibilityRow]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    close_reasons: list[str] = field(default_factory=list)
    fail_next: bool = False

    def put(self, row: VisibilityRow, visible_after: float | None = None) -> None:
        delay = self.lag if visible_after is None else visible_after
        self.versions.append((self.server.now + timedelta(seconds=delay), row))

    def change(self, workflow_id: str, **changes: object) -> VisibilityRow:
        current = next(r for _, r in reversed(self.versions) if r.workflow_id == workflow_id)
        row = replace(current, **changes)
        self.put(row)
        return row

    def visible(self) -> list[VisibilityRow]:
        newest: dict[tuple[str, str], VisibilityRow] = {}
        for visible_from, row in self.versions:
            if visible_from <= self.server.now:
                newest[(row.workflow_id, row.run_id)] = row
        return list(newest.values())

    async def list(self, query: str) -> AsyncIterator[VisibilityRow]:
        self.queries.append(query)
        if self.fail_next:
            self.fail_next = False
            yield self.visible()[0]
            raise ConnectionError("visibility went away half way through the page")
        match = re.search(r"AirflowStateChangedAt >= '([^']+)'\) OR \(\(ExecutionStatus != 'Running'\) AND \(CloseTime >= '([^']+)'", query)
        assert match and match.group(1) == match.group(2), query
        since = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        for row in self.visible():
            if (row.state_changed_at and row.state_changed_at >= since) or (row.close_time and row.close_time >= since):
                yield row

    async def close_reason(self, row: VisibilityRow) -> str:
        self.close_reasons.append(row.workflow_id)
        return f"The task workflow {row.workflow_id} was terminated from the Temporal side by tester: cleanup"


def running_row(task: str, at: datetime, arn: str = "arn:1", **extra: object) -> VisibilityRow:
    return VisibilityRow(workflow_id=f"wf-{task}", run_id="run-1", status="RUNNING", key=key(task), state="RUNNING", state_changed_at=at, task_arn=arn, **extra)


def read(feed: StateChangeFeed, source: FakeVisibility) -> list[tuple[str, str, str | None]]:
    events = asyncio.run(feed.read(source))
    return [(e.key["taskId"], e.state, e.external_executor_id) for e in events]


def make(scheduler_skew_seconds: float = 0.0, lag: float = 0.0, sync_lag: float = 10.0) -> tuple[Clock, FakeVisibility, StateChangeFeed]:
    server = Clock()
    source = FakeVisibility(server, lag=lag)
    feed = StateChangeFeed("default", lag_seconds=sync_lag, clock=lambda: (server.now + timedelta(seconds=scheduler_skew_seconds)).timestamp())
    feed.set_server_time(server.now)  # what start()'s probe does
    return server, source, feed


def test_the_query_is_the_typescript_clients() -> None:
    assert changed_since_query("default", T0) == (
        "(EcsExecutorName = 'default') AND ((AirflowStateChangedAt >= '2026-12-01T12:00:00.000Z') OR ((ExecutionStatus != 'Running') AND (CloseTime >= '2026-12-01T12:00:00.000Z')))"
    )


def since_of(query: str) -> datetime:
    return datetime.fromisoformat(re.search(r">= '([^']+)'", query).group(1).replace("Z", "+00:00"))  # type: ignore[union-attr]


def test_a_routine_read_lists_the_fresh_end_and_every_5_s_one_lists_the_whole_allowance() -> None:
    server, source, feed = make()
    for i in range(20):
        source.put(running_row(f"t{i}", server.now))
        server.advance(1)
    watermark = server.now - timedelta(seconds=1)
    assert len(read(feed, source)) == 20
    listed = feed.stats["rows_listed"]
    server.advance(1)
    assert read(feed, source) == []
    assert since_of(source.queries[-1]) == watermark - timedelta(seconds=FRESH_OVERLAP_SECONDS)
    assert feed.stats["rows_listed"] - listed == FRESH_OVERLAP_SECONDS + 1
    server.advance(FULL_EVERY_SECONDS)
    assert read(feed, source) == []
    assert since_of(source.queries[-1]) == watermark - timedelta(seconds=10)
    assert feed.stats["full_reads"] == 1


def test_a_runs_next_change_that_shows_late_inside_the_allowance_is_reported_at_the_next_full_read() -> None:
    server, source, feed = make()
    source.put(running_row("r", server.now))
    source.put(running_row("a", server.now + timedelta(seconds=7)))
    server.advance(7)
    assert sorted(read(feed, source)) == [("a", "RUNNING", "arn:1"), ("r", "RUNNING", "arn:1")]
    # r succeeded 3 s behind the watermark and shows only now: the 2 s fresh overlap does not reach it.
    succeeded = server.now - timedelta(seconds=3)
    source.change("wf-r", status="COMPLETED", state="SUCCESS", state_changed_at=succeeded, close_time=succeeded)
    server.advance(1)
    assert read(feed, source) == []
    server.advance(FULL_EVERY_SECONDS)
    assert read(feed, source) == [("r", "SUCCESS", "arn:1")]
    server.advance(1)
    assert read(feed, source) == []
    server.advance(FULL_EVERY_SECONDS)
    assert read(feed, source) == []


def test_a_change_that_shows_a_whole_allowance_late_just_after_a_full_read_is_reported_at_the_next_one() -> None:
    server, source, feed = make()
    start = server.now
    source.put(running_row("a", start))
    read(feed, source)
    source.put(running_row("late", start + timedelta(seconds=1)), visible_after=10**6)
    late_at = []
    # One read a second, the watermark a second ahead each time; full reads at i = 5, 10, 15 and 20.
    for i in range(1, 21):
        server.advance(1)
        source.put(running_row(f"w{i}", start + timedelta(seconds=i)))
        if i == 11:  # shows when the watermark is 10 s (the allowance) ahead of it
            source.versions = [(server.now if r.workflow_id == "wf-late" else v, r) for v, r in source.versions]
        if ("late", "RUNNING", "arn:1") in read(feed, source):
            late_at.append(i)
    assert late_at == [15]
    assert feed.stats["full_reads"] == 4


def test_a_change_inside_the_allowance_is_found_when_visibility_catches_up_and_the_watermark_jumps() -> None:
    server, source, feed = make()
    start = server.now
    source.put(running_row("a", start + timedelta(seconds=10)))
    read(feed, source)  # watermark start + 10 s; the next full read lists from start
    # Changed 9 s behind the watermark, shows now, with a backlog that moves the watermark 8 s at once.
    source.put(running_row("late", start + timedelta(seconds=1)))
    for i in range(1, 9):
        source.put(running_row(f"backlog{i}", start + timedelta(seconds=10 + i)))
    late_at = []
    for i in range(1, 7):
        server.advance(1)
        if ("late", "RUNNING", "arn:1") in read(feed, source):
            late_at.append(i)
    # Not by the routine reads (2 s behind start + 18 s), but by the full read 5 s after the last one.
    assert late_at == [5]


def test_each_change_is_reported_once_across_overlapping_reads() -> None:
    server, source, feed = make()
    source.put(running_row("a", server.now))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    server.advance(1)
    # The row is still inside the overlap window: listed again, reported never again.
    assert read(feed, source) == []
    assert read(feed, source) == []
    server.advance(1)
    source.change("wf-a", status="COMPLETED", state="SUCCESS", state_changed_at=server.now, close_time=server.now)
    assert read(feed, source) == [("a", "SUCCESS", "arn:1")]
    server.advance(1)
    assert read(feed, source) == []
    assert len(source.queries) == 5  # one visibility query per read


def test_a_new_ecs_task_of_the_same_try_is_a_new_running_report() -> None:
    server, source, feed = make()
    source.put(running_row("a", server.now, arn="arn:1"))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    server.advance(5)
    source.change("wf-a", task_arn="arn:2", state_changed_at=server.now)  # relaunched after a failed attempt
    assert read(feed, source) == [("a", "RUNNING", "arn:2")]


def test_queued_rows_are_not_reported() -> None:
    server, source, feed = make()
    source.put(replace(running_row("a", server.now, arn=None), state="QUEUED"))  # type: ignore[arg-type]
    assert read(feed, source) == []


@pytest.mark.parametrize("skew_minutes", [-5, 5, 15])
def test_the_watermark_is_kept_in_server_time_whatever_the_scheduler_clock_says(skew_minutes: int) -> None:
    server, source, feed = make(scheduler_skew_seconds=skew_minutes * 60)
    # Changed a minute before the scheduler started: inside the first read's look-back.
    source.put(running_row("early", server.now - timedelta(minutes=1)))
    assert read(feed, source) == [("early", "RUNNING", "arn:1")]
    assert feed.watermark == server.now - timedelta(minutes=1)
    for step in range(1, 6):
        server.advance(30)
        source.put(running_row(f"t{step}", server.now))
        assert read(feed, source) == [(f"t{step}", "RUNNING", "arn:1")]
        # The server's newest time, never the scheduler's.
        assert feed.watermark == server.now
    # Reads 30 s apart are full ones: from the watermark the previous one left, minus the allowance.
    since = re.search(r">= '([^']+)'", source.queries[-1]).group(1)  # type: ignore[union-attr]
    assert since == (server.now - timedelta(seconds=30) - timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_without_the_server_time_a_fast_scheduler_clock_would_miss_changes() -> None:
    """Why start() reads the server's clock: the first read's since comes from it."""
    server = Clock()
    source = FakeVisibility(server)
    feed = StateChangeFeed("default", lag_seconds=10, clock=lambda: (server.now + timedelta(minutes=15)).timestamp())
    source.put(running_row("a", server.now - timedelta(seconds=30)))
    assert read(feed, source) == []  # since = server + 15 min - 10 min: in the future
    feed2 = StateChangeFeed("default", lag_seconds=10, clock=lambda: (server.now + timedelta(minutes=15)).timestamp())
    feed2.set_server_time(server.now)
    assert read(feed2, source) == [("a", "RUNNING", "arn:1")]


def test_a_change_that_shows_late_within_the_lag_allowance_is_reported() -> None:
    server, source, feed = make(sync_lag=10)
    source.put(running_row("a", server.now))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    server.advance(2)
    stamped = server.now
    source.put(running_row("late", stamped), visible_after=6)  # visible 6 s after it happened
    server.advance(1)
    source.put(running_row("b", server.now))
    assert read(feed, source) == [("b", "RUNNING", "arn:1")]  # "late" not visible yet; watermark moves past it
    server.advance(6)
    assert read(feed, source) == [("late", "RUNNING", "arn:1")]  # its time is 1 s behind the watermark: inside the 10 s overlap


def test_the_deep_read_catches_what_showed_later_than_the_lag_allowance() -> None:
    server, source, feed = make(sync_lag=1)
    source.put(running_row("a", server.now))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    source.put(running_row("very-late", server.now), visible_after=30)
    for _ in range(10):
        server.advance(5)
        source.put(running_row(f"x{_}", server.now))
        read(feed, source)
    # 50 s later it is visible, but 50 s behind the watermark: only a deep read (5 min back, every 5 min) sees it.
    assert "very-late" not in [e[0] for e in read(feed, source)]
    server.advance(300)
    assert ("very-late", "RUNNING", "arn:1") in read(feed, source)


def test_a_workflow_terminated_from_the_temporal_side_is_failed_once_with_the_reason() -> None:
    server, source, feed = make()
    source.put(running_row("a", server.now))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    server.advance(3)
    # Temporal-side terminate: no workflow code ran, so AirflowState still says RUNNING; the close time moved.
    source.change("wf-a", status="TERMINATED", close_time=server.now)
    events = asyncio.run(feed.read(source))
    assert [(e.state, e.info) for e in events] == [("FAILED", "The task workflow wf-a was terminated from the Temporal side by tester: cleanup")]
    server.advance(1)
    assert read(feed, source) == []
    assert source.close_reasons == ["wf-a"]


def test_a_continued_as_new_run_is_not_an_outcome() -> None:
    server, source, feed = make()
    source.put(replace(running_row("a", server.now), status="CONTINUED_AS_NEW", close_time=server.now))
    source.put(replace(running_row("a", server.now), run_id="run-2"))
    assert read(feed, source) == [("a", "RUNNING", "arn:1")]
    assert source.close_reasons == []


def test_a_read_that_fails_half_way_changes_nothing() -> None:
    server, source, feed = make()
    source.put(running_row("a", server.now))
    source.put(running_row("b", server.now))
    source.fail_next = True
    with pytest.raises(ConnectionError):
        asyncio.run(feed.read(source))
    assert feed.watermark is None
    assert sorted(read(feed, source)) == [("a", "RUNNING", "arn:1"), ("b", "RUNNING", "arn:1")]


def test_ignored_runs_are_never_reported() -> None:
    server, source, feed = make()
    source.put(running_row("a", server.now))
    feed.ignored_runs.add(("wf-a", "run-1"))
    assert read(feed, source) == []
    source.put(replace(running_row("a", server.now), run_id="run-2", task_arn="arn:9"))
    assert read(feed, source) == [("a", "RUNNING", "arn:9")]


def test_rows_without_a_key_are_skipped() -> None:
    server, source, feed = make()
    source.put(replace(running_row("a", server.now), key=None))
    assert read(feed, source) == []


def test_memory_of_reported_changes_is_bounded_by_the_window() -> None:
    server, source, feed = make(sync_lag=1)
    for i in range(50):
        source.put(running_row(f"t{i}", server.now))
        read(feed, source)
        server.advance(60)
    # Only what the deep window (5 min) could still list is remembered.
    assert len(feed._reported) <= 7

"""The workflow contract as the Python side reads it: names, workflow IDs, search attributes, inputs.

The TypeScript sources (``src/contract/``) define the contract; ``contract/`` at the repository
root holds the JSON generated from them, and this package ships a copy of it
(``temporal_ecs_executor/contract/``; ``tests/test_contract.py`` fails when the copy is stale).
Nothing here knows Airflow: keys are the contract's JSON objects
(``{"dagId", "taskId", "runId", "tryNumber", "mapIndex", "tiId"?}`` or ``{"callbackId", ...}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from temporalio.common import SearchAttributeKey, SearchAttributePair

__all__ = [
    "ContractKey",
    "InvalidTaskInput",
    "NAMES",
    "SA",
    "SUBMIT_CONCURRENCY",
    "adopted_task_workflow_id",
    "is_callback_key",
    "key_from_search_attributes",
    "key_search_attributes",
    "short_key",
    "task_workflow_id",
    "validate_adopted_input",
    "validate_task_input",
    "visibility_literal",
]

ContractKey = dict[str, Any]


def _load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("contract", name).read_text(encoding="utf-8"))


def contract_file(name: str) -> Any | None:
    """A generated contract file shipped with the package, or None when this version has none of that name."""
    path = resources.files(__package__).joinpath("contract", name)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


NAMES: Mapping[str, Any] = _load("names.json")
WORKFLOW_TYPES: Mapping[str, str] = NAMES["workflowTypes"]
PREFIX: Mapping[str, str] = NAMES["workflowIdPrefixes"]
FAILURE_TYPES: Mapping[str, str] = NAMES["failureTypes"]
TERMINATE_SIGNAL: str = NAMES["signals"]["terminate"]
STATUS_QUERY: str = NAMES["queries"]["status"]
DEFAULT_TERMINATE_REASON: str = NAMES["defaultTerminateReason"]
#: Keys executor_config may never set: the executor owns the container name and the command.
RESERVED_EXECUTOR_CONFIG_KEYS: tuple[str, ...] = tuple(NAMES["executorConfigReservedKeys"])
#: Submits in flight at once, the same number as the TypeScript client's.
SUBMIT_CONCURRENCY: int = NAMES["submitConcurrency"]

_KEY_FACTORIES = {
    "KEYWORD": SearchAttributeKey.for_keyword,
    "INT": SearchAttributeKey.for_int,
    "DATETIME": SearchAttributeKey.for_datetime,
    "KEYWORD_LIST": SearchAttributeKey.for_keyword_list,
}


def _search_attribute_keys() -> dict[str, SearchAttributeKey[Any]]:
    keys: dict[str, SearchAttributeKey[Any]] = {}
    for name, kind in NAMES["searchAttributes"].items():
        factory = _KEY_FACTORIES.get(kind)
        if factory is None:
            raise RuntimeError(f"contract/names.json declares search attribute {name} of type {kind}, which this package does not know")
        keys[name] = factory(name)
    return keys


#: Every search attribute of the contract by name (AirflowDagId, EcsTaskArn...).
SA: Mapping[str, SearchAttributeKey[Any]] = _search_attribute_keys()


def is_callback_key(key: Mapping[str, Any]) -> bool:
    return "callbackId" in key


def _part(value: str) -> str:
    # Parts are joined with "/": a "/" inside one is written %2F and "%" itself %25, nothing else,
    # so run IDs like manual__2026-12-01T08:05:30+00:00 stay readable (contract/workflow-id-vectors.json).
    return value.replace("%", "%25").replace("/", "%2F")


def task_workflow_id(key: Mapping[str, Any]) -> str:
    """``airflow-task/<dag>/<task>/<run>/<map index>/<try>`` or ``airflow-callback/<uuid>``."""
    if is_callback_key(key):
        return f"{PREFIX['callback']}{_part(key['callbackId'])}"
    parts = "/".join(_part(key[name]) for name in ("dagId", "taskId", "runId"))
    return f"{PREFIX['task']}{parts}/{key.get('mapIndex', -1)}/{key['tryNumber']}"


def adopted_task_workflow_id(task_arn: str) -> str:
    """The tracker of an adopted ECS task: ``ecs-task/<task ARN>`` (the ARN unescaped)."""
    return f"{PREFIX['adopted']}{task_arn}"


def short_key(key: Mapping[str, Any]) -> str:
    """``dag.task[3] try 2`` or ``callback <uuid>``, as the TypeScript client labels workflows."""
    if is_callback_key(key):
        return f"callback {key['callbackId']}"
    mapped = f"[{key['mapIndex']}]" if key.get("mapIndex", -1) >= 0 else ""
    return f"{key['dagId']}.{key['taskId']}{mapped} try {key['tryNumber']}"


def key_search_attributes(key: Mapping[str, Any]) -> list[SearchAttributePair[Any]]:
    """The key as search attributes (never the command or the workload: they are not encrypted)."""
    if is_callback_key(key):
        pairs: list[SearchAttributePair[Any]] = [SearchAttributePair(SA["AirflowWorkloadId"], key["callbackId"])]
        if key.get("dagId") is not None:
            pairs.append(SearchAttributePair(SA["AirflowDagId"], key["dagId"]))
        if key.get("runId") is not None:
            pairs.append(SearchAttributePair(SA["AirflowRunId"], key["runId"]))
        return pairs
    pairs = [
        SearchAttributePair(SA["AirflowDagId"], key["dagId"]),
        SearchAttributePair(SA["AirflowTaskId"], key["taskId"]),
        SearchAttributePair(SA["AirflowRunId"], key["runId"]),
        SearchAttributePair(SA["AirflowTryNumber"], key["tryNumber"]),
        SearchAttributePair(SA["AirflowMapIndex"], key.get("mapIndex", -1)),
    ]
    if key.get("tiId") is not None:
        pairs.append(SearchAttributePair(SA["AirflowWorkloadId"], key["tiId"]))
    return pairs


def key_from_search_attributes(get: Any) -> ContractKey | None:
    """Rebuilds the key from a workflow's search attributes (``get(name)`` returns a value or None).

    The same rule as the TypeScript client's summaries.ts: dag, task, run and try make a task
    instance key (map index -1 when absent); otherwise a workload id makes a callback key.
    """
    dag_id, task_id, run_id = get("AirflowDagId"), get("AirflowTaskId"), get("AirflowRunId")
    try_number, workload_id = get("AirflowTryNumber"), get("AirflowWorkloadId")
    if dag_id is not None and task_id is not None and run_id is not None and try_number is not None:
        map_index = get("AirflowMapIndex")
        key: ContractKey = {"dagId": dag_id, "taskId": task_id, "runId": run_id, "tryNumber": int(try_number)}
        key["mapIndex"] = -1 if map_index is None else int(map_index)
        if workload_id is not None:
            key["tiId"] = workload_id
        return key
    if workload_id is not None:
        callback: ContractKey = {"callbackId": workload_id}
        if dag_id is not None:
            callback["dagId"] = dag_id
        if run_id is not None:
            callback["runId"] = run_id
        return callback
    return None


def visibility_literal(value: str | int | datetime) -> str:
    """A visibility query literal: single quotes, quotes and backslashes escaped; times as the TS client writes them."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        utc = value.astimezone(timezone.utc)
        value = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class InvalidTaskInput(ValueError):
    """A task's workflow input breaks the contract; ``failure_type`` is the contract's name for why."""

    def __init__(self, failure_type: str, message: str) -> None:
        super().__init__(message)
        self.failure_type = failure_type


# Where an instance value may be shown in a message. Everything else (the workload, the command,
# executor_config with its environment overrides) may carry secrets: only its path is named.
_SHOWABLE_ROOTS = {"key", "executorName", "queue"}


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = contract_file(name)
    if schema is None:
        raise RuntimeError(f"the package has no contract/{name}: reinstall airflow-temporal-ecs-executor")
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(schema)
    cls = jsonschema.validators.extend(base, {"pattern": _ecma_pattern})
    return cls(schema, format_checker=base.FORMAT_CHECKER)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema patterns are ECMA-262 regexes, whose "$" never matches before a final newline.

    Python's does, so a key part ending in a newline would pass the no-control-characters pattern.
    The contract's patterns end in "$": it becomes "\\Z".
    """
    if not isinstance(instance, str):
        return
    python = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    if re.search(python, instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _describe(error: jsonschema.ValidationError, *, secret: bool = False) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "input"
    root = str(error.absolute_path[0]) if error.absolute_path else ""
    # An unknown key is named by its key, never its value: safe to show, and what the user must fix.
    if error.validator == "additionalProperties" or (not secret and (root in _SHOWABLE_ROOTS or not error.absolute_path)):
        return f"{path}: {error.message}"
    # No instance value: say which rule failed and what it asks for.
    expected = error.schema.get(error.validator) if isinstance(error.schema, Mapping) else None
    rule = f"{error.validator} {json.dumps(expected)}" if expected is not None and error.validator != "anyOf" else error.validator
    return f"{path}: does not match the contract ({rule})"


def _problems(validator: jsonschema.protocols.Validator, instance: Any, *, secret: bool = False) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [problem for error in errors for problem in _flatten(error, secret=secret)]


def _flatten(error: jsonschema.ValidationError, *, secret: bool) -> list[str]:
    """An anyOf failure is told by the branch the value was meant for, down to the real problem."""
    if error.validator != "anyOf" or not error.context:
        return [_describe(error, secret=secret)]
    by_branch: dict[int, list[jsonschema.ValidationError]] = {}
    for e in error.context:
        if e.relative_schema_path:
            by_branch.setdefault(int(e.relative_schema_path[0]), []).append(e)
    # The key's two shapes: a callback key names its callbackId; anything else is a task instance key.
    if isinstance(error.instance, Mapping) and error.absolute_path and str(error.absolute_path[0]) == "key" and len(error.absolute_path) == 1:
        meant = 1 if "callbackId" in error.instance else 0
        candidates = [by_branch.get(meant, [])]
    else:
        # A branch whose only complaint is the value's type is not the one meant (e.g. the null of a nullable list).
        candidates = [errs for errs in by_branch.values() if not all(e.validator == "type" and not e.relative_path for e in errs)]
    chosen = next((errs for errs in candidates if errs), None)
    if chosen is None:
        return [_describe(error, secret=secret)]
    return [problem for e in chosen for problem in _flatten(e, secret=secret)]


#: The RunTask shape schema of executor_config, when the contract has one (contract/executor-config.schema.json).
EXECUTOR_CONFIG_SCHEMA_FILE = "executor-config.schema.json"


def validate_task_input(task_input: Mapping[str, Any]) -> None:
    """Checks a task workflow input against contract/task-workflow-input.schema.json (Draft 2020-12).

    Raises InvalidTaskInput whose failure_type is InvalidTaskKey-like (the key), InvalidExecutorConfig
    or InvalidTaskCommand, listing every problem. Messages never contain the workload, the command or
    executor_config values.
    """
    problems = _problems(_validator("task-workflow-input.schema.json"), task_input)
    # The schema cannot say "exactly one of": the zod schema's refinement, as it reads there.
    if ("command" in task_input) == ("workload" in task_input):
        problems.append("command: give exactly one of command (a list of strings) and workload (the Airflow workload JSON)")
    executor_config = task_input.get("executorConfig")
    # Its shape against RunTask's (the main schema already said so when it is not an object).
    if isinstance(executor_config, Mapping) and contract_file(EXECUTOR_CONFIG_SCHEMA_FILE) is not None:
        reserved = [k for k in RESERVED_EXECUTOR_CONFIG_KEYS if k in executor_config]
        if reserved:
            # Airflow's own words, as the worker says them: the schema alone would only call them unknown keys.
            problems.append(
                'executorConfig: Executor Config should never override "name" or "command": this executor_config sets '
                + " and ".join(f'"{k}"' for k in reserved)
                + ". The executor sets the container name (the container_name setting) and the task command itself; remove these keys"
            )
        rest = {k: v for k, v in executor_config.items() if k not in RESERVED_EXECUTOR_CONFIG_KEYS}
        problems.extend(
            f"executorConfig.{p}" if not p.startswith("input") else f"executorConfig{p[5:]}"
            for p in _problems(_validator(EXECUTOR_CONFIG_SCHEMA_FILE), rest, secret=True)
        )
    if not problems:
        return
    key = task_input.get("key")
    label = short_key(key) if isinstance(key, Mapping) and not validate_key(key) else json.dumps(key, default=str)
    message = f"Invalid task {label}: " + "; ".join(problems) + "."
    if any(p.startswith("key") for p in problems):
        failure = "InvalidTaskKey"
        message += " Expected {dagId, taskId, runId, tryNumber, mapIndex (-1 when unmapped)} or {callbackId}."
    elif any(p.startswith("executorConfig") for p in problems):
        failure = FAILURE_TYPES["InvalidExecutorConfig"]
    else:
        failure = FAILURE_TYPES["InvalidTaskCommand"]
    raise InvalidTaskInput(failure, message)


def validate_key(key: Mapping[str, Any]) -> list[str]:
    """Problems with a key alone (empty when it is valid)."""
    schema = contract_file("task-workflow-input.schema.json")
    validator = _validator("task-workflow-input.schema.json").evolve(schema=schema["properties"]["key"])
    return [p.replace("input", "key", 1) if p.startswith("input") else f"key.{p}" for p in _problems(validator, key)]


def task_arn_problem(arn: str | None) -> str | None:
    """Why ``arn`` is not an ECS task ARN adoption can track (None when it is one)."""
    if not arn:
        return "no external_executor_id (ECS task ARN)"
    pattern = contract_file("adopted-task-input.schema.json")["properties"]["taskArn"]["pattern"]
    if re.search(pattern, arn) is None:
        return f"taskArn must be an ECS task ARN (arn:aws:ecs:<region>:<account>:task/...) (got {json.dumps(arn)})"
    return None


def validate_adopted_input(adopted_input: Mapping[str, Any]) -> list[str]:
    """Problems with an ecsTaskWorkflow input against contract/adopted-task-input.schema.json."""
    return _problems(_validator("adopted-task-input.schema.json"), adopted_input)

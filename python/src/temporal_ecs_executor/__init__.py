"""Apache Airflow's ECS executor on Temporal.

In airflow.cfg: ``[core] executor = temporal_ecs_executor.TemporalEcsExecutor``. The executor
class is imported on first use, so the rest of the package (the workflow contract, the payload
codec) works without Airflow installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["TemporalEcsExecutor", "__version__"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from temporal_ecs_executor.executor import TemporalEcsExecutor


def __getattr__(name: str) -> Any:
    if name == "TemporalEcsExecutor":
        from temporal_ecs_executor.executor import TemporalEcsExecutor

        return TemporalEcsExecutor
    raise AttributeError(f"module 'temporal_ecs_executor' has no attribute {name!r}")

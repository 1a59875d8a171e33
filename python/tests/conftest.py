"""Shared test set-up: an Airflow home of our own (before anything imports Airflow), and the repo paths."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "contract"

# Airflow reads its configuration when first imported: give it an empty home, never the user's,
# and none of the user's AIRFLOW__* settings.
_home = tempfile.mkdtemp(prefix="temporal-ecs-executor-tests-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
for _name in [n for n in os.environ if n.startswith("AIRFLOW__") or n == "AIRFLOW_CONFIG"]:
    del os.environ[_name]
os.environ["AIRFLOW_HOME"] = _home
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__API_AUTH__JWT_SECRET"] = "unit-test-jwt-secret-not-for-production"

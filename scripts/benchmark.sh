#!/usr/bin/env bash
# Measures the executor at N tasks against the Temporal floor and Airflow's own executor (a benchmark, not
# a test): installs what it runs (Node 24, npm packages, the Temporal CLI, and the Airflow
# virtualenv only with --compare-airflow; a no-op when present), then runs scripts/benchmark.ts
# on Node 24. Options pass through:
#   npm run bench -- [--sizes 1000] [--runs 3] [--task-seconds 20] [--compare-airflow] [--tracked 10000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
targets=(node npm temporal-cli)
for arg in "$@"; do
  [[ "$arg" == "--compare-airflow" || "$arg" == --compare-airflow=* ]] && targets+=(airflow)
done
bash scripts/setup.sh "${targets[@]}"
# shellcheck source=lib/node.sh
source scripts/lib/node.sh
exec npx ts-node --transpile-only scripts/benchmark.ts "$@"

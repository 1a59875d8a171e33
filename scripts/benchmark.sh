#!/usr/bin/env bash
# Prints how the executor scales with the number of concurrently tracked tasks (a benchmark, not
# a test): installs what it runs (Node 24, npm packages, the Temporal CLI, and the Airflow
# virtualenv only with --compare-airflow; a no-op when present), then runs scripts/benchmark.ts
# on Node 24. Options pass through:
#   npm run bench -- --sizes 10,50,200 --task-seconds 20 --poll-seconds 1
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

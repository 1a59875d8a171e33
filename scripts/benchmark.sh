#!/usr/bin/env bash
# Prints how the executor scales with the number of concurrently tracked tasks (a benchmark, not
# a test): installs what is missing (a no-op when present), then runs scripts/benchmark.ts.
# Options pass through: `npm run bench -- --sizes 10,50,200 --task-seconds 20 --poll-seconds 1`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh npm && bash scripts/setup.sh temporal
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true exec npx ts-node --transpile-only scripts/benchmark.ts "$@"

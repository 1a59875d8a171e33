#!/usr/bin/env bash
# The whole test suite: installs what it needs (a no-op when present), type-checks, lints, and
# runs every jest test (unit, activity, time-skipping workflow and end-to-end on a dev server).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
echo "[test] type-checking"
npx tsc -p tsconfig.json --noEmit
echo "[test] linting"
npx eslint .
echo "[test] running jest"
results="$(mktemp)"
status=0
npx jest --ci --maxWorkers=2 --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = require(process.argv[1]);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"

#!/usr/bin/env bash
# The whole test suite: installs what it needs (a no-op when present), type-checks, lints, and
# runs every jest test (unit, activity, time-skipping workflow and end-to-end on a dev server).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# Node 20 is supported here; the AWS SDK's notice about its future Node 22 floor is noise in test output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
echo "[test] checking docker-compose.temporal.yml"
bash scripts/check-compose.sh
echo "[test] type-checking"
npx tsc -p tsconfig.json --noEmit
echo "[test] linting"
npx eslint .
echo "[test] running jest"
results="$(mktemp)"
status=0
npx jest --ci --maxWorkers=2 --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"

#!/usr/bin/env bash
# The whole test suite: installs what it needs (a no-op when present), then, on Node 24
# (scripts/lib/node.sh), type-checks, lints, checks the compose file and runs every jest test
# (unit, activity, time-skipping workflow and end-to-end on a dev server). Extra arguments go to
# jest. The last line is `N passed, N failed, N skipped`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh all
# shellcheck source=lib/node.sh
source scripts/lib/node.sh
echo "[test] Node $(node -v) ($(command -v node))"
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

#!/usr/bin/env bash
# The whole test suite: installs what it needs (a no-op when present), then, on Node 24
# (scripts/lib/node.sh), type-checks, lints, checks the compose file and runs every jest test
# (unit, activity, time-skipping workflow and end-to-end on a dev server), then the Airflow
# executor package's pytest suite (unit, integration with our worker, and a real Airflow scheduler
# end to end). Extra arguments go to jest, and then only jest runs. The last line is
# `N passed, N failed, N skipped`, over both suites.
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
py_results="$(mktemp)"
status=0
# Three test files at once even on 2 cores: the end-to-end files spend most of their time waiting
# on real servers (poll rounds, backoffs, timeouts), so a third one fills the idle CPU
# (measured on the 2-core machine: 92 s with 2, 67–72 s with 3).
npx jest --ci --maxWorkers=3 --json --outputFile="$results" "$@" || status=$?
if [[ $# -eq 0 ]]; then
  echo "[test] running pytest (python/: the Airflow executor package)"
  "$root/.cache/airflow-venv/bin/python" -m pytest python/tests -q -p no:cacheprovider --junitxml="$py_results" || status=$?
else
  : >"$py_results"
fi
node -e '
  const fs = require("node:fs");
  const jest = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const xml = fs.readFileSync(process.argv[2], "utf8");
  const attr = (name) => Number((new RegExp(`<testsuite[^>]*\\b${name}="(\\d+)"`).exec(xml) ?? [])[1] ?? 0);
  const py = { tests: attr("tests"), failed: attr("failures") + attr("errors"), skipped: attr("skipped") };
  const passed = jest.numPassedTests + py.tests - py.failed - py.skipped;
  const failed = jest.numFailedTests + jest.numRuntimeErrorTestSuites + py.failed;
  console.log(`${passed} passed, ${failed} failed, ${jest.numPendingTests + py.skipped} skipped`);
' "$results" "$py_results" || true
rm -f "$results" "$py_results"
exit "$status"

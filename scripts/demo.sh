#!/usr/bin/env bash
# The main job on embedded defaults: installs what is missing (a no-op when present), then runs
# the demo (Temporal dev server with its Web UI, the local ECS endpoint, a worker, sample tasks).
# Pass --exit to stop after the summary: `npm run demo -- --exit`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" npm
bash "$root/scripts/setup.sh" temporal
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec node "$root/bin/ecs-executor" demo "$@"

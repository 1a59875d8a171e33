#!/usr/bin/env bash
# The main job on embedded defaults: installs what the demo runs and nothing else (Node 24, npm
# packages, the Temporal CLI; a no-op when present), then runs the demo on Node 24 (Temporal dev
# server with its Web UI, the local ECS endpoint, a worker, sample tasks).
# Pass --exit to stop after the summary: `npm run demo -- --exit`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" node npm temporal-cli
# shellcheck source=lib/node.sh
source "$root/scripts/lib/node.sh"
exec node "$root/bin/ecs-executor" demo "$@"

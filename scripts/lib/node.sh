# Sourced, not run, by scripts/*.sh: makes `node`, `npm` and `npx` run on Node 24 (the major of
# SETUP_NODE_VERSION in scripts/versions.env). The machine's Node is used when it is at least
# that major; otherwise the binary `scripts/setup.sh node` installed into .cache/node/<version>/
# goes first on PATH (npm and npx are scripts run by `env node`, so they follow).
#
#   source scripts/lib/node.sh                 # switch, or fail saying to run setup
#   source scripts/lib/node.sh --no-activate   # only define the functions (setup.sh)
#
# Never exits (it may be sourced by an interactive shell): a failure is a non-zero return.

node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=versions.sh
source "$node_root/scripts/lib/versions.sh" || return 1
node_wanted_major="${SETUP_NODE_VERSION%%.*}"

# The major version of the node binary $1 (default: the one on PATH); empty when it does not run.
node_major() {
  local bin="${1:-$(command -v node || true)}"
  [[ -n "$bin" ]] || return 0
  "$bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true
}

# Where `setup.sh node` puts the Node binary.
node_cached_bin_dir() { printf '%s\n' "$node_root/.cache/node/$SETUP_NODE_VERSION/bin"; }

# True when the node on PATH is recent enough to be used as is.
node_machine_ok() {
  local major
  major="$(node_major)"
  [[ -n "$major" && "$major" -ge "$node_wanted_major" ]]
}

use_node() {
  node_machine_ok && return 0
  local dir
  dir="$(node_cached_bin_dir)"
  if [[ ! -x "$dir/node" ]]; then
    printf '[node] ERROR: Node %s+ is needed, the node on PATH is %s and %s is not installed: run `bash scripts/setup.sh node` (installs Node %s from the npm registry into .cache/node/), or put Node %s+ first on PATH\n' \
      "$node_wanted_major" "$(node -v 2>/dev/null || echo 'missing')" "$dir/node" "$SETUP_NODE_VERSION" "$node_wanted_major" >&2
    return 1
  fi
  PATH="$dir:$PATH"
  export PATH
  # npm exports these as the Node that runs the npm script (node-gyp and others read them).
  export NODE="$dir/node" npm_node_execpath="$dir/node"
  hash -r
}

if [[ "${1:-}" != "--no-activate" ]]; then
  use_node || return 1
fi

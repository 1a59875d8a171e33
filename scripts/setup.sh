#!/usr/bin/env bash
# Installs what the tests and the demo need, from package registries only:
#   - npm packages (npm ci, skipped when node_modules matches the lock file),
#   - the Temporal CLI (dev server + Web UI), built with `go install` from the Go module proxy,
#   - the Temporal time-skipping test server, from Maven Central, run by the machine's Java,
#   - boto3 in a private virtualenv, for the wire-compatibility check of the local ECS endpoint.
# A path given in TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH wins over building.
# Everything lands in .cache/ (git-ignored); a second run is a no-op.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache"
mkdir -p "$cache"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEMPORAL_TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.34.0}"
BOTO3_VERSION="${BOTO3_VERSION:-1.44.5}"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }

npm_packages() {
  local stamp="$root/node_modules/.setup-stamp"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)" ]]; then
    return
  fi
  local t; t=$(date +%s)
  log "installing npm packages (npm ci)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum "$root/package-lock.json" | cut -d' ' -f1 >"$stamp"
  log "npm packages installed in $(elapsed "$t")"
}

temporal_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; point it at a Temporal CLI binary or unset it to build one"
    return
  fi
  local dir="$cache/temporal-cli/$TEMPORAL_CLI_VERSION"
  [[ -x "$dir/temporal" ]] && return
  command -v go >/dev/null || die "the Temporal CLI is not built and Go is not installed: install Go (1.23+) so setup can build it, or set TEMPORAL_CLI_PATH to an existing 'temporal' binary"
  local t; t=$(date +%s)
  log "building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (the first build takes several minutes)"
  mkdir -p "$dir"
  GOBIN="$dir.partial" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  mv "$dir.partial/temporal" "$dir/temporal" && rmdir "$dir.partial"
  log "Temporal CLI built in $(elapsed "$t"): $dir/temporal"
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
  local t; t=$(date +%s)
  log "fetching io.temporal:temporal-test-server:$TEMPORAL_TEST_SERVER_VERSION and its dependencies from Maven Central"
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
      <version>2.0.17</version>
    </dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime)
  # The SDK starts this with `<port>` and kills only its direct child, hence exec.
  cat >"$dir/temporal-test-server.partial" <<'WRAPPER'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${JAVA:-java}" ${TEMPORAL_TEST_SERVER_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto} -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"
WRAPPER
  chmod +x "$dir/temporal-test-server.partial"
  mv "$dir/temporal-test-server.partial" "$dir/temporal-test-server"
  log "time-skipping test server ready in $(elapsed "$t"): $dir/temporal-test-server"
}

python_boto3() {
  local venv="$cache/venv"
  [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import boto3" 2>/dev/null && return
  command -v python3 >/dev/null || die "python3 (3.9+ with venv) is needed for the boto3 wire-compatibility test: install it"
  local t; t=$(date +%s)
  log "installing boto3 $BOTO3_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "boto3==$BOTO3_VERSION"
  log "boto3 installed in $(elapsed "$t")"
}

what="${1:-all}"
case "$what" in
  all) npm_packages; temporal_cli; temporal_test_server; python_boto3 ;;
  npm) npm_packages ;;
  temporal) temporal_cli; temporal_test_server ;;
  *) die "unknown setup target '$what' (expected: all, npm, temporal)" ;;
esac

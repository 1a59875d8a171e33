# Sourced, not run: sets a shell variable for every KEY=VALUE line of scripts/versions.env,
# unless the environment already gives that variable a non-empty value (which then wins).
# The file is parsed rather than sourced so that an override from the environment is never
# clobbered and nothing in it can run. src/dev/temporal-binaries.ts parses it the same way.
# Returns non-zero (never exits: it may be sourced by an interactive shell) on a malformed line.

versions_file="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/versions.env"

load_versions() {
  local line key value n=0
  if [[ ! -r "$versions_file" ]]; then
    printf '[setup] ERROR: cannot read %s: it holds the pinned versions; restore it from git\n' "$versions_file" >&2
    return 1
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%$'\r'}"
    [[ -z "${line//[[:space:]]/}" || "$line" =~ ^[[:space:]]*# ]] && continue
    if [[ ! "$line" =~ ^([A-Z][A-Z0-9_]*)=([^[:space:]\"\'\$\`]+)$ ]]; then
      printf '[setup] ERROR: %s:%d: expected KEY=VALUE (no quotes or spaces), got "%s"\n' "$versions_file" "$n" "$line" >&2
      return 1
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    [[ -n "${!key:-}" ]] || printf -v "$key" '%s' "$value"
  done <"$versions_file"
}

load_versions

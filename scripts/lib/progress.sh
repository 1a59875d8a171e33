# Sourced, not run: progress for long setup steps, so that nothing is silent for minutes.
#
#   with_progress "<label>" cmd args...   runs cmd with its output captured in
#                                         .cache/logs/<label>.log, printing "[setup] <label>… 45 s"
#                                         (plus the command's latest output line) every 10 s;
#                                         on failure prints the output's tail and exits with cmd's code
#   run_progress  "<label>" cmd args...   the same, but returns cmd's code instead of exiting
#
# cmd must be a command, not a shell function (set -e does not hold inside a function run as a
# condition). Assignments before with_progress reach cmd's environment.

progress_every=10
progress_log_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/logs"

log() { printf '[setup] %s\n' "$*" >&2; }

# 75 -> "1 min 15 s"
fmt_duration() {
  local s=$1
  if ((s >= 60)); then printf '%d min %d s\n' $((s / 60)) $((s % 60)); else printf '%d s\n' "$s"; fi
}

# The last line of the log $1, without escape codes and carriage-return redraws, cut short.
progress_hint() {
  tail -c 4096 "$1" 2>/dev/null | tr '\r' '\n' | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/[[:space:]]*$//' |
    grep -v '^$' | tail -n 1 | cut -c1-100
}

# Runs in the background: a line every $progress_every s until killed or until the shell $4 is gone
# (a Ctrl-C kills the shell, but not its background jobs, which ignore SIGINT).
progress_ticker() {
  local label=$1 start=$2 logf=$3 owner=$4 nap=
  trap '[[ -n "$nap" ]] && kill "$nap" 2>/dev/null; exit 0' TERM
  while :; do
    # The sleep gets no stdout/stderr, so a pipe reading setup's output closes when setup ends.
    sleep "$progress_every" </dev/null >/dev/null 2>&1 &
    nap=$!
    wait "$nap"
    kill -0 "$owner" 2>/dev/null || exit 0
    local hint
    hint="$(progress_hint "$logf")"
    log "$label… $(fmt_duration $((SECONDS - start)))${hint:+  ($hint)}"
  done
}

progress_ticker_pid=
progress_stop_ticker() {
  if [[ -n "$progress_ticker_pid" ]]; then
    kill "$progress_ticker_pid" 2>/dev/null || true
    wait "$progress_ticker_pid" 2>/dev/null || true
    progress_ticker_pid=
  fi
}
trap progress_stop_ticker EXIT

run_progress() {
  local label=$1
  shift
  mkdir -p "$progress_log_dir"
  local slug
  slug="$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '-' | tr -s '-' | cut -c1-60)"
  local logf="$progress_log_dir/${slug%-}.log" start=$SECONDS rc=0
  log "$label…"
  # The ticker must not inherit the EXIT trap: killed before it starts, it would run it.
  trap - EXIT
  progress_ticker "$label" "$start" "$logf" "$$" &
  progress_ticker_pid=$!
  trap progress_stop_ticker EXIT
  "$@" </dev/null >"$logf" 2>&1 || rc=$?
  progress_stop_ticker
  if ((rc != 0)); then
    log "FAILED after $(fmt_duration $((SECONDS - start))) (exit code $rc): $label"
    log "the last 40 lines of its output (all of it: $logf):"
    tail -n 40 "$logf" | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/^/  | /' >&2
  fi
  return "$rc"
}

with_progress() {
  local rc=0
  run_progress "$@" || rc=$?
  ((rc == 0)) || exit "$rc"
}

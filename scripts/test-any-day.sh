#!/usr/bin/env bash
# Runs the date-sensitive test files under libfaketime (Debian's faketime), which shifts the clock of Node, the
# emulator and every process they start, at the instants where calendars break. It must pass at each.
#
#   scripts/test-any-day.sh                       every instant below
#   scripts/test-any-day.sh month-end new-year    only those (names below), or
#   scripts/test-any-day.sh '2028-02-29 12:00:00' any instant `faketime` reads, in UTC
#   scripts/test-any-day.sh --jobs 2 A B          two instants at once (each its own vitest with two workers; its
#                                                 output is printed when it ends): .ci/run does this
#
# The clock starts at the instant and runs on, so the "last second" instants cross into the next month (or year)
# while the tests start: what was computed before the change must agree with what is computed after it.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC

if ! command -v faketime >/dev/null; then
  echo "test-any-day: faketime is not installed; on Debian or Ubuntu: apt-get install faketime" >&2
  exit 1
fi

# The files whose code asks "what time is it", or whose data meets a real clock (the emulator's CloudWatch Logs and
# DynamoDB TTLs, "last month", a cache's age, a code's expiry).
FILES=(
  src/audit/search.test.ts
  src/audit/audit-filter.test.ts
  src/audit/compile-query.test.ts
  src/auth/sign-in-code.test.ts
  src/auth/import-job.test.ts
  src/cli/cost-session.test.ts
  src/console/server/memo.test.ts
  src/cost/cached-source.test.ts
  src/cost/cost-report.test.ts
  src/cost/statement.test.ts
  src/sandbox/sample-costs.test.ts
  src/delivery/deliveries.test.ts
  test/console-api.test.ts
  test/cost-cli.test.ts
  test/audit-cli.test.ts
  test/auth-import.test.ts
  test/statement-generator.test.ts
)

month_start=$(date -u +%Y-%m-01)
instant() {
  case "$1" in
    month-end) date -u -d "$month_start +1 month -1 second" '+%Y-%m-%d %H:%M:%S' ;;
    month-start) date -u -d "$month_start +1 month" '+%Y-%m-%d %H:%M:%S' ;;
    new-year) echo "$(date -u +%Y)-12-31 23:59:59" ;;
    leap-day) echo '2028-02-29 12:00:00' ;;
    400-days) date -u -d '+400 days' '+%Y-%m-%d %H:%M:%S' ;;
    *) date -u -d "$1" '+%Y-%m-%d %H:%M:%S' ;;
  esac
}

jobs=1
if [ "${1:-}" = --jobs ]; then
  jobs=${2:?test-any-day: --jobs needs a number, e.g. --jobs 2}
  [[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "test-any-day: --jobs must be a whole number from 1, got '$jobs'" >&2; exit 1; }
  shift 2
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(month-end month-start new-year leap-day 400-days)

# vitest directly, not through npm: nothing else needs to run under the shifted clock.
run_at() {
  faketime "$1" node node_modules/vitest/vitest.mjs run "${@:2}" "${FILES[@]}"
}

failed=()
if [ "$jobs" -eq 1 ]; then
  for name in "${names[@]}"; do
    at=$(instant "$name")
    echo "test-any-day: ${#FILES[@]} files with the clock at $at UTC ($name)"
    run_at "$at" || failed+=("$name ($at)")
  done
else
  # Several instants at once, each with two workers (they wait on the emulator more than on the CPU); each one's
  # output is kept in a log and printed whole when it ends, so the logs do not interleave.
  logs=$(mktemp -d)
  trap 'rm -rf "$logs"' EXIT
  pids=()
  for i in "${!names[@]}"; do
    name=${names[$i]}
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    at=$(instant "$name")
    echo "test-any-day: ${#FILES[@]} files with the clock at $at UTC ($name), in the background"
    ( run_at "$at" --maxWorkers=2 >"$logs/$i.log" 2>&1; echo $? >"$logs/$i.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for i in "${!names[@]}"; do
    name=${names[$i]}
    at=$(instant "$name")
    echo "test-any-day: ---- $name ($at) ----"
    cat "$logs/$i.log"
    [ "$(cat "$logs/$i.rc" 2>/dev/null || echo 1)" = 0 ] || failed+=("$name ($at)")
  done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-any-day: failed at ${failed[*]}" >&2
  exit 1
fi
echo "test-any-day: passed at ${#names[@]} instant(s)"

#!/usr/bin/env bash
# Runs the date-sensitive test files under libfaketime (Debian's faketime), which shifts the clock of Node, the
# emulator and every process they start, at the instants where calendars break. It must pass at each.
#
#   scripts/test-any-day.sh                       every instant below
#   scripts/test-any-day.sh month-end new-year    only those (names below), or
#   scripts/test-any-day.sh '2028-02-29 12:00:00' any instant `faketime` reads, in UTC
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

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(month-end month-start new-year leap-day 400-days)

failed=()
for name in "${names[@]}"; do
  at=$(instant "$name")
  echo "test-any-day: ${#FILES[@]} files with the clock at $at UTC ($name)"
  # vitest directly, not through npm: nothing else needs to run under the shifted clock.
  if ! faketime "$at" node node_modules/vitest/vitest.mjs run "${FILES[@]}"; then
    failed+=("$name ($at)")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-any-day: failed at ${failed[*]}" >&2
  exit 1
fi
echo "test-any-day: passed at ${#names[@]} instant(s)"

#!/usr/bin/env bash
# `npm test`: the type-check (tsc over the three projects) and Biome run while vitest runs, since the suite spends most
# of its time waiting on emulators and polls; the test fails if any of them fails. Arguments go to vitest
# (`npm test -- test/up.test.ts`). Their output is printed whole after vitest's, so the two do not interleave.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

( npm run --silent typecheck && npm run --silent lint ) >"$log" 2>&1 &
checks=$!

node node_modules/vitest/vitest.mjs run "$@"
tests=$?

wait "$checks"
checks_rc=$?
echo
echo "typecheck and lint:"
cat "$log"
if [ "$checks_rc" -ne 0 ]; then
  echo "test: the type-check or Biome failed (above): npm run typecheck, npm run lint" >&2
  exit 1
fi
echo "typecheck and lint: passed"
exit "$tests"

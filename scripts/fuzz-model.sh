#!/usr/bin/env bash
# Harness 1's long run (docs/testing.md): generated DDL histories, applied to PostgreSQL 15 and replayed by
# driftguard, for SECONDS; every feature of the generator is on (open classes included) unless --features says
# otherwise. Each new disagreement class is shrunk to a minimal reproducer, printed and written to --out
# (default oracle-findings/). Exit 1 when any disagreement was found.
# usage: scripts/fuzz-model.sh SECONDS [SEED] [--features SPEC] [--out DIR]
#        scripts/fuzz-model.sh show SEED [--features SPEC]     (one seed's history and outcome)
#        scripts/fuzz-model.sh check FILE                      (a history written by hand: -- file: N lines)
#        scripts/fuzz-model.sh calls SECONDS SEED [--out DIR]  (histories of built-in calls, tests/oracle/calls.hpp)
# SEED defaults to the current time (printed, so that a run can be repeated). Uses $DRIFTGUARD_TEST_PG when set,
# else starts its own throwaway server; the build in $DRIFTGUARD_BUILD (default build/), built when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DRIFTGUARD_BUILD:-$root/build}
[ $# -ge 1 ] || { sed -n 2,11p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -x "$build/tests/driftguard_fuzz_model" ] || "$root/scripts/build.sh" "$build" >&2
if [ "$1" != show ] && [ "$1" != check ] && { [ $# -lt 2 ] || [[ "$2" == --* ]]; }; then
  seed=$(date +%s)
  echo "fuzz-model: seed $seed" >&2
  set -- "$1" "$seed" "${@:2}"
fi
exec "$build/tests/driftguard_fuzz_model" "$@"

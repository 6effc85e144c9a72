#!/usr/bin/env bash
# Harness 4 on Prisma projects you collect (docs/testing.md, "Harness 4"): each folder of DIR holding migrations/
# and schema.prisma (or schema/) is applied to a fresh database as `prisma migrate deploy` does and compared four
# ways (Prisma's engine, live, static, history, and the replay's pg_dump). Fails on every project whose replay is
# not its database or where driftguard reports an error-severity item Prisma does not call drift; the report of
# every project goes to OUT (default realworld-report.txt).
# usage: scripts/realworld-prisma.sh DIR [OUT]
# Uses $DRIFTGUARD_TEST_PG when set, else starts a throwaway server; the build in $DRIFTGUARD_BUILD (default
# build/), built when missing; needs node (Prisma's engine: ../shared/tools/prisma-engine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DRIFTGUARD_BUILD:-$root/build}
[ $# -ge 1 ] || { sed -n 2,10p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
dir=$(cd "$1" && pwd)
out=$(realpath -m "${2:-realworld-report.txt}")
[ -x "$build/tests/driftguard_tests" ] || "$root/scripts/build.sh" "$build" >&2
if [ -z "${DRIFTGUARD_TEST_PG:-}" ]; then
  info=$(mktemp -d)/conninfo
  exec {pg_in}> >("$build/tests/pg_test_server" "$info")
  for _ in $(seq 1 600); do [ -s "$info" ] && break; sleep 0.1; done
  [ -s "$info" ] || { echo "realworld-prisma: the PostgreSQL server did not start" >&2; exit 1; }
  DRIFTGUARD_TEST_PG=$(cat "$info")
  export DRIFTGUARD_TEST_PG
fi
DRIFTGUARD_REALWORLD_PRISMA=$dir DRIFTGUARD_REALWORLD_OUT=$out \
  "$build/tests/driftguard_tests" "real Prisma histories of a folder you name: four views each and none disagreeing"

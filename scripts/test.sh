#!/usr/bin/env bash
# Quick start (2): set up, build with -Werror, and run the whole test suite; then the same under ASan+UBSan.
# The fuzz targets run in both as ctest tests fuzz_TARGET (seeds, fuzz/regressions/, fixed-seed mutations); the
# coverage-guided libFuzzer runs are by hand (scripts/fuzz.sh TARGET|all SECONDS; docs/testing.md, "Fuzzing").
# usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
jobs=$(nproc)

# One throwaway PostgreSQL server for the tests that need a database (each test creates its own database in it).
# tests/pg_test_server runs initdb/pg_ctl in a temporary directory (as the postgres user when root) and removes it
# when its stdin closes or it is killed. $1: the build directory.
pg_server_start() {
  local info="$1/pg-test-server.conninfo"
  rm -f "$info"
  exec {pg_in}> >("$1/tests/pg_test_server" "$info")
  for _ in $(seq 1 600); do [ -s "$info" ] && break; sleep 0.1; done
  [ -s "$info" ] || { echo "test.sh: the test PostgreSQL server did not start" >&2; exit 1; }
  export DRIFTGUARD_TEST_PG
  DRIFTGUARD_TEST_PG=$(cat "$info")
}
pg_server_stop() {
  exec {pg_in}>&-
  unset DRIFTGUARD_TEST_PG
}

echo "== build (Release: -O3 as the image and the packages, -Werror, with debug info)"
"$root/scripts/build.sh" --release "$root/build"
echo "== tests"
pg_server_start "$root/build"
(cd "$root/build" && ctest --output-on-failure -j"$jobs")
pg_server_stop

if [ "${1:-}" != "--no-sanitize" ]; then
  echo "== build (ASan+UBSan)"
  "$root/scripts/build.sh" "$root/build-asan" -DDRIFTGUARD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  echo "== tests (ASan+UBSan)"
  pg_server_start "$root/build-asan"
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions="$root/tests/lsan.supp":print_suppressions=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs")
  pg_server_stop
fi


#!/usr/bin/env bash
# Long runs of the Prisma oracle harnesses: generated schema.prisma files against Prisma's `prisma-engine sql`
# (tests/test_oracle_prisma_ddl.cpp; two thirds of the time) and generated databases pulled by Prisma against its
# `diff-db` (tests/test_oracle_prisma_drift.cpp; one third). A failure prints the seed and a shrunk reproducer.
# The test suite runs the same harnesses with a fixed seed and a bounded count.
# usage: scripts/fuzz-prisma.sh SECONDS [SEED] [BUILD_DIR]     (SEED defaults to the current time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:?usage: scripts/fuzz-prisma.sh SECONDS [SEED] [BUILD_DIR]}
seed=${2:-$(date +%s)}
build=${3:-$root/build}
echo "fuzz-prisma: seed $seed, $seconds s" >&2
cd "$root"  # the tests find their fixtures and ../shared relative to the checkout
status=0
DRIFTGUARD_FUZZ_SEED=$seed DRIFTGUARD_FUZZ_SECONDS=$((seconds * 2 / 3)) \
  "$build/tests/driftguard_tests" "prisma oracle: generated schemas*" || status=1
DRIFTGUARD_FUZZ_SEED=$seed DRIFTGUARD_FUZZ_SECONDS=$((seconds / 3)) \
  "$build/tests/driftguard_tests" "prisma oracle: driftguard's drift*" || status=1
exit $status

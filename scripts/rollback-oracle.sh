#!/usr/bin/env bash
# The rollback oracle on every migration of its real histories (the suite tests at most 12 per history): PostgreSQL
# applies each history up to a migration, then driftguard's rollback, and the schema must be back where it was.
# usage: scripts/rollback-oracle.sh [build-dir]    (prints the per-migration report and the share that is complete)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cd "$root"
DRIFTGUARD_ROLLBACK_ALL=1 "$build/tests/driftguard_tests" "rollback oracle: real histories of the corpus*" -s \
  | grep -v '^-\|^$' || true

#!/usr/bin/env bash
# Supabase projects you collect, built the way Supabase builds them (docs/testing.md, "Supabase projects"): each
# folder of DIR holds one project's migration files (supabase/migrations/'s top level); each is applied to a
# throwaway cluster on platform/supabase/baseline.sql as the Supabase CLI applies them, then `drift`, `status
# --pending-only` and `drift --shadow` must all be clean. Fails on every project PostgreSQL builds where one is not;
# a project that cannot be built here (an extension only Supabase's image ships) is reported, not compared. The
# report of every project goes to OUT (default realworld-supabase.txt).
# usage: scripts/realworld-supabase.sh DIR [OUT]
# The build in $DRIFTGUARD_BUILD (default build/), built when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DRIFTGUARD_BUILD:-$root/build}
[ $# -ge 1 ] || { sed -n 2,9p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
dir=$(cd "$1" && pwd)
out=$(realpath -m "${2:-realworld-supabase.txt}")
[ -x "$build/tests/driftguard_tests" ] || "$root/scripts/build.sh" "$build" >&2
DRIFTGUARD_REALWORLD_SUPABASE=$dir DRIFTGUARD_REALWORLD_OUT=$out \
  "$build/tests/driftguard_tests" "Supabase projects of a folder you name: built as Supabase builds them and none disagreeing"

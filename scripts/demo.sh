#!/usr/bin/env bash
# Quick start (1): set up, build, lint the bundled demo project's migration history, and show its drift: schema.prisma
# against the migrations as PostgreSQL itself applies them (--shadow: a throwaway local cluster, removed on exit; no
# database to provide).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
cd "$root/examples/demo"
set +e
echo "== driftguard lint prisma/migrations"
"$root/build/cli/driftguard" lint prisma/migrations "$@"
lint=$?
echo
echo "== driftguard drift --prisma prisma/schema.prisma --migrations prisma/migrations --shadow"
"$root/build/cli/driftguard" drift --prisma prisma/schema.prisma --migrations prisma/migrations --shadow
drift=$?
set -e
echo
echo "lint exited with $lint and drift with $drift (0 clean, 1 findings or drift, 2 usage or input error)."
# The demo is meant to show findings and drift: succeed when driftguard worked as intended.
[ "$lint" -le 1 ] && [ "$drift" -le 1 ]

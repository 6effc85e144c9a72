#!/usr/bin/env bash
# Quick start (1): set up, build, and lint the bundled demo project's migration history.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
cd "$root/examples/demo"
set +e
"$root/build/cli/driftguard" lint prisma/migrations "$@"
code=$?
set -e
echo
echo "driftguard exited with $code (0 clean, 1 findings at or above --fail-on, 2 usage or input error)."
# The demo is meant to show findings: exit 0 when driftguard worked as intended.
[ "$code" -le 1 ]

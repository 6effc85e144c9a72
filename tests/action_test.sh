#!/usr/bin/env bash
# action.yml's steps, run as GitHub runs a composite action (tests/action_run.py) with a fake `docker` on PATH that
# records every call: the exact docker commands and arguments, the report on stdout, the SARIF file, the upload step
# and the exit code, for an empty `image` (the image is built from the Action's own checkout, GITHUB_ACTION_PATH)
# and for a given one (no build). No image is built: docs/ci.md says how the real run was checked.
# usage: tests/action_test.sh   (run by ctest)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "action_test: FAIL: $*" >&2; exit 1; }

# The Action as GitHub downloads it (the repository at the pinned commit) and a workspace to lint.
mkdir -p "$work/action" "$work/ws/prisma" "$work/bin"
cp "$root/action.yml" "$root/Dockerfile" "$work/action/"
cp -r "$root/examples/demo/prisma/migrations" "$work/ws/prisma/"

# The fake docker: one line per call (arguments joined by |), findings for `run` (exit 1), `{}` for --format sarif.
cat > "$work/bin/docker" <<'EOF'
#!/usr/bin/env bash
(IFS='|'; echo "$*") >> "$DOCKER_LOG"
case "$1" in
  build) echo "fake build log" ;;
  run) case " $* " in
         *" --format sarif "*) echo '{"version":"2.1.0"}' ;;
         *) echo "::error file=prisma/migrations/x/migration.sql,line=1::fake finding"; exit 1 ;;
       esac ;;
  *) echo "fake docker: unexpected $1" >&2; exit 3 ;;
esac
EOF
chmod +x "$work/bin/docker"
export DOCKER_LOG="$work/docker.log"
uidgid="$(id -u):$(id -g)"

# 1. `image` empty (the default), SARIF on: build from the Action's checkout with its ref as the version, then two
#    runs; the upload step gets the SARIF file; the Action fails with driftguard's exit code 1.
: > "$DOCKER_LOG"
rc=0
(cd "$work/ws" && PATH="$work/bin:$PATH" python3 "$root/tests/action_run.py" "$work/action" --workspace "$work/ws" \
   --ref 0123456789abcdef0123456789abcdef01234567 \
   --input paths=prisma/migrations --input sarif=true) > "$work/out" 2> "$work/err" || rc=$?
expected="build|-t|driftguard-action:local|--build-arg|DRIFTGUARD_VERSION=0123456789abcdef0123456789abcdef01234567|$work/action
run|--rm|-u|$uidgid|-v|$work/ws:$work/ws|-w|$work/ws|-e|NO_COLOR|-e|DATABASE_URL|driftguard-action:local|lint|prisma/migrations|--format|github
run|--rm|-u|$uidgid|-v|$work/ws:$work/ws|-w|$work/ws|-e|NO_COLOR|-e|DATABASE_URL|driftguard-action:local|lint|prisma/migrations|--format|sarif"
[ "$(cat "$DOCKER_LOG")" = "$expected" ] || { diff <(echo "$expected") "$DOCKER_LOG" >&2; fail "docker calls (empty image)"; }
[ "$rc" = 1 ] || { cat "$work/err" >&2; fail "the Action exited $rc, expected 1 (driftguard's findings)"; }
[ "$(cat "$work/out")" = "::error file=prisma/migrations/x/migration.sql,line=1::fake finding" ] ||
  fail "stdout should be the report only (the build log goes to stderr): $(cat "$work/out")"
grep -qx "fake build log" "$work/err" || fail "the build's log is not on stderr"
[ "$(cat "$work/ws/driftguard.sarif")" = '{"version":"2.1.0"}' ] || fail "SARIF file: $(cat "$work/ws/driftguard.sarif")"
grep -qx "action_run: uses github/codeql-action/upload-sarif@v3 with sarif_file=driftguard.sarif category=driftguard" \
  "$work/err" || { cat "$work/err" >&2; fail "the SARIF upload step"; }
grep -qx "action_run: output exit-code=1" "$work/err" || fail "output exit-code"
grep -qx "action_run: step 2 exited 1" "$work/err" || fail "the last step should fail the Action"

# 2. `image` given, SARIF off, more args: no build, one run, no upload; exit 0 when driftguard finds nothing.
: > "$DOCKER_LOG"
sed -i 's/echo "::error.*exit 1 ;;/echo clean ;;/' "$work/bin/docker"
rc=0
(cd "$work/ws" && PATH="$work/bin:$PATH" python3 "$root/tests/action_run.py" "$work/action" --workspace "$work/ws" \
   --ref v1.2.3 --input image=ghcr.io/driftguard/driftguard:1.2.3 --input command=status \
   --input "paths=db/a db/b" --input "args=--fail-on warning" --input format=text) > "$work/out" 2> "$work/err" || rc=$?
expected="run|--rm|-u|$uidgid|-v|$work/ws:$work/ws|-w|$work/ws|-e|NO_COLOR|-e|DATABASE_URL|ghcr.io/driftguard/driftguard:1.2.3|status|db/a|db/b|--fail-on|warning|--format|text"
[ "$(cat "$DOCKER_LOG")" = "$expected" ] || { diff <(echo "$expected") "$DOCKER_LOG" >&2; fail "docker calls (image given)"; }
[ "$rc" = 0 ] || { cat "$work/err" >&2; fail "the Action exited $rc, expected 0"; }
[ "$(cat "$work/out")" = clean ] || fail "stdout: $(cat "$work/out")"
! grep -q "upload-sarif" "$work/err" || fail "SARIF upload without sarif: true"
grep -qx "action_run: output exit-code=0" "$work/err" || fail "output exit-code 0"

# 3. A failing build stops the Action before any run (set -e), and no exit-code output is written.
: > "$DOCKER_LOG"
sed -i 's/build) echo "fake build log" ;;/build) exit 1 ;;/' "$work/bin/docker"
rc=0
(cd "$work/ws" && PATH="$work/bin:$PATH" python3 "$root/tests/action_run.py" "$work/action" --workspace "$work/ws" \
   --ref v1) > "$work/out" 2> "$work/err" || rc=$?
[ "$(cut -d'|' -f1 "$DOCKER_LOG")" = build ] || fail "after a failed build: $(cat "$DOCKER_LOG")"
[ "$rc" = 1 ] && grep -qx "action_run: step run exited 1" "$work/err" || { cat "$work/err" >&2; fail "failed build: exit $rc"; }
echo "action_test: OK"

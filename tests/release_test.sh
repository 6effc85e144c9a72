#!/usr/bin/env bash
# scripts/release.sh in a temporary clone of this repository's HEAD: the annotated tag, the packages built from it
# (the binary and the .deb report the tag's version), SHA256SUMS that verify, nothing pushed to the origin, and the
# refusals (malformed version, existing tag, untracked file) with their messages. The clone's build reuses the
# test build's objects through ccache (same flags: scripts/build.sh --release).
# usage: tests/release_test.sh   (run by ctest; needs git, cpack and dpkg-deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "release_test: FAIL: $*" >&2; exit 1; }
export GIT_AUTHOR_NAME=release-test GIT_AUTHOR_EMAIL=release-test@example.invalid
export GIT_COMMITTER_NAME=release-test GIT_COMMITTER_EMAIL=release-test@example.invalid
version=v9.8.7

git clone -q "$root" "$work/clone"
clone="$work/clone"
head=$(git -C "$clone" rev-parse HEAD)

# Refusals first (each exit 2, nothing tagged).
expect_refusal() {  # expected-message args...
  local msg=$1 rc=0 err tags
  shift
  tags=$(git -C "$clone" tag -l)
  err=$("$clone/scripts/release.sh" "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" = 2 ] || fail "release.sh $* exited $rc, expected 2: $err"
  echo "$err" | grep -qF -- "$msg" || fail "release.sh $*: expected '$msg' in: $err"
  [ "$(git -C "$clone" tag -l)" = "$tags" ] || fail "release.sh $* changed the tags: $(git -C "$clone" tag -l)"
}
expect_refusal "release.sh: '9.8.7' is not a version like v0.2.0" 9.8.7
expect_refusal "release.sh: 'v9.8' is not a version like v0.2.0" v9.8
touch "$clone/stray.sql"
expect_refusal "release.sh: the working tree has changes or untracked files" "$version"
rm "$clone/stray.sql"

out=$("$clone/scripts/release.sh" "$version" 2>"$work/err") || { tail -30 "$work/err" >&2; fail "release.sh $version failed"; }
dist="$clone/dist/$version"
[ "$(git -C "$clone" cat-file -t "$version")" = tag ] || fail "$version is not an annotated tag"
[ "$(git -C "$clone" rev-parse "$version^{commit}")" = "$head" ] || fail "$version does not point at HEAD"
[ "$(git -C "$clone" tag -l --format='%(contents:subject)' "$version")" = "driftguard $version" ] || fail "tag message"
# Nothing pushed: the origin (this repository) has no such tag.
[ -z "$(git -C "$clone" ls-remote --tags origin "$version")" ] || fail "the tag reached the origin"
arch=$(dpkg --print-architecture)
expected_files="SHA256SUMS
driftguard-9.8.7-linux-$(uname -m).tar.gz
driftguard_9.8.7_$arch.deb"
[ "$(LC_ALL=C ls -1 "$dist")" = "$expected_files" ] || fail "dist/$version holds: $(ls -1 "$dist")"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
[ "$(wc -l < "$dist/SHA256SUMS")" = 2 ] || fail "SHA256SUMS should list the two packages"
[ "$(dpkg-deb -f "$dist/driftguard_9.8.7_$arch.deb" Version)" = 9.8.7 ] || fail ".deb Version"
tar -xzf "$dist/driftguard-9.8.7-linux-$(uname -m).tar.gz" -C "$work"
[ "$("$work/driftguard-9.8.7-linux-$(uname -m)/bin/driftguard" --version)" = "driftguard $version" ] ||
  fail "the tarball's binary reports $("$work/driftguard-9.8.7-linux-$(uname -m)/bin/driftguard" --version)"
echo "$out" | grep -qx "  git push origin $version" || fail "release.sh should print the push command: $out"
[ -z "$(ls -d "$clone"/build-release.* 2>/dev/null)" ] || fail "the release build tree was left behind"
[ -z "$(git -C "$clone" status --porcelain)" ] || fail "release.sh left changes: $(git -C "$clone" status --short)"

short=$(git -C "$clone" rev-parse --short HEAD)
expect_refusal "release.sh: tag $version exists (at $short)" "$version"
echo "release_test: OK: $version at $short: $(cd "$dist" && ls | tr '\n' ' ')"

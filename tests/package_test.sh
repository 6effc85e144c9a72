#!/usr/bin/env bash
# The packages of scripts/package.sh: the .deb's Depends are runtime libraries only, all of which
# install-deps.sh --runtime installs; the self-contained tarball, unpacked into an empty root that holds nothing but
# glibc's runtime (no -dev package, no libstdc++, no libpq: only what the tarball brings), lints the demo there with
# the same output as the build tree's binary, and --shadow says that the PostgreSQL server is missing.
# usage: tests/package_test.sh BUILD_DIR   (run by ctest; needs root for chroot, or unprivileged user namespaces)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The root gets its own /proc (the dynamic loader reads /proc/self/exe to expand $ORIGIN, as on any real system),
# in a mount and PID namespace that ends with the command: nothing stays mounted.
userns=()
if [ "$(id -u)" -ne 0 ]; then
  if ! unshare --user --map-root-user true 2>/dev/null; then
    echo "package_test: SKIP: needs root or unprivileged user namespaces for chroot" >&2
    exit 0
  fi
  userns=(--user --map-root-user)
fi
jail_run() { unshare "${userns[@]}" --mount --pid --fork --mount-proc="$jail/proc" chroot "$jail" "$@"; }

# As built: the suite tests the binary ctest was started with (a build here would relink it under the other tests).
packages=$("$root/scripts/package.sh" --build "$build" --as-built --out "$work/dist")
tarball=$(echo "$packages" | grep '\.tar\.gz$')
deb=$(echo "$packages" | grep '\.deb$')

# The .deb depends on runtime libraries only (no compiler, -dev package, Catch2 or PostgreSQL server), each of them
# one that scripts/install-deps.sh --runtime installs (libc6 and libgcc-s1 are in every Debian system).
runtime=" $(sed -n 's/^runtime_packages=(\(.*\))$/\1/p' "$root/scripts/install-deps.sh") libc6 libgcc-s1 "
depends=$(dpkg-deb -f "$deb" Depends)
for name in $(echo "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g'); do
  case "$name" in
    *-dev | catch2 | postgresql | postgresql-[0-9]* | gcc* | g++* | clang* | cmake | build-essential)
      echo "package_test: FAIL: the .deb depends on $name (Depends: $depends)" >&2
      exit 1 ;;
  esac
  case "$runtime" in
    *" $name "*) ;;
    *) echo "package_test: FAIL: the .deb depends on $name, which install-deps.sh --runtime does not install" >&2
       exit 1 ;;
  esac
done
if [ "$(dpkg-deb -f "$deb" Recommends)" != git ] || [ "$(dpkg-deb -f "$deb" Suggests)" != postgresql ]; then
  echo "package_test: FAIL: the .deb should recommend git and suggest postgresql" >&2
  exit 1
fi
jail="$work/root"
mkdir -p "$jail/opt" "$jail/proc"
tar -xzf "$tarball" -C "$jail/opt"
dir=$(cd "$jail"/opt/driftguard-* && pwd)
bin="${dir#"$jail"}/bin/driftguard"

# What the packaged binary still takes from the machine must be glibc's runtime only; copy exactly that.
glibc='/(ld-linux[^/]*|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl)\.so[^/]*$'
from_machine=$(ldd "$jail$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | grep -v "^$dir/" || true)
for lib in $from_machine; do
  if ! echo "$lib" | grep -Eq "$glibc"; then
    echo "package_test: FAIL: the tarball's binary loads $lib from the machine (not bundled)" >&2
    exit 1
  fi
  mkdir -p "$jail$(dirname "$lib")"
  cp -L "$lib" "$jail$lib"
done
# And the glibc libraries the bundled libpq needs beyond the binary's (libresolv): every machine has them.
for lib in $(ldd "$dir/lib/libpq.so.5" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -E "$glibc"); do
  mkdir -p "$jail$(dirname "$lib")"
  cp -L "$lib" "$jail$lib"
done
# The completions and the man page the build made from the CLI definition, where bash-completion, zsh, fish and man
# look under the prefix.
for f in share/bash-completion/completions/driftguard share/zsh/vendor-completions/_driftguard \
         share/fish/vendor_completions.d/driftguard.fish share/man/man1/driftguard.1; do
  if ! cmp -s "$dir/$f" "$build/$f"; then
    echo "package_test: FAIL: the tarball's $f is missing or differs from the build tree's" >&2
    exit 1
  fi
done
bundled=$(ls "$dir/lib" | wc -l)
[ "$bundled" -gt 0 ] || { echo "package_test: FAIL: no library in the tarball's lib/" >&2; exit 1; }

cp -r "$root/examples/demo" "$jail/demo"
expected_rc=0
expected=$(cd "$jail" && NO_COLOR=1 "$build/cli/driftguard" lint demo/prisma/migrations) || expected_rc=$?
got_rc=0
got=$(NO_COLOR=1 jail_run "$bin" lint demo/prisma/migrations) || got_rc=$?
if [ "$got" != "$expected" ] || [ "$got_rc" != "$expected_rc" ]; then
  echo "package_test: FAIL: lint in the clean root (exit $got_rc) differs from the build tree's (exit $expected_rc)" >&2
  diff <(echo "$expected") <(echo "$got") >&2 || true
  exit 1
fi
[ "$expected_rc" = 1 ] || { echo "package_test: FAIL: the demo should have findings (exit 1), got $expected_rc" >&2; exit 1; }

# No PostgreSQL server in the root: --shadow says so, exit 2.
shadow_rc=0
shadow=$(jail_run "$bin" drift --migrations demo/prisma/migrations --prisma demo/prisma/schema.prisma --shadow 2>&1) || shadow_rc=$?
if [ "$shadow_rc" != 2 ] || ! echo "$shadow" | grep -q "no PostgreSQL server found (initdb, pg_ctl)"; then
  echo "package_test: FAIL: --shadow without a server: exit $shadow_rc: $shadow" >&2
  exit 1
fi
# libpq is opened at the first connection (not linked): the tarball's own is found, and connecting fails only
# because nothing listens (libpq's message, not a missing library).
conn_rc=0
conn=$(jail_run "$bin" status --migrations demo/prisma/migrations --database-url postgresql://u:secret@127.0.0.1:1/db 2>&1) || conn_rc=$?
if [ "$conn_rc" != 2 ] || ! echo "$conn" | grep -q "Connection refused" || echo "$conn" | grep -q "libpq.so"; then
  echo "package_test: FAIL: connecting from the clean root: exit $conn_rc: $conn" >&2
  exit 1
fi
# Without libpq, the commands that do not connect still run, and one that connects says what is missing.
mv "$dir/lib/libpq.so.5" "$work/libpq.so.5"
nolib_rc=0
nolib=$(jail_run "$bin" status --migrations demo/prisma/migrations --database-url postgresql://127.0.0.1:1/db 2>&1) || nolib_rc=$?
if [ "$nolib_rc" != 2 ] || ! echo "$nolib" | grep -q "cannot load libpq.so.5, PostgreSQL's client library"; then
  echo "package_test: FAIL: connecting without libpq: exit $nolib_rc: $nolib" >&2
  exit 1
fi
got_rc=0
got=$(NO_COLOR=1 jail_run "$bin" lint demo/prisma/migrations) || got_rc=$?
if [ "$got" != "$expected" ] || [ "$got_rc" != "$expected_rc" ]; then
  echo "package_test: FAIL: lint without libpq differs from the build tree's (exit $got_rc)" >&2
  exit 1
fi
mv "$work/libpq.so.5" "$dir/lib/libpq.so.5"
echo "package_test: OK: $(basename "$deb") (Depends: $depends); $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $bundled private libraries) lints the demo in a root with only glibc"

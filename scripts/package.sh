#!/usr/bin/env bash
# Builds driftguard's packages (docs/install.md):
#   driftguard_<version>_amd64.deb             CPack; Depends: the runtime libraries only (dpkg-shlibdeps)
#   driftguard-<version>-linux-<arch>.tar.gz   self-contained: bin/driftguard + lib/ (its libraries other than
#                                              glibc's; the binary's rpath is $ORIGIN/../lib), runs where no -dev
#                                              package is installed
# usage: scripts/package.sh [--build DIR [--as-built]] [--out DIR] [--no-deb] [--no-tarball]
#   --build DIR  use this configured build tree (built here if needed); default: build-package/, a Release build
#                (-O3, scripts/build.sh --release: the flags CI tests, so ccache reuses its objects) with -Werror and
#                without the tests; the packages are stripped
#   --as-built   package DIR's binary as it is, without building (tests/package_test.sh: a build started while the
#                tests run would relink the binary under them when the commit, and so the version, changed)
#   --out DIR    where the packages go (default: dist/)
# Prints the paths of the packages it wrote, one a line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="" out="$root/dist" deb=1 tarball=1 as_built=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --as-built) as_built=1; shift ;;
    --out) out=$2; shift 2 ;;
    --no-deb) deb=0; shift ;;
    --no-tarball) tarball=0; shift ;;
    *) echo "package.sh: unknown argument $1 (see the usage at the top of scripts/package.sh)" >&2; exit 2 ;;
  esac
done
if [ -z "$build" ]; then
  [ "$as_built" = 0 ] || { echo "package.sh: --as-built needs --build DIR" >&2; exit 2; }
  build="$root/build-package"
  "$root/scripts/build.sh" --release "$build" -DDRIFTGUARD_TESTS=OFF >&2
elif [ "$as_built" = 1 ]; then
  [ -x "$build/cli/driftguard" ] || { echo "package.sh: --as-built: no $build/cli/driftguard (build it first)" >&2; exit 1; }
else
  cmake --build "$build" --target driftguard driftguard_shell_files -j"$(nproc)" >&2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The binary's version as a Debian version, written at its build (cmake/GitVersion.cmake; CPack reads the same file).
version=$(cat "$build/generated/package-version.txt")
[ -n "$version" ] || { echo "package.sh: no version in $build/generated/package-version.txt" >&2; exit 1; }

if [ "$deb" = 1 ]; then
  (cd "$build" && cpack -G DEB -B "$out/.cpack" >&2)
  mv "$out"/.cpack/driftguard_*.deb "$out/"
  rm -rf "$out/.cpack"
  ls "$out"/driftguard_"$version"_*.deb
fi

if [ "$tarball" = 1 ]; then
  name="driftguard-$version-linux-$(uname -m)"
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  cmake --install "$build" --prefix "$stage/$name" --strip >&2
  mkdir -p "$stage/$name/lib"
  # Every library the binary loads (ldd: the whole tree), except glibc's own: those are the platform's ABI and
  # must come from the machine that runs it (a bundled libc would not match its ld.so).
  glibc='/(ld-linux[^/]*|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libnss_[a-z]+)\.so[^/]*$'
  # libpq is not linked but opened when driftguard connects (introspect/db/libpq_lazy.cpp): it and what it needs
  # go in too (the build's libpq, from CMake's cache).
  libpq=$(sed -n 's/^PQ_LIBDIR:INTERNAL=//p' "$build/CMakeCache.txt")/libpq.so.5
  [ -e "$libpq" ] || { echo "package.sh: no $libpq (PQ_LIBDIR of $build/CMakeCache.txt)" >&2; exit 1; }
  { ldd "$stage/$name/bin/driftguard"; echo "libpq.so.5 => $libpq (0)"; ldd "$libpq"; } |
    awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -Ev "$glibc" | sort -u |
    while read -r lib; do cp -L "$lib" "$stage/$name/lib/"; done
  cp "$root/README.md" "$stage/$name/"
  tar -czf "$out/$name.tar.gz" -C "$stage" "$name"
  echo "$out/$name.tar.gz"
fi

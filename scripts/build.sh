#!/usr/bin/env bash
# Configures and builds driftguard. usage: scripts/build.sh [--release] [build-dir] [extra cmake args...]
#   default    RelWithDebInfo (-O2 -g): quick local rebuilds
#   --release  Release (-O3, as the Dockerfile and the packages compile) with debug info: what CI builds and tests
#              (scripts/test.sh), so that a warning only -O3 raises fails CI under -Werror, not the image build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
type=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--release" ]; then
  # CMake's Release flags plus -g (GCC's code does not change with -g; the packages strip it)
  type=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O3 -DNDEBUG -g")
  shift
fi
dir=${1:-$root/build}
shift || true
# ccache when it is installed (local rebuilds, worktrees); paths below the checkout are hashed relative to it.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  # Debug info names the build directory; without this every worktree or fresh clone misses the cache.
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$dir" "${type[@]}" -DDRIFTGUARD_WERROR=ON "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"

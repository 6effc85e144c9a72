#!/usr/bin/env bash
# libFuzzer targets (fuzz/README.md, docs/testing.md).
# usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]
#   TARGET: lint, replay, prisma, config, diff. Builds build-fuzz/ with clang (-fsanitize=fuzzer,address,undefined),
#   runs the kept regression inputs (fuzz/regressions/TARGET/), then fuzzes for SECONDS (0: the regression inputs
#   only) from a seed corpus of fixtures/ and ../shared/corpus/. A crash, leak, timeout or sanitizer report exits
#   non-zero and leaves the input in build-fuzz/crashes/TARGET/: fix it and keep the input in fuzz/regressions/TARGET/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${DRIFTGUARD_FUZZ_BUILD:-$root/build-fuzz}
all=(lint replay prisma config diff)
[ $# -ge 2 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
target=$1
seconds=$2
shift 2
if [ "$target" = all ]; then targets=("${all[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target $t (${all[*]})" >&2; exit 2; }
done
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: SKIPPED: clang++ is not installed (scripts/install-deps.sh installs it)" >&2
  exit 77
fi

launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DDRIFTGUARD_FUZZ=ON -DDRIFTGUARD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Seeds by the kind of text each target reads (copied once; libFuzzer reads a folder's files).
seed() {  # target, name patterns...
  local t=$1 out=$dir/seeds/$1
  shift
  [ -d "$out" ] && return
  mkdir -p "$out"
  local args=() p
  for p in "$@"; do args+=(-o -name "$p"); done
  find "$root/fixtures" "$root/examples" "$root/../shared/corpus" -type f -size -64k \( "${args[@]:1}" \) -print0 2>/dev/null |
    while IFS= read -r -d '' f; do cp "$f" "$out/$(printf '%s' "$f" | sha1sum | cut -c1-16)"; done
}

# Deep statements nest deeper than the main thread's 8 MB (cli/main.cpp runs on a 1 GiB stack): the same here.
ulimit -s 1048576 2>/dev/null || ulimit -s unlimited 2>/dev/null || true
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  case $t in
    prisma) seed "$t" '*.prisma' ;;
    config) seed "$t" '*.toml' ;;
    *) seed "$t" '*.sql' ;;
  esac
  bin=$dir/fuzz/fuzz_$t
  regressions=$root/fuzz/regressions/$t
  mkdir -p "$dir/corpus/$t" "$dir/crashes/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    echo "== fuzz_$t: $(ls "$regressions" | wc -l) regression inputs"
    "$bin" -timeout=25 -rss_limit_mb=4096 "$regressions"/* >"$dir/crashes/$t/regressions.log" 2>&1 ||
      { tail -40 "$dir/crashes/$t/regressions.log" >&2; status=1; continue; }
  fi
  [ "$seconds" -gt 0 ] || continue
  echo "== fuzz_$t: $seconds s"
  if ! "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1 \
      -artifact_prefix="$dir/crashes/$t/" "$@" "$dir/corpus/$t" "$dir/seeds/$t" >"$dir/crashes/$t/run.log" 2>&1; then
    tail -60 "$dir/crashes/$t/run.log" >&2
    echo "fuzz.sh: fuzz_$t failed; the input is in $dir/crashes/$t/" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$dir/crashes/$t/run.log" | tr '\n' ' '
    echo
  fi
done
exit $status

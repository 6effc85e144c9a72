#!/usr/bin/env bash
# Benchmarks (bench/README.md). Lint speed on the shared corpus, in one run: the libpg_query parse floor,
# driftguard, and squawk-cli (the peer linter, ../shared/tools/squawk), over the same files; then the catalog
# reader on a synthetic database of 2,000 tables.
# usage: bench/run.sh [CORPUS_DIR]   (builds first; needs npm for squawk)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpus}
"$root/scripts/build.sh" "$root/build" >/dev/null
bin=$root/build/cli/driftguard
floor=$root/build/bench/driftguard_parse_floor
squawk=$root/../shared/tools/squawk

list=$(mktemp)
trap 'rm -f "$list"' EXIT
# Migration files as driftguard finds them (directories named *.sql are folders, not files).
find "$corpus" -type f -name '*.sql' | LC_ALL=C sort > "$list"
files=$(wc -l < "$list")
bytes=$(xargs -d '\n' cat < "$list" | wc -c)

now() { date +%s.%N; }
run() {  # command... ; prints wall seconds (one run, as the standards ask: ratios come from the same run)
  local t0 t1
  t0=$(now)
  "$@" > /dev/null 2>&1 || true
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

echo "corpus: $files files, $bytes bytes ($corpus)"
t_floor=$(run sh -c '"$0" < "$1"' "$floor" "$list")
t_dg=$(run sh -c 'xargs -s 1500000 -d "\n" "$0" lint --format json < "$1"' "$bin" "$list")
t_sq=""
if "$squawk" --version >/dev/null 2>&1; then
  t_sq=$(run sh -c 'xargs -s 1500000 -d "\n" "$0" < "$1"' "$squawk" "$list")
fi
printf "parse floor (pg_query_parse + JSON tree): %6.2f s\n" "$t_floor"
printf "driftguard lint (all default rules):      %6.2f s   %.2fx the floor\n" "$t_dg" "$(echo "$t_dg / $t_floor" | bc -l)"
if [ -n "$t_sq" ]; then
  printf "squawk-cli %s:                       %6.2f s   driftguard is %.2fx squawk's speed\n" \
    "$("$squawk" --version | awk '{print $2}')" "$t_sq" "$(echo "$t_sq / $t_dg" | bc -l)"
else
  echo "squawk-cli: not available (needs npm)"
fi

# Catalog reader: a synthetic database of 2,000 tables in a throwaway cluster, catalog::read timed (bench/README.md).
echo
"$root/build/bench/driftguard_catalog_bench" --tables 2000 --runs 3

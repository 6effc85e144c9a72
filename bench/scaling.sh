#!/usr/bin/env bash
# Growth of time and memory with the size of a history (issue 17): generated Prisma-layout histories of 1, 5, 20
# and 50 MB (bench/gen_history.py, seed 1), each measured once with `lint --format json`, `schema --from
# migrations:` and static `drift --migrations ... --sql ...` (the SQL side is the history's own schema, printed
# beforehand, so the drift is empty and the run is all replay and diff). Prints wall and CPU seconds and peak RSS
# per run, then the growth exponent of CPU time between consecutive sizes and fitted over all of them.
# usage: bench/scaling.sh [DRIFTGUARD_BINARY] [SIZES...]   (histories are kept in $DRIFTGUARD_BENCH_DIR, default
# /tmp/driftguard-scaling)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/cli/driftguard}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 5 20 50)
work=${DRIFTGUARD_BENCH_DIR:-/tmp/driftguard-scaling}
mkdir -p "$work"
results=$(mktemp)
trap 'rm -f "$results" "$results.time"' EXIT

measure() {  # name size command... : one run; appends "name size wall cpu rss_mb"
  local name=$1 size=$2 out
  shift 2
  /usr/bin/time -o "$results.time" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -1 "$results.time")
  printf "%-7s %4s MB  wall %8.2f s  cpu %8.2f s  rss %6d MB\n" "$name" "$size" "$wall" "$(echo "$user + $sys" | bc -l)" \
    $((rss / 1024))
  echo "$name $size $wall $(echo "$user + $sys" | bc -l) $((rss / 1024))" >>"$results"
}

for s in "${sizes[@]}"; do
  h=$work/h$s
  [ -d "$h/migrations" ] || python3 "$root/bench/gen_history.py" "$s" "$h" 1 >/dev/null
  [ -s "$h.sql" ] || "$bin" schema --from "migrations:$h/migrations" >"$h.sql"
  measure lint "$s" "$bin" lint --format json "$h/migrations"
  measure schema "$s" "$bin" schema --from "migrations:$h/migrations"
  measure drift "$s" "$bin" drift --migrations "$h/migrations" --sql "$h.sql"
done

echo
echo "growth exponent of CPU time (log t2/t1 / log s2/s1), and the least-squares slope over all sizes:"
python3 - "$results" <<'PY'
import math, sys
rows = [l.split() for l in open(sys.argv[1])]
for name in ("lint", "schema", "drift"):
    pts = [(float(r[1]), float(r[3])) for r in rows if r[0] == name and float(r[3]) > 0]
    steps = [f"{a[0]:g}->{b[0]:g} MB: {math.log(b[1] / a[1]) / math.log(b[0] / a[0]):.2f}" for a, b in zip(pts, pts[1:])]
    if len(pts) >= 2:
        xs = [math.log(p[0]) for p in pts]; ys = [math.log(p[1]) for p in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print(f"{name:7s} {'; '.join(steps)}; fitted {slope:.2f}")
PY

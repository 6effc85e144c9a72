#!/usr/bin/env bash
# Issue 17's targets, measured in one run (bench/README.md): each line is one measurement of the binary, with the
# peer or the floor it is compared with measured beside it. Inputs are built once in $DRIFTGUARD_BENCH_DIR
# (default /tmp/driftguard-targets) from the shared corpus and bench/gen_history.py.
# usage: bench/targets.sh [DRIFTGUARD_BINARY] [CORPUS_DIR]
#   ONE_FILE_MB=50 also lints one file of that many MB (default 5); SIZES="5 20 50" the generated histories.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/cli/driftguard}")
corpus=$(realpath "${2:-$root/../shared/corpus}")
floor=$(dirname "$bin")/../bench/driftguard_parse_floor
work=${DRIFTGUARD_BENCH_DIR:-/tmp/driftguard-targets}
squawk=$(ls "$HOME"/.cache/driftguard-peers/squawk-*/node_modules/@squawk-cli/linux-x64/bin/squawk 2>/dev/null | tail -1 || true)
read -r -a sizes <<<"${SIZES:-5 20 50}"
one_mb=${ONE_FILE_MB:-5}
mkdir -p "$work"
t=$work/time.out

timed() {  # command... : one run; prints "wall cpu rss_mb"
  /usr/bin/time -o "$t" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -1 "$t")
  echo "$wall $(echo "$user + $sys" | bc -l | xargs printf '%.2f') $((rss / 1024))"
}
cpu_ms() {  # command... : CPU per run in ms, the mean of perf stat -r 20 (task-clock; lint exits 1 on findings)
  { perf stat -x, -r 20 -e task-clock "$@" 2>&1 >/dev/null || true; } | awk -F, '/task-clock/ {printf "%.2f", $1}'
}
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

# --- inputs ---
find "$corpus/prisma" "$corpus/supabase" -type f -name '*.sql' | LC_ALL=C sort >"$work/subset.txt"
find "$corpus" -type f -name '*.sql' | LC_ALL=C sort >"$work/corpus.txt"
for s in "${sizes[@]}"; do
  [ -d "$work/h$s/migrations" ] || python3 "$root/bench/gen_history.py" "$s" "$work/h$s" 1 >/dev/null
done
one=$work/one$one_mb.sql
[ -s "$one" ] || python3 - "$root" "$one" "$one_mb" <<'PY'
import pathlib, subprocess, sys, tempfile
root, out, mb = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
with tempfile.TemporaryDirectory() as d:  # one history's migrations, in order, in one file
    subprocess.run(["python3", f"{root}/bench/gen_history.py", str(mb), d, "1"], check=True, capture_output=True)
    with out.open("w") as f:
        for m in sorted(pathlib.Path(d, "migrations").glob("*/migration.sql")):
            f.write(m.read_text())
PY
project() {  # NAME CORPUS_PROJECT INTO NEW_FILE TEXT: a git repository of the project + one new migration
  local dir=$work/pc/$1
  [ -d "$dir/.git" ] && return
  mkdir -p "$dir/$3"
  cp -r "$corpus/$2/." "$dir/$3/"
  git -C "$dir" init -q && git -C "$dir" add -A && git -C "$dir" -c user.email=b@b -c user.name=b commit -qm base
  mkdir -p "$(dirname "$dir/$4")" && printf '%s\n' "$5" >"$dir/$4"
  git -C "$dir" add -A && git -C "$dir" -c user.email=b@b -c user.name=b commit -qm new
}
project supa supabase/QuivrHQ__quivr supabase/migrations supabase/migrations/20990101000000_add_flag.sql \
  'alter table public.profiles add column flagged boolean not null default false;'
project documenso prisma/documenso__documenso prisma prisma/migrations/20990101000000_add_flag/migration.sql \
  'ALTER TABLE "User" ADD COLUMN "flagged" BOOLEAN NOT NULL DEFAULT false;'
lemmy=$(find "$corpus" -type d -path '*LemmyNet__lemmy*' -name migrations | head -1)
[ -s "$work/lemmy.sql" ] || "$bin" schema --from "migrations:$lemmy" >"$work/lemmy.sql" 2>/dev/null || true

echo "driftguard: $bin ($("$bin" --version))"
echo "squawk: ${squawk:-not installed (bench/run.sh installs it)}; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | measurement | driftguard | compared with | ratio |"
echo "|---|---|---:|---:|---:|"
read -r w c r < <(timed xargs -d '\n' -a "$work/subset.txt" -s 1500000 "$bin" lint --format json)
if [ -n "$squawk" ]; then
  read -r sw sc sr < <(timed xargs -d '\n' -a "$work/subset.txt" -s 1500000 "$squawk" --reporter json)
  echo "| ≥ 5× squawk's wall | Prisma + Supabase subset, json | ${w} s wall, ${c} s CPU, ${r} MB | squawk ${sw} s, ${sc} s CPU | $(ratio "$sw" "$w")× squawk's speed |"
fi
read -r w c r < <(timed xargs -d '\n' -a "$work/corpus.txt" -s 1500000 "$bin" lint --format json --jobs 1)
if [ -x "$floor" ]; then
  read -r fw fc fr < <(timed sh -c '"$0" < "$1"' "$floor" "$work/corpus.txt")
  echo "| CPU ≤ 1.5× the parse floor | whole corpus, \`--jobs 1\` | ${c} s CPU, ${r} MB | floor ${fc} s | $(ratio "$c" "$fc")× |"
fi
for s in "${sizes[@]}"; do
  read -r w c r < <(timed "$bin" lint --format json --jobs 1 "$work/h$s/migrations")
  echo "| RSS < 100 MB | lint of a ${s} MB history, \`--jobs 1\` | ${r} MB, ${c} s CPU | | |"
done
read -r w c r < <(timed "$bin" lint --format json --jobs 1 "$one")
echo "| RSS < 100 MB | lint of one ${one_mb} MB file | ${r} MB, ${c} s CPU | | |"
for s in "${sizes[@]}"; do
  [ -s "$work/h$s.sql" ] || "$bin" schema --from "migrations:$work/h$s/migrations" >"$work/h$s.sql"
  read -r w c r < <(timed "$bin" schema --from "migrations:$work/h$s/migrations")
  echo "| RSS < 100 MB | \`schema\` of the ${s} MB history | ${r} MB, ${c} s CPU | | |"
  read -r w c r < <(timed "$bin" drift --migrations "$work/h$s/migrations" --sql "$work/h$s.sql")
  echo "| RSS < 100 MB | static \`drift\` of the ${s} MB history | ${r} MB, ${c} s CPU | | |"
done
read -r w c r < <(timed "$bin" drift --migrations "$lemmy" --sql "$work/lemmy.sql")
echo "| static drift of the largest history < 0.5 s | Lemmy | ${w} s wall, ${c} s CPU | | |"
for p in supa documenso; do
  f=$(git -C "$work/pc/$p" diff --name-only HEAD~1 HEAD)
  ms=$(cd "$work/pc/$p" && cpu_ms "$bin" lint "$f" --format json)
  sq=""
  [ -n "$squawk" ] && sq=$(cd "$work/pc/$p" && cpu_ms "$squawk" --reporter json "$f")
  echo "| one-file lint as fast as squawk | $p: \`lint $f\` | ${ms} ms CPU | squawk ${sq} ms | $( [ -n "$sq" ] && ratio "$ms" "$sq")× |"
  cs=$(cd "$work/pc/$p" && cpu_ms "$bin" lint --changed-since HEAD~1 . --format json)
  echo "| \`--changed-since\` at the changed file's cost | $p: \`lint --changed-since HEAD~1 .\` | ${cs} ms CPU | the file alone ${ms} ms | $(ratio "$cs" "$ms")× |"
done

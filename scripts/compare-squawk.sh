#!/usr/bin/env bash
# Side-by-side comparison of driftguard and squawk-cli on a corpus of migrations (docs/comparison.md).
# usage: scripts/compare-squawk.sh [CORPUS_DIR] [OUT_DIR]
#   CORPUS_DIR defaults to ../shared/corpus; OUT_DIR (raw outputs, per-statement differences) to build/compare-squawk.
# Environment: DRIFTGUARD (default build/cli/driftguard), SQUAWK (default /work/shared/tools/squawk, pinned 2.66.0),
#   PG_VERSION (default 15, given to both tools), SAMPLES (differing statements printed per rule, default 20),
#   REUSE_SQUAWK=1 (reuse OUT_DIR/squawk.json from an earlier run: only driftguard runs again).
# Both tools get the same list of *.sql files (NUL-separated, so names with spaces are safe). Every finding is mapped
# to the statement it falls in: the last statement of `driftguard locks --format json` that starts at or before it
# (squawk's line and byte column are turned into an offset); in a file driftguard does not trace (down migrations,
# which it parses but does not lint) a finding is keyed by its own line.
# Needs only bash and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/corpus}
out=${2:-$here/build/compare-squawk}
dg=${DRIFTGUARD:-$here/build/cli/driftguard}
sq=${SQUAWK:-/work/shared/tools/squawk}
pg=${PG_VERSION:-15}
mkdir -p "$out"
(cd "$corpus" && find . -type f -name '*.sql' -print0 | sort -z) > "$out/files.nul"
# The rules both tools have (same id). squawk reports prefer-timestamptz as prefer-timestamp-tz.
shared="adding-field-with-default adding-foreign-key-constraint adding-not-nullable-field adding-required-field
ban-alter-domain-with-add-constraint ban-char-field ban-concurrent-index-creation-in-transaction
ban-create-domain-with-constraint ban-drop-column ban-drop-database ban-drop-not-null ban-drop-table
ban-uncommitted-transaction changing-column-type constraint-missing-not-valid disallowed-unique-constraint
identifier-too-long prefer-bigint-over-int prefer-bigint-over-smallint prefer-identity prefer-text-field
prefer-timestamptz renaming-column renaming-table require-concurrent-index-creation require-concurrent-index-deletion
require-concurrent-partition-detach require-concurrent-reindex require-enum-value-ordering require-lock-timeout
require-statement-timeout transaction-nesting"
shared=$(echo $shared)
cd "$corpus"
"$sq" --version > "$out/versions.txt"
echo "driftguard $(git -C "$here" rev-parse --short HEAD)" >> "$out/versions.txt"
python3 - "$out" "$shared" "${SAMPLES:-20}" "$dg" "$sq" "$pg" <<'PY'
import json, os, sys, bisect, subprocess, collections
out, shared, samples, dg_bin, sq_bin, pg = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), *sys.argv[4:7]
alias = {"prefer-timestamp-tz": "prefer-timestamptz"}
norm = lambda p: p[2:] if p.startswith("./") else p
files = [norm(f) for f in open(f"{out}/files.nul", "rb").read().decode().split("\0") if f]
def squawk(batch):  # one JSON array per run; a run that panics is retried file by file
    r = subprocess.run([sq_bin, "--reporter", "json", f"--pg-version={pg}.0", "--include=" + ",".join(shared), *batch],
                       capture_output=True, text=True)
    try:
        if r.returncode in (0, 1): return json.loads(r.stdout), []
    except ValueError: pass
    if len(batch) == 1: return [], batch
    found, crashed = [], []
    for f in batch:
        a, c = squawk([f]); found += a; crashed += c
    return found, crashed
if os.environ.get("REUSE_SQUAWK") and os.path.exists(f"{out}/squawk.json"):  # rerun only driftguard
    saved = json.load(open(f"{out}/squawk.json")); sq_found, sq_crashed = saved["findings"], saved["crashed"]
else:
    sq_found, sq_crashed = [], []
    for i in range(0, len(files), 200):
        a, c = squawk(files[i:i + 200]); sq_found += a; sq_crashed += c
    json.dump({"findings": sq_found, "crashed": sq_crashed}, open(f"{out}/squawk.json", "w"))
# driftguard: one run over every file, so the migrations of a folder form one run (earlier files give context)
for cmd, name in ((["lint", "--format", "json", "--pg-version", pg] + ["--rule=" + r for r in shared] + ["--"], "driftguard.json"),
                  (["locks", "--format", "json", "--pg-version", pg, "--"], "statements.json")):
    with open(f"{out}/{name}", "w") as o: subprocess.run([dg_bin, *cmd, *files], stdout=o, stderr=subprocess.DEVNULL)
spans = collections.defaultdict(list)  # file -> sorted [(begin offset, line)]; a statement runs to the next one
for f in json.load(open(f"{out}/statements.json"))["files"]:
    for s in f["statements"]: spans[norm(f["file"])].append((s["offset"], s["line"]))
for v in spans.values(): v.sort()
line_starts = {}
def offset_of(path, line0, col):  # squawk: 0-based line, byte column
    if path not in line_starts:
        data = open(path, "rb").read()
        line_starts[path] = [0] + [i + 1 for i, b in enumerate(data) if b == 10]
    ls = line_starts[path]
    return (ls[line0] if line0 < len(ls) else ls[-1]) + col
def statement(path, off, line):
    v = spans.get(path, [])
    i = bisect.bisect_right(v, (off, float("inf"))) - 1
    return v[i][1] if i >= 0 else line  # no statement known (a file driftguard does not lint): the finding's line
dg = collections.defaultdict(collections.Counter); sq = collections.defaultdict(collections.Counter)
for f in json.load(open(f"{out}/driftguard.json"))["findings"]:
    if f["rule"] in shared:
        p = norm(f["file"]); dg[f["rule"]][(p, statement(p, f["offset"], f["line"]))] += 1
if True:
    for f in sq_found:
        r = alias.get(f["rule_name"], f["rule_name"])
        if r in shared:
            p = norm(f["file"]); sq[r][(p, statement(p, offset_of(p, f["line"], f["column"]), f["line"] + 1))] += 1
print(f"files: {len(files)}; squawk crashed on {len(sq_crashed)}: {', '.join(sq_crashed)}")
print(f"({open(out + '/versions.txt').read().strip().replace(chr(10), '; ')})")
print("| rule | driftguard findings | squawk findings | statements both | only driftguard | only squawk |")
print("|---|---:|---:|---:|---:|---:|")
diffs = {}
for r in shared:
    a, b = set(dg[r]), set(sq[r])
    print(f"| `{r}` | {sum(dg[r].values())} | {sum(sq[r].values())} | {len(a & b)} | {len(a - b)} | {len(b - a)} |")
    diffs[r] = sorted([(k, "driftguard") for k in a - b] + [(k, "squawk") for k in b - a])
with open(f"{out}/differences.txt", "w") as o:
    for r in shared:
        for (p, line), who in diffs[r][:samples]:
            o.write(f"{r}\t{p}:{line}\tonly {who}\n")
print(f"\nfirst {samples} differing statements per rule: {out}/differences.txt")
PY

# Attributes a call-graph profile (`perf record --call-graph dwarf`) to functions: the inclusive share of each
# driftguard:: function, and the allocator's share (samples whose leaf is malloc/free) by the nearest driftguard::
# caller; with CALLERS='fn1;fn2' also who calls those (CALLEES: what they call). The symbols of the driftguard binary are resolved with
# addr2line (Debian's perf 6.1 reports them as unknown). usage: CALLERS=... bench/perf_attr.py PERF_DATA BINARY
import collections, re, subprocess, sys
def bare(f):  # the function's name without its argument list ("(anonymous namespace)" kept as "{anon}")
    return re.sub(r'\(.*', '', f.replace('(anonymous namespace)', '{anon}'))


data, binary = sys.argv[1], sys.argv[2]
name = binary.rsplit('/', 1)[-1]
out = subprocess.run(['perf', 'script', '-i', data, '-F', 'comm,ip,sym,dso'],
                     capture_output=True, text=True).stdout
samples, cur = [], None
for line in out.splitlines():
    if 'PERF_RECORD_MMAP' in line:
        continue
    if not line.startswith('\t') and line.strip():
        cur = []
        samples.append(cur)
        continue
    m = re.match(r'\s+([0-9a-f]+) (.*) \((.*)\)$', line)
    if m and cur is not None:
        cur.append((int(m.group(1), 16), m.group(2), m.group(3)))
base = 0  # perf script prints the binary's addresses relative to it
addrs = sorted({a for s in samples for a, sym, dso in s if dso == binary})
res = {}
if addrs:
    p = subprocess.run(['addr2line', '-f', '-C', '-i', '-a', '-e', binary] + [hex(a - base) for a in addrs],
                       capture_output=True, text=True).stdout.splitlines()
    cur_a = None
    for l in p:
        if l.startswith('0x') and all(c in '0123456789abcdefx' for c in l):
            cur_a = int(l, 16) + base
            res[cur_a] = []
        else:
            res[cur_a].append(l)
    for a in res:  # pairs (function, file:line)
        res[a] = [res[a][k] for k in range(0, len(res[a]), 2)]
def frames(s):
    for a, sym, dso in s:
        if dso == binary:
            for f in res.get(a, ['?']):
                yield f, dso
        else:
            yield sym, dso
total = len(samples)
incl = collections.Counter()
alloc = collections.Counter()
alloc_total = 0
ALLOC = re.compile(r'^(_int_malloc|malloc|_int_free|malloc_consolidate|unlink_chunk|cfree|free|operator new|operator delete|__GI___libc_malloc|__GI___libc_free|tcache|_int_realloc|realloc)')
for s in samples:
    fs = list(frames(s))
    for f in set(x for x, d in fs):
        incl[f] += 1
    if fs and ALLOC.match(fs[0][0] or ''):
        alloc_total += 1
        who = next((bare(f) for f, d in fs if f.startswith('driftguard::')), '?')
        alloc[who] += 1
print(f'{total} samples; allocator leaves {alloc_total} ({100*alloc_total/total:.1f} %)')
print('\ninclusive (driftguard:: and nlohmann/pg_query):')
for f, n in incl.most_common(400):
    if re.match(r'(driftguard::|pg_query|nlohmann::.*(parse|dump|basic_json\(|~basic_json|destroy))', f):
        print(f'{100*n/total:6.1f} %  {f[:150]}')
print('\nallocator leaves by nearest driftguard:: caller (% of all samples):')
for f, n in alloc.most_common(40):
    print(f'{100*n/total:6.1f} %  {f[:150]}')
import os


for target in os.environ.get('CALLERS', '').split(';'):
    if not target: continue
    c = collections.Counter()
    for s in samples:
        fs = [bare(f) for f, d in frames(s)]
        for k, f in enumerate(fs):
            if f.startswith(target):
                chain = [g for g in fs[k+1:] if g.startswith('driftguard::') and not g.startswith(target)][:3]
                c[' <- '.join(chain)] += 1
                break
    print(f'\ncallers of {target}:')
    for f, n in c.most_common(12):
        print(f'{100*n/total:6.1f} %  {f[:220]}')
# CALLEES='fn1;fn2': what the time inside those functions goes to, by the driftguard:: function (or library
# function when there is none) it called directly.
for target in os.environ.get('CALLEES', '').split(';'):
    if not target: continue
    c = collections.Counter()
    for s in samples:
        fs = [bare(f or '?') for f, d in frames(s)]
        for k, f in enumerate(fs):
            if f.startswith(target):
                below = [g for g in fs[:k] if not g.startswith(target)]
                named = [g for g in below if g.startswith('driftguard::')]
                c[named[-1] if named else (below[-1] if below else '(self)')] += 1
                break
    print(f'\ncallees of {target}:')
    for f, n in c.most_common(15):
        print(f'{100*n/total:6.1f} %  {f[:220]}')

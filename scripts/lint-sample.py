#!/usr/bin/env python3
"""Precision sample of lint findings (issue 15).

Usage: lint-sample.py FINDINGS.json [--seed N] [--n 40] [--exclude postgres__postgres] [--counts]

FINDINGS.json is `driftguard lint CORPUS --format json`. Prints per-rule counts (--counts) or N findings drawn at
random with a fixed seed (sorted by file, line, rule so two runs can be compared), each with the statement line it
points at, for judging by hand.
"""
import argparse
import collections
import json
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("findings")
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--exclude", action="append", default=["postgres__postgres"])
    ap.add_argument("--counts", action="store_true")
    a = ap.parse_args()
    with open(a.findings) as f:
        doc = json.load(f)
    fs = [x for x in doc["findings"] if not any(e in x["file"] for e in a.exclude)]
    if a.counts:
        c = collections.Counter(x["rule"] for x in fs)
        for rule, n in sorted(c.items()):
            print(f"{n}\t{rule}")
        print(f"{len(fs)}\ttotal")
        return
    rnd = random.Random(a.seed)
    pick = sorted(rnd.sample(range(len(fs)), min(a.n, len(fs))))
    for i, k in enumerate(pick, 1):
        x = fs[k]
        try:
            with open(x["file"], encoding="utf-8", errors="replace") as f:
                line = f.read().splitlines()[x["line"] - 1].strip()
        except (OSError, IndexError):
            line = "?"
        print(f"#{i} [{k}] {x['file']}:{x['line']}:{x['column']} {x['rule']} ({x['severity']})")
        print(f"    {x['message']}")
        print(f"    > {line[:200]}")


if __name__ == "__main__":
    main()

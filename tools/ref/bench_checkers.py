#!/usr/bin/env python3
"""Times the Python reference checkers (tools/ref/math_checkers.py) on the pairs the TS bench grades.

Usage: python3 tools/ref/bench_checkers.py <pairs.json>   (list of {"response", "gold"}; prints one JSON line)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from math_checkers import dapo_score, is_equiv, postprocess_v2  # noqa: E402


def main():
    pairs = json.load(open(sys.argv[1]))
    out = {}
    for name, fn in [("dapo", lambda r, g: dapo_score(r, g)), ("opencompass-v2", lambda r, g: is_equiv(postprocess_v2(r), g))]:
        best = None
        correct = 0
        for _ in range(3):
            t0 = time.perf_counter()
            c = 0
            for p in pairs:
                c += bool(fn(p["response"], p["gold"]))
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
            correct = c
        out[name] = {"pairsPerSec": len(pairs) / best, "correct": correct}
    print(json.dumps({"python": sys.version.split()[0], "pairs": len(pairs), "checkers": out}))


if __name__ == "__main__":
    main()

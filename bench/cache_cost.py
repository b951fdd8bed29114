#!/usr/bin/env python3
"""What the links cache costs and saves, for two builds of metasum, or
any statements (--question) timed on two builds.

For each dataset folder and each binary, times the same questions with the
cache warm (a copy written by a warm-up run), and with --no-cache; the
median of RUNS whole-process runs, binaries interleaved; peak RSS from
/usr/bin/time. Answers must be equal across binaries and modes before any
time counts. Prints a Markdown table (BENCHMARKS.md, issue 28: the cache
keyed on evidence.csv's bytes instead of its times).

    python3 bench/cache_cost.py --data target/bench/large \
        --binary new=target/release/metasum --binary old=/path/to/old/metasum
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

QUESTIONS = [
    "findings where fes > 30 show id, fes",
    "findings where studies has 13 show id",
]


def run(binary, data, question, cache):
    """Wall seconds, peak RSS (KiB) and stdout of one run."""
    mode = ["--cache-dir", cache] if cache else ["--no-cache"]
    cmd = ["/usr/bin/time", "-f", "%M", binary, "--data", data, *mode,
           "--format", "csv", "-c", question]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    rss = int(out.stderr.strip().splitlines()[-1])
    return wall, rss, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--binary", action="append", required=True, help="NAME=PATH")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--question", action="append",
                    help="a statement to time in place of the default two (repeatable)")
    args = ap.parse_args()
    questions = args.question or QUESTIONS
    binaries = [b.split("=", 1) for b in args.binary]
    print("| data | question | build | cache | median ms | peak RSS MiB |")
    print("| --- | --- | --- | --- | ---: | ---: |")
    for data in args.data:
        for question in questions:
            caches = {name: tempfile.mkdtemp(prefix=f"cache-{name}-") for name, _ in binaries}
            answers = set()
            for name, path in binaries:
                for cache in (caches[name], None):
                    answers.add(run(path, data, question, cache)[2])  # warm-up
            if len(answers) != 1:
                sys.exit(f"answers differ for {question} on {data}")
            times = {(n, c): [] for n, _ in binaries for c in ("warm", "none")}
            rss = {(n, c): 0 for n, _ in binaries for c in ("warm", "none")}
            for _ in range(args.runs):
                for name, path in binaries:
                    for mode, cache in (("warm", caches[name]), ("none", None)):
                        wall, peak, _ = run(path, data, question, cache)
                        times[(name, mode)].append(wall)
                        rss[(name, mode)] = max(rss[(name, mode)], peak)
            for (name, mode), walls in times.items():
                print(f"| {os.path.basename(data)} | `{question}` | {name} | {mode} | "
                      f"{statistics.median(walls) * 1000:.0f} | {rss[(name, mode)] / 1024:.0f} |")


if __name__ == "__main__":
    main()

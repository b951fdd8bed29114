#!/usr/bin/env python3
"""`metasum serve` against the shell: the time of each of bench/compare.py's
questions once the review is loaded.

The server: the review loaded once (`serve --data DIR`), then each
question POSTed RUNS times; its time is the server's own (`Server-Timing`:
the statements run on a clone of the session) and the round trip seen by
this client on loopback (HTTP, JSON, the connection). The shell: the same
statement repeated in one `metasum -c` process; its time per statement is
(time of 1 + REPEAT statements - time of 1) / REPEAT, so loading the
review does not count. Medians. Prints a Markdown table.

    python3 bench/serve.py --size large --runs 11     # or --size seed: the embedded review
(needs target/release/metasum and the dataset bench/compare.py makes in
target/bench/SIZE.)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import CACHE, METASUM, QUESTIONS, ROOT, study_13  # noqa: E402

REPEAT = 10


def review(data):
    """The options that name the review: `--data DIR`, or none for the
    embedded seed."""
    return ["--data", data, "--cache-dir", CACHE] if data else []


def start(data):
    server = subprocess.Popen([METASUM] + review(data) + ["serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = server.stdout.readline().strip()
    base, token = url.split("/?token=")
    return server, base, token


def ask(base, token, query):
    request = urllib.request.Request(
        f"{base}/api/query", data=json.dumps({"query": query}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as answer:
        body = json.load(answer)
        timing = answer.headers["Server-Timing"]
    trip = (time.perf_counter() - started) * 1000
    assert "errors" not in body, body
    return float(timing.split("dur=")[1]), trip, body


def shell(data, query, times, runs):
    statements = ";".join([query] * times)
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([METASUM] + review(data) + ["--format", "csv", "-c", statements], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    # `seed`: the embedded review (no --data).
    data = None if args.size == "seed" else os.path.join(ROOT, "target", "bench", args.size)
    server, base, token = start(data)
    try:
        print(f"| question ({args.size}) | server: statements (ms) | server: round trip (ms) "
              f"| shell: per statement (ms) | shell: whole process (ms) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name, (statement, *_rest) in QUESTIONS.items():
            statement = statement.replace("{s13}", study_13(data) if data else "13")
            ask(base, token, statement)  # warm-up: reads the links
            timings = [ask(base, token, statement)[:2] for _ in range(args.runs)]
            run = statistics.median(t[0] for t in timings)
            trip = statistics.median(t[1] for t in timings)
            one = shell(data, statement, 1, max(3, args.runs // 2))
            many = shell(data, statement, 1 + REPEAT, max(3, args.runs // 2))
            per = (many - one) / REPEAT
            print(f"| {name} | {run:.1f} | {trip:.1f} | {per:.1f} | {one:.0f} |")
        seed = "findings where perspective = recipient and fes > 30"
        timings = [ask(base, token, seed)[:2] for _ in range(args.runs)]
        print(f"| the seed's question (on {args.size}) | {statistics.median(t[0] for t in timings):.1f} "
              f"| {statistics.median(t[1] for t in timings):.1f} | | |")
    finally:
        server.kill()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Whole-process comparison of metasum with DuckDB (CLI) and Python polars.

For each dataset size, the same five questions are answered by a fresh
process of each tool; answers are checked equal before any time counts.
Wall time is the median of RUNS runs after one warm-up, tools interleaved;
peak RSS comes from /usr/bin/time. metasum is timed twice: with its cache
of evidence links (written by the warm-up) and with --no-cache (parsing
and checking evidence.csv every run). The peers are timed twice too:
reading the CSVs every run, and in their own stored form, made once before
any time counts (as metasum's cache is): DuckDB on a database file holding
the three tables, polars on Parquet files. Prints a Markdown table.

    python3 bench/compare.py --sizes seed-like,medium --runs 5
(`just bench-peers` sets up the virtualenv with duckdb-cli and polars.)
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METASUM = os.path.join(ROOT, "target", "release", "metasum")
# metasum keeps a checked copy of a large evidence.csv here (the warm-up
# run writes it); `metasum --no-cache` is timed too, reading the CSV.
CACHE = os.path.join(ROOT, "target", "bench", "cache")
SIZES = {
    "seed-like": (25, 24, 160),
    "medium": (10_000, 2_000, 1_000_000),
    "large": (100_000, 20_000, 20_000_000),
}
# The peers' stored copies of a size's tables (a DuckDB database file,
# Parquet files), made once.
STORED = os.path.join(ROOT, "target", "bench", "peers")
TABLES = ("studies", "findings", "evidence")
# A size with `-text` after it: the same review keyed as reviewers key
# theirs (`gen --keys text`: studies Author13y2004, findings T3.17).
TEXT = "-text"

QUESTIONS = {
    "fes filter": (
        "findings where perspective = recipient and fes > 30 show id, fes",
        """WITH s AS (SELECT count(*) AS n FROM read_csv('{d}/studies.csv')),
           e AS (SELECT finding, count(DISTINCT study) AS n FROM read_csv('{d}/evidence.csv') GROUP BY finding)
           SELECT f.id, round(100.0 * e.n / s.n, 1) AS fes
           FROM read_csv('{d}/findings.csv') f JOIN e ON e.finding = f.id, s
           WHERE f.perspective = 'recipient' AND 100.0 * e.n / s.n > 30 ORDER BY f.id""",
        """s = pl.scan_csv(f"{d}/studies.csv").select(pl.len()).collect().item()
e = pl.scan_csv(f"{d}/evidence.csv").group_by("finding").agg(pl.col("study").n_unique().alias("n"))
r = (pl.scan_csv(f"{d}/findings.csv").filter(pl.col("perspective") == "recipient")
     .join(e, left_on="id", right_on="finding").with_columns((pl.col("n") * 100 / s).alias("fes"))
     .filter(pl.col("fes") > 30).select("id", pl.col("fes").round(1)).sort("id").collect())""",
    ),
    "fes among subset": (
        "findings among (studies where quality != low) where fes > 30 show id, fes",
        """WITH s AS (SELECT id FROM read_csv('{d}/studies.csv') WHERE quality IS DISTINCT FROM 'low'),
           e AS (SELECT finding, count(DISTINCT study) AS n FROM read_csv('{d}/evidence.csv') WHERE study IN (SELECT id FROM s) GROUP BY finding)
           SELECT f.id, round(100.0 * e.n / (SELECT count(*) FROM s), 1) AS fes
           FROM read_csv('{d}/findings.csv') f JOIN e ON e.finding = f.id
           WHERE 100.0 * e.n / (SELECT count(*) FROM s) > 30 ORDER BY f.id""",
        """st = pl.scan_csv(f"{d}/studies.csv").filter(pl.col("quality").ne_missing("low")).select("id").collect()
e = (pl.scan_csv(f"{d}/evidence.csv").join(st.lazy(), left_on="study", right_on="id", how="semi")
     .group_by("finding").agg(pl.col("study").n_unique().alias("n")))
r = (pl.scan_csv(f"{d}/findings.csv").join(e, left_on="id", right_on="finding")
     .with_columns((pl.col("n") * 100 / st.height).alias("fes")).filter(pl.col("fes") > 30)
     .select("id", pl.col("fes").round(1)).sort("id").collect())""",
    ),
    "intensity top 10": (
        "studies sort by intensity desc, id limit 10 show id, intensity",
        """WITH f AS (SELECT count(*) AS n FROM read_csv('{d}/findings.csv')),
           e AS (SELECT study, count(DISTINCT finding) AS n FROM read_csv('{d}/evidence.csv') GROUP BY study)
           SELECT s.id, round(100.0 * coalesce(e.n, 0) / f.n, 1) AS intensity
           FROM read_csv('{d}/studies.csv') s LEFT JOIN e ON e.study = s.id, f
           ORDER BY coalesce(e.n, 0) DESC, s.id LIMIT 10""",
        """f = pl.scan_csv(f"{d}/findings.csv").select(pl.len()).collect().item()
e = pl.scan_csv(f"{d}/evidence.csv").group_by("study").agg(pl.col("finding").n_unique().alias("n"))
r = (pl.scan_csv(f"{d}/studies.csv").join(e, left_on="id", right_on="study", how="left")
     .with_columns(pl.col("n").fill_null(0)).sort(["n", "id"], descending=[True, False]).head(10)
     .select("id", (pl.col("n") * 100 / f).round(1).alias("intensity")).collect())""",
    ),
    "count by country": (
        "studies count by country",
        """SELECT country, count(*) AS count FROM read_csv('{d}/studies.csv') GROUP BY country ORDER BY count DESC, country""",
        """r = (pl.scan_csv(f"{d}/studies.csv").group_by("country").agg(pl.len().alias("count"))
     .sort(["count", "country"], descending=[True, False]).collect())""",
    ),
    # {s13}: the key of the 13th study (13, or Author13y2004 with text keys),
    # as a literal of SQL ({s13sql}) and of Python ({s13lit}).
    "has lookup": (
        "findings where studies has {s13} show id",
        """SELECT DISTINCT finding AS id FROM read_csv('{d}/evidence.csv') WHERE study = {s13sql} ORDER BY id""",
        """r = pl.scan_csv(f"{d}/evidence.csv").filter(pl.col("study") == {s13lit}).select(pl.col("finding").alias("id")).unique().sort("id").collect()""",
    ),
}


def study_13(d):
    """The key of the 13th study of the dataset in `d`."""
    with open(os.path.join(d, "studies.csv"), newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for i, row in enumerate(rows, 1):
            if i == 13:
                return row[0]
    sys.exit("%s has fewer than 13 studies" % d)


def stored(d, py):
    """The folder of the peers' stored copies of the tables in `d`, made
    when missing: `peers.duckdb` (DuckDB's own file) and TABLE.parquet."""
    out = os.path.join(STORED, os.path.basename(d))
    db = os.path.join(out, "peers.duckdb")
    if os.path.exists(db):
        return out
    os.makedirs(out, exist_ok=True)
    sql = ";".join("CREATE TABLE %s AS SELECT * FROM read_csv('%s/%s.csv')" % (t, d, t) for t in TABLES)
    subprocess.run(["duckdb", db + ".part", "-c", sql], check=True)
    code = "import polars as pl\n" + "".join(
        "pl.read_csv(%r).write_parquet(%r)\n" % ("%s/%s.csv" % (d, t), "%s/%s.parquet" % (out, t)) for t in TABLES)
    subprocess.run([py, "-c", code], check=True)
    os.replace(db + ".part", db)
    return out


def commands(tool, question, d, py):
    mq, sql, polars_code = QUESTIONS[question]
    if tool in ("duckdb db", "polars parquet"):
        stored_in = stored(d, py)
        for t in TABLES:
            sql = sql.replace("read_csv('{d}/%s.csv')" % t, t)
            polars_code = polars_code.replace('pl.scan_csv(f"{d}/%s.csv")' % t, 'pl.scan_parquet(f"{p}/%s.parquet")' % t)
        polars_code = polars_code.replace("{p}", stored_in)
        if tool == "duckdb db":
            sql = sql.replace("{d}", d)
            assert "read_csv" not in sql, sql
            literal = study_13(d)
            literal = literal if literal.isdigit() else "'%s'" % literal
            return ["duckdb", "-readonly", "-csv", os.path.join(stored_in, "peers.duckdb"), "-c", sql.replace("{s13sql}", literal)]
        assert "scan_csv" not in polars_code, polars_code
    s13 = study_13(d)
    literal = s13 if s13.isdigit() else None
    if tool in ("metasum", "no cache"):
        cache = ["--cache-dir", CACHE] if tool == "metasum" else ["--no-cache"]
        return [METASUM, "--data", d, "--format", "csv"] + cache + ["-c", mq.replace("{s13}", s13)]
    if tool == "duckdb":
        return ["duckdb", "-csv", "-c", sql.format(d=d, s13sql=literal or "'%s'" % s13)]
    code = "import polars as pl, sys\nd = %r\n%s\nr.write_csv(sys.stdout)\n" % (
        d, polars_code.replace("{s13lit}", literal or repr(s13)))
    return [py, "-c", code]


def answer(text):
    """Rows as a sorted list of tuples, numbers rounded to one decimal."""
    rows = list(csv.reader(io.StringIO(text.strip())))[1:]
    out = []
    for row in rows:
        cells = []
        for c in row:
            try:
                cells.append(round(float(c), 1))
            except ValueError:
                cells.append(c)
        out.append(tuple(cells))
    return sorted(out, key=repr)


def same(a, b):
    """Equal rows, numbers within one rounding step of 0.1 (tools round halves differently:
    polars to even on the binary value, metasum and DuckDB away from zero)."""
    if len(a) != len(b):
        return False
    for ra, rb in zip(sorted(a, key=lambda r: repr(r[0])), sorted(b, key=lambda r: repr(r[0]))):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 0.1 + 1e-9:
                    return False
            elif x != y:
                return False
    return True


def run(cmd):
    """Wall seconds, peak RSS in MiB, stdout."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd[:3]), p.stderr[-2000:]))
    rss_kib = int(p.stderr.strip().splitlines()[-1])
    return wall, rss_kib / 1024, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="seed-like,medium")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--metasum", default=METASUM, help="the metasum binary (a release build)")
    ap.add_argument("--python", default=os.path.join(ROOT, "target", "bench", "venv", "bin", "python"))
    args = ap.parse_args()
    globals()["METASUM"] = args.metasum
    tools = ["metasum", "no cache", "duckdb", "polars", "duckdb db", "polars parquet"]
    print("| size | question | metasum ms | no cache ms | duckdb ms | polars ms | duckdb db ms | polars parquet ms "
          "| metasum / best peer | no cache / best CSV peer "
          "| RSS MiB metasum / no cache / duckdb / polars / duckdb db / polars parquet |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in args.sizes.split(","):
        d = os.path.join(ROOT, "target", "bench", size)
        if not os.path.exists(os.path.join(d, "evidence.csv")):
            text = size.endswith(TEXT)
            s, f, l = SIZES[size[: -len(TEXT)] if text else size]
            subprocess.run(["cargo", "run", "--release", "--example", "gen", "--", "--studies", str(s),
                            "--findings", str(f), "--links", str(l), "--seed", "1", "--out", d,
                            "--keys", "text" if text else "numbers"], check=True, cwd=ROOT)
        for q in QUESTIONS:
            cmds = {t: commands(t, q, d, args.python) for t in tools}
            answers = {t: answer(run(cmds[t])[2]) for t in tools}  # also the warm-up
            for t in tools[1:]:
                if not same(answers[t], answers["metasum"]):
                    sys.exit("answers differ for %s / %s: metasum %s vs %s %s" % (size, q, answers["metasum"][:5], t, answers[t][:5]))
            times = {t: [] for t in tools}
            rss = {t: 0.0 for t in tools}
            for _ in range(args.runs):
                for t in tools:
                    wall, mib, _ = run(cmds[t])
                    times[t].append(wall * 1000)
                    rss[t] = max(rss[t], mib)
            med = {t: statistics.median(times[t]) for t in tools}
            best_csv = min(med["duckdb"], med["polars"])
            best = min(best_csv, med["duckdb db"], med["polars parquet"])
            print("| %s | %s | %s | %.2f | %.2f | %s |" % (
                size, q, " | ".join("%.1f" % med[t] for t in tools),
                med["metasum"] / best, med["no cache"] / best_csv,
                " / ".join("%.0f" % rss[t] for t in tools)), flush=True)


if __name__ == "__main__":
    main()

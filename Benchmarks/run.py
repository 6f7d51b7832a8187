#!/usr/bin/env python3
"""The parse and validation benchmarks, in one run.

Parse: SwitchboardCSV beside Python's csv module, pyarrow and yaslab/CSV.swift.
Validation: SwitchboardCore's Validator (both passes, an empty directory) beside
SwitchboardCSV's parse-strings on the same file, and the memory of its FileIndex.

Run it as `bash Benchmarks/run.sh` (which builds the release binary first); see
docs/performance.md. Options: --rows N (default 1,000,000), --runs N (default 5),
--quick (100,000 rows, 3 runs), --strict (exit 1 when a target is missed),
--skip validate|distinct|callgrind|python-csv|pyarrow|csvswift.

What it does, in one run:
  1. Generates its data if missing, deterministically (switchboard-bench generate, a
     SplitMix64 generator): Benchmarks/data/users-ROWS.csv, a 10,000-row file to show
     that memory does not grow with size, a ROWS/10 file for yaslab/CSV.swift, which is
     about 15 times slower (MB/s is comparable across sizes), and users-ROWS-distinct.csv,
     the same rows with every key made distinct (the largest index a file can need).
  2. Runs every competitor as a child process, round-robin, --runs times each, taking
     the wall time and the peak RSS (ru_maxrss from wait4) from outside and the parse
     time from inside (after interpreter start-up and imports).
  3. Checks that every competitor read the same number of records and fields, and that
     every validation run found the same outcome.
  4. Prints markdown tables of medians and ratios, and PASS/FAIL for each target.
  5. Counts instructions with valgrind's callgrind on the 10,000-row file (when valgrind
     is installed): per input byte for both parse paths, and per row for validation,
     less the `baseline` command's count, with validation's top inclusive functions.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = 17

TARGET_BYTES_MBPS = 500.0
TARGET_STRINGS_MBPS = 200.0
TARGET_PEAK_MIB = 32.0
TARGET_VALIDATE_RATIO = 0.5  # validation at least half of parse-strings' throughput
TARGET_INDEX_MIB = 128.0  # the in-file uniqueness state for 1,000,000 rows
MIB = 1024 * 1024

# The reference figures, measured on the same kind of file (not by this script).
REFERENCE = [
    ("Python csv module (issue)", "111 MB/s", ""),
    ("pyarrow (issue)", "343 MB/s", "317 MiB"),
    ("yaslab/CSV.swift (issue)", "12-15 MB/s", ""),
]


# --- Child processes: the Python competitors, each timed from inside after its imports.

def child_python_csv(path):
    import csv

    start = time.perf_counter()
    records = fields = chars = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            records += 1
            fields += len(row)
            for field in row:  # touch every field
                chars += len(field)
    seconds = time.perf_counter() - start
    print(json.dumps({"parser": "python-csv", "records": records, "fields": fields,
                      "field_chars": chars, "seconds": seconds}))


def child_pyarrow(path):
    import pyarrow.csv as pacsv

    start = time.perf_counter()
    # The file has quoted line breaks: pyarrow must be told, or it splits blocks inside them.
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True))
    seconds = time.perf_counter() - start
    rows = table.num_rows + 1  # the header is a record for every other competitor
    print(json.dumps({"parser": "pyarrow", "records": rows, "fields": rows * table.num_columns,
                      "seconds": seconds}))


CHILDREN = {"python-csv": child_python_csv, "pyarrow": child_pyarrow}


# --- Measuring.

def measure(argv):
    """Runs argv to its end; returns (wall seconds, peak RSS KiB, parsed JSON line)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {stderr.strip()[-2000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(argv)} printed no result: {stdout[-500:]} {stderr[-500:]}")
    return wall, usage.ru_maxrss, json.loads(lines[-1])


def ensure_file(binary, rows, seed, data_dir, distinct=False):
    """Generates data/users-ROWS[-distinct].csv unless it is there from the same seed; returns its facts."""
    path = os.path.join(data_dir, f"users-{rows}{'-distinct' if distinct else ''}.csv")
    facts_path = path + ".json"
    if os.path.exists(path) and os.path.exists(facts_path):
        with open(facts_path) as handle:
            facts = json.load(handle)
        if (facts.get("seed") == seed and facts.get("bytes") == os.path.getsize(path)
                and facts.get("distinct_keys", False) == distinct):
            facts["path"] = path
            return facts
    print(f"generating {rows:,} rows into {os.path.relpath(path)} ...", file=sys.stderr)
    argv = [binary, "generate", "--rows", str(rows), "--out", path, "--seed", str(seed)]
    result = subprocess.run(argv + (["--distinct-keys"] if distinct else []),
                            check=True, capture_output=True, text=True)
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    with open(facts_path, "w") as handle:
        json.dump(facts, handle)
    facts["path"] = path
    return facts


def warm(path):
    """Reads a file once so that every competitor finds it in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(1 << 20):
            pass


def pyarrow_version(install):
    """The pyarrow version, installing it with pip if asked; None when it cannot be had."""
    probe = [sys.executable, "-c", "import pyarrow; print(pyarrow.__version__)"]
    result = subprocess.run(probe, capture_output=True, text=True)
    if result.returncode != 0 and install:
        print("pyarrow is missing; trying `pip install pyarrow` ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyarrow"])
        result = subprocess.run(probe, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}{memory}, {platform.system()} {platform.release()}"


def load_average():
    try:
        with open("/proc/loadavg") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "unknown"


def source_state():
    """The parent repository's commit and whether Sources/ differs from it."""
    root = os.path.dirname(HERE)
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "Sources"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + (" with uncommitted changes in Sources/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- Instruction counts: callgrind, repeatable whatever the load.

def callgrind_binary(binary, data_dir):
    """A copy of the binary without debug information, so that callgrind names each function once.

    With DWARF, callgrind splits a function by the source file of its inlined code (the same
    function shows up under two paths); without it, every function is one symbol."""
    copy = os.path.join(data_dir, "switchboard-bench.nodebug")
    try:
        subprocess.run(["objcopy", "--strip-debug", binary, copy], check=True, capture_output=True)
        return copy
    except (OSError, subprocess.CalledProcessError):
        return binary


def callgrind_count(binary, argv_tail, out_file):
    """Runs binary under callgrind; returns the instructions executed (Ir)."""
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", binary] + argv_tail
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr[-1500:]}")
    with open(out_file) as handle:
        for line in handle:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"{out_file} has no totals")


def callgrind_top(out_file, count):
    """The `count` functions with the largest inclusive cost, demangled: (instructions, share, name)."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                          capture_output=True, text=True, check=True).stdout
    entries = []
    for line in text.splitlines():
        match = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*?)(?:\s+\[[^\]]*\])?$", line)
        if not match or "PROGRAM TOTALS" in line:
            continue
        name = match.group(3)
        if name.startswith("???:"):
            name = name[4:]
        entries.append([int(match.group(1).replace(",", "")), float(match.group(2)), name])
    try:
        names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(e[2] for e in entries),
                               capture_output=True, text=True, check=True).stdout.splitlines()
        if len(names) == len(entries):
            for entry, name in zip(entries, names):
                entry[2] = name
    except (OSError, subprocess.CalledProcessError):
        pass
    # The loader, libc's start-up and main hold everything: they say nothing.
    skip = ("0x0", "(below main)", "__libc_start_main", "switchboard_bench_main")
    entries = [e for e in entries if not any(word in e[2] for word in skip)]
    return entries[:count]


def run_callgrind(binary, data_dir, small, small_distinct, validate):
    """Instructions of each command on the small file, less the baseline command's."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        return None, ["valgrind is not installed: no instruction counts"]
    target = callgrind_binary(binary, data_dir)
    jobs = [("baseline", ["baseline"], None), ("parse-bytes", ["parse-bytes", small["path"]], small),
            ("parse-strings", ["parse-strings", small["path"]], small)]
    if validate:
        jobs.append(("validate", ["validate", small["path"]], small))
        if small_distinct:
            jobs.append(("parse-strings-distinct", ["parse-strings", small_distinct["path"]], small_distinct))
            jobs.append(("validate-distinct", ["validate", small_distinct["path"]], small_distinct))
    counts = {}
    for name, tail, facts in jobs:
        print(f"  callgrind {name} ...", file=sys.stderr)
        out_file = os.path.join(data_dir, f"callgrind.{name}.out")
        counts[name] = {"instructions": callgrind_count(target, tail, out_file), "out_file": out_file,
                        "bytes": facts["bytes"] if facts else 0, "rows": facts["rows"] if facts else 0}
    base = counts["baseline"]["instructions"]
    for name, entry in counts.items():
        entry["net"] = entry["instructions"] - base
        if entry["bytes"]:
            entry["per_byte"] = entry["net"] / entry["bytes"]
            entry["per_row"] = entry["net"] / entry["rows"]
    top = {}
    for name in ("validate", "validate-distinct"):
        if name in counts:
            top[name] = callgrind_top(counts[name]["out_file"], 30)
    return {"counts": counts, "top": top}, []


# --- Reporting.

def fmt_rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def newest_source(root):
    newest = 0.0
    for folder, _, names in os.walk(root):
        for name in names:
            newest = max(newest, os.path.getmtime(os.path.join(folder, name)))
    return newest


def main():
    if len(sys.argv) == 3 and sys.argv[1] in CHILDREN:
        CHILDREN[sys.argv[1]](sys.argv[2])
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="rows in the large file (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=None, help="runs of each competitor (default 5)")
    parser.add_argument("--quick", action="store_true", help="a fast check: 100,000 rows, 3 runs")
    parser.add_argument("--small-rows", type=int, default=10_000, help="rows in the small file (default 10,000)")
    parser.add_argument("--csvswift-rows", type=int, default=None,
                        help="rows for yaslab/CSV.swift (default ROWS/10, at least 10,000)")
    parser.add_argument("--seed", type=int, default=20240611, help="the generator's seed")
    parser.add_argument("--bin", default=os.path.join(HERE, ".build", "release", "switchboard-bench"),
                        help="the switchboard-bench binary (run.sh passes the release build)")
    parser.add_argument("--data", default=os.path.join(HERE, "data"), help="where the data files go")
    parser.add_argument("--no-install", action="store_true", help="do not pip install pyarrow when missing")
    parser.add_argument("--skip", action="append", default=[],
                        help="leave out a part: python-csv, pyarrow, csvswift, validate (the validation benchmark), "
                             "distinct (its distinct-keys file) or callgrind (repeatable)")
    parser.add_argument("--json", default=None, help="also write every measurement here (default DATA/last-run.json)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 100_000 if args.quick else 1_000_000
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1 or args.rows < 1:
        parser.error("--rows and --runs must be at least 1")
    if not os.access(args.bin, os.X_OK):
        parser.error(f"{args.bin} is not built; run `bash Benchmarks/run.sh`, which builds it")
    unknown = set(args.skip) - {"python-csv", "pyarrow", "csvswift", "validate", "distinct", "callgrind"}
    if unknown:
        parser.error(f"--skip takes python-csv, pyarrow, csvswift, validate, distinct or callgrind, not {sorted(unknown)}")
    validate = "validate" not in args.skip
    distinct = validate and "distinct" not in args.skip
    csvswift_rows = args.csvswift_rows or max(10_000, args.rows // 10)
    os.makedirs(args.data, exist_ok=True)

    large = ensure_file(args.bin, args.rows, args.seed, args.data)
    small = ensure_file(args.bin, args.small_rows, args.seed, args.data)
    slow = ensure_file(args.bin, csvswift_rows, args.seed, args.data)
    large_distinct = ensure_file(args.bin, args.rows, args.seed, args.data, distinct=True) if distinct else None
    small_distinct = ensure_file(args.bin, args.small_rows, args.seed, args.data, distinct=True) if distinct else None
    for facts in (large, small, slow, large_distinct, small_distinct):
        if facts:
            warm(facts["path"])

    notes = []
    for library in ("SwitchboardCSV", "SwitchboardCore"):
        try:
            if newest_source(os.path.join(os.path.dirname(HERE), "Sources", library)) > os.path.getmtime(args.bin):
                notes.append(f"Sources/{library} changed after the binary was built: the figures are for the "
                             "older code (run.sh rebuilds it)")
        except OSError:
            pass
    arrow = None
    if "pyarrow" not in args.skip:
        arrow = pyarrow_version(install=not args.no_install)
        if arrow is None:
            notes.append("pyarrow could not be imported or installed: left out")

    me = [sys.executable, os.path.abspath(__file__)]
    # (key, label, argv prefix, file facts, kind); kind is parse, validate, index, noindex or none.
    competitors = [
        ("bytes", "SwitchboardCSV, fields as bytes", [args.bin, "parse-bytes"], large, "parse"),
        ("strings", "SwitchboardCSV, every field a String", [args.bin, "parse-strings"], large, "parse"),
    ]
    if validate:
        competitors += [
            ("validate", "Validator, both passes, empty directory, second pass over every core", [args.bin, "validate"],
             large, "validate"),
            ("validate-1", "the same, second pass on one thread", [args.bin, "validate", "--one-thread"], large,
             "validate"),
            ("index", "first pass alone, building the FileIndex", [args.bin, "validate-index"], large, "index"),
            ("noindex", "first pass alone, no FileIndex (baseline)", [args.bin, "validate-index", "--no-index"],
             large, "noindex"),
        ]
    if "python-csv" not in args.skip:
        competitors.append(("python-csv", f"Python {platform.python_version()} csv module", me + ["python-csv"],
                            large, "parse"))
    if arrow is not None:
        competitors.append(("pyarrow", f"pyarrow {arrow} csv.read_csv (2 threads)", me + ["pyarrow"], large, "parse"))
    if "csvswift" not in args.skip:
        competitors.append(("csvswift", "yaslab/CSV.swift 2.5.2", [args.bin, "csvswift"], slow, "parse"))
    if distinct:
        competitors += [
            ("strings-distinct", "SwitchboardCSV, every field a String", [args.bin, "parse-strings"], large_distinct,
             "parse"),
            ("validate-distinct", "Validator, both passes, empty directory, second pass over every core",
             [args.bin, "validate"], large_distinct, "validate"),
            ("validate-1-distinct", "the same, second pass on one thread", [args.bin, "validate", "--one-thread"],
             large_distinct, "validate"),
            ("index-distinct", "first pass alone, building the FileIndex", [args.bin, "validate-index"],
             large_distinct, "index"),
            ("noindex-distinct", "first pass alone, no FileIndex (baseline)",
             [args.bin, "validate-index", "--no-index"], large_distinct, "noindex"),
        ]
    competitors += [
        ("bytes-small", "SwitchboardCSV, fields as bytes", [args.bin, "parse-bytes"], small, "parse"),
        ("strings-small", "SwitchboardCSV, every field a String", [args.bin, "parse-strings"], small, "parse"),
        ("baseline", "switchboard-bench doing nothing (RSS floor)", [args.bin, "baseline"], None, "none"),
    ]

    print(f"machine: {machine()}", file=sys.stderr)
    print(f"Switchboard at {source_state()}; {args.runs} runs each, round-robin", file=sys.stderr)
    load_before = load_average()
    results = {key: [] for key, *_ in competitors}
    for run in range(args.runs):
        order = competitors[run % len(competitors):] + competitors[:run % len(competitors)]
        for key, label, argv, facts, kind in order:
            full = argv + ([facts["path"]] if facts else [])
            wall, rss, out = measure(full)
            results[key].append({"wall": wall, "rss_kib": rss, **out})
        print(f"  run {run + 1}/{args.runs} done", file=sys.stderr)
    load_after = load_average()

    # Every competitor must have read the file the same way: the header plus ROWS records.
    problems = []
    for key, label, argv, facts, kind in competitors:
        if facts is None:
            continue
        for out in results[key]:
            want = (facts["rows"] + 1, (facts["rows"] + 1) * COLUMNS)
            got = (out["records"], out.get("fields", want[1]))
            if got != want or out.get("malformed", 0):
                problems.append(f"{key} on {os.path.basename(facts['path'])}: read {got[0]} records, {got[1]} "
                                f"fields, {out.get('malformed', 0)} malformed; expected {want[0]}, {want[1]}")
        if kind == "validate":
            outcomes = {(out["accepted"], out["rejected"], out["findings"]) for out in results[key]}
            if len(outcomes) != 1:
                problems.append(f"{key}: the validation outcome differs between runs: {sorted(outcomes)}")
    # Over every core or on one thread, the validator must find the same.
    for suffix in ("", "-distinct"):
        spread, single = results.get("validate" + suffix), results.get("validate-1" + suffix)
        if spread and single:
            found = {(out["accepted"], out["rejected"], out["findings"], json.dumps(out["by_code"], sort_keys=True))
                     for out in spread + single}
            if len(found) != 1:
                problems.append(f"validate{suffix}: one thread and every core found different outcomes")
    for key in ("bytes", "strings"):
        sizes = {out["field_bytes"] for out in results[key]}
        if len(sizes) != 1:
            problems.append(f"{key}: field bytes differ between runs: {sorted(sizes)}")
    if {out["field_bytes"] for out in results["bytes"]} != {out["field_bytes"] for out in results["strings"]}:
        problems.append("parse-bytes and parse-strings disagree on the field bytes")

    rows = {}
    for key, label, argv, facts, kind in competitors:
        runs = results[key]
        row = {
            "label": label,
            "kind": kind,
            "file": os.path.basename(facts["path"]) if facts else "-",
            "size": facts["bytes"] if facts else 0,
            "seconds": statistics.median(r["seconds"] for r in runs),
            "wall": statistics.median(r["wall"] for r in runs),
            "rss_mib": max(r["rss_kib"] for r in runs) / 1024,
            "rss_median_mib": statistics.median(r["rss_kib"] for r in runs) / 1024,
            "records": runs[0]["records"],
            "spread": (min(r["seconds"] for r in runs), max(r["seconds"] for r in runs)),
        }
        if facts:
            row["mbps"] = facts["bytes"] / row["seconds"] / 1e6
            row["wall_mbps"] = facts["bytes"] / row["wall"] / 1e6
            row["rps"] = row["records"] / row["seconds"]
            row["data_rps"] = (row["records"] - 1) / row["seconds"]  # rows, the header left out
        if kind == "validate":
            for field in ("rows", "accepted", "rejected", "findings", "errors", "warnings", "file_findings",
                          "by_code", "profile"):
                row[field] = runs[0][field]
        if kind in ("index", "noindex"):
            row["heap_held"] = statistics.median(r["heap_held"] for r in runs)
        rows[key] = row

    python_mbps = rows["python-csv"]["mbps"] if "python-csv" in rows else None
    bytes_mbps = rows["bytes"]["mbps"]
    print()
    print(f"Data: {large['rows']:,} rows, {large['bytes'] / 1e6:.1f} MB, {large['average_row_bytes']} bytes a row on "
          f"average ({large['non_ascii_rows'] / large['rows']:.0%} of rows non-ASCII, "
          f"{large['quoted_rows'] / large['rows']:.0%} with a quoted field, "
          f"{large['multiline_rows'] / large['rows']:.1%} with a quoted line break); seed {args.seed}.")
    if large_distinct:
        print(f"Distinct-keys file: the same rows with every username, email, extension and em_profile made "
              f"distinct, {large_distinct['bytes'] / 1e6:.1f} MB.")
    print(f"Medians of {args.runs} runs, round-robin. MB = 10^6 bytes. Parse time is measured inside each process "
          "after its start-up and imports; wall time is the whole process. Peak RSS is the largest ru_maxrss of the runs.")
    print()
    print(f"Machine: {machine()}; load average {load_before} before the runs, {load_after} after.")
    print(f"Switchboard at {source_state()}.")
    print()
    print("Parse benchmark:")
    print()
    print("| competitor | file | parse s (median) | parse s min-max | MB/s | records/s | wall s | MB/s by wall "
          "| peak RSS MiB | × Python csv | × parse-bytes |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for key, label, argv, facts, kind in competitors:
        if kind not in ("parse", "none") or key == "strings-distinct":
            continue
        row = rows[key]
        if facts is None:
            print(f"| {label} | - | | | | | {row['wall']:.3f} | | {row['rss_mib']:.1f} | | |")
            continue
        vs_python = f"{row['mbps'] / python_mbps:.2f}" if python_mbps else "-"
        low, high = row["spread"]
        print(f"| {label} | {row['file']} | {row['seconds']:.3f} | {low:.3f}-{high:.3f} | {fmt_rate(row['mbps'])} "
              f"| {row['rps']:,.0f} "
              f"| {row['wall']:.3f} | {fmt_rate(row['wall_mbps'])} | {row['rss_mib']:.1f} | {vs_python} "
              f"| {row['mbps'] / bytes_mbps:.3f} |")
    for label, rate, memory in REFERENCE:
        print(f"| {label} | not run here | | | {rate} | | | | {memory} | | |")
    print()

    # Validation beside parse-strings on the same file. The per-round ratio pairs the two
    # measurements of one round (taken within seconds of each other), which a burst of load
    # on the shared machine disturbs less than the ratio of the two medians.
    def per_round_ratio(key, reference):
        ratios = [ref["seconds"] / mine["seconds"] for mine, ref in zip(results[key], results[reference])]
        return statistics.median(ratios), min(ratios), max(ratios)

    groups = []
    if validate:
        groups.append(("", "strings", "validate", "index", "noindex"))
    if distinct:
        groups.append(("-distinct", "strings-distinct", "validate-distinct", "index-distinct", "noindex-distinct"))
    ratios = {}
    index_memory = {}
    if groups:
        print("Validation benchmark (Validator(policy: Policy(), directory: InMemoryDirectory()), a sink that only "
              "counts; the first pass alone is a copy of Validator.firstPass made with public API):")
        print()
        print("| what | file | s (median) | s min-max | MB/s | rows/s | wall s | peak RSS MiB "
              "| × parse-strings (medians) | × parse-strings (median of per-round ratios, min-max) |")
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for suffix, ref, *keys in groups:
            # The one-thread run sits under the run over every core.
            for key in [ref, keys[0], "validate-1" + suffix] + keys[1:]:
                row = rows[key]
                low, high = row["spread"]
                label = row["label"] if key != ref else "parse-strings (the reference)"
                vs = row["mbps"] / rows[ref]["mbps"]
                if key == ref:
                    cell = "1.000"
                else:
                    mid, lo, hi = per_round_ratio(key, ref)
                    ratios[key] = {"medians": vs, "per_round": mid, "per_round_min": lo, "per_round_max": hi}
                    cell = f"{mid:.3f} ({lo:.3f}-{hi:.3f})"
                print(f"| {label} | {row['file']} | {row['seconds']:.3f} | {low:.3f}-{high:.3f} "
                      f"| {fmt_rate(row['mbps'])} | {row['data_rps']:,.0f} | {row['wall']:.3f} | {row['rss_mib']:.1f} "
                      f"| {vs:.3f} | {cell} |")
        print()
        print("| validation outcome | rows | accepted | rejected | findings | errors | warnings | most frequent codes |")
        print("|---|--:|--:|--:|--:|--:|--:|---|")
        for suffix, ref, key, *_ in groups:
            row = rows[key]
            codes = sorted(row["by_code"].items(), key=lambda item: -item[1])[:6]
            print(f"| {row['file']} | {row['rows']:,} | {row['accepted']:,} | {row['rejected']:,} "
                  f"| {row['findings']:,} | {row['errors']:,} | {row['warnings']:,} "
                  f"| {', '.join(f'{code} {count:,}' for code, count in codes)} |")
        print()
        print("| uniqueness state (FileIndex) | first pass with index, peak RSS MiB (median) | without, MiB (median) "
              "| difference: the index | heap held after finish() (mallinfo2) | validate − parse-strings peak RSS |")
        print("|---|--:|--:|--:|--:|--:|")
        for suffix, ref, key, index_key, noindex_key in groups:
            with_index = rows[index_key]["rss_median_mib"]
            without = rows[noindex_key]["rss_median_mib"]
            held = (rows[index_key]["heap_held"] - rows[noindex_key]["heap_held"]) / MIB
            fallback = rows[key]["rss_median_mib"] - rows[ref]["rss_median_mib"]
            index_memory[index_key] = {"with_index_mib": with_index, "without_mib": without,
                                       "index_mib": with_index - without, "heap_held_mib": held,
                                       "validate_minus_strings_mib": fallback}
            print(f"| {rows[index_key]['file']} | {with_index:.1f} | {without:.1f} | {with_index - without:.1f} MiB "
                  f"| {held:.1f} MiB | {fallback:.1f} MiB |")
        print()

    peak = max(rows[key]["rss_mib"] for key in ("bytes", "strings", "bytes-small", "strings-small"))
    checks = [
        (f"fields as bytes ≥ {TARGET_BYTES_MBPS:.0f} MB/s", rows["bytes"]["mbps"] >= TARGET_BYTES_MBPS,
         f"{rows['bytes']['mbps']:.0f} MB/s, {rows['bytes']['mbps'] / TARGET_BYTES_MBPS:.0%} of the target"),
        (f"every field a String ≥ {TARGET_STRINGS_MBPS:.0f} MB/s", rows["strings"]["mbps"] >= TARGET_STRINGS_MBPS,
         f"{rows['strings']['mbps']:.0f} MB/s, {rows['strings']['mbps'] / TARGET_STRINGS_MBPS:.0%} of the target"),
    ]
    for key, what in (("bytes-small", "bytes"), ("bytes", "bytes"), ("strings-small", "strings"),
                      ("strings", "strings")):
        row = rows[key]
        checks.append((f"peak RSS < {TARGET_PEAK_MIB:.0f} MiB, {what}, {row['file']}", row["rss_mib"] < TARGET_PEAK_MIB,
                       f"{row['rss_mib']:.1f} MiB ({row['rss_mib'] - rows['baseline']['rss_mib']:+.1f} MiB over the "
                       f"{rows['baseline']['rss_mib']:.1f} MiB of the binary doing nothing)"))
    extra_checks = []
    for suffix, ref, key, index_key, noindex_key in groups:
        ratio = ratios[key]
        memory = index_memory[index_key]
        where = rows[key]["file"]
        target_list = checks if not suffix else extra_checks
        target_list.append((
            f"parse and validate ≥ {TARGET_VALIDATE_RATIO} × parse-strings, {where}",
            ratio["medians"] >= TARGET_VALIDATE_RATIO,
            f"{rows[key]['mbps']:.1f} MB/s against {rows[ref]['mbps']:.1f} MB/s: {ratio['medians']:.3f}× "
            f"(per-round median {ratio['per_round']:.3f}×); validation costs "
            f"{rows[key]['seconds'] / rows[ref]['seconds'] - 1:.1f}× parsing"))
        target_list.append((
            f"uniqueness state for {rows[key]['rows']:,} rows < {TARGET_INDEX_MIB:.0f} MiB, {where}",
            memory["index_mib"] < TARGET_INDEX_MIB,
            f"{memory['index_mib']:.1f} MiB of peak RSS (first pass with the index, less without); "
            f"{memory['heap_held_mib']:.1f} MiB of heap held once built"))
    print("Targets:")
    for name, ok, detail in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {name}: {detail}")
    for name, ok, detail in extra_checks:
        print(f"- also, beyond the issue's file (not counted by --strict): {'PASS' if ok else 'FAIL'}: {name}: {detail}")
    if python_mbps:
        # The issue set its targets beside a Python csv at 111 MB/s; on a shared, noisy machine
        # the ratio to Python csv in the same run is the steadier reading.
        scale = python_mbps / 111.0
        for key, target in (("bytes", TARGET_BYTES_MBPS), ("strings", TARGET_STRINGS_MBPS)):
            need = target / 111.0
            have = rows[key]["mbps"] / python_mbps
            print(f"- as a ratio (not a target): {rows[key]['label']} is {have:.3f}× Python csv in this run; "
                  f"{target:.0f} MB/s beside the issue's 111 MB/s Python csv is {need:.3f}× "
                  f"({target * scale:.0f} MB/s at this run's Python speed): {'met' if have >= need else 'not met'}")
    growth = max(rows["bytes"]["rss_mib"] - rows["bytes-small"]["rss_mib"],
                 rows["strings"]["rss_mib"] - rows["strings-small"]["rss_mib"])
    print(f"- peak RSS grows by {growth:+.1f} MiB from {small['rows']:,} to {large['rows']:,} rows; largest {peak:.1f} MiB")
    for note in notes:
        print(f"- note: {note}")
    if problems:
        print("Problems (the figures above are not to be trusted):")
        for problem in problems:
            print(f"- {problem}")

    profile = None
    if "callgrind" not in args.skip:
        profile, profile_notes = run_callgrind(args.bin, args.data, small, small_distinct, validate)
        for note in profile_notes:
            print(f"- note: {note}")
    if profile:
        counts = profile["counts"]
        print()
        print(f"Instructions (valgrind --tool=callgrind, {small['rows']:,}-row files, less the "
              f"{counts['baseline']['instructions'] / 1e6:.1f} M of `baseline`):")
        print()
        print("| command | file | instructions | less baseline | per input byte | per row | × parse-strings |")
        print("|---|---|--:|--:|--:|--:|--:|")
        for name, entry in counts.items():
            if name == "baseline":
                continue
            ref = counts["parse-strings-distinct" if name.endswith("-distinct") else "parse-strings"]
            print(f"| {name.removesuffix('-distinct')} | {os.path.basename(small_distinct['path'] if name.endswith('-distinct') else small['path'])} "
                  f"| {entry['instructions'] / 1e6:,.1f} M | {entry['net'] / 1e6:,.1f} M | {entry['per_byte']:.1f} "
                  f"| {entry['per_row']:,.0f} | {entry['net'] / ref['net']:.2f} |")
        for name, entries in profile["top"].items():
            total = counts[name]["instructions"]
            print()
            print(f"Top inclusive functions of {name} ({os.path.basename(counts[name]['out_file'])}, "
                  f"callgrind_annotate --inclusive=yes):")
            print()
            print("| inclusive Ir | share | function |")
            print("|--:|--:|---|")
            for instructions, share, function in entries:
                print(f"| {instructions / 1e6:,.1f} M | {instructions / total:.1%} | `{function[:150]}` |")

    dump = args.json or os.path.join(args.data, "last-run.json")
    with open(dump, "w") as handle:
        json.dump({"machine": machine(), "source": source_state(), "runs": args.runs, "seed": args.seed,
                   "load_average": [load_before, load_after],
                   "files": {"large": large, "small": small, "csvswift": slow, "large_distinct": large_distinct,
                             "small_distinct": small_distinct},
                   "rows": rows, "measurements": results, "validation_ratios": ratios, "index_memory": index_memory,
                   "callgrind": profile,
                   "checks": [{"target": n, "pass": ok, "detail": d} for n, ok, d in checks],
                   "extra_checks": [{"target": n, "pass": ok, "detail": d} for n, ok, d in extra_checks],
                   "problems": problems}, handle, indent=1)
    print(f"\nEvery measurement: {os.path.relpath(dump)}", file=sys.stderr)
    failed = problems or not all(ok for _, ok, _ in checks)
    return 1 if (problems or (args.strict and failed)) else 0


if __name__ == "__main__":
    sys.exit(main())

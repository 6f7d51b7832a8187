#!/usr/bin/env python3
"""The export and audit benchmark: `switchboard export` beside `sqlite3 -csv`, `switchboard audit` beside the import.

Run it as `bash Benchmarks/export_audit.sh` (which builds the release CLI first); see the section
"Export and audit" of docs/performance.md. Options: --rows N (default 1,000,000), --runs N
(default 3), --quick (50,000 rows, 1 run), --strict (exit 1 when a target is missed).

What it does, in one run:
  1. Generates (or reuses) Benchmarks/data/import-users-ROWS.csv exactly as the import benchmark
     does (same generator, same seed): valid canonical `add` rows, each with a phone number and
     a device, on 7 sites.
  2. Imports it --runs times, each into a brand-new database (`switchboard import FILE --db NEW
     --format json`): the full import the audit is held against. The last database is kept.
  3. Export, --runs times each, alternating: `switchboard export --db DB --out FILE` and
     `sqlite3 -csv DB` running the SELECT that switchboard runs for the canonical profile, same
     columns, same joins, same order, into a file. Checks, after every measurement, that both
     files hold the same rows (parsed with Python's csv module, header aside).
  4. Audit, --runs times, each into a new folder: `switchboard audit --db DB --out DIR --format json`,
     under the default policy. Checks its finding count.
  5. Prints Markdown tables with medians, ratios and peak RSS (ru_maxrss of each child), PASS/FAIL
     for each target, and writes them to Benchmarks/data/export-audit-results.md (every
     measurement to export-audit-results.json).
"""

import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import time

import import_bench as ib

TARGET_EXPORT_RATIO = 1.00  # switchboard export time <= sqlite3 -csv time
TARGET_AUDIT_RATIO = 1.00  # switchboard audit time <= the full import's time
TARGET_EXPORT_PEAK_MIB = 128.0  # export memory stays bounded
TARGET_AUDIT_PEAK_MIB = 128.0  # audit memory stays bounded

# The statement `switchboard export` runs for the canonical profile (Sources/SwitchboardStore/Exporter.swift),
# with every look-up in place, as an administrator would write it for sqlite3.
EXPORT_SQL = """
SELECT CASE p.status WHEN 'active' THEN 'upsert' ELSE 'disable' END, p.type, p.username, p.first_name,
    p.last_name, p.email, e.number, e.site, e.phone_number, p.department, p.language, p.time_zone,
    CASE e.voicemail WHEN 1 THEN 'yes' ELSE 'no' END, '', '',
    CASE WHEN e.id IS NULL OR p.primary_extension_id IS NULL
        OR e.id = (SELECT min(x.id) FROM extension x WHERE x.profile_id = p.id)
    THEN (SELECT m.name FROM em_profile_user u JOIN em_profile m ON m.id = u.em_profile_id
     WHERE u.profile_id = p.id ORDER BY u.em_profile_id LIMIT 1) END,
    CASE WHEN e.id IS NULL OR p.primary_extension_id IS NULL
        OR e.id = (SELECT min(x.id) FROM extension x WHERE x.profile_id = p.id)
    THEN (SELECT d.name FROM device d WHERE d.profile_id = p.id ORDER BY d.id LIMIT 1) END,
    p.display_name, p.mobile_number, p.caller_id_first_name, p.caller_id_last_name,
    CASE WHEN p.primary_extension_id IS NULL OR e.id IS NULL THEN NULL
         WHEN p.primary_extension_id = e.id THEN 'yes' ELSE 'no' END
FROM extension e JOIN profile p ON p.id = e.profile_id
WHERE e.number IS NOT NULL AND p.status = 'active'
ORDER BY e.site_key, e.number;
"""


def rows_of(path, skip_header):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        if skip_header:
            next(reader)
        return [row for row in reader]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the switchboard binary (export_audit.sh passes the release build)")
    parser.add_argument("--rows", type=int, default=None, help="users in the directory (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=None, help="runs of each command (default 3)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 50,000 rows, 1 run")
    parser.add_argument("--seed", type=int, default=20261123, help="the generator's seed (the import benchmark's)")
    parser.add_argument("--data", default=os.path.join(ib.HERE, "data"), help="where data and results go")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    args.rows = args.rows or (50_000 if args.quick else 1_000_000)
    args.runs = args.runs or (1 if args.quick else 3)
    binary = os.path.abspath(args.bin)
    os.makedirs(args.data, exist_ok=True)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    began = time.time()
    commit, dirty = ib.source_state()
    if dirty:
        print("warning: Sources/ or Package.swift differ from HEAD: the figures are not HEAD's", file=sys.stderr)

    work = os.path.join(args.data, "export-audit-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    users = ib.users_file(args.data, args.rows, args.seed)
    ib.warm(users["path"])
    load_before = ib.load_average()
    versions = {"switchboard": ib.tool_version([binary, "--version"]),
                "sqlite3": ib.tool_version(["sqlite3", "--version"]), "python": platform.python_version()}

    # 1. The full imports the audit is measured against.
    db = os.path.join(work, "directory.sqlite")
    imports = []
    for run in range(args.runs):
        ib.remove_db(db)
        print(f"run {run + 1}/{args.runs}: switchboard import of {users['rows']:,} rows ...", file=sys.stderr)
        result = ib.switchboard_import(binary, users["path"], db, work,
                                       expect={"rows": users["rows"], "accepted": users["rows"],
                                               "added": users["rows"]})
        print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
        imports.append(result)

    # 2. Export, alternating with sqlite3 -csv.
    exports = {"switchboard": [], "sqlite3": []}
    outputs = {"switchboard": os.path.join(work, "export-switchboard.csv"),
               "sqlite3": os.path.join(work, "export-sqlite3.csv")}
    for run in range(args.runs):
        for name in ("switchboard", "sqlite3"):
            if os.path.exists(outputs[name]):
                os.remove(outputs[name])
            print(f"run {run + 1}/{args.runs}: {name} export ...", file=sys.stderr)
            if name == "switchboard":
                result = ib.run_child([binary, "export", "--db", db, "--out", outputs[name]], work, ib.clean_env())
            else:
                result = ib.run_child(["sh", "-c", 'sqlite3 -csv "$1" "$2" > "$3"', "sh", db, EXPORT_SQL,
                                       outputs[name]], work)
            if result["rc"] != 0:
                raise SystemExit(f"{name} export exited {result['rc']}: {result['stderr'][-2000:]}")
            result["bytes"] = os.path.getsize(outputs[name])
            print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
            exports[name].append(result)

    # 3. Audit.
    audits = []
    for run in range(args.runs):
        folder = os.path.join(work, f"audit-{run}")
        print(f"run {run + 1}/{args.runs}: switchboard audit ...", file=sys.stderr)
        result = ib.run_child([binary, "audit", "--db", db, "--out", folder, "--format", "json"], work, ib.clean_env())
        summary = ib.last_json(result["stdout"].replace("\n", " ")) if result["stdout"].strip() else None
        if result["rc"] not in (0, 1) or summary is None:
            raise SystemExit(f"audit exited {result['rc']}: {result['stderr'][-2000:]}")
        if summary["profiles"] != users["rows"]:
            raise SystemExit(f"audit counted {summary['profiles']:,} profiles, not {users['rows']:,}")
        result["findings"] = summary["findings"]
        result["csv_bytes"] = os.path.getsize(os.path.join(folder, "findings.csv"))
        print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB, {summary['findings']:,} findings",
              file=sys.stderr)
        audits.append(result)
    load_after = ib.load_average()
    elapsed = time.time() - began

    # Only now, with every child measured: a child's peak RSS on Linux starts from this process's
    # own at the fork, and these lists make it large.
    ours = rows_of(outputs["switchboard"], skip_header=True)
    theirs = rows_of(outputs["sqlite3"], skip_header=False)
    if len(ours) != users["rows"] or ours != theirs:
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), None)
        raise SystemExit(f"the exports differ: {len(ours):,} and {len(theirs):,} rows; first difference at row {first}")
    del ours, theirs

    def median(results, key="wall"):
        return statistics.median(r[key] for r in results)

    def peak(results):
        return max(r["rss_kib"] for r in results) / 1024

    imp, ours_s, theirs_s, aud = (median(imports), median(exports["switchboard"]), median(exports["sqlite3"]),
                                  median(audits))
    out = []
    say = out.append
    say(f"## Export and audit benchmark, {started_at:%Y-%m-%d %H:%M} UTC")
    say("")
    say(f"Commit {commit}{' (with uncommitted changes)' if dirty else ''}; {ib.machine()}; "
        f"{versions['switchboard']}, {versions['sqlite3'].split(' ')[0]} (sqlite3 shell), Python {versions['python']}; "
        f"load average {load_before} before, {load_after} after; {elapsed / 60:.1f} min in all.")
    say("")
    say(f"Directory: {users['rows']:,} users imported from `{os.path.basename(users['path'])}` "
        f"({users['bytes'] / ib.MIB:.1f} MiB), {args.runs} run(s) of each command, medians.")
    say("")
    say("| job | command | median s | min s | max s | peak RSS MiB | ratio |")
    say("|---|---|--:|--:|--:|--:|--:|")
    rows = [("full import", "`switchboard import`", imports, imp, 1.0),
            ("export", "`switchboard export`", exports["switchboard"], ours_s, ours_s / theirs_s),
            ("export", "`sqlite3 -csv` (same SELECT)", exports["sqlite3"], theirs_s, 1.0),
            ("audit", "`switchboard audit`", audits, aud, aud / imp)]
    for job, command, results, med, ratio in rows:
        walls = [r["wall"] for r in results]
        say(f"| {job} | {command} | {med:.2f} | {min(walls):.2f} | {max(walls):.2f} | {peak(results):.1f} "
            f"| {ratio:.2f} |")
    say("")
    say(f"Ratios: export against sqlite3 -csv, audit against the full import. The audit found "
        f"{audits[-1]['findings']:,} findings (findings.csv {audits[-1]['csv_bytes'] / ib.MIB:.1f} MiB); "
        f"both exports hold the same {users['rows']:,} rows ({exports['switchboard'][-1]['bytes'] / ib.MIB:.1f} MiB).")
    checks = [
        ("export of the directory ≤ sqlite3 -csv selecting the same columns", ours_s <= theirs_s * TARGET_EXPORT_RATIO,
         f"{ours_s:.2f} s against {theirs_s:.2f} s: {ours_s / theirs_s:.2f}×"),
        (f"export peak memory ≤ {TARGET_EXPORT_PEAK_MIB:.0f} MiB", peak(exports["switchboard"]) <= TARGET_EXPORT_PEAK_MIB,
         f"{peak(exports['switchboard']):.1f} MiB"),
        ("audit ≤ the full import of the same users", aud <= imp * TARGET_AUDIT_RATIO,
         f"{aud:.2f} s against {imp:.2f} s: {aud / imp:.2f}×"),
        (f"audit peak memory ≤ {TARGET_AUDIT_PEAK_MIB:.0f} MiB", peak(audits) <= TARGET_AUDIT_PEAK_MIB,
         f"{peak(audits):.1f} MiB"),
    ]
    say("")
    say("Targets:")
    say("")
    for name, ok, detail in checks:
        say(f"- **{'PASS' if ok else 'FAIL'}**: {name}: {detail}")
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(args.data, "export-audit-results.md"), "w") as handle:
        handle.write(text)

    def strip(result):
        return {key: value for key, value in result.items() if key not in ("stdout", "stderr", "report")}

    with open(os.path.join(args.data, "export-audit-results.json"), "w") as handle:
        json.dump({"started_at": started_at.isoformat(), "commit": commit, "dirty": dirty, "machine": ib.machine(),
                   "versions": versions, "rows": args.rows, "runs": args.runs, "seed": args.seed,
                   "import": [strip(r) for r in imports],
                   "export": {name: [strip(r) for r in results] for name, results in exports.items()},
                   "audit": [strip(r) for r in audits],
                   "checks": [{"target": n, "pass": ok, "detail": d} for n, ok, d in checks]}, handle, indent=1)
    print(f"Results: {os.path.relpath(os.path.join(args.data, 'export-audit-results.md'))}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if args.strict and not all(ok for _, ok, _ in checks) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ib.Failure as error:
        print(f"export and audit benchmark aborted: {error}", file=sys.stderr)
        sys.exit(2)
